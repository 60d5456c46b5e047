package report

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/cuakhau/cuakhau/stats"
)

// Built-in number formats of the workbook (ECMA-376 §18.8.30); the reader's
// spreadsheet writes them with its locale's separators (1.550 in a
// Vietnamese one).
const (
	fmtInt  = 3 // #,##0
	fmtDec2 = 4 // #,##0.00
)

// writeXLSX writes the workbook: the totals and the summary sentence; the
// months; the days with a chart of trucks a day; the rows by gate and
// direction; the HS chapters. Figures are number cells.
func writeXLSX(w io.Writer, p *stats.Period, lang string) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	x := &book{f: f}
	x.styles()

	sum := label(lang, "totals")
	x.check(f.SetSheetName("Sheet1", sum))
	x.set(sum, "A1", label(lang, "title"), x.bold)
	x.set(sum, "A2", fmt.Sprintf("%s: %s – %s. %s.", label(lang, "period"), p.From, p.To, scope(p, lang)), 0)
	x.set(sum, "A3", stats.Summary(p.Totals, lang), 0)
	x.header(sum, 5, label(lang, "figure"), label(lang, "now"), label(lang, "before"), label(lang, "growth"))
	for i, fg := range figures {
		r := 6 + i
		now, before := fg.value(p.Totals.Now), fg.value(p.Totals.Before)
		style := x.int
		if fg.decimals > 0 {
			style = x.dec
		}
		x.set(sum, cell(1, r), label(lang, fg.label), 0)
		x.set(sum, cell(2, r), now, style)
		x.set(sum, cell(3, r), before, style)
		if g, ok := stats.Growth(now, before); ok {
			x.set(sum, cell(4, r), g, x.dec)
		}
	}
	r := 7 + len(figures)
	x.set(sum, cell(1, r), label(lang, "clearance"), x.bold)
	x.header(sum, r+1, "", label(lang, "samples"), label(lang, "p50"), label(lang, "p90"))
	c := p.Clearance
	for i, line := range []struct {
		key      string
		n        int
		p50, p90 *int64
	}{{"declared", c.Crossed, c.DeclaredP50, c.DeclaredP90}, {"arrived", c.Arrived, c.ArrivedP50, c.ArrivedP90}} {
		rr := r + 2 + i
		x.set(sum, cell(1, rr), label(lang, line.key), 0)
		x.set(sum, cell(2, rr), line.n, x.int)
		if line.p50 != nil {
			x.set(sum, cell(3, rr), *line.p50, x.int)
			x.set(sum, cell(4, rr), *line.p90, x.int)
		}
	}
	x.set(sum, cell(1, r+4), label(lang, "spoiled"), 0)
	x.set(sum, cell(2, r+4), c.Spoiled, x.int)
	x.set(sum, cell(1, r+5), label(lang, "sold_off"), 0)
	x.set(sum, cell(2, r+5), c.SoldOff, x.int)
	x.set(sum, cell(1, r+6), label(lang, "sold_off_value"), 0)
	x.set(sum, cell(2, r+6), float64(c.SoldOffValueUSDCents)/100, x.dec)
	x.set(sum, cell(1, r+7), label(lang, "sold_off_weight"), 0)
	x.set(sum, cell(2, r+7), c.SoldOffGrossKg, x.int)
	if len(p.Targets) > 0 {
		tr := r + 9
		x.set(sum, cell(1, tr), fmt.Sprintf("%s (%d)", label(lang, "targets"), p.Targets[0].Year), x.bold)
		x.header(sum, tr+1, label(lang, "figure"), label(lang, "target"), label(lang, "actual"), label(lang, "origin"), label(lang, "pct"), label(lang, "standing"))
		for i, t := range p.Targets {
			rr := tr + 2 + i
			name, aim, _, origin, _, standing := targetCells(t, lang)
			x.set(sum, cell(1, rr), name, 0)
			x.set(sum, cell(2, rr), aim, 0)
			x.set(sum, cell(4, rr), origin, 0)
			x.set(sum, cell(6, rr), standing, 0)
			if t.Actual != nil {
				x.set(sum, cell(3, rr), t.Actual.Value, x.dec)
			}
			if t.PercentOfTarget != nil {
				x.set(sum, cell(5, rr), *t.PercentOfTarget, x.dec)
			}
		}
	}
	x.check(f.SetColWidth(sum, "A", "A", 42))
	x.check(f.SetColWidth(sum, "B", "D", 18))

	months := label(lang, "months")
	x.sheet(months)
	x.header(months, 1, label(lang, "month"), label(lang, "days_n"), label(lang, "trucks"), label(lang, "avg"), label(lang, "peak"),
		label(lang, "value_usd"), label(lang, "weight_kg"), label(lang, "fees"))
	for i, m := range p.Months {
		rr := 2 + i
		x.set(months, cell(1, rr), m.Month, 0)
		x.set(months, cell(2, rr), m.Days, x.int)
		x.set(months, cell(3, rr), m.Trucks, x.int)
		x.set(months, cell(4, rr), m.AvgTrucksPerDay, x.dec)
		x.set(months, cell(5, rr), m.PeakTrucks, x.int)
		x.set(months, cell(6, rr), float64(m.ValueUSDCents)/100, x.dec)
		x.set(months, cell(7, rr), m.GrossKg, x.int)
		x.set(months, cell(8, rr), m.FeesVND, x.int)
	}
	x.check(f.SetColWidth(months, "A", "H", 20))

	days := label(lang, "per_day")
	x.sheet(days)
	x.header(days, 1, label(lang, "date"), label(lang, "trucks"), label(lang, "value_usd"), label(lang, "weight_kg"), label(lang, "fees"))
	perDay := PerDay(p)
	for i, d := range perDay {
		rr := 2 + i
		x.set(days, cell(1, rr), d.Day.String(), 0)
		x.set(days, cell(2, rr), d.Trucks, x.int)
		x.set(days, cell(3, rr), float64(d.ValueUSDCents)/100, x.dec)
		x.set(days, cell(4, rr), d.GrossKg, x.int)
		x.set(days, cell(5, rr), d.FeesVND, x.int)
	}
	x.check(f.SetColWidth(days, "A", "E", 18))
	last := 1 + len(perDay)
	ref := func(col string) string { return fmt.Sprintf("'%s'!$%s$2:$%s$%d", days, col, col, last) }
	x.check(f.AddChart(days, "G2", &excelize.Chart{
		Type:   excelize.Col,
		Series: []excelize.ChartSeries{{Name: fmt.Sprintf("'%s'!$B$1", days), Categories: ref("A"), Values: ref("B")}},
		Title:  excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: label(lang, "chart")}}},
		Legend: excelize.ChartLegend{Position: "none"},
		Dimension: excelize.ChartDimension{
			Width:  uint(min(1600, max(640, 12*len(perDay)))),
			Height: 360,
		},
	}))

	rows := label(lang, "rows")
	x.sheet(rows)
	x.header(rows, 1, label(lang, "date"), label(lang, "gate"), label(lang, "direction"), label(lang, "trucks"),
		label(lang, "value_usd"), label(lang, "weight_kg"), label(lang, "fees"))
	for i, d := range sortedDays(p) {
		rr := 2 + i
		x.set(rows, cell(1, rr), d.Day.String(), 0)
		x.set(rows, cell(2, rr), d.Gate, 0)
		x.set(rows, cell(3, rr), direction(lang, d.Direction), 0)
		x.set(rows, cell(4, rr), d.Trucks, x.int)
		x.set(rows, cell(5, rr), float64(d.ValueUSDCents)/100, x.dec)
		x.set(rows, cell(6, rr), d.GrossKg, x.int)
		x.set(rows, cell(7, rr), d.FeesVND, x.int)
	}
	x.check(f.SetColWidth(rows, "A", "G", 18))

	chapters := label(lang, "chapters")
	x.sheet(chapters)
	x.header(chapters, 1, label(lang, "chapter"), label(lang, "trucks"), label(lang, "value_usd"), label(lang, "weight_kg"))
	for i, ch := range p.Chapters {
		rr := 2 + i
		x.set(chapters, cell(1, rr), chapterName(lang, ch.Chapter), 0)
		x.set(chapters, cell(2, rr), ch.Trucks, x.int)
		x.set(chapters, cell(3, rr), float64(ch.ValueUSDCents)/100, x.dec)
		x.set(chapters, cell(4, rr), ch.GrossKg, x.int)
	}
	x.check(f.SetColWidth(chapters, "A", "D", 18))

	if x.err != nil {
		return fmt.Errorf("write workbook: %w", x.err)
	}
	_, err = f.WriteTo(w)
	return err
}

