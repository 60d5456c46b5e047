package web

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/device"
	"github.com/cuakhau/cuakhau/notice"
	"github.com/cuakhau/cuakhau/sched"
)

// operatorRoles may open the yard operator's console: operators (at their
// gate when bound) and administrators.
var operatorRoles = []cuakhau.Role{cuakhau.RoleOperator, cuakhau.RoleAdmin}

// operatorPageSize is how many waiting trucks a page of /operator lists.
const operatorPageSize = 50

// operatorView is the console of one gate: its waiting area in call order,
// its control zone, its controls and the other side's capacity, the public
// wait and advisory, with each form's input and refusals.
type operatorView struct {
	L        Lang
	Gate     *cuakhau.Gate
	GateName string
	// Gates are offered to an account bound to no gate.
	Gates []gateOption
	Bound bool
	// Done is what the last form did, shown once.
	Done string
	// Conflict is a refusal by the gate's or a trip's state.
	Conflict string
	// Errs are refused fields, by form and field ("call.reason").
	Errs map[string]string
	// Form holds what was typed into the form that was refused.
	Form url.Values

	Direction, Class string
	Queue            *cuakhau.QueueView
	Rows             []queueRow
	Next             string
	InZone           []zoneRow
	Controls         *cuakhau.GateControls
	Lanes            []laneRow
	Policies         []string
	Waits            []waitRow
	// Notices are the gate's latest messages to drivers and enterprises.
	Notices []noticeRow
	// Devices are the gate's devices with their health, Alerts their
	// latest alerts to the operator.
	Devices []deviceRow
	Alerts  []alertRow
	// ZoneLabel names the gate's time zone, which the times are in.
	ZoneLabel string
	// Cancel is the form that cancels a truck's trip: a waiting one of
	// the page, or any of the gate by plate or trip code.
	Cancel *cancelForm
}

// queueRow is one waiting truck.
type queueRow struct {
	E        *cuakhau.QueueEntry
	DirName  string
	Arrived  string
	Expected string
}

// zoneRow is one truck in the control zone.
type zoneRow struct {
	Trip    *cuakhau.Trip
	DirName string
	At      string
	Next    string
}

// laneRow is one checkpoint's lanes open.
type laneRow struct {
	Code, Name string
	Open       int
}

// noticeRow is one message the gate sent, in the page's language.
type noticeRow struct {
	At, Kind, Text, State string
	Delivered             bool
}

// DeviceBoard is what the console needs of the gate's devices (the store
// is one): the devices, the operator's alerts, and barriers moved by hand.
// Each method checks the principal's rights.
type DeviceBoard interface {
	Devices(ctx context.Context, p cuakhau.Principal, gate string) ([]*device.Device, error)
	Alerts(ctx context.Context, p cuakhau.Principal, gate string, limit int) ([]*device.Alert, error)
	OperateBarrier(ctx context.Context, p cuakhau.Principal, id string, m device.ManualCommand) (*device.Command, error)
}

// deviceRow is one device of the gate with its health.
type deviceRow struct {
	D        *device.Device
	Kind     string
	Position string
	LastSeen string
	// Silent says the device has sent nothing for longer than its
	// interval (device.Silent).
	Silent  bool
	Barrier bool
}

// alertRow is one of the gate's latest device alerts.
type alertRow struct {
	At, Kind, Device, Plate, Message string
}

// operatorAlertsShown is how many of its latest alerts the console lists.
const operatorAlertsShown = 20

// operatorNoticesShown is how many of its latest messages the console lists.
const operatorNoticesShown = 20

// waitRow is the gate's public wait in one direction.
type waitRow struct {
	DirName  string
	W        cuakhau.PublicWait
	Advisory string
}

