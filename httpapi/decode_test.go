package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/cuakhau/cuakhau"
)

// These tests cover the request-reading rules below the HTTP tests in
// httpapi_test, including the leniencies that the contract (which wants a
// Content-Type) cannot show over the wire.

func TestDecodeStrict(t *testing.T) {
	tests := []struct {
		name string
		body string
		want map[string]string // nil: decodes
	}{
		{"ok", `{"gate":"huu-nghi","cargo":[{"gross_kg":1}]}`, nil},
		{"ok with surrounding space", " \n{\"gate\":\"huu-nghi\"}\n ", nil},
		{"null leaves the zero value", `{"gate":null,"cargo":null}`, nil},
		{"empty", "  ", map[string]string{"body": "required: a JSON object"}},
		{"truncated", `{"gate":`, map[string]string{"body": "malformed JSON at byte 8: unexpected end of input"}},
		{"bad token", `{"gate":x}`, map[string]string{"body": "malformed JSON at byte 9: invalid character 'x' looking for beginning of value"}},
		{"trailing object", `{"gate":"a"} {}`, map[string]string{"body": "unexpected data after the JSON object at byte 13"}},
		{"trailing garbage", `{"gate":"a"}x`, map[string]string{"body": "unexpected data after the JSON object at byte 12"}},
		{"array", `[]`, map[string]string{"body": "must be a JSON object"}},
		{"null", `null`, map[string]string{"body": "must be a JSON object"}},
		{"escaped upper case", `{"g\u0041te":"huu-nghi"}`, map[string]string{"gAte": "unknown field"}},
		{"unknown nested field", `{"vehicle":{"plate":"x","colour":"red"}}`, map[string]string{"vehicle.colour": "unknown field"}},
		{"unknown field in array", `{"cargo":[{"hs_code":"0810"},{"weight":1}]}`, map[string]string{"cargo[1].weight": "unknown field"}},
		{"case matters", `{"GATE":"huu-nghi"}`, map[string]string{"GATE": "unknown field"}},
		{"string for number", `{"cargo":[{},{"gross_kg":"1"}]}`, map[string]string{"cargo[1].gross_kg": "must be a number"}},
		{"fraction", `{"cargo":[{"packages":2.5}]}`, map[string]string{"cargo[0].packages": "must be a whole number"}},
		{"too large for int64", `{"cargo":[{"gross_kg":1e30}]}`, map[string]string{"cargo[0].gross_kg": "must be a whole number"}},
		{"number for string", `{"vehicle":{"plate":12}}`, map[string]string{"vehicle.plate": "must be a string"}},
		{"string for bool", `{"cargo":[{"perishable":"yes"}]}`, map[string]string{"cargo[0].perishable": "must be true or false"}},
		{"object for array", `{"containers":{}}`, map[string]string{"containers": "must be an array"}},
		{"number in string array", `{"containers":["A",1]}`, map[string]string{"containers[1]": "must be a string"}},
		{"string for object", `{"vehicle":"12C"}`, map[string]string{"vehicle": "must be an object"}},
		{"bad time", `{"planned_arrival":"2026-12-01 08:00"}`, map[string]string{"planned_arrival": "must be an RFC 3339 date-time (2026-12-01T08:00:00+07:00)"}},
		{"several", `{"gate":1,"x":2}`, map[string]string{"gate": "must be a string", "x": "unknown field"}},
		{"key twice", `{"gate":"huu-nghi","gate":"tan-thanh"}`, map[string]string{"gate": "given twice; send each field once"}},
		{"nested key twice", `{"vehicle":{"plate":"a","plate":"b"}}`, map[string]string{"vehicle.plate": "given twice; send each field once"}},
		{"key twice in an array element", `{"cargo":[{"packages":1},{"packages":1,"packages":2}]}`,
			map[string]string{"cargo[1].packages": "given twice; send each field once"}},
		{"key twice, once escaped", `{"gate":"a","g\u0061te":"b"}`, map[string]string{"gate": "given twice; send each field once"}},
		{"key twice after an unknown one", `{"x":1,"gate":"a","gate":"b"}`, map[string]string{"gate": "given twice; send each field once", "x": "unknown field"}},
		{"same key in two objects", `{"vehicle":{"plate":"a"},"cargo":[{"packages":1},{"packages":2}]}`, nil},
		{"invalid UTF-8 in a value", "{\"driver\":{\"name\":\"Nguy\xe1n\"}}", map[string]string{"driver.name": "not valid UTF-8"}},
		{"invalid UTF-8 in an array", "{\"containers\":[\"a\",\"\xff\"]}", map[string]string{"containers[1]": "not valid UTF-8"}},
		{"overlong encoding", "{\"gate\":\"\xc0\xaf\"}", map[string]string{"gate": "not valid UTF-8"}},
		{"invalid UTF-8 in a key", "{\"g\xffte\":1}", map[string]string{"g\uFFFDte": "the field's name is not valid UTF-8"}},
		{"lone high surrogate", `{"gate":"a\ud800b"}`, map[string]string{"gate": "not valid UTF-8"}},
		{"lone high surrogate at the end", `{"gate":"a\uD800"}`, map[string]string{"gate": "not valid UTF-8"}},
		{"lone low surrogate", `{"gate":"\udc00"}`, map[string]string{"gate": "not valid UTF-8"}},
		{"two high surrogates", `{"gate":"\ud83d\ud83d"}`, map[string]string{"gate": "not valid UTF-8"}},
		{"surrogate pair", `{"gate":"\ud83d\ude9a"}`, nil},
		{"escaped quote and backslash", `{"gate":"a\"\\","vehicle":{"plate":"\u00e9"}}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d cuakhau.Declaration
			err := decodeStrict([]byte(tt.body), &d)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("error %v, want none", err)
				}
				return
			}
			if code := cuakhau.ErrorCode(err); code != cuakhau.EINVALID {
				t.Fatalf("error %v (code %q), want invalid", err, code)
			}
			if diff := cmp.Diff(tt.want, cuakhau.ErrorFields(err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCheckRawManyKeys: an object past manyKeys is still checked for a
// key given twice, wherever it is.
func TestCheckRawManyKeys(t *testing.T) {
	for _, n := range []int{manyKeys - 1, manyKeys, manyKeys + 1, 1000} {
		var b strings.Builder
		b.WriteString(`{"lanes":{`)
		for i := range n {
			fmt.Fprintf(&b, `"k%d":1,`, i)
		}
		b.WriteString(`"k0":2}}`)
		fe := cuakhau.FieldErrors{}
		checkRaw([]byte(b.String()), fe)
		if diff := cmp.Diff(map[string]string{"lanes.k0": "given twice; send each field once"}, map[string]string(fe)); diff != "" {
			t.Errorf("%d keys: (-want +got):\n%s", n, diff)
		}
	}
}

// FuzzCheckRaw holds checkRaw to encoding/json's own reading of a body:
// on valid UTF-8 without escapes, it finds a key given twice exactly when
// the token stream shows one; and it never reads past the body.
func FuzzCheckRaw(f *testing.F) {
	for _, s := range []string{`{"a":1,"a":2}`, `{"a":{"b":[{"c":1},{"c":1,"c":2}]}}`, `{"a":"\ud800"}`, "{\"a\":\"\xff\"}", `[{"a":1},{"a":1}]`, `{"a":[1,{"a":1}],"a":0}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) {
			return
		}
		fe := cuakhau.FieldErrors{}
		checkRaw(body, fe)
		if !utf8.Valid(body) || bytes.IndexByte(body, '\\') >= 0 {
			return
		}
		dup := false
		for _, rule := range fe {
			dup = dup || rule == "given twice; send each field once"
		}
		if want := hasDuplicateKey(t, body); dup != want {
			t.Errorf("checkRaw(%s) = %v; the token stream says a key given twice: %v", body, fe, want)
		}
	})
}

