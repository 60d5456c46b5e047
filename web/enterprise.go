package web

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/cuakhau/cuakhau"
)

// enterpriseRoles may open the enterprise pages: an enterprise sees its
// own trips there, an administrator everyone's.
var enterpriseRoles = []cuakhau.Role{cuakhau.RoleEnterprise, cuakhau.RoleAdmin}

// enterprisePageSize is how many trips a page of /enterprise lists.
const enterprisePageSize = 50

// enterpriseView is an enterprise's list of its trips with its filters.
type enterpriseView struct {
	L Lang
	// The filters as typed, kept in the form.
	Status, Gate, Plate string
	// Errs are the service's errors by filter field (status, gate, plate).
	Errs     map[string]string
	Statuses []cuakhau.Status
	Gates    []gateOption
	Rows     []enterpriseRow
	// Next is the URL of the next page, "" on the last.
	Next string
}

type gateOption struct{ Code, Name string }

// enterpriseRow is one trip of the list.
type enterpriseRow struct {
	Trip       *cuakhau.Trip
	StatusText string
	DirName    string
	GateName   string
	Window     string
	Declared   string
}

// enterpriseGates are the gates by code, with their names in l.
func (w *Web) enterpriseGates(r *http.Request, l Lang) (map[string]*cuakhau.Gate, []gateOption, error) {
	gs, err := w.cfg.Gates.Gates(r.Context())
	if err != nil {
		return nil, nil, err
	}
	byCode := map[string]*cuakhau.Gate{}
	var opts []gateOption
	for _, g := range gs {
		byCode[g.Code] = g
		opts = append(opts, gateOption{g.Code, gateName(l, g)})
	}
	return byCode, opts, nil
}

// enterprisePage is /enterprise: the enterprise's own trips (the trip
// service narrows the list to them, Principal.TripScope), newest
// declarations last, filtered by status, gate and plate, a page at a time.
// A filter the service refuses is named beside its field.
func (w *Web) enterprisePage(rw http.ResponseWriter, r *http.Request) error {
	if w.cfg.Trips == nil {
		return errors.New("web: no trip service configured")
	}
	p, _ := principalFrom(r.Context())
	l := langOf(rw, r)
	q := r.URL.Query()
	v := &enterpriseView{L: l, Status: q.Get("status"), Gate: q.Get("gate"), Plate: q.Get("plate"), Statuses: cuakhau.Statuses}
	gates, opts, err := w.enterpriseGates(r, l)
	if err != nil {
		return err
	}
	v.Gates = opts
	status := http.StatusOK
	trips, err := w.cfg.Trips.Trips(r.Context(), p, cuakhau.TripFilter{Gate: v.Gate, Status: cuakhau.Status(v.Status),
		Plate: v.Plate, Limit: enterprisePageSize + 1, After: q.Get("after")})
	var ce *cuakhau.Error
	switch {
	case err == nil:
	case errors.As(err, &ce) && ce.Code == cuakhau.EINVALID && len(ce.Fields) > 0:
		v.Errs, status = ce.Fields, http.StatusBadRequest
	default:
		return err
	}
	more := len(trips) > enterprisePageSize
	if more {
		trips = trips[:enterprisePageSize]
	}
	for _, t := range trips {
		row := enterpriseRow{Trip: t, StatusText: l.T("status." + string(t.Status)), DirName: l.T("dir." + string(t.Direction)), GateName: t.Gate}
		zone := ""
		if g := gates[t.Gate]; g != nil {
			row.GateName, zone = gateName(l, g), g.TimeZone
		}
		row.Declared = inZone(t.DeclaredAt, zone).Format("15:04 02/01/2006")
		if !t.Booking.IsZero() {
			row.Window = windowText(t.Booking.Start, t.Booking.End, zone)
		}
		v.Rows = append(v.Rows, row)
	}
	if more {
		nq := url.Values{"after": {trips[len(trips)-1].ID}, "lang": {l.Code()}}
		for k, x := range map[string]string{"status": v.Status, "gate": v.Gate, "plate": v.Plate} {
			if x != "" {
				nq.Set(k, x)
			}
		}
		v.Next = "/enterprise?" + nq.Encode()
	}
	w.render(rw, r, l, status, "enterprise", l.T("enterprise.title"), v)
	return nil
}

