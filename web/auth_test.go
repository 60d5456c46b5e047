package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/cuakhau/cuakhau/web"
)

const password = "mật khẩu đủ dài"

// client is a browser's cookie jar over the pages.
type client struct {
	t       testing.TB
	h       http.Handler
	cookies map[string]*http.Cookie
}

func newClient(t testing.TB, h http.Handler) *client {
	return &client{t: t, h: h, cookies: map[string]*http.Cookie{}}
}

// do sends a request with the jar's cookies and keeps the ones set.
func (c *client) do(method, target string, form url.Values, header ...string) page {
	c.t.Helper()
	var r *http.Request
	if form != nil {
		r = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	r.RemoteAddr = "198.51.100.20:4000"
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	for _, ck := range c.cookies {
		r.AddCookie(ck)
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, r)
	for _, ck := range rec.Result().Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck
		}
	}
	p := page{status: rec.Code, header: rec.Header(), body: rec.Body.String()}
	p.doc = parse(c.t, p.body)
	return p
}

// csrf is the CSRF token of the page at target: its first form's field.
func (c *client) csrf(target string) string {
	c.t.Helper()
	v, _ := c.do("GET", target, nil).doc.Find(`input[name="csrf"]`).First().Attr("value")
	return v
}

// login signs in through the form, as a browser does.
func (c *client) login(name, pw string) page {
	c.t.Helper()
	return c.do("POST", "/login", url.Values{"csrf": {c.csrf("/login")}, "name": {name}, "password": {pw}})
}

func addUser(t testing.TB, db *sqlstore.DB, u cuakhau.User) {
	t.Helper()
	if _, err := db.CreateUser(context.Background(), u, password); err != nil {
		t.Fatal(err)
	}
}

