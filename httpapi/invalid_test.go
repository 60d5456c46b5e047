package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cuakhau/cuakhau"
)

// TestDeclareInvalid sends declarations that break one rule each: every one
// is answered 4xx naming the field, and no trip is stored.
func TestDeclareInvalid(t *testing.T) {
	e := newEnv(t)
	existing := e.declare(t, "enterprise", example(t))
	before := e.tripIDs(t)

	huge := `{"gate":"` + strings.Repeat("x", httpapiMaxBody) + `"}`
	tests := []struct {
		name   string
		body   any
		header []string
		status int
		fields []string
	}{
		{name: "malformed JSON", body: `{"gate":"huu-nghi",`, status: 400, fields: []string{"body"}},
		{name: "JSON with a syntax error", body: `{"gate" "huu-nghi"}`, status: 400, fields: []string{"body"}},
		{name: "data after the object", body: exampleJSON + `{}`, status: 400, fields: []string{"body"}},
		{name: "not an object", body: `[1,2]`, status: 400, fields: []string{"body"}},
		{name: "empty body", body: ``, status: 400, fields: []string{"body"}},
		{name: "body over 1 MiB", body: huge, status: 413, fields: []string{"body"}},
		{name: "wrong content type", body: example(t), header: []string{"Content-Type", "text/plain"},
			status: 400, fields: []string{"Content-Type"}},
		{name: "unknown field", body: example(t, "vehicle.colour", "red"), status: 400, fields: []string{"vehicle.colour"}},
		{name: "field name in another case", body: example(t, "Gate", "huu-nghi"), status: 400, fields: []string{"Gate"}},
		{name: "string for a number", body: example(t, "cargo.0.gross_kg", "heavy"), status: 400, fields: []string{"cargo[0].gross_kg"}},
		{name: "fraction for an integer", body: example(t, "cargo.0.packages", 1.5), status: 400, fields: []string{"cargo[0].packages"}},
		{name: "malformed time", body: example(t, "planned_arrival", "tomorrow"), status: 400, fields: []string{"planned_arrival"}},
		{name: "unknown gate", body: example(t, "gate", "mong-cai"), status: 400, fields: []string{"gate"}},
		{name: "unknown direction", body: example(t, "direction", "north"), status: 400, fields: []string{"direction"}},
		{name: "invalid plate", body: example(t, "vehicle.plate", "ABC-1"), status: 400, fields: []string{"vehicle.plate"}},
		{name: "container check digit wrong", body: example(t, "containers", []string{"CSQU3054384"}), status: 400, fields: []string{"containers[0]"}},
		{name: "HS code malformed", body: example(t, "cargo.0.hs_code", "08X0.6"), status: 400, fields: []string{"cargo[0].hs_code"}},
		{name: "zero gross_kg", body: example(t, "cargo.0.gross_kg", 0), status: 400, fields: []string{"cargo[0].gross_kg"}},
		{name: "negative gross_kg", body: example(t, "cargo.0.gross_kg", -5), status: 400, fields: []string{"cargo[0].gross_kg"}},
		{name: "zero value", body: example(t, "cargo.0.value_usd_cents", 0), status: 400, fields: []string{"cargo[0].value_usd_cents"}},
		{name: "negative value", body: example(t, "cargo.0.value_usd_cents", -100), status: 400, fields: []string{"cargo[0].value_usd_cents"}},
		{name: "no cargo lines", body: example(t, "cargo", []any{}), status: 400, fields: []string{"cargo"}},
		{name: "no cargo field", body: example(t, "cargo", deleteField), status: 400, fields: []string{"cargo"}},
		{name: "customs declaration check digit", body: example(t, "customs_declarations", []string{"101234567830"}),
			status: 400, fields: []string{"customs_declarations[0]"}},
		{name: "tax code check digit", body: example(t, "enterprise.tax_code", "0100109107"), status: 400, fields: []string{"enterprise.tax_code"}},
		{name: "several rules at once", body: example(t, "vehicle.plate", "ABC-1", "cargo.0.gross_kg", 0),
			status: 400, fields: []string{"vehicle.plate", "cargo[0].gross_kg"}},
		{name: "idempotency key too long", body: example(t), header: []string{"Idempotency-Key", strings.Repeat("k", 201)},
			status: 400, fields: []string{"Idempotency-Key"}},
		{name: "idempotency key not ASCII", body: example(t), header: []string{"Idempotency-Key", "khóa-1"},
			status: 400, fields: []string{"Idempotency-Key"}},
		{name: "shelf life that overflowed the spoil time", body: example(t, "cargo.0.shelf_life_hours", 5_124_096),
			status: 400, fields: []string{"cargo[0].shelf_life_hours"}},
		{name: "packages near the int64 limit", body: example(t, "cargo.0.packages", int64(9_200_000_000_000_000_000)),
			status: 400, fields: []string{"cargo[0].packages"}},
		{name: "weight near the int64 limit", body: example(t, "cargo.0.gross_kg", int64(9_200_000_000_000_000_000)),
			status: 400, fields: []string{"cargo[0].gross_kg"}},
		{name: "value near the int64 limit", body: example(t, "cargo.0.value_usd_cents", int64(9_200_000_000_000_000_000)),
			status: 400, fields: []string{"cargo[0].value_usd_cents"}},
		{name: "NUL in a name", body: example(t, "driver.name", "Nguyễn\x00Văn A"), status: 400, fields: []string{"driver.name"}},
		{name: "CR LF in a name", body: example(t, "driver.name", "Nguyễn\r\nVăn A"), status: 400, fields: []string{"driver.name"}},
		{name: "right-to-left override in a name", body: example(t, "enterprise.name", "Công ty \u202Egnp.exe"),
			status: 400, fields: []string{"enterprise.name"}},
		{name: "zero-width space in a description", body: example(t, "cargo.0.description", "Sầu\u200Briêng"),
			status: 400, fields: []string{"cargo[0].description"}},
		{name: "invalid UTF-8", body: strings.Replace(exampleJSON, "Nguyễn Văn A", "Nguy\xe1n V\xffn A", 1),
			status: 400, fields: []string{"driver.name"}},
		{name: "escaped lone surrogate", body: strings.Replace(exampleJSON, "Nguyễn Văn A", `Nguy\ud800n`, 1),
			status: 400, fields: []string{"driver.name"}},
		{name: "key given twice", body: strings.Replace(exampleJSON, `"gate":"huu-nghi",`, `"gate":"huu-nghi","gate":"tan-thanh",`, 1),
			status: 400, fields: []string{"gate"}},
		{name: "nested key given twice", body: strings.Replace(exampleJSON, `"packages":1200,`, `"packages":1200,"packages":1,`, 1),
			status: 400, fields: []string{"cargo[0].packages"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(t, "POST", "/api/v1/trips", "enterprise", tt.body, tt.header...)
			got := wantError(t, r, tt.status, cuakhau.EINVALID, tt.fields...)
			for _, f := range tt.fields {
				if !strings.Contains(got.Error.Message, f+": ") {
					t.Errorf("message %q does not name %s", got.Error.Message, f)
				}
			}
		})
	}
	if diff := cmp.Diff(before, e.tripIDs(t)); diff != "" {
		t.Errorf("trips changed (-before +after):\n%s", diff)
	}
	if n := len(e.events(t, existing.ID)); n != 1 {
		t.Errorf("existing trip has %d events, want 1", n)
	}
}

