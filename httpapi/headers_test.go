package httpapi_test

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/cuakhau/cuakhau"
)

// send makes a request outside the contract (a method no operation has,
// OPTIONS) and reads its answer. header holds header pairs.
func (e *env) send(t *testing.T, method, path, token string, header ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[token])
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: buf.Bytes()}
}

// TestHeaders: every answer tells a browser to take it as data only; the
// answers of protected routes, which carry names and id numbers, are never
// cached; the open read routes may be read by any web page, the rest by
// none.
func TestHeaders(t *testing.T) {
	e := newEnv(t)
	trip := e.declare(t, "enterprise", example(t))
	tests := []struct {
		name           string
		method, path   string
		token          string
		status         int
		noStore, cross bool
	}{
		{"trip", "GET", "/api/v1/trips/" + trip.ID, "enterprise", 200, true, false},
		{"trip list", "GET", "/api/v1/trips", "admin", 200, true, false},
		{"events", "GET", "/api/v1/trips/" + trip.ID + "/events", "admin", 200, true, false},
		{"queue", "GET", "/api/v1/gates/huu-nghi/queue", "operator", 200, true, false},
		{"no token", "GET", "/api/v1/trips/" + trip.ID, "", 401, true, false},
		{"unknown trip", "GET", "/api/v1/trips/nope", "admin", 404, true, false},
		{"gates", "GET", "/api/v1/gates", "", 200, false, true},
		{"gate", "GET", "/api/v1/gates/huu-nghi", "", 200, false, true},
		{"unknown gate", "GET", "/api/v1/gates/nowhere", "", 404, false, true},
		{"windows", "GET", "/api/v1/gates/huu-nghi/windows?date=2026-12-01&direction=export", "", 200, false, true},
		{"public waits", "GET", "/api/v1/public/waits", "", 200, false, true},
		{"spec", "GET", "/api/openapi.yaml", "", 200, false, true},
		{"health", "GET", "/healthz", "", 200, false, false},
		{"metrics", "GET", "/metrics", "", 200, false, false},
		{"no route", "GET", "/api/v2/trips", "", 404, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r response
			if tt.status == 404 && strings.HasPrefix(tt.path, "/api/v2/") {
				r = e.send(t, tt.method, tt.path, tt.token) // in no contract
			} else {
				r = e.do(t, tt.method, tt.path, tt.token, nil)
			}
			if r.Status != tt.status {
				t.Fatalf("status %d, want %d; body %s", r.Status, tt.status, r.Body)
			}
			for name, want := range map[string]string{
				"X-Content-Type-Options":  "nosniff",
				"X-Frame-Options":         "DENY",
				"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
				"Referrer-Policy":         "no-referrer",
			} {
				if got := r.Header.Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			if got := r.Header.Get("Cache-Control"); (got == "no-store") != tt.noStore {
				t.Errorf("Cache-Control = %q; no-store wanted: %v", got, tt.noStore)
			}
			if got := r.Header.Get("Access-Control-Allow-Origin"); (got == "*") != tt.cross || (!tt.cross && got != "") {
				t.Errorf("Access-Control-Allow-Origin = %q; cross-origin wanted: %v", got, tt.cross)
			}
		})
	}
}

// TestCrossOriginPreflight: a browser may ask before reading the open feed
// with a header of its own, and is told yes; asked of a protected route, the
// same question gets no CORS header, so the browser does not send the request.
func TestCrossOriginPreflight(t *testing.T) {
	e := newEnv(t)
	preflight := []string{"Origin", "https://bang-cho.example", "Access-Control-Request-Method", "GET",
		"Access-Control-Request-Headers", "x-request-id"}

	r := e.send(t, "OPTIONS", "/api/v1/public/waits", "", preflight...)
	if r.Status != http.StatusNoContent {
		t.Fatalf("preflight of the open feed: %d %s", r.Status, r.Body)
	}
	for name, want := range map[string]string{
		"Access-Control-Allow-Origin":  "*",
		"Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
		"Access-Control-Allow-Headers": "X-Request-Id",
		"Allow":                        "GET, HEAD, OPTIONS",
	} {
		if got := r.Header.Get(name); got != want {
			t.Errorf("open feed: %s = %q, want %q", name, got, want)
		}
	}

	r = e.send(t, "OPTIONS", "/api/v1/trips", "", preflight...)
	if r.Status != http.StatusNoContent {
		t.Fatalf("preflight of the trips: %d %s", r.Status, r.Body)
	}
	if got := r.Header.Get("Allow"); got != "GET, HEAD, POST, OPTIONS" {
		t.Errorf("trips: Allow = %q", got)
	}
	for name := range r.Header {
		if strings.HasPrefix(name, "Access-Control-") {
			t.Errorf("trips: preflight answered with %s: %q", name, r.Header.Get(name))
		}
	}
}

// TestMethodNotAllowed: a path the API has, asked with a method it does not
// take, is 405 in the house error shape with the methods it takes; a path
// it does not have stays 404.
func TestMethodNotAllowed(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		method, path, token string
		allow               []string
	}{
		{"DELETE", "/api/v1/gates", "", []string{"GET", "HEAD", "OPTIONS"}},
		{"POST", "/api/v1/public/waits", "", []string{"GET", "HEAD", "OPTIONS"}},
		{"PATCH", "/api/v1/trips/x", "admin", []string{"GET", "HEAD", "OPTIONS"}},
		{"DELETE", "/api/v1/trips", "admin", []string{"GET", "HEAD", "POST", "OPTIONS"}},
		{"GET", "/api/v1/trips/x/booking", "admin", []string{"POST", "PUT", "DELETE", "OPTIONS"}},
		{"GET", "/api/v1/gates/huu-nghi/call", "", []string{"POST", "OPTIONS"}},
	}
	for _, tt := range tests {
		r := e.send(t, tt.method, tt.path, tt.token)
		name := tt.method + " " + tt.path
		got := wantError(t, r, http.StatusMethodNotAllowed, cuakhau.EMETHODNOTALLOWED)
		if allow := strings.Split(r.Header.Get("Allow"), ", "); !slices.Equal(allow, tt.allow) {
			t.Errorf("%s: Allow = %q, want %q", name, allow, tt.allow)
		}
		if !strings.Contains(got.Error.Message, tt.method) {
			t.Errorf("%s: message %q does not name the method", name, got.Error.Message)
		}
	}
	wantError(t, e.send(t, "DELETE", "/api/v1/nothing", ""), http.StatusNotFound, cuakhau.ENOTFOUND)
}
