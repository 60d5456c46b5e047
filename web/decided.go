package web

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/cuakhau/cuakhau"
)

// decisionForm is a form that applies a decision to one trip through the
// trip service: an officer's decision at a checkpoint, a cancellation from
// the enterprise's trip page or the operator's console.
type decisionForm struct {
	// Fields are the form's inputs: a refusal that names one is shown
	// beside it, one that names any other above the form.
	Fields []string
	// Done is where a recorded decision goes (post, redirect, get).
	Done string
	// Page and Title are the template and the title of the form's page.
	Page, Title string
	// Trip is the id of the page's trip, read again after a refusal as it
	// now stands; "" on a page of no one trip (the console's).
	Trip string
	// Again is the page's data with the refusal put in and what was typed
	// kept, for the trip as it now stands (nil without Trip).
	Again func(t *cuakhau.Trip, ref refusal) (any, error)
}

// refusal is a decision the trip service refused, as its form shows it:
// Errs by the form's own fields, Conflict above the form, and the status
// of the page: 400 for a broken rule, 409 for the trip's state.
type refusal struct {
	Errs     map[string]string
	Conflict string
	Status   int
}

// applyDecision applies d to trip id as p through the trip service and
// answers f: recorded, a redirect to f.Done; refused, f's page again
// (refused).
func (w *Web) applyDecision(rw http.ResponseWriter, r *http.Request, p cuakhau.Principal, id string, d cuakhau.Decision, f decisionForm) error {
	if _, err := w.cfg.Trips.Decide(r.Context(), p, id, d); err != nil {
		return w.refused(rw, r, err, f)
	}
	http.Redirect(rw, r, f.Done, http.StatusSeeOther)
	return nil
}

// refused shows f's page again with err, a refusal by a rule or by the
// trip's state (refusalOf). Any other error — not found, forbidden, a
// fault — is returned for the error page.
func (w *Web) refused(rw http.ResponseWriter, r *http.Request, err error, f decisionForm) error {
	ref, ok := refusalOf(err, f.Fields)
	if !ok {
		return err
	}
	var t *cuakhau.Trip
	if f.Trip != "" {
		p, _ := principalFrom(r.Context())
		if t, err = w.cfg.Trips.Trip(r.Context(), p, f.Trip); err != nil {
			return err
		}
	}
	data, err := f.Again(t, ref)
	if err != nil {
		return err
	}
	w.render(rw, r, langOf(rw, r), ref.Status, f.Page, f.Title, data)
	return nil
}

// refusalOf sorts err over a form's fields: each broken rule of one of
// them beside it, of any other field (in the order of their names) or of
// none above the form, with 400; a refusal by state above the form, with
// 409. False for any other error.
func refusalOf(err error, fields []string) (refusal, bool) {
	var ce *cuakhau.Error
	if !errors.As(err, &ce) {
		return refusal{}, false
	}
	switch ce.Code {
	case cuakhau.ECONFLICT:
		return refusal{Conflict: ce.Message, Status: http.StatusConflict}, true
	case cuakhau.EINVALID:
	default:
		return refusal{}, false
	}
	ref := refusal{Errs: map[string]string{}, Status: http.StatusBadRequest}
	if len(ce.Fields) == 0 {
		ref.Conflict = ce.Message
		return ref, true
	}
	var above []string
	for _, k := range slices.Sorted(maps.Keys(ce.Fields)) {
		if slices.Contains(fields, k) {
			ref.Errs[k] = ce.Fields[k]
		} else {
			above = append(above, k+": "+ce.Fields[k])
		}
	}
	ref.Conflict = strings.Join(above, " ")
	return ref, true
}
