// Package httpapi serves cuakhau's JSON API v1 over the domain services.
//
// The contract is api/openapi.yaml; this package's tests validate every
// request they make and every response they get against it.
//
// Shape, after golang/pkgsite and benbjohnson/wtf:
//   - handlers return an error; one function (writeError) turns it into the
//     response, through one table from cuakhau error codes to HTTP statuses;
//   - routes are stdlib ServeMux method patterns, each marked public or
//     protected (bearer token, checked by TokenService);
//   - cross-cutting concerns are Middleware composed with Chain: request id,
//     security headers, request log, metrics, panic recovery;
//   - the open routes and failed authentication are throttled per client
//     (Limits); a known path asked with a method it does not take is 405
//     with Allow, not 404;
//   - every POST carries an optional Idempotency-Key that is handed to the
//     services through cuakhau.WithIdempotency, so that a retried request is
//     answered from the first one and changes nothing twice ("acknowledged
//     means durable", docs/principles.md).
//
// The package owns no listener: cmd/cuakhau mounts the *API in its
// http.Server and handles graceful shutdown.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/stats"
	"github.com/cuakhau/cuakhau/translog"
)

// Config is what the API serves and reports to. Gates, Trips and Tokens are
// required; the rest have defaults.
type Config struct {
	Gates  cuakhau.GateService
	Trips  cuakhau.TripService
	Tokens cuakhau.TokenService
	// Queue serves the electronic queue's routes; without it they answer 500.
	Queue cuakhau.QueueService
	// Lookup serves the driver's lookup (GET /api/v1/lookup); without it
	// the route answers 500.
	Lookup cuakhau.LookupService
	// Log serves the transparency log's routes and the checkpoints in the
	// public feed; without it those routes answer 500 and the feed has none.
	Log *translog.Log
	// Ready reports whether the API can serve: the store is reachable and its
	// migrations are applied. Nil means always ready.
	Ready func(context.Context) error
	// Logger receives one line per request and the full text of internal
	// errors. Nil discards.
	Logger *slog.Logger
	// Registry receives the API's metrics and is what GET /metrics exposes.
	// Nil means a new registry with the Go and process collectors.
	Registry *prometheus.Registry
	// Devices serves the devices' routes; without it they answer 500.
	Devices DeviceService
	// Limits throttles the open routes and failed authentication per
	// client; the zero value throttles nothing.
	Limits Limits
	// Receipts serves the fee receipts' routes; without it they answer 500.
	Receipts cuakhau.ReceiptService
	// Beneficiary is the account receipts' VietQR codes pay to; without a
	// bank BIN receipts carry no code.
	Beneficiary Beneficiary
	// BankPayments and BankSecret take banks' signed payment notices
	// (POST /api/v1/payments/bank); without both the route answers 404.
	BankPayments BankPayments
	BankSecret   string
	// Stats serves the statistics (GET /api/v1/stats/daily); without it
	// the route answers 500.
	Stats stats.Source
}

// API is the JSON API as an http.Handler.
type API struct {
	gates  cuakhau.GateService
	trips  cuakhau.TripService
	tokens cuakhau.TokenService
	// queueSvc is nil when the queue is not configured.
	queueSvc cuakhau.QueueService
	// deviceSvc is nil when devices are not configured.
	deviceSvc DeviceService
	tlog      *translog.Log // nil when the log is not configured
	ready     func(context.Context) error
	logger    *slog.Logger
	metrics   *metrics
	limits    *limiter
	mux       *http.ServeMux
	handler   http.Handler
	lookup    cuakhau.LookupService // nil when not configured
	// receipts is nil when receipts are not configured.
	receipts     cuakhau.ReceiptService
	beneficiary  Beneficiary
	bankPayments BankPayments
	bankSecret   string
	statsSrc     stats.Source // nil when not configured
	// crossOrigin holds the patterns of the open read routes, which any
	// web page may read (CORS).
	crossOrigin map[string]bool
}

