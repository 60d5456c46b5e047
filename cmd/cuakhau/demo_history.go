package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/cuakhau/cuakhau/stats"
)

// demoHistoryDays is how many days before the demo's first day get an
// example history: a year and a month, so that the dashboard's default 30
// days and their year earlier both have figures.
const demoHistoryDays = 396

// demoVolumes are the mid-2025 trucks a day per crossing and direction
// (docs/sources.md), the example history's means.
var demoVolumes = []struct {
	gate            string
	export, imports int
}{
	{"huu-nghi", 262, 608},
	{"tan-thanh", 145, 438},
	{"chi-ma", 41, 189},
	{"coc-nam", 43, 33},
}

// Example values of a truck's cargo, in US cents: ASSUMED (a fruit export
// truck about USD 30,000, an import truck about USD 20,000), for the demo's
// value figures only.
const (
	demoExportCents = 3_000_000
	demoImportCents = 2_000_000
)

// demoHistory imports, on the demo's first run, an example daily history
// of the demoHistoryDays before first (the demo's first gate-local day),
// so that the dashboard compares with a year earlier from the first
// minute. The figures vary about demoVolumes by day (±15 %, seeded), with
// the gates closed for four days of the Lunar New Year. It is an example,
// said so when imported: a real installation imports its own with `cuakhau
// import daily`.
func demoHistory(ctx context.Context, db *sqlstore.DB, first time.Time, seed uint64, stdout io.Writer) error {
	last := stats.DayOf(first, localZone()).AddDays(-1)
	from := last.AddDays(1 - demoHistoryDays)
	have, err := db.Stats(ctx, cliAdmin, stats.Query{Range: stats.Range{From: from, To: last}, TotalsOnly: true})
	if err != nil {
		return err
	}
	if have.Totals.Now.Trucks > 0 {
		return nil // imported by an earlier run
	}
	known := map[string]bool{}
	gates, err := db.Gates(ctx)
	if err != nil {
		return err
	}
	for _, g := range gates {
		known[g.Code] = true
	}
	rng := rand.New(rand.NewPCG(seed, 0x6869_7374))
	var rows []stats.Daily
	for d := from; !d.After(last); d = d.AddDays(1) {
		if tetClosed(d) {
			continue
		}
		for _, v := range demoVolumes {
			if !known[v.gate] {
				continue
			}
			for _, x := range []struct {
				dir   cuakhau.Direction
				mean  int
				cents int64
			}{{cuakhau.Export, v.export, demoExportCents}, {cuakhau.Import, v.imports, demoImportCents}} {
				n := int64(float64(x.mean) * (0.85 + 0.3*rng.Float64()))
				rows = append(rows, stats.Daily{Day: d, Gate: v.gate, Direction: x.dir, Trucks: n, ValueUSDCents: n * x.cents})
			}
		}
	}
	if err := db.ImportHistory(ctx, cliAdmin, rows); err != nil {
		if cuakhau.ErrorCode(err) == cuakhau.ECONFLICT {
			fmt.Fprintf(stdout, "Statistics: no example history imported (%v)\n", err)
			return nil
		}
		return err
	}
	fmt.Fprintf(stdout, "Statistics: an EXAMPLE history of %s to %s (mid-2025 volumes, ±15 %% a day; not the province's figures) is imported, so that /dashboard compares with a year earlier\n", from, last)
	return nil
}

// tetClosed reports whether the gates are closed on day d for the Lunar
// New Year: its first four days (docs/sources.md), for the years the
// demo's history may touch.
func tetClosed(d stats.Date) bool {
	for _, first := range []stats.Date{
		stats.NewDate(2024, time.February, 10),
		stats.NewDate(2025, time.January, 29),
		stats.NewDate(2026, time.February, 17),
		stats.NewDate(2027, time.February, 6),
	} {
		if !d.Before(first) && d.Before(first.AddDays(4)) {
			return true
		}
	}
	return false
}
