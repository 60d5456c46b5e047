package stats_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/stats"
)

func TestParseIndicatorsRefusesByField(t *testing.T) {
	good := `{"code":"a","name":{"vi":"A","en":"A","zh":"A"},"kind":"growth","unit":"%","min":10,"max":11,"from":2026,"to":2030,"source":"s"}`
	inds, err := stats.ParseIndicators([]byte("[" + good + "]"))
	if err != nil || len(inds) != 1 || inds[0].Max != 11 {
		t.Fatalf("a good list: %+v %v", inds, err)
	}
	for body, field := range map[string]string{
		"[" + good + "," + good + "]": "indicators[1].code",
		`[{"code":"b","name":{"vi":"B","en":"B"},"kind":"growth","min":1,"from":2026,"to":2030,"source":"s"}]`:                           "indicators[0].name.zh",
		`[{"code":"b","name":{"vi":"B","en":"B","zh":"B"},"kind":"speed","min":1,"from":2026,"to":2030,"source":"s"}]`:                   "indicators[0].kind",
		`[{"code":"b","name":{"vi":"B","en":"B","zh":"B"},"kind":"growth","min":12,"max":11,"from":2026,"to":2030,"source":"s"}]`:        "indicators[0].max",
		`[{"code":"b","name":{"vi":"B","en":"B","zh":"B"},"kind":"share","min":130,"from":2026,"to":2030,"source":"s"}]`:                 "indicators[0].min",
		`[{"code":"b","name":{"vi":"B","en":"B","zh":"B"},"kind":"growth","min":1,"from":2030,"to":2026,"source":"s"}]`:                  "indicators[0].to",
		`[{"code":"b","name":{"vi":"B","en":"B","zh":"B"},"kind":"growth","min":1,"from":2026,"to":2030}]`:                               "indicators[0].source",
		`[{"code":"b","name":{"vi":"B","en":"B","zh":"B"},"kind":"growth","min":1,"from":2026,"to":2030,"source":"s","measure":"mood"}]`: "indicators[0].measure",
		`[{"code":"b","colour":"red"}]`: "indicators",
	} {
		_, err := stats.ParseIndicators([]byte(body))
		if _, ok := cuakhau.ErrorFields(err)[field]; !ok {
			t.Errorf("%s: %v, want %s named", body, err, field)
		}
	}
}

func TestTrack(t *testing.T) {
	growth := stats.Indicator{Code: "g", Kind: stats.KindGrowth, Min: 10, Max: 11}
	if p := stats.Track(growth, 2026, nil); p.Status != stats.NoData || p.PercentOfTarget != nil {
		t.Errorf("no actual: %+v", p)
	}
	p := stats.Track(growth, 2026, &stats.Actual{Value: 8})
	if p.Status != stats.OffTrack || p.PercentOfTarget == nil || math.Abs(*p.PercentOfTarget-80) > 1e-9 {
		t.Errorf("8 %% against 10 %%: %+v", p)
	}
	if p := stats.Track(growth, 2026, &stats.Actual{Value: 10}); p.Status != stats.OnTrack {
		t.Errorf("exactly the minimum: %+v", p)
	}
	if p := stats.Track(growth, 2026, &stats.Actual{Value: 14}); p.Status != stats.OnTrack || *p.PercentOfTarget != 140 {
		t.Errorf("above the range: %+v", p)
	}
}

func TestCheckActual(t *testing.T) {
	share := stats.Indicator{Code: "s", Kind: stats.KindShare, Min: 30, From: 2026, To: 2030}
	if err := stats.CheckActual(share, stats.Actual{Year: 2026, Value: 18.5}); err != nil {
		t.Errorf("a good value: %v", err)
	}
	for _, c := range []struct {
		a     stats.Actual
		field string
	}{
		{stats.Actual{Year: 2031, Value: 20}, "year"},
		{stats.Actual{Year: 2026, Value: 120}, "value"},
		{stats.Actual{Year: 2026, Value: math.NaN()}, "value"},
	} {
		if _, ok := cuakhau.ErrorFields(stats.CheckActual(share, c.a))[c.field]; !ok {
			t.Errorf("%+v: want %s named", c.a, c.field)
		}
	}
}

