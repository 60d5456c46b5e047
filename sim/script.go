package sim

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/cuakhau/cuakhau/sched"
)

// Script is a scripted run of a scenario's one gate: a fixed list of trucks
// — bookings, walk-ins, cancellations, no-shows, loads that spoil at a
// given time — instead of random arrivals, for a test that drives the
// server through the same day and compares its decisions with the
// simulator's (Decision). The scenario gives the gate (hours, stages with
// deterministic service times, control zone, the other side's capacities —
// a later value equal to the first withdraws the announcement), the rules'
// settings (tolerance, window length, advisory every_min) and one arrival
// class of rate 0, whose direction the trucks take.
//
// What the server configures, a script fixes too, so that both run on the
// same inputs: RatePerHour is the gate's configured clearing rate (the
// policy's service rate until one is measured, and the windows' rate, which
// the simulator otherwise derives from the stages and, under adaptive, the
// other side's capacity); CrossingTime the configured time from call to
// crossed (the policy's input, and the last call before closing, which the
// simulator otherwise measures and derives from the stages); ShelfLife the
// advisory's typical perishable. A scripted load spoils at its SpoilsAt,
// counted from its declaration as the server counts it, not from its
// arrival, and bookings do not move when the other side's capacity changes
// (the server moves none; the simulator's adaptive regime otherwise moves
// those of trucks still at origin).
type Script struct {
	Scenario     *Scenario
	Policy       string
	RatePerHour  float64
	CrossingTime time.Duration
	ShelfLife    time.Duration
	Trucks       []ScriptTruck
}

// ScriptTruck is one truck of a Script. Times are from the scenario's
// epoch (local midnight of its start).
type ScriptTruck struct {
	ID string
	// Book: the truck asks at BookAt for the window starting at Window;
	// refused, it comes as a walk-in.
	Book           bool
	BookAt, Window time.Duration
	// Arrive is when it comes (never, when NoShow). Cancel: it cancels its
	// booking at CancelAt and stays away.
	Arrive   time.Duration
	NoShow   bool
	Cancel   bool
	CancelAt time.Duration
	// SpoilsAt is when its load spoils (0: not perishable); Comply, that it
	// heeds a hold at origin.
	SpoilsAt time.Duration
	Comply   bool
}

// Decision kinds of a scripted run's trace. Refused, Called, Held, NoShow,
// Advisory and Rebooked are the rules' decisions; Arrived and Crossed are
// what the model did (when a truck came, when the other side took it), for
// a driver of the server to replay.
const (
	DecisionRefused  = "refused"  // a booking refused (window full, or the advisory's cap)
	DecisionCalled   = "called"   // called forward
	DecisionHeld     = "held"     // told to hold at origin for its shelf life; Released: it gave up its booking
	DecisionNoShow   = "no_show"  // a booking unused by its window's end plus the tolerance
	DecisionAdvisory = "advisory" // the advisory came into force, rose a level or cleared (sched.AdvisoryChanged)
	DecisionRebooked = "rebooked" // a truck held at origin booked the window starting at Window
	DecisionArrived  = "arrived"  // checked in to the waiting area
	DecisionCrossed  = "crossed"  // crossed the zero line
)

// Decision is one entry of a scripted run's trace.
type Decision struct {
	At       time.Duration
	Kind     string
	Truck    string
	Window   time.Duration // Rebooked: the window's start
	Released bool          // Held: its booking was released
	Active   bool          // Advisory
	Level    sched.Level   // Advisory
}

func (d Decision) String() string {
	at := fmt.Sprintf("%02d:%02d", int(d.At.Hours()), int(d.At.Minutes())%60)
	switch d.Kind {
	case DecisionAdvisory:
		return fmt.Sprintf("%s advisory active=%v level=%s", at, d.Active, d.Level)
	case DecisionHeld:
		return fmt.Sprintf("%s held %s released=%v", at, d.Truck, d.Released)
	case DecisionRebooked:
		return fmt.Sprintf("%s rebooked %s %02d:%02d", at, d.Truck, int(d.Window.Hours()), int(d.Window.Minutes())%60)
	}
	return fmt.Sprintf("%s %s %s", at, d.Kind, d.Truck)
}

