package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/catalog"
	"github.com/cuakhau/cuakhau/report"
	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/cuakhau/cuakhau/stats"
	"github.com/cuakhau/cuakhau/web"
)

// exportRoute is the Hữu Nghị export route's mandatory checkpoints in
// order, with customs' channel.
var exportRoute = []cuakhau.Decision{
	{Checkpoint: "entry", Outcome: cuakhau.OutcomePass},
	{Checkpoint: "medical", Outcome: cuakhau.OutcomePass},
	{Checkpoint: "customs", Outcome: cuakhau.OutcomePass, Channel: cuakhau.ChannelGreen},
	{Checkpoint: "quarantine", Outcome: cuakhau.OutcomePass},
	{Checkpoint: "border_guard", Outcome: cuakhau.OutcomePass},
	{Checkpoint: "fee", Outcome: cuakhau.OutcomePass},
	{Checkpoint: "exit", Outcome: cuakhau.OutcomePass},
}

// crossed is a trip declared, checked in and called, through every
// checkpoint after wait, and across the border.
func crossed(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock, plate string, wait time.Duration) *cuakhau.Trip {
	t.Helper()
	d := testDecl
	d.Vehicle.Plate = plate
	tr := declare(t, db, d)
	arrive(t, db, tr.ID)
	if _, err := db.Call(context.Background(), admin, d.Gate, cuakhau.CallRequest{TripID: tr.ID, Reason: "test"}); err != nil {
		t.Fatal(err)
	}
	clock.Add(wait)
	for _, dec := range exportRoute {
		decideAs(t, db, admin, tr.ID, dec)
	}
	return tr
}