func TestLogin(t *testing.T) {
	clock := cuakhau.NewFixedClock(testNow)
	db := openStore(t, clock)
	db.SetSessionTTL(time.Hour)
	if err := db.SetLoginPolicy(cuakhau.LoginPolicy{SlowAfter: 2, Delay: time.Second, LockAfter: 3, LockFor: 10 * time.Minute, Window: time.Hour}); err != nil {
		t.Fatal(err)
	}
	addUser(t, db, cuakhau.User{Name: "lan", Role: cuakhau.RoleAdmin})
	pages := newPages(t, db, func(c *web.Config) { c.Sessions = db })

	c := newClient(t, pages)
	form := c.do("GET", "/login?next=/admin", nil)
	if form.status != 200 || form.doc.Find(`form[method="post"][action="/login"] input[name="password"][type="password"]`).Length() != 1 {
		t.Fatalf("login form: %d\n%s", form.status, form.body)
	}
	if v, _ := form.doc.Find(`input[name="next"]`).Attr("value"); v != "/admin" {
		t.Errorf("next = %q, want /admin", v)
	}
	ck := c.cookies["cuakhau_csrf"]
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
		t.Errorf("login form's CSRF cookie %+v: want HttpOnly, SameSite=Lax", ck)
	}

	// Wrong password: the form again, the name kept, no session.
	bad := c.login("lan", "wrong password!")
	if bad.status != http.StatusUnauthorized || bad.text("#login-err") == "" || c.cookies["cuakhau_session"] != nil {
		t.Fatalf("wrong password: %d, error %q, cookies %v", bad.status, bad.text("#login-err"), c.cookies)
	}
	if v, _ := bad.doc.Find(`input[name="name"]`).Attr("value"); v != "lan" {
		t.Errorf("the name typed is not kept: %q", v)
	}

	// Right password: a session cookie, back where the user was going.
	ok := c.do("POST", "/login", url.Values{"csrf": {c.csrf("/login")}, "name": {"lan"}, "password": {password}, "next": {"/admin"}})
	if ok.status != http.StatusSeeOther || ok.header.Get("Location") != "/admin" {
		t.Fatalf("login: %d to %q\n%s", ok.status, ok.header.Get("Location"), ok.body)
	}
	s := c.cookies["cuakhau_session"]
	if s == nil || !s.HttpOnly || s.SameSite != http.SameSiteLaxMode || s.Secure || s.Path != "/" {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax, Path=/, not Secure over plain HTTP", s)
	}
	adminPage := c.do("GET", "/admin", nil)
	if adminPage.status != 200 || !strings.Contains(adminPage.text(".whoami"), "lan") {
		t.Fatalf("/admin after login: %d %q", adminPage.status, adminPage.text(".whoami"))
	}

	// A next that leaves the site is not followed.
	c2 := newClient(t, pages)
	if p := c2.do("POST", "/login", url.Values{"csrf": {c2.csrf("/login")}, "name": {"lan"}, "password": {password}, "next": {"//evil.example/"}}); p.header.Get("Location") != "/admin" {
		t.Errorf("next //evil.example/: sent to %q, want the role's home /admin", p.header.Get("Location"))
	}

	// Logout ends the session in the store, not only the cookie.
	old := c.cookies["cuakhau_session"].Value
	out := c.do("POST", "/logout", url.Values{"csrf": {c.csrf("/admin")}})
	if out.status != http.StatusSeeOther || out.header.Get("Location") != "/login" || c.cookies["cuakhau_session"] != nil {
		t.Fatalf("logout: %d, cookies %v", out.status, c.cookies)
	}
	if _, err := db.Session(context.Background(), old); cuakhau.ErrorCode(err) != cuakhau.EUNAUTHORIZED {
		t.Errorf("the session lives on after logout: %v", err)
	}
	replay := newClient(t, pages)
	replay.cookies["cuakhau_session"] = &http.Cookie{Name: "cuakhau_session", Value: old}
	if p := replay.do("GET", "/admin", nil); p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/login") {
		t.Errorf("the old cookie after logout: %d to %q, want a redirect to /login", p.status, p.header.Get("Location"))
	}

	// An expired session sends the user to the login page again.
	c3 := newClient(t, pages)
	c3.login("lan", password)
	clock.Add(time.Hour)
	if p := c3.do("GET", "/admin", nil); p.status != http.StatusSeeOther || p.header.Get("Location") != "/login?next=%2Fadmin" {
		t.Errorf("expired session: %d to %q", p.status, p.header.Get("Location"))
	}

	// Lockout: three failures lock the name; the right password is then
	// refused without being checked, from any client.
	c4 := newClient(t, pages)
	for range 3 {
		c4.login("lan", "wrong password!")
		clock.Add(5 * time.Second)
	}
	if p := c4.login("lan", password); p.status != http.StatusTooManyRequests || p.text("#login-err") == "" || c4.cookies["cuakhau_session"] != nil {
		t.Errorf("locked user with the right password: %d %q", p.status, p.text("#login-err"))
	}
	if err := db.UnlockUser(context.Background(), "lan"); err != nil {
		t.Fatal(err)
	}
	clock.Add(time.Hour) // the client's own failures are forgotten too
	if p := c4.login("lan", password); p.status != http.StatusSeeOther {
		t.Errorf("after unlock: %d", p.status)
	}
}