// New returns the API over cfg's services. It panics when a required service
// is missing: that is a wiring bug to catch at start-up, not at a request.
func New(cfg Config) *API {
	if cfg.Gates == nil || cfg.Trips == nil || cfg.Tokens == nil {
		panic("httpapi: Config needs Gates, Trips and Tokens")
	}
	a := &API{
		gates:     cfg.Gates,
		trips:     cfg.Trips,
		tokens:    cfg.Tokens,
		queueSvc:  cfg.Queue,
		lookup:    cfg.Lookup,
		deviceSvc: cfg.Devices,
		tlog:      cfg.Log,
		ready:     cfg.Ready,
		logger:    cfg.Logger,
		limits:    newLimiter(cfg.Limits),

		receipts:     cfg.Receipts,
		beneficiary:  cfg.Beneficiary,
		bankPayments: cfg.BankPayments,
		bankSecret:   cfg.BankSecret,
		statsSrc:     cfg.Stats,
		mux:          http.NewServeMux(),

		crossOrigin: map[string]bool{},
	}
	if a.logger == nil {
		a.logger = slog.New(slog.DiscardHandler)
	}
	a.metrics = newMetrics(cfg.Registry)
	for _, rt := range a.routes() {
		h := checkingQuery(rt.pattern, rt.handle)
		switch {
		case rt.pattern == readingsRoute || rt.pattern == acksRoute || rt.pattern == pollRoute:
			// Signed by the device; the service checks the signature.
		case rt.public:
			h = a.throttleOpen(h)
			if method, path, _ := strings.Cut(rt.pattern, " "); method == http.MethodGet && strings.HasPrefix(path, "/api/") {
				a.crossOrigin[rt.pattern] = true
				h = allowCrossOrigin(h)
			}
		default:
			h = a.authenticate(h)
		}
		a.mux.Handle(rt.pattern, a.serve(h))
	}
	// Without a catch-all the mux would answer unknown paths in text/plain
	// (and, once a catch-all exists, it no longer answers 405 itself);
	// every answer of this API is JSON.
	a.mux.Handle("/", a.serve(a.throttleOpen(a.noRoute)))
	// Recovery sits inside the log and metrics so that a panic is logged and
	// counted as the 500 it becomes; the request id is outermost so that
	// every line, the panic's included, carries it.
	a.handler = Chain(a.requestID, secureHeaders, a.logRequests, a.measure, a.recoverPanics)(a.mux)
	return a
}

// ServeHTTP serves one request.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.handler.ServeHTTP(w, r)
}

// handlerFunc is an HTTP handler that returns its failure instead of writing
// it, so that errors are written in one place (writeError) and a handler
// cannot write an error and carry on.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// route is one entry of the API's route table.
type route struct {
	pattern string
	// public routes need no token; every other route needs a bearer token.
	public bool
	handle handlerFunc
}

