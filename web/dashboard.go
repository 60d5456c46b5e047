package web

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/report"
	"github.com/cuakhau/cuakhau/stats"
)

// dashboardRoles may open the dashboard: the leadership (viewers) and
// administrators.
var dashboardRoles = []cuakhau.Role{cuakhau.RoleViewer, cuakhau.RoleAdmin}

// dashboardDays is the range the dashboard shows when none is asked for:
// the 30 days to today.
const dashboardDays = 30

// dashboardChapters is how many HS chapters the dashboard lists.
const dashboardChapters = 10

// defaultZone is the border's zone when no gate names one.
const defaultZone = "Asia/Ho_Chi_Minh"

// dashboardFilter is the range, gate and direction asked for, as typed.
type dashboardFilter struct {
	From, To, Gate, Direction string
}

// query is the filter as URL parameters, with lang, and extra pairs.
func (f dashboardFilter) query(l Lang, extra ...string) string {
	q := url.Values{"from": {f.From}, "to": {f.To}, "lang": {l.Code()}}
	if f.Gate != "" {
		q.Set("gate", f.Gate)
	}
	if f.Direction != "" {
		q.Set("direction", f.Direction)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return q.Encode()
}

// dashboardView is the leadership's view of a period.
type dashboardView struct {
	L      Lang
	Filter dashboardFilter
	// Errs are the refused filters by field (from, to, gate, direction);
	// with any, nothing else is shown.
	Errs  map[string]string
	Gates []gateOption
	Today todayView
	// Period is nil when the filter was refused.
	Period  *stats.Period
	Summary string
	Figures []figureRow
	ByGate  []gateRow
	Days    []report.DayTotal
	// Chart is the per-day series as JSON for dashboard.js.
	Chart     template.JS
	Clearance []clearanceRow
	// SoldOff is the sentence of the period's loads sold off at the border
	// instead of crossing, SoldOffDays those loads by day, gate and
	// direction.
	SoldOff     string
	SoldOffDays []soldOffRow
	// Waits are each day's waits from arrival to crossing.
	Waits      []waitDay
	Chapters   []stats.ChapterFigures
	Indicators []indicatorRow
	// Enter lists the indicators an admin may enter a value for (those the
	// platform does not measure); empty for others, and the form is not
	// shown.
	Enter []indicatorOption
	// EnterYear is the form's default year.
	EnterYear int
	// EnterForm is what a refused entry sent, kept in its fields, and
	// EnterErrs its broken rules by field (indicator, year, value); both
	// nil on a plain view.
	EnterForm url.Values
	EnterErrs map[string]string
	Reports   []reportLink
	// Reference is the province's published year, "" without one.
	Reference string
}

// todayView is today's crossings so far, refreshed every half minute.
type todayView struct {
	L        Lang
	Day      stats.Date
	Trucks   int64
	Export   int64
	Import   int64
	ValueUSD string
	// Updated is the time of the figures, in the border's zone.
	Updated string
	// Self is the URL the fragment refreshes from.
	Self string
	// Hours are today's trucks per hour as bars of an inline SVG (no
	// script, so that the refresh redraws it), with Top the tallest.
	Hours []hourBar
	Top   int64
	// Reference says today's trucks against the province's average and
	// peak day, "" without a reference.
	Reference string
}

// hourBar is one hour of today's chart.
type hourBar struct {
	Label      string
	Trucks     int64
	X, Y, W, H int
	// ShowX labels the hour under its bar (every third).
	ShowX bool
}

// Today's chart's size in SVG units.
const (
	hourChartW, hourChartH = 480, 120
)

// hourBars lays out hours as bars of a hourChartW × hourChartH chart.
func hourBars(hours []stats.HourCount) ([]hourBar, int64) {
	var top int64
	for _, h := range hours {
		top = max(top, h.Trucks)
	}
	if len(hours) == 0 {
		return nil, 0
	}
	w := hourChartW / len(hours)
	var bars []hourBar
	for i, h := range hours {
		b := hourBar{Label: h.Hour[len(h.Hour)-2:] + ":00", Trucks: h.Trucks, X: i * w, W: max(1, w-2), ShowX: i%3 == 0}
		if top > 0 {
			b.H = int(h.Trucks * (hourChartH - 16) / top)
		}
		b.Y = hourChartH - 16 - b.H
		bars = append(bars, b)
	}
	return bars, top
}

// figureRow is one line of the period against the year earlier.
type figureRow struct {
	Key, Now, Before, Growth string
}

// clearanceRow is one clearance time's median and 90th percentile.
type clearanceRow struct {
	Key      string
	Trucks   int
	P50, P90 string
}

// waitDay is one day's waits.
type waitDay struct {
	Day      string
	Trucks   int
	P50, P90 string
}

// gateRow is a gate and direction's trucks and value in the period.
type gateRow struct {
	Gate, Direction string
	Trucks          int64
	ValueUSDCents   int64
}

// soldOffRow is the loads sold off on one day at a gate in a direction.
type soldOffRow struct {
	Day, Gate, Direction string
	Loads                int64
	ValueUSD, GrossKg    string
}

// indicatorRow is one of the province's targets and where it stands.
type indicatorRow struct {
	Code, Name, Target, Actual, Status, Origin string
	// Percent is the actual over the target's minimum ("" without one).
	Percent string
	Year    int
}

// indicatorOption is an indicator in the form that enters values.
type indicatorOption struct{ Code, Name string }

// IndicatorEntry stores the values entered for the indicators the platform
// cannot measure, checking the principal (sqlstore.DB).
type IndicatorEntry interface {
	SetIndicatorActuals(ctx context.Context, p cuakhau.Principal, entries []stats.Actual) error
}

// enterIndicator is POST /dashboard/indicators: an admin's value for an
// indicator the platform cannot measure (fields indicator, year, value),
// then back to the dashboard's indicators. A refusal is the dashboard
// again (400) with each broken rule beside its field and the input kept;
// nothing is stored.
func (w *Web) enterIndicator(rw http.ResponseWriter, r *http.Request) error {
	err := w.storeIndicator(r)
	if fields := fieldErrors(err); fields != nil {
		return w.dashboard(rw, r, r.PostForm, fields)
	}
	if err != nil {
		return err
	}
	l := langOf(rw, r)
	http.Redirect(rw, r, "/dashboard?lang="+l.Code()+"#indicators", http.StatusSeeOther)
	return nil
}

// storeIndicator reads the entry form and stores its value.
func (w *Web) storeIndicator(r *http.Request) error {
	if w.cfg.Enter == nil {
		return errors.New("web: no indicator store configured")
	}
	p, _ := principalFrom(r.Context())
	bad := cuakhau.FieldErrors{}
	a := stats.Actual{Code: r.PostFormValue("indicator"), Origin: stats.OriginEntered}
	year, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("year")))
	if err != nil {
		bad.Add("year", fmt.Sprintf("must be a year, not %q", r.PostFormValue("year")))
	}
	// A comma decimal, as Vietnamese write it, is read as the dot.
	value, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(r.PostFormValue("value")), ",", "."), 64)
	if err != nil {
		bad.Add("value", fmt.Sprintf("must be a number, not %q", r.PostFormValue("value")))
	}
	if err := bad.Err(); err != nil {
		return err
	}
	a.Year, a.Value = year, value
	return w.cfg.Enter.SetIndicatorActuals(r.Context(), p, []stats.Actual{a})
}

