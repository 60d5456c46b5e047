package web_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
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