// dashboard is the pages with the dashboard's statistics at clock, a
// year-earlier and a mid-November day imported, and one trip crossed
// today after 30 minutes; and a viewer signed in.
func dashboard(t *testing.T) (*sqlstore.DB, http.Handler, *client) {
	t.Helper()
	clock := cuakhau.NewFixedClock(testNow)
	db := openStore(t, clock)
	inds, err := catalog.Indicators()
	if err != nil {
		t.Fatal(err)
	}
	db.SetIndicators(inds)
	pages := newPages(t, db, func(c *web.Config) {
		c.Sessions, c.Clock, c.Indicators, c.Reference = db, clock, inds, catalog.Reference()
		c.Actuals, c.Enter = db, db
	})
	hist, err := stats.ParseHistory(strings.NewReader(stats.HistoryHeader+
		"\n2025-11-20,huu-nghi,export,1,20000"+
		"\n2026-11-15,tan-thanh,import,1500,3000000\n"), func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ImportHistory(context.Background(), admin, hist); err != nil {
		t.Fatal(err)
	}
	crossed(t, db, clock, "20C-111.11", 30*time.Minute)
	addUser(t, db, cuakhau.User{Name: "lanh-dao", Role: cuakhau.RoleViewer})
	viewer := newClient(t, pages)
	if p := viewer.login("lanh-dao", password); p.status != http.StatusSeeOther {
		t.Fatalf("login: %d", p.status)
	}
	return db, pages, viewer
}

func TestDashboard(t *testing.T) {
	_, _, viewer := dashboard(t)
	p := viewer.do("GET", "/dashboard?lang=vi", nil)
	if p.status != http.StatusOK {
		t.Fatalf("dashboard: %d\n%s", p.status, p.body)
	}
	// Today: the trip that crossed at 10:30.
	if got := p.text("[data-figure=today-trucks]"); got != "1" {
		t.Errorf("today's trucks %q, want 1", got)
	}
	if got := p.text("[data-figure=today-value]"); got != "54.000" {
		t.Errorf("today's value %q, want 54.000 (USD, Vietnamese grouping)", got)
	}
	// Today per hour, in gate time, against the province's average day.
	if n := p.doc.Find(".hours rect.bar").Length(); n != 24 {
		t.Errorf("%d hours in today's chart, want 24", n)
	}
	if got := p.text(`tr[data-hour="10:00"] td`); got != "1" {
		t.Errorf("10:00–11:00 today: %q trucks, want 1", got)
	}
	if got := p.text("[data-figure=today-ref]"); !strings.Contains(got, "1.600") || !strings.Contains(got, "2.000") {
		t.Errorf("today against the reference: %q", got)
	}
	// Waits by day: the one truck waited 30 minutes from arrival.
	if got := p.text(`table.waits tr[data-day="2026-12-01"] td`); !strings.Contains(got, "30 phút") {
		t.Errorf("the day's wait: %q", got)
	}
	// The default range is the 30 days to today, against a year earlier.
	if got := p.text("#period-h"); !strings.Contains(got, "2026-11-02") || !strings.Contains(got, "2026-12-01") {
		t.Errorf("period heading %q, want 2026-11-02 to 2026-12-01", got)
	}
	row := func(key string) []string {
		var cells []string
		p.doc.Find(`tr[data-figure="` + key + `"] td`).Each(func(_ int, s *goquery.Selection) { cells = append(cells, strings.TrimSpace(s.Text())) })
		return cells
	}
	if got := row("dashboard.trucks"); len(got) != 3 || got[0] != "1.501" || got[1] != "1" || got[2] != "+150.000 %" {
		t.Errorf("trucks row %q, want 1.501 against 1, +150.000 %%", got)
	}
	if got := row("dashboard.peak"); len(got) != 3 || got[0] != "1.500 (2026-11-15)" {
		t.Errorf("peak row %q", got)
	}
	if got := p.text(".summary"); !strings.Contains(got, "Trung bình khoảng 50 lượt xe/ngày") {
		t.Errorf("summary %q", got)
	}
	var chart struct {
		Days   []string `json:"days"`
		Trucks []int64  `json:"trucks"`
		RefAvg int64    `json:"ref_avg"`
	}
	if err := json.Unmarshal([]byte(p.doc.Find("#dash-data").Text()), &chart); err != nil {
		t.Fatal(err)
	}
	if len(chart.Days) != 30 || chart.Days[13] != "2026-11-15" || chart.Trucks[13] != 1500 || chart.Trucks[29] != 1 || chart.RefAvg != 1600 {
		t.Errorf("chart: %+v", chart)
	}
	if n := p.doc.Find("table.days tbody tr").Length(); n != 30 {
		t.Errorf("the chart's table has %d days, want 30", n)
	}
	if got := p.text(`tr[data-clearance="dashboard.clear.declared"] td`); !strings.HasPrefix(got, "1") || !strings.Contains(got, "30 phút") {
		t.Errorf("clearance from declaration %q, want 1 truck in 30 min", got)
	}
	if got := p.text("[data-figure=spoiled]"); !strings.Contains(got, ": 0 trong 1 xe") {
		t.Errorf("spoiled loads: %q", got)
	}
	if got := p.text("[data-figure=sold-off]"); !strings.Contains(got, ": 0 xe, trị giá 0 USD, 0 kg") || p.doc.Find("table.soldoff").Length() != 0 {
		t.Errorf("sold-off loads: %q", got)
	}
	if n := p.doc.Find("table.bygate tbody tr").Length(); n != 2 {
		t.Errorf("%d gate and direction rows, want 2", n)
	}
	if got := p.text(`tr[data-chapter="08"] td`); !strings.HasPrefix(got, "1") {
		t.Errorf("chapter 08 %q", got)
	}
	// The targets: Tân Thanh's measured over the year to date, the GRDP's
	// entered, so without data.
	if got := p.text(`tr[data-indicator="smart_gate_tan_thanh_trucks"] td`); !strings.Contains(got, "4,5 xe/ngày") || !strings.Contains(got, "Chưa đạt") {
		t.Errorf("Tân Thanh's target %q, want 1,500 over 335 days: 4,5 a day, off track", got)
	}
	if got := p.text(`tr[data-indicator="grdp_growth"] [data-status]`); got != "Chưa có số liệu" {
		t.Errorf("GRDP %q, want no data", got)
	}
	var links []string
	p.doc.Find(".reports a").Each(func(_ int, s *goquery.Selection) { h, _ := s.Attr("href"); links = append(links, h) })
	if len(links) != 3 || !strings.Contains(links[0], "format=xlsx") || !strings.Contains(links[0], "from=2026-11-02") {
		t.Errorf("report links %q", links)
	}

	// English writes numbers the English way.
	if got := viewer.do("GET", "/dashboard?lang=en&from=2026-11-15&to=2026-11-15", nil).text(`tr[data-figure="dashboard.trucks"] td`); !strings.HasPrefix(got, "1,500") {
		t.Errorf("English trucks %q, want 1,500", got)
	}
	// One gate and direction narrow everything but the targets.
	if got := viewer.do("GET", "/dashboard?gate=huu-nghi&direction=export", nil).text(`tr[data-figure="dashboard.trucks"] td`); !strings.HasPrefix(got, "1") || strings.HasPrefix(got, "1.5") {
		t.Errorf("Hữu Nghị exports %q, want 1", got)
	}
}

// TestDashboardIndicatorEntry: an admin enters the digital economy's
// share from the dashboard's form, and the dashboard shows it entered, with
// its percent of the target and off track; a bad year or value comes back
// beside its field with the input kept, nothing stored; a viewer gets no
// form.
func TestDashboardIndicatorEntry(t *testing.T) {
	db, pages, viewer := dashboard(t)
	if n := viewer.do("GET", "/dashboard?lang=vi", nil).doc.Find("form.indicator-entry").Length(); n != 0 {
		t.Errorf("a viewer is offered %d forms to enter indicators", n)
	}
	addUser(t, db, cuakhau.User{Name: "quan-tri", Role: cuakhau.RoleAdmin})
	adm := newClient(t, pages)
	adm.login("quan-tri", password)
	p := adm.do("GET", "/dashboard?lang=vi", nil)
	var offered []string
	p.doc.Find(`form.indicator-entry select[name=indicator] option`).Each(func(_ int, s *goquery.Selection) {
		v, _ := s.Attr("value")
		offered = append(offered, v)
	})
	// Only those the platform does not measure.
	if strings.Join(offered, ",") != "local_exports_growth,grdp_growth,digital_economy_share" {
		t.Errorf("the form offers %q", offered)
	}
	post := func(form url.Values) page {
		t.Helper()
		form.Set("csrf", adm.csrf("/dashboard"))
		return adm.do("POST", "/dashboard/indicators?lang=vi", form)
	}
	for field, form := range map[string]url.Values{
		"year":  {"indicator": {"digital_economy_share"}, "year": {"2031"}, "value": {"18,6"}},
		"value": {"indicator": {"digital_economy_share"}, "year": {"2026"}, "value": {"mười tám"}},
	} {
		// The dashboard again, the rule beside its field, the input kept.
		r := post(form)
		if r.status != http.StatusBadRequest || r.text("#ind-"+field+"-err") == "" {
			t.Errorf("a bad %s: %d, beside it %q", field, r.status, r.text("#ind-"+field+"-err"))
		}
		if got, _ := r.doc.Find("#ind-" + field).Attr("aria-invalid"); got != "true" {
			t.Errorf("a bad %s: the field is not marked invalid", field)
		}
		for _, f := range []string{"year", "value"} {
			if got, _ := r.doc.Find("#ind-" + f).Attr("value"); got != form.Get(f) {
				t.Errorf("a bad %s: %s kept as %q, sent %q", field, f, got, form.Get(f))
			}
		}
		if got, _ := r.doc.Find("#ind-indicator option[selected]").Attr("value"); got != "digital_economy_share" {
			t.Errorf("a bad %s: the indicator chosen is %q", field, got)
		}
		if r.doc.Find("#indicators table.indicators").Length() != 1 {
			t.Errorf("a bad %s: the dashboard's indicators are not shown", field)
		}
	}
	if r := post(url.Values{"indicator": {"digital_economy_share"}, "year": {"2026"}, "value": {"18,6"}}); r.status != http.StatusSeeOther {
		t.Fatalf("entering a value: %d\n%s", r.status, r.body)
	}
	p = viewer.do("GET", "/dashboard?lang=vi", nil)
	row := `tr[data-indicator="digital_economy_share"] `
	if got := p.text(row + "td"); !strings.Contains(got, "18,6 %") || !strings.Contains(got, "nhập tay") {
		t.Errorf("the entered share %q, want 18,6 %% entered", got)
	}
	if got := p.text(row + "td.percent"); got != "62 %" {
		t.Errorf("percent of target %q, want 62 %% (18.6 of 30)", got)
	}
	if got := p.text(row + "[data-status]"); got != "Chưa đạt" {
		t.Errorf("standing %q, want off track", got)
	}
	// The report carries it as the dashboard shows it.
	md := viewer.do("GET", "/dashboard/report?format=md&lang=vi", nil).body
	if want := "| Tỷ trọng kinh tế số trong GRDP | 30 % | 18,6 % | nhập tay | 62 % | Chưa đạt |"; !strings.Contains(md, want) {
		t.Errorf("the report lacks %q:\n%s", want, md)
	}
	if got, err := db.EnteredActuals(context.Background(), admin, 2026); err != nil || len(got) != 1 {
		t.Errorf("stored %v, %v: want the one good value only", got, err)
	}
}

func TestDashboardRefusesFilters(t *testing.T) {
	_, _, viewer := dashboard(t)
	for target, field := range map[string]string{
		"/dashboard?from=2026-13-01&to=2026-12-01": "from",
		"/dashboard?from=2026-12-01&to=2026-11-01": "from",
		"/dashboard?from=2020-01-01&to=2026-12-01": "to",
		"/dashboard?gate=nowhere":                  "gate",
		"/dashboard?direction=sideways":            "direction",
		"/dashboard?from=2026-11-01&to=":           "to",
	} {
		p := viewer.do("GET", target, nil)
		if p.status != http.StatusBadRequest || p.text("#"+field+"-err") == "" {
			t.Errorf("%s: %d, %s error %q; want 400 naming it", target, p.status, field, p.text("#"+field+"-err"))
		}
		if p.doc.Find("#period").Length() != 0 {
			t.Errorf("%s: figures shown for a refused filter", target)
		}
		// Today's figures and the targets stay.
		if p.text("[data-figure=today-trucks]") != "1" || p.doc.Find("[data-indicator]").Length() == 0 {
			t.Errorf("%s: today or the targets lost", target)
		}
	}
}

// TestDashboardSoldOff: a load sold off today is in the period's sentence
// and in the table by day, gate and direction, in the page's language,
// and in the CSV report's row of the day.
func TestDashboardSoldOff(t *testing.T) {
	db, _, viewer := dashboard(t)
	d := testDecl
	d.Vehicle.Plate = "20C-222.22"
	decideAs(t, db, admin, declare(t, db, d).ID, cuakhau.Decision{Outcome: cuakhau.OutcomeCancel, Note: "bán tháo", SoldOff: true})
	p := viewer.do("GET", "/dashboard?lang=vi", nil)
	if got := p.text("[data-figure=sold-off]"); !strings.Contains(got, "thay vì xuất cảnh: 1 xe, trị giá 54.000 USD, 18.000 kg") {
		t.Errorf("sold-off loads: %q", got)
	}
	if got := p.text(`table.soldoff tr[data-day="2026-12-01"]`); !strings.Contains(got, "Hữu Nghị") || !strings.Contains(got, "54.000") || !strings.Contains(got, "18.000") {
		t.Errorf("today's sold-off row: %q", got)
	}
	if got := viewer.do("GET", "/dashboard?lang=en", nil).text("[data-figure=sold-off]"); !strings.Contains(got, "crossing: 1, worth US$54,000, 18,000 kg") {
		t.Errorf("in English: %q", got)
	}
	if got := viewer.do("GET", "/dashboard?lang=zh", nil).text("[data-figure=sold-off]"); !strings.Contains(got, "1 辆，价值 54,000 美元") {
		t.Errorf("in Chinese: %q", got)
	}
	csv := viewer.do("GET", "/dashboard/report?format=csv&from=2026-12-01&to=2026-12-01", nil)
	if !strings.Contains(csv.body, "2026-12-01,huu-nghi,export,1,54000.00,18000,") || !strings.Contains(csv.body, ",1,54000.00,18000\n") {
		t.Errorf("the CSV report:\n%s", csv.body)
	}
}

func TestDashboardToday(t *testing.T) {
	_, _, viewer := dashboard(t)
	p := viewer.do("GET", "/dashboard?lang=en", nil, "HX-Request", "true")
	if p.status != http.StatusOK || strings.Contains(p.body, "<html") || p.doc.Find("section#today").Length() != 1 {
		t.Fatalf("htmx refresh: %d\n%s", p.status, p.body)
	}
	if got := p.text("[data-figure=today-trucks]"); got != "1" {
		t.Errorf("today %q", got)
	}
	if hx, _ := p.doc.Find("#today").Attr("hx-get"); !strings.HasPrefix(hx, "/dashboard?") || !strings.Contains(hx, "lang=en") {
		t.Errorf("the fragment refreshes from %q", hx)
	}
}

func TestDashboardReport(t *testing.T) {
	_, _, viewer := dashboard(t)
	p := viewer.do("GET", "/dashboard/report?format=csv&from=2026-12-01&to=2026-12-01", nil)
	if p.status != http.StatusOK || p.header.Get("Content-Type") != report.CSV.ContentType() {
		t.Fatalf("csv: %d %s", p.status, p.header.Get("Content-Type"))
	}
	if !strings.HasPrefix(p.body, report.CSVHeader+"\n") || !strings.Contains(p.body, "2026-12-01,huu-nghi,export,1,") {
		t.Errorf("csv body:\n%s", p.body)
	}
	if cd := p.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
		t.Errorf("Content-Disposition %q", cd)
	}
	x := viewer.do("GET", "/dashboard/report", nil)
	if x.status != http.StatusOK || x.header.Get("Content-Type") != report.XLSX.ContentType() || !strings.HasPrefix(x.body, "PK") {
		t.Errorf("default report: %d %s", x.status, x.header.Get("Content-Type"))
	}
	md := viewer.do("GET", "/dashboard/report?format=md&lang=en&from=2026-11-15&to=2026-11-15", nil)
	if md.status != http.StatusOK || !strings.Contains(md.body, "1,500") {
		t.Errorf("English markdown: %d\n%s", md.status, md.body)
	}
	for target, want := range map[string]string{
		"/dashboard/report?format=pdf":             "pdf",
		"/dashboard/report?from=2026-12-01&to=bad": "to",
	} {
		if p := viewer.do("GET", target, nil); p.status != http.StatusBadRequest || !strings.Contains(p.body, want) {
			t.Errorf("%s: %d, want 400 naming %s\n%s", target, p.status, want, p.body)
		}
	}
}