// reportLink is the period as a downloadable report.
type reportLink struct{ Label, URL string }

// dashboardPage is /dashboard: the figures of a range (the last 30 days by
// default) at a gate and in a direction, against the same days a year
// earlier, with clearance times, a chart of trucks a day, the HS chapters,
// the province's targets and the period as a report to download; and
// today's crossings, which refresh themselves. A filter the statistics
// refuse is named beside its field (400). An htmx request gets today's
// part alone.
func (w *Web) dashboardPage(rw http.ResponseWriter, r *http.Request) error {
	return w.dashboard(rw, r, nil, nil)
}

// dashboard renders the dashboard; enterForm and enterErrs are a refused
// indicator entry's input and broken rules (nil on a plain view), and make
// the answer a 400.
func (w *Web) dashboard(rw http.ResponseWriter, r *http.Request, enterForm url.Values, enterErrs map[string]string) error {
	if w.cfg.Stats == nil {
		return errors.New("web: no statistics configured")
	}
	p, _ := principalFrom(r.Context())
	l := langOf(rw, r)
	gates, opts, err := w.enterpriseGates(r, l)
	if err != nil {
		return err
	}
	loc := borderZone(gates, opts)
	today := stats.DayOf(w.now(), loc)
	f := dashboardFilterOf(r, today)
	v := &dashboardView{L: l, Filter: f, Gates: opts, EnterForm: enterForm, EnterErrs: enterErrs}

	tv, err := w.todayFigures(r, p, l, f, today, loc)
	if err != nil {
		return err
	}
	v.Today = tv
	if r.Header.Get("HX-Request") == "true" && enterErrs == nil {
		return w.renderFragment(rw, r, "dashboard", "dashboard_today", tv)
	}

	status := http.StatusOK
	if enterErrs != nil {
		status = http.StatusBadRequest
	}
	period, err := w.dashboardPeriod(r, p, f, true)
	if fields := fieldErrors(err); fields != nil {
		v.Errs, status = fields, http.StatusBadRequest
	} else if err != nil {
		return err
	} else {
		w.fillPeriod(v, period, gates)
	}
	if v.Indicators, err = w.indicatorRows(r, p, l, today); err != nil {
		return err
	}
	if w.cfg.Enter != nil && p.Role == cuakhau.RoleAdmin {
		for _, ind := range w.cfg.Indicators {
			if ind.Measure == "" {
				v.Enter = append(v.Enter, indicatorOption{ind.Code, ind.Name[l.Code()]})
			}
		}
		v.EnterYear = today.Year()
	}
	if ref := w.cfg.Reference; ref != nil {
		v.Reference = l.T("dashboard.reference", ref.Year, stats.Number(float64(ref.AvgTrucksPerDay), 0, l.Code()), stats.Number(float64(ref.PeakTrucksPerDay), 0, l.Code()))
	}
	w.render(rw, r, l, status, "dashboard", l.T("dashboard.title"), v)
	return nil
}

