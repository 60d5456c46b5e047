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
