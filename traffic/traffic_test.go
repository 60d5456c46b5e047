package traffic

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/callforward"
	"github.com/cuakhau/cuakhau/catalog"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// TestTrafficCrossesTrucks runs a busy day at Hữu Nghị on a real store, through
// the electronic queue (bookings, check-in, the call-forward loop), at
// very high speed and checks that trucks are declared and cross, through
// every checkpoint, without a single refused request, and that the log
// verifies.
func TestTrafficCrossesTrucks(t *testing.T) {
	ctx := context.Background()
	// 07:00 at the gate (UTC+7).
	origin := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	const speed = 10000
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
	// Lanes for the test's volume (4,000 trucks a day), so that bookings
	// find places.
	if _, err := db.SetControls(ctx, cuakhau.Principal{Role: cuakhau.RoleAdmin}, "huu-nghi",
		cuakhau.ControlsUpdate{Lanes: map[string]int{"entry": 10}}); err != nil {
		t.Fatal(err)
	}
	loop := callforward.New(db, 30*time.Millisecond, nil)
	loop.Start(ctx)
	defer loop.Stop()
	gen := New(Config{Gates: db, Trips: db, Queue: db, Clock: clock, Speed: speed, Seed: 7,
		Volumes: []Volume{{"huu-nghi", cuakhau.Export, 2000}, {"huu-nghi", cuakhau.Import, 2000}}})
	// At least 3 s (~8 gate hours), then until enough trucks have gone
	// through the queue and crossed, or 30 s on a machine that is very
	// busy (the race detector, other packages' tests in parallel).
	run, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- gen.Run(run) }()
	began := time.Now()
	for {
		time.Sleep(100 * time.Millisecond)
		st := gen.Stats()
		el := time.Since(began)
		if el > 30*time.Second || el > 3*time.Second && st.Declared >= 50 && st.Crossed >= 10 {
			break
		}
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	st := gen.Stats()
	if st.Errors != 0 {
		t.Errorf("%d requests refused: %+v", st.Errors, st)
	}
	if st.Declared < 50 || st.Crossed < 10 || st.Decisions < 5*st.Crossed || st.Arrived < st.Crossed || st.Booked == 0 {
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
