package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/google/go-cmp/cmp"
)

func keyed(key, hash string) context.Context {
	return cuakhau.WithIdempotency(context.Background(), cuakhau.Idempotency{Key: key, RequestHash: hash})
}

func TestIdempotentDeclare(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		first, err := db.DeclareTrip(keyed("k1", "h1"), company, durian())
		if err != nil {
			t.Fatal(err)
		}
		// The retry, later, returns the first answer and declares nothing.
		clock.Add(time.Minute)
		again, err := db.DeclareTrip(keyed("k1", "h1"), company, durian())
		if err != nil {
			t.Fatalf("retry: %v", err)
		}
		if diff := cmp.Diff(first, again); diff != "" {
			t.Errorf("retry answered differently (-first +retry):\n%s", diff)
		}
		if n := count(t, db, `SELECT count(*) FROM trips`); n != 1 {
			t.Errorf("%d trips, want 1", n)
		}
		if n := wantWhole(t, db); n["huu-nghi"] != 1 {
			t.Errorf("%d events, want 1", n["huu-nghi"])
		}

		// The same key with another request is a conflict.
		_, err = db.DeclareTrip(keyed("k1", "h2"), company, durian())
		wantCode(t, err, cuakhau.ECONFLICT)

		// Keys belong to a token: another token's k1 is its own.
		other, err := db.DeclareTrip(keyed("k1", "h1"), admin, durian())
		if err != nil {
			t.Fatal(err)
		}
		if other.ID == first.ID {
			t.Error("another token's key returned the first token's trip")
		}

		// A failed request stores nothing under its key: a retry runs again.
		bad := durian()
		bad.Vehicle.Plate = "?"
		for range 2 {
			_, err = db.DeclareTrip(keyed("k2", "bad"), company, bad)
			wantCode(t, err, cuakhau.EINVALID)
		}
		if _, err := db.DeclareTrip(keyed("k2", "fixed"), company, durian()); err != nil {
			t.Errorf("key of a failed request, new request: %v", err)
		}
		if n := count(t, db, `SELECT count(*) FROM idempotency`); n != 3 {
			t.Errorf("%d idempotency rows, want 3", n)
		}
		if n := count(t, db, `SELECT count(*) FROM trips`); n != 3 {
			t.Errorf("%d trips, want 3", n)
		}

		// Keys are bounded.
		_, err = db.DeclareTrip(keyed(strings.Repeat("k", 201), "h"), company, durian())
		wantCode(t, err, cuakhau.EINVALID)

		// Old keys are pruned.
		clock.Add(48 * time.Hour)
		n, err := db.PruneIdempotency(context.Background(), 24*time.Hour)
		if err != nil || n != 3 {
			t.Errorf("PruneIdempotency = %d, %v; want 3", n, err)
		}
	})
}

func TestIdempotentDecide(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		trip := declare(t, db, company, durian())
		d := cuakhau.Decision{Checkpoint: "entry", Outcome: cuakhau.OutcomePass, Device: "anpr-1", Reading: &cuakhau.Reading{Plate: "12C12345"}}
		first, err := db.Decide(keyed("read-1", "h"), operator, trip.ID, d)
		if err != nil {
			t.Fatal(err)
		}
		// A camera posting the same reading again changes nothing: without
		// the key it would be a conflict (entry already passed).
		again, err := db.Decide(keyed("read-1", "h"), operator, trip.ID, d)
		if err != nil {
			t.Fatalf("repeated reading: %v", err)
		}
		if diff := cmp.Diff(first, again); diff != "" {
			t.Errorf("repeated reading answered differently (-first +again):\n%s", diff)
		}
		_, err = db.Decide(keyed("read-2", "h"), operator, trip.ID, d)
		wantCode(t, err, cuakhau.ECONFLICT)
		if n := wantWhole(t, db); n["huu-nghi"] != 2 {
			t.Errorf("%d events, want 2", n["huu-nghi"])
		}
		got, _ := db.Trip(context.Background(), admin, trip.ID)
		if got.Version != 2 {
			t.Errorf("trip version %d, want 2", got.Version)
		}
	})
}
