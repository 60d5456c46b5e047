package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// TestQueuePages checks, on both engines, that a gate's queue is given a
// page at a time and that the pages, filtered or not, are the whole queue in
// call order with its positions.
func TestQueuePages(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		if _, err := db.SetControls(ctx, admin, "huu-nghi", cuakhau.ControlsUpdate{Policy: ptr("fifo")}); err != nil {
			t.Fatal(err)
		}
		clock.Set(time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)) // 09:00 local
		var ids []string
		for range 5 {
			clock.Add(time.Minute)
			tr := declare(t, db, company, durian())
			if _, err := db.Arrive(ctx, operator, tr.ID); err != nil {
				t.Fatalf("Arrive: %v", err)
			}
			ids = append(ids, tr.ID)
		}
		var got []string
		f := cuakhau.QueueFilter{Limit: 2}
		for page := 1; ; page++ {
			q, err := db.Queue(ctx, operator, "huu-nghi", f)
			if err != nil {
				t.Fatal(err)
			}
			if q.Waiting != 5 || q.Matched != 5 || len(q.Entries) > 2 {
				t.Fatalf("page %d: waiting %d, matched %d, %d entries", page, q.Waiting, q.Matched, len(q.Entries))
			}
			for i, e := range q.Entries {
				if want := len(got) + i + 1; e.Position != want {
					t.Errorf("page %d: %s at position %d, want %d", page, e.TripID, e.Position, want)
				}
			}
			for _, e := range q.Entries {
				got = append(got, e.TripID)
			}
			if q.Next == "" {
				break
			}
			f.Cursor = q.Next
		}
		if len(got) != len(ids) {
			t.Fatalf("pages gave %v, want %v", got, ids)
		}
		for i := range ids {
			if got[i] != ids[i] {
				t.Errorf("pages gave %v, want the arrival order %v", got, ids)
				break
			}
		}
		q, err := db.Queue(ctx, operator, "huu-nghi", cuakhau.QueueFilter{Direction: cuakhau.Import})
		if err != nil || len(q.Entries) != 0 || q.Matched != 0 || q.Waiting != 5 {
			t.Errorf("imports: %+v, %v; want none of 5", q, err)
		}
		_, err = db.Queue(ctx, operator, "huu-nghi", cuakhau.QueueFilter{Class: "vip", Limit: 501, Cursor: "x"})
		wantCode(t, err, cuakhau.EINVALID)
		for _, field := range []string{"class", "limit", "cursor"} {
			if cuakhau.ErrorFields(err)[field] == "" {
				t.Errorf("error %v does not name %s", err, field)
			}
		}
	})
}

// TestCallBeyondRoomReplays checks that the calls an operator makes past the
// control zone's room, with a reason, are logged as overrides that replay
// lists, and the calls within the room still replay as the policy's.
func TestCallBeyondRoomReplays(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		room := 1
		if _, err := db.SetControls(ctx, admin, "huu-nghi", cuakhau.ControlsUpdate{Room: &room, Policy: ptr("fifo")}); err != nil {
			t.Fatal(err)
		}
		clock.Set(time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC))
		for range 3 {
			clock.Add(time.Minute)
			if _, err := db.Arrive(ctx, operator, declare(t, db, company, durian()).ID); err != nil {
				t.Fatal(err)
			}
		}
		_, err := db.Call(ctx, operator, "huu-nghi", cuakhau.CallRequest{Count: 2})
		wantCode(t, err, cuakhau.ECONFLICT)
		if cuakhau.ErrorFields(err)["count"] == "" {
			t.Errorf("error %v does not name count", err)
		}
		res, err := db.Call(ctx, operator, "huu-nghi", cuakhau.CallRequest{Count: 2, Reason: "bãi B mở thêm"})
		if err != nil || len(res.Called) != 2 {
			t.Fatalf("Call with a reason: %v, %v", res, err)
		}
		checks := replayLog(t, db, "huu-nghi")
		if len(checks) != 2 || checks[0].Override || !checks[1].Override {
			t.Fatalf("replay: %+v; want the policy's call, then an override", checks)
		}
		for _, c := range checks {
			if len(c.Differences) > 0 {
				t.Errorf("call %d: %v", c.Event.Seq, c.Differences)
			}
		}
	})
}

