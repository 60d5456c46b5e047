package stats

import (
	"strings"

	"github.com/cuakhau/cuakhau"
)

// Daily is one day's figures at one gate in one direction, under one HS
// chapter (the chapter of the truck's most valuable cargo line; "" for a
// truck without cargo, and for history imported by gate and direction
// only). A truck counts once, with its whole value and weight.
type Daily struct {
	Day       Date              `json:"date"`
	Gate      string            `json:"gate"`
	Direction cuakhau.Direction `json:"direction"`
	Chapter   string            `json:"hs_chapter,omitempty"`
	Trucks    int64             `json:"trucks"`
	// ValueUSDCents is the declared value of the cargo, in US cents.
	ValueUSDCents int64 `json:"value_usd_cents"`
	GrossKg       int64 `json:"gross_kg"`
	// FeesVND is the infrastructure fee charged, in đồng.
	FeesVND int64 `json:"fees_vnd"`
}

// Key identifies a daily row.
type Key struct {
	Day       Date
	Gate      string
	Direction cuakhau.Direction
	Chapter   string
}

// Key is the row's identity.
func (d Daily) Key() Key { return Key{d.Day, d.Gate, d.Direction, d.Chapter} }

// Add adds e's figures to d's.
func (d *Daily) Add(e Daily) {
	d.Trucks += e.Trucks
	d.ValueUSDCents += e.ValueUSDCents
	d.GrossKg += e.GrossKg
	d.FeesVND += e.FeesVND
}

// Chapter is the HS chapter (the first two digits) of the trip's most
// valuable cargo line, the first of equals; "" without cargo.
func Chapter(cargo []cuakhau.CargoLine) string {
	best := -1
	for i, c := range cargo {
		if best < 0 || c.ValueUSDCents > cargo[best].ValueUSDCents {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	hs := strings.ReplaceAll(cargo[best].HSCode, ".", "")
	if len(hs) < 2 {
		return ""
	}
	return hs[:2]
}

// Crossing is what one crossed trip adds to the daily rows: a truck, its
// cargo's value and weight, under its gate, direction, chapter and the day
// it crossed in the gate's time zone.
func Crossing(t *cuakhau.Trip, day Date) Daily {
	d := Daily{Day: day, Gate: t.Gate, Direction: t.Direction, Chapter: Chapter(t.Cargo), Trucks: 1}
	for _, c := range t.Cargo {
		d.ValueUSDCents += c.ValueUSDCents
		d.GrossKg += c.GrossKg
	}
	return d
}

// Totals are a period's figures, all gates and directions given summed.
type Totals struct {
	Range         Range `json:"-"`
	Days          int   `json:"days"`
	Trucks        int64 `json:"trucks"`
	ValueUSDCents int64 `json:"value_usd_cents"`
	GrossKg       int64 `json:"gross_kg"`
	FeesVND       int64 `json:"fees_vnd"`
	// AvgTrucksPerDay is Trucks over every calendar day of the period, days
	// without a truck included.
	AvgTrucksPerDay float64 `json:"avg_trucks_per_day"`
	// PeakTrucks is the most trucks of one day, on PeakDay (the first such
	// day); zero without trucks.
	PeakTrucks int64 `json:"peak_trucks_per_day"`
	PeakDay    Date  `json:"peak_day,omitzero"`
}

// Total sums the rows of r's days (others are left out) into the period's
// totals.
func Total(r Range, rows []Daily) Totals {
	t := Totals{Range: r, Days: r.Days()}
	perDay := map[Date]int64{}
	for _, d := range rows {
		if !r.Contains(d.Day) {
			continue
		}
		t.Trucks += d.Trucks
		t.ValueUSDCents += d.ValueUSDCents
		t.GrossKg += d.GrossKg
		t.FeesVND += d.FeesVND
		perDay[d.Day] += d.Trucks
	}
	for day, n := range perDay {
		if n > t.PeakTrucks || (n == t.PeakTrucks && n > 0 && day.Before(t.PeakDay)) {
			t.PeakTrucks, t.PeakDay = n, day
		}
	}
	if t.Days > 0 {
		t.AvgTrucksPerDay = float64(t.Trucks) / float64(t.Days)
	}
	return t
}

// Comparison is a period against the same period a year earlier.
type Comparison struct {
	Now    Totals `json:"now"`
	Before Totals `json:"year_earlier"`
	// TrucksGrowth and ValueGrowth are in percent; nil when the year
	// earlier had none to grow from.
	TrucksGrowth *float64 `json:"trucks_growth_pct"`
	ValueGrowth  *float64 `json:"value_growth_pct"`
}

// Compare totals rows over r and over the same period a year earlier, and
// the growth between them.
func Compare(r Range, rows []Daily) Comparison {
	c := Comparison{Now: Total(r, rows), Before: Total(r.YearEarlier(), rows)}
	if g, ok := Growth(float64(c.Now.Trucks), float64(c.Before.Trucks)); ok {
		c.TrucksGrowth = &g
	}
	if g, ok := Growth(float64(c.Now.ValueUSDCents), float64(c.Before.ValueUSDCents)); ok {
		c.ValueGrowth = &g
	}
	return c
}

// Span is the range a comparison of r needs rows for: the year earlier's
// first day to r's last.
func (r Range) Span() Range { return Range{r.YearEarlier().From, r.To} }

// Reference is a year's published figures of trucks a day at a border, to
// read a period's against: the average and the peak.
type Reference struct {
	Year             int
	AvgTrucksPerDay  int64
	PeakTrucksPerDay int64
}
