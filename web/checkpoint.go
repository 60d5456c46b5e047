package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/flow"
)

// officerKinds are the checkpoint kinds an officer's role decides at; the
// gate kind is the operator's, on its own page.
var officerKinds = []cuakhau.CheckpointKind{cuakhau.KindMedical, cuakhau.KindCustoms, cuakhau.KindQuarantine, cuakhau.KindBorderGuard}

// officerRoles are the roles of the checkpoint pages: those deciding at
// officerKinds.
func officerRoles() []cuakhau.Role {
	var rs []cuakhau.Role
	for _, k := range officerKinds {
		rs = append(rs, k.Role())
	}
	return rs
}

// checkpointView is the officer's worklist.
type checkpointView struct {
	L        Lang
	GateCode string
	GateName string
	KindName string
	Zone     string
	Find     string // as typed, kept in the form
	FindErr  string
	Total    int
	Rows     []worklistRow
	// Next is the URL of the next page, "" on the last.
	Next string
}

// worklistRow is one truck waiting at the officer's checkpoint.
type worklistRow struct {
	Trip      *cuakhau.Trip
	State     string
	StateText string
	DirName   string
	Since     string
}

// officerKind is the kind of checkpoint p's role decides at: the one whose
// deciding role is p's. False for a role that decides at none of them.
func officerKind(p cuakhau.Principal) (cuakhau.CheckpointKind, bool) {
	for _, k := range officerKinds {
		if k.Role() == p.Role {
			return k, true
		}
	}
	return "", false
}

// officerGate is the gate the officer works at: the one the account is
// bound to, or for an unbound account the one asked for (?gate=), else the
// first of the catalogue.
func (w *Web) officerGate(r *http.Request, p cuakhau.Principal) (*cuakhau.Gate, error) {
	code := p.Gate
	if code == "" {
		code = r.URL.Query().Get("gate")
	}
	if code == "" {
		gs, err := w.cfg.Gates.Gates(r.Context())
		if err != nil {
			return nil, err
		}
		if len(gs) == 0 {
			return nil, cuakhau.Errorf(cuakhau.ENOTFOUND, "no gates")
		}
		return gs[0], nil
	}
	return w.cfg.Gates.Gate(r.Context(), code)
}

// checkpointPage is /checkpoint: the trucks waiting at the officer's
// checkpoint at their gate, a page at a time, narrowed by ?find= (a
// plate, trip code, container or declaration number, or a scanned trip
// page's URL). Who may list is the store's to decide (CanDecide).
func (w *Web) checkpointPage(rw http.ResponseWriter, r *http.Request) error {
	if w.cfg.Worklist == nil {
		return errors.New("web: no worklist service configured")
	}
	p, _ := principalFrom(r.Context())
	kind, ok := officerKind(p)
	if !ok {
		return cuakhau.Errorf(cuakhau.EFORBIDDEN, "role %s decides at no checkpoint", p.Role)
	}
	g, err := w.officerGate(r, p)
	if err != nil {
		return err
	}
	l := langOf(rw, r)
	q := r.URL.Query()
	v := &checkpointView{L: l, GateCode: g.Code, GateName: gateName(l, g), KindName: l.T("kind." + string(kind)),
		Zone: zoneLabel(w.now(), g.TimeZone), Find: q.Get("find")}
	status := http.StatusOK
	list, err := w.cfg.Worklist.Worklist(r.Context(), p, cuakhau.WorklistFilter{Gate: g.Code, Kind: kind, Find: v.Find, After: q.Get("after")})
	var ce *cuakhau.Error
	switch {
	case err == nil:
	case errors.As(err, &ce) && ce.Code == cuakhau.EINVALID && ce.Fields["find"] != "":
		v.FindErr, status = ce.Fields["find"], http.StatusBadRequest
		list = &cuakhau.Worklist{}
	default:
		return err
	}
	v.Total = list.Total
	for _, t := range list.Trips {
		cp := flow.Awaiting(t, kind)
		if cp == nil { // decided between the list and now
			continue
		}
		v.Rows = append(v.Rows, worklistRow{Trip: t, State: cp.State, StateText: l.T("cpstate." + cp.State),
			DirName: l.T("dir." + string(t.Direction)), Since: inZone(t.UpdatedAt, g.TimeZone).Format("15:04 02/01")})
	}
	if list.Next != "" {
		nq := url.Values{"after": {list.Next}, "lang": {l.Code()}}
		if v.Find != "" {
			nq.Set("find", v.Find)
		}
		if p.Gate == "" {
			nq.Set("gate", g.Code)
		}
		v.Next = "/checkpoint?" + nq.Encode()
	}
	w.render(rw, r, l, status, "checkpoint", l.T("checkpoint.title", v.KindName), v)
	return nil
}

// decisionView is the page of one trip at the officer's checkpoint: the
// trip, its history and, when it is the checkpoint's turn, the decision
// form with the service's field errors and the input kept.
type decisionView struct {
	L          Lang
	Trip       *cuakhau.Trip
	GateName   string
	KindName   string
	DirName    string
	Zone       string
	Checkpoint *cuakhau.CheckpointState // the one awaiting this officer, nil when none
	Customs    bool
	Outcomes   []cuakhau.Outcome
	Channels   []cuakhau.Channel
	// The form as typed.
	Outcome cuakhau.Outcome
	Channel cuakhau.Channel
	Note    string
	// Errors by field (outcome, channel, note), and one not of a field.
	Errs     map[string]string
	Conflict string
	Decided  bool
	Steps    []stepText
	History  []stepText
}

