package sqlstore_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/catalog"
	"github.com/cuakhau/cuakhau/flow"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// tomorrow9 is 09:00 local on 2 December 2026, a window start the day after
// the suite's clock.
var tomorrow9 = time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC)

func oneLane(t *testing.T, db *sqlstore.DB) {
	t.Helper()
	if _, err := db.SetControls(context.Background(), admin, "huu-nghi", cuakhau.ControlsUpdate{Lanes: map[string]int{"entry": 1}}); err != nil {
		t.Fatalf("SetControls: %v", err)
	}
}

func windowAt(t *testing.T, db *sqlstore.DB, start time.Time) *cuakhau.Window {
	t.Helper()
	ws, err := db.Windows(context.Background(), "huu-nghi", cuakhau.Export, start.In(time.FixedZone("ICT", 7*3600)).Format(time.DateOnly))
	if err != nil {
		t.Fatalf("Windows: %v", err)
	}
	for _, w := range ws {
		if w.Start.Equal(start) {
			return w
		}
	}
	t.Fatalf("no window at %v", start)
	return nil
}

// bookAll books every trip at once and counts the bookings that succeeded,
// those refused as full (409 with the nearest free windows) and any other
// error, which it reports.
func bookAll(t *testing.T, ids []string, book func(i int, id string) error) (ok, full, other int) {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := book(i, id)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case cuakhau.ErrorCode(err) == cuakhau.ECONFLICT && cuakhau.ErrorDetails(err) != nil:
				full++
			default:
				other++
				t.Errorf("Book: %v", err)
			}
		}()
	}
	wg.Wait()
	return ok, full, other
}

// TestBookingNeverOverbooks fires 210 concurrent bookings at a window with K
// places and checks that exactly K succeed and the rest are refused as full.
func TestBookingNeverOverbooks(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		oneLane(t, db)
		k := windowAt(t, db, tomorrow9).Available
		if k < 1 || k > 50 {
			t.Fatalf("window has %d places; the test wants a few", k)
		}
		const n = 210
		ids := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tr, err := db.DeclareTrip(ctx, company, durian())
				if err != nil {
					t.Errorf("DeclareTrip: %v", err)
					return
				}
				ids[i] = tr.ID
			}()
		}
		wg.Wait()
		ok, full, other := bookAll(t, ids, func(_ int, id string) error {
			_, err := db.Book(ctx, company, id, tomorrow9)
			return err
		})
		if ok != k || full != n-k || other != 0 {
			t.Errorf("%d booked, %d refused as full, %d other errors; want %d, %d, 0", ok, full, other, k, n-k)
		}
		w := windowAt(t, db, tomorrow9)
		if w.Booked != k || w.Available != 0 {
			t.Errorf("window after: booked %d, available %d; want %d, 0", w.Booked, w.Available, k)
		}
		if got := count(t, db, `SELECT count(*) FROM trips WHERE status = 'booked'`); got != k {
			t.Errorf("%d trips booked, want %d", got, k)
		}
		wantWhole(t, db)
	})
}

