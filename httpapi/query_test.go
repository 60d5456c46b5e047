package httpapi_test

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cuakhau/cuakhau/httpapi"
)

// TestUnknownQueryRefused walks every GET route with a parameter no route
// reads: each answers 400 naming it, rather than ignoring it.
func TestUnknownQueryRefused(t *testing.T) {
	e := newEnv(t)
	trip := e.declare(t, "enterprise", example(t))
	for _, pattern := range httpapi.Routes() {
		method, path, _ := strings.Cut(pattern, " ")
		if method != http.MethodGet {
			continue
		}
		path = strings.NewReplacer("{gate}", "huu-nghi", "{id}", trip.ID).Replace(path)
		t.Run(pattern, func(t *testing.T) {
			wantError(t, e.do(t, method, path+"?bogus=1", "admin", nil), 400, "invalid", "bogus")
		})
	}
}

func TestQueryParamsRefusedOnWrites(t *testing.T) {
	e := newEnv(t)
	before := len(e.tripIDs(t))
	wantError(t, e.do(t, "POST", "/api/v1/trips?dry_run=1", "enterprise", example(t)), 400, "invalid", "dry_run")
	if after := len(e.tripIDs(t)); after != before {
		t.Errorf("a refused declaration stored %d trips", after-before)
	}
}

func TestQueryParamGivenTwice(t *testing.T) {
	e := newEnv(t)
	wantError(t, e.do(t, "GET", "/api/v1/trips?limit=5&limit=10", "admin", nil), 400, "invalid", "limit")
	// A misspelt filter names itself; the known ones beside it are fine.
	wantError(t, e.do(t, "GET", "/api/v1/trips?gate=huu-nghi&statsu=held", "admin", nil), 400, "invalid", "statsu")
}

// TestQueryParamsMatchSpec checks that the parameters each route reads are
// exactly those api/openapi.yaml declares for it.
func TestQueryParamsMatchSpec(t *testing.T) {
	known := httpapi.QueryParams()
	for path, item := range specDoc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + path
			var spec []string
			for _, p := range op.Parameters {
				if p.Value.In == "query" {
					spec = append(spec, p.Value.Name)
				}
			}
			got := slices.Clone(known[name])
			slices.Sort(got)
			slices.Sort(spec)
			if diff := cmp.Diff(spec, got, cmpNilEmpty); diff != "" {
				t.Errorf("%s: query parameters, spec (-) and server (+):\n%s", name, diff)
			}
		}
	}
	for name := range known {
		if !slices.Contains(httpapi.Routes(), name) {
			t.Errorf("query parameters listed for %s, which is no route", name)
		}
	}
}

var cmpNilEmpty = cmp.Transformer("nilEmpty", func(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
})

// TestQueryOnUnknownPathIsNotFound checks that a path no route serves is
// 404 with or without a query, and that a protected route asks for a token
// before it looks at the query.
func TestQueryOnUnknownPathIsNotFound(t *testing.T) {
	e := newEnv(t)
	// Outside the contract, so not through e.do.
	resp, err := e.srv.Client().Get(e.srv.URL + "/api/v1/nowhere?bogus=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	wantError(t, response{Status: resp.StatusCode, Header: resp.Header, Body: body}, 404, "not_found")
	wantError(t, e.do(t, "GET", "/api/v1/trips?bogus=1", "", nil), 401, "unauthorized")
}
