package httpapi_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/cuakhau/cuakhau/api"
	"github.com/cuakhau/cuakhau/httpapi"
)

// The contract: api/openapi.yaml, loaded once, and the operations the tests
// have exercised, checked in TestMain.
var (
	specDoc    *openapi3.T
	specRouter routers.Router

	exercisedMu sync.Mutex
	exercised   = map[string]bool{} // "GET /api/v1/trips/{id}"
)

func TestMain(m *testing.M) {
	flag.Parse()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.Spec)
	if err == nil {
		err = doc.Validate(loader.Context)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "api/openapi.yaml: %v\n", err)
		os.Exit(1)
	}
	specDoc = doc
	if specRouter, err = legacy.NewRouter(doc); err != nil {
		fmt.Fprintf(os.Stderr, "api/openapi.yaml: router: %v\n", err)
		os.Exit(1)
	}
	code := m.Run()
	// Every operation the contract describes must have been exercised, so
	// that the spec cannot describe a route no test has checked. Skipped when
	// only some tests were asked for.
	if code == 0 && flag.Lookup("test.run").Value.String() == "" && !testing.Short() {
		var missing []string
		for _, op := range specOperations() {
			if !exercised[op] {
				missing = append(missing, op)
			}
		}
		if len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: operations in api/openapi.yaml that no test exercised: %s\n", strings.Join(missing, ", "))
			code = 1
		}
	}
	os.Exit(code)
}

// specOperations lists the spec's operations as ServeMux patterns.
func specOperations() []string {
	var ops []string
	for path, item := range specDoc.Paths.Map() {
		for method := range item.Operations() {
			ops = append(ops, method+" "+path)
		}
	}
	slices.Sort(ops)
	return ops
}

// TestRoutesMatchSpec checks that the server's route table and the spec's
// operations are the same list.
func TestRoutesMatchSpec(t *testing.T) {
	got := httpapi.Routes()
	slices.Sort(got)
	want := specOperations()
	if !slices.Equal(got, want) {
		t.Errorf("server routes and spec operations differ\nserver: %v\nspec:   %v", got, want)
	}
}

// contractTransport checks every exchange against the spec:
//
//   - the request's route and method must be in the spec;
//   - a request the spec rejects must be answered 4xx: the server is at
//     least as strict as its contract (deliberately bad requests are part of
//     the tests, and this is how they are held to the spec);
//   - the response's status must be listed for the operation, and its
//     headers and body must match the schema;
//   - JSON answers carry "application/json; charset=utf-8", and every answer
//     an X-Request-Id.
//
// Failures are reported to the test that made the request.
type contractTransport struct {
	t    *testing.T
	next http.RoundTripper
}

func (c contractTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t := c.t
	t.Helper()
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
	}
	name := req.Method + " " + req.URL.Path

	route, pathParams, err := specRouter.FindRoute(req)
	if err != nil {
		t.Errorf("contract: %s is not in api/openapi.yaml: %v", name, err)
	} else {
		exercisedMu.Lock()
		exercised[route.Method+" "+route.Path] = true
		exercisedMu.Unlock()
	}

	var reqErr error
	var input *openapi3filter.RequestValidationInput
	if route != nil {
		vreq := req.Clone(context.Background())
		vreq.Body = io.NopCloser(bytes.NewReader(body))
		input = &openapi3filter.RequestValidationInput{
			Request:    vreq,
			PathParams: pathParams,
			Route:      route,
			Options: &openapi3filter.Options{
				MultiError:          true,
				SkipSettingDefaults: true,
				AuthenticationFunc:  checkBearer,
			},
		}
		reqErr = openapi3filter.ValidateRequest(context.Background(), input)
	}

	out := req.Clone(req.Context())
	out.Body = io.NopCloser(bytes.NewReader(body))
	if req.Body == nil {
		out.Body = nil
	}
	resp, err := c.next.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	rbody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(rbody))

	if reqErr != nil && (resp.StatusCode < 400 || resp.StatusCode > 499) {
		t.Errorf("contract: %s: the spec rejects the request (%v) but the server answered %d", name, reqErr, resp.StatusCode)
	}
	if resp.Header.Get("X-Request-Id") == "" {
		t.Errorf("contract: %s: answer %d has no X-Request-Id", name, resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); strings.Contains(ct, "json") && ct != "application/json; charset=utf-8" {
		t.Errorf("contract: %s: Content-Type %q, want application/json; charset=utf-8", name, ct)
	}
	if input != nil {
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: input,
			Status:                 resp.StatusCode,
			Header:                 resp.Header,
			Options:                &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true},
		}
		in.SetBodyBytes(rbody)
		if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
			t.Errorf("contract: %s: answer %d does not match the spec: %v\nbody: %s", name, resp.StatusCode, err, clip(rbody))
		}
	}
	return resp, nil
}

// checkBearer is the spec's bearerAuth as the validator sees it: a request
// to a protected operation must at least carry a bearer token.
func checkBearer(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	h := in.RequestValidationInput.Request.Header.Get("Authorization")
	if scheme, tok, ok := strings.Cut(h, " "); !ok || !strings.EqualFold(scheme, "bearer") || tok == "" {
		return errors.New("no bearer token")
	}
	return nil
}

func clip(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}
