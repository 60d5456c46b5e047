package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/flow"
)

// cancelForm is the form that cancels a trip (the enterprise's trip page)
// or a truck of the gate (the operator's console): the reason, and
// whether the load was sold off at the border instead of crossing, with
// what was typed and the refusals beside their fields. The trip service
// checks it (flow.Apply's cancel).
type cancelForm struct {
	L      Lang
	CSRF   string
	Action string
	// Trips are the waiting trucks of the console's page, to pick from
	// (value the trip id); empty on the enterprise's page, which cancels
	// its own trip.
	Trips []cancelOption
	// ByTruck offers the truck field: any cancellable truck of the gate
	// named by its plate or trip code (the console's).
	ByTruck bool
	// Perishable offers the sold-off mark: only perishable cargo may carry
	// it. The operator's console offers it whatever truck is picked.
	Perishable bool
	// NoteRequired: an officer's cancellation needs its reason.
	NoteRequired bool
	// What was sent, kept in the fields after a refusal.
	TripID, Truck, Note string
	SoldOff             bool
	// Errs are the refused fields (cancelFields); Conflict a refusal by
	// the trip's state.
	Errs     map[string]string
	Conflict string
}

// cancelFields are the inputs of the cancel form.
var cancelFields = []string{"trip_id", "truck", "note", "sold_off"}

// cancelOption is a truck the operator may cancel.
type cancelOption struct{ ID, Text string }

// cancellable reports whether p may cancel t now: before the control zone
// (a checkpoint rejects it there) and not yet ended.
func cancellable(p cuakhau.Principal, t *cuakhau.Trip) bool {
	switch t.Status {
	case cuakhau.StatusDeclared, cuakhau.StatusBooked, cuakhau.StatusArrived, cuakhau.StatusCalled:
		return p.CanCancel(t.Enterprise.TaxCode, t.Gate)
	}
	return false
}

// cancelDecision is the decision a cancel form posts.
func cancelDecision(r *http.Request) cuakhau.Decision {
	v := r.PostFormValue("sold_off")
	return cuakhau.Decision{Outcome: cuakhau.OutcomeCancel, Note: r.PostFormValue("note"), SoldOff: v == "1" || v == "on" || v == "true"}
}

// again is f after a refusal of d, with what was sent and the refusal; a
// bare form when f is nil (the trip is no longer cancellable: the
// refusal says why).
func (f *cancelForm) again(l Lang, r *http.Request, d cuakhau.Decision, ref refusal) *cancelForm {
	if f == nil {
		f = &cancelForm{L: l}
	}
	f.TripID, f.Truck = r.PostFormValue("trip_id"), r.PostFormValue("truck")
	f.Note, f.SoldOff = d.Note, d.SoldOff
	f.Errs, f.Conflict = ref.Errs, ref.Conflict
	return f
}

// enterpriseCancelForm is the cancel form of trip t's page, nil when p
// may not cancel it now.
func enterpriseCancelForm(r *http.Request, l Lang, p cuakhau.Principal, t *cuakhau.Trip) *cancelForm {
	if !cancellable(p, t) {
		return nil
	}
	return &cancelForm{L: l, CSRF: authFrom(r.Context()).csrf, Action: "/enterprise/trips/" + url.PathEscape(t.ID) + "/cancel?lang=" + l.Code(),
		Perishable: !flow.SpoilsAt(t).IsZero(), NoteRequired: p.Role != cuakhau.RoleEnterprise}
}

