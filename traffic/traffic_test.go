package traffic

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/catalog"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// TestTrafficCrossesTrucks runs a busy morning at Hữu Nghị on a real store at
// very high speed and checks that trucks are declared and cross, through
// every checkpoint, without a single refused request, and that the log
// verifies.
func TestTrafficCrossesTrucks(t *testing.T) {
	ctx := context.Background()
	// 07:00 at the gate (UTC+7).
	origin := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	const speed = 20000
	clock := cuakhau.ScaledClock{Origin: origin, Start: time.Now(), Speed: speed}
	db, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "t.db"), clock)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	gates, err := catalog.Gates()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Seed(ctx, gates); err != nil {
		t.Fatal(err)
	}
	gen := New(Config{Gates: db, Trips: db, Clock: clock, Speed: speed, Seed: 7,
		Volumes: []Volume{{"huu-nghi", cuakhau.Export, 2000}, {"huu-nghi", cuakhau.Import, 2000}}})
	run, stop := context.WithTimeout(ctx, 3*time.Second) // ~16 gate hours
	defer stop()
	if err := gen.Run(run); err != nil {
		t.Fatal(err)
	}
	st := gen.Stats()
	if st.Errors != 0 {
		t.Errorf("%d requests refused: %+v", st.Errors, st)
	}
	if st.Declared < 50 || st.Crossed < 10 || st.Decisions < 5*st.Crossed {
		t.Errorf("too little traffic: %+v", st)
	}
	reports, err := db.VerifyLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reports {
		if r.BrokenAt != 0 {
			t.Errorf("gate %s log broken at %d: %s", r.Gate, r.BrokenAt, r.Reason)
		}
	}
}

func TestTaxCodesAreValid(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range TaxCodes() {
		if seen[c] {
			t.Errorf("tax code %s repeated", c)
		}
		seen[c] = true
	}
	if len(seen) != len(companies) {
		t.Errorf("%d tax codes for %d companies", len(seen), len(companies))
	}
}
