package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/httpapi"
	"github.com/cuakhau/cuakhau/web"
)

// The browser tests run the pages in a real headless Chromium (Debian's
// chromium package, which scripts/test.sh installs when it is missing).
// Screenshots go to $CUAKHAU_ARTIFACTS when it is set, else to the test's
// temporary folder.

// chromiumPath finds the browser, or "" when none is installed.
func chromiumPath() string {
	for _, p := range []string{"/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// browser starts a headless Chromium for the test and returns a tab.
func browser(t testing.TB) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		t.Skip("SKIPPING THE BROWSER TESTS: no Chromium installed (apt-get install chromium; scripts/test.sh does it)")
	}
	tmp := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path),
		chromedp.UserDataDir(filepath.Join(tmp, "profile")), chromedp.Env("TMPDIR="+tmp), chromedp.WindowSize(1280, 900))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelT(); cancelB(); cancelA() })
	if err := chromedp.Do(ctx); err != nil { // start the browser now
		t.Fatalf("start %s: %v", path, err)
	}
	return ctx
}

// artifacts is the folder screenshots go to.
func artifacts(t *testing.T) string {
	dir := os.Getenv("CUAKHAU_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// screenshots writes the page at 360 px (a phone) and 1280 px wide.
func screenshots(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	for _, w := range []int64{360, 1280} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, 800)); err != nil {
			t.Fatal(err)
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, w)), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
}

