package web

import (
	"errors"
	"net/http"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/flow"
)

// officerKinds are the checkpoint kinds an officer's role decides at, in
// route order; the gate kind is the operator's, on its own page.
var officerKinds = []cuakhau.CheckpointKind{cuakhau.KindMedical, cuakhau.KindCustoms, cuakhau.KindQuarantine, cuakhau.KindBorderGuard}

// checkpointView is the officer's worklist.
type checkpointView struct {
	L        Lang
	Gate     *cuakhau.Gate
	GateName string
	Kind     cuakhau.CheckpointKind
	KindName string
	Zone     string
	Rows     []worklistRow
}

// worklistRow is one truck waiting at the officer's checkpoint.
type worklistRow struct {
	Trip       *cuakhau.Trip
	Checkpoint *cuakhau.CheckpointState
	StateText  string
	DirName    string
	Since      string
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
// checkpoint at their gate.
func (w *Web) checkpointPage(rw http.ResponseWriter, r *http.Request) error {
	if w.cfg.Trips == nil {
		return errors.New("web: no trip service configured")
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
	if !p.CanDecide(kind, g.Code) {
		return cuakhau.Errorf(cuakhau.EFORBIDDEN, "role %s may not decide at gate %s", p.Role, g.Code)
	}
	l := langOf(rw, r)
	v := &checkpointView{L: l, Gate: g, GateName: gateName(l, g), Kind: kind, KindName: l.T("kind." + string(kind))}
	for _, st := range []cuakhau.Status{cuakhau.StatusInZone, cuakhau.StatusHeld} {
		trips, err := w.cfg.Trips.Trips(r.Context(), p, cuakhau.TripFilter{Gate: g.Code, Status: st, Limit: 1000})
		if err != nil {
			return err
		}
		for _, t := range trips {
			cp := flow.Awaiting(t, kind)
			if cp == nil {
				continue
			}
			v.Rows = append(v.Rows, worklistRow{Trip: t, Checkpoint: cp, StateText: l.T("cpstate." + cp.State),
				DirName: l.T("dir." + string(t.Direction)), Since: inZone(t.UpdatedAt, g.TimeZone).Format("15:04 02/01")})
		}
	}
	title := l.T("checkpoint.title", v.KindName)
	w.render(rw, r, l, http.StatusOK, "checkpoint", title, v)
	return nil
}
