package stats_test

import (
	"slices"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/stats"
)

// TestBuild: days summed over chapters in order, chapters most trucks
// first, months split at calendar months, totals against the year earlier.
func TestBuild(t *testing.T) {
	d := func(m time.Month, day int) stats.Date { return stats.NewDate(2025, m, day) }
	rows := []stats.Daily{
		{Day: d(time.May, 31), Gate: "huu-nghi", Direction: cuakhau.Export, Chapter: "08", Trucks: 3, ValueUSDCents: 300},
		{Day: d(time.May, 31), Gate: "huu-nghi", Direction: cuakhau.Export, Chapter: "07", Trucks: 1, ValueUSDCents: 50},
		{Day: d(time.June, 1), Gate: "tan-thanh", Direction: cuakhau.Import, Chapter: "84", Trucks: 2, ValueUSDCents: 1000},
		{Day: d(time.June, 1), Gate: "tan-thanh", Direction: cuakhau.Import, FeesVND: 900_000},
		{Day: stats.NewDate(2024, time.June, 1), Gate: "tan-thanh", Direction: cuakhau.Import, Trucks: 4, ValueUSDCents: 675},
		{Day: d(time.June, 2), Gate: "huu-nghi", Direction: cuakhau.Export, Chapter: "08", Trucks: 9}, // outside
	}
	r := stats.Range{From: d(time.May, 30), To: d(time.June, 1)}
	p := stats.Build(r, "", "", rows, stats.ClearanceOf(stats.Minutes{60: 1, 120: 1}, stats.Minutes{30: 1}))
	if len(p.Days) != 2 || p.Days[0].Trucks != 4 || p.Days[0].Chapter != "" || p.Days[1].FeesVND != 900_000 || p.Days[1].Trucks != 2 {
		t.Errorf("days: %+v", p.Days)
	}
	if len(p.Chapters) != 3 || p.Chapters[0].Chapter != "08" || p.Chapters[0].Trucks != 3 {
		t.Errorf("chapters: %+v", p.Chapters)
	}
	if len(p.Months) != 2 || p.Months[0].Month != "2025-05" || p.Months[0].Days != 2 || p.Months[0].Trucks != 4 ||
		p.Months[1].Month != "2025-06" || p.Months[1].Days != 1 || p.Months[1].Trucks != 2 || p.Months[1].FeesVND != 900_000 {
		t.Errorf("months: %+v", p.Months)
	}
	if p.Totals.Now.Trucks != 6 || p.Totals.Now.PeakTrucks != 4 || p.Totals.Before.Trucks != 4 ||
		p.Totals.ValueGrowth == nil || *p.Totals.ValueGrowth != 100 {
		t.Errorf("totals: %+v", p.Totals)
	}
	if c := p.Clearance; c.Crossed != 2 || c.Arrived != 1 || *c.DeclaredP50 != 60 || *c.DeclaredP90 != 120 || *c.ArrivedP50 != 30 {
		t.Errorf("clearance: %+v", c)
	}
	if p.Summary != "Trung bình khoảng 2 lượt xe/ngày, cao điểm 4 lượt xe/ngày; kim ngạch 0 triệu USD, tăng 100% so với cùng kỳ." {
		t.Errorf("summary: %q", p.Summary)
	}
}

// TestBuildEmpty: a range without a truck still answers every day's month
// and no percentiles.
func TestBuildEmpty(t *testing.T) {
	r := stats.Range{From: stats.NewDate(2024, time.December, 15), To: stats.NewDate(2025, time.February, 3)}
	p := stats.Build(r, "huu-nghi", cuakhau.Export, nil, stats.ClearanceOf(stats.Minutes{}, stats.Minutes{}))
	if len(p.Days) != 0 || p.Days == nil || len(p.Months) != 3 || p.Months[1].Month != "2025-01" || p.Months[1].Days != 31 || p.Months[2].Days != 3 {
		t.Errorf("%+v", p)
	}
	if p.Clearance.DeclaredP50 != nil || p.Totals.ValueGrowth != nil || p.Totals.Now.AvgTrucksPerDay != 0 {
		t.Errorf("%+v", p)
	}
}

// TestMinutesQuantile: the nearest rank over counted minutes is the one
// over every truck's minutes.
func TestMinutesQuantile(t *testing.T) {
	var all []int64
	m := stats.Minutes{}
	for i, s := range []int64{59, 61, 3600, 3601, 3659, 7200, 90, 90, 90, 10_000_000} {
		for range i + 1 {
			all = append(all, s/60)
			m.Add(s)
		}
	}
	for _, q := range []float64{0.01, 0.1, 0.5, 0.9, 0.99, 1} {
		want, _, _ := stats.P50P90(all)
		if q != 0.5 {
			sorted := slices.Clone(all)
			slices.Sort(sorted)
			want, _ = stats.Quantile(sorted, q)
		}
		if got, ok := m.Quantile(q); !ok || got != want {
			t.Errorf("q %v: %d, want %d", q, got, want)
		}
	}
	if m.Trucks() != int64(len(all)) {
		t.Errorf("%d trucks, want %d", m.Trucks(), len(all))
	}
	if _, ok := (stats.Minutes{}).Quantile(0.5); ok {
		t.Error("a quantile of nothing")
	}
}

func TestHoursAndWaitsByDay(t *testing.T) {
	hn, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	day := stats.NewDate(2026, time.December, 1)
	r := stats.Range{From: day, To: day.AddDays(1)}
	at := func(h, m int) time.Time { return time.Date(2026, 12, 1, h, m, 0, 0, hn) }
	// 23:30 on the 30th (outside), 08:10 and 08:50, and 00:05 on the 2nd.
	got := stats.Hours(r, []time.Time{at(-1, 30), at(8, 10), at(8, 50), at(24, 5)}, nil, hn)
	if len(got) != 48 || got[8].Hour != "2026-12-01T08" || got[8].Trucks != 2 || got[24].Trucks != 1 || got[0].Trucks != 0 {
		t.Errorf("hours: %d, %+v %+v %+v", len(got), got[0], got[8], got[24])
	}
	if stats.Hours(stats.Range{From: day, To: day.AddDays(stats.MaxHourlyDays)}, nil, nil, hn) != nil {
		t.Error("hours counted over more than a week")
	}
	waits := stats.WaitsOf(map[stats.Date]stats.Minutes{day: {}, day.AddDays(1): {50: 2, 10: 1}, day.AddDays(-1): {5: 1}})
	if len(waits) != 2 || waits[0].Day != day.AddDays(-1) || *waits[1].P50 != 50 || waits[1].Trucks != 3 {
		t.Errorf("waits by day: %+v", waits)
	}
}
