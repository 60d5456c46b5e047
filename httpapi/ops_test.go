package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/api"
	"github.com/cuakhau/cuakhau/httpapi"
)

func TestHealth(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		got := decode[map[string]string](t, e.do(t, "GET", path, "", nil), http.StatusOK)
		if diff := cmp.Diff(map[string]string{"status": "ok"}, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", path, diff)
		}
	}
}

// TestNotReady: a failing readiness check is 503, logged in full, and its
// details are not sent.
func TestNotReady(t *testing.T) {
	e := newEnv(t, func(c *httpapi.Config) {
		c.Ready = func(context.Context) error { return errors.New("2 migrations pending: 0007_secret_table") }
	})
	r := e.do(t, "GET", "/readyz", "", nil)
	got := wantError(t, r, http.StatusServiceUnavailable, cuakhau.EINTERNAL)
	if strings.Contains(string(r.Body), "secret_table") {
		t.Errorf("answer leaks the cause: %s", r.Body)
	}
	if got.Error.Message != "Not ready." {
		t.Errorf("message %q, want %q", got.Error.Message, "Not ready.")
	}
	if !strings.Contains(e.logs.String(), "0007_secret_table") {
		t.Errorf("log lacks the cause:\n%s", e.logs)
	}
	// Liveness does not depend on readiness.
	decode[map[string]string](t, e.do(t, "GET", "/healthz", "", nil), http.StatusOK)
}

func TestGates(t *testing.T) {
	e := newEnv(t)
	list := decode[struct{ Gates []*cuakhau.Gate }](t, e.do(t, "GET", "/api/v1/gates", "", nil), http.StatusOK)
	var codes []string
	for _, g := range list.Gates {
		codes = append(codes, g.Code)
	}
	for _, want := range []string{"huu-nghi", "tan-thanh", "chi-ma", "coc-nam"} {
		if !strings.Contains(strings.Join(codes, ","), want) {
			t.Errorf("gates %v lack %s", codes, want)
		}
	}

	g := decode[*cuakhau.Gate](t, e.do(t, "GET", "/api/v1/gates/huu-nghi", "", nil), http.StatusOK)
	var route []string
	for _, cp := range g.Route(cuakhau.Export) {
		if cp.Mandatory {
			route = append(route, cp.Code)
		}
	}
	want := []string{"entry", "medical", "customs", "quarantine", "border_guard", "fee", "exit"}
	if diff := cmp.Diff(want, route); diff != "" {
		t.Errorf("huu-nghi mandatory export route (-want +got):\n%s", diff)
	}
	if g.Hours.Open == "" || g.TimeZone == "" || len(g.Routes) == 0 {
		t.Errorf("gate lacks hours, time zone or routes: %+v", g)
	}

	wantError(t, e.do(t, "GET", "/api/v1/gates/mong-cai", "", nil), http.StatusNotFound, cuakhau.ENOTFOUND)
	// The catalogue is public, but a token does no harm.
	decode[*cuakhau.Gate](t, e.do(t, "GET", "/api/v1/gates/chi-ma", "viewer", nil), http.StatusOK)
}

func TestSpecServed(t *testing.T) {
	e := newEnv(t)
	r := e.do(t, "GET", "/api/openapi.yaml", "", nil)
	if r.Status != http.StatusOK || !bytes.Equal(r.Body, api.Spec) {
		t.Errorf("GET /api/openapi.yaml: %d, %d bytes; want 200 and the %d bytes of api.Spec", r.Status, len(r.Body), len(api.Spec))
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/yaml") {
		t.Errorf("Content-Type %q, want application/yaml", ct)
	}
}