// hasDuplicateKey reads body's tokens and reports whether an object holds a
// key twice.
func hasDuplicateKey(t *testing.T, body []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		object, wantKey bool
		keys            map[string]bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.wantKey {
			if k, ok := tok.(string); ok {
				if top.keys[k] {
					return true
				}
				top.keys[k] = true
				top.wantKey = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, wantKey: true, keys: map[string]bool{}})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		// A value has ended: its object wants a key next.
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].wantKey = true
		}
	}
}

// TestDecodeFastAgrees: whenever the one-pass decode takes a body, the full
// check accepts it too and decodes the same value, or refuses it as
// checkRaw, run after the one pass, does; when it declines, it leaves the
// value zero.
func TestDecodeFastAgrees(t *testing.T) {
	bodies := []string{
		`{"gate":"huu-nghi","direction":"export","cargo":[{"hs_code":"0810.60","gross_kg":18000,"perishable":true}]}`,
		`{"gate":"huu-nghi","vehicle":{"plate":"12c-123.45"},"planned_arrival":"2026-12-01t08:00:00+07:00"}`,
		`{"gate":"huu-nghi","planned_arrival":"2026-12-01T08:00:00+07:00"}`,
		`{"gate":null,"cargo":null}`, ` {"gate":"a"} `, `{"gate":"a"} {}`, `{"gate":"a"}x`, `null`, `[]`,
		`{"gate":1}`, `{"cargo":[{"packages":2.5}]}`, `{"cargo":[{"gross_kg":1e30}]}`, `{"x":1}`, `{"gate":"a","gate":"b"}`,
		`{"checkpoint":"customs","outcome":"pass","channel":"green"}`,
	}
	for _, b := range bodies {
		var fast, full cuakhau.Declaration
		if !decodeFast([]byte(b), &fast) {
			if !cmp.Equal(cuakhau.Declaration{}, fast) {
				t.Errorf("%s: declined but left %+v", b, fast)
			}
			continue
		}
		raw := cuakhau.FieldErrors{}
		checkRaw([]byte(b), raw)
		if err := decodeChecked([]byte(b), &full); err != nil {
			// The one pass is followed by checkRaw: together they must
			// refuse what the full check refuses, the same way.
			if diff := cmp.Diff(cuakhau.ErrorFields(err), map[string]string(raw)); diff != "" {
				t.Errorf("%s: one pass and checkRaw accepted what the full check refuses (-full +fast):\n%s", b, diff)
			}
			continue
		}
		if diff := cmp.Diff(full, fast); diff != "" {
			t.Errorf("%s: one pass decoded differently (-full +fast):\n%s", b, diff)
		}
	}
	var d cuakhau.Decision
	if !decodeFast([]byte(`{"checkpoint":"customs","outcome":"pass","channel":"green"}`), &d) || d.Channel != "green" {
		t.Errorf("a plain decision did not take the one-pass decode: %+v", d)
	}
}

