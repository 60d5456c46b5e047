package httpapi

import (
	"fmt"
	"net/http"
)

// lookupTrip is the driver's open lookup: a trip by its code and plate,
// typed loosely. A wrong plate is the same 404 as an unknown code.
func (a *API) lookupTrip(w http.ResponseWriter, r *http.Request) error {
	if a.lookup == nil {
		return fmt.Errorf("httpapi: no LookupService configured")
	}
	q := r.URL.Query()
	v, err := a.lookup.LookupTrip(r.Context(), q.Get("code"), q.Get("plate"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}