// enterpriseCancel is POST /enterprise/trips/{id}/cancel: the trip is
// cancelled, sold off or not, through the trip service; done, its page
// again (post, redirect, get); refused, the page with the refusal beside
// its field and the input kept.
func (w *Web) enterpriseCancel(rw http.ResponseWriter, r *http.Request) error {
	p, _ := principalFrom(r.Context())
	t, g, err := w.enterpriseTrip(r, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	l := langOf(rw, r)
	d := cancelDecision(r)
	return w.applyDecision(rw, r, p, t.ID, d, decisionForm{
		Fields: cancelFields,
		Done:   "/enterprise/trips/" + url.PathEscape(t.ID) + "?done=cancelled&lang=" + l.Code(),
		Page:   "enterprise_trip", Title: t.Code, Trip: t.ID,
		Again: func(now *cuakhau.Trip, ref refusal) (any, error) {
			v, err := w.enterpriseTripView(r, l, p, now, g)
			if err != nil {
				return nil, err
			}
			v.Cancel = enterpriseCancelForm(r, l, p, now).again(l, r, d, ref)
			return v, nil
		},
	})
}

// operatorCancelForm is the console's cancel form: the waiting trucks of
// the page shown to pick from, and any other of the gate by its plate or
// trip code.
func operatorCancelForm(r *http.Request, v *operatorView) *cancelForm {
	f := &cancelForm{L: v.L, CSRF: authFrom(r.Context()).csrf, ByTruck: true, Perishable: true, NoteRequired: true,
		Action: "/operator/cancel?lang=" + v.L.Code()}
	if g := gateParam(v.Bound, v.Gate.Code); g != "" {
		f.Action += "&gate=" + url.QueryEscape(g)
	}
	for _, row := range v.Rows {
		f.Trips = append(f.Trips, cancelOption{ID: row.E.TripID, Text: row.E.Plate + " · " + row.E.Code})
	}
	return f
}

// operatorCancel is POST /operator/cancel: a truck's trip — the one typed
// by plate or trip code, else the waiting truck picked — is cancelled
// with the operator's reason, its load sold off or not; done, the console
// again; refused, the console with the refusal beside its field and the
// input kept.
func (w *Web) operatorCancel(rw http.ResponseWriter, r *http.Request) error {
	g, p, err := w.operatorGateOf(r)
	if err != nil {
		return err
	}
	d := cancelDecision(r)
	done := "cancelled"
	if d.SoldOff {
		done = "soldoff"
	}
	l := langOf(rw, r)
	form := decisionForm{
		Fields: cancelFields,
		Done:   operatorBackURL(rw, r, g.Code, done),
		Page:   "operator", Title: l.T("operator.title", gateName(l, g)),
		Again: func(_ *cuakhau.Trip, ref refusal) (any, error) {
			v, err := w.operatorView(rw, r, r.PostForm)
			if err != nil {
				return nil, err
			}
			v.Cancel = operatorCancelForm(r, v).again(v.L, r, d, ref)
			return v, nil
		},
	}
	t, err := w.operatorCancelTrip(r, p, g)
	if err != nil {
		return w.refused(rw, r, err, form)
	}
	return w.applyDecision(rw, r, p, t.ID, d, form)
}

// operatorCancelTrip is the trip the console's cancel form names at gate
// g: the truck typed (cancellableTruck) when one is, else the waiting
// truck picked.
func (w *Web) operatorCancelTrip(r *http.Request, p cuakhau.Principal, g *cuakhau.Gate) (*cuakhau.Trip, error) {
	if s := strings.TrimSpace(r.PostFormValue("truck")); s != "" {
		return w.cancellableTruck(r.Context(), p, g.Code, s)
	}
	id := r.PostFormValue("trip_id")
	if id == "" {
		return nil, cuakhau.Invalid("truck", "required")
	}
	t, err := w.cfg.Trips.Trip(r.Context(), p, id)
	switch {
	case cuakhau.ErrorCode(err) == cuakhau.ENOTFOUND:
		return nil, cuakhau.Invalid("trip_id", "not a waiting truck of this gate")
	case err != nil:
		return nil, err
	case t.Gate != g.Code:
		return nil, cuakhau.Errorf(cuakhau.ECONFLICT, "trip %s is at gate %s, not %s", t.Code, t.Gate, g.Code)
	}
	return t, nil
}

// cancellableTruck is the one trip at gate that s names, read as the
// checkpoint's search reads it (flow.ParseFind: a trip code, a plate or a
// trip page's URL), and that p may cancel now (cancellable). The store
// finds it: by its code, or among the trips of the plate not yet ended.
// Each refusal names the field truck: s is neither, no such trip is at
// the gate, it is in the control zone or has ended, or the plate has
// several.
func (w *Web) cancellableTruck(ctx context.Context, p cuakhau.Principal, gate, s string) (*cuakhau.Trip, error) {
	find := flow.ParseFind(s)
	if find.Code() == "" && find.Plate() == "" {
		return nil, cuakhau.Invalid("truck", "not a plate or a trip code")
	}
	var found []*cuakhau.Trip
	for _, f := range []cuakhau.TripFilter{{Gate: gate, Code: find.Code()}, {Gate: gate, Plate: find.Plate(), Open: true}} {
		if f.Code == "" && f.Plate == "" {
			continue
		}
		ts, err := w.cfg.Trips.Trips(ctx, p, f)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			if !slices.ContainsFunc(found, func(x *cuakhau.Trip) bool { return x.ID == t.ID }) {
				found = append(found, t)
			}
		}
	}
	var ok []*cuakhau.Trip
	for _, t := range found {
		if cancellable(p, t) {
			ok = append(ok, t)
		}
	}
	switch {
	case len(ok) == 1:
		return ok[0], nil
	case len(ok) > 1:
		return nil, cuakhau.Invalid("truck", fmt.Sprintf("%d trips of this gate have this plate: type the trip code", len(ok)))
	case len(found) > 0 && found[0].Status.Final():
		return nil, cuakhau.Invalid("truck", fmt.Sprintf("trip %s has ended; it can no longer be cancelled", found[0].Code))
	case len(found) > 0 && (found[0].Status == cuakhau.StatusInZone || found[0].Status == cuakhau.StatusHeld):
		return nil, cuakhau.Invalid("truck", fmt.Sprintf("trip %s is in the control zone; a checkpoint rejects it there", found[0].Code))
	}
	return nil, cuakhau.Invalid("truck", "no trip of this gate still to cross has this plate or trip code")
}