func TestMeasured(t *testing.T) {
	day := func(y int, m time.Month, d int) stats.Date { return stats.NewDate(y, m, d) }
	rows := []stats.Daily{
		{Day: day(2025, time.March, 1), Gate: "huu-nghi", Direction: cuakhau.Export, Trucks: 365, ValueUSDCents: 1000},
		{Day: day(2025, time.March, 1), Gate: "huu-nghi", Direction: cuakhau.Import, Trucks: 10, ValueUSDCents: 1000},
		{Day: day(2026, time.January, 10), Gate: "huu-nghi", Direction: cuakhau.Export, Trucks: 730, ValueUSDCents: 1200},
		{Day: day(2026, time.January, 10), Gate: "huu-nghi", Direction: cuakhau.Import, Trucks: 0, ValueUSDCents: 1000},
		{Day: day(2026, time.January, 20), Gate: "tan-thanh", Direction: cuakhau.Export, Trucks: 365, ValueUSDCents: 500},
	}
	// What a store answers: the rows at the query's gate and direction.
	answer := func(q stats.Query) *stats.Period {
		var keep []stats.Daily
		for _, d := range rows {
			if (q.Gate == "" || d.Gate == q.Gate) && (q.Direction == "" || d.Direction == q.Direction) {
				keep = append(keep, d)
			}
		}
		p := stats.Build(q.Range, q.Gate, q.Direction, keep, stats.Clearance{})
		return &p
	}
	measure := func(ind stats.Indicator, year int, today stats.Date) (stats.Actual, bool) {
		q, ok := stats.MeasureQuery(ind, year, today)
		if !ok {
			return stats.Actual{}, false
		}
		if !q.TotalsOnly || q.Gate != ind.Gate {
			t.Errorf("%s: query %+v", ind.Code, q)
		}
		return stats.MeasureOf(ind, year, answer(q))
	}
	perDay := stats.Indicator{Code: "t", Measure: stats.MeasureTrucksPerDay, Gate: "huu-nghi"}
	// On 2026-03-01, 730 trucks over the 60 days so far.
	if a, ok := measure(perDay, 2026, day(2026, time.March, 1)); !ok || math.Abs(a.Value-730.0/60) > 1e-9 || a.Origin != stats.OriginPlatform {
		t.Errorf("huu-nghi trucks a day in 2026 to date: %+v %v, want 730/60", a, ok)
	}
	// A year that has ended counts all its days.
	if a, ok := measure(perDay, 2026, day(2027, time.June, 1)); !ok || a.Value != 2 {
		t.Errorf("huu-nghi trucks a day in 2026: %+v %v, want 2", a, ok)
	}
	if _, ok := measure(perDay, 2027, day(2026, time.June, 1)); ok {
		t.Error("a year not begun was measured")
	}
	exports := stats.Indicator{Code: "x", Measure: stats.MeasureExportValueGrowth}
	// Exports to 2026-12-31: 1200 + 500 against 1000, +70 %.
	if a, ok := measure(exports, 2026, day(2026, time.December, 31)); !ok || math.Abs(a.Value-70) > 1e-9 {
		t.Errorf("export growth: %+v %v, want 70", a, ok)
	}
	trade := stats.Indicator{Code: "v", Measure: stats.MeasureTradeValueGrowth}
	// 2,700 against 2,000: +35 %.
	if a, ok := measure(trade, 2026, day(2026, time.December, 31)); !ok || math.Abs(a.Value-35) > 1e-9 {
		t.Errorf("trade growth: %+v %v, want 35", a, ok)
	}
	// To 2026-02-01 the year earlier's March is not yet compared.
	if _, ok := measure(trade, 2026, day(2026, time.February, 1)); ok {
		t.Error("growth measured with nothing the same days a year before")
	}
	if _, ok := measure(stats.Indicator{Code: "e"}, 2026, day(2026, time.June, 1)); ok {
		t.Error("an entered indicator was measured")
	}
}

// TestParseActuals: a file of entered values reads all or nothing, every
// bad line named with its field.
func TestParseActuals(t *testing.T) {
	inds := []stats.Indicator{
		{Code: "grdp_growth", Kind: stats.KindGrowth, Min: 10, Max: 11, From: 2026, To: 2030},
		{Code: "digital_economy_share", Kind: stats.KindShare, Min: 30, From: 2026, To: 2030},
		{Code: "trucks", Kind: stats.KindLevel, Min: 2000, From: 2025, To: 2027, Measure: stats.MeasureTrucksPerDay},
	}
	good := "indicator,year,value\ngrdp_growth,2026,8.4\ndigital_economy_share,2026,18.5\ngrdp_growth,2025,7\n"
	got, err := stats.ParseActuals(strings.NewReader(good), inds)
	if err != nil || len(got) != 3 || got[1] != (stats.Actual{Code: "digital_economy_share", Year: 2026, Value: 18.5, Origin: stats.OriginEntered}) {
		t.Fatalf("a good file: %+v, %v", got, err)
	}
	bad := "indicator,year,value\n" +
		"grdp_growth,2026,8.4\n" + // line 2: fine
		"gdp,2026,1\n" + // 3: unknown
		"trucks,2026,1900\n" + // 4: measured by the platform
		"grdp_growth,2031,9\n" + // 5: after the range
		"grdp_growth,2027,nine\n" + // 6: not a number
		"digital_economy_share,2026,130\n" + // 7: a share over 100
		"grdp_growth,2026,8.5\n" + // 8: given twice
		"grdp_growth,2026\n" // 9: a field short
	got, err = stats.ParseActuals(strings.NewReader(bad), inds)
	if got != nil || cuakhau.ErrorCode(err) != cuakhau.EINVALID {
		t.Fatalf("a bad file: %+v, %v", got, err)
	}
	fields := cuakhau.ErrorFields(err)
	for _, want := range []string{"line[3].indicator", "line[4].indicator", "line[5].year", "line[6].value", "line[7].value", "line[8].year", "line[9]"} {
		if _, ok := fields[want]; !ok {
			t.Errorf("%s not named: %v", want, err)
		}
	}
	if _, ok := fields["line[2].value"]; ok || strings.Contains(err.Error(), "line 2,") || strings.Contains(err.Error(), "line 2:") {
		t.Errorf("the good line 2 is named: %v", err)
	}
	if _, err := stats.ParseActuals(strings.NewReader("code,year,value\n"), inds); cuakhau.ErrorFields(err)["line[1].header"] == "" {
		t.Errorf("a wrong header: %v", err)
	}
}