func TestCSRF(t *testing.T) {
	db := openStore(t, cuakhau.NewFixedClock(testNow))
	addUser(t, db, cuakhau.User{Name: "lan", Role: cuakhau.RoleAdmin})
	pages := newPages(t, db, func(c *web.Config) { c.Sessions = db })

	// Login without the form's token, or with a forged one.
	c := newClient(t, pages)
	token := c.csrf("/login")
	for _, forged := range []string{"", "x", strings.Repeat("A", 43), token + "x"} {
		p := c.do("POST", "/login", url.Values{"csrf": {forged}, "name": {"lan"}, "password": {password}})
		if p.status != http.StatusForbidden || c.cookies["cuakhau_session"] != nil {
			t.Errorf("login with CSRF token %q: %d, want 403 and no session", forged, p.status)
		}
	}
	// A token without its cookie (another browser's) is refused too.
	other := newClient(t, pages)
	if p := other.do("POST", "/login", url.Values{"csrf": {token}, "name": {"lan"}, "password": {password}}); p.status != http.StatusForbidden {
		t.Errorf("another browser's login token: %d, want 403", p.status)
	}

	// Signed in: the token is the session's; the login form's no longer works.
	c.login("lan", password)
	if c.cookies["cuakhau_session"] == nil {
		t.Fatal("no session")
	}
	admin := c.do("GET", "/admin", nil)
	sessionToken, _ := admin.doc.Find(`form[action="/logout"] input[name="csrf"]`).Attr("value")
	if sessionToken == "" || sessionToken == token {
		t.Fatalf("session CSRF token %q (login form's %q)", sessionToken, token)
	}
	// htmx requests carry it from the body's hx-headers.
	if h, _ := admin.doc.Find("body").Attr("hx-headers"); !strings.Contains(h, sessionToken) {
		t.Errorf("body hx-headers %q lacks the session's CSRF token", h)
	}
	for _, forged := range []string{"", token, sessionToken[:20]} {
		if p := c.do("POST", "/logout", url.Values{"csrf": {forged}}); p.status != http.StatusForbidden {
			t.Errorf("logout with CSRF token %q: %d, want 403", forged, p.status)
		}
		if p := c.do("POST", "/logout", nil, "X-CSRF-Token", forged); p.status != http.StatusForbidden {
			t.Errorf("logout with X-CSRF-Token %q: %d, want 403", forged, p.status)
		}
	}
	if c.cookies["cuakhau_session"] == nil || c.do("GET", "/admin", nil).status != 200 {
		t.Fatal("a refused logout ended the session")
	}
	if p := c.do("POST", "/logout", nil, "X-CSRF-Token", sessionToken); p.status != http.StatusSeeOther {
		t.Errorf("logout with the header token: %d", p.status)
	}
}

// matrix says which roles may open each page; a page with no row fails the
// test, so that each new page states who may see it. nil: a public page.
var matrix = map[string][]cuakhau.Role{
	"GET /{$}":                            nil,
	"GET /events/board":                   nil,
	"GET /trip":                           nil,
	"GET /login":                          nil,
	"POST /login":                         nil,
	"POST /logout":                        nil,
	"GET /enterprise":                     {cuakhau.RoleEnterprise, cuakhau.RoleAdmin},
	"GET /enterprise/declare":             {cuakhau.RoleEnterprise, cuakhau.RoleAdmin},
	"POST /enterprise/declare":            {cuakhau.RoleEnterprise, cuakhau.RoleAdmin},
	"GET /enterprise/trips/{id}":          {cuakhau.RoleEnterprise, cuakhau.RoleAdmin},
	"POST /enterprise/trips/{id}/booking": {cuakhau.RoleEnterprise, cuakhau.RoleAdmin},
	"POST /enterprise/trips/{id}/cancel":  {cuakhau.RoleEnterprise, cuakhau.RoleAdmin},
	"GET /admin":                          {cuakhau.RoleAdmin},
	"POST /admin/users":                   {cuakhau.RoleAdmin},
	"POST /admin/users/{name}/disable":    {cuakhau.RoleAdmin},
	"POST /admin/tokens":                  {cuakhau.RoleAdmin},
	"POST /admin/tokens/{id}/revoke":      {cuakhau.RoleAdmin},
	"GET /operator":                       {cuakhau.RoleOperator, cuakhau.RoleAdmin},
	"POST /operator/call":                 {cuakhau.RoleOperator, cuakhau.RoleAdmin},
	"POST /operator/controls":             {cuakhau.RoleOperator, cuakhau.RoleAdmin},
	"POST /operator/barrier":              {cuakhau.RoleOperator, cuakhau.RoleAdmin},
	"POST /operator/cancel":               {cuakhau.RoleOperator, cuakhau.RoleAdmin},
	"POST /operator/capacity":             {cuakhau.RoleOperator, cuakhau.RoleAdmin},
	"GET /dashboard":                      {cuakhau.RoleViewer, cuakhau.RoleAdmin},
	"GET /dashboard/report":               {cuakhau.RoleViewer, cuakhau.RoleAdmin},
	"POST /dashboard/indicators":          {cuakhau.RoleAdmin},
	"GET /checkpoint":                     {cuakhau.RoleCustoms, cuakhau.RoleQuarantine, cuakhau.RoleBorderGuard, cuakhau.RoleMedical},
	"GET /checkpoint/trips/{id}":          {cuakhau.RoleCustoms, cuakhau.RoleQuarantine, cuakhau.RoleBorderGuard, cuakhau.RoleMedical},
	"POST /checkpoint/trips/{id}":         {cuakhau.RoleCustoms, cuakhau.RoleQuarantine, cuakhau.RoleBorderGuard, cuakhau.RoleMedical},
}