// officerTrip is the trip id as p may see it, and the gate it is at. A
// trip p may not see (another gate's) is not found, as an unknown id is.
func (w *Web) officerTrip(r *http.Request, p cuakhau.Principal, id string) (*cuakhau.Trip, *cuakhau.Gate, error) {
	if w.cfg.Trips == nil {
		return nil, nil, errors.New("web: no trip service configured")
	}
	t, err := w.cfg.Trips.Trip(r.Context(), p, id)
	if cuakhau.ErrorCode(err) == cuakhau.EFORBIDDEN {
		return nil, nil, cuakhau.Errorf(cuakhau.ENOTFOUND, "trip %s is not at this officer's gate", id)
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

// checkpointTripPage is /checkpoint/trips/{id}.
func (w *Web) checkpointTripPage(rw http.ResponseWriter, r *http.Request) error {
	p, _ := principalFrom(r.Context())
	t, g, err := w.officerTrip(r, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	v, err := w.decisionView(rw, r, p, t, g)
	if err != nil {
		return err
	}
	v.Decided = r.URL.Query().Has("decided")
	w.render(rw, r, v.L, http.StatusOK, "decision", t.Code, v)
	return nil
}

// decide records the officer's decision through the trip service, which
// checks it: its field errors come back beside the fields with the input
// kept, a refusal by the trip's state above the form; a recorded one
// shows the trip again (post, redirect, get).
func (w *Web) decide(rw http.ResponseWriter, r *http.Request) error {
	p, _ := principalFrom(r.Context())
	t, g, err := w.officerTrip(r, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	d := cuakhau.Decision{Checkpoint: r.PostFormValue("checkpoint"), Outcome: cuakhau.Outcome(r.PostFormValue("outcome")),
		Channel: cuakhau.Channel(r.PostFormValue("channel")), Note: r.PostFormValue("note")}
	return w.applyDecision(rw, r, p, t.ID, d, decisionForm{
		Fields: []string{"outcome", "channel", "note"},
		Done:   "/checkpoint/trips/" + url.PathEscape(t.ID) + "?decided=1&lang=" + langOf(rw, r).Code(),
		Page:   "decision", Title: t.Code, Trip: t.ID,
		Again: func(now *cuakhau.Trip, ref refusal) (any, error) {
			v, err := w.decisionView(rw, r, p, now, g)
			if err != nil {
				return nil, err
			}
			v.Outcome, v.Channel, v.Note = d.Outcome, d.Channel, d.Note
			v.Errs, v.Conflict = ref.Errs, ref.Conflict
			return v, nil
		},
	})
}

func (w *Web) decisionView(rw http.ResponseWriter, r *http.Request, p cuakhau.Principal, t *cuakhau.Trip, g *cuakhau.Gate) (*decisionView, error) {
	l := langOf(rw, r)
	kind, ok := officerKind(p)
	if !ok {
		return nil, cuakhau.Errorf(cuakhau.EFORBIDDEN, "role %s decides at no checkpoint", p.Role)
	}
	v := &decisionView{L: l, Trip: t, GateName: gateName(l, g), KindName: l.T("kind." + string(kind)),
		DirName: l.T("dir." + string(t.Direction)), Zone: zoneLabel(t.UpdatedAt, g.TimeZone), Customs: kind == cuakhau.KindCustoms,
		Channels: []cuakhau.Channel{cuakhau.ChannelGreen, cuakhau.ChannelYellow, cuakhau.ChannelRed}}
	if cp := flow.Awaiting(t, kind); cp != nil && p.CanDecide(cp.Kind, t.Gate) {
		v.Checkpoint = cp
		if cp.State == cuakhau.CheckpointHeld {
			v.Outcomes = []cuakhau.Outcome{cuakhau.OutcomeRelease, cuakhau.OutcomeReject}
		} else {
			v.Outcomes = []cuakhau.Outcome{cuakhau.OutcomePass, cuakhau.OutcomeHold, cuakhau.OutcomeReject}
		}
		v.Channel = t.Channel
	}
	at := func(x cuakhau.CheckpointState) string {
		if x.At == nil {
			return ""
		}
		return inZone(*x.At, g.TimeZone).Format("15:04 02/01/2006")
	}
	names := map[string]string{}
	for _, cp := range g.Route(t.Direction) {
		names[cp.Code] = checkpointName(l, cp)
	}
	for _, cp := range t.Checkpoints {
		st := stepText{What: names[cp.Code], State: l.T("cpstate." + cp.State), At: at(cp)}
		if st.What == "" {
			st.What = cp.Code
		}
		if cp.Channel != "" {
			st.State += " (" + l.T("channel."+string(cp.Channel)) + ")"
		}
		v.Steps = append(v.Steps, st)
	}
	events, err := w.cfg.Trips.TripEvents(r.Context(), p, t.ID)
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		s := stepText{At: inZone(e.At, g.TimeZone).Format("15:04 02/01/2006"),
			What: stepWords(l, cuakhau.TripStep{Type: e.Type, Checkpoint: e.Checkpoint, Outcome: e.Outcome, Channel: e.Channel}, names)}
		s.State = e.Note
		v.History = append(v.History, s)
	}
	return v, nil
}
