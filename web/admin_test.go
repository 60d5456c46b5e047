package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/web"
)

func TestAdminPage(t *testing.T) {
	db := openStore(t, cuakhau.NewFixedClock(testNow))
	pages := newPages(t, db, func(c *web.Config) { c.Sessions = db })
	addUser(t, db, cuakhau.User{Name: "lan.admin", Role: cuakhau.RoleAdmin})
	c := newClient(t, pages)
	c.login("lan.admin", password)
	post := func(target string, form url.Values) page {
		t.Helper()
		form.Set("csrf", c.csrf("/admin"))
		return c.do("POST", target, form)
	}
	p := c.do("GET", "/admin?lang=vi", nil)
	if p.status != http.StatusOK || p.doc.Find(`tr[data-user="lan.admin"]`).Length() != 1 || p.doc.Find(`tr[data-gate="huu-nghi"]`).Length() != 1 {
		t.Fatalf("admin page: %d\n%s", p.status, p.body)
	}
	if p.doc.Find(`tr[data-user="lan.admin"] form`).Length() != 0 {
		t.Error("the administrator is offered to disable their own account")
	}

	// Refused: each rule beside its field, the name kept, the password never echoed.
	r := post("/admin/users", url.Values{"name": {"xu-lang"}, "role": {"enterprise"}, "password": {"pw-4x"}})
	if r.status != http.StatusBadRequest || r.text("#user-password-err") == "" || r.text("#user-tax_code-err") == "" {
		t.Errorf("a short password, no tax code: %d %q %q", r.status, r.text("#user-password-err"), r.text("#user-tax_code-err"))
	}
	if v, _ := r.doc.Find("#user-name").Attr("value"); v != "xu-lang" {
		t.Errorf("the name typed is not kept: %q", v)
	}
	if v, _ := r.doc.Find("#user-password").Attr("value"); v != "" || strings.Contains(r.body, "pw-4x") {
		t.Error("the password is sent back")
	}
	r = post("/admin/users", url.Values{"name": {"xu-lang"}, "role": {"enterprise"}, "tax_code": {"0100109106"}, "password": {password}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("add a user: %d\n%s", r.status, r.body)
	}
	if got := c.do("GET", r.header.Get("Location"), nil).text(".done"); got != "Đã thêm tài khoản xu-lang." {
		t.Errorf("after adding: %q", got)
	}
	if p := newClient(t, pages).login("xu-lang", password); p.status != http.StatusSeeOther {
		t.Errorf("the new account cannot sign in: %d", p.status)
	}
	if r := post("/admin/users", url.Values{"name": {"xu-lang"}, "role": {"viewer"}, "password": {password}}); r.status != http.StatusConflict || r.text("#conflict") == "" {
		t.Errorf("the same name again: %d %q", r.status, r.text("#conflict"))
	}

	// Disabling: not one's own; another's ends its sign-ins.
	if r := post("/admin/users/lan.admin/disable", url.Values{}); r.status != http.StatusConflict {
		t.Errorf("disable oneself: %d", r.status)
	}
	if r := post("/admin/users/xu-lang/disable", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("disable: %d", r.status)
	}
	if p := newClient(t, pages).login("xu-lang", password); p.status == http.StatusSeeOther {
		t.Error("a disabled account signs in")
	}
	if r := post("/admin/users/nobody/disable", url.Values{}); r.status != http.StatusNotFound {
		t.Errorf("disable nobody: %d", r.status)
	}

	// A token: its secret shown once and working, then revoked.
	r = post("/admin/tokens", url.Values{"name": {"camera huu-nghi"}, "role": {"operator"}, "gate": {"huu-nghi"}})
	secret := r.text("#token-secret")
	if r.status != http.StatusCreated || secret == "" {
		t.Fatalf("make a token: %d %q", r.status, secret)
	}
	pr, err := db.Authenticate(context.Background(), secret)
	if err != nil || pr.Role != cuakhau.RoleOperator || pr.Gate != "huu-nghi" {
		t.Fatalf("the new token authenticates as %+v (%v)", pr, err)
	}
	if got := c.do("GET", "/admin", nil); strings.Contains(got.body, secret) {
		t.Error("the token's secret is shown again")
	}
	if r := post("/admin/tokens/"+pr.TokenID+"/revoke", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.status)
	}
	if _, err := db.Authenticate(context.Background(), secret); cuakhau.ErrorCode(err) != cuakhau.EUNAUTHORIZED {
		t.Errorf("a revoked token authenticates: %v", err)
	}
	if r := post("/admin/tokens", url.Values{"name": {""}, "role": {"enterprise"}}); r.status != http.StatusBadRequest || r.text("#token-name-err") == "" {
		t.Errorf("a token without a name: %d %q", r.status, r.text("#token-name-err"))
	}
}