// TestBookingNeverOverbooksAcrossNodes runs two server nodes — two stores,
// each with its own writer — against one PostgreSQL database and fires the
// bookings at both: the count taken under the gate's lock must hold across
// nodes, so exactly K of them succeed.
func TestBookingNeverOverbooksAcrossNodes(t *testing.T) {
	ctx := context.Background()
	clock := cuakhau.NewFixedClock(start)
	dsn := dsnFor(t, "postgres")
	nodes := []*sqlstore.DB{openRaw(t, dsn, clock), openRaw(t, dsn, clock)}
	if _, err := nodes[0].Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	gates, err := catalog.Gates()
	if err != nil {
		t.Fatal(err)
	}
	if err := nodes[0].Seed(ctx, gates); err != nil {
		t.Fatal(err)
	}
	oneLane(t, nodes[0])
	k := windowAt(t, nodes[1], tomorrow9).Available
	if k < 1 || k > 50 {
		t.Fatalf("window has %d places; the test wants a few", k)
	}
	const n = 120
	ids := make([]string, n)
	for i := range n {
		tr, err := nodes[i%2].DeclareTrip(ctx, company, durian())
		if err != nil {
			t.Fatalf("DeclareTrip: %v", err)
		}
		ids[i] = tr.ID
	}
	ok, full, other := bookAll(t, ids, func(i int, id string) error {
		_, err := nodes[i%2].Book(ctx, company, id, tomorrow9)
		return err
	})
	if ok != k || full != n-k || other != 0 {
		t.Errorf("%d booked, %d refused as full, %d other errors; want %d, %d, 0", ok, full, other, k, n-k)
	}
	if got := count(t, nodes[0], `SELECT count(*) FROM bookings WHERE state = 'active'`); got != k {
		t.Errorf("%d active bookings, want %d", got, k)
	}
	wantWhole(t, nodes[1])
}

func TestBookingRefuses(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		trip := declare(t, db, company, durian())
		cancelled := declare(t, db, company, durian())
		decide(t, db, company, cancelled.ID, cuakhau.Decision{Outcome: cuakhau.OutcomeCancel})
		other := declare(t, db, company2, func() cuakhau.Declaration {
			d := durian()
			d.Enterprise.TaxCode = company2.TaxCode
			return d
		}())
		before := count(t, db, `SELECT count(*) FROM events`)
		cases := []struct {
			name  string
			p     cuakhau.Principal
			id    string
			start time.Time
			code  string
			field string
		}{
			{"started", company, trip.ID, start.Add(-time.Hour), cuakhau.EINVALID, "window_start"},
			{"beyond horizon", company, trip.ID, tomorrow9.AddDate(0, 0, 20), cuakhau.EINVALID, "window_start"},
			{"outside hours", company, trip.ID, time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC), cuakhau.EINVALID, "window_start"},
			{"not aligned", company, trip.ID, tomorrow9.Add(17 * time.Minute), cuakhau.EINVALID, "window_start"},
			{"zero", company, trip.ID, time.Time{}, cuakhau.EINVALID, "window_start"},
			{"cancelled trip", company, cancelled.ID, tomorrow9, cuakhau.ECONFLICT, ""},
			{"another company", company, other.ID, tomorrow9, cuakhau.EFORBIDDEN, ""},
			{"viewer", viewer, trip.ID, tomorrow9, cuakhau.EFORBIDDEN, ""},
			{"unknown trip", company, "nope", tomorrow9, cuakhau.ENOTFOUND, ""},
		}
		for _, c := range cases {
			_, err := db.Book(ctx, c.p, c.id, c.start)
			if got := cuakhau.ErrorCode(err); got != c.code {
				t.Errorf("%s: code %q (%v), want %q", c.name, got, err, c.code)
			}
			if c.field != "" {
				if _, ok := cuakhau.ErrorFields(err)[c.field]; !ok {
					t.Errorf("%s: fields %v, want %s", c.name, cuakhau.ErrorFields(err), c.field)
				}
			}
		}
		if got := count(t, db, `SELECT count(*) FROM events`); got != before {
			t.Errorf("refused bookings appended %d events", got-before)
		}
		if got := count(t, db, `SELECT count(*) FROM bookings`); got != 0 {
			t.Errorf("refused bookings left %d rows", got)
		}
		// Twice: the second is a conflict and changes nothing.
		if _, err := db.Book(ctx, company, trip.ID, tomorrow9); err != nil {
			t.Fatal(err)
		}
		_, err := db.Book(ctx, company, trip.ID, tomorrow9.Add(time.Hour))
		wantCode(t, err, cuakhau.ECONFLICT)
		if got := count(t, db, `SELECT count(*) FROM bookings`); got != 1 {
			t.Errorf("%d bookings, want 1", got)
		}
	})
}

