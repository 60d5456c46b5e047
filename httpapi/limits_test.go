package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"

	"github.com/cuakhau/cuakhau"
)

// specLimit is one maxLength or maximum of a request body in the spec.
type specLimit struct {
	op    string   // "POST /api/v1/trips"
	path  []string // into the body: cargo, 0, packages; "*" for a map's key
	kind  string   // maxLength or maximum
	limit int64
}

// requestLimits walks the request body schemas of every operation of the
// spec and lists each maxLength and maximum, so that a bound added to the
// spec is tested without anyone listing it here.
func requestLimits(t *testing.T) []specLimit {
	t.Helper()
	var out []specLimit
	var walk func(op string, s *openapi3.Schema, path []string, depth int)
	walk = func(op string, s *openapi3.Schema, path []string, depth int) {
		if s == nil || depth > 10 {
			return
		}
		if s.MaxLength != nil {
			out = append(out, specLimit{op, slices.Clone(path), "maxLength", int64(*s.MaxLength)})
		}
		if s.Max != nil {
			out = append(out, specLimit{op, slices.Clone(path), "maximum", int64(*s.Max)})
		}
		for name, p := range s.Properties {
			walk(op, p.Value, append(path, name), depth+1)
		}
		if s.Items != nil {
			walk(op, s.Items.Value, append(path, "0"), depth+1)
		}
		if ap := s.AdditionalProperties.Schema; ap != nil {
			walk(op, ap.Value, append(path, "*"), depth+1)
		}
	}
	for path, item := range specDoc.Paths.Map() {
		for method, o := range item.Operations() {
			if o.RequestBody == nil || o.RequestBody.Value == nil {
				continue
			}
			mt := o.RequestBody.Value.Content.Get("application/json")
			if mt == nil || mt.Schema == nil {
				continue
			}
			walk(method+" "+path, mt.Schema.Value, nil, 0)
		}
	}
	slices.SortFunc(out, func(a, b specLimit) int {
		return strings.Compare(a.op+" "+strings.Join(a.path, "."), b.op+" "+strings.Join(b.path, "."))
	})
	if len(out) == 0 {
		t.Fatal("the spec states no request limits")
	}
	return out
}

// limitRequest is a request that succeeds, with every field the spec
// bounds present, so that one of them can be set to its limit and beyond.
type limitRequest struct {
	token  string
	status int // of the request as it is
	mapKey string
	// build returns the URL path and the body, preparing what the request
	// acts on (a fresh trip) first.
	build func(t *testing.T, e *env) (string, map[string]any)
}

func jsonMap(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

var limitRequests = map[string]limitRequest{
	"POST /api/v1/trips": {token: "enterprise", status: http.StatusCreated,
		build: func(t *testing.T, e *env) (string, map[string]any) {
			e.clock.Add(1)
			return "/api/v1/trips", example(t, "driver.phone", "0912 345 678")
		}},
	"POST /api/v1/trips/{id}/events": {token: "operator", status: http.StatusCreated,
		build: func(t *testing.T, e *env) (string, map[string]any) {
			trip := e.declare(t, "enterprise", example(t))
			return "/api/v1/trips/" + trip.ID + "/events", jsonMap(t,
				`{"checkpoint":"entry","outcome":"pass","note":"ok","device":"wb-1","reading":{"weight_kg":30000}}`)
		}},
	"PUT /api/v1/trips/{id}/priority": {token: "operator", status: http.StatusOK,
		build: func(t *testing.T, e *env) (string, map[string]any) {
			trip := e.declare(t, "enterprise", example(t))
			return "/api/v1/trips/" + trip.ID + "/priority", jsonMap(t, `{"priority":5,"reason":"hàng cứu trợ"}`)
		}},
	"POST /api/v1/gates/{gate}/call": {token: "operator", status: http.StatusCreated,
		build: func(t *testing.T, e *env) (string, map[string]any) {
			return "/api/v1/gates/huu-nghi/call", jsonMap(t, `{"count":1,"reason":"thử"}`)
		}},
	"PUT /api/v1/gates/{gate}/controls": {token: "operator", status: http.StatusOK, mapKey: "entry",
		build: func(t *testing.T, e *env) (string, map[string]any) {
			return "/api/v1/gates/huu-nghi/controls", jsonMap(t, `{"lanes":{"entry":2},"room":20,"reason":"ca sáng"}`)
		}},
	"PUT /api/v1/gates/{gate}/capacity": {token: "operator", status: http.StatusOK,
		build: func(t *testing.T, e *env) (string, map[string]any) {
			return "/api/v1/gates/huu-nghi/capacity", jsonMap(t, `{"trucks_per_day":900,"note":"Hữu Nghị quan báo"}`)
		}},
}

// TestSpecLimitsEnforced holds the server to every maxLength and maximum of
// the spec's request bodies: a field at its limit is accepted, one over is
// refused 400 naming exactly that field, and nothing is written. Strings
// are made of "ễ", three bytes in UTF-8, so that a limit counted in bytes
// would fail.
func TestSpecLimitsEnforced(t *testing.T) {
	e := newEnv(t)
	for _, l := range requestLimits(t) {
		req, ok := limitRequests[l.op]
		if !ok {
			t.Errorf("%s: the spec bounds %s but the test has no request for it", l.op, strings.Join(l.path, "."))
			continue
		}
		dotted := strings.ReplaceAll(strings.Join(l.path, "."), "*", req.mapKey)
		field := strings.ReplaceAll(strings.ReplaceAll(dotted, ".0.", "[0]."), ".0", "[0]")
		value := func(n int64) any {
			if l.kind == "maxLength" {
				return strings.Repeat("ễ", int(n))
			}
			return n
		}
		t.Run(fmt.Sprintf("%s %s %s %d", l.op, field, l.kind, l.limit), func(t *testing.T) {
			method, _, _ := strings.Cut(l.op, " ")

			path, body := req.build(t, e)
			setPath(t, body, dotted, value(l.limit))
			r := e.do(t, method, path, req.token, body)
			if r.Status != req.status {
				t.Errorf("at the limit: status %d, want %d; body %s", r.Status, req.status, r.Body)
			}

			path, body = req.build(t, e)
			trips, events := e.tripIDs(t), e.gateEvents(t)
			setPath(t, body, dotted, value(l.limit+1))
			got := wantError(t, e.do(t, method, path, req.token, body), http.StatusBadRequest, cuakhau.EINVALID, field)
			if !strings.Contains(got.Error.Message, field+": ") {
				t.Errorf("message %q does not name %s", got.Error.Message, field)
			}
			if diff := cmp.Diff(trips, e.tripIDs(t)); diff != "" {
				t.Errorf("trips changed (-before +after):\n%s", diff)
			}
			if after := e.gateEvents(t); after != events {
				t.Errorf("the gate's log grew from %d to %d events", events, after)
			}
		})
	}
}

// gateEvents counts the events of Hữu Nghị's log.
func (e *env) gateEvents(t *testing.T) int64 {
	t.Helper()
	var n int64
	err := e.db.ScanLog(context.Background(), "huu-nghi", func(*cuakhau.Event) error { n++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	return n
}