// TestWithdrawCapacity checks that a withdrawn capacity gives the gate its
// own call budget back, and that the advisory it caused ends once the
// backlog can clear: at once when nothing else holds it, and after the trips
// it told to hold have come otherwise.
func TestWithdrawCapacity(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		clock.Set(time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC))
		_, err := db.WithdrawOtherSideCapacity(ctx, operator, "huu-nghi")
		wantCode(t, err, cuakhau.ECONFLICT)
		ten := 10
		if _, err := db.SetOtherSideCapacity(ctx, operator, "huu-nghi", cuakhau.CapacityUpdate{TrucksPerDay: &ten}); err != nil {
			t.Fatal(err)
		}
		if !advisoryActive(t, db) {
			t.Fatal("no advisory with the other side taking 10 a day")
		}
		_, err = db.WithdrawOtherSideCapacity(ctx, customsTT, "huu-nghi")
		wantCode(t, err, cuakhau.EFORBIDDEN)
		c, err := db.WithdrawOtherSideCapacity(ctx, operator, "huu-nghi")
		if err != nil {
			t.Fatal(err)
		}
		if c.OtherSidePerDay != nil {
			t.Errorf("controls after withdrawal still announce %d", *c.OtherSidePerDay)
		}
		if advisoryActive(t, db) {
			t.Error("the advisory stays in force after the limit was withdrawn with no backlog")
		}
		_, err = db.WithdrawOtherSideCapacity(ctx, operator, "huu-nghi")
		wantCode(t, err, cuakhau.ECONFLICT)

		// A trip told to hold keeps the advisory until it has come.
		held := declare(t, db, company, durian())
		if _, err := db.SetOtherSideCapacity(ctx, operator, "huu-nghi", cuakhau.CapacityUpdate{TrucksPerDay: &ten}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.WithdrawOtherSideCapacity(ctx, operator, "huu-nghi"); err != nil {
			t.Fatal(err)
		}
		if !advisoryActive(t, db) {
			t.Error("the advisory ended while a trip it told to hold is still on its way")
		}
		clock.Add(time.Minute)
		if _, err := db.Arrive(ctx, operator, held.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Advise(ctx, "huu-nghi"); err != nil {
			t.Fatal(err)
		}
		if advisoryActive(t, db) {
			t.Error("the advisory stays in force after the held trip came")
		}
	})
}

func advisoryActive(t *testing.T, db *sqlstore.DB) bool {
	t.Helper()
	feed, err := db.PublicWaits(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range feed.Waits {
		if w.Gate == "huu-nghi" {
			return w.Advisory != ""
		}
	}
	t.Fatal("no huu-nghi line in the feed")
	return false
}

// TestWindowsShowWhatCanBeBooked checks on both engines that a started
// window, a past day's and one beyond the horizon show no places, and that
// a booked trip carries its window.
func TestWindowsShowWhatCanBeBooked(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 3, 30, 0, 0, time.UTC) // 10:30 local
		clock.Set(now)
		for _, date := range []string{"2026-11-30", "2026-12-01", "2026-12-16"} {
			ws, err := db.Windows(ctx, "huu-nghi", cuakhau.Export, date)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range ws {
				open := date != "2026-12-16" && w.Start.After(now)
				if open != (w.Available > 0) {
					t.Errorf("%s window %s: available %d; want places only in a bookable window", date, w.Start, w.Available)
				}
			}
		}
		trip := declare(t, db, company, durian())
		res, err := db.Book(ctx, company, trip.ID, tomorrow9)
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Trip(ctx, company, trip.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range []*cuakhau.Trip{res.Trip, got} {
			if !tr.Booking.Start.Equal(tomorrow9) || !tr.Booking.End.Equal(tomorrow9.Add(time.Hour)) {
				t.Errorf("trip's booking %+v, want the window at %s", tr.Booking, tomorrow9)
			}
		}
	})
}