// operatorPage is /operator: the console of the operator's gate (an
// unbound account's ?gate=, else the first).
func (w *Web) operatorPage(rw http.ResponseWriter, r *http.Request) error {
	v, err := w.operatorView(rw, r, nil)
	if err != nil {
		return err
	}
	switch q := r.URL.Query(); q.Get("done") {
	case "called":
		n, _ := strconv.Atoi(q.Get("n"))
		v.Done = v.L.T("operator.done.called", n)
	case "controls", "capacity", "withdrawn", "cancelled", "soldoff":
		v.Done = v.L.T("operator.done." + q.Get("done"))
	}
	v.Cancel = operatorCancelForm(r, v)
	status := http.StatusOK
	if v.Errs != nil {
		status = http.StatusBadRequest
	}
	w.render(rw, r, v.L, status, "operator", v.L.T("operator.title", v.GateName), v)
	return nil
}

// operatorView reads the console of the gate; form is what a refused form
// sent (nil on a plain view).
func (w *Web) operatorView(rw http.ResponseWriter, r *http.Request, form url.Values) (*operatorView, error) {
	p, _ := principalFrom(r.Context())
	g, err := w.officerGate(r, p)
	if err != nil {
		return nil, err
	}
	if !p.CanCallForward(g.Code) {
		return nil, cuakhau.Errorf(cuakhau.EFORBIDDEN, "role %s may not run the queue of %s", p.Role, g.Code)
	}
	l := langOf(rw, r)
	ctx := r.Context()
	q := r.URL.Query()
	v := &operatorView{L: l, Gate: g, GateName: gateName(l, g), Bound: p.Gate != "", Form: form,
		Direction: q.Get("direction"), Class: q.Get("class"), Policies: sched.Names(), ZoneLabel: zoneLabel(w.now(), g.TimeZone)}
	if !v.Bound {
		if _, v.Gates, err = w.enterpriseGates(r, l); err != nil {
			return nil, err
		}
	}
	qv, err := w.cfg.Queue.Queue(ctx, p, g.Code, cuakhau.QueueFilter{Direction: cuakhau.Direction(v.Direction), Class: v.Class,
		Limit: operatorPageSize, Cursor: q.Get("after")})
	if fields := fieldErrors(err); fields != nil {
		v.addErrs("queue", fields)
		qv, err = w.cfg.Queue.Queue(ctx, p, g.Code, cuakhau.QueueFilter{Limit: operatorPageSize})
	}
	if err != nil {
		return nil, err
	}
	v.Queue = qv
	for _, e := range qv.Entries {
		row := queueRow{E: e, DirName: l.T("dir." + string(e.Direction)), Arrived: inZone(e.ArrivedAt, g.TimeZone).Format("15:04 02/01")}
		if e.ExpectedCall != nil {
			row.Expected = inZone(*e.ExpectedCall, g.TimeZone).Format("15:04 02/01")
		}
		v.Rows = append(v.Rows, row)
	}
	if qv.Next != "" {
		nq := url.Values{"after": {qv.Next}, "lang": {l.Code()}}
		for k, x := range map[string]string{"gate": gateParam(v.Bound, g.Code), "direction": v.Direction, "class": v.Class} {
			if x != "" {
				nq.Set(k, x)
			}
		}
		v.Next = "/operator?" + nq.Encode()
	}
	if w.cfg.Trips != nil {
		inZoneTrips, err := w.cfg.Trips.Trips(ctx, p, cuakhau.TripFilter{Gate: g.Code, Status: cuakhau.StatusInZone, Limit: 200})
		if err != nil {
			return nil, err
		}
		names := map[string]string{}
		for _, d := range cuakhau.Directions {
			for _, cp := range g.Route(d) {
				names[cp.Code] = checkpointName(l, cp)
			}
		}
		for _, t := range inZoneTrips {
			zr := zoneRow{Trip: t, DirName: l.T("dir." + string(t.Direction)), At: inZone(t.UpdatedAt, g.TimeZone).Format("15:04")}
			for _, cp := range t.Checkpoints {
				if cp.State != cuakhau.CheckpointPassed && cp.State != cuakhau.CheckpointSkipped {
					zr.Next = names[cp.Code] + " · " + l.T("cpstate."+cp.State)
					break
				}
			}
			v.InZone = append(v.InZone, zr)
		}
	}
	if v.Controls, err = w.cfg.Queue.Controls(ctx, g.Code); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, d := range cuakhau.Directions {
		for _, cp := range g.Route(d) {
			if seen[cp.Code] {
				continue
			}
			seen[cp.Code] = true
			v.Lanes = append(v.Lanes, laneRow{Code: cp.Code, Name: checkpointName(l, cp), Open: v.Controls.Lanes[cp.Code]})
		}
	}
	if w.cfg.Notices != nil {
		ns, err := w.cfg.Notices.Notices(ctx, p, g.Code, operatorNoticesShown)
		if err != nil {
			return nil, err
		}
		for _, n := range ns {
			v.Notices = append(v.Notices, noticeRowOf(l, n, g.TimeZone))
		}
	}
	if w.cfg.Devices != nil {
		if err := w.deviceRows(ctx, v, p, g); err != nil {
			return nil, err
		}
	}
	waits, err := w.cfg.Queue.PublicWaits(ctx)
	if err != nil {
		return nil, err
	}
	for _, pw := range waits.Waits {
		if pw.Gate != g.Code {
			continue
		}
		wr := waitRow{DirName: l.T("dir." + string(pw.Direction)), W: pw, Advisory: pw.Advisory}
		switch {
		case l == EN && pw.AdvisoryEN != "":
			wr.Advisory = pw.AdvisoryEN
		case l == ZH && pw.AdvisoryZH != "":
			wr.Advisory = pw.AdvisoryZH
		}
		v.Waits = append(v.Waits, wr)
	}
	return v, nil
}