// script actions, the evScript event's index: truck i's action a is
// i*scriptActions + a.
const (
	scriptBook = iota
	scriptCancel
	scriptArrive
	scriptActions
)

// RunScript runs s to the scenario's end and returns its trace, in the
// order the decisions were taken, and the epoch its times count from.
func RunScript(s Script) ([]Decision, time.Time, error) {
	sc := *s.Scenario
	sc.Lifecycle = "off"
	if len(sc.Gates) != 1 || len(sc.Arrivals) != 1 {
		return nil, time.Time{}, errors.New("script: the scenario must have one gate and one arrival class")
	}
	p, err := compile(&sc)
	if err != nil {
		return nil, time.Time{}, err
	}
	g := p.gates[0]
	g.fixedRate = s.RatePerHour / 60
	g.crossing0 = s.CrossingTime.Minutes()
	g.minShelf = s.ShelfLife.Minutes()
	pol, err := sched.New(s.Policy, p.cfg)
	if err != nil {
		return nil, time.Time{}, err
	}
	m := newModel(p, pol, 0, 0)
	m.script = &s
	m.queues[0].crossEst = g.crossing0
	if _, err := m.run(); err != nil {
		return nil, time.Time{}, err
	}
	return m.trace, p.epoch, nil
}

// startScript schedules the script's trucks instead of the classes' draws.
func (m *model) startScript() {
	q := m.queues[0]
	for i, st := range m.script.Trucks {
		tr := &truck{id: st.ID, class: m.p.classes[0], q: q, win: -1, widx: -1, pidx: -1, slot: -1, comply: st.Comply,
			noShow: st.NoShow, wantsBk: st.Book, reg: true}
		tr.gen = m.bump()
		tr.desired = st.Arrive.Minutes()
		tr.planned = tr.desired
		if st.SpoilsAt > 0 {
			tr.spoilsAt = st.SpoilsAt.Minutes()
			tr.shelf = tr.spoilsAt - tr.desired
		}
		m.scriptTrucks = append(m.scriptTrucks, tr)
		switch {
		case st.Book:
			m.schedule(st.BookAt.Minutes(), evScript, nil, i*scriptActions+scriptBook)
		case !st.NoShow:
			m.schedule(tr.desired, evScript, nil, i*scriptActions+scriptArrive)
		}
		if st.Cancel {
			m.schedule(st.CancelAt.Minutes(), evScript, nil, i*scriptActions+scriptCancel)
		}
	}
}

// scriptAction runs action a of the script's truck i.
func (m *model) scriptAction(i, a int) {
	tr := m.scriptTrucks[i]
	q := tr.q
	switch a {
	case scriptArrive:
		m.scheduleArrival(tr)
	case scriptBook:
		w := m.window(m.script.Trucks[i].Window.Minutes())
		var adv *sched.Advice
		if m.reg.advisory {
			adv = m.bookingCap(q)
		}
		if full, capped := m.refuses(q, w, adv); full || capped {
			m.note(Decision{Kind: DecisionRefused, Truck: tr.id})
			if !tr.noShow {
				m.scheduleArrival(tr) // a walk-in
			}
			return
		}
		m.take(tr, w)
		tr.planned = tr.desired
		if tr.noShow {
			m.expectNoShow(tr)
		} else {
			m.scheduleArrival(tr)
		}
	case scriptCancel:
		if w := tr.win; w >= 0 && !tr.came {
			m.unbook(q, tr)
			tr.gen = m.bump() // stays away
		}
	}
}

// note adds d, at now, to a scripted run's trace.
func (m *model) note(d Decision) {
	if m.script == nil {
		return
	}
	d.At = time.Duration(math.Round(m.now * float64(time.Minute)))
	m.trace = append(m.trace, d)
}

// noteAdvice traces q's advice when it is news (sched.AdvisoryChanged).
func (m *model) noteAdvice(q *queue) {
	if m.script == nil {
		return
	}
	if sched.AdvisoryChanged(m.announced, m.lastAdv.Active, m.lastAdv.Level, q.adv) {
		m.announced, m.lastAdv = true, q.adv
		m.note(Decision{Kind: DecisionAdvisory, Active: q.adv.Active, Level: q.adv.Level})
	}
}
