package httpapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cuakhau/cuakhau"
)

// TestLookupOverHTTP: a driver finds the trip by its code and plate as
// typed, sees its place while it waits, and nothing of the driver; a wrong
// plate is the same 404 as an unknown code.
func TestLookupOverHTTP(t *testing.T) {
	e := newEnv(t)
	trip := e.declare(t, "enterprise", example(t))
	lookup := func(code, plate string) response {
		return e.do(t, "GET", "/api/v1/lookup?"+url.Values{"code": {code}, "plate": {plate}}.Encode(), "", nil)
	}
	loose := strings.ToLower(strings.ReplaceAll(trip.Code, "-", ""))
	plate := strings.NewReplacer("-", "", ".", "").Replace(strings.ToLower(trip.Vehicle.Plate))

	got := decode[cuakhau.TripLookup](t, lookup(loose, plate), http.StatusOK)
	if got.Code != trip.Code || got.Plate != trip.Vehicle.Plate || got.Status != cuakhau.StatusDeclared || len(got.History) != 1 || got.Position != 0 {
		t.Errorf("lookup %+v", got)
	}
	r := lookup(trip.Code, trip.Vehicle.Plate)
	if body := string(r.Body); strings.Contains(body, trip.Driver.IDNumber) || strings.Contains(body, trip.Driver.Name) || strings.Contains(body, trip.Enterprise.TaxCode) {
		t.Errorf("the lookup shows the driver or the enterprise: %s", body)
	}

	decode[cuakhau.ArrivalResult](t, e.do(t, "POST", "/api/v1/trips/"+trip.ID+"/arrival", "operator", nil), http.StatusCreated)
	got = decode[cuakhau.TripLookup](t, lookup(trip.Code, trip.Vehicle.Plate), http.StatusOK)
	if got.Status != cuakhau.StatusArrived || got.Position != 1 || got.Waiting != 1 || got.History[len(got.History)-1].Type != cuakhau.EventArrived {
		t.Errorf("waiting lookup %+v", got)
	}

	wrong := wantError(t, lookup(trip.Code, "29C-999.99"), 404, "not_found")
	unknown := wantError(t, lookup("HN-222222", trip.Vehicle.Plate), 404, "not_found")
	if wrong.Error.Message != unknown.Error.Message {
		t.Errorf("a wrong plate (%q) reads differently from an unknown code (%q)", wrong.Error.Message, unknown.Error.Message)
	}
	wantError(t, lookup("", "not a plate"), 400, "invalid", "code", "plate")
	wantError(t, e.do(t, "GET", "/api/v1/lookup?code=HN-222222&plate=12C12345&driver=1", "", nil), 400, "invalid", "driver")
}