// TestDeclareAtAnotherGate: an operator's token bound to Tân Thanh may not
// declare a truck crossing at Hữu Nghị, and nothing is stored; at its own
// gate it may.
func TestDeclareAtAnotherGate(t *testing.T) {
	e := newEnv(t)
	r := e.do(t, "POST", "/api/v1/trips", "operator-tan-thanh", example(t))
	got := wantError(t, r, http.StatusForbidden, cuakhau.EFORBIDDEN)
	if !strings.Contains(got.Error.Message, "tan-thanh") {
		t.Errorf("message %q does not name the token's gate", got.Error.Message)
	}
	if ids := e.tripIDs(t); len(ids) != 0 {
		t.Errorf("trips stored: %v", ids)
	}
	e.declare(t, "operator-tan-thanh", example(t, "gate", "tan-thanh"))
}

// TestCapacityNoteBounded: the note of PUT …/capacity is held to the
// spec's 1,000 characters and the text rule, and nothing is stored.
func TestCapacityNoteBounded(t *testing.T) {
	e := newEnv(t)
	for _, note := range []string{strings.Repeat("a", 100_000), "Hữu Nghị quan\x00", "\u202Ebáo"} {
		r := e.do(t, "PUT", "/api/v1/gates/huu-nghi/capacity", "operator", map[string]any{"trucks_per_day": 900, "note": note})
		wantError(t, r, http.StatusBadRequest, cuakhau.EINVALID, "note")
	}
	if n := e.gateEvents(t); n != 0 {
		t.Errorf("the gate's log has %d events, want none", n)
	}
	r := e.do(t, "PUT", "/api/v1/gates/huu-nghi/capacity", "operator", map[string]any{"trucks_per_day": 900, "note": "Hữu Nghị quan báo:\r\n900 xe/ngày"})
	decode[cuakhau.GateControls](t, r, http.StatusOK)
}

