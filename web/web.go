// Package web serves cuakhau's pages: server-rendered HTML over the same
// service interfaces as the JSON API (never the API or the store itself).
//
// Shape:
//   - a page is a handler, a template (templates/NAME.html, parsed with the
//     layout at start: a template that does not parse fails New) and its
//     messages (messages.go, in Vietnamese, English and Chinese);
//   - each route carries its access rule (public pages have none; pages of
//     signed-in roles add theirs), checked before the handler runs;
//   - the language is chosen by ?lang=, remembered in a cookie, else offered
//     by Accept-Language, else Vietnamese;
//   - static files are embedded and served under content-hashed URLs with
//     long cache lifetimes, text files gzipped; no CDN, no external font;
//   - live pages update by Server-Sent Events from one broadcaster per
//     stream, so a thousand open boards cost one read of the feed a tick.
package web

import (
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/stats"
)

// Config is what the pages serve from. Queue and Gates are required.
type Config struct {
	Gates cuakhau.GateService
	Queue cuakhau.QueueService
	// Trips shows a trip to a checkpoint's officer and records the
	// decision, Worklist lists the trucks waiting at the checkpoint (the
	// /checkpoint pages); without them those pages answer 500.
	Trips    cuakhau.TripService
	Worklist cuakhau.WorklistService
	// Lookup finds a driver's trip by code and plate (the /trip page);
	// without it the page answers 500.
	Lookup cuakhau.LookupService
	// Allow spends one of the client's open requests, as the API's open
	// routes do, so that a client has one budget for both; false with the
	// wait when it is spent. Nil allows every request.
	Allow func(*http.Request) (bool, time.Duration)
	// Sessions signs users in and out and finds the user of a session
	// cookie; without it nobody can sign in and the login form answers 500.
	Sessions cuakhau.SessionService
	// SecureCookies gives the session and CSRF cookies the Secure
	// attribute on every request, for a server behind a proxy that ends
	// TLS; requests that come over TLS themselves get it anyway.
	SecureCookies bool
	// Client names a request's client for counting failed logins (the
	// API's rule, which believes X-Forwarded-For from trusted proxies
	// alone). Nil takes the connection's address.
	Client func(*http.Request) string
	// Notices lists a gate's latest messages on the operator's console;
	// without it the console lists none.
	Notices cuakhau.NoticeService
	// Devices lists a gate's devices and alerts on the operator's console
	// and moves its barriers by hand; without it the console shows none.
	Devices DeviceBoard
	// Admin manages users and API tokens (the /admin page); without it
	// the page answers 500.
	Admin cuakhau.AdminService
	// Stats answers the dashboard's figures and its reports (the
	// /dashboard pages); without it they answer 500.
	Stats stats.Source
	// Indicators are the province's targets the dashboard tracks.
	Indicators []stats.Indicator
	// Actuals gives the values entered for the indicators the platform
	// cannot measure, and Enter stores them (the dashboard's form for
	// admins); without them those show no data and the form is not shown.
	Actuals stats.ActualSource
	Enter   IndicatorEntry
	// Reference is the published figures the dashboard's chart of trucks a
	// day is read against (nil: none).
	Reference *stats.Reference
	// Clock is the pages' time (today's figures, the default range); nil
	// is the system's.
	Clock cuakhau.Clock
	// TripRefresh is how often a driver's open trip page looks again,
	// so that it shows the call without a reload (default 30 s).
	TripRefresh time.Duration
	// BoardInterval is how often the board's live stream looks at the feed
	// (default 2 s).
	BoardInterval time.Duration
	// Logger receives internal errors. Nil discards.
	Logger *slog.Logger
}

// Web is the pages as an http.Handler.
type Web struct {
	cfg     Config
	logger  *slog.Logger
	pages   map[string]*template.Template
	assets  *assets
	mux     *http.ServeMux
	handler http.Handler
	live    *broadcaster

	closeOnce sync.Once
}

// New parses every template and returns the pages. A template that does not
// parse, or a page whose template is missing, is an error: better refused
// at start than broken at the first request.
func New(cfg Config) (*Web, error) {
	return newWeb(cfg, templateFS, staticFS)
}

