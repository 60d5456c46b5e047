package sqlstore_test

import (
	"context"
	"encoding/json"
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
