package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/cuakhau/cuakhau/stats"
)

// TestStatsKeptAsTrucksCross: each crossing adds to its gate-local day's
// row in its write, with its clearance times; imported history counts in
// the year-earlier comparison; an import that clashes with counted days
// stores nothing; the statistics rebuild from the log (verify).
func TestStatsKeptAsTrucksCross(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		day := stats.NewDate(2026, time.December, 1) // start is 08:00 in Hà Nội
		crossTrip(t, db)
		// The second waits at the gate for 30 minutes before its route.
		tr := declare(t, db, company, withPlate(durian(), "12C45678"))
		clock.Add(time.Hour)
		if _, err := db.Arrive(ctx, operator, tr.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Call(ctx, operator, "huu-nghi", cuakhau.CallRequest{TripID: tr.ID, Reason: "test"}); err != nil {
			t.Fatal(err)
		}
		clock.Add(30 * time.Minute)
		for _, s := range route {
			decide(t, db, s.p, tr.ID, cuakhau.Decision{Checkpoint: s.checkpoint, Outcome: cuakhau.OutcomePass, Channel: s.channel})
		}
		q := stats.Query{Range: stats.Range{From: day, To: day}}
		p, err := db.Stats(ctx, viewer, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Days) != 1 || p.Days[0].Trucks != 2 || p.Days[0].ValueUSDCents != 2*5400000 || p.Days[0].GrossKg != 36000 || p.Days[0].Gate != "huu-nghi" {
			t.Fatalf("days: %+v", p.Days)
		}
		if len(p.Chapters) != 1 || p.Chapters[0].Chapter != "08" || p.Chapters[0].Trucks != 2 {
			t.Errorf("chapters: %+v", p.Chapters)
		}
		c := p.Clearance
		if c.Crossed != 2 || c.Arrived != 1 || c.ArrivedP50 == nil || *c.ArrivedP50 != 30 || c.DeclaredP90 == nil || *c.DeclaredP90 != 90 {
			t.Errorf("clearance: %+v", c)
		}
		if len(p.WaitsByDay) != 0 {
			t.Errorf("waits by day unasked: %+v", p.WaitsByDay)
		}
		wp, err := db.Stats(ctx, viewer, stats.Query{Range: stats.Range{From: day.AddDays(-3), To: day}, WaitsByDay: true})
		if err != nil || len(wp.WaitsByDay) != 1 || wp.WaitsByDay[0].Day != day || wp.WaitsByDay[0].Trucks != 1 || *wp.WaitsByDay[0].P50 != 30 || *wp.Clearance.ArrivedP50 != 30 {
			t.Errorf("waits by day: %+v (%v)", wp, err)
		}
		perHour := map[string]int64{}
		for _, h := range p.Hours {
			perHour[h.Hour] = h.Trucks
		}
		if len(p.Hours) != 24 || p.Hours[0].Hour != "2026-12-01T00" || perHour["2026-12-01T08"] != 1 || perHour["2026-12-01T09"] != 1 {
			t.Errorf("hours (gate time): %+v", p.Hours)
		}
		if p, _ := db.Stats(ctx, viewer, stats.Query{Range: stats.Range{From: day.AddDays(-7), To: day}}); len(p.Hours) != 0 || p.Clearance.Crossed != 2 {
			t.Errorf("eight days: %d hours, clearance %+v", len(p.Hours), p.Clearance)
		}
		if p.Totals.Now.Trucks != 2 || p.Totals.ValueGrowth != nil || !strings.Contains(p.Summary, "Trung bình khoảng 2 lượt xe/ngày") {
			t.Errorf("totals %+v, summary %q", p.Totals, p.Summary)
		}

		// Totals only: the same trucks and value, no clearance read.
		only, err := db.Stats(ctx, viewer, stats.Query{Range: q.Range, TotalsOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if only.Totals.Now.Trucks != 2 || only.Totals.Now.ValueUSDCents != 2*5400000 || only.Clearance.Crossed != 0 || only.Clearance.DeclaredP50 != nil {
			t.Errorf("totals only: %+v, clearance %+v", only.Totals.Now, only.Clearance)
		}

		// A year earlier, imported: the growth appears.
		hist, err := stats.ParseHistory(strings.NewReader(stats.HistoryHeader+"\n2025-12-01,huu-nghi,export,1,40000\n"), func(g string) bool { return g == "huu-nghi" })
		if err != nil {
			t.Fatal(err)
		}
		if err := db.ImportHistory(ctx, viewer, hist); cuakhau.ErrorCode(err) != cuakhau.EFORBIDDEN {
			t.Errorf("a viewer imports: %v", err)
		}
		if err := db.ImportHistory(ctx, admin, hist); err != nil {
			t.Fatal(err)
		}
		p, _ = db.Stats(ctx, viewer, q)
		if p.Totals.Before.Trucks != 1 || p.Totals.ValueGrowth == nil || *p.Totals.ValueGrowth != 170 {
			t.Errorf("after the import: %+v", p.Totals)
		}
		// Again, or onto a counted day: refused, nothing stored.
		clash, _ := stats.ParseHistory(strings.NewReader(stats.HistoryHeader+"\n2025-11-30,huu-nghi,export,5,1\n2026-12-01,huu-nghi,export,9,9\n"), func(string) bool { return true })
		if err := db.ImportHistory(ctx, admin, clash); cuakhau.ErrorCode(err) != cuakhau.ECONFLICT || !strings.Contains(err.Error(), "2026-12-01 huu-nghi export") {
			t.Errorf("a clashing import: %v", err)
		}
		if p, _ := db.Stats(ctx, viewer, stats.Query{Range: stats.Range{From: stats.NewDate(2025, time.November, 30), To: stats.NewDate(2025, time.November, 30)}}); p.Totals.Now.Trucks != 0 {
			t.Errorf("a refused import stored %d trucks", p.Totals.Now.Trucks)
		}

		// Filters, rights and ranges.
		if p, _ := db.Stats(ctx, viewer, stats.Query{Range: q.Range, Direction: cuakhau.Import}); p.Totals.Now.Trucks != 0 {
			t.Errorf("imports: %+v", p.Totals.Now)
		}
		if p, _ := db.Stats(ctx, viewer, stats.Query{Range: q.Range, Gate: "tan-thanh"}); p.Totals.Now.Trucks != 0 {
			t.Errorf("tan-thanh: %+v", p.Totals.Now)
		}
		_, err = db.Stats(ctx, company, q)
		wantCode(t, err, cuakhau.EFORBIDDEN)
		_, err = db.Stats(ctx, viewer, stats.Query{Range: q.Range, Gate: "nowhere"})
		wantField(t, err, "gate", "unknown")
		_, err = db.Stats(ctx, viewer, stats.Query{Range: stats.Range{From: day, To: day.AddDays(-1)}})
		wantField(t, err, "from", "after")
		wantWhole(t, db)

		// verify names a day's count changed, and clearance times lost.
		for _, tc := range []struct{ change, undo, want string }{
			{`UPDATE daily_stats SET trucks = 3 WHERE source = 'live'`, `UPDATE daily_stats SET trucks = 2 WHERE source = 'live'`, "trucks is 3, the log gives 2"},
			{`UPDATE crossing_times SET arrived_s = 60 WHERE trip_id = '` + tr.ID + `'`, `UPDATE crossing_times SET arrived_s = 1800 WHERE trip_id = '` + tr.ID + `'`, "crossing_times " + tr.ID},
		} {
			if err := db.ExecRaw(ctx, tc.change); err != nil {
				t.Fatal(err)
			}
			var found []string
			for _, d := range verifyRows(t, db) {
				found = append(found, d.String())
			}
			if !strings.Contains(strings.Join(found, "\n"), tc.want) {
				t.Errorf("after %s verify says %q, want …%s…", tc.change, found, tc.want)
			}
			if err := db.ExecRaw(ctx, tc.undo); err != nil {
				t.Fatal(err)
			}
		}
		wantWhole(t, db)
	})
}

// TestSpoiledLoads: a truck that crosses after its perishable load's shelf
// life is counted as a spoiled load, one in time is not; verify checks the
// record, and a store that counted trucks before it was kept fills it in.
func TestSpoiledLoads(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		day := stats.NewDate(2026, time.December, 1)
		cross := func(plate string, shelfHours int, after time.Duration) *cuakhau.Trip {
			d := withPlate(durian(), plate)
			d.Cargo[0].ShelfLifeHours = shelfHours
			tr := declare(t, db, company, d)
			clock.Add(after)
			for _, s := range route {
				decide(t, db, s.p, tr.ID, cuakhau.Decision{Checkpoint: s.checkpoint, Outcome: cuakhau.OutcomePass, Channel: s.channel})
			}
			return tr
		}
		late := cross("12C45678", 1, 2*time.Hour)
		cross("12C45679", 240, time.Hour)
		p, err := db.Stats(ctx, viewer, stats.Query{Range: stats.Range{From: day, To: day}})
		if err != nil {
			t.Fatal(err)
		}
		if p.Clearance.Crossed != 2 || p.Clearance.Spoiled != 1 {
			t.Errorf("clearance %+v, want 2 crossed, 1 spoiled", p.Clearance)
		}
		if want := (stats.Key{Day: day, Gate: late.Gate, Direction: late.Direction}); len(p.SpoiledDays) != 1 || p.SpoiledDays[want] != 1 {
			t.Errorf("spoiled loads by day %v, want 1 on %v", p.SpoiledDays, want)
		}
		wantWhole(t, db)
		if err := db.ExecRaw(ctx, `UPDATE crossing_times SET spoiled = 0 WHERE trip_id = '`+late.ID+`'`); err != nil {
			t.Fatal(err)
		}
		var found []string
		for _, d := range verifyRows(t, db) {
			found = append(found, d.String())
		}
		if !strings.Contains(strings.Join(found, "\n"), late.ID) {
			t.Errorf("verify after the spoiled record was lost: %q", found)
		}
		// A store from before: no record; the next start fills it in.
		if err := db.ExecRaw(ctx, `UPDATE crossing_times SET spoiled = NULL`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if p, _ := db.Stats(ctx, viewer, stats.Query{Range: stats.Range{From: day, To: day}}); p.Clearance.Spoiled != 1 {
			t.Errorf("after the fill: %+v", p.Clearance)
		}
		wantWhole(t, db)
	})
}
