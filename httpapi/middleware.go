package httpapi

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"
)

// Middleware wraps a handler with behaviour common to many routes.
type Middleware func(http.Handler) http.Handler

// Chain composes middlewares so that the first is the outermost: Chain(a, b)(h)
// runs a, then b, then h.
func Chain(mws ...Middleware) Middleware {
	return func(h http.Handler) http.Handler {
		for i := len(mws) - 1; i >= 0; i-- {
			h = mws[i](h)
		}
		return h
	}
}

// requestInfo is what the layers of one request learn about it, shared by
// pointer: the mux sets the matched pattern on the request it passes down, a
// copy the outer middlewares never see, so the inner layers report it here.
type requestInfo struct {
	id    string
	route string // the matched ServeMux pattern; "" or "/" when none matched
	actor string // the principal's Actor, once authenticated
	w     *recorder
}

type infoKey struct{}

func infoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(infoKey{}).(*requestInfo)
	return info
}

// requestAttrs are the attributes every log line about a request carries.
func requestAttrs(r *http.Request) []slog.Attr {
	attrs := []slog.Attr{slog.String("method", r.Method)}
	if info := infoFrom(r.Context()); info != nil {
		attrs = append(attrs, slog.String("route", routeLabel(info.route)),
			slog.String("request_id", info.id))
		if info.actor != "" {
			attrs = append(attrs, slog.String("actor", info.actor))
		}
	} else {
		attrs = append(attrs, slog.String("path", r.URL.Path))
	}
	return attrs
}

// routeLabel names a route for logs and metrics by its pattern, so that
// /api/v1/trips/X and /api/v1/trips/Y count as one route and a scan of random
// paths cannot grow the metrics without bound.
func routeLabel(pattern string) string {
	if pattern == "" || pattern == "/" {
		return "unmatched"
	}
	return pattern
}

// recorder remembers the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
}

func (rw *recorder) WriteHeader(code int) {
	if !rw.wroteHeader {
		rw.status, rw.wroteHeader = code, true
	}
	rw.ResponseWriter.WriteHeader(code)
}

func (rw *recorder) Write(b []byte) (int, error) {
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	n, err := rw.ResponseWriter.Write(b)
	rw.bytes += int64(n)
	return n, err
}

// code is the status sent, 200 when the handler wrote nothing (as net/http
// then sends).
func (rw *recorder) code() int {
	if rw.status == 0 {
		return http.StatusOK
	}
	return rw.status
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (rw *recorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// requestID gives each request an id, echoed in X-Request-Id and on every log
// line about it. A client's own id is kept when it is sane, so that a request
// can be followed across a proxy or a device's logs.
func (a *API) requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !saneRequestID(id) {
			id = rand.Text()
		}
		w.Header().Set("X-Request-Id", id)
		info := &requestInfo{id: id, w: &recorder{ResponseWriter: w}}
		next.ServeHTTP(info.w, r.WithContext(context.WithValue(r.Context(), infoKey{}, info)))
	})
}

// saneRequestID accepts up to 128 characters that are safe to log and to echo
// in a header.
func saneRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, c := range []byte(id) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

// logRequests writes one line per request once it is answered.
func (a *API) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		next.ServeHTTP(w, r)
		if !a.logger.Enabled(r.Context(), slog.LevelInfo) {
			return
		}
		info := infoFrom(r.Context())
		a.logger.LogAttrs(r.Context(), slog.LevelInfo, "request", append(requestAttrs(r),
			slog.Int("status", info.w.code()),
			slog.Duration("duration", time.Since(start)),
			slog.Int64("bytes", info.w.bytes))...)
	})
}

// recoverPanics turns a handler's panic into a logged 500, so that one bad
// request neither kills the connection silently nor goes unrecorded.
func (a *API) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				// The handler asked net/http to abort the response; honour it.
				panic(v)
			}
			a.writeError(w, r, fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
		}()
		next.ServeHTTP(w, r)
	})
}

// secureHeaders sets on every answer what tells a browser to treat it as
// data and nothing more: not to guess its type, not to frame it (the API has
// no page to click on, so none may be laid over another site's), not to load
// anything for it, and not to tell a link's target where it was.
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

// allowCrossOrigin lets any web page read an open read route's answers,
// errors included (a wait board on another site, say). They carry no
// personal data and no credentials are involved, so the origin is "*";
// every other route sends no CORS header, and browsers keep other sites'
// pages from reading it.
func allowCrossOrigin(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Expose-Headers", "X-Request-Id, Retry-After")
		return h(w, r)
	}
}