// fieldErrors are err's fields when it is a refusal naming them, else nil.
func fieldErrors(err error) map[string]string {
	var ce *cuakhau.Error
	if errors.As(err, &ce) && ce.Code == cuakhau.EINVALID && len(ce.Fields) > 0 {
		return ce.Fields
	}
	return nil
}

// dashboardPeriod reads the filter's statistics, each day's waits with
// waits.
func (w *Web) dashboardPeriod(r *http.Request, p cuakhau.Principal, f dashboardFilter, waits bool) (*stats.Period, error) {
	rng, err := stats.ParseRange(f.From, f.To)
	if err != nil {
		return nil, err
	}
	return w.cfg.Stats.Stats(r.Context(), p, stats.Query{Range: rng, Gate: f.Gate, Direction: cuakhau.Direction(f.Direction), WaitsByDay: waits})
}

// todayFigures are today's crossings at the filter's gate and direction
// (all of them when the filter is refused).
func (w *Web) todayFigures(r *http.Request, p cuakhau.Principal, l Lang, f dashboardFilter, today stats.Date, loc *time.Location) (todayView, error) {
	tv := todayView{L: l, Day: today, Updated: w.now().In(loc).Format("15:04"), Self: "/dashboard?" + f.query(l)}
	q := stats.Query{Range: stats.Range{From: today, To: today}, Gate: f.Gate, Direction: cuakhau.Direction(f.Direction), TotalsOnly: true}
	pd, err := w.cfg.Stats.Stats(r.Context(), p, q)
	if fieldErrors(err) != nil {
		q.Gate, q.Direction = "", ""
		pd, err = w.cfg.Stats.Stats(r.Context(), p, q)
	}
	if err != nil {
		return tv, err
	}
	tv.Trucks = pd.Totals.Now.Trucks
	tv.Hours, tv.Top = hourBars(pd.Hours)
	if ref := w.cfg.Reference; ref != nil && q.Gate == "" && q.Direction == "" {
		tv.Reference = l.T("dashboard.today.ref", ref.Year, stats.Number(float64(ref.AvgTrucksPerDay), 0, l.Code()),
			stats.Number(float64(ref.PeakTrucksPerDay), 0, l.Code()), stats.Number(100*float64(tv.Trucks)/float64(ref.AvgTrucksPerDay), 1, l.Code()))
	}
	tv.ValueUSD = stats.Number(float64(pd.Totals.Now.ValueUSDCents)/100, 0, l.Code())
	for _, d := range pd.Days {
		switch d.Direction {
		case cuakhau.Export:
			tv.Export += d.Trucks
		case cuakhau.Import:
			tv.Import += d.Trucks
		}
	}
	return tv, nil
}