type upperTagged struct {
	Gate string `json:"Gate"`
}

// A type with a field name that is not lower case never takes the one-pass
// decode, which would match "gate" to it.
func TestDecodeFastNeedsLowerNames(t *testing.T) {
	var v upperTagged
	if decodeFast([]byte(`{"gate":"huu-nghi"}`), &v) {
		t.Error("one-pass decode taken for a type with an upper-case field name")
	}
	if err := decodeStrict([]byte(`{"gate":"huu-nghi"}`), &v); cuakhau.ErrorFields(err)["gate"] != "unknown field" {
		t.Errorf("decodeStrict: %v, want gate: unknown field", err)
	}
}

// TestDecodeStrictDecision checks a second request type: pointers to structs
// and named string types.
func TestDecodeStrictDecision(t *testing.T) {
	var d cuakhau.Decision
	err := decodeStrict([]byte(`{"outcome":"pass","reading":{"weight_kg":-1.5,"speed":3}}`), &d)
	want := map[string]string{"reading.weight_kg": "must be a whole number", "reading.speed": "unknown field"}
	if diff := cmp.Diff(want, cuakhau.ErrorFields(err)); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	if err := decodeStrict([]byte(`{"checkpoint":"entry","outcome":"pass","reading":{"plate":"12C12345"}}`), &d); err != nil {
		t.Fatal(err)
	}
	if want := (cuakhau.Decision{Checkpoint: "entry", Outcome: "pass", Reading: &cuakhau.Reading{Plate: "12C12345"}}); !cmp.Equal(want, d) {
		t.Errorf("decoded %+v, want %+v", d, want)
	}
}

