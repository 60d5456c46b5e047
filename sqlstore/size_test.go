package sqlstore_test

import (
	"context"
	"testing"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// TestStorage: the trips are counted, crossed apart, and every table the
// store writes is measured, the log's among them.
func TestStorage(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		crossTrip(t, db)
		declare(t, db, company, withPlate(durian(), "12C45678"))
		st, err := db.Storage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Trips != 2 || st.Crossed != 1 {
			t.Errorf("trips %d, crossed %d; want 2 and 1", st.Trips, st.Crossed)
		}
		for _, table := range []string{"trips", "events", "log_hashes", "daily_stats"} {
			if st.Of(table) <= 0 {
				t.Errorf("table %s measured at %d bytes", table, st.Of(table))
			}
		}
		if st.Of("no such table") != 0 || st.Bytes() < st.Of("events")+st.Of("trips") {
			t.Errorf("sums: %d in all", st.Bytes())
		}
		for i := 1; i < len(st.Tables); i++ {
			if st.Tables[i].Bytes > st.Tables[i-1].Bytes {
				t.Fatalf("not largest first: %+v", st.Tables)
			}
		}
	})
}
