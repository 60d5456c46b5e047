package report

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/cuakhau/cuakhau/stats"
)

// CSVHeader is the header of a report as CSV: the history file's columns
// (stats.HistoryHeader), then weight, fees and the spoiled loads (the
// crossed trucks whose perishable cargo had outlived its shelf life).
const CSVHeader = stats.HistoryHeader + ",gross_kg,fees_vnd,spoiled"

// writeCSV writes p's daily rows, one per day, gate and direction, with
// dot decimals and no grouping whatever the language.
func writeCSV(w io.Writer, p *stats.Period) error {
	cw := csv.NewWriter(w)
	cw.Write(strings.Split(CSVHeader, ","))
	for _, d := range sortedDays(p) {
		cw.Write([]string{
			d.Day.String(), d.Gate, string(d.Direction),
			strconv.FormatInt(d.Trucks, 10),
			usd(d.ValueUSDCents),
			strconv.FormatInt(d.GrossKg, 10),
			strconv.FormatInt(d.FeesVND, 10),
			strconv.Itoa(p.SpoiledDays[stats.Key{Day: d.Day, Gate: d.Gate, Direction: d.Direction}]),
		})
	}
	cw.Flush()
	return cw.Error()
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