// book is a workbook being written; the first error is kept and the rest
// of the calls do nothing.
type book struct {
	f              *excelize.File
	err            error
	bold, int, dec int
}

func (x *book) check(err error) {
	if x.err == nil {
		x.err = err
	}
}

func (x *book) styles() {
	var err error
	x.bold, err = x.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	x.check(err)
	x.int, err = x.f.NewStyle(&excelize.Style{NumFmt: fmtInt})
	x.check(err)
	x.dec, err = x.f.NewStyle(&excelize.Style{NumFmt: fmtDec2})
	x.check(err)
}

func (x *book) sheet(name string) {
	if x.err != nil {
		return
	}
	_, err := x.f.NewSheet(name)
	x.check(err)
}

// set writes v to a cell, with a style when style is not 0.
func (x *book) set(sheet, at string, v any, style int) {
	if x.err != nil {
		return
	}
	x.check(x.f.SetCellValue(sheet, at, v))
	if style != 0 {
		x.check(x.f.SetCellStyle(sheet, at, at, style))
	}
}

// header writes a bold header row.
func (x *book) header(sheet string, row int, cells ...string) {
	for i, c := range cells {
		x.set(sheet, cell(i+1, row), c, x.bold)
	}
}

// cell is the name of the cell at column col and row (1-based): B3.
func cell(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}
