package httpapi

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/cuakhau/cuakhau"
)

// queryParams lists, per route pattern, the query parameters the route reads.
// A route not listed takes none. This is the one list: checkingQuery refuses
// anything else before the handler runs, and the contract test checks it
// against the parameters api/openapi.yaml declares.
var queryParams = map[string][]string{
	"GET /api/v1/trips":                  {"gate", "status", "plate", "date", "tax_code", "limit", "after"},
	"GET /api/v1/gates/{gate}/windows":   {"date", "direction"},
	"GET /api/v1/gates/{gate}/queue":     {"direction", "class", "limit", "cursor"},
	"GET /api/v1/log/{gate}/consistency": {"from", "to"},
	"GET /api/v1/devices":                {"gate"},
	"GET /api/v1/gates/{gate}/alerts":    {"limit"},
	"GET /api/v1/devices/{id}/commands":  {"limit"},
	"GET /api/v1/lookup":                 {"code", "plate"},
	"GET /api/v1/stats/daily":            {"from", "to", "gate", "direction", "waits_by_day"},
}

// checkingQuery guards route's handler with checkQuery. It runs after the
// token check, so that a request without a token is told that first.
func checkingQuery(route string, h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := checkQuery(route, r.URL.RawQuery); err != nil {
			return err
		}
		return h(w, r)
	}
}

// checkQuery refuses a query parameter route does not read, or one given more
// than once, naming it. A misspelt filter (?statsu=held) would otherwise be
// ignored and the answer would look like a filtered one.
func checkQuery(route, rawQuery string) error {
	if rawQuery == "" {
		return nil
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return cuakhau.Invalid("query", "is not a valid URL query")
	}
	known := queryParams[route]
	fe := cuakhau.FieldErrors{}
	for name, vs := range q {
		switch {
		case !slices.Contains(known, name) && len(known) == 0:
			fe.Add(name, "unknown query parameter: this route takes none")
		case !slices.Contains(known, name):
			fe.Add(name, "unknown query parameter: this route takes "+strings.Join(known, ", "))
		case len(vs) > 1:
			fe.Add(name, "given more than once")
		}
	}
	return fe.Err()
}