// addErrs adds a form's refused fields under its name.
func (v *operatorView) addErrs(form string, fields map[string]string) {
	if v.Errs == nil {
		v.Errs = map[string]string{}
	}
	for f, msg := range fields {
		v.Errs[form+"."+f] = msg
	}
}

// gateParam is the gate for a URL: none for a bound account.
func gateParam(bound bool, code string) string {
	if bound {
		return ""
	}
	return code
}

// operatorBack sends the reader to the console after a form that worked.
func (w *Web) operatorBack(rw http.ResponseWriter, r *http.Request, gate, done string, extra ...string) {
	http.Redirect(rw, r, operatorBackURL(rw, r, gate, done, extra...), http.StatusSeeOther)
}

// operatorBackURL is the console's URL after a form that worked: done
// says what it did, extra are more parameters (name, value, …).
func operatorBackURL(rw http.ResponseWriter, r *http.Request, gate, done string, extra ...string) string {
	p, _ := principalFrom(r.Context())
	q := url.Values{"lang": {langOf(rw, r).Code()}, "done": {done}}
	if g := gateParam(p.Gate != "", gate); g != "" {
		q.Set("gate", g)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return "/operator?" + q.Encode()
}

// operatorRefused shows the console again with form's refusal: its
// fields beside them (400), a conflict above the forms (409). Any other
// error is the error page's.
func (w *Web) operatorRefused(rw http.ResponseWriter, r *http.Request, form string, err error) error {
	var ce *cuakhau.Error
	if !errors.As(err, &ce) || (ce.Code != cuakhau.EINVALID && ce.Code != cuakhau.ECONFLICT) {
		return err
	}
	v, verr := w.operatorView(rw, r, r.PostForm)
	if verr != nil {
		return verr
	}
	status := http.StatusConflict
	if ce.Code == cuakhau.EINVALID && len(ce.Fields) > 0 {
		status = http.StatusBadRequest
		v.addErrs(form, ce.Fields)
	} else {
		v.Conflict = ce.Message
	}
	w.render(rw, r, v.L, status, "operator", v.L.T("operator.title", v.GateName), v)
	return nil
}

// operatorGateOf is the gate a console form acts on, as the page does.
func (w *Web) operatorGateOf(r *http.Request) (*cuakhau.Gate, cuakhau.Principal, error) {
	p, _ := principalFrom(r.Context())
	g, err := w.officerGate(r, p)
	return g, p, err
}

// operatorCall is POST /operator/call: the policy calls the next trucks
// (count, default the zone's room; beyond it with a reason), or, with
// trip_id, one truck out of turn with its reason. The queue service checks
// and logs it (CallRequest.Validate, Principal.CanCallForward).
func (w *Web) operatorCall(rw http.ResponseWriter, r *http.Request) error {
	g, p, err := w.operatorGateOf(r)
	if err != nil {
		return err
	}
	req := cuakhau.CallRequest{TripID: r.PostFormValue("trip_id"), Reason: r.PostFormValue("reason")}
	form := "call"
	if req.TripID != "" {
		form = "override"
	}
	if s := strings.TrimSpace(r.PostFormValue("count")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return w.operatorRefused(rw, r, form, cuakhau.Invalid("count", "a whole number of trucks"))
		}
		req.Count = n
	}
	res, err := w.cfg.Queue.Call(r.Context(), p, g.Code, req)
	if err != nil {
		return w.operatorRefused(rw, r, form, err)
	}
	w.operatorBack(rw, r, g.Code, "called", "n", strconv.Itoa(len(res.Called)))
	return nil
}