// TestMetrics: requests are counted by route pattern, not by path, and the
// runtime collectors are there.
func TestMetrics(t *testing.T) {
	e := newEnv(t)
	trip := e.declare(t, "enterprise", example(t))
	e.do(t, "GET", "/api/v1/trips/"+trip.ID, "enterprise", nil)
	e.do(t, "GET", "/api/v1/trips/nope", "enterprise", nil)
	r := e.do(t, "GET", "/metrics", "", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("status %d", r.Status)
	}
	body := string(r.Body)
	for _, want := range []string{
		`cuakhau_http_requests_total{code="201",method="POST",route="/api/v1/trips"} 1`,
		`cuakhau_http_requests_total{code="200",method="GET",route="/api/v1/trips/{id}"} 1`,
		`cuakhau_http_requests_total{code="404",method="GET",route="/api/v1/trips/{id}"} 1`,
		`cuakhau_http_request_duration_seconds_bucket{route="/api/v1/trips/{id}",le="+Inf"} 2`,
		`go_goroutines `,
		`process_cpu_seconds_total `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(body, "/api/v1/trips/nope") || strings.Contains(body, trip.ID) {
		t.Errorf("metrics are labelled by path, not by route")
	}
}

// TestRequestID: a sane client id is echoed and logged; anything else is
// replaced.
func TestRequestID(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		sent string
		keep bool
	}{
		{"device-hn-anpr-1:000123", true},
		{"", false},
		{"has space", false},
		{strings.Repeat("x", 129), false},
	}
	for _, tt := range tests {
		r := e.do(t, "GET", "/healthz", "", nil, "X-Request-Id", tt.sent)
		got := r.Header.Get("X-Request-Id")
		if (got == tt.sent) != tt.keep || got == "" {
			t.Errorf("sent %q, got back %q; want kept: %v", tt.sent, got, tt.keep)
		}
	}
	if !strings.Contains(e.logs.String(), `"request_id":"device-hn-anpr-1:000123"`) {
		t.Errorf("request log lacks the client's request id:\n%s", e.logs)
	}
}

// TestRequestLog: one line per request, with what an operator needs to
// find it: method, route pattern, status, duration, bytes, request id, actor.
func TestRequestLog(t *testing.T) {
	e := newEnv(t)
	trip := e.declare(t, "enterprise", example(t))
	r := e.do(t, "GET", "/api/v1/trips/"+trip.ID, "customs", nil, "X-Request-Id", "log-test-1")
	if r.Status != http.StatusOK {
		t.Fatalf("status %d", r.Status)
	}
	var line map[string]any
	for _, l := range strings.Split(e.logs.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["request_id"] == "log-test-1" && m["msg"] == "request" {
			line = m
		}
	}
	if line == nil {
		t.Fatalf("no request line for log-test-1 in:\n%s", e.logs)
	}
	actor, _ := line["actor"].(string)
	got := map[string]any{"method": line["method"], "route": line["route"], "status": line["status"],
		"bytes": line["bytes"] == float64(len(r.Body)), "actor": strings.HasPrefix(actor, "customs:")}
	want := map[string]any{"method": "GET", "route": "GET /api/v1/trips/{id}", "status": float64(200),
		"bytes": true, "actor": true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("request log line (-want +got):\n%s\nline: %v", diff, line)
	}
	if _, ok := line["duration"]; !ok {
		t.Errorf("request log line has no duration: %v", line)
	}
}

// brokenGates fails the way a broken store does.
type brokenGates struct{ panics bool }

func (b brokenGates) Gates(context.Context) ([]*cuakhau.Gate, error) {
	if b.panics {
		panic("index out of range in gate cache")
	}
	return nil, errors.New(`query gates: pq: relation "gates" does not exist`)
}

func (b brokenGates) Gate(ctx context.Context, code string) (*cuakhau.Gate, error) {
	_, err := b.Gates(ctx)
	return nil, err
}

// TestInternalErrors: a storage error or a panic is answered 500 "Internal
// error." with nothing of its cause, and logged in full with the request id
// and route; the server goes on serving.
func TestInternalErrors(t *testing.T) {
	for _, tt := range []struct {
		name    string
		gates   brokenGates
		wantLog string
	}{
		{"error", brokenGates{}, `relation \"gates\" does not exist`},
		{"panic", brokenGates{panics: true}, "index out of range in gate cache"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(c *httpapi.Config) { c.Gates = tt.gates })
			r := e.do(t, "GET", "/api/v1/gates", "", nil, "X-Request-Id", "req-"+tt.name)
			got := wantError(t, r, http.StatusInternalServerError, cuakhau.EINTERNAL)
			if got.Error.Message != "Internal error." {
				t.Errorf("message %q, want %q", got.Error.Message, "Internal error.")
			}
			logs := e.logs.String()
			for _, want := range []string{tt.wantLog, `"request_id":"req-` + tt.name + `"`, `"route":"GET /api/v1/gates"`} {
				if !strings.Contains(logs, want) {
					t.Errorf("log lacks %s:\n%s", want, logs)
				}
			}
			decode[map[string]string](t, e.do(t, "GET", "/healthz", "", nil), http.StatusOK)
		})
	}
}
