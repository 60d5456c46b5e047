package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/catalog"
	"github.com/cuakhau/cuakhau/httpapi"
	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/cuakhau/cuakhau/translog"
)

// testNow is the fixed clock's start: 08:00 on 30 November 2026 at the gate,
// the day before the example's planned arrival.
var testNow = time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC)

// Tax codes of the two enterprises in the tests.
const (
	taxA = "0100109106"
	taxB = "0300588569"
)

// tokenSpecs are the tokens every test environment has, by name.
var tokenSpecs = map[string]cuakhau.Token{
	"admin":              {Role: cuakhau.RoleAdmin},
	"operator":           {Role: cuakhau.RoleOperator, Gate: "huu-nghi"},
	"operator-tan-thanh": {Role: cuakhau.RoleOperator, Gate: "tan-thanh"},
	"medical":            {Role: cuakhau.RoleMedical, Gate: "huu-nghi"},
	"customs":            {Role: cuakhau.RoleCustoms, Gate: "huu-nghi"},
	"quarantine":         {Role: cuakhau.RoleQuarantine, Gate: "huu-nghi"},
	"border_guard":       {Role: cuakhau.RoleBorderGuard, Gate: "huu-nghi"},
	"customs-tan-thanh":  {Role: cuakhau.RoleCustoms, Gate: "tan-thanh"},
	"enterprise":         {Role: cuakhau.RoleEnterprise, TaxCode: taxA},
	"enterprise-b":       {Role: cuakhau.RoleEnterprise, TaxCode: taxB},
	"viewer":             {Role: cuakhau.RoleViewer},
}

// env is one API server over a fresh SQLite store.
type env struct {
	db     *sqlstore.DB
	clock  *cuakhau.FixedClock
	srv    *httptest.Server
	tokens map[string]string // name → secret
	logs   *syncBuffer
	tlog   *translog.Log
}

// newEnv starts an API over a migrated, seeded SQLite store in t.TempDir(),
// with the tokens of tokenSpecs. Options may replace parts of the Config
// (a failing service, a readiness check).
func newEnv(t *testing.T, opts ...func(*httpapi.Config)) *env {
	t.Helper()
	return newEnvOn(t, "sqlite:"+filepath.Join(t.TempDir(), "cuakhau.db"), opts...)
}

// newEnvOn is newEnv over the empty store at dsn.
func newEnvOn(t *testing.T, dsn string, opts ...func(*httpapi.Config)) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{clock: cuakhau.NewFixedClock(testNow), tokens: map[string]string{}, logs: &syncBuffer{}}
	db, err := sqlstore.Open(ctx, dsn, e.clock)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	gates, err := catalog.Gates()
	if err != nil {
		t.Fatalf("catalog: %v", err)
	}
	if err := db.Seed(ctx, gates); err != nil {
		t.Fatalf("seed: %v", err)
	}
	e.db = db
	for name, spec := range tokenSpecs {
		spec.Name = name
		secret, _, err := db.CreateToken(ctx, spec)
		if err != nil {
			t.Fatalf("create token %s: %v", name, err)
		}
		e.tokens[name] = secret
	}
	skey, err := translog.GenerateKey("cuakhau.example")
	if err != nil {
		t.Fatal(err)
	}
	if e.tlog, err = translog.New(db, skey, e.clock); err != nil {
		t.Fatal(err)
	}
	cfg := httpapi.Config{
		Gates:   db,
		Trips:   db,
		Tokens:  db,
		Queue:   db,
		Lookup:  db,
		Devices: db,
		Log:     e.tlog,
		Ready:   db.Ping,
		Logger:  slog.New(slog.NewJSONHandler(e.logs, nil)),
	}
	for _, o := range opts {
		o(&cfg)
	}
	e.srv = httptest.NewServer(httpapi.New(cfg))
	t.Cleanup(e.srv.Close)
	return e
}

// response is an answer, read in full.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// do sends a request through the contract-checking transport. token names a
// token of tokenSpecs ("" for none; any other string is sent as it is);
// body is nil, a string or []byte sent as is, or a value sent as JSON;
// header holds extra header pairs (a value "" deletes the header).
func (e *env) do(t *testing.T, method, path, token string, body any, header ...string) response {
	t.Helper()
	var rd *bytes.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewReader([]byte(b))
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	var req *http.Request
	var err error
	if rd != nil {
		req, err = http.NewRequest(method, e.srv.URL+path, rd)
		req.Header.Set("Content-Type", "application/json")
	} else {
		req, err = http.NewRequest(method, e.srv.URL+path, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		secret, ok := e.tokens[token]
		if !ok {
			secret = token
		}
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			req.Header.Del(header[i])
		} else {
			req.Header.Set(header[i], header[i+1])
		}
	}
	client := &http.Client{Transport: contractTransport{t: t, next: e.srv.Client().Transport}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: buf.Bytes()}
}