// windowText is a booked window in the gate's time: "08:00 03/12/2026 – 09:00".
func windowText(start, end time.Time, zone string) string {
	return inZone(start, zone).Format("15:04 02/01/2006") + " – " + inZone(end, zone).Format("15:04")
}

// enterpriseTripView is an enterprise's page of one of its trips.
type enterpriseTripView struct {
	L        Lang
	Trip     *cuakhau.Trip
	GateName string
	DirName  string
	Zone     string
	Window   string
	Steps    []stepText
	History  []stepText
	// Booking is the calendar of the gate's windows, and what the last
	// booking, move or cancellation did or why it was refused; nil when
	// the trip can no longer book.
	Booking *bookingView
	// Cancel is the form that cancels the trip, nil when it can no longer
	// be; Done says the last cancellation went through.
	Cancel *cancelForm
	Done   string
}

// enterpriseTrip is trip id as p may see it, with its gate. Another
// enterprise's trip is not found, as an unknown id is.
func (w *Web) enterpriseTrip(r *http.Request, p cuakhau.Principal, id string) (*cuakhau.Trip, *cuakhau.Gate, error) {
	if w.cfg.Trips == nil {
		return nil, nil, errors.New("web: no trip service configured")
	}
	t, err := w.cfg.Trips.Trip(r.Context(), p, id)
	if cuakhau.ErrorCode(err) == cuakhau.EFORBIDDEN {
		return nil, nil, cuakhau.Errorf(cuakhau.ENOTFOUND, "trip %s is not this enterprise's", id)
	}
	if err != nil {
		return nil, nil, err
	}
	g, err := w.cfg.Gates.Gate(r.Context(), t.Gate)
	if err != nil {
		return nil, nil, err
	}
	return t, g, nil
}

// enterpriseTripPage is /enterprise/trips/{id}: the trip's status,
// checkpoints, booked window and history in the gate's time.
func (w *Web) enterpriseTripPage(rw http.ResponseWriter, r *http.Request) error {
	p, _ := principalFrom(r.Context())
	t, g, err := w.enterpriseTrip(r, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	l := langOf(rw, r)
	v, err := w.enterpriseTripView(r, l, p, t, g)
	if err != nil {
		return err
	}
	if err := w.fillBooking(r, l, p, v, g, r.URL.Query().Get("date"), r.URL.Query().Get("done")); err != nil {
		return err
	}
	v.Cancel = enterpriseCancelForm(r, l, p, t)
	if r.URL.Query().Get("done") == "cancelled" && t.Status == cuakhau.StatusCancelled {
		v.Done = l.T("cancel.done")
	}
	w.render(rw, r, l, http.StatusOK, "enterprise_trip", t.Code, v)
	return nil
}

func (w *Web) enterpriseTripView(r *http.Request, l Lang, p cuakhau.Principal, t *cuakhau.Trip, g *cuakhau.Gate) (*enterpriseTripView, error) {
	v := &enterpriseTripView{L: l, Trip: t, GateName: gateName(l, g), DirName: l.T("dir." + string(t.Direction)),
		Zone: zoneLabel(t.UpdatedAt, g.TimeZone)}
	if !t.Booking.IsZero() {
		v.Window = windowText(t.Booking.Start, t.Booking.End, g.TimeZone)
	}
	at := func(x time.Time) string { return inZone(x, g.TimeZone).Format("15:04 02/01/2006") }
	names := map[string]string{}
	for _, cp := range g.Route(t.Direction) {
		names[cp.Code] = checkpointName(l, cp)
	}
	for _, cp := range t.Checkpoints {
		st := stepText{What: names[cp.Code], State: l.T("cpstate." + cp.State)}
		if st.What == "" {
			st.What = cp.Code
		}
		if cp.Channel != "" {
			st.State += " (" + l.T("channel."+string(cp.Channel)) + ")"
		}
		if cp.At != nil {
			st.At = at(*cp.At)
		}
		v.Steps = append(v.Steps, st)
	}
	events, err := w.cfg.Trips.TripEvents(r.Context(), p, t.ID)
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		v.History = append(v.History, stepText{At: at(e.At),
			What: stepWords(l, cuakhau.TripStep{Type: e.Type, Checkpoint: e.Checkpoint, Outcome: e.Outcome, Channel: e.Channel}, names)})
	}
	return v, nil
}