// axe runs axe-core on the page and fails the test on every serious or
// critical violation.
func axe(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	src, err := os.ReadFile("testdata/vendor/axe-core/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](string(src)+";true")); err != nil {
		t.Fatalf("inject axe-core: %v", err)
	}
	found, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`axe.run(document, {resultTypes: ["violations"]}).then(r =>
		r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
		 .map(v => v.impact + " " + v.id + ": " + v.help + " at " + v.nodes.map(n => n.target.join(" ")).join(", ")))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe-core: %v", err)
	}
	for _, v := range found {
		t.Errorf("%s: %s", name, v)
	}
}

// TestBrowser: in a real browser, the board shows the gates and changes
// live when a truck checks in through the API; the driver's lookup finds
// the trip as typed and shows nothing for a wrong plate; every page passes
// axe-core and is photographed at 360 and 1280 px.
func TestBrowser(t *testing.T) {
	ctx := browser(t)
	clock := cuakhau.NewFixedClock(testNow)
	db := openStore(t, clock)
	secret, _, err := db.CreateToken(context.Background(), cuakhau.Token{Name: "op", Role: cuakhau.RoleOperator, Gate: "huu-nghi"})
	if err != nil {
		t.Fatal(err)
	}
	api := httpapi.New(httpapi.Config{Gates: db, Trips: db, Tokens: db, Queue: db, Lookup: db})
	pages := newPages(t, db, func(c *web.Config) { c.Allow = api.AllowOpen })
	mux := http.NewServeMux()
	mux.Handle("/api/", api)
	mux.Handle("/", pages)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	dir := artifacts(t)
	trip := declare(t, db, testDecl)

	// The board, live.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#gate-huu-nghi tr[data-direction="export"]`))); err != nil {
		t.Fatal(err)
	}
	waiting := `document.querySelector('#gate-huu-nghi tr[data-direction="export"] .waiting').textContent.trim()`
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](waiting)); err != nil || got != "0" {
		t.Fatalf("waiting before the check-in: %q, %v", got, err)
	}
	// The stream is open once the page says it updates live.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("live").textContent !== ""`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the live stream did not open: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded = true`)); err != nil {
		t.Fatal(err)
	}
	axe(t, ctx, "board")
	screenshots(t, ctx, dir, "board")

	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/trips/"+trip.ID+"/arrival", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("check-in through the API: %v %v", res, err)
	}
	res.Body.Close()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](waiting+` === "1"`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the board did not show the check-in: %v", err)
	}
	if still, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded === true`)); err != nil || !still {
		t.Errorf("the board reloaded to show the check-in (%v)", err)
	}

	// The driver's lookup, typed loosely into the form.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/trip"),
		chromedp.SendKeys(chromedp.ID("code"), strings.ToLower(strings.ReplaceAll(trip.Code, "-", ""))),
		chromedp.SendKeys(chromedp.ID("plate"), "20c45678")); err != nil {
		t.Fatal(err)
	}
	axe(t, ctx, "trip form")
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form.lookup button`))); err != nil {
		t.Fatal(err)
	}
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".trip .status")))
	if err != nil || status != "Waiting in the yard" { // the browser asks for English
		t.Errorf("the trip's status reads %q (%v)", status, err)
	}
	axe(t, ctx, "trip")
	screenshots(t, ctx, dir, "trip")

	wrong := srv.URL + "/trip?" + url.Values{"code": {trip.Code}, "plate": {"29C-999.99"}, "lang": {"en"}}.Encode()
	if err := chromedp.Do(ctx, chromedp.Navigate(wrong)); err != nil {
		t.Fatal(err)
	}
	if got, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("result"))); err != nil || got != "Not found." {
		t.Errorf("a wrong plate shows %q (%v)", got, err)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".trip").length`)); err != nil || n != 0 {
		t.Errorf("a wrong plate shows a trip (%d, %v)", n, err)
	}
	axe(t, ctx, "trip not found")
	screenshots(t, ctx, dir, "trip-not-found")

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/nowhere")); err != nil {
		t.Fatal(err)
	}
	axe(t, ctx, "not found page")
	t.Logf("screenshots in %s", dir)
}

// TestBrowserLogin: in a real browser, a signed-in page sends the reader to
// the login form and back after it; the form's CSRF token and the session
// cookie work as a browser keeps them; signing out ends the session.
func TestBrowserLogin(t *testing.T) {
	ctx := browser(t)
	db := openStore(t, cuakhau.NewFixedClock(testNow))
	addUser(t, db, cuakhau.User{Name: "lan.admin", Role: cuakhau.RoleAdmin})
	pages := newPages(t, db, func(c *web.Config) { c.Sessions = db })
	srv := httptest.NewServer(pages)
	defer srv.Close()
	dir := artifacts(t)

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/admin?lang=en"), chromedp.WaitVisible(chromedp.ID("password"))); err != nil {
		t.Fatal(err)
	}
	if loc, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname + location.search`)); err != nil || !strings.HasPrefix(loc, "/login?next=") {
		t.Fatalf("a signed-in page opened as nobody is at %q (%v), want the login form", loc, err)
	}
	axe(t, ctx, "login")
	screenshots(t, ctx, dir, "login")

	// A wrong password: the form again, saying so.
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("name"), "lan.admin"), chromedp.SendKeys(chromedp.ID("password"), "wrong password!")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form.login button`))); err != nil {
		t.Fatal(err)
	}
	if got, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("login-err"))); err != nil || got != "Wrong user name or password." {
		t.Errorf("a wrong password shows %q (%v)", got, err)
	}
	axe(t, ctx, "login failed")

	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("password"), password)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form.login button`))); err != nil {
		t.Fatal(err)
	}
	who, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("header .whoami")))
	if err != nil || who != "lan.admin · administrator" {
		t.Fatalf("after login the page says %q (%v)", who, err)
	}
	if path, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`)); path != "/admin" {
		t.Errorf("after login the browser is at %q, want back at /admin", path)
	}
	if cookies, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.cookie`)); strings.Contains(cookies, "cuakhau_session") {
		t.Error("the session cookie is readable by scripts")
	}
	axe(t, ctx, "admin")
	screenshots(t, ctx, dir, "admin")

	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form.session button`))); err != nil {
		t.Fatal(err)
	}
	if path, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`)); path != "/login" {
		t.Errorf("after logout the browser is at %q, want the login form", path)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/admin"), chromedp.WaitVisible(chromedp.ID("password"))); err != nil {
		t.Fatalf("after logout /admin does not ask for a login: %v", err)
	}
}