// fillPeriod puts the period's figures into v.
func (w *Web) fillPeriod(v *dashboardView, p *stats.Period, gates map[string]*cuakhau.Gate) {
	l, lang := v.L, v.L.Code()
	v.Period = p
	v.Summary = stats.Summary(p.Totals, lang)
	now, before := p.Totals.Now, p.Totals.Before
	n := func(x float64, dec int) string { return stats.Number(x, dec, lang) }
	growth := func(g *float64) string {
		if g == nil {
			return "—"
		}
		s := n(*g, 1) + " %"
		if *g > 0 {
			s = "+" + s
		}
		return s
	}
	pct := func(a, b float64) *float64 {
		if b == 0 {
			return nil
		}
		g := 100 * (a - b) / b
		return &g
	}
	peak := func(t stats.Totals) string {
		if t.PeakTrucks == 0 {
			return "0"
		}
		return n(float64(t.PeakTrucks), 0) + " (" + t.PeakDay.String() + ")"
	}
	v.Figures = []figureRow{
		{"dashboard.trucks", n(float64(now.Trucks), 0), n(float64(before.Trucks), 0), growth(p.Totals.TrucksGrowth)},
		{"dashboard.avg", n(now.AvgTrucksPerDay, 1), n(before.AvgTrucksPerDay, 1), growth(pct(now.AvgTrucksPerDay, before.AvgTrucksPerDay))},
		{"dashboard.peak", peak(now), peak(before), growth(pct(float64(now.PeakTrucks), float64(before.PeakTrucks)))},
		{"dashboard.value", n(float64(now.ValueUSDCents)/1e8, 2), n(float64(before.ValueUSDCents)/1e8, 2), growth(p.Totals.ValueGrowth)},
		{"dashboard.weight", n(float64(now.GrossKg)/1000, 1), n(float64(before.GrossKg)/1000, 1), growth(pct(float64(now.GrossKg), float64(before.GrossKg)))},
		{"dashboard.fees", n(float64(now.FeesVND), 0), n(float64(before.FeesVND), 0), growth(pct(float64(now.FeesVND), float64(before.FeesVND)))},
	}
	mins := func(m *int64) string {
		if m == nil {
			return "—"
		}
		return l.T("dashboard.minutes", n(float64(*m), 0))
	}
	c := p.Clearance
	v.Clearance = []clearanceRow{
		{"dashboard.clear.declared", c.Crossed, mins(c.DeclaredP50), mins(c.DeclaredP90)},
		{"dashboard.clear.arrived", c.Arrived, mins(c.ArrivedP50), mins(c.ArrivedP90)},
	}
	v.SoldOff = l.T("dashboard.soldoff", n(float64(c.SoldOff), 0), n(float64(c.SoldOffValueUSDCents)/100, 0), n(float64(c.SoldOffGrossKg), 0))
	for _, d := range p.SoldOffDays {
		name := d.Gate
		if g := gates[d.Gate]; g != nil {
			name = gateName(l, g)
		}
		v.SoldOffDays = append(v.SoldOffDays, soldOffRow{Day: d.Day.String(), Gate: name, Direction: l.T("dir." + string(d.Direction)),
			Loads: d.Loads, ValueUSD: n(float64(d.ValueUSDCents)/100, 0), GrossKg: n(float64(d.GrossKg), 0)})
	}
	byGate := map[[2]string]*gateRow{}
	for _, d := range p.Days {
		k := [2]string{d.Gate, string(d.Direction)}
		if byGate[k] == nil {
			name := d.Gate
			if g := gates[d.Gate]; g != nil {
				name = gateName(l, g)
			}
			byGate[k] = &gateRow{Gate: name, Direction: l.T("dir." + string(d.Direction))}
		}
		byGate[k].Trucks += d.Trucks
		byGate[k].ValueUSDCents += d.ValueUSDCents
	}
	for _, g := range byGate {
		v.ByGate = append(v.ByGate, *g)
	}
	slices.SortFunc(v.ByGate, func(a, b gateRow) int {
		if a.Trucks != b.Trucks {
			return int(b.Trucks - a.Trucks)
		}
		return strings.Compare(a.Gate+a.Direction, b.Gate+b.Direction)
	})
	v.Days = report.PerDay(p)
	chart := struct {
		Days    []string `json:"days"`
		Trucks  []int64  `json:"trucks"`
		Label   string   `json:"label"`
		Avg     string   `json:"avg"`
		RefAvg  int64    `json:"ref_avg,omitempty"`
		RefPeak int64    `json:"ref_peak,omitempty"`
		RefName string   `json:"ref_name,omitempty"`
		// The waits (arrival to crossing) of each day with crossed
		// trucks, in minutes.
		WaitDays  []string  `json:"wait_days"`
		WaitP50   []*int64  `json:"wait_p50"`
		WaitP90   []*int64  `json:"wait_p90"`
		WaitLabel [2]string `json:"wait_labels"`
	}{Days: []string{}, Trucks: []int64{}, Label: l.T("dashboard.trucks"), Avg: l.T("dashboard.avg"),
		WaitDays: []string{}, WaitP50: []*int64{}, WaitP90: []*int64{}, WaitLabel: [2]string{l.T("dashboard.p50"), l.T("dashboard.p90")}}
	for _, d := range p.WaitsByDay {
		chart.WaitDays = append(chart.WaitDays, d.Day.String())
		chart.WaitP50 = append(chart.WaitP50, d.P50)
		chart.WaitP90 = append(chart.WaitP90, d.P90)
		v.Waits = append(v.Waits, waitDay{Day: d.Day.String(), Trucks: d.Trucks, P50: mins(d.P50), P90: mins(d.P90)})
	}
	for _, d := range v.Days {
		chart.Days = append(chart.Days, d.Day.String())
		chart.Trucks = append(chart.Trucks, d.Trucks)
	}
	if ref := w.cfg.Reference; ref != nil && p.Gate == "" && p.Direction == "" {
		chart.RefAvg, chart.RefPeak = ref.AvgTrucksPerDay, ref.PeakTrucksPerDay
		chart.RefName = l.T("dashboard.ref.short", ref.Year)
	}
	b, _ := json.Marshal(chart)
	v.Chart = template.JS(b)
	v.Chapters = p.Chapters[:min(len(p.Chapters), dashboardChapters)]
	for _, f := range []struct {
		label  string
		format report.Format
	}{{"dashboard.report.xlsx", report.XLSX}, {"dashboard.report.md", report.Markdown}, {"dashboard.report.csv", report.CSV}} {
		v.Reports = append(v.Reports, reportLink{l.T(f.label), "/dashboard/report?" + v.Filter.query(l, "format", string(f.format))})
	}
}