// operatorControls is POST /operator/controls: lanes open per checkpoint
// (lanes.CODE), the control zone's room and the call-forward policy, with
// the reason; fields left empty stay as they are.
func (w *Web) operatorControls(rw http.ResponseWriter, r *http.Request) error {
	g, p, err := w.operatorGateOf(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return cuakhau.Invalid("form", "cannot be read")
	}
	u := cuakhau.ControlsUpdate{Reason: r.PostFormValue("reason")}
	bad := cuakhau.FieldErrors{}
	for _, k := range slices.Sorted(maps.Keys(r.PostForm)) {
		code, ok := strings.CutPrefix(k, "lanes.")
		if !ok || strings.TrimSpace(r.PostForm.Get(k)) == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get(k)))
		if err != nil {
			bad.Add(k, "a whole number of lanes")
			continue
		}
		if u.Lanes == nil {
			u.Lanes = map[string]int{}
		}
		u.Lanes[code] = n
	}
	if s := strings.TrimSpace(r.PostFormValue("room")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			bad.Add("room", "a whole number of trucks")
		}
		u.Room = &n
	}
	if s := r.PostFormValue("policy"); s != "" {
		u.Policy = &s
	}
	// The hours are sent only when changed: new hours release the bookings
	// they no longer cover.
	h := cuakhau.Hours{Open: strings.TrimSpace(r.PostFormValue("hours.open")), Close: strings.TrimSpace(r.PostFormValue("hours.close"))}
	if h.Open == "" {
		h.Open = g.Hours.Open
	}
	if h.Close == "" {
		h.Close = g.Hours.Close
	}
	if h != g.Hours {
		u.Hours = &h
	}
	if err := bad.Err(); err != nil {
		return w.operatorRefused(rw, r, "controls", err)
	}
	if _, err := w.cfg.Queue.SetControls(r.Context(), p, g.Code, u); err != nil {
		return w.operatorRefused(rw, r, "controls", err)
	}
	w.operatorBack(rw, r, g.Code, "controls")
	return nil
}

// operatorCapacity is POST /operator/capacity: the trucks a day the other
// side announced it takes, with a note; or, with withdraw, the
// announcement withdrawn.
func (w *Web) operatorCapacity(rw http.ResponseWriter, r *http.Request) error {
	g, p, err := w.operatorGateOf(r)
	if err != nil {
		return err
	}
	if r.PostFormValue("withdraw") != "" {
		if _, err := w.cfg.Queue.WithdrawOtherSideCapacity(r.Context(), p, g.Code); err != nil {
			return w.operatorRefused(rw, r, "capacity", err)
		}
		w.operatorBack(rw, r, g.Code, "withdrawn")
		return nil
	}
	u := cuakhau.CapacityUpdate{Note: r.PostFormValue("note")}
	if s := strings.TrimSpace(r.PostFormValue("trucks_per_day")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return w.operatorRefused(rw, r, "capacity", cuakhau.Invalid("trucks_per_day", "a whole number of trucks a day"))
		}
		u.TrucksPerDay = &n
	}
	if _, err := w.cfg.Queue.SetOtherSideCapacity(r.Context(), p, g.Code, u); err != nil {
		return w.operatorRefused(rw, r, "capacity", err)
	}
	w.operatorBack(rw, r, g.Code, "capacity")
	return nil
}