func TestReadJSONHeaders(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
		want   map[string]string // nil: accepted
		key    string
	}{
		{"no content type", http.Header{}, nil, ""},
		{"json", http.Header{"Content-Type": {"application/json"}}, nil, ""},
		{"json utf-8", http.Header{"Content-Type": {"application/json; charset=UTF-8"}}, nil, ""},
		{"json latin-1", http.Header{"Content-Type": {"application/json; charset=iso-8859-1"}}, map[string]string{"Content-Type": "must be application/json"}, ""},
		{"form", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, map[string]string{"Content-Type": "must be application/json"}, ""},
		{"garbled", http.Header{"Content-Type": {"json;;"}}, map[string]string{"Content-Type": "must be application/json"}, ""},
		{"key", http.Header{"Idempotency-Key": {"abc-123"}}, nil, "abc-123"},
		{"key of 200", http.Header{"Idempotency-Key": {strings.Repeat("k", 200)}}, nil, strings.Repeat("k", 200)},
		{"key of 201", http.Header{"Idempotency-Key": {strings.Repeat("k", 201)}}, map[string]string{"Idempotency-Key": "longer than 200 characters"}, ""},
		{"empty key", http.Header{"Idempotency-Key": {""}}, map[string]string{"Idempotency-Key": "must not be empty"}, ""},
		{"two keys", http.Header{"Idempotency-Key": {"a", "b"}}, map[string]string{"Idempotency-Key": "must be sent once"}, ""},
		{"control character", http.Header{"Idempotency-Key": {"a\tb"}}, map[string]string{"Idempotency-Key": "must be printable ASCII"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/api/v1/trips", strings.NewReader(`{"gate":"huu-nghi"}`))
			r.Header = tt.header
			var d cuakhau.Declaration
			ctx, err := readJSON(httptest.NewRecorder(), r, &d)
			if diff := cmp.Diff(tt.want, cuakhau.ErrorFields(err)); diff != "" {
				t.Fatalf("fields (-want +got):\n%s (error %v)", diff, err)
			}
			if err != nil {
				return
			}
			k, ok := cuakhau.IdempotencyFrom(ctx)
			if k.Key != tt.key || ok != (tt.key != "") {
				t.Errorf("idempotency %+v %v, want key %q", k, ok, tt.key)
			}
			if ok && k.RequestHash != requestHash(r, []byte(`{"gate":"huu-nghi"}`)) {
				t.Errorf("request hash %s is not the hash of the request", k.RequestHash)
			}
		})
	}
}

// TestRequestHash: the hash separates method, path and body, so that a key
// reused for any other request is told apart from a retry.
func TestRequestHash(t *testing.T) {
	hash := func(method, path, body string) string {
		return requestHash(httptest.NewRequest(method, path, nil), []byte(body))
	}
	base := hash("POST", "/api/v1/trips", `{"a":1}`)
	if len(base) != 64 || base != hash("POST", "/api/v1/trips", `{"a":1}`) {
		t.Fatalf("hash %q is not a stable hex SHA-256", base)
	}
	for _, other := range []string{
		hash("PUT", "/api/v1/trips", `{"a":1}`),
		hash("POST", "/api/v1/trips/x/events", `{"a":1}`),
		hash("POST", "/api/v1/trips", `{"a":2}`),
		hash("POST", "/api/v1/trips", `{"a": 1}`),
	} {
		if other == base {
			t.Errorf("different requests share hash %s", base)
		}
	}
}

func TestStatusTable(t *testing.T) {
	tests := []struct {
		err    error
		status int
		code   string
	}{
		{cuakhau.Invalid("x", "y"), 400, cuakhau.EINVALID},
		{cuakhau.Errorf(cuakhau.EUNAUTHORIZED, "m"), 401, cuakhau.EUNAUTHORIZED},
		{cuakhau.Errorf(cuakhau.EFORBIDDEN, "m"), 403, cuakhau.EFORBIDDEN},
		{cuakhau.Errorf(cuakhau.ENOTFOUND, "m"), 404, cuakhau.ENOTFOUND},
		{fmt.Errorf("wrapped: %w", cuakhau.Errorf(cuakhau.ECONFLICT, "m")), 409, cuakhau.ECONFLICT},
		{errors.New("disk full"), 500, cuakhau.EINTERNAL},
		{cuakhau.Errorf("teapot", "an unknown code"), 500, cuakhau.EINTERNAL},
		{errors.Join(cuakhau.Invalid("body", "larger than 1 MiB"), &http.MaxBytesError{Limit: 1}), 413, cuakhau.EINVALID},
		{fmt.Errorf("%w: %w", errNotReady, errors.New("down")), 503, cuakhau.EINTERNAL},
	}
	for _, tt := range tests {
		if st, code := status(tt.err); st != tt.status || code != tt.code {
			t.Errorf("status(%v) = %d %q, want %d %q", tt.err, st, code, tt.status, tt.code)
		}
	}
}

