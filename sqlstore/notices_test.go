package sqlstore_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// TestNotices: a gate's messages newest first, delivered or not, with the
// notice they render from; for those who may see its queue only.
func TestNotices(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		var ids []string
		for _, plate := range []string{"12C45678", "12C45679"} {
			tr := declare(t, db, company, withPlate(durian(), plate))
			if _, err := db.Arrive(ctx, operator, tr.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Call(ctx, operator, "huu-nghi", cuakhau.CallRequest{TripID: tr.ID, Reason: "test"}); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, tr.ID)
			clock.Add(time.Minute)
		}
		ns, err := db.Notices(ctx, operator, "huu-nghi", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ns) != 2 || ns[0].TripID != ids[1] || ns[0].Kind != cuakhau.NotifyCalled || ns[0].DeliveredAt != nil {
			t.Fatalf("notices: %+v", ns)
		}
		var data struct {
			Notice struct{ Key string } `json:"notice"`
		}
		if err := json.Unmarshal(ns[0].Data, &data); err != nil || data.Notice.Key == "" {
			t.Errorf("the notice's key: %q (%v)", data.Notice.Key, err)
		}
		if err := db.MarkDelivered(ctx, ns[0].ID); err != nil {
			t.Fatal(err)
		}
		if ns, _ := db.Notices(ctx, operator, "huu-nghi", 1); len(ns) != 1 || ns[0].DeliveredAt == nil {
			t.Errorf("after delivery: %+v", ns)
		}
		_, err = db.Notices(ctx, company, "huu-nghi", 10)
		wantCode(t, err, cuakhau.EFORBIDDEN)
		_, err = db.Notices(ctx, operator, "nowhere", 10)
		wantCode(t, err, cuakhau.ENOTFOUND)
	})
}

// TestPruneNotices: delivered messages older than the retention go, those
// not delivered stay however old, and verify holds the store whole after
// the prune while still catching a message lost since.
func TestPruneNotices(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		call := func(plate string) string {
			tr := declare(t, db, company, withPlate(durian(), plate))
			if _, err := db.Arrive(ctx, operator, tr.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Call(ctx, operator, "huu-nghi", cuakhau.CallRequest{TripID: tr.ID, Reason: "test"}); err != nil {
				t.Fatal(err)
			}
			ns, err := db.Notices(ctx, operator, "huu-nghi", 1)
			if err != nil || len(ns) != 1 || ns[0].TripID != tr.ID {
				t.Fatalf("the call's message: %+v (%v)", ns, err)
			}
			return ns[0].ID
		}
		delivered, undelivered := call("12C45678"), call("12C45679")
		if err := db.MarkDelivered(ctx, delivered); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PruneNotices(ctx, 0); err == nil {
			t.Error("a retention of 0 was taken")
		}
		clock.Add(89 * 24 * time.Hour)
		recent := call("12C45680")
		if err := db.MarkDelivered(ctx, recent); err != nil {
			t.Fatal(err)
		}
		if n, err := db.PruneNotices(ctx, 90*24*time.Hour); err != nil || n != 0 {
			t.Fatalf("within the retention: pruned %d (%v)", n, err)
		}
		clock.Add(2 * 24 * time.Hour)
		if n, err := db.PruneNotices(ctx, 90*24*time.Hour); err != nil || n != 1 {
			t.Fatalf("past the retention: pruned %d, want the one delivered message (%v)", n, err)
		}
		ns, err := db.Notices(ctx, operator, "huu-nghi", 10)
		if err != nil {
			t.Fatal(err)
		}
		var left []string
		for _, n := range ns {
			left = append(left, n.ID)
		}
		if want := []string{recent, undelivered}; !slices.Equal(left, want) {
			t.Errorf("left %v, want the recent and the undelivered %v", left, want)
		}
		wantWhole(t, db)

		// A message delivered since the cut, or one before it never
		// delivered, is still verify's to miss: the first by its id, the
		// second, since which were pruned cannot be told, as one more
		// missing than were pruned.
		for _, id := range []string{recent, undelivered} {
			if err := db.ExecRaw(ctx, `DELETE FROM outbox WHERE id = ?`, id); err != nil {
				t.Fatal(err)
			}
		}
		var found []string
		for _, d := range verifyRows(t, db) {
			found = append(found, d.Table+" "+d.Key+" "+d.Field+" "+d.Stored+" "+d.Rebuilt)
		}
		slices.Sort(found)
		want := []string{"outbox " + delivered + "  (none) ", "outbox " + recent + "  (none) ", "outbox " + undelivered + "  (none) ", "outbox_pruned huu-nghi pruned 1 2"}
		slices.Sort(want)
		if !slices.Equal(found, want) {
			t.Errorf("verify found\n%s\nwant\n%s", strings.Join(found, "\n"), strings.Join(want, "\n"))
		}
	})
}
