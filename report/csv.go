package report

import (
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/cuakhau/cuakhau/stats"
)

// CSVHeader is the header of a report as CSV: the history file's columns
// (stats.HistoryHeader), then weight, fees, the spoiled loads (the
// crossed trucks whose perishable cargo had outlived its shelf life) and
// the loads sold off at the border instead of crossing, with their value
// and weight.
const CSVHeader = stats.HistoryHeader + ",gross_kg,fees_vnd,spoiled,sold_off,sold_off_value_usd,sold_off_gross_kg"

// writeCSV writes p's daily rows, one per day, gate and direction with
// trucks, fees or loads sold off, with dot decimals and no grouping
// whatever the language.
func writeCSV(w io.Writer, p *stats.Period) error {
	cw := csv.NewWriter(w)
	cw.Write(strings.Split(CSVHeader, ","))
	sold := map[stats.Key]stats.SoldOff{}
	for _, s := range p.SoldOffDays {
		sold[s.Key()] = s
	}
	for _, d := range csvDays(p) {
		s := sold[stats.Key{Day: d.Day, Gate: d.Gate, Direction: d.Direction}]
		cw.Write([]string{
			d.Day.String(), d.Gate, string(d.Direction),
			strconv.FormatInt(d.Trucks, 10),
			usd(d.ValueUSDCents),
			strconv.FormatInt(d.GrossKg, 10),
			strconv.FormatInt(d.FeesVND, 10),
			strconv.Itoa(p.SpoiledDays[stats.Key{Day: d.Day, Gate: d.Gate, Direction: d.Direction}]),
			strconv.FormatInt(s.Loads, 10),
			usd(s.ValueUSDCents),
			strconv.FormatInt(s.GrossKg, 10),
		})
	}
	cw.Flush()
	return cw.Error()
}

// csvDays are p's daily rows with a row of no trucks for each day, gate
// and direction that only sold loads off, in day, gate and direction
// order: a jam's worst days may see nothing cross.
func csvDays(p *stats.Period) []stats.Daily {
	ds := sortedDays(p)
	have := map[stats.Key]bool{}
	for _, d := range ds {
		have[stats.Key{Day: d.Day, Gate: d.Gate, Direction: d.Direction}] = true
	}
	for _, s := range p.SoldOffDays {
		if !have[s.Key()] {
			ds = append(ds, stats.Daily{Day: s.Day, Gate: s.Gate, Direction: s.Direction})
		}
	}
	slices.SortStableFunc(ds, func(a, b stats.Daily) int {
		if c := a.Day.Compare(b.Day); c != 0 {
			return c
		}
		if c := strings.Compare(a.Gate, b.Gate); c != 0 {
			return c
		}
		return strings.Compare(string(a.Direction), string(b.Direction))
	})
	return ds
}

// usd writes cents as dollars with two decimals (12.50).
func usd(cents int64) string {
	s := strconv.FormatInt(cents/100, 10)
	c := cents % 100
	if c < 0 {
		c = -c
	}
	return s + "." + strconv.FormatInt(100+c, 10)[1:]
}