func TestMoveAndCancelBooking(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		oneLane(t, db)
		trip := declare(t, db, company, durian())
		if _, err := db.Book(ctx, company, trip.ID, tomorrow9); err != nil {
			t.Fatal(err)
		}
		// Fill the 10:00 window, so that a move there fails and keeps 09:00.
		ten := tomorrow9.Add(time.Hour)
		for range windowAt(t, db, ten).Available {
			f := declare(t, db, company, durian())
			if _, err := db.Book(ctx, company, f.ID, ten); err != nil {
				t.Fatal(err)
			}
		}
		_, err := db.MoveBooking(ctx, company, trip.ID, ten)
		wantCode(t, err, cuakhau.ECONFLICT)
		if near := cuakhau.ErrorDetails(err); len(near) == 0 || near[0].Available == 0 {
			t.Errorf("nearest windows %v, want free ones", near)
		}
		if w := windowAt(t, db, tomorrow9); w.Booked != 1 {
			t.Errorf("09:00 booked %d after a failed move, want 1", w.Booked)
		}
		res, err := db.MoveBooking(ctx, company, trip.ID, tomorrow9.Add(2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if res.Event.Type != cuakhau.EventBookingMoved || res.Trip.Status != cuakhau.StatusBooked {
			t.Errorf("move: event %s, status %s", res.Event.Type, res.Trip.Status)
		}
		if w := windowAt(t, db, tomorrow9); w.Booked != 0 {
			t.Errorf("09:00 booked %d after the move, want 0", w.Booked)
		}
		if n := count(t, db, `SELECT count(*) FROM outbox WHERE kind = 'booking_moved' AND trip_id = ?`, trip.ID); n != 1 {
			t.Errorf("%d booking_moved messages, want 1", n)
		}
		res, err = db.CancelBooking(ctx, company, trip.ID)
		if err != nil {
			t.Fatal(err)
		}
		if res.Trip.Status != cuakhau.StatusDeclared || res.Event.Type != cuakhau.EventBookingCancelled {
			t.Errorf("cancel: status %s, event %s", res.Trip.Status, res.Event.Type)
		}
		_, err = db.CancelBooking(ctx, company, trip.ID)
		wantCode(t, err, cuakhau.ECONFLICT)
		wantWhole(t, db)
	})
}

