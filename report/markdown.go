package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/cuakhau/cuakhau/stats"
)

// writeMarkdown writes the report as Markdown tables, numbers written the
// language's way.
func writeMarkdown(w io.Writer, p *stats.Period, lang string) error {
	b := bufio.NewWriter(w)
	num := func(x float64, dec int) string { return stats.Number(x, dec, lang) }
	row := func(cells ...string) { fmt.Fprintf(b, "| %s |\n", strings.Join(cells, " | ")) }
	head := func(cells ...string) {
		row(cells...)
		rule := make([]string, len(cells))
		for i := range rule {
			rule[i] = "---"
			if i > 0 {
				rule[i] = "---:"
			}
		}
		fmt.Fprintf(b, "|%s|\n", strings.Join(rule, "|"))
	}

	fmt.Fprintf(b, "# %s\n\n", label(lang, "title"))
	fmt.Fprintf(b, "%s: %s – %s. %s.\n\n", label(lang, "period"), p.From, p.To, scope(p, lang))
	fmt.Fprintf(b, "%s\n\n", stats.Summary(p.Totals, lang))

	fmt.Fprintf(b, "## %s\n\n", label(lang, "totals"))
	head(label(lang, "figure"), label(lang, "now"), label(lang, "before"), label(lang, "growth"))
	for _, f := range figures {
		now, before := f.value(p.Totals.Now), f.value(p.Totals.Before)
		g := "–"
		if v, ok := stats.Growth(now, before); ok {
			g = num(v, 1)
		}
		row(label(lang, f.label), num(now, f.decimals), num(before, f.decimals), g)
	}
	b.WriteString("\n")

	fmt.Fprintf(b, "## %s\n\n", label(lang, "clearance"))
	c := p.Clearance
	head("", label(lang, "samples"), label(lang, "p50"), label(lang, "p90"))
	row(label(lang, "declared"), num(float64(c.Crossed), 0), minutes(c.DeclaredP50, lang), minutes(c.DeclaredP90, lang))
	row(label(lang, "arrived"), num(float64(c.Arrived), 0), minutes(c.ArrivedP50, lang), minutes(c.ArrivedP90, lang))
	fmt.Fprintf(b, "\n%s: %s\n\n", label(lang, "spoiled"), num(float64(c.Spoiled), 0))
	fmt.Fprintf(b, "%s: %s\n\n%s: %s\n\n%s: %s\n\n", label(lang, "sold_off"), num(float64(c.SoldOff), 0),
		label(lang, "sold_off_value"), num(float64(c.SoldOffValueUSDCents)/100, 2), label(lang, "sold_off_weight"), num(float64(c.SoldOffGrossKg), 0))

	if len(p.Targets) > 0 {
		fmt.Fprintf(b, "## %s (%d)\n\n", label(lang, "targets"), p.Targets[0].Year)
		head(label(lang, "figure"), label(lang, "target"), label(lang, "actual"), label(lang, "origin"), label(lang, "pct"), label(lang, "standing"))
		for _, t := range p.Targets {
			row(targetCells(t, lang))
		}
		b.WriteString("\n")
	}

	fmt.Fprintf(b, "## %s\n\n", label(lang, "months"))
	head(label(lang, "month"), label(lang, "days_n"), label(lang, "trucks"), label(lang, "avg"), label(lang, "peak"),
		label(lang, "value"), label(lang, "weight"), label(lang, "fees"))
	for _, m := range p.Months {
		row(m.Month, num(float64(m.Days), 0), num(float64(m.Trucks), 0), num(m.AvgTrucksPerDay, 1), num(float64(m.PeakTrucks), 0),
			num(float64(m.ValueUSDCents)/1e8, 2), num(float64(m.GrossKg)/1000, 1), num(float64(m.FeesVND), 0))
	}
	b.WriteString("\n")

	fmt.Fprintf(b, "## %s\n\n", label(lang, "per_day"))
	head(label(lang, "date"), label(lang, "trucks"), label(lang, "value_usd"), label(lang, "weight_kg"), label(lang, "fees"))
	for _, d := range PerDay(p) {
		row(d.Day.String(), num(float64(d.Trucks), 0), num(float64(d.ValueUSDCents)/100, 2), num(float64(d.GrossKg), 0), num(float64(d.FeesVND), 0))
	}
	b.WriteString("\n")

	fmt.Fprintf(b, "## %s\n\n", label(lang, "chapters"))
	head(label(lang, "chapter"), label(lang, "trucks"), label(lang, "value_usd"), label(lang, "weight_kg"))
	for _, ch := range p.Chapters {
		row(chapterName(lang, ch.Chapter), num(float64(ch.Trucks), 0), num(float64(ch.ValueUSDCents)/100, 2), num(float64(ch.GrossKg), 0))
	}
	return b.Flush()
}

func minutes(m *int64, lang string) string {
	if m == nil {
		return "–"
	}
	return stats.Number(float64(*m), 0, lang)
}
