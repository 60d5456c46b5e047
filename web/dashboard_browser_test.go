package web_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cuakhau/cuakhau"
)

// TestBrowserDashboard: in a real browser, under the pages' content
// policy, a viewer signs in to the dashboard and the chart of trucks a
// day and the waits by day are drawn (SVG); the page passes axe-core and is
// photographed at 360 and 1280 px.
func TestBrowserDashboard(t *testing.T) {
	ctx := browser(t)
	_, pages, _ := dashboard(t)
	srv := httptest.NewServer(pages)
	defer srv.Close()
	dir := artifacts(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/dashboard?lang=vi"), chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("name"), "lanh-dao"), chromedp.SendKeys(chromedp.ID("password"), password)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form.login button`))); err != nil {
		t.Fatal(err)
	}
	// ECharts draws one path per bar; 30 days, of which two have trucks.
	drawn := `document.querySelectorAll("#chart svg path").length > 2`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](drawn, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the chart was not drawn: %v", err)
	}
	// The average's reference line and the province's, with their labels.
	labels := `document.querySelector("#chart svg").textContent`
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](labels)); err != nil || !strings.Contains(got, "Trung bình lượt xe/ngày") || !strings.Contains(got, "Lạng Sơn 2025: 2000") {
		t.Errorf("the chart's reference lines: %q (%v)", got, err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll("#waits-chart svg path").length > 0`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Errorf("the waits chart was not drawn: %v", err)
	}
	axe(t, ctx, "dashboard")
	screenshots(t, ctx, dir, "dashboard")
}

// TestBrowserIndicatorEntry: in a real browser an admin enters a value the
// browser's own checks let through but the store refuses (a year past the
// target's), finds the rule beside the year with both fields as typed,
// corrects the year and finds the value in the indicators' table; the
// refused form passes axe-core.
func TestBrowserIndicatorEntry(t *testing.T) {
	ctx := browser(t)
	db, pages, _ := dashboard(t)
	addUser(t, db, cuakhau.User{Name: "quan-tri", Role: cuakhau.RoleAdmin})
	srv := httptest.NewServer(pages)
	defer srv.Close()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/dashboard?lang=vi"), chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("name"), "quan-tri"), chromedp.SendKeys(chromedp.ID("password"), password)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form.login button`))); err != nil {
		t.Fatal(err)
	}
	enter := func(year, value string) int64 {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("ind-value")),
			chromedp.SetValue(chromedp.ID("ind-indicator"), "digital_economy_share"),
			chromedp.SetValue(chromedp.ID("ind-year"), year), chromedp.SetValue(chromedp.ID("ind-value"), value)); err != nil {
			t.Fatal(err)
		}
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form.indicator-entry button`)))
		if err != nil {
			t.Fatal(err)
		}
		return resp.Status
	}
	if status := enter("2031", "18,6"); status != 400 {
		t.Errorf("a year past the target's: %d, want 400", status)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[document.querySelector("#ind-year-err")?.textContent ?? "",
		document.querySelector("#ind-year").value, document.querySelector("#ind-value").value,
		document.querySelector("#ind-year").getAttribute("aria-invalid") ?? ""]`))
	if err != nil {
		t.Fatal(err)
	}
	if got[0] == "" || got[1] != "2031" || got[2] != "18,6" || got[3] != "true" {
		t.Errorf("after the refusal: rule %q, year %q, value %q, invalid %q", got[0], got[1], got[2], got[3])
	}
	axe(t, ctx, "dashboard-indicator-refused")
	if status := enter("2026", "18,6"); status != 200 {
		t.Errorf("a good entry ends on %d, want the dashboard (200)", status)
	}
	cell, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('tr[data-indicator="digital_economy_share"] td:nth-of-type(2)').textContent`))
	if err != nil || !strings.Contains(cell, "18,6 %") {
		t.Errorf("the entered share shows %q (%v)", cell, err)
	}
}
