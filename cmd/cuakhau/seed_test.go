package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/internal/pgtest"
	"github.com/cuakhau/cuakhau/stats"
)

// TestSeedWritesTripsThatVerify seeds two days at a twentieth of the
// province's volume through the store's services, then finds the log and
// every projection verifying, the statistics counting the crossed trucks
// on the seeded days and none outside them, and a second seed over the
// same days refused, naming the first day it may seed.
func TestSeedWritesTripsThatVerify(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		testSeed(t, "sqlite:"+filepath.Join(t.TempDir(), "s.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		if testing.Short() {
			t.Skip("starts PostgreSQL")
		}
		t.Setenv("CUAKHAU_LOG_KEY", filepath.Join(t.TempDir(), "log-key"))
		testSeed(t, pgtest.DSN(t))
	})
}

func testSeed(t *testing.T, dsn string) {
	ctx := context.Background()
	var stdout, stderr strings.Builder
	if err := run(ctx, []string{"migrate", "--db", dsn}, &stdout, &stderr); err != nil {
		t.Fatalf("migrate: %v\n%s", err, stderr.String())
	}
	stdout.Reset()
	seedArgs := []string{"seed", "--db", dsn, "--days", "2", "--from", "2026-03-02", "--scale", "0.05", "--seed", "3"}
	if err := run(ctx, seedArgs, &stdout, &stderr); err != nil {
		t.Fatalf("seed: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"seeding 2026-03-02 to 2026-03-03 (2 days, about 176 trucks)", "0 refused", "bytes a trip"} {
		if !strings.Contains(out, want) {
			t.Errorf("seed said %q, without %q", out, want)
		}
	}
	if !strings.Contains(stderr.String(), "/176 trips") {
		t.Errorf("no progress bar on stderr: %q", stderr.String())
	}

	stdout.Reset()
	stderr.Reset()
	if err := run(ctx, []string{"verify", "--db", dsn}, &stdout, &stderr); err != nil {
		t.Fatalf("verify after seed: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "projections: ok") || strings.Contains(stdout.String(), "BROKEN") {
		t.Errorf("verify after seed: %s", stdout.String())
	}

	db, err := openDB(ctx, dsn, cuakhau.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := db.Storage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	period := func(from, to stats.Date) *stats.Period {
		p, err := db.Stats(ctx, cliAdmin, stats.Query{Range: stats.Range{From: from, To: to}})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := period(stats.NewDate(2026, 3, 2), stats.NewDate(2026, 3, 3))
	seeded := p.Totals.Now
	// About 88 trucks a day are declared; most of them cross the same day.
	if seeded.Trucks < 100 || seeded.Trucks != st.Crossed || int64(p.Clearance.Crossed) != st.Crossed {
		t.Errorf("the statistics count %d trucks (%d clearance times) on the seeded days, the store holds %d crossed of %d trips",
			seeded.Trucks, p.Clearance.Crossed, st.Crossed, st.Trips)
	}
	if seeded.ValueUSDCents <= 0 || seeded.FeesVND <= 0 || p.Clearance.ArrivedP50 == nil || *p.Clearance.ArrivedP50 <= 0 {
		t.Errorf("seeded days without value, fees or waits: %+v, %+v", seeded, p.Clearance)
	}
	if before := period(stats.NewDate(2026, 2, 1), stats.NewDate(2026, 3, 1)).Totals.Now; before.Trucks != 0 {
		t.Errorf("%d trucks before the first seeded day", before.Trucks)
	}

	// The notices of the first day were delivered as the second began, as
	// the server's dispatcher would have.
	dayTwo := time.Date(2026, 3, 3, 0, 0, 0, 0, localZone())
	var delivered, undelivered int
	for _, g := range []string{"huu-nghi", "tan-thanh", "chi-ma", "coc-nam"} {
		ns, err := db.Notices(ctx, cliAdmin, g, 200)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range ns {
			switch {
			case n.DeliveredAt != nil:
				delivered++
			case n.CreatedAt.Before(dayTwo):
				undelivered++
			}
		}
	}
	if delivered == 0 || undelivered > 0 {
		t.Errorf("after the seed: %d notices delivered, %d of the first day not", delivered, undelivered)
	}

	// The same days again: refused, nothing written.
	stdout.Reset()
	stderr.Reset()
	err = run(ctx, seedArgs, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "--from 2026-03-02: the store already has events up to 2026-03-03") || !strings.Contains(err.Error(), "--from 2026-03-04 or later") {
		t.Errorf("seeding the same days again: %v", err)
	}
	if again, err := db.Storage(ctx); err != nil || again.Trips != st.Trips {
		t.Errorf("the refused seed: %v, %d trips, had %d", err, again.Trips, st.Trips)
	}
}
