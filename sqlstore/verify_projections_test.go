package sqlstore_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// realisticRun drives a gate through what a day brings: controls changed,
// trips booked, moved, cancelled, missed and used, checked in on time and
// late, called, decided through to crossing, cancelled by an officer, given
// a priority, and an advisory sent to the trips on their way. It returns
// the trips by what happened to them.
func realisticRun(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) map[string]*cuakhau.Trip {
	t.Helper()
	ctx := context.Background()
	room := 2
	if _, err := db.SetControls(ctx, admin, "huu-nghi", cuakhau.ControlsUpdate{Room: &room, Lanes: map[string]int{"entry": 2}}); err != nil {
		t.Fatal(err)
	}
	phone := durian()
	phone.Driver.Phone = "0912345678"
	trips := map[string]*cuakhau.Trip{
		"crossed":   declare(t, db, company, phone),
		"late":      declare(t, db, company, phone),
		"waiting":   declare(t, db, company, phone),
		"moved":     declare(t, db, company, durian()),
		"unbooked":  declare(t, db, company, durian()),
		"missed":    declare(t, db, company, phone),
		"cancelled": declare(t, db, company, durian()),
		"onTheWay":  declare(t, db, company2, func() cuakhau.Declaration { d := durian(); d.Enterprise.TaxCode = company2.TaxCode; return d }()),
	}
	nine := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC) // 09:00 today
	for _, k := range []string{"crossed", "late", "moved", "unbooked", "missed"} {
		if _, err := db.Book(ctx, company, trips[k].ID, nine); err != nil {
			t.Fatalf("Book %s: %v", k, err)
		}
	}
	if _, err := db.MoveBooking(ctx, company, trips["moved"].ID, tomorrow9); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CancelBooking(ctx, company, trips["unbooked"].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetPriority(ctx, operator, trips["waiting"].ID, cuakhau.PriorityUpdate{Priority: ptr(3), Reason: "hàng cứu trợ"}); err != nil {
		t.Fatal(err)
	}
	decide(t, db, operator, trips["cancelled"].ID, cuakhau.Decision{Outcome: cuakhau.OutcomeCancel, Note: "giấy tờ sai"})
	clock.Set(nine.Add(10 * time.Minute))
	if _, err := db.Arrive(ctx, operator, trips["crossed"].ID); err != nil {
		t.Fatal(err)
	}
	if n, err := db.CallForward(ctx, "huu-nghi"); err != nil || n != 1 {
		t.Fatalf("CallForward: %d, %v", n, err)
	}
	for _, step := range route {
		clock.Add(5 * time.Minute)
		decide(t, db, step.p, trips["crossed"].ID, cuakhau.Decision{Checkpoint: step.checkpoint, Outcome: cuakhau.OutcomePass, Channel: step.channel})
	}
	clock.Set(nine.Add(90 * time.Minute)) // beyond the tolerance: the booking is lost
	for _, k := range []string{"late", "waiting"} {
		if _, err := db.Arrive(ctx, operator, trips[k].ID); err != nil {
			t.Fatalf("Arrive %s: %v", k, err)
		}
	}
	clock.Set(nine.Add(3 * time.Hour)) // past the window's end and the tolerance
	if n, err := db.SweepNoShows(ctx, "huu-nghi"); err != nil || n != 1 {
		t.Fatalf("SweepNoShows: %d, %v; want the missed trip", n, err)
	}
	zero := 0
	if _, err := db.SetOtherSideCapacity(ctx, operator, "huu-nghi", cuakhau.CapacityUpdate{TrucksPerDay: &zero, Note: "phía bạn dừng nhận"}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM outbox WHERE kind = 'advisory'`); n < 2 {
		t.Fatalf("%d advisory notices; the run should send some", n)
	}
	return trips
}

// verifyRows runs VerifyProjections and fails the test on error.
func verifyRows(t *testing.T, db *sqlstore.DB) []sqlstore.RowDiff {
	t.Helper()
	diffs, err := db.VerifyProjections(context.Background())
	if err != nil {
		t.Fatalf("VerifyProjections: %v", err)
	}
	return diffs
}

func TestVerifyProjectionsOfAnUntouchedStore(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		realisticRun(t, db, clock)
		for _, d := range verifyRows(t, db) {
			t.Errorf("untouched store: %s", d)
		}
		for _, table := range []string{"trips", "bookings", "waiting", "gate_controls", "outbox"} {
			if n := count(t, db, `SELECT count(*) FROM `+table); n == 0 {
				t.Errorf("the run leaves %s empty: its check proves nothing", table)
			}
		}
	})
}

// TestVerifyProjectionsNamesEachChange edits each projection behind the
// store's back, as someone with database access might, and checks that
// verify names the row and the field.
func TestVerifyProjectionsNamesEachChange(t *testing.T) {
	tests := []struct {
		name   string
		tamper string
		trip   string // the trip whose id is the tamper's one argument
		table  string
		key    string // the row's key when it is not the trip's id
		field  string
	}{
		{"trip status", `UPDATE trips SET status = 'crossed' WHERE id = ?`, "waiting", "trips", "", "status"},
		{"trip body status", `"status":"arrived" → "status":"crossed"`, "waiting", "trips", "", "body.status"},
		{"driver id number", `020123456789 → 020999999999`, "onTheWay", "trips", "", "body.driver.id_number"},
		{"packed body's driver id number", `020123456789 → 020999999999`, "crossed", "trips", "", "body.driver.id_number"},
		{"packed body's bytes", `UPDATE trips SET body = ? WHERE id = ?`, "crossed", "trips", "", "body"},
		{"trip version", `UPDATE trips SET version = version + 1 WHERE id = ?`, "crossed", "trips", "", "version"},
		{"trip deleted", `DELETE FROM trips WHERE id = ?`, "cancelled", "trips", "", ""},
		{"booking window", `UPDATE bookings SET window_start = '2026-12-03T02:00:00.000000Z' WHERE trip_id = ?`, "moved", "bookings", "", "window_start"},
		{"booking state", `UPDATE bookings SET state = 'active' WHERE trip_id = ?`, "missed", "bookings", "", "state"},
		{"booking added", `INSERT INTO bookings (trip_id, gate, direction, window_start, window_end, state, booked_at) SELECT id, gate, direction, '2026-12-02T02:00:00.000000Z', '2026-12-02T03:00:00.000000Z', 'active', declared_at FROM trips WHERE id = ?`, "unbooked", "bookings", "", ""},
		{"waiting row removed", `DELETE FROM waiting WHERE trip_id = ?`, "waiting", "waiting", "", ""},
		{"waiting row added", `INSERT INTO waiting (trip_id, gate, direction, seq, arrived_at, booked) SELECT id, gate, direction, 999, declared_at, 0 FROM trips WHERE id = ?`, "onTheWay", "waiting", "", ""},
		{"waiting priority", `UPDATE waiting SET priority = 9 WHERE trip_id = ?`, "waiting", "waiting", "", "priority"},
		{"controls", `UPDATE gate_controls SET body = replace(body, '"room":2', '"room":50') WHERE gate = 'huu-nghi' AND ? <> ''`, "crossed", "gate_controls", "huu-nghi", "body.room"},
		{"outbox text", `UPDATE outbox SET text = 'Xe được ưu tiên, đi ngay' WHERE trip_id = ? AND kind = 'called'`, "crossed", "outbox", "", "text"},
		{"outbox phone", `UPDATE outbox SET phone = '0987654321' WHERE trip_id = ? AND kind = 'booking_lost'`, "missed", "outbox", "", "phone"},
		{"outbox message removed", `DELETE FROM outbox WHERE trip_id = ? AND kind = 'advisory'`, "onTheWay", "outbox", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
				ctx := context.Background()
				trips := realisticRun(t, db, clock)
				id := trips[tt.trip].ID
				var err error
				if from, to, ok := strings.Cut(tt.tamper, " → "); ok {
					// An edit of the body's JSON, stored back packed or not as it was.
					err = db.EditTripBody(ctx, id, func(b []byte) []byte {
						return bytes.ReplaceAll(b, []byte(from), []byte(to))
					})
				} else if strings.Contains(tt.tamper, "body = ?") {
					// A packed body whose bytes no longer inflate.
					err = db.ExecRaw(ctx, tt.tamper, []byte{0x01, 0xff, 0xff, 0xff}, id)
				} else {
					err = db.ExecRaw(ctx, tt.tamper, id)
				}
				if err != nil {
					t.Fatalf("tamper: %v", err)
				}
				diffs := verifyRows(t, db)
				if len(diffs) == 0 {
					t.Fatal("verify finds nothing")
				}
				for _, d := range diffs {
					key := strings.Contains(d.Key, id)
					if tt.key != "" {
						key = d.Key == tt.key
					}
					if d.Table != tt.table || !key || d.Field != tt.field {
						t.Errorf("a difference other than the one made: %s (table %s, key %s, field %q); want table %s, row of %s, field %q",
							d, d.Table, d.Key, d.Field, tt.table, tt.trip, tt.field)
					}
				}
			})
		})
	}
}

// TestVerifyProjectionsWhileWriting verifies a store that callers are
// writing to: the log and the tables are read from one snapshot, so no
// write half-seen shows up as a difference.
func TestVerifyProjectionsWhileWriting(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		var stop atomic.Bool
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for !stop.Load() {
					trip, err := db.DeclareTrip(ctx, company, durian())
					if err == nil {
						_, err = db.Book(ctx, company, trip.ID, tomorrow9)
					}
					for _, s := range route[:2] {
						if err == nil {
							_, err = db.Decide(ctx, s.p, trip.ID, cuakhau.Decision{Checkpoint: s.checkpoint, Outcome: cuakhau.OutcomePass})
						}
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		for i := range 5 {
			// Each verify begins once more trips are written.
			for n := 0; n < 20*(i+1) && len(errs) == 0; n = count(t, db, `SELECT count(*) FROM trips`) {
			}
			for _, d := range verifyRows(t, db) {
				t.Errorf("verify during writes: %s", d)
			}
		}
		stop.Store(true)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("writes: %v", err)
		}
		if n := count(t, db, `SELECT count(*) FROM bookings WHERE state = 'used'`); n == 0 {
			t.Errorf("no booking was used: the writes did not exercise the bookings")
		}
	})
}