func newWeb(cfg Config, tmpl, static fs.FS) (*Web, error) {
	if cfg.Gates == nil || cfg.Queue == nil {
		return nil, errors.New("web: Config needs Gates and Queue")
	}
	if cfg.BoardInterval <= 0 {
		cfg.BoardInterval = 2 * time.Second
	}
	if cfg.TripRefresh < time.Second {
		cfg.TripRefresh = 30 * time.Second
	}
	w := &Web{cfg: cfg, logger: cfg.Logger, mux: http.NewServeMux()}
	if w.logger == nil {
		w.logger = slog.New(slog.DiscardHandler)
	}
	var err error
	if w.assets, err = loadAssets(static); err != nil {
		return nil, err
	}
	if w.pages, err = parsePages(tmpl, w.assets); err != nil {
		return nil, err
	}
	w.live = newBroadcaster(cfg.BoardInterval, w.renderBoardFragments, w.logger)
	for _, rt := range w.routes() {
		h := rt.handle
		if rt.access != nil {
			h = rt.access(h)
		}
		if rt.throttled {
			h = w.throttle(h)
		}
		w.mux.Handle(rt.pattern, w.serve(h))
	}
	w.mux.Handle("GET /static/", w.assets)
	w.mux.Handle("/", w.serve(w.notFound))
	_, styleHash := w.assets.inlineCSS("app.css")
	w.handler = secureHeaders(w.recoverPanics(w.withSession(w.mux)), styleHash)
	return w, nil
}

// ServeHTTP serves one request.
func (w *Web) ServeHTTP(rw http.ResponseWriter, r *http.Request) { w.handler.ServeHTTP(rw, r) }

// Close ends the live streams, so that a server shutting down does not wait
// for them. Register it with http.Server.RegisterOnShutdown.
func (w *Web) Close() { w.closeOnce.Do(w.live.close) }

// handlerFunc is a page handler that returns its failure instead of writing
// it, so that every error page is written in one place (writeError).
type handlerFunc func(rw http.ResponseWriter, r *http.Request) error

// route is one page or stream. access, when set, wraps the handler with the
// page's access rule (signedIn with the page's roles); nil is public. Every
// route needs a row in auth_test.go's role × page matrix.
type route struct {
	pattern   string
	throttled bool
	access    func(handlerFunc) handlerFunc
	handle    handlerFunc
}

func (w *Web) routes() []route {
	return []route{
		{"GET /{$}", true, nil, w.boardPage},
		{"GET /events/board", true, nil, w.boardEvents},
		{"GET /trip", true, nil, w.tripPage},
		{"GET /login", true, nil, w.loginPage},
		{"POST /login", true, nil, w.login},
		{"POST /logout", false, nil, w.logout},
		{"GET /enterprise", false, signedIn(enterpriseRoles...), w.enterprisePage},
		{"GET /enterprise/declare", false, signedIn(enterpriseRoles...), w.declarePage},
		{"POST /enterprise/declare", false, signedIn(enterpriseRoles...), w.declare},
		{"GET /enterprise/trips/{id}", false, signedIn(enterpriseRoles...), w.enterpriseTripPage},
		{"POST /enterprise/trips/{id}/booking", false, signedIn(enterpriseRoles...), w.book},
		{"POST /enterprise/trips/{id}/cancel", false, signedIn(enterpriseRoles...), w.enterpriseCancel},
		{"GET /operator", false, signedIn(operatorRoles...), w.operatorPage},
		{"POST /operator/call", false, signedIn(operatorRoles...), w.operatorCall},
		{"POST /operator/controls", false, signedIn(operatorRoles...), w.operatorControls},
		{"POST /operator/capacity", false, signedIn(operatorRoles...), w.operatorCapacity},
		{"POST /operator/barrier", false, signedIn(operatorRoles...), w.operatorBarrier},
		{"POST /operator/cancel", false, signedIn(operatorRoles...), w.operatorCancel},
		{"GET /admin", false, signedIn(cuakhau.RoleAdmin), w.adminPage},
		{"POST /admin/users", false, signedIn(cuakhau.RoleAdmin), w.adminCreateUser},
		{"POST /admin/users/{name}/disable", false, signedIn(cuakhau.RoleAdmin), w.adminDisableUser},
		{"POST /admin/tokens", false, signedIn(cuakhau.RoleAdmin), w.adminCreateToken},
		{"POST /admin/tokens/{id}/revoke", false, signedIn(cuakhau.RoleAdmin), w.adminRevokeToken},
		{"GET /checkpoint", false, signedIn(officerRoles()...), w.checkpointPage},
		{"GET /checkpoint/trips/{id}", false, signedIn(officerRoles()...), w.checkpointTripPage},
		{"POST /checkpoint/trips/{id}", false, signedIn(officerRoles()...), w.decide},
		{"GET /dashboard", false, signedIn(dashboardRoles...), w.dashboardPage},
		{"GET /dashboard/report", false, signedIn(dashboardRoles...), w.reportDownload},
		{"POST /dashboard/indicators", false, signedIn(cuakhau.RoleAdmin), w.enterIndicator},
	}
}

