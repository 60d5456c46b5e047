package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"

	"strings"

	"github.com/cuakhau/cuakhau"
)

// Cookies and the names a CSRF token travels under.
const (
	sessionCookie = "cuakhau_session"
	csrfCookie    = "cuakhau_csrf"
	csrfField     = "csrf"         // in a form
	csrfHeader    = "X-CSRF-Token" // on an htmx request (the layout sets hx-headers)
	maxFormBytes  = 1 << 20
)

// authKey carries what the session layer found: the session's secret and
// the request's CSRF token.
type authKey struct{}

type auth struct {
	secret string // the session cookie's value, "" when not signed in
	csrf   string // the token forms of this request carry, "" when none yet
}

func authFrom(ctx context.Context) auth {
	a, _ := ctx.Value(authKey{}).(auth)
	return a
}

// csrfOf is the session-bound CSRF token of a session secret: a keyed hash
// of it, so that it cannot be made without the cookie and changes with each
// session.
func csrfOf(secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("cuakhau csrf"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// secure reports whether cookies get the Secure attribute: when the
// request came over TLS, or always with Config.SecureCookies (behind a
// proxy that ends TLS).
func (w *Web) secure(r *http.Request) bool { return w.cfg.SecureCookies || r.TLS != nil }

// setCookie sets a cookie of the browser's session (it goes when the
// browser closes; the store ends the login itself at its expiry, by its own
// clock), or deletes it when value is "".
func (w *Web) setCookie(rw http.ResponseWriter, r *http.Request, name, value string) {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: w.secure(r)}
	if value == "" {
		c.MaxAge = -1
	}
	http.SetCookie(rw, c)
}

// withSession is the session layer around every page: it finds the
// signed-in user from the session cookie and puts them in the request
// (withPrincipal), and refuses a request that changes anything (any method
// but GET and HEAD) without the CSRF token of its session — or, before
// login, the one of the login form's cookie — with 403.
func (w *Web) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var a auth
		ctx := r.Context()
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" && w.cfg.Sessions != nil {
			s, err := w.cfg.Sessions.Session(ctx, c.Value)
			switch {
			case err == nil:
				a = auth{secret: c.Value, csrf: csrfOf(c.Value)}
				ctx = withPrincipal(ctx, s.User.Principal())
			case cuakhau.ErrorCode(err) == cuakhau.EUNAUTHORIZED:
				w.setCookie(rw, r, sessionCookie, "") // ended or expired: forget it
			default:
				w.writeError(rw, r, err)
				return
			}
		}
		if a.csrf == "" {
			if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) == 43 {
				a.csrf = c.Value
			}
		}
		r = r.WithContext(context.WithValue(ctx, authKey{}, a))
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			r.Body = http.MaxBytesReader(rw, r.Body, maxFormBytes)
			got := r.Header.Get(csrfHeader)
			if got == "" {
				got = r.PostFormValue(csrfField)
			}
			if a.csrf == "" || subtle.ConstantTimeCompare([]byte(got), []byte(a.csrf)) != 1 {
				w.writeError(rw, r, cuakhau.Errorf(cuakhau.EFORBIDDEN, "missing or wrong CSRF token"))
				return
			}
		}
		next.ServeHTTP(rw, r)
	})
}

// loginView is what the login page shows.
type loginView struct {
	Name  string
	Next  string
	Error string
}

// loginPage is the sign-in form. Before a session exists the form's CSRF
// token is a random one kept in a cookie of its own (double submit).
func (w *Web) loginPage(rw http.ResponseWriter, r *http.Request) error {
	return w.renderLogin(rw, r, http.StatusOK, loginView{Next: safeNext(r.URL.Query().Get("next"))})
}

func (w *Web) renderLogin(rw http.ResponseWriter, r *http.Request, status int, v loginView) error {
	a := authFrom(r.Context())
	if a.csrf == "" {
		var raw [32]byte
		rand.Read(raw[:])
		a.csrf = base64.RawURLEncoding.EncodeToString(raw[:])
		w.setCookie(rw, r, csrfCookie, a.csrf)
		r = r.WithContext(context.WithValue(r.Context(), authKey{}, a))
	}
	l := langOf(rw, r)
	w.render(rw, r, l, status, "login", l.T("login.title"), v)
	return nil
}

// login checks the name and password and starts a session: a new secret,
// so that a session cookie planted before login is worth nothing.
func (w *Web) login(rw http.ResponseWriter, r *http.Request) error {
	if w.cfg.Sessions == nil {
		return errors.New("web: no Sessions configured")
	}
	l := langOf(rw, r)
	v := loginView{Name: strings.TrimSpace(r.PostFormValue("name")), Next: safeNext(r.PostFormValue("next"))}
	secret, s, err := w.cfg.Sessions.Login(r.Context(), v.Name, r.PostFormValue("password"), w.client(r))
	switch code := cuakhau.ErrorCode(err); {
	case err == nil:
	case code == cuakhau.EUNAUTHORIZED:
		v.Error = l.T("login.wrong")
		return w.renderLogin(rw, r, http.StatusUnauthorized, v)
	case code == cuakhau.ERATELIMITED:
		v.Error = l.T("login.throttled")
		return w.renderLogin(rw, r, http.StatusTooManyRequests, v)
	default:
		return err
	}
	w.setCookie(rw, r, sessionCookie, secret)
	w.setCookie(rw, r, csrfCookie, "")
	next := v.Next
	if next == "" {
		next = w.home(s.User.Role)
	}
	http.Redirect(rw, r, next, http.StatusSeeOther)
	return nil
}

// logout ends the session, forgets its cookie and shows the login form
// (a counter's next officer signs in there).
func (w *Web) logout(rw http.ResponseWriter, r *http.Request) error {
	if a := authFrom(r.Context()); a.secret != "" && w.cfg.Sessions != nil {
		if err := w.cfg.Sessions.Logout(r.Context(), a.secret); err != nil {
			return err
		}
	}
	w.setCookie(rw, r, sessionCookie, "")
	http.Redirect(rw, r, "/login", http.StatusSeeOther)
	return nil
}

// client names where a login comes from, for its failure counter.
func (w *Web) client(r *http.Request) string {
	if w.cfg.Client != nil {
		return w.cfg.Client(r)
	}
	if i := strings.LastIndexByte(r.RemoteAddr, ':'); i > 0 {
		return r.RemoteAddr[:i]
	}
	return r.RemoteAddr
}

// safeNext is next when it is a path of this site, else "": the login
// page never sends a user elsewhere.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") || len(next) > 2000 {
		return ""
	}
	return next
}

// roleHome is the page each role starts on after login.
var roleHome = map[cuakhau.Role]string{
	cuakhau.RoleAdmin:       "/admin",
	cuakhau.RoleEnterprise:  "/enterprise",
	cuakhau.RoleViewer:      "/dashboard",
	cuakhau.RoleOperator:    "/operator",
	cuakhau.RoleCustoms:     "/checkpoint",
	cuakhau.RoleBorderGuard: "/checkpoint",
	cuakhau.RoleQuarantine:  "/checkpoint",
	cuakhau.RoleMedical:     "/checkpoint",
}

// home is role's start page, or the board while that page does not exist.
func (w *Web) home(role cuakhau.Role) string {
	p := roleHome[role]
	for _, rt := range w.routes() {
		if rt.pattern == "GET "+p {
			return p
		}
	}
	return "/"
}
