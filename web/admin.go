package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/cuakhau/cuakhau"
)

// adminView is the administrator's page: the accounts and API tokens with
// the forms that add, disable and revoke them, and the gates.
type adminView struct {
	L      Lang
	Users  []*cuakhau.User
	Tokens []*cuakhau.Token
	Gates  []adminGate
	Roles  []cuakhau.Role
	// GateOpts are the gates an account or a token may be bound to.
	GateOpts []gateOption
	// Form and Errs are the refused form's input and rules, by field;
	// FormName says which form ("user" or "token").
	FormName string
	Form     url.Values
	Errs     map[string]string
	Conflict string
	Done     string
	// Secret is a token just made, shown this once.
	Secret   string
	NewToken *cuakhau.Token
	Zone     string
}

// adminGate is a gate's hours and a way to its controls.
type adminGate struct {
	Code, Name, Hours, Zone string
}

// V is the refused form's value of field when form is the one refused.
func (v *adminView) V(form, field string) string {
	if v.FormName != form || v.Form == nil {
		return ""
	}
	return v.Form.Get(field)
}

// E is the refused form's error of field.
func (v *adminView) E(form, field string) string {
	if v.FormName != form {
		return ""
	}
	return v.Errs[field]
}

func (w *Web) adminView(rw http.ResponseWriter, r *http.Request) (*adminView, error) {
	if w.cfg.Admin == nil {
		return nil, errors.New("web: no admin service configured")
	}
	p, _ := principalFrom(r.Context())
	l := langOf(rw, r)
	ctx := r.Context()
	v := &adminView{L: l, Roles: cuakhau.Roles, Zone: zoneLabel(w.now(), defaultZone)}
	var err error
	if v.Users, err = w.cfg.Admin.Users(ctx, p); err != nil {
		return nil, err
	}
	if v.Tokens, err = w.cfg.Admin.Tokens(ctx, p); err != nil {
		return nil, err
	}
	gs, err := w.cfg.Gates.Gates(ctx)
	if err != nil {
		return nil, err
	}
	for _, g := range gs {
		v.GateOpts = append(v.GateOpts, gateOption{g.Code, gateName(l, g)})
		v.Gates = append(v.Gates, adminGate{Code: g.Code, Name: gateName(l, g), Hours: g.Hours.Open + "–" + g.Hours.Close, Zone: g.TimeZone})
	}
	return v, nil
}

// adminFormView is one of the page's two forms of a bound principal (a
// user or a token), for the "admin_bound" template.
type adminFormView struct {
	V    *adminView
	Form string
	CSRF string
}

func adminForm(v *adminView, form, csrf string) adminFormView {
	return adminFormView{V: v, Form: form, CSRF: csrf}
}

// adminPage is /admin.
func (w *Web) adminPage(rw http.ResponseWriter, r *http.Request) error {
	v, err := w.adminView(rw, r)
	if err != nil {
		return err
	}
	if done := r.URL.Query().Get("done"); done != "" {
		if _, ok := messages["admin.done."+done]; ok {
			v.Done = v.L.T("admin.done."+done, r.URL.Query().Get("name"))
		}
	}
	w.render(rw, r, v.L, http.StatusOK, "admin", v.L.T("admin.title"), v)
	return nil
}

// adminBack is /admin after a form that worked.
func adminBack(rw http.ResponseWriter, r *http.Request, done, name string) {
	q := url.Values{"lang": {langOf(rw, r).Code()}, "done": {done}, "name": {name}}
	http.Redirect(rw, r, "/admin?"+q.Encode(), http.StatusSeeOther)
}

// adminRefused shows the page again with form's refusal: fields beside
// them (400), a conflict or a missing account above the forms (409, 404).
func (w *Web) adminRefused(rw http.ResponseWriter, r *http.Request, form string, err error) error {
	var ce *cuakhau.Error
	if !errors.As(err, &ce) || (ce.Code != cuakhau.EINVALID && ce.Code != cuakhau.ECONFLICT && ce.Code != cuakhau.ENOTFOUND) {
		return err
	}
	v, verr := w.adminView(rw, r)
	if verr != nil {
		return verr
	}
	v.FormName, v.Form = form, r.PostForm
	status := map[string]int{cuakhau.EINVALID: http.StatusBadRequest, cuakhau.ENOTFOUND: http.StatusNotFound, cuakhau.ECONFLICT: http.StatusConflict}[ce.Code]
	if len(ce.Fields) > 0 {
		v.Errs = ce.Fields
	} else {
		v.Conflict = ce.Message
	}
	w.render(rw, r, v.L, status, "admin", v.L.T("admin.title"), v)
	return nil
}

// adminCreateUser is POST /admin/users: a new account with its password.
func (w *Web) adminCreateUser(rw http.ResponseWriter, r *http.Request) error {
	p, _ := principalFrom(r.Context())
	u := cuakhau.User{Name: r.PostFormValue("name"), Role: cuakhau.Role(r.PostFormValue("role")),
		Gate: r.PostFormValue("gate"), TaxCode: r.PostFormValue("tax_code")}
	// The password is never sent back into the form.
	pw := r.PostFormValue("password")
	r.PostForm.Del("password")
	if _, err := w.cfg.Admin.CreateUser(r.Context(), p, u, pw); err != nil {
		return w.adminRefused(rw, r, "user", err)
	}
	adminBack(rw, r, "user", u.Name)
	return nil
}

// adminDisableUser is POST /admin/users/{name}/disable.
func (w *Web) adminDisableUser(rw http.ResponseWriter, r *http.Request) error {
	p, _ := principalFrom(r.Context())
	name := r.PathValue("name")
	if _, err := w.cfg.Admin.DisableUser(r.Context(), p, name); err != nil {
		return w.adminRefused(rw, r, "", err)
	}
	adminBack(rw, r, "disabled", name)
	return nil
}

// adminCreateToken is POST /admin/tokens: a new API token, whose secret
// the answer shows this once (it is stored only as a hash).
func (w *Web) adminCreateToken(rw http.ResponseWriter, r *http.Request) error {
	p, _ := principalFrom(r.Context())
	t := cuakhau.Token{Name: r.PostFormValue("name"), Role: cuakhau.Role(r.PostFormValue("role")),
		Gate: r.PostFormValue("gate"), TaxCode: r.PostFormValue("tax_code")}
	secret, made, err := w.cfg.Admin.CreateToken(r.Context(), p, t)
	if err != nil {
		return w.adminRefused(rw, r, "token", err)
	}
	v, err := w.adminView(rw, r)
	if err != nil {
		return err
	}
	v.Secret, v.NewToken = secret, made
	w.render(rw, r, v.L, http.StatusCreated, "admin", v.L.T("admin.title"), v)
	return nil
}

// adminRevokeToken is POST /admin/tokens/{id}/revoke.
func (w *Web) adminRevokeToken(rw http.ResponseWriter, r *http.Request) error {
	p, _ := principalFrom(r.Context())
	id := r.PathValue("id")
	if _, err := w.cfg.Admin.RevokeToken(r.Context(), p, id); err != nil {
		return w.adminRefused(rw, r, "", err)
	}
	adminBack(rw, r, "revoked", id)
	return nil
}
