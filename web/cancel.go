package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/flow"
)

// cancelForm is the form that cancels a trip (the enterprise's trip page)
// or one of the waiting trucks (the operator's console): the reason, and
// whether the load was sold off at the border instead of crossing, with
// what was typed and the refusals beside their fields. The trip service
// checks it (flow.Apply's cancel).
type cancelForm struct {
	L      Lang
	CSRF   string
	Action string
	// Trips are the trucks the operator may pick (value the trip id);
	// empty on the enterprise's page, which cancels its own trip.
	Trips []cancelOption
	// Perishable offers the sold-off mark: only perishable cargo may carry
	// it. The operator's console offers it whatever truck is picked.
	Perishable bool
	// NoteRequired: an officer's cancellation needs its reason.
	NoteRequired bool
	// What was sent, kept in the fields after a refusal.
	TripID, Note string
	SoldOff      bool
	// Errs are the refused fields (trip_id, note, sold_off); Conflict a
	// refusal by the trip's state.
	Errs     map[string]string
	Conflict string
}

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

// refuse puts err into the form: its fields beside them, a refusal by
// state above; false for any other error, which the error page shows.
func (f *cancelForm) refuse(err error) bool {
	var ce *cuakhau.Error
	if !errors.As(err, &ce) {
		return false
	}
	switch {
	case ce.Code == cuakhau.EINVALID && len(ce.Fields) > 0:
		f.Errs = map[string]string{}
		for k, m := range ce.Fields {
			switch k {
			case "note", "sold_off", "trip_id":
				f.Errs[k] = m
			default:
				f.Conflict = strings.TrimSpace(f.Conflict + " " + k + ": " + m)
			}
		}
	case ce.Code == cuakhau.EINVALID, ce.Code == cuakhau.ECONFLICT:
		f.Conflict = ce.Message
	default:
		return false
	}
	return true
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
	_, refused := w.cfg.Trips.Decide(r.Context(), p, t.ID, d)
	if refused == nil {
		http.Redirect(rw, r, "/enterprise/trips/"+url.PathEscape(t.ID)+"?done=cancelled&lang="+l.Code(), http.StatusSeeOther)
		return nil
	}
	if t, err = w.cfg.Trips.Trip(r.Context(), p, t.ID); err != nil { // as it stands now
		return err
	}
	v, verr := w.enterpriseTripView(r, l, p, t, g)
	if verr != nil {
		return verr
	}
	f := enterpriseCancelForm(r, l, p, t)
	if f == nil { // no longer cancellable: say why above the trip
		f = &cancelForm{L: l}
	}
	f.Note, f.SoldOff = d.Note, d.SoldOff
	if !f.refuse(refused) {
		return refused
	}
	v.Cancel = f
	status := http.StatusConflict
	if f.Errs != nil {
		status = http.StatusBadRequest
	}
	w.render(rw, r, l, status, "enterprise_trip", t.Code, v)
	return nil
}

// operatorCancelForm is the console's cancel form over its waiting
// trucks, nil when none waits.
func operatorCancelForm(r *http.Request, v *operatorView) *cancelForm {
	if len(v.Rows) == 0 {
		return nil
	}
	f := &cancelForm{L: v.L, CSRF: authFrom(r.Context()).csrf, Perishable: true, NoteRequired: true,
		Action: "/operator/cancel?lang=" + v.L.Code()}
	if g := gateParam(v.Bound, v.Gate.Code); g != "" {
		f.Action += "&gate=" + url.QueryEscape(g)
	}
	for _, row := range v.Rows {
		f.Trips = append(f.Trips, cancelOption{ID: row.E.TripID, Text: row.E.Plate + " · " + row.E.Code})
	}
	return f
}

// operatorCancel is POST /operator/cancel: one waiting truck's trip is
// cancelled with the operator's reason, its load sold off or not; done,
// the console again; refused, the console with the refusal beside its
// field and the input kept.
func (w *Web) operatorCancel(rw http.ResponseWriter, r *http.Request) error {
	g, p, err := w.operatorGateOf(r)
	if err != nil {
		return err
	}
	id := r.PostFormValue("trip_id")
	d := cancelDecision(r)
	if id == "" {
		err = cuakhau.Invalid("trip_id", "required")
	} else {
		var t *cuakhau.Trip
		if t, err = w.cfg.Trips.Trip(r.Context(), p, id); err == nil && t.Gate != g.Code {
			err = cuakhau.Errorf(cuakhau.ECONFLICT, "trip %s is at gate %s, not %s", t.Code, t.Gate, g.Code)
		}
		if err == nil {
			_, err = w.cfg.Trips.Decide(r.Context(), p, id, d)
		}
	}
	if err == nil {
		done := "cancelled"
		if d.SoldOff {
			done = "soldoff"
		}
		w.operatorBack(rw, r, g.Code, done)
		return nil
	}
	if cuakhau.ErrorCode(err) == cuakhau.ENOTFOUND {
		err = cuakhau.Invalid("trip_id", "not a waiting truck of this gate")
	}
	v, verr := w.operatorView(rw, r, r.PostForm)
	if verr != nil {
		return verr
	}
	f := operatorCancelForm(r, v)
	if f == nil {
		f = &cancelForm{L: v.L}
	}
	f.TripID, f.Note, f.SoldOff = id, d.Note, d.SoldOff
	if !f.refuse(err) {
		return err
	}
	v.Cancel = f
	status := http.StatusConflict
	if f.Errs != nil {
		status = http.StatusBadRequest
	}
	w.render(rw, r, v.L, status, "operator", v.L.T("operator.title", v.GateName), v)
	return nil
}