// routes is the route table. api/openapi.yaml describes each of these, and
// the contract test checks that the two lists agree.
func (a *API) routes() []route {
	return []route{
		{"GET /healthz", true, a.healthz},
		{"GET /readyz", true, a.readyz},
		{"GET /metrics", true, a.serveMetrics},
		{"GET /api/openapi.yaml", true, serveSpec},

		{"GET /api/v1/gates", true, a.listGates},
		{"GET /api/v1/gates/{gate}", true, a.getGate},

		{"POST /api/v1/trips", false, a.declareTrip},
		{"GET /api/v1/trips", false, a.listTrips},
		{"GET /api/v1/trips/{id}", false, a.getTrip},
		{"GET /api/v1/trips/{id}/events", false, a.listEvents},
		{"POST /api/v1/trips/{id}/events", false, a.decide},

		{"GET /api/v1/gates/{gate}/windows", true, a.listWindows},
		{"POST /api/v1/trips/{id}/booking", false, a.book},
		{"PUT /api/v1/trips/{id}/booking", false, a.book},
		{"DELETE /api/v1/trips/{id}/booking", false, a.cancelBooking},
		{"POST /api/v1/trips/{id}/arrival", false, a.arrive},
		{"PUT /api/v1/trips/{id}/priority", false, a.setPriority},
		{"GET /api/v1/gates/{gate}/queue", false, a.getQueue},
		{"POST /api/v1/gates/{gate}/call", false, a.call},
		{"PUT /api/v1/gates/{gate}/controls", false, a.setControls},
		{"PUT /api/v1/gates/{gate}/capacity", false, a.setCapacity},
		{"DELETE /api/v1/gates/{gate}/capacity", false, a.withdrawCapacity},
		{"GET /api/v1/public/waits", true, a.publicWaits},
		{"GET /api/v1/lookup", true, a.lookupTrip},

		{"GET /api/v1/log/{gate}/checkpoint", true, a.getCheckpoint},
		{"GET /api/v1/log/{gate}/consistency", true, a.getConsistency},
		{"GET /api/v1/trips/{id}/proof", false, a.getTripProof},

		{"GET /api/v1/trips/{id}/receipt", false, a.getReceipt},
		{"GET /api/v1/trips/{id}/receipt.png", false, a.getReceiptPNG},
		{"POST /api/v1/trips/{id}/receipt/payments", false, a.recordPayment},
		{"GET /api/v1/stats/daily", false, a.getDailyStats},
		{"POST /api/v1/payments/bank", true, a.postBankPayment},

		{readingsRoute, true, a.postReading},
		{"GET /api/v1/devices", false, a.listDevices},
		{"POST /api/v1/devices", false, a.addDevice},
		{"POST /api/v1/devices/{id}/rotate", false, a.rotateDevice},
		{"POST /api/v1/devices/{id}/disable", false, a.disableDevice},
		{"GET /api/v1/gates/{gate}/alerts", false, a.listAlerts},
		{acksRoute, true, a.postAck},
		{pollRoute, true, a.postPoll},
		{"POST /api/v1/devices/{id}/commands", false, a.operateBarrier},
		{"GET /api/v1/devices/{id}/commands", false, a.listCommands},
	}
}

// serve adapts a handlerFunc to http.Handler: it records the matched route
// for the log and metrics, and writes the handler's error.
func (a *API) serve(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info := infoFrom(r.Context()); info != nil {
			info.route = r.Pattern
		}
		if err := h(w, r); err != nil {
			a.writeError(w, r, err)
		}
	})
}

// probeMethods are the methods noRoute tries a path with to learn which it
// takes. HEAD goes with GET: the mux serves a GET pattern for both.
var probeMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// noRoute answers what no route pattern matched: a path that no route has
// is 404; a path that some route has is 405 with the methods it takes in
// Allow (RFC 9110 §15.5.6), or, for OPTIONS, 204 with the same Allow — and,
// on the open read routes, what a browser's CORS preflight asks for.
func (a *API) noRoute(w http.ResponseWriter, r *http.Request) error {
	var allow []string
	var crossOrigin bool
	for _, m := range probeMethods {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := a.mux.Handler(probe); pattern != "" && pattern != "/" {
			allow = append(allow, m)
			crossOrigin = crossOrigin || a.crossOrigin[pattern]
		}
	}
	if len(allow) == 0 {
		return cuakhau.Errorf(cuakhau.ENOTFOUND, "No route for %s %s.", r.Method, r.URL.Path)
	}
	allow = append(allow, http.MethodOptions)
	w.Header().Set("Allow", strings.Join(allow, ", "))
	if r.Method != http.MethodOptions {
		return cuakhau.Errorf(cuakhau.EMETHODNOTALLOWED, "%s does not take %s; it takes %s.",
			r.URL.Path, r.Method, strings.Join(allow, ", "))
	}
	if crossOrigin {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "X-Request-Id")
		h.Set("Access-Control-Max-Age", "86400")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