// TestUnknownRoute: paths outside the route table are a JSON 404,
// not net/http's text.
func TestUnknownRoute(t *testing.T) {
	a := New(Config{Gates: nilGates{}, Trips: nilTrips{}, Tokens: nilTokens{}})
	for _, req := range []*http.Request{
		httptest.NewRequest("GET", "/api/v2/trips", nil),
		httptest.NewRequest("DELETE", "/api/v1/no-such-route", nil),
		httptest.NewRequest("GET", "/", nil),
	} {
		w := httptest.NewRecorder()
		a.ServeHTTP(w, req)
		if w.Code != 404 || w.Header().Get("Content-Type") != "application/json; charset=utf-8" ||
			!strings.Contains(w.Body.String(), `"code":"not_found"`) {
			t.Errorf("%s %s: %d %q %s, want a JSON not_found", req.Method, req.URL.Path, w.Code, w.Header().Get("Content-Type"), w.Body)
		}
	}
}

func TestChainOrder(t *testing.T) {
	var got []string
	mw := func(name string) Middleware {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = append(got, name)
				next.ServeHTTP(w, r)
			})
		}
	}
	h := Chain(mw("outer"), mw("middle"), mw("inner"))(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		got = append(got, "handler")
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if diff := cmp.Diff([]string{"outer", "middle", "inner", "handler"}, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

type nilGates struct{}

func (nilGates) Gates(context.Context) ([]*cuakhau.Gate, error) { return nil, nil }
func (nilGates) Gate(context.Context, string) (*cuakhau.Gate, error) {
	return nil, cuakhau.Errorf(cuakhau.ENOTFOUND, "no gate")
}

type nilTrips struct{ cuakhau.TripService }

type nilTokens struct{}

func (nilTokens) CreateToken(context.Context, cuakhau.Token) (string, *cuakhau.Token, error) {
	return "", nil, errors.New("not here")
}
func (nilTokens) Authenticate(context.Context, string) (cuakhau.Principal, error) {
	return cuakhau.Principal{}, cuakhau.Errorf(cuakhau.EUNAUTHORIZED, "no")
}

// BenchmarkDecodeStrict reads the API's example declaration, as most
// declarations arrive: with Vietnamese text, so by the full check, and in
// lower-case ASCII without a time, by the one-pass decode; both run checkRaw.
func BenchmarkDecodeStrict(b *testing.B) {
	vi := []byte(`{"gate":"huu-nghi","direction":"export",
 "vehicle":{"plate":"12C-123.45","country":"VN","trailer_plate":"12R-001.23"},
 "driver":{"name":"Nguyễn Văn A","id_number":"020123456789"},
 "enterprise":{"tax_code":"0100109106","name":"Công ty TNHH Nông sản Xứ Lạng"},
 "containers":["CSQU3054383"],
 "cargo":[{"hs_code":"0810.60","description":"Sầu riêng tươi","packages":1200,
           "gross_kg":18000,"value_usd_cents":5400000,"perishable":true,"shelf_life_hours":240}],
 "customs_declarations":["304001234520"],
 "planned_arrival":"2026-12-01T08:00:00+07:00"}`)
	ascii := strings.NewReplacer("Nguyễn Văn A", "nguyen van a", "Công ty TNHH Nông sản Xứ Lạng", "cong ty tnhh nong san xu lang",
		"Sầu riêng tươi", "sau rieng tuoi", "12C-123.45", "12c-123.45", "12R-001.23", "12r-001.23", "VN", "vn",
		"CSQU3054383", "csqu3054383", `,
 "planned_arrival":"2026-12-01T08:00:00+07:00"`, "").Replace(string(vi))
	for _, bb := range []struct {
		name string
		body []byte
	}{{"vietnamese", vi}, {"ascii", []byte(ascii)}} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var d cuakhau.Declaration
				if err := decodeStrict(bb.body, &d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