// TestQueueLifecycle checks in a booked truck, a late one and walk-ins, calls
// them forward, checks that a checked-in truck waits for its call before
// entry and that every call replays.
func TestQueueLifecycle(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		room := 2
		if _, err := db.SetControls(ctx, admin, "huu-nghi", cuakhau.ControlsUpdate{Room: &room, Policy: ptr("fixed-slot")}); err != nil {
			t.Fatal(err)
		}
		booked := declare(t, db, company, durian())
		late := declare(t, db, company, durian())
		walk1 := declare(t, db, company, durian())
		walk2 := declare(t, db, company, durian())
		nine := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC) // 09:00 today
		for _, id := range []string{booked.ID, late.ID} {
			if _, err := db.Book(ctx, company, id, nine); err != nil {
				t.Fatal(err)
			}
		}
		clock.Set(nine.Add(30 * time.Minute))
		var seqs []int64
		for _, id := range []string{walk1.ID, walk2.ID, booked.ID} {
			clock.Add(time.Minute)
			res, err := db.Arrive(ctx, operator, id)
			if err != nil {
				t.Fatalf("Arrive: %v", err)
			}
			seqs = append(seqs, res.Event.Seq)
			var a cuakhau.ArrivalData
			if err := json.Unmarshal(res.Event.Data, &a); err != nil {
				t.Fatal(err)
			}
			if a.FIFOTurn == nil {
				t.Errorf("arrival of %s logs no FIFO turn", id)
			}
			if wantBooked := id == booked.ID; a.Booked != wantBooked || res.Entry == nil {
				t.Errorf("arrival of %s: booked %v, entry %v", id, a.Booked, res.Entry)
			}
		}
		clock.Set(nine.Add(2 * time.Hour)) // beyond the tolerance
		res, err := db.Arrive(ctx, operator, late.ID)
		if err != nil {
			t.Fatal(err)
		}
		if res.Entry.Class != cuakhau.ClassLive {
			t.Errorf("late truck class %s, want live", res.Entry.Class)
		}
		_, err = db.Arrive(ctx, operator, late.ID)
		wantCode(t, err, cuakhau.ECONFLICT)

		// Waiting: it may not pass entry before its call.
		_, err = db.Decide(ctx, operator, walk1.ID, cuakhau.Decision{Checkpoint: "entry", Outcome: cuakhau.OutcomePass})
		wantCode(t, err, cuakhau.ECONFLICT)

		q, err := db.Queue(ctx, operator, "huu-nghi", cuakhau.QueueFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(q.Entries) != 4 || q.Entries[0].TripID != booked.ID || q.Free != 2 {
			t.Fatalf("queue: free %d, entries %+v; want the booked truck first of 4", q.Free, q.Entries)
		}
		_, err = db.Queue(ctx, customsTT, "huu-nghi", cuakhau.QueueFilter{})
		wantCode(t, err, cuakhau.EFORBIDDEN)

		// An override needs a reason.
		_, err = db.Call(ctx, operator, "huu-nghi", cuakhau.CallRequest{TripID: late.ID})
		wantCode(t, err, cuakhau.EINVALID)

		n, err := db.CallForward(ctx, "huu-nghi")
		if err != nil || n != 2 {
			t.Fatalf("CallForward: %d, %v; want 2 (the room)", n, err)
		}
		if n, _ := db.CallForward(ctx, "huu-nghi"); n != 0 {
			t.Errorf("CallForward with a full zone called %d", n)
		}
		// A called truck enters the control zone.
		decide(t, db, operator, booked.ID, cuakhau.Decision{Checkpoint: "entry", Outcome: cuakhau.OutcomePass})
		_ = seqs
		cr, err := db.Call(ctx, operator, "huu-nghi", cuakhau.CallRequest{TripID: late.ID, Reason: "xe chở thuốc cứu trợ"})
		if err != nil {
			t.Fatal(err)
		}
		if len(cr.Called) != 1 || cr.Called[0].Trip.Status != cuakhau.StatusCalled {
			t.Fatalf("override called %+v", cr.Called)
		}

		// Every logged call replays to the same choice, on the waiting
		// area rebuilt from the log.
		checks := replayLog(t, db, "huu-nghi")
		if len(checks) != 3 {
			t.Fatalf("%d calls logged, want 3", len(checks))
		}
		overrides := 0
		for _, c := range checks {
			if len(c.Differences) > 0 {
				t.Errorf("call %d: %v", c.Event.Seq, c.Differences)
			}
			if c.Override {
				overrides++
			}
		}
		if overrides != 1 {
			t.Errorf("%d overrides, want 1", overrides)
		}
		if n := count(t, db, `SELECT count(*) FROM outbox WHERE kind = 'called'`); n != 3 {
			t.Errorf("%d called messages, want 3", n)
		}
		wantWhole(t, db)
	})
}

func ptr[T any](v T) *T { return &v }

// replayLog replays a gate's whole log and returns the check of every call;
// an error of the log fails the test.
func replayLog(t *testing.T, db *sqlstore.DB, gate string) []*flow.CallCheck {
	t.Helper()
	r := flow.NewReplayer()
	var checks []*flow.CallCheck
	err := db.ScanLog(context.Background(), gate, func(ev *cuakhau.Event) error {
		c, err := r.Add(ev)
		if c != nil {
			checks = append(checks, c)
		}
		return err
	})
	if err != nil {
		t.Fatalf("replay of %s: %v", gate, err)
	}
	return checks
}

