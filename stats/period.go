package stats

import (
	"slices"
	"strings"

	"github.com/cuakhau/cuakhau"
)

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
	// Chapters holds the period's figures per HS chapter, most trucks
	// first (Day, Gate and Direction empty).
	Chapters []Daily `json:"chapters"`
	// Totals is the period against the same period a year earlier.
	Totals Comparison `json:"totals"`
	// Summary is the province's sentence for the period, in Vietnamese.
	Summary   string    `json:"summary"`
	Clearance Clearance `json:"clearance"`
}

// Clearance is how long crossed trucks took, in minutes, by nearest rank:
// from declaration to crossing, and from arrival at the gate to crossing
// (trucks checked in: every one but those that never waited).
type Clearance struct {
	Crossed     int    `json:"crossed"`
	DeclaredP50 *int64 `json:"declared_to_crossed_p50_min"`
	DeclaredP90 *int64 `json:"declared_to_crossed_p90_min"`
	Arrived     int    `json:"arrived_samples"`
	ArrivedP50  *int64 `json:"arrived_to_crossed_p50_min"`
	ArrivedP90  *int64 `json:"arrived_to_crossed_p90_min"`
}

// Times are the clearance times of one crossed truck, in seconds; Arrived
// is negative for a truck with no arrival.
type Times struct {
	Declared, Arrived int64
}

// Build makes r's statistics from the daily rows (which must cover
// r.Span(), the year earlier included) and the clearance times of the
// trucks that crossed in r. The rows are those of the gate and direction
// asked for; gate and direction only label the answer.
func Build(r Range, gate string, dir cuakhau.Direction, rows []Daily, times []Times) Period {
	p := Period{From: r.From, To: r.To, Gate: gate, Direction: dir, Days: []Daily{}, Chapters: []Daily{}}
	days := map[Key]*Daily{}
	chapters := map[string]*Daily{}
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
			chapters[d.Chapter] = &Daily{Chapter: d.Chapter}
		}
		chapters[d.Chapter].Add(d)
	}
	for _, d := range days {
		p.Days = append(p.Days, *d)
	}
	slices.SortFunc(p.Days, func(a, b Daily) int {
		if c := a.Day.Compare(b.Day); c != 0 {
			return c
		}
		if c := strings.Compare(a.Gate, b.Gate); c != 0 {
			return c
		}
		return strings.Compare(string(a.Direction), string(b.Direction))
	})
	for _, d := range chapters {
		p.Chapters = append(p.Chapters, *d)
	}
	slices.SortFunc(p.Chapters, func(a, b Daily) int {
		if a.Trucks != b.Trucks {
			return int(b.Trucks - a.Trucks)
		}
		return strings.Compare(a.Chapter, b.Chapter)
	})
	p.Totals = Compare(r, rows)
	p.Summary = Summary(p.Totals, LangVI)
	p.Clearance = clearance(times)
	return p
}

func clearance(times []Times) Clearance {
	c := Clearance{Crossed: len(times)}
	declared := make([]int64, 0, len(times))
	arrived := make([]int64, 0, len(times))
	for _, t := range times {
		declared = append(declared, t.Declared/60)
		if t.Arrived >= 0 {
			arrived = append(arrived, t.Arrived/60)
		}
	}
	c.Arrived = len(arrived)
	if p50, p90, ok := P50P90(declared); ok {
		c.DeclaredP50, c.DeclaredP90 = &p50, &p90
	}
	if p50, p90, ok := P50P90(arrived); ok {
		c.ArrivedP50, c.ArrivedP90 = &p50, &p90
	}
	return c
}
