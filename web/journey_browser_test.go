package web_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/web"
)

// TestBrowserJourney carries one durian truck across the border through
// the pages, in a real browser, as its users would: the enterprise
// declares it (a bad plate named as it is typed, then corrected) and books
// its window; the truck checks in (the gate's camera, here the store);
// the yard operator sees it on the console and calls it; the gate lets it
// into the zone; medical, customs, plant quarantine and the border guard
// each pass it from their worklist; the fee and exit gates let it out.
// The driver's page, open in its own tab, follows it from booked to
// crossed by itself, without a reload. Each page passes axe-core on the way.
func TestBrowserJourney(t *testing.T) {
	ctx := browser(t)
	clock := cuakhau.NewFixedClock(testNow)
	db := openStore(t, clock)
	pages := newPages(t, db, func(c *web.Config) { c.Sessions = db; c.Clock = clock; c.TripRefresh = time.Second })
	srv := httptest.NewServer(pages)
	defer srv.Close()
	dir := artifacts(t)
	users := map[string]cuakhau.User{
		"xu-lang":    {Name: "xu-lang", Role: cuakhau.RoleEnterprise, TaxCode: testDecl.Enterprise.TaxCode},
		"dieu-hanh":  {Name: "dieu-hanh", Role: cuakhau.RoleOperator, Gate: "huu-nghi"},
		"y-te":       {Name: "y-te", Role: cuakhau.RoleMedical, Gate: "huu-nghi"},
		"hai-quan":   {Name: "hai-quan", Role: cuakhau.RoleCustoms, Gate: "huu-nghi"},
		"kiem-dich":  {Name: "kiem-dich", Role: cuakhau.RoleQuarantine, Gate: "huu-nghi"},
		"bien-phong": {Name: "bien-phong", Role: cuakhau.RoleBorderGuard, Gate: "huu-nghi"},
	}
	for _, u := range users {
		addUser(t, db, u)
	}
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	submit := func(sel string) {
		t.Helper()
		if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
			t.Fatalf("submit %s: %v", sel, err)
		}
	}
	signIn := func(name, page string) {
		t.Helper()
		run("sign in "+name, chromedp.Navigate(srv.URL+page), chromedp.WaitVisible(chromedp.ID("password")),
			chromedp.SendKeys(chromedp.ID("name"), name), chromedp.SendKeys(chromedp.ID("password"), password))
		submit(`form.login button`)
	}
	signOut := func() { t.Helper(); submit(`form.session button`) }

	// The enterprise's list, empty, then the form: the plate is refused as
	// soon as it is left.
	signIn("xu-lang", "/enterprise?lang=vi")
	run("the enterprise's trips", chromedp.WaitVisible(chromedp.CSS(`a[href^="/enterprise/declare"]`)))
	axe(t, ctx, "enterprise trips")
	screenshots(t, ctx, dir, "enterprise")
	submit(`a[href^="/enterprise/declare"]`)
	run("the form", chromedp.WaitVisible(chromedp.ID("declare-form")), chromedp.SetValue(chromedp.ID("gate"), "huu-nghi"),
		chromedp.SendKeys(chromedp.ID("vehicle-plate"), "20C-45"), chromedp.Click(chromedp.ID("driver-name")))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("vehicle-plate-err") !== null`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the bad plate was not named as it was typed: %v", err)
	}
	axe(t, ctx, "declare refused as typed")
	screenshots(t, ctx, dir, "declare")
	fill := map[string]string{
		"driver-name": "Nguyễn Văn A", "driver-id_number": "020123456789", "enterprise-name": "Công ty TNHH Nông sản Xứ Lạng",
		"containers": "CSQU3054383", "customs_declarations": "304001234520", "cargo-0-hs_code": "0810.60",
		"cargo-0-description": "Sầu riêng tươi", "cargo-0-packages": "1200", "cargo-0-gross_kg": "18000", "cargo-0-value_usd": "54000",
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("vehicle-plate").value = ""; true`)); err != nil {
		t.Fatal(err)
	}
	run("the plate again", chromedp.SendKeys(chromedp.ID("vehicle-plate"), "20c45678"), chromedp.Click(chromedp.ID("driver-name")))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("vehicle-plate-err") === null`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the corrected plate is still refused: %v", err)
	}
	for id, v := range fill {
		run("type "+id, chromedp.SendKeys(chromedp.ID(id), v))
	}
	run("perishable", chromedp.Click(chromedp.ID("cargo-0-perishable")))
	submit(`form.declare button[name="submit"]`)
	run("the trip's page", chromedp.WaitVisible(chromedp.CSS(".booking .done")))
	tripURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimPrefix(strings.SplitN(tripURL, "?", 2)[0], srv.URL+"/enterprise/trips/")
	trip, err := db.Trip(context.Background(), admin, id)
	if err != nil {
		t.Fatalf("the declared trip %q: %v", id, err)
	}
	submit(`.windows tbody form button`)
	run("booked", chromedp.WaitVisible(chromedp.CSS(".windows tr.mine")))
	axe(t, ctx, "enterprise trip booked")
	screenshots(t, ctx, dir, "enterprise-trip")
	signOut()

	// The driver's page, in its own tab.
	driver, cancel := chromedp.NewContext(ctx)
	defer cancel()
	lookup := srv.URL + "/trip?" + url.Values{"code": {trip.Code}, "plate": {"20c45678"}, "lang": {"vi"}}.Encode()
	if err := chromedp.Do(driver, chromedp.Navigate(lookup)); err != nil {
		t.Fatal(err)
	}
	// The page is not reloaded: it looks again by itself.
	if _, err := chromedp.Run(driver, chromedp.Evaluate[bool](`window.notReloaded = true`)); err != nil {
		t.Fatal(err)
	}
	status := func(want cuakhau.Status) {
		t.Helper()
		is := `document.querySelector(".trip .status").dataset.status === "` + string(want) + `" && window.notReloaded === true`
		if _, err := chromedp.Run(driver, chromedp.Poll[bool](is, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			got, _ := chromedp.Run(driver, chromedp.Evaluate[string](`document.querySelector(".trip .status").dataset.status`))
			t.Errorf("the driver's page says %q, want %s without a reload (%v)", got, want, err)
		}
	}
	status(cuakhau.StatusBooked)

	// The camera at the yard checks it in; the operator calls it.
	arrive(t, db, trip.ID)
	status(cuakhau.StatusArrived)
	signIn("dieu-hanh", "/operator?lang=vi")
	run("the console lists it", chromedp.WaitVisible(chromedp.CSS(`table.queue tr[data-trip="`+trip.ID+`"]`)))
	run("one truck", chromedp.SendKeys(chromedp.ID("call-count"), "1"))
	submit(`form.call button`)
	if got, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".done"))); got != "Đã gọi 1 xe." {
		t.Errorf("the console says %q after the call", got)
	}
	signOut()
	status(cuakhau.StatusCalled)
	if got, _ := chromedp.Run(driver, chromedp.Text(chromedp.ID("trip-live"))); !strings.Contains(got, ".") {
		t.Errorf("the call was not announced: %q", got)
	}

	// Into the zone (the gate's camera), then each officer from the worklist.
	decideAs(t, db, admin, trip.ID, cuakhau.Decision{Checkpoint: "entry", Outcome: cuakhau.OutcomePass})
	status(cuakhau.StatusInZone)
	for _, name := range []string{"y-te", "hai-quan", "kiem-dich", "bien-phong"} {
		signIn(name, "/checkpoint?lang=vi")
		run(name+"'s worklist", chromedp.WaitVisible(chromedp.CSS(`.worklist tbody a`)))
		submit(`.worklist tbody a`)
		run(name+" passes", chromedp.WaitVisible(chromedp.CSS(`form.decision`)), chromedp.Click(chromedp.CSS(`input[name="outcome"][value="pass"]`)))
		if users[name].Role == cuakhau.RoleCustoms {
			run("the channel", chromedp.SetValue(chromedp.ID("channel"), "green"))
		}
		submit(`form.decision button`)
		run(name+" recorded", chromedp.WaitVisible(chromedp.CSS(`.done`)))
		signOut()
	}
	for _, cp := range []string{"fee", "exit"} {
		decideAs(t, db, admin, trip.ID, cuakhau.Decision{Checkpoint: cp, Outcome: cuakhau.OutcomePass})
	}
	status(cuakhau.StatusCrossed)
	axe(t, driver, "driver's page crossed")
}