// TestReplayRoundsAndDepartures calls rounds of several trucks from a
// waiting area that trucks also leave by cancellation, and checks that
// every call replays on the area rebuilt from the log, that the area the
// store reads is the one the log rebuilds, and that no call's record grows
// with the waiting area.
func TestReplayRoundsAndDepartures(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		if _, err := db.SetControls(ctx, admin, "huu-nghi", cuakhau.ControlsUpdate{Room: ptr(3)}); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for i := range 8 {
			d := durian()
			if i%3 == 0 {
				d.Cargo[0].Perishable, d.Cargo[0].ShelfLifeHours = false, 0
			}
			tr := declare(t, db, company, d)
			if i == 2 {
				if _, err := db.Book(ctx, company, tr.ID, tomorrow9); err != nil {
					t.Fatal(err)
				}
			}
			clock.Add(time.Minute)
			if _, err := db.Arrive(ctx, operator, tr.ID); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, tr.ID)
		}
		// Two trucks leave the waiting area by cancellation, not by a call.
		for _, id := range []string{ids[1], ids[4]} {
			if _, err := db.Decide(ctx, operator, id, cuakhau.Decision{Outcome: cuakhau.OutcomeCancel, Note: "xe quay đầu"}); err != nil {
				t.Fatal(err)
			}
		}
		clock.Add(time.Minute)
		res, err := db.Call(ctx, operator, "huu-nghi", cuakhau.CallRequest{Count: 3})
		if err != nil || len(res.Called) != 3 {
			t.Fatalf("round of 3: %+v, %v", res, err)
		}
		for _, c := range res.Called {
			if len(c.Event.Data) > 2048 {
				t.Errorf("called event data is %d bytes", len(c.Event.Data))
			}
		}
		// The zone gets a fourth place (a controls event in the log); a
		// later truck arrives; the loop calls.
		if _, err := db.SetControls(ctx, admin, "huu-nghi", cuakhau.ControlsUpdate{Room: ptr(4)}); err != nil {
			t.Fatal(err)
		}
		extra := declare(t, db, company, durian())
		clock.Add(time.Minute)
		if _, err := db.Arrive(ctx, operator, extra.ID); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Minute)
		if n, err := db.CallForward(ctx, "huu-nghi"); err != nil || n != 1 {
			t.Fatalf("CallForward: %d, %v; want 1 (one place left)", n, err)
		}

		checks := replayLog(t, db, "huu-nghi")
		if len(checks) != 4 {
			t.Fatalf("%d calls replayed, want 4", len(checks))
		}
		for _, c := range checks {
			if len(c.Differences) > 0 || c.Want != c.Event.TripID {
				t.Errorf("call %d of %s: want %s, differences %v", c.Event.Seq, c.Event.TripID, c.Want, c.Differences)
			}
		}
		// What is left waiting is what the log rebuilds.
		q, err := db.Queue(ctx, operator, "huu-nghi", cuakhau.QueueFilter{})
		if err != nil {
			t.Fatal(err)
		}
		r := flow.NewReplayer()
		if err := db.ScanLog(ctx, "huu-nghi", func(ev *cuakhau.Event) error { _, err := r.Add(ev); return err }); err != nil {
			t.Fatal(err)
		}
		rebuilt := r.Waiting("huu-nghi")
		if len(rebuilt) != len(q.Entries) || len(rebuilt) != 8+1-2-4 {
			t.Fatalf("rebuilt %d waiting, the store has %d", len(rebuilt), len(q.Entries))
		}
		in := map[string]bool{}
		for _, e := range q.Entries {
			in[e.TripID] = true
		}
		for _, w := range rebuilt {
			if !in[w.ID] {
				t.Errorf("trip %s is rebuilt as waiting but the store does not have it", w.ID)
			}
		}
	})
}

