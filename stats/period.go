package stats

import (
	"context"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/cuakhau/cuakhau"
)

// Query asks for a range's statistics at a gate and in a direction ("" for
// every gate, or both directions).
type Query struct {
	Range     Range
	Gate      string
	Direction cuakhau.Direction
	// TotalsOnly asks for the trucks, value and weight alone: no fees and
	// no clearance times, which are the costly part of a long range. The
	// dashboard's year-to-date measures read this way.
	TotalsOnly bool
	// WaitsByDay asks for each day's waits from arrival to crossing too
	// (Period.WaitsByDay), which costs about as much again as the
	// period's clearance.
	WaitsByDay bool
}

// Source answers statistics queries, checking the principal's rights
// (cuakhau.Principal.CanSeeStats). sqlstore.DB is one; the API and the
// pages read through it.
type Source interface {
	Stats(ctx context.Context, p cuakhau.Principal, q Query) (*Period, error)
}

// Period is a range's statistics at a gate and in a direction ("" all):
// each day's figures, the figures by HS chapter, the totals against the
// same period a year earlier, and the clearance times.
type Period struct {
	From      Date              `json:"from"`
	To        Date              `json:"to"`
	Gate      string            `json:"gate,omitempty"`
	Direction cuakhau.Direction `json:"direction,omitempty"`
	// Days holds one row per day, gate and direction with trucks or fees,
	// chapters summed (Chapter empty), in date, gate, direction order.
	Days []Daily `json:"days"`
	// Months holds the totals of each calendar month the period touches
	// (the first and last possibly in part), in order.
	Months []Month `json:"months"`
	// Chapters holds the period's figures per HS chapter, most trucks
	// first.
	Chapters []ChapterFigures `json:"chapters"`
	// Totals is the period against the same period a year earlier.
	Totals Comparison `json:"totals"`
	// Summary is the province's sentence for the period, in Vietnamese.
	Summary   string    `json:"summary"`
	Clearance Clearance `json:"clearance"`
	// SpoiledDays is Clearance.Spoiled by day, gate and direction (Chapter
	// empty), for the reports' daily rows; days without one are absent.
	SpoiledDays map[Key]int `json:"-"`
	// SoldOffDays are the loads sold off at the border by day (of the
	// cancellation), gate and direction, in that order; days without one
	// are absent. Clearance.SoldOff is their sum (AddSoldOff).
	SoldOffDays []SoldOff `json:"sold_off_days"`
	// Targets are the province's indicators in the period's last year
	// (Progresses as of its last day), set by the caller for the reports;
	// not part of the statistics' answer.
	Targets []Progress `json:"-"`
	// WaitsByDay is each day's waits from arrival to crossing, days with
	// such trucks only; empty unless the query asks (Query.WaitsByDay).
	WaitsByDay []DayWaits `json:"waits_by_day"`
	// Hours counts the trucks that crossed per hour of gate time, for a
	// range of at most MaxHourlyDays days (empty for a longer one).
	Hours []HourCount `json:"hours"`
}

// ChapterFigures are a period's trucks, value and weight under one HS
// chapter ("" for trucks without cargo and history imported without
// chapters).
type ChapterFigures struct {
	Chapter       string `json:"hs_chapter"`
	Trucks        int64  `json:"trucks"`
	ValueUSDCents int64  `json:"value_usd_cents"`
	GrossKg       int64  `json:"gross_kg"`
}

// Clearance is how long crossed trucks took, in minutes, by nearest rank:
// from declaration to crossing, and from arrival at the gate to crossing
// (trucks checked in: every one but those that never waited).
type Clearance struct {
	Crossed int `json:"crossed"`
	// Spoiled counts the crossed trucks whose perishable cargo had outlived
	// its declared shelf life when they crossed.
	Spoiled int `json:"spoiled"`
	// SoldOff counts the loads sold off at the border instead of crossing
	// (a cancellation marked so), with their declared value and weight:
	// with Spoiled, the loads the wait cost.
	SoldOff              int    `json:"sold_off"`
	SoldOffValueUSDCents int64  `json:"sold_off_value_usd_cents"`
	SoldOffGrossKg       int64  `json:"sold_off_gross_kg"`
	DeclaredP50          *int64 `json:"declared_to_crossed_p50_min"`
	DeclaredP90          *int64 `json:"declared_to_crossed_p90_min"`
	Arrived              int    `json:"arrived_samples"`
	ArrivedP50           *int64 `json:"arrived_to_crossed_p50_min"`
	ArrivedP90           *int64 `json:"arrived_to_crossed_p90_min"`
}

// SoldOff is the loads sold off at the border instead of crossing, at a
// gate in a direction on one gate-local day (of the cancellation), with
// the declared value and gross weight of their cargo.
type SoldOff struct {
	Day           Date              `json:"date"`
	Gate          string            `json:"gate"`
	Direction     cuakhau.Direction `json:"direction"`
	Loads         int64             `json:"loads"`
	ValueUSDCents int64             `json:"value_usd_cents"`
	GrossKg       int64             `json:"gross_kg"`
}

