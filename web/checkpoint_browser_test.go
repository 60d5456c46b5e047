package web_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/web"
)

// TestBrowserCheckpoint: in a real browser, a medical officer signs in,
// finds the truck on the worklist by its plate as typed (htmx swaps the
// list in place), holds it without a reason and is told beside the field,
// then with one, releases and passes it; customs then sees it, sets the
// channel and passes it. Every page passes axe-core and is photographed at
// 360 and 1280 px.
func TestBrowserCheckpoint(t *testing.T) {
	ctx := browser(t)
	db := openStore(t, cuakhau.NewFixedClock(testNow))
	addUser(t, db, cuakhau.User{Name: "y-te", Role: cuakhau.RoleMedical, Gate: "huu-nghi"})
	addUser(t, db, cuakhau.User{Name: "hai-quan", Role: cuakhau.RoleCustoms, Gate: "huu-nghi"})
	pages := newPages(t, db, func(c *web.Config) { c.Sessions = db })
	srv := httptest.NewServer(pages)
	defer srv.Close()
	dir := artifacts(t)
	inZoneTrip(t, db, "20C-222.22")
	trip := inZoneTrip(t, db, "20C-456.78")

	login := func(name string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/checkpoint?lang=en"), chromedp.WaitVisible(chromedp.ID("password")),
			chromedp.SendKeys(chromedp.ID("name"), name), chromedp.SendKeys(chromedp.ID("password"), password)); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form.login button`))); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("worklist"))); err != nil {
			t.Fatal(err)
		}
	}
	rows := `document.querySelectorAll(".worklist tbody tr").length`
	submit := func(sel string) {
		t.Helper()
		if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
			t.Fatal(err)
		}
	}

	login("y-te")
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](rows)); err != nil || n != 2 {
		t.Fatalf("medical's worklist has %d rows (%v), want 2", n, err)
	}
	axe(t, ctx, "checkpoint")
	screenshots(t, ctx, dir, "checkpoint")

	// Find by the plate as typed: htmx swaps the list, the page stays.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded = true`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("find"), "20c45678"), chromedp.Click(chromedp.CSS(`form.find button`))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](rows+` === 1`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the find did not narrow the list: %v", err)
	}
	if still, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded === true && location.search.includes("find=")`)); err != nil || !still {
		t.Errorf("the find reloaded the page or left the URL as it was (%v)", err)
	}
	axe(t, ctx, "checkpoint find")

	// The truck's page; a hold without a reason is refused beside the field.
	submit(`.worklist tbody a`)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`form.decision`)),
		chromedp.Click(chromedp.CSS(`input[name="outcome"][value="hold"]`))); err != nil {
		t.Fatal(err)
	}
	axe(t, ctx, "checkpoint trip")
	screenshots(t, ctx, dir, "checkpoint-trip")
	submit(`form.decision button`)
	if got, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("note-err"))); err != nil || !strings.Contains(got, "reason") {
		t.Errorf("a hold without a reason says %q beside the reason (%v)", got, err)
	}
	if held, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('input[name="outcome"][value="hold"]').checked`)); !held {
		t.Error("the outcome chosen is not kept")
	}
	axe(t, ctx, "checkpoint decision refused")
	screenshots(t, ctx, dir, "checkpoint-refused")

	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("note"), "Lái xe sốt 38,5 °C")); err != nil {
		t.Fatal(err)
	}
	submit(`form.decision button`)
	for _, outcome := range []string{"release", "pass"} {
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`.done`)),
			chromedp.Click(chromedp.CSS(`input[name="outcome"][value="`+outcome+`"]`))); err != nil {
			t.Fatalf("%s: %v", outcome, err)
		}
		submit(`form.decision button`)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("not-here"))); err != nil {
		t.Fatal(err)
	}
	if got, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".history"))); !strings.Contains(got, "Lái xe sốt") {
		t.Errorf("the history does not give the hold's reason: %q", got)
	}

	// Customs now has the truck: pass it on the yellow channel.
	submit(`form.session button`)
	login("hai-quan")
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](rows)); err != nil || n != 1 {
		t.Fatalf("customs' worklist has %d rows (%v), want 1", n, err)
	}
	submit(`.worklist tbody a`)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("channel")), chromedp.SetValue(chromedp.ID("channel"), "yellow"),
		chromedp.Click(chromedp.CSS(`input[name="outcome"][value="pass"]`))); err != nil {
		t.Fatal(err)
	}
	axe(t, ctx, "customs trip")
	submit(`form.decision button`)
	if got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".channel"))); err != nil || got != "yellow channel" {
		t.Errorf("after the customs pass the channel reads %q (%v)", got, err)
	}
	got, err := db.Trip(t.Context(), admin, trip.ID)
	if err != nil || got.Channel != cuakhau.ChannelYellow {
		t.Errorf("stored channel %v (%v)", got, err)
	}
}