func TestNoShowSweep(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		trip := declare(t, db, company, durian())
		if _, err := db.Book(ctx, company, trip.ID, tomorrow9); err != nil {
			t.Fatal(err)
		}
		clock.Set(tomorrow9.Add(time.Hour + 59*time.Minute)) // window end + 59 min
		if n, err := db.SweepNoShows(ctx, "huu-nghi"); err != nil || n != 0 {
			t.Fatalf("sweep inside the tolerance: %d, %v", n, err)
		}
		clock.Add(2 * time.Minute)
		if n, err := db.SweepNoShows(ctx, "huu-nghi"); err != nil || n != 1 {
			t.Fatalf("sweep after the tolerance: %d, %v", n, err)
		}
		got, err := db.Trip(ctx, admin, trip.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != cuakhau.StatusNoShow {
			t.Errorf("status %s, want no_show", got.Status)
		}
		if n := count(t, db, `SELECT count(*) FROM bookings WHERE state = 'no_show'`); n != 1 {
			t.Errorf("%d no-show bookings, want 1", n)
		}
		// The outbox: the lost booking, due now, delivered once marked.
		due, err := db.DueNotifications(ctx, 10)
		if err != nil || len(due) != 1 || due[0].Kind != cuakhau.NotifyBookingLost {
			t.Fatalf("due %+v, %v", due, err)
		}
		if err := db.MarkFailed(ctx, due[0].ID, clock.Now().Add(time.Minute), "gateway down"); err != nil {
			t.Fatal(err)
		}
		if due, _ := db.DueNotifications(ctx, 10); len(due) != 0 {
			t.Errorf("a failed message is due again before its retry time")
		}
		clock.Add(time.Minute)
		due, _ = db.DueNotifications(ctx, 10)
		if len(due) != 1 || due[0].Attempts != 1 {
			t.Fatalf("after the backoff: %+v", due)
		}
		if err := db.MarkDelivered(ctx, due[0].ID); err != nil {
			t.Fatal(err)
		}
		if due, _ := db.DueNotifications(ctx, 10); len(due) != 0 {
			t.Errorf("a delivered message is due again")
		}
	})
}

func TestAdvisoryStopsBookings(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		onWay := declare(t, db, company, durian())
		zero := 0
		_, err := db.SetOtherSideCapacity(ctx, operator, "huu-nghi", cuakhau.CapacityUpdate{TrucksPerDay: &zero})
		if err != nil {
			t.Fatal(err)
		}
		neg := -1
		_, err = db.SetOtherSideCapacity(ctx, operator, "huu-nghi", cuakhau.CapacityUpdate{TrucksPerDay: &neg})
		wantCode(t, err, cuakhau.EINVALID)
		_, err = db.SetControls(ctx, operator, "huu-nghi", cuakhau.ControlsUpdate{Lanes: map[string]int{"entry": -1}})
		wantCode(t, err, cuakhau.EINVALID)
		_, err = db.SetControls(ctx, customs, "huu-nghi", cuakhau.ControlsUpdate{Room: ptr(3)})
		wantCode(t, err, cuakhau.EFORBIDDEN)

		waits, err := db.PublicWaits(ctx)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, w := range waits.Waits {
			if w.Gate == "huu-nghi" {
				found = true
				if w.Advisory == "" || w.Level != "green" {
					t.Errorf("huu-nghi %s: advisory %q, level %s", w.Direction, w.Advisory, w.Level)
				}
			}
		}
		if !found {
			t.Fatal("no huu-nghi line in the feed")
		}
		_, err = db.Book(ctx, company, onWay.ID, tomorrow9)
		wantCode(t, err, cuakhau.ECONFLICT)
		if n := count(t, db, `SELECT count(*) FROM outbox WHERE kind = 'advisory' AND trip_id = ?`, onWay.ID); n != 1 {
			t.Errorf("%d advisories to the trip on its way, want 1", n)
		}
		// The capacity call logged the advisory: the loop's next round does
		// not tell the trip again.
		if wrote, err := db.Advise(ctx, "huu-nghi"); err != nil || wrote {
			t.Errorf("Advise after the capacity call: %v, %v; want nothing written", wrote, err)
		}
		if n := count(t, db, `SELECT count(*) FROM outbox WHERE kind = 'advisory' AND trip_id = ?`, onWay.ID); n != 1 {
			t.Errorf("%d advisories to the trip on its way after a round, want 1", n)
		}
	})
}

