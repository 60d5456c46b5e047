package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// TestVacuumFreesTripVersions: on PostgreSQL, Vacuum frees the row
// versions a trip leaves behind as it moves on, so that the next trips
// reuse their space; the trips table carries the settings that make
// autovacuum do the same in service. On SQLite it does nothing, and says so
// by succeeding.
func TestVacuumFreesTripVersions(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		for _, plate := range []string{"12C45678", "12C45679", "12C45680"} {
			tr := declare(t, db, company, withPlate(durian(), plate))
			if _, err := db.Arrive(ctx, operator, tr.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Call(ctx, operator, "huu-nghi", cuakhau.CallRequest{TripID: tr.ID, Reason: "test"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Vacuum(ctx); err != nil {
			t.Fatalf("Vacuum: %v", err)
		}
		if db.Engine() != "postgres" {
			return
		}
		// The statistics reach other sessions within a second or so.
		deadline := time.Now().Add(10 * time.Second)
		for {
			n, err := db.Count(ctx, `SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'trips' AND vacuum_count > 0 AND n_dead_tup = 0`)
			if err != nil {
				t.Fatal(err)
			}
			if n == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("trips was not vacuumed, or kept dead row versions")
			}
			time.Sleep(100 * time.Millisecond)
			if err := db.ExecRaw(ctx, `SELECT pg_stat_clear_snapshot()`); err != nil {
				t.Fatal(err)
			}
		}
		n, err := db.Count(ctx, `SELECT count(*) FROM pg_class WHERE relname = 'trips' AND reloptions @> ARRAY['autovacuum_vacuum_scale_factor=0.01', 'autovacuum_vacuum_insert_threshold=500'] AND NOT reloptions::text LIKE '%fillfactor%'`)
		if err != nil || n != 1 {
			t.Errorf("trips lacks its vacuum settings (%d, %v)", n, err)
		}
	})
}
