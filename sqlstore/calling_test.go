package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// TestCallsInCallingHours: the server calls trucks from opening until one
// crossing time (2 h) before closing; a truck that checks in after the last
// call waits for the next morning, and the public feed says the gate is open
// or closed and counts its wait to then.
func TestCallsInCallingHours(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		ict := time.FixedZone("ICT", 7*3600)
		clock.Set(time.Date(2026, 12, 1, 18, 30, 0, 0, ict)) // past the last call (18:00)
		tr := declare(t, db, company, durian())
		if _, err := db.Arrive(ctx, operator, tr.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := db.CallForward(ctx, "huu-nghi"); err != nil || n != 0 {
			t.Fatalf("CallForward at 18:30: %d, %v; want no call after the last call", n, err)
		}
		feed := func() cuakhau.PublicWait {
			t.Helper()
			w, err := db.PublicWaits(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, pw := range w.Waits {
				if pw.Gate == "huu-nghi" && pw.Direction == cuakhau.Export {
					return pw
				}
			}
			t.Fatal("no Hữu Nghị exports in the feed")
			return cuakhau.PublicWait{}
		}
		// Open until 20:00, but the next call is at 07:00: 12 h 30 min away,
		// plus the wait behind the truck already waiting.
		if pw := feed(); !pw.Open || pw.ExpectedWaitMinutes < 750 || pw.ExpectedWaitMinutes > 750+60 {
			t.Errorf("feed at 18:30: open %v, wait %d min; want open and 750–810", pw.Open, pw.ExpectedWaitMinutes)
		}
		clock.Set(time.Date(2026, 12, 1, 21, 0, 0, 0, ict))
		if pw := feed(); pw.Open || pw.ExpectedWaitMinutes < 600 || pw.ExpectedWaitMinutes > 600+60 {
			t.Errorf("feed at 21:00: open %v, wait %d min; want closed and 600–660", pw.Open, pw.ExpectedWaitMinutes)
		}
		// An operator may still call by hand.
		if _, err := db.Call(ctx, operator, "huu-nghi", cuakhau.CallRequest{TripID: tr.ID, Reason: "xe cấp cứu"}); err != nil {
			t.Errorf("an operator's call at 21:00: %v", err)
		}
		tr2 := declare(t, db, company, durian())
		if _, err := db.Arrive(ctx, operator, tr2.ID); err != nil {
			t.Fatal(err)
		}
		clock.Set(time.Date(2026, 12, 2, 7, 0, 0, 0, ict))
		if n, err := db.CallForward(ctx, "huu-nghi"); err != nil || n != 1 {
			t.Fatalf("CallForward at 07:00: %d, %v; want the waiting truck called", n, err)
		}
		wantWhole(t, db)
	})
}

// TestQueueCallsOnClock: after the last call, the queue's expected calls
// are the next morning's, as a check-in is told.
func TestQueueCallsOnClock(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		ict := time.FixedZone("ICT", 7*3600)
		clock.Set(time.Date(2026, 12, 1, 18, 30, 0, 0, ict)) // past the last call (18:00)
		tr := declare(t, db, company, durian())
		res, err := db.Arrive(ctx, operator, tr.ID)
		if err != nil {
			t.Fatal(err)
		}
		morning := time.Date(2026, 12, 2, 7, 0, 0, 0, ict)
		if c := res.Entry.ExpectedCall; c == nil || c.Before(morning) {
			t.Fatalf("check-in at 18:30 told %v; want 07:00 next morning or later", c)
		}
		q, err := db.Queue(ctx, operator, "huu-nghi", cuakhau.QueueFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(q.Entries) != 1 || q.Entries[0].ExpectedCall == nil || !q.Entries[0].ExpectedCall.Equal(*res.Entry.ExpectedCall) {
			t.Fatalf("queue entry %+v; want the call the check-in was told, %v", q.Entries, res.Entry.ExpectedCall)
		}
	})
}