// TestCallBudget checks that call-forward puts no more trucks in the
// control zone than the other side's announced capacity takes within the
// call horizon (sched.CallBudget), however much room the zone has, and that
// the calls still replay.
func TestCallBudget(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		room := 10
		if _, err := db.SetControls(ctx, admin, "huu-nghi", cuakhau.ControlsUpdate{Room: &room, Policy: ptr("fifo")}); err != nil {
			t.Fatal(err)
		}
		// 13 trucks a day over Hữu Nghị's 13 hours: one an hour, so the
		// default 4 h horizon holds 4 trucks.
		perDay := 13
		if _, err := db.SetOtherSideCapacity(ctx, operator, "huu-nghi", cuakhau.CapacityUpdate{TrucksPerDay: &perDay}); err != nil {
			t.Fatal(err)
		}
		clock.Set(time.Date(2026, 12, 1, 2, 30, 0, 0, time.UTC)) // 09:30 local
		for range 6 {
			clock.Add(time.Minute)
			if _, err := db.Arrive(ctx, operator, declare(t, db, company, durian()).ID); err != nil {
				t.Fatalf("Arrive: %v", err)
			}
		}
		q, err := db.Queue(ctx, operator, "huu-nghi", cuakhau.QueueFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if q.Free != 4 {
			t.Errorf("queue shows %d free places, want 4 (the call budget, not the room of 10)", q.Free)
		}
		if n, err := db.CallForward(ctx, "huu-nghi"); err != nil || n != 4 {
			t.Fatalf("CallForward: %d, %v; want 4", n, err)
		}
		if n, err := db.CallForward(ctx, "huu-nghi"); err != nil || n != 0 {
			t.Errorf("CallForward with the budget spent: %d, %v; want 0", n, err)
		}
		for _, c := range replayLog(t, db, "huu-nghi") {
			if len(c.Differences) > 0 {
				t.Errorf("call %d: %v", c.Event.Seq, c.Differences)
			}
		}
	})
}

// TestArriveAfterAnotherNodeChangedTheTrip: a node whose cached trip is
// older than the stored one (another node set its priority since) checks
// it in from the stored trip: the arrival carries the priority, and the
// log and projections verify.
func TestArriveAfterAnotherNodeChangedTheTrip(t *testing.T) {
	ctx := context.Background()
	clock := cuakhau.NewFixedClock(start)
	dsn := dsnFor(t, "postgres")
	nodes := []*sqlstore.DB{openRaw(t, dsn, clock), openRaw(t, dsn, clock)}
	if _, err := nodes[0].Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	gates, err := catalog.Gates()
	if err != nil {
		t.Fatal(err)
	}
	if err := nodes[0].Seed(ctx, gates); err != nil {
		t.Fatal(err)
	}
	tr := declare(t, nodes[0], company, durian()) // cached by node 0
	if _, err := nodes[0].Trip(ctx, company, tr.ID); err != nil {
		t.Fatal(err)
	}
	five := 5
	set, err := nodes[1].SetPriority(ctx, operator, tr.ID, cuakhau.PriorityUpdate{Priority: &five, Reason: "relief goods"})
	if err != nil {
		t.Fatal(err)
	}
	clock.Add(time.Minute)
	res, err := nodes[0].Arrive(ctx, operator, tr.ID)
	if err != nil {
		t.Fatalf("Arrive on the node with the older trip: %v", err)
	}
	if res.Trip.Priority != 5 || res.Trip.Version != set.Trip.Version+1 || res.Trip.Status != cuakhau.StatusArrived {
		t.Errorf("arrived trip: priority %d, version %d, %s; want 5, %d, arrived", res.Trip.Priority, res.Trip.Version, res.Trip.Status, set.Trip.Version+1)
	}
	wantWhole(t, nodes[1])
}
