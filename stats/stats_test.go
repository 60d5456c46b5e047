package stats

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
)

func d(s string) Date {
	v, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

func TestDayOfIsGateLocal(t *testing.T) {
	hcm := time.FixedZone("ICT", 7*3600)
	// 17:30 UTC on 31 Dec is 00:30 on 1 Jan at the gate.
	at := time.Date(2025, 12, 31, 17, 30, 0, 0, time.UTC)
	if got := DayOf(at, hcm); got != d("2026-01-01") {
		t.Errorf("DayOf(%v) = %s, want 2026-01-01", at, got)
	}
	if got := DayOf(at.Add(-time.Hour), hcm); got != d("2025-12-31") {
		t.Errorf("an hour earlier: %s, want 2025-12-31", got)
	}
	if got := d("2026-01-01").Start(hcm); !got.Equal(time.Date(2025, 12, 31, 17, 0, 0, 0, time.UTC)) {
		t.Errorf("Start = %v", got)
	}
}

func TestYearEarlier(t *testing.T) {
	for in, want := range map[string]string{"2025-05-08": "2024-05-08", "2024-02-29": "2023-02-28", "2025-03-01": "2024-03-01"} {
		if got := d(in).YearEarlier(); got != d(want) {
			t.Errorf("%s a year earlier = %s, want %s", in, got, want)
		}
	}
}

func TestParseRange(t *testing.T) {
	r, err := ParseRange("2020-01-01", "2024-12-31")
	if err != nil || r.Days() != 1827 {
		t.Fatalf("five years: %v, %d days", err, r.Days())
	}
	for _, c := range []struct{ from, to, field, rule string }{
		{"", "2025-01-01", "from", "required"},
		{"2025-01-01", "", "to", "required"},
		{"2025-13-01", "2025-12-01", "from", "not a date"},
		{"2025-01-01", "1/2/2025", "to", "not a date"},
		{"2025-02-01", "2025-01-31", "from", "after to"},
		{"2020-01-01", "2025-01-01", "to", "longer than 5 years"},
	} {
		_, err := ParseRange(c.from, c.to)
		rule, ok := cuakhau.ErrorFields(err)[c.field]
		if cuakhau.ErrorCode(err) != cuakhau.EINVALID || !ok || !strings.Contains(rule, c.rule) {
			t.Errorf("ParseRange(%q, %q) = %v (fields %v), want %s: %s", c.from, c.to, err, cuakhau.ErrorFields(err), c.field, c.rule)
		}
	}
}

func TestQuantiles(t *testing.T) {
	xs := []int64{10, 1, 9, 2, 8, 3, 7, 4, 6, 5}
	p50, p90, ok := P50P90(xs)
	if !ok || p50 != 5 || p90 != 9 {
		t.Errorf("P50P90 = %d, %d, %v; want 5, 9", p50, p90, ok)
	}
	if xs[0] != 10 {
		t.Error("P50P90 sorted its input")
	}
	if p50, p90, _ := P50P90([]int64{42}); p50 != 42 || p90 != 42 {
		t.Errorf("one value: %d, %d", p50, p90)
	}
	if _, _, ok := P50P90(nil); ok {
		t.Error("no values gave percentiles")
	}
}

func TestGrowth(t *testing.T) {
	if g, ok := Growth(139, 100); !ok || g != 39 {
		t.Errorf("Growth(139, 100) = %v, %v", g, ok)
	}
	if g, _ := Growth(50, 100); g != -50 {
		t.Errorf("Growth(50, 100) = %v", g)
	}
	if _, ok := Growth(5, 0); ok {
		t.Error("growth from zero")
	}
}

func TestNumber(t *testing.T) {
	for _, c := range []struct {
		x    float64
		dec  int
		lang string
		want string
	}{
		{1550, 0, LangVI, "1.550"},
		{41710.5, 1, LangVI, "41.710,5"},
		{41710.5, 1, LangEN, "41,710.5"},
		{41710.04, 1, LangVI, "41.710"},
		{1234567.891, 2, LangVI, "1.234.567,89"},
		{999.96, 1, LangVI, "1.000"},
		{12, 0, LangZH, "12"},
		{-2500.26, 1, LangVI, "-2.500,3"},
		{-0.01, 1, LangVI, "0"},
		{0, 0, LangVI, "0"},
	} {
		if got := Number(c.x, c.dec, c.lang); got != c.want {
			t.Errorf("Number(%v, %d, %s) = %q, want %q", c.x, c.dec, c.lang, got, c.want)
		}
	}
}

func TestChapter(t *testing.T) {
	cargo := []cuakhau.CargoLine{
		{HSCode: "0810.60", ValueUSDCents: 100},
		{HSCode: "8471.30", ValueUSDCents: 500},
		{HSCode: "0804.50", ValueUSDCents: 500},
	}
	if got := Chapter(cargo); got != "84" {
		t.Errorf("Chapter = %q, want 84 (the most valuable line, the first of equals)", got)
	}
	if got := Chapter(nil); got != "" {
		t.Errorf("no cargo: %q", got)
	}
	trip := &cuakhau.Trip{Declaration: cuakhau.Declaration{Gate: "huu-nghi", Direction: cuakhau.Export, Cargo: cargo}}
	c := Crossing(trip, d("2025-05-08"))
	if c.Trucks != 1 || c.ValueUSDCents != 1100 || c.Chapter != "84" || c.Gate != "huu-nghi" {
		t.Errorf("Crossing = %+v", c)
	}
}

// The province's figures for 2025: about 1,550 trucks a day, a peak over
// 2,000, and growth against 2024.
func TestTotalCompareSummary(t *testing.T) {
	r := Range{d("2025-05-01"), d("2025-05-04")}
	rows := []Daily{
		{Day: d("2025-05-01"), Gate: "huu-nghi", Direction: cuakhau.Export, Trucks: 1000, ValueUSDCents: 300_000_000_00},
		{Day: d("2025-05-01"), Gate: "tan-thanh", Direction: cuakhau.Import, Trucks: 1100, ValueUSDCents: 100_000_000_00},
		{Day: d("2025-05-02"), Gate: "huu-nghi", Direction: cuakhau.Export, Trucks: 2000},
		{Day: d("2025-05-04"), Gate: "huu-nghi", Direction: cuakhau.Export, Trucks: 2100, ValueUSDCents: 17_100_000_00},
		// outside the period
		{Day: d("2025-05-05"), Gate: "huu-nghi", Direction: cuakhau.Export, Trucks: 9999, ValueUSDCents: 1},
		// the year earlier
		{Day: d("2024-05-02"), Gate: "huu-nghi", Direction: cuakhau.Export, Trucks: 4000, ValueUSDCents: 300_000_000_00},
	}
	c := Compare(r, rows)
	if c.Now.Trucks != 6200 || c.Now.Days != 4 || c.Now.AvgTrucksPerDay != 1550 {
		t.Errorf("now: %+v", c.Now)
	}
	if c.Now.PeakTrucks != 2100 || c.Now.PeakDay != d("2025-05-01") {
		t.Errorf("peak %d on %s, want 2100 on 2025-05-01 (the first of the equal days)", c.Now.PeakTrucks, c.Now.PeakDay)
	}
	if c.Before.Trucks != 4000 || c.TrucksGrowth == nil || math.Abs(*c.TrucksGrowth-55) > 1e-9 {
		t.Errorf("year earlier: %+v, growth %v", c.Before, c.TrucksGrowth)
	}
	want := map[string]string{
		LangVI: "Trung bình khoảng 1.550 lượt xe/ngày, cao điểm 2.100 lượt xe/ngày; kim ngạch 417,1 triệu USD, tăng 39% so với cùng kỳ.",
		LangEN: "On average about 1,550 trucks a day, at the peak 2,100 trucks a day; trade value 417.1 million USD, up 39% on the same period a year earlier.",
		LangZH: "平均每天约1,550辆次，高峰每天2,100辆次；进出口额417.1百万美元，同比增长39%。",
	}
	for lang, w := range want {
		if got := Summary(c, lang); got != w {
			t.Errorf("Summary(%s) =\n %s\nwant\n %s", lang, got, w)
		}
	}
	c.Before = Totals{}
	c.ValueGrowth = nil
	if got := Summary(c, LangVI); strings.Contains(got, "cùng kỳ") {
		t.Errorf("growth without a year earlier: %s", got)
	}
	g := -12.26
	c.ValueGrowth = &g
	if got := Summary(c, LangVI); !strings.HasSuffix(got, "giảm 12,3% so với cùng kỳ.") {
		t.Errorf("a fall: %s", got)
	}
}