func (w *Web) serve(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if err := h(rw, r); err != nil {
			w.writeError(rw, r, err)
		}
	})
}

// throttle spends one of the client's open requests before h runs.
func (w *Web) throttle(h handlerFunc) handlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) error {
		if w.cfg.Allow != nil {
			if ok, wait := w.cfg.Allow(r); !ok {
				return &throttled{wait}
			}
		}
		return h(rw, r)
	}
}

// throttled is a request refused for its client's spent budget.
type throttled struct{ wait time.Duration }

func (t *throttled) Error() string { return "too many requests" }

func (w *Web) notFound(rw http.ResponseWriter, r *http.Request) error {
	return cuakhau.Errorf(cuakhau.ENOTFOUND, "no page %s", r.URL.Path)
}

// errorView is what the error page shows.
type errorView struct {
	Status  int
	Title   string
	Message string
	// Fields are a refused request's fields with the rule each broke.
	Fields []fieldRule
}

type fieldRule struct{ Field, Rule string }

// writeError writes err as an HTML page in the reader's language: the
// message of a cuakhau error a user can act on, nothing of an internal one
// (which goes to the log).
func (w *Web) writeError(rw http.ResponseWriter, r *http.Request, err error) {
	l := langOf(rw, r)
	status := http.StatusInternalServerError
	v := errorView{Title: l.T("error.internal.title"), Message: l.T("error.internal")}
	var te *throttled
	switch code := cuakhau.ErrorCode(err); {
	case errors.As(err, &te):
		status = http.StatusTooManyRequests
		secs := max(1, int((te.wait+time.Second-1)/time.Second))
		rw.Header().Set("Retry-After", strconv.Itoa(secs))
		v = errorView{Title: l.T("error.throttled.title"), Message: l.T("error.throttled", secs)}
	case code == cuakhau.ENOTFOUND:
		status = http.StatusNotFound
		v = errorView{Title: l.T("error.notfound.title"), Message: l.T("error.notfound")}
	case code == cuakhau.EFORBIDDEN:
		status = http.StatusForbidden
		v = errorView{Title: l.T("error.forbidden.title"), Message: l.T("error.forbidden")}
	case code == cuakhau.EINVALID:
		status = http.StatusBadRequest
		v = errorView{Title: l.T("error.invalid.title"), Message: l.T("error.invalid")}
		fields := cuakhau.ErrorFields(err)
		for _, f := range slices.Sorted(maps.Keys(fields)) {
			v.Fields = append(v.Fields, fieldRule{f, fields[f]})
		}
		if len(fields) == 0 {
			v.Fields = []fieldRule{{"", err.Error()}}
		}
	case code == cuakhau.EUNAVAILABLE:
		status = http.StatusServiceUnavailable
		rw.Header().Set("Retry-After", "5")
		v = errorView{Title: l.T("error.unavailable.title"), Message: l.T("error.unavailable")}
	default:
		w.logger.Error("page failed", "path", r.URL.Path, "err", err)
	}
	v.Status = status
	w.render(rw, r, l, status, "error", v.Title, v)
}

// recoverPanics turns a panic in a handler into the 500 page.
func (w *Web) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				w.logger.Error("page panicked", "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				w.writeError(rw, r, errors.New("panic"))
			}
		}()
		next.ServeHTTP(rw, r)
	})
}

// secureHeaders are on every answer: no sniffing, no framing, no referrer
// (a trip page's URL holds its code and plate), and a content policy that
// allows this server's own scripts, styles and images alone, and the one
// inline style sheet whose hash is inlineStyle (app.css, inlined in the
// board).
func secureHeaders(next http.Handler, inlineStyle string) http.Handler {
	csp := "default-src 'self'; style-src 'self' " + inlineStyle + "; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		h := rw.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", csp)
		next.ServeHTTP(rw, r)
	})
}