// httpapiMaxBody mirrors httpapi.MaxBodyBytes so that the table reads plainly.
const httpapiMaxBody = 1 << 20

// TestDecideRejected sends decisions that must be refused, each with the
// status and code that say why, and checks that the trip's history is
// unchanged.
func TestDecideRejected(t *testing.T) {
	e := newEnv(t)
	trip := e.declare(t, "enterprise", example(t))
	e.decide(t, "operator", trip.ID, cuakhau.Decision{Checkpoint: "entry", Outcome: cuakhau.OutcomePass})
	before := e.events(t, trip.ID)

	pass := func(cp string) cuakhau.Decision {
		return cuakhau.Decision{Checkpoint: cp, Outcome: cuakhau.OutcomePass}
	}
	tests := []struct {
		name     string
		token    string
		trip     string // default: the trip
		body     any
		status   int
		code     string
		fields   []string
		wwwAuthn bool
	}{
		{name: "unknown checkpoint", token: "operator", body: pass("x-ray"), status: 400, code: cuakhau.EINVALID, fields: []string{"checkpoint"}},
		{name: "unknown outcome", token: "medical", body: map[string]any{"checkpoint": "medical", "outcome": "approve"},
			status: 400, code: cuakhau.EINVALID, fields: []string{"outcome"}},
		{name: "unknown field", token: "medical", body: map[string]any{"checkpoint": "medical", "outcome": "pass", "officer": "me"},
			status: 400, code: cuakhau.EINVALID, fields: []string{"officer"}},
		{name: "malformed JSON", token: "medical", body: `{"checkpoint":"medical","outcome":`, status: 400, code: cuakhau.EINVALID, fields: []string{"body"}},
		{name: "hold without a reason", token: "medical", body: cuakhau.Decision{Checkpoint: "medical", Outcome: cuakhau.OutcomeHold},
			status: 400, code: cuakhau.EINVALID, fields: []string{"note"}},
		{name: "out of order: border guard before customs", token: "border_guard", body: pass("border_guard"), status: 409, code: cuakhau.ECONFLICT},
		{name: "officer of another gate", token: "customs-tan-thanh", body: cuakhau.Decision{Checkpoint: "customs", Outcome: cuakhau.OutcomePass, Channel: cuakhau.ChannelGreen},
			status: 403, code: cuakhau.EFORBIDDEN},
		{name: "wrong role at checkpoint", token: "customs", body: pass("border_guard"), status: 403, code: cuakhau.EFORBIDDEN},
		{name: "enterprise of another tax code cancels", token: "enterprise-b", body: cuakhau.Decision{Outcome: cuakhau.OutcomeCancel},
			status: 403, code: cuakhau.EFORBIDDEN},
		{name: "enterprise decides a checkpoint", token: "enterprise", body: pass("medical"), status: 403, code: cuakhau.EFORBIDDEN},
		{name: "viewer", token: "viewer", body: pass("medical"), status: 403, code: cuakhau.EFORBIDDEN},
		{name: "no token", token: "", body: pass("medical"), status: 401, code: cuakhau.EUNAUTHORIZED, wwwAuthn: true},
		{name: "unknown token", token: "ck_notarealtoken", body: pass("medical"), status: 401, code: cuakhau.EUNAUTHORIZED, wwwAuthn: true},
		{name: "unknown trip", token: "medical", trip: "no-such-trip", body: pass("medical"), status: 404, code: cuakhau.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := trip.ID
			if tt.trip != "" {
				id = tt.trip
			}
			r := e.do(t, "POST", "/api/v1/trips/"+id+"/events", tt.token, tt.body)
			wantError(t, r, tt.status, tt.code, tt.fields...)
			if got := r.Header.Get("WWW-Authenticate"); (got != "") != tt.wwwAuthn {
				t.Errorf("WWW-Authenticate = %q, want it set: %v", got, tt.wwwAuthn)
			}
		})
	}
	if diff := cmp.Diff(before, e.events(t, trip.ID)); diff != "" {
		t.Errorf("events changed (-before +after):\n%s", diff)
	}
}

