package httpapi_test

import (
	"net/http"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/httpapi"
)

// limited starts an env whose API throttles by lim on a wall clock of the
// test's own, which it returns.
func limited(t *testing.T, lim httpapi.Limits) (*env, *cuakhau.FixedClock) {
	t.Helper()
	wall := cuakhau.NewFixedClock(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC))
	lim.Now = wall.Now
	return newEnv(t, func(c *httpapi.Config) { c.Limits = lim }), wall
}

// wantThrottled checks that r is a 429 in the house shape with this
// Retry-After.
func wantThrottled(t *testing.T, r response, retryAfter string) {
	t.Helper()
	wantError(t, r, http.StatusTooManyRequests, cuakhau.ERATELIMITED)
	if got := r.Header.Get("Retry-After"); got != retryAfter {
		t.Errorf("Retry-After = %q, want %q", got, retryAfter)
	}
}

// TestThrottleFailedAuth: a client that keeps sending bad tokens is
// answered 429 once its failures are spent — even with a good token then,
// so that a guess cannot be told by its answer — until the bucket refills;
// other clients and good tokens spend nothing.
func TestThrottleFailedAuth(t *testing.T) {
	e, wall := limited(t, httpapi.Limits{AuthFailRate: rate.Every(time.Minute), AuthFailBurst: 3,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	const path = "/api/v1/trips"
	for range 5 {
		decode[tripList](t, e.do(t, "GET", path, "admin", nil), http.StatusOK)
	}
	wantError(t, e.do(t, "GET", path, "guess-1", nil), http.StatusUnauthorized, cuakhau.EUNAUTHORIZED)
	wantError(t, e.do(t, "GET", path, "", nil), http.StatusUnauthorized, cuakhau.EUNAUTHORIZED)
	wantError(t, e.do(t, "GET", path, "guess-2", nil), http.StatusUnauthorized, cuakhau.EUNAUTHORIZED)
	wantThrottled(t, e.do(t, "GET", path, "guess-3", nil), "60")
	wantThrottled(t, e.do(t, "GET", path, "admin", nil), "60")
	// The open routes are not the failures' to close.
	decode[map[string]any](t, e.do(t, "GET", "/api/v1/public/waits", "", nil), http.StatusOK)
	// Another client behind the same proxy has its own budget.
	decode[tripList](t, e.do(t, "GET", path, "admin", nil, "X-Forwarded-For", "198.51.100.7"), http.StatusOK)

	wall.Add(30 * time.Second)
	wantThrottled(t, e.do(t, "GET", path, "admin", nil), "30")
	wall.Add(30 * time.Second)
	decode[tripList](t, e.do(t, "GET", path, "admin", nil), http.StatusOK)
	wantError(t, e.do(t, "GET", path, "guess-4", nil), http.StatusUnauthorized, cuakhau.EUNAUTHORIZED)
	wantThrottled(t, e.do(t, "GET", path, "guess-5", nil), "60")
}

// TestThrottleOpen: the open routes, and paths that match no route, share
// one budget per client; authenticated requests do not spend it.
func TestThrottleOpen(t *testing.T) {
	e, wall := limited(t, httpapi.Limits{OpenRate: 0.5, OpenBurst: 3})
	decode[map[string]any](t, e.do(t, "GET", "/api/v1/public/waits", "", nil), http.StatusOK)
	decode[map[string]any](t, e.do(t, "GET", "/api/v1/gates", "", nil), http.StatusOK)
	wantError(t, e.send(t, "GET", "/no/such/path", ""), http.StatusNotFound, cuakhau.ENOTFOUND)
	r := e.do(t, "GET", "/api/v1/public/waits", "", nil)
	wantThrottled(t, r, "2")
	// A browser on another site can read the refusal too.
	if got := r.Header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("Access-Control-Allow-Origin = %q on a throttled open answer", got)
	}
	wantThrottled(t, e.send(t, "GET", "/no/such/path", ""), "2")
	decode[tripList](t, e.do(t, "GET", "/api/v1/trips", "admin", nil), http.StatusOK)

	wall.Add(time.Second)
	wantThrottled(t, e.do(t, "GET", "/healthz", "", nil), "1")
	wall.Add(time.Second)
	decode[map[string]string](t, e.do(t, "GET", "/healthz", "", nil), http.StatusOK)
	wantThrottled(t, e.do(t, "GET", "/healthz", "", nil), "2")
}

// TestThrottleClients: a client is its connection's address unless the
// connection comes from a trusted proxy; then it is the nearest address in
// X-Forwarded-For that no trusted proxy wrote for itself, and an IPv6
// client is its /64.
func TestThrottleClients(t *testing.T) {
	lim := httpapi.Limits{OpenRate: rate.Every(time.Hour), OpenBurst: 1}
	t.Run("no trusted proxies", func(t *testing.T) {
		e, _ := limited(t, lim)
		decode[map[string]any](t, e.do(t, "GET", "/api/v1/gates", "", nil, "X-Forwarded-For", "198.51.100.1"), http.StatusOK)
		// The header is anyone's to write: it names no one here.
		wantThrottled(t, e.do(t, "GET", "/api/v1/gates", "", nil, "X-Forwarded-For", "198.51.100.2"), "3600")
	})
	t.Run("behind a trusted proxy", func(t *testing.T) {
		lim := lim
		lim.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8")}
		e, _ := limited(t, lim)
		get := func(xff string) response { return e.do(t, "GET", "/api/v1/gates", "", nil, "X-Forwarded-For", xff) }
		decode[map[string]any](t, get("198.51.100.1"), http.StatusOK)
		wantThrottled(t, get("198.51.100.1"), "3600")
		// What the client wrote itself, left of what the proxies added,
		// does not make it someone else.
		wantThrottled(t, get("203.0.113.9, 198.51.100.1, 10.1.2.3"), "3600")
		decode[map[string]any](t, get("198.51.100.2"), http.StatusOK)
		decode[map[string]any](t, get("2001:db8:0:1::1"), http.StatusOK)
		wantThrottled(t, get("2001:db8:0:1::2"), "3600")
		decode[map[string]any](t, get("2001:db8:0:2::1"), http.StatusOK)
		// No header: the proxy itself is the client.
		decode[map[string]any](t, e.do(t, "GET", "/api/v1/gates", "", nil), http.StatusOK)
	})
}

// TestThrottleForgetsClients: the limits hold a bounded number of clients,
// and forget one as soon as its bucket has refilled, when forgetting it
// changes nothing.
func TestThrottleForgetsClients(t *testing.T) {
	e, wall := limited(t, httpapi.Limits{OpenRate: rate.Every(time.Minute), OpenBurst: 2, MaxClients: 3,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	get := func(client string) response {
		return e.do(t, "GET", "/api/v1/gates", "", nil, "X-Forwarded-For", client)
	}
	tracked := func() int { open, _ := httpapi.TrackedClients(e.srv.Config.Handler); return open }
	get("192.0.2.1")
	get("192.0.2.1")
	wantThrottled(t, get("192.0.2.1"), "60")
	for _, c := range []string{"192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"} {
		decode[map[string]any](t, get(c), http.StatusOK)
		if n := tracked(); n > 3 {
			t.Fatalf("%d clients tracked, bound 3", n)
		}
	}
	// 192.0.2.1 was the idlest when the table was full: it starts afresh.
	decode[map[string]any](t, get("192.0.2.1"), http.StatusOK)

	wall.Add(2 * time.Minute) // every bucket is full again
	decode[map[string]any](t, get("192.0.2.9"), http.StatusOK)
	if n := tracked(); n != 1 {
		t.Errorf("%d clients tracked after the others' buckets refilled, want 1", n)
	}
}
