package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/catalog"
	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/cuakhau/cuakhau/stats"
	"github.com/cuakhau/cuakhau/traffic"
)

// TestDemoOriginNeverBeforeItsLog: a demo killed between two saves of its
// clock file wrote events after the saved time; run again, its clock starts
// at its log's last entry. A clock file ahead of the log (a stop at night,
// with nothing written for hours) is kept.
func TestDemoOriginNeverBeforeItsLog(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clockFile, dbFile := filepath.Join(dir, "demo-clock.txt"), filepath.Join(dir, "cuakhau.db")
	saved := time.Date(2026, 12, 3, 2, 50, 0, 0, time.UTC)
	written := saved.Add(70 * time.Minute)

	clock := cuakhau.NewFixedClock(written)
	db := openSeeded(t, "sqlite:"+dbFile, clock)
	tax := traffic.TaxCodes()[0]
	arrive := written.Add(time.Hour)
	d := cuakhau.Declaration{Gate: "huu-nghi", Direction: cuakhau.Export,
		Vehicle:    cuakhau.Vehicle{Plate: "12C-123.45"},
		Driver:     cuakhau.Driver{Name: "Nguyễn Văn A", IDNumber: "020123456789"},
		Enterprise: cuakhau.Enterprise{TaxCode: tax, Name: "Công ty demo"},
		Cargo: []cuakhau.CargoLine{{HSCode: "8517.13", Description: "Điện thoại", Packages: 400,
			GrossKg: 5000, ValueUSDCents: 90000000}},
		CustomsDeclarations: []string{"304001234520"},
		PlannedArrival:      &arrive}
	if _, err := db.DeclareTrip(ctx, cuakhau.Principal{TokenID: "t", Role: cuakhau.RoleEnterprise, TaxCode: tax}, d); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		name        string
		saved, want time.Time
	}{
		{"killed after the last save", saved, written},
		{"stopped, then the clock ran on", written.Add(5 * time.Hour), written.Add(5 * time.Hour)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := saveClock(clockFile, tt.saved); err != nil {
				t.Fatal(err)
			}
			got, err := demoOrigin(ctx, clockFile, dbFile)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("origin = %s, want %s", got, tt.want)
			}
		})
	}
	if err := os.Remove(clockFile); err != nil {
		t.Fatal(err)
	}
	if got, err := demoOrigin(ctx, clockFile, dbFile); err != nil || !got.Equal(written) {
		t.Errorf("no clock file: origin %s, %v; want the log's last entry %s", got, err, written)
	}
}

// openSeeded opens the store at dsn on clock, migrated and seeded with the
// catalogue's gates. The caller closes it.
func openSeeded(t *testing.T, dsn string, clock cuakhau.Clock) *sqlstore.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn, clock)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		t.Fatal(err)
	}
	gates, err := catalog.Gates()
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	if err := db.Seed(ctx, gates); err != nil {
		db.Close()
		t.Fatal(err)
	}
	return db
}

// TestDemoTariff: a new demo store gets the example tariff, so that its
// crossings get receipts; a second start adds nothing.
func TestDemoTariff(t *testing.T) {
	ctx := context.Background()
	db := openSeeded(t, "sqlite:"+filepath.Join(t.TempDir(), "d.db"), cuakhau.NewFixedClock(time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)))
	defer db.Close()
	var out strings.Builder
	for range 2 {
		if err := demoTariff(ctx, db, &out); err != nil {
			t.Fatal(err)
		}
	}
	ts, err := db.Tariffs(ctx)
	if err != nil || len(ts) != 1 || !strings.Contains(out.String(), "example amounts") {
		t.Errorf("tariffs after two starts: %d (%v); said %q", len(ts), err, out.String())
	}
}

// TestDemoHistory: the first start imports the example history of the
// 396 days before its first day, said to be an example; a later start,
// with that history there, imports nothing more.
func TestDemoHistory(t *testing.T) {
	ctx := context.Background()
	db := openSeeded(t, "sqlite:"+filepath.Join(t.TempDir(), "d.db"), cuakhau.NewFixedClock(time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)))
	defer db.Close()
	first := time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC) // 09:00 on 3 December at the gates
	var out strings.Builder
	if err := demoHistory(ctx, db, first, 1, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "EXAMPLE history of 2025-11-02 to 2026-12-02") {
		t.Errorf("said %q", out.String())
	}
	q := func(from, to stats.Date) stats.Totals {
		p, err := db.Stats(ctx, cliAdmin, stats.Query{Range: stats.Range{From: from, To: to}, TotalsOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		return p.Totals.Now
	}
	// About 1,759 a day (the mid-2025 means), each day within ±15 %.
	month := q(stats.NewDate(2026, time.November, 3), stats.NewDate(2026, time.December, 2))
	if month.AvgTrucksPerDay < 1650 || month.AvgTrucksPerDay > 1870 || month.PeakTrucks > 2023 {
		t.Errorf("the month before: %+v", month)
	}
	if tet := q(stats.NewDate(2026, time.February, 17), stats.NewDate(2026, time.February, 20)); tet.Trucks != 0 {
		t.Errorf("%d trucks over the Lunar New Year's closure", tet.Trucks)
	}
	if today := q(stats.NewDate(2026, time.December, 3), stats.NewDate(2026, time.December, 3)); today.Trucks != 0 {
		t.Errorf("the demo's own first day has %d history trucks", today.Trucks)
	}
	out.Reset()
	if err := demoHistory(ctx, db, first.Add(30*time.Hour), 1, &out); err != nil || out.Len() != 0 {
		t.Errorf("a later start: %v, said %q", err, out.String())
	}
}