// SoldOffLoad is what trip t, cancelled on day with its load sold off,
// adds to the sold-off loads: one load, its cargo's value and weight.
func SoldOffLoad(t *cuakhau.Trip, day Date) SoldOff {
	s := SoldOff{Day: day, Gate: t.Gate, Direction: t.Direction, Loads: 1}
	for _, c := range t.Cargo {
		s.ValueUSDCents += c.ValueUSDCents
		s.GrossKg += c.GrossKg
	}
	return s
}

// Key is the row's identity (Chapter empty).
func (s SoldOff) Key() Key { return Key{Day: s.Day, Gate: s.Gate, Direction: s.Direction} }

// AddSoldOff sets p's sold-off loads from rows (one or more per day, gate
// and direction; days outside p's range are left out): SoldOffDays in
// order, and their sum in Clearance.
func (p *Period) AddSoldOff(rows []SoldOff) {
	r := Range{From: p.From, To: p.To}
	p.Clearance.SoldOff, p.Clearance.SoldOffValueUSDCents, p.Clearance.SoldOffGrossKg = 0, 0, 0
	byKey := map[Key]*SoldOff{}
	for _, s := range rows {
		if !r.Contains(s.Day) {
			continue
		}
		k := s.Key()
		if byKey[k] == nil {
			byKey[k] = &SoldOff{Day: s.Day, Gate: s.Gate, Direction: s.Direction}
		}
		d := byKey[k]
		d.Loads += s.Loads
		d.ValueUSDCents += s.ValueUSDCents
		d.GrossKg += s.GrossKg
		p.Clearance.SoldOff += int(s.Loads)
		p.Clearance.SoldOffValueUSDCents += s.ValueUSDCents
		p.Clearance.SoldOffGrossKg += s.GrossKg
	}
	p.SoldOffDays = make([]SoldOff, 0, len(byKey))
	for _, d := range byKey {
		p.SoldOffDays = append(p.SoldOffDays, *d)
	}
	slices.SortFunc(p.SoldOffDays, func(a, b SoldOff) int { return compareKeys(a.Key(), b.Key()) })
}

// compareKeys orders keys by day, gate and direction.
func compareKeys(a, b Key) int {
	if c := a.Day.Compare(b.Day); c != 0 {
		return c
	}
	if c := strings.Compare(a.Gate, b.Gate); c != 0 {
		return c
	}
	return strings.Compare(string(a.Direction), string(b.Direction))
}

// Times are the clearance times of one crossed truck, in seconds; Arrived
// is negative for a truck with no arrival.
type Times struct {
	Declared, Arrived int64
}

// Minutes counts crossed trucks by a clearance time in whole minutes
// (seconds / 60, rounded down): minute → trucks. A period's times are read
// this way so that its size is the distinct minutes, not the trucks.
type Minutes map[int64]int64

// Add counts one truck at s seconds.
func (m Minutes) Add(s int64) { m[s/60]++ }

// Trucks is how many trucks m counts.
func (m Minutes) Trucks() int64 {
	var n int64
	for _, c := range m {
		n += c
	}
	return n
}

// Quantile is the q-quantile (0 < q ≤ 1) of the counted minutes by
// nearest rank, as Quantile of every truck's minutes would give; false
// when m counts none.
func (m Minutes) Quantile(q float64) (int64, bool) {
	n := m.Trucks()
	if n == 0 {
		return 0, false
	}
	rank := max(1, min(int64(math.Ceil(q*float64(n))), n))
	keys := slices.Sorted(maps.Keys(m))
	var cum int64
	for _, k := range keys {
		if cum += m[k]; cum >= rank {
			return k, true
		}
	}
	return keys[len(keys)-1], true
}

// ClearanceOf is the clearance of the trucks counted by their minutes from
// declaration and (those checked in) from arrival to crossing.
func ClearanceOf(declared, arrived Minutes) Clearance {
	c := Clearance{Crossed: int(declared.Trucks()), Arrived: int(arrived.Trucks())}
	if p50, ok := declared.Quantile(0.5); ok {
		p90, _ := declared.Quantile(0.9)
		c.DeclaredP50, c.DeclaredP90 = &p50, &p90
	}
	if p50, ok := arrived.Quantile(0.5); ok {
		p90, _ := arrived.Quantile(0.9)
		c.ArrivedP50, c.ArrivedP90 = &p50, &p90
	}
	return c
}