// noticeRowOf is message n as the console lists it: rendered in l from its
// notice (key and arguments) when it carries one, else its stored text.
func noticeRowOf(l Lang, n *cuakhau.Notification, zone string) noticeRow {
	row := noticeRow{At: inZone(n.CreatedAt, zone).Format("15:04 02/01"), Kind: n.Kind, Text: n.Text, Delivered: n.DeliveredAt != nil}
	if _, ok := messages["notice.kind."+n.Kind]; ok {
		row.Kind = l.T("notice.kind." + n.Kind)
	}
	var data struct {
		Notice *notice.Notice `json:"notice"`
	}
	if json.Unmarshal(n.Data, &data) == nil && data.Notice != nil && data.Notice.Key != "" {
		row.Text = notice.Render(notice.Lang(l.Code()), *data.Notice)
	}
	switch {
	case row.Delivered:
		row.State = l.T("notice.delivered")
	case n.LastError != "":
		row.State = l.T("notice.failing", n.Attempts)
	default:
		row.State = l.T("notice.pending")
	}
	return row
}

// deviceRows fills the console's devices, with their health at the
// server's clock, and the gate's latest alerts.
func (w *Web) deviceRows(ctx context.Context, v *operatorView, p cuakhau.Principal, g *cuakhau.Gate) error {
	l, now := v.L, w.now()
	ds, err := w.cfg.Devices.Devices(ctx, p, g.Code)
	if err != nil {
		return err
	}
	for _, d := range ds {
		row := deviceRow{D: d, Kind: l.T("device.kind." + string(d.Kind)), Position: l.T("device.position." + string(d.Position)),
			Barrier: d.Kind == device.KindBarrier && d.Enabled}
		row.Silent, _ = device.Silent(*d, now)
		if d.LastSeen != nil {
			row.LastSeen = inZone(*d.LastSeen, g.TimeZone).Format("15:04:05 02/01")
		}
		v.Devices = append(v.Devices, row)
	}
	as, err := w.cfg.Devices.Alerts(ctx, p, g.Code, operatorAlertsShown)
	if err != nil {
		return err
	}
	for _, a := range as {
		kind := a.Kind
		if _, ok := messages["device.alert."+a.Kind]; ok {
			kind = l.T("device.alert." + a.Kind)
		}
		v.Alerts = append(v.Alerts, alertRow{At: inZone(a.At, g.TimeZone).Format("15:04:05 02/01"), Kind: kind, Device: a.Device, Plate: a.Plate, Message: a.Message})
	}
	return nil
}

// operatorBarrier is POST /operator/barrier: a barrier of the gate opened
// or closed by hand, with the reason, which the store records on the
// command and in the gate's log (device.ManualCommand, device.CanOperate).
func (w *Web) operatorBarrier(rw http.ResponseWriter, r *http.Request) error {
	g, p, err := w.operatorGateOf(r)
	if err != nil {
		return err
	}
	if w.cfg.Devices == nil {
		return errors.New("web: no device service configured")
	}
	id := r.PostFormValue("device")
	ds, err := w.cfg.Devices.Devices(r.Context(), p, g.Code)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(ds, func(d *device.Device) bool { return d.ID == id }) {
		return cuakhau.Errorf(cuakhau.ENOTFOUND, "gate %s has no device %q", g.Code, id)
	}
	m := device.ManualCommand{Action: r.PostFormValue("action"), Reason: r.PostFormValue("reason")}
	if _, err := w.cfg.Devices.OperateBarrier(r.Context(), p, id, m); err != nil {
		return w.operatorRefused(rw, r, "barrier."+id, err)
	}
	w.operatorBack(rw, r, g.Code, "barrier")
	return nil
}