// indicatorRows are the province's targets in today's year: measured by
// the platform where it can, as entered where it cannot, no data otherwise
// (stats.Progresses).
func (w *Web) indicatorRows(r *http.Request, p cuakhau.Principal, l Lang, today stats.Date) ([]indicatorRow, error) {
	lang := l.Code()
	year := today.Year()
	progress, err := stats.Progresses(r.Context(), w.cfg.Stats, w.cfg.Actuals, p, w.cfg.Indicators, year, today)
	if err != nil {
		return nil, err
	}
	var rows []indicatorRow
	for _, pr := range progress {
		ind, actual := pr.Indicator, pr.Actual
		row := indicatorRow{Code: ind.Code, Name: ind.Name[lang], Year: year, Status: pr.Status,
			Target: stats.Number(ind.Min, 1, lang) + " " + ind.Unit}
		if ind.Max > ind.Min {
			row.Target = stats.Number(ind.Min, 1, lang) + "–" + stats.Number(ind.Max, 1, lang) + " " + ind.Unit
		}
		if actual != nil {
			row.Actual = stats.Number(actual.Value, 1, lang) + " " + ind.Unit
			row.Origin = l.T("indicator.origin." + actual.Origin)
		}
		if pr.PercentOfTarget != nil {
			row.Percent = stats.Number(*pr.PercentOfTarget, 0, lang) + " %"
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// reportDownload is /dashboard/report: the filter's period as a report
// file (stats.Period through report.Write), xlsx unless format says md or
// csv, in the page's language unless lang says otherwise. A refused filter
// is the error page naming the field.
func (w *Web) reportDownload(rw http.ResponseWriter, r *http.Request) error {
	if w.cfg.Stats == nil {
		return errors.New("web: no statistics configured")
	}
	p, _ := principalFrom(r.Context())
	l := langOf(rw, r)
	gates, opts, err := w.enterpriseGates(r, l)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := dashboardFilterOf(r, stats.DayOf(w.now(), borderZone(gates, opts)))
	format, err := report.ParseFormat("format", cmp.Or(q.Get("format"), string(report.XLSX)))
	if err != nil {
		return err
	}
	period, err := w.dashboardPeriod(r, p, f, false)
	if err != nil {
		return err
	}
	// The targets as of the report's last day, as the dashboard shows them.
	if period.Targets, err = stats.Progresses(r.Context(), w.cfg.Stats, w.cfg.Actuals, p, w.cfg.Indicators, period.To.Year(), period.To); err != nil {
		return err
	}
	var b bytes.Buffer
	if err := report.Write(&b, period, format, l.Code()); err != nil {
		return err
	}
	h := rw.Header()
	h.Set("Content-Type", format.ContentType())
	h.Set("Content-Disposition", `attachment; filename="`+report.FileName(period, format)+`"`)
	h.Set("Cache-Control", "no-store")
	writeBody(rw, r, http.StatusOK, b.Bytes())
	return nil
}

// dashboardFilterOf is the filter asked for, the dashboardDays to today
// when it names no range.
func dashboardFilterOf(r *http.Request, today stats.Date) dashboardFilter {
	q := r.URL.Query()
	f := dashboardFilter{From: q.Get("from"), To: q.Get("to"), Gate: q.Get("gate"), Direction: q.Get("direction")}
	if f.From == "" && f.To == "" {
		f.From, f.To = today.AddDays(1-dashboardDays).String(), today.String()
	}
	return f
}

// borderZone is the zone the border's days are counted in: the first
// gate's of the catalogue (opts' order), as the statistics lay out their
// hours (each gate's day is counted in its own zone; a border whose gates
// share one, as Lạng Sơn's do, has one calendar).
func borderZone(gates map[string]*cuakhau.Gate, opts []gateOption) *time.Location {
	zone := defaultZone
	if len(opts) > 0 && gates[opts[0].Code].TimeZone != "" {
		zone = gates[opts[0].Code].TimeZone
	}
	loc, err := loadZone(zone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// now is the pages' clock.
func (w *Web) now() time.Time {
	if w.cfg.Clock != nil {
		return w.cfg.Clock.Now()
	}
	return time.Now()
}