// Build makes r's statistics from the daily rows (which must cover r and
// the same days a year earlier) and the clearance of the trucks that
// crossed in r (ClearanceOf). The rows are those of the gate and direction
// asked for; gate and direction only label the answer.
func Build(r Range, gate string, dir cuakhau.Direction, rows []Daily, c Clearance) Period {
	p := Period{From: r.From, To: r.To, Gate: gate, Direction: dir, Days: []Daily{}, Chapters: []ChapterFigures{},
		WaitsByDay: []DayWaits{}, Hours: []HourCount{}, SoldOffDays: []SoldOff{}}
	days := map[Key]*Daily{}
	chapters := map[string]*ChapterFigures{}
	for _, d := range rows {
		if !r.Contains(d.Day) {
			continue
		}
		k := Key{Day: d.Day, Gate: d.Gate, Direction: d.Direction}
		if days[k] == nil {
			days[k] = &Daily{Day: d.Day, Gate: d.Gate, Direction: d.Direction}
		}
		days[k].Add(d)
		if d.Trucks == 0 {
			continue // a fees-only row has no chapter
		}
		if chapters[d.Chapter] == nil {
			chapters[d.Chapter] = &ChapterFigures{Chapter: d.Chapter}
		}
		c := chapters[d.Chapter]
		c.Trucks += d.Trucks
		c.ValueUSDCents += d.ValueUSDCents
		c.GrossKg += d.GrossKg
	}
	for _, d := range days {
		p.Days = append(p.Days, *d)
	}
	slices.SortFunc(p.Days, func(a, b Daily) int { return compareKeys(a.Key(), b.Key()) })
	for _, d := range chapters {
		p.Chapters = append(p.Chapters, *d)
	}
	slices.SortFunc(p.Chapters, func(a, b ChapterFigures) int {
		if a.Trucks != b.Trucks {
			return int(b.Trucks - a.Trucks)
		}
		return strings.Compare(a.Chapter, b.Chapter)
	})
	p.Months = months(r, rows)
	p.Totals = Compare(r, rows)
	p.Summary = Summary(p.Totals, LangVI)
	p.Clearance = c
	return p
}

// Month is the part of a period that falls in one calendar month: its
// totals over the days of the month inside the period.
type Month struct {
	Month string `json:"month"` // 2025-05
	Totals
}

// months splits r at calendar months and totals rows over each part.
func months(r Range, rows []Daily) []Month {
	var ms []Month
	for from := r.From; !from.After(r.To); {
		end := NewDate(from.Year(), from.Month()+1, 1).AddDays(-1)
		if end.After(r.To) {
			end = r.To
		}
		part := Range{From: from, To: end}
		ms = append(ms, Month{Month: from.String()[:7], Totals: Total(part, rows)})
		from = end.AddDays(1)
	}
	return ms
}

// MaxHourlyDays is the longest range whose trucks are counted per hour.
const MaxHourlyDays = 7

// HourCount is the trucks that crossed in one hour of gate time.
type HourCount struct {
	// Hour is the hour's start in gate time, 2026-12-01T08.
	Hour   string `json:"hour"`
	Trucks int64  `json:"trucks"`
}

// DayWaits is one day's waits from arrival at the gate to crossing, in
// minutes by nearest rank, over the day's trucks that were checked in.
type DayWaits struct {
	Day    Date   `json:"date"`
	Trucks int    `json:"trucks"`
	P50    *int64 `json:"p50_min"`
	P90    *int64 `json:"p90_min"`
}

// Hours counts the crossings of r's days by hour of gate time, every hour
// of the range present (zero when no truck crossed), in order; each
// crossing is read in its own gate's zone (zones[i] for crossings[i]),
// the hours laid out in loc. Nil for a range longer than MaxHourlyDays.
func Hours(r Range, crossings []time.Time, zones []*time.Location, loc *time.Location) []HourCount {
	if r.Days() > MaxHourlyDays {
		return nil
	}
	const layout = "2006-01-02T15"
	var out []HourCount
	at := map[string]int{}
	for t := r.From.Start(loc); t.Before(r.To.AddDays(1).Start(loc)); t = t.Add(time.Hour) {
		h := t.Format(layout)
		if _, ok := at[h]; ok {
			continue // the repeated hour of a clock going back
		}
		at[h] = len(out)
		out = append(out, HourCount{Hour: h})
	}
	for i, c := range crossings {
		z := loc
		if i < len(zones) && zones[i] != nil {
			z = zones[i]
		}
		if j, ok := at[c.In(z).Format(layout)]; ok {
			out[j].Trucks++
		}
	}
	return out
}

// WaitsOf is each day's waits from the day's trucks' minutes from
// arrival to crossing, days in order.
func WaitsOf(arrived map[Date]Minutes) []DayWaits {
	out := []DayWaits{}
	for _, d := range slices.SortedFunc(maps.Keys(arrived), Date.Compare) {
		c := ClearanceOf(Minutes{}, arrived[d])
		if c.Arrived == 0 {
			continue
		}
		out = append(out, DayWaits{Day: d, Trucks: c.Arrived, P50: c.ArrivedP50, P90: c.ArrivedP90})
	}
	return out
}