// TestAccess checks who may read and write what: tokens are required on
// every trip route, an enterprise sees only its own trips, and a viewer
// changes nothing.
func TestAccess(t *testing.T) {
	e := newEnv(t)
	trip := e.declare(t, "enterprise", example(t))
	before := e.tripIDs(t)

	tests := []struct {
		name   string
		method string
		path   string
		token  string
		body   any
		status int
		code   string
	}{
		{"list without token", "GET", "/api/v1/trips", "", nil, 401, cuakhau.EUNAUTHORIZED},
		{"read without token", "GET", "/api/v1/trips/" + trip.ID, "", nil, 401, cuakhau.EUNAUTHORIZED},
		{"events without token", "GET", "/api/v1/trips/" + trip.ID + "/events", "", nil, 401, cuakhau.EUNAUTHORIZED},
		{"declare without token", "POST", "/api/v1/trips", "", example(t), 401, cuakhau.EUNAUTHORIZED},
		{"declare with unknown token", "POST", "/api/v1/trips", "ck_notarealtoken", example(t), 401, cuakhau.EUNAUTHORIZED},
		{"declare with a malformed token", "POST", "/api/v1/trips", "not a token", example(t), 401, cuakhau.EUNAUTHORIZED},
		{"viewer declares", "POST", "/api/v1/trips", "viewer", example(t), 403, cuakhau.EFORBIDDEN},
		{"enterprise declares for another tax code", "POST", "/api/v1/trips", "enterprise-b", example(t), 403, cuakhau.EFORBIDDEN},
		{"officer declares", "POST", "/api/v1/trips", "customs", example(t), 403, cuakhau.EFORBIDDEN},
		{"enterprise reads another's trip", "GET", "/api/v1/trips/" + trip.ID, "enterprise-b", nil, 403, cuakhau.EFORBIDDEN},
		{"enterprise reads another's events", "GET", "/api/v1/trips/" + trip.ID + "/events", "enterprise-b", nil, 403, cuakhau.EFORBIDDEN},
		{"officer of another gate reads", "GET", "/api/v1/trips/" + trip.ID, "customs-tan-thanh", nil, 403, cuakhau.EFORBIDDEN},
		{"unknown trip", "GET", "/api/v1/trips/nope", "admin", nil, 404, cuakhau.ENOTFOUND},
		{"unknown trip's events", "GET", "/api/v1/trips/nope/events", "admin", nil, 404, cuakhau.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(t, tt.method, tt.path, tt.token, tt.body)
			wantError(t, r, tt.status, tt.code)
			if tt.status == 401 {
				want := `Bearer realm="cuakhau"`
				if tt.token != "" {
					want += `, error="invalid_token"`
				}
				if got := r.Header.Get("WWW-Authenticate"); got != want {
					t.Errorf("WWW-Authenticate = %q, want %q", got, want)
				}
			}
		})
	}

	// Those who may read, can.
	for _, tok := range []string{"enterprise", "admin", "viewer", "customs", "operator"} {
		r := e.do(t, "GET", "/api/v1/trips/"+trip.ID, tok, nil)
		if got := decode[*cuakhau.Trip](t, r, http.StatusOK); got.ID != trip.ID {
			t.Errorf("%s read trip %s, want %s", tok, got.ID, trip.ID)
		}
	}
	if diff := cmp.Diff(before, e.tripIDs(t)); diff != "" {
		t.Errorf("trips changed (-before +after):\n%s", diff)
	}
}
