package web_test

import (
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/web"
)

// TestBrowserOperator: in a real browser, Hữu Nghị's operator signs in to
// the console, calls the last truck out of turn with a reason, and the
// waiting area is one shorter; the console passes axe-core and is
// photographed at 360 and 1280 px.
func TestBrowserOperator(t *testing.T) {
	ctx := browser(t)
	db := openStore(t, cuakhau.NewFixedClock(testNow))
	addUser(t, db, cuakhau.User{Name: "dieu-hanh", Role: cuakhau.RoleOperator, Gate: "huu-nghi"})
	pages := newPages(t, db, func(c *web.Config) { c.Sessions = db })
	srv := httptest.NewServer(pages)
	defer srv.Close()
	dir := artifacts(t)
	var last *cuakhau.Trip
	for _, plate := range []string{"20C-111.11", "20C-222.22", "20C-333.33"} {
		d := testDecl
		d.Vehicle.Plate = plate
		last = declare(t, db, d)
		arrive(t, db, last.ID)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/operator?lang=vi"), chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("name"), "dieu-hanh"), chromedp.SendKeys(chromedp.ID("password"), password)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form.login button`))); err != nil {
		t.Fatal(err)
	}
	rows := `document.querySelectorAll("table.queue tbody tr").length`
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](rows)); err != nil || n != 3 {
		t.Fatalf("the console lists %d waiting (%v), want 3", n, err)
	}
	axe(t, ctx, "operator")
	screenshots(t, ctx, dir, "operator")
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("reason-"+last.ID), "Xe chở thuốc cấp cứu")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`tr[data-trip="`+last.ID+`"] form.override button`))); err != nil {
		t.Fatal(err)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](rows)); err != nil || n != 2 {
		t.Errorf("after the call the console lists %d waiting (%v), want 2", n, err)
	}
	if got, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".done"))); got != "Đã gọi 1 xe." {
		t.Errorf("the console says %q", got)
	}
	axe(t, ctx, "operator after a call")
}