// decode decodes a JSON answer, failing the test if the status is not want.
func decode[T any](t *testing.T, r response, want int) T {
	t.Helper()
	var v T
	if r.Status != want {
		t.Fatalf("status %d, want %d; body %s", r.Status, want, r.Body)
	}
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("decode %T: %v; body %s", v, err, r.Body)
	}
	return v
}

// apiError is the error body.
type apiError struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

// wantError checks that r is an error answer with this status and code and
// that it names exactly these fields (nil: no fields). It returns the error.
func wantError(t *testing.T, r response, status int, code string, fields ...string) apiError {
	t.Helper()
	e := decode[apiError](t, r, status)
	if e.Error.Code != code {
		t.Errorf("code = %q, want %q (message %q)", e.Error.Code, code, e.Error.Message)
	}
	if e.Error.Message == "" {
		t.Errorf("empty message")
	}
	got := make([]string, 0, len(e.Error.Fields))
	for f := range e.Error.Fields {
		got = append(got, f)
	}
	slices.Sort(got)
	slices.Sort(fields)
	if fields == nil {
		fields = []string{}
	}
	if diff := cmp.Diff(fields, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s\nerror: %+v", diff, e.Error)
	}
	return e
}

// exampleJSON is the example declaration of the API's brief and spec.
const exampleJSON = `{"gate":"huu-nghi","direction":"export",
 "vehicle":{"plate":"12C-123.45","country":"VN","trailer_plate":"12R-001.23"},
 "driver":{"name":"Nguyễn Văn A","id_number":"020123456789"},
 "enterprise":{"tax_code":"0100109106","name":"Công ty TNHH Nông sản Xứ Lạng"},
 "containers":["CSQU3054383"],
 "cargo":[{"hs_code":"0810.60","description":"Sầu riêng tươi","packages":1200,
           "gross_kg":18000,"value_usd_cents":5400000,"perishable":true,"shelf_life_hours":240}],
 "customs_declarations":["304001234520"],
 "planned_arrival":"2026-12-01T08:00:00+07:00"}`

// example returns the example declaration as a mutable JSON tree, with
// changes applied: path → value, where a path is dotted with array indices
// as numbers (cargo.0.gross_kg) and the value deleteField removes the field.
func example(t *testing.T, changes ...any) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(exampleJSON), &m); err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(changes); i += 2 {
		setPath(t, m, changes[i].(string), changes[i+1])
	}
	return m
}

type deleteMarker struct{}

// deleteField as a value in example's changes removes the field.
var deleteField = deleteMarker{}

func setPath(t *testing.T, root any, path string, v any) {
	t.Helper()
	parts := strings.Split(path, ".")
	cur := root
	for i, p := range parts {
		last := i == len(parts)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				if v == deleteField {
					delete(c, p)
				} else {
					c[p] = v
				}
				return
			}
			cur = c[p]
		case []any:
			n, err := strconv.Atoi(p)
			if err != nil || n >= len(c) {
				t.Fatalf("setPath %s: bad index %q", path, p)
			}
			if last {
				c[n] = v
				return
			}
			cur = c[n]
		default:
			t.Fatalf("setPath %s: cannot descend into %T", path, cur)
		}
	}
}

// declare declares a trip with the token and fails the test unless it is 201.
// The clock moves a second first, so that lists (oldest declaration first)
// are in the order the test declared.
func (e *env) declare(t *testing.T, token string, decl any) *cuakhau.Trip {
	t.Helper()
	e.clock.Add(time.Second)
	r := e.do(t, "POST", "/api/v1/trips", token, decl)
	trip := decode[*cuakhau.Trip](t, r, http.StatusCreated)
	if got, want := r.Header.Get("Location"), "/api/v1/trips/"+trip.ID; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	return trip
}

// decide posts a decision and fails the test unless it is 201.
func (e *env) decide(t *testing.T, token, tripID string, d any) *cuakhau.DecisionResult {
	t.Helper()
	r := e.do(t, "POST", "/api/v1/trips/"+tripID+"/events", token, d)
	return decode[*cuakhau.DecisionResult](t, r, http.StatusCreated)
}

// tripIDs lists the ids of every trip, as the admin sees them.
func (e *env) tripIDs(t *testing.T) []string {
	t.Helper()
	list := decode[tripList](t, e.do(t, "GET", "/api/v1/trips?limit=1000", "admin", nil), http.StatusOK)
	ids := make([]string, len(list.Trips))
	for i, tr := range list.Trips {
		ids[i] = tr.ID
	}
	return ids
}

// events returns a trip's events, as the admin sees them.
func (e *env) events(t *testing.T, tripID string) []*cuakhau.Event {
	t.Helper()
	return decode[eventList](t, e.do(t, "GET", "/api/v1/trips/"+tripID+"/events", "admin", nil), http.StatusOK).Events
}

type tripList struct {
	Trips []*cuakhau.Trip `json:"trips"`
	Next  string          `json:"next"`
}

type eventList struct {
	Events []*cuakhau.Event `json:"events"`
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