// TestRolePageMatrix signs in one user of every role and opens every
// signed-in page of the web package's routes as each of them and as
// nobody: the page's roles get it, every other role 403, nobody the login
// page with the way back.
func TestRolePageMatrix(t *testing.T) {
	db := openStore(t, cuakhau.NewFixedClock(testNow))
	pages := newPages(t, db, func(c *web.Config) { c.Sessions = db })
	clients := map[cuakhau.Role]*client{}
	for _, role := range cuakhau.Roles {
		u := cuakhau.User{Name: "u-" + strings.ReplaceAll(string(role), "_", "-"), Role: role}
		switch {
		case role == cuakhau.RoleEnterprise:
			u.TaxCode = "0100109106"
		case role.Officer():
			u.Gate = "huu-nghi"
		}
		addUser(t, db, u)
		c := newClient(t, pages)
		if p := c.login(u.Name, password); p.status != http.StatusSeeOther {
			t.Fatalf("login %s: %d", u.Name, p.status)
		}
		clients[role] = c
	}
	wildcard := regexp.MustCompile(`\{[^}$]+\}`)
	signedIn := 0
	for _, rt := range web.Routes(pages) {
		allowed, ok := matrix[rt.Pattern]
		if !ok {
			t.Errorf("route %s has no row in the role × page matrix", rt.Pattern)
			continue
		}
		if rt.Public != (allowed == nil) {
			t.Errorf("route %s: public %v, but the matrix says roles %v", rt.Pattern, rt.Public, allowed)
			continue
		}
		if rt.Public {
			continue
		}
		signedIn++
		method, path, _ := strings.Cut(rt.Pattern, " ")
		target := strings.TrimSuffix(wildcard.ReplaceAllString(path, "x"), "{$}")
		anon := newClient(t, pages)
		var csrf []string
		if method != "GET" {
			csrf = []string{"X-CSRF-Token", anon.csrf("/login")}
		}
		if p := anon.do(method, target, url.Values{}, csrf...); p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/login?next=") {
			t.Errorf("%s as nobody: %d to %q, want 303 to /login?next=…", rt.Pattern, p.status, p.header.Get("Location"))
		}
		for _, role := range cuakhau.Roles {
			c := clients[role]
			if method != "GET" {
				csrf = []string{"X-CSRF-Token", c.csrf("/")}
			}
			p := c.do(method, target, url.Values{}, csrf...)
			switch {
			case !slices.Contains(allowed, role) && p.status != http.StatusForbidden:
				t.Errorf("%s as %s: %d, want 403", rt.Pattern, role, p.status)
			case slices.Contains(allowed, role) && method == "GET" && target == path && p.status != http.StatusOK:
				t.Errorf("%s as %s: %d, want 200", rt.Pattern, role, p.status)
			case slices.Contains(allowed, role) && (p.status == http.StatusForbidden || strings.HasPrefix(p.header.Get("Location"), "/login")):
				t.Errorf("%s as %s: %d to %q, want it let through", rt.Pattern, role, p.status, p.header.Get("Location"))
			}
		}
	}
	if signedIn == 0 {
		t.Fatal("no signed-in page in the routes")
	}
}

func parse(t testing.TB, body string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}
