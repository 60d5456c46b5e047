package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// TestChangeHours changes Hữu Nghị's hours from 07:00–20:00 to 08:30–17:00
// with bookings tomorrow at 07:00, 09:00 and 19:00: the 09:00 booking,
// which the new hours still cover though it is off their grid, stands and
// counts in the 08:30 window; the two others are released, each trip told
// to book again, and every window, booking rule and "open" follows the
// new hours, which the log keeps.
func TestChangeHours(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		oneLane(t, db)
		at := func(h, m int) time.Time {
			return tomorrow9.Add(time.Duration(h-9)*time.Hour + time.Duration(m)*time.Minute)
		}
		early, kept, late := declare(t, db, company, durian()), declare(t, db, company, durian()), declare(t, db, company, durian())
		for _, b := range []struct {
			id string
			at time.Time
		}{{early.ID, at(7, 0)}, {kept.ID, at(9, 0)}, {late.ID, at(19, 0)}} {
			if _, err := db.Book(ctx, company, b.id, b.at); err != nil {
				t.Fatal(err)
			}
		}

		_, err := db.SetControls(ctx, operator, "huu-nghi", cuakhau.ControlsUpdate{Hours: &cuakhau.Hours{Open: "8:30", Close: "25:00"}})
		wantCode(t, err, cuakhau.EINVALID)
		if f := cuakhau.ErrorFields(err); f["hours.open"] == "" || f["hours.close"] == "" {
			t.Errorf("bad hours: fields %v, want hours.open and hours.close", f)
		}
		_, err = db.SetControls(ctx, customs, "huu-nghi", cuakhau.ControlsUpdate{Hours: &cuakhau.Hours{Open: "08:30", Close: "17:00"}})
		wantCode(t, err, cuakhau.EFORBIDDEN)

		c, err := db.SetControls(ctx, operator, "huu-nghi", cuakhau.ControlsUpdate{Hours: &cuakhau.Hours{Open: "08:30", Close: "17:00"}, Reason: "winter hours"})
		if err != nil {
			t.Fatal(err)
		}
		if c.Hours != (cuakhau.Hours{Open: "08:30", Close: "17:00"}) {
			t.Errorf("controls' hours %v, want 08:30–17:00", c.Hours)
		}
		for _, want := range []struct {
			tr     *cuakhau.Trip
			status cuakhau.Status
			told   int
		}{{early, cuakhau.StatusDeclared, 1}, {kept, cuakhau.StatusBooked, 0}, {late, cuakhau.StatusDeclared, 1}} {
			got, err := db.Trip(ctx, company, want.tr.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != want.status {
				t.Errorf("trip %s: %s after the change, want %s", got.Code, got.Status, want.status)
			}
			if n := count(t, db, `SELECT count(*) FROM outbox WHERE kind = 'booking_lost' AND trip_id = ? AND text LIKE '%08:30–17:00%'`, want.tr.ID); n != want.told {
				t.Errorf("trip %s: told %d times of the new hours, want %d", got.Code, n, want.told)
			}
		}
		if n := count(t, db, `SELECT count(*) FROM bookings WHERE state = 'released'`); n != 2 {
			t.Errorf("%d released bookings, want 2", n)
		}

		ws, err := db.Windows(ctx, "huu-nghi", cuakhau.Export, "2026-12-02")
		if err != nil {
			t.Fatal(err)
		}
		if len(ws) == 0 || !ws[0].Start.Equal(at(8, 30)) || !ws[len(ws)-1].End.Equal(at(17, 0)) {
			t.Fatalf("windows after the change: %v, want 08:30 to 17:00", ws)
		}
		if ws[0].Booked != 1 {
			t.Errorf("08:30 window booked %d, want 1: the kept 09:00 booking", ws[0].Booked)
		}
		_, err = db.Book(ctx, company, early.ID, at(7, 0))
		wantCode(t, err, cuakhau.EINVALID)
		if f := cuakhau.ErrorFields(err); !strings.Contains(f["window_start"], "08:30–17:00") {
			t.Errorf("booking 07:00 after the change: %v, want outside hours 08:30–17:00", err)
		}
		if _, err := db.Book(ctx, company, early.ID, at(8, 30)); err != nil {
			t.Errorf("booking 08:30 after the change: %v", err)
		}

		// 08:00 today: open before, closed now.
		pw, err := db.PublicWaits(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range pw.Waits {
			if w.Gate == "huu-nghi" && w.Open {
				t.Errorf("huu-nghi %s open at 08:00 with hours 08:30–17:00", w.Direction)
			}
		}
		clock.Add(time.Hour)
		if got, err := db.Controls(ctx, "huu-nghi"); err != nil || got.Hours.Open != "08:30" {
			t.Errorf("controls read back: %+v, %v", got, err)
		}
		if g, err := db.Gate(ctx, "huu-nghi"); err != nil || g.Hours.String() != "08:30–17:00" {
			t.Errorf("the gate's hours in force: %v, %v", g, err)
		}
		if gs, err := db.Gates(ctx); err != nil || gs[0].Code != "huu-nghi" || gs[0].Hours.Open != "08:30" || gs[1].Hours.Open != "07:00" {
			t.Errorf("the gates' hours in force: %v", err)
		}
		wantWhole(t, db)
	})
}
