package sqlstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cuakhau/cuakhau"
)

// tripIDsAsText is the SQL that turns events.trip_id back into the text an
// older release stored: the store as it was before 0025_event_trip_key.
var tripIDsAsText = map[string]string{
	"sqlite": `UPDATE events SET trip_id = CASE WHEN length(trip_id) = 0 THEN '' ELSE lower(substr(hex(trip_id), 1, 8) || '-' || substr(hex(trip_id), 9, 4) || '-' ||
		substr(hex(trip_id), 13, 4) || '-' || substr(hex(trip_id), 17, 4) || '-' || substr(hex(trip_id), 21, 12)) END`,
	"postgres": `ALTER TABLE events ALTER COLUMN trip_id TYPE text USING CASE WHEN length(trip_id) = 0 THEN '' ELSE substr(encode(trip_id, 'hex'), 1, 8) || '-' ||
		substr(encode(trip_id, 'hex'), 9, 4) || '-' || substr(encode(trip_id, 'hex'), 13, 4) || '-' || substr(encode(trip_id, 'hex'), 17, 4) || '-' ||
		substr(encode(trip_id, 'hex'), 21, 12) END`,
}

// TestMigrateTripKeys: a store whose entries name their trips as text
// migrates to the 16-byte keys: each trip's events read back whole, the
// chain and every projection verify, and the trips go on; an entry whose
// trip id is not a UUID makes the migration fail, the entry left as it was.
func TestMigrateTripKeys(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			clock := cuakhau.NewFixedClock(start)
			db := openStore(t, engine, clock)
			trips := realisticRun(t, db, clock)
			before := map[string][]*cuakhau.Event{}
			for _, tr := range trips {
				evs, err := db.TripEvents(ctx, admin, tr.ID)
				if err != nil || len(evs) == 0 {
					t.Fatalf("events of %s: %d, %v", tr.Code, len(evs), err)
				}
				before[tr.ID] = evs
			}
			// The store as the release before 0025 left it.
			if err := db.ExecRaw(ctx, tripIDsAsText[engine]); err != nil {
				t.Fatal(err)
			}
			if err := db.ExecRaw(ctx, `DELETE FROM schema_migrations WHERE version = 25`); err != nil {
				t.Fatal(err)
			}
			if n := count(t, db, `SELECT count(*) FROM events WHERE length(trip_id) = 36`); n == 0 {
				t.Fatal("no entry holds its trip id as text: the old store was not made")
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			if n := count(t, db, `SELECT count(*) FROM events WHERE length(trip_id) NOT IN (0, 16)`); n != 0 {
				t.Errorf("%d entries not migrated", n)
			}
			for id, want := range before {
				got, err := db.TripEvents(ctx, admin, id)
				if err != nil || len(got) != len(want) {
					t.Fatalf("events of %s after: %d, %v; want %d", id, len(got), err, len(want))
				}
				for i := range got {
					if got[i].TripID != id || got[i].Hash != want[i].Hash {
						t.Errorf("%s event %d: trip %q hash %s, want %q %s", id, i, got[i].TripID, got[i].Hash, id, want[i].Hash)
					}
				}
			}
			wantWhole(t, db)
			// The store goes on: a new trip's events are found by its id.
			tr := declare(t, db, company, durian())
			if evs, err := db.TripEvents(ctx, admin, tr.ID); err != nil || len(evs) != 1 || evs[0].TripID != tr.ID {
				t.Errorf("a new trip's events: %+v, %v", evs, err)
			}
			wantWhole(t, db)
		})
	}
}

// TestMigrateTripKeysRefusesNonUUID: an entry naming a trip by anything
// but a UUID cannot be keyed; the migration fails, naming itself.
func TestMigrateTripKeysRefusesNonUUID(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := openRaw(t, dsnFor(t, engine), cuakhau.NewFixedClock(start))
			if err := db.MigrateThrough(ctx, 24); err != nil {
				t.Fatal(err)
			}
			if err := db.ExecRaw(ctx, `INSERT INTO events (gate, seq, trip_id, type, actor, at, status, hash) VALUES ('huu-nghi', 1, 'trip-1', 'declared', 'admin', '2026-12-01T00:00:00.000000Z', 'declared', ?)`,
				make([]byte, 32)); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Migrate(ctx); err == nil || !strings.Contains(err.Error(), "0025_event_trip_key") {
				t.Fatalf("Migrate = %v, want 0025_event_trip_key refused", err)
			}
			if n := count(t, db, `SELECT count(*) FROM events WHERE trip_id = 'trip-1'`); n != 1 {
				t.Errorf("after the refused migration %d such entries, want the one as it was", n)
			}
		})
	}
}
