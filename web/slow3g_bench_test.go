package web_test

import (
	"net/http/httptest"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/cuakhau/cuakhau"
)

// slow3G are Chromium DevTools' "Slow 3G" conditions: 2 s from request
// to response headers, 400 kbit/s each way (the preset's 500 kbit/s with
// its 80 % factor).
var slow3G = &network.Conditions{Latency: 2000, DownloadThroughput: 500 * 1000 / 8 * 0.8, UploadThroughput: 500 * 1000 / 8 * 0.8}

// BenchmarkBoardSlow3G is the public board's first load in a real
// Chromium over an emulated slow 3G line, the cache cleared each time: the
// time to the first paint of its figures (first-contentful-paint) and to
// the load event, as the browser's own performance timeline records them:
//
//	go test -run '^$' -bench BoardSlow3G -benchtime 3x -count 3 ./web/
func BenchmarkBoardSlow3G(b *testing.B) {
	ctx := browser(b)
	db := openStore(b, cuakhau.NewFixedClock(testNow))
	// Closed after the pages (cleanups run last first), whose live streams
	// would hold it open.
	srv := httptest.NewUnstartedServer(nil)
	b.Cleanup(srv.Close)
	srv.Config.Handler = newPages(b, db)
	srv.Start()
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		b.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{slow3G}}); err != nil {
		b.Fatal(err)
	}
	var html, ready, load float64
	for b.Loop() {
		if _, err := chromedp.Call(ctx, network.ClearBrowserCache, cdp.Empty{}); err != nil {
			b.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/?lang=vi")); err != nil {
			b.Fatal(err)
		}
		timing, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(function () {
			var n = performance.getEntriesByType("navigation")[0];
			return [n.responseEnd, n.domContentLoadedEventEnd, n.loadEventEnd];
		})()`))
		if err != nil || len(timing) != 3 {
			b.Fatalf("timings %v: %v", timing, err)
		}
		html += timing[0]
		ready += timing[1]
		load += timing[2]
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil { // close the live stream
		b.Fatal(err)
	}
	b.ReportMetric(html/float64(b.N), "ms-to-html")
	b.ReportMetric(ready/float64(b.N), "ms-to-ready")
	b.ReportMetric(load/float64(b.N), "ms-to-load")
	b.ReportMetric(0, "ns/op")
}
