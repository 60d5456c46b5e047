package flow

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sched"
)

// The fairness audit: a call's record names its policy and what the policy
// saw, and replay recomputes the choice. The waiting area a call saw is not
// in its record — only its size and digest are (see cuakhau.CallInput for
// why) — so replay rebuilds it from the gate's log, which holds every
// arrival in full and every change that took a truck out of the area, and
// checks it against the record before it recomputes anything.

// SchedTruck turns a logged waiting truck into a sched.Truck.
func SchedTruck(w cuakhau.WaitingTruck) sched.Truck {
	deref := func(t *time.Time) time.Time {
		if t == nil {
			return time.Time{}
		}
		return *t
	}
	return sched.Truck{ID: w.ID, Seq: w.Seq, ArrivedAt: w.ArrivedAt, Booked: w.Booked, WindowStart: deref(w.WindowStart),
		WindowEnd: deref(w.WindowEnd), SpoilsAt: deref(w.SpoilsAt), Priority: w.Priority, FIFOTurn: deref(w.FIFOTurn)}
}

// LoggedTruck is SchedTruck's inverse, every time rounded to microseconds.
func LoggedTruck(t sched.Truck) cuakhau.WaitingTruck {
	ref := func(x time.Time) *time.Time {
		if x.IsZero() {
			return nil
		}
		x = x.UTC().Truncate(time.Microsecond)
		return &x
	}
	return cuakhau.WaitingTruck{ID: t.ID, Seq: t.Seq, ArrivedAt: t.ArrivedAt.UTC().Truncate(time.Microsecond), Booked: t.Booked,
		WindowStart: ref(t.WindowStart), WindowEnd: ref(t.WindowEnd), SpoilsAt: ref(t.SpoilsAt), Priority: t.Priority, FIFOTurn: ref(t.FIFOTurn)}
}

// LoggedInput is the logged form of a call's input: everything but the
// waiting area in full, which is summarised by its count and
// cuakhau.WaitingDigest.
func LoggedInput(in sched.Input) cuakhau.CallInput {
	ws := make([]cuakhau.WaitingTruck, len(in.Waiting))
	for i, t := range in.Waiting {
		ws[i] = LoggedTruck(t)
	}
	return LoggedInputWith(in, cuakhau.WaitingDigest(ws))
}

// LoggedInputWith is LoggedInput for a caller that keeps the digest of the
// waiting area itself, line by line as it changes (cuakhau.AppendWaitingLine
// of each LoggedTruck): digest must be cuakhau.WaitingDigest of in.Waiting.
func LoggedInputWith(in sched.Input, digest string) cuakhau.CallInput {
	return cuakhau.CallInput{Now: in.Now.UTC().Truncate(time.Microsecond), Free: in.Free, CrossingTimeNS: int64(in.CrossingTime),
		ServiceRate: in.ServiceRate, WaitingCount: len(in.Waiting), WaitingDigest: digest}
}

// ArrivedTruck is the truck an arrived event puts in its gate's waiting
// area, and the direction it came for. The store builds its waiting row
// from it too, so the area it reads and the one replay rebuilds agree.
func ArrivedTruck(ev *cuakhau.Event) (cuakhau.WaitingTruck, cuakhau.Direction, error) {
	w := cuakhau.WaitingTruck{ID: ev.TripID, Seq: ev.Seq, ArrivedAt: ev.At.UTC().Truncate(time.Microsecond)}
	if ev.Type != cuakhau.EventArrived {
		return w, "", fmt.Errorf("event %d is %s, not %s", ev.Seq, ev.Type, cuakhau.EventArrived)
	}
	var a cuakhau.ArrivalData
	if err := json.Unmarshal(ev.Data, &a); err != nil {
		return w, "", fmt.Errorf("arrival %d of trip %s: the logged data cannot be read: %w", ev.Seq, ev.TripID, err)
	}
	w.Booked, w.WindowStart, w.WindowEnd, w.SpoilsAt, w.Priority, w.FIFOTurn = a.Booked, a.WindowStart, a.WindowEnd, a.SpoilsAt, a.Priority, a.FIFOTurn
	return w, a.Direction, nil
}

// SchedInput turns a logged call input and the waiting area it saw back
// into the policy's input.
func SchedInput(in cuakhau.CallInput, waiting []cuakhau.WaitingTruck) sched.Input {
	out := sched.Input{Now: in.Now, Free: in.Free, CrossingTime: time.Duration(in.CrossingTimeNS), ServiceRate: in.ServiceRate,
		Waiting: make([]sched.Truck, len(waiting))}
	for i, w := range waiting {
		out.Waiting[i] = SchedTruck(w)
	}
	return out
}

// Replay recomputes a logged call: the trip the policy it names would call
// Nth from the logged input with waiting as its waiting area. ok is false
// for an override (nothing to recompute) and err reports an unknown policy
// or configuration. want is "" when the policy would call fewer than N.
func Replay(rec cuakhau.CallRecord, waiting []cuakhau.WaitingTruck) (want string, ok bool, err error) {
	if rec.Override {
		return "", false, nil
	}
	p, err := sched.New(rec.Policy, sched.Config{AgingBound: time.Duration(rec.AgingBoundNS), Tolerance: time.Duration(rec.ToleranceNS)})
	if err != nil {
		return "", false, err
	}
	if p.Version() != rec.Version {
		return "", false, fmt.Errorf("policy %s is at version %s; the call was made by version %s", rec.Policy, p.Version(), rec.Version)
	}
	n := max(rec.N, 1)
	sel := p.Select(SchedInput(rec.Input, waiting), n)
	if len(sel) < n {
		return "", true, nil
	}
	return sel[n-1].ID, true, nil
}

// CallCheck is replay's finding on one called event.
type CallCheck struct {
	Event  *cuakhau.Event
	Record cuakhau.CallRecord // zero when the event's data cannot be read
	// Override is an operator's call out of turn: listed, not recomputed.
	Override bool
	// Want is the policy's choice recomputed on the rebuilt waiting area;
	// "" when it was not recomputed or the policy would call no one.
	Want string
	// Differences says why the call does not replay; empty when it does.
	Differences []string
}

func (c *CallCheck) differ(format string, args ...any) {
	c.Differences = append(c.Differences, fmt.Sprintf(format, args...))
}

// Replayer rebuilds each gate's waiting area from its log and checks every
// call against it. Feed it a gate's events with Add in log order from the
// first (also when only some calls are to be reported: the area at a call
// depends on every arrival before it). It keeps only the trucks waiting,
// so its memory is the waiting area's, not the log's.
//
// A trip joins the area with its arrived event and leaves it with its first
// later event whose status is not arrived — its call, a cancellation, … —
// which is how the store keeps its waiting table.
//
// Rounds: a call with N = k > 1 shares its input with the k−1 calls of its
// round before it, which took their trucks out of the area with their own
// events. Its round is the k−1 events immediately before it in the gate's
// log, which must be calls with N = 1 … k−1 and the same policy,
// configuration and input; the set it saw is the rebuilt area plus the
// trucks those calls took. A call with N = k > 1 that is not so preceded is
// a difference. The store's rounds log each call with its own input (N = 1),
// which needs none of this.
type Replayer struct {
	gates map[string]*gateReplay
}

type gateReplay struct {
	lastSeq int64
	waiting []cuakhau.WaitingTruck // by Seq
	seqOf   map[string]int64       // trip → Seq of its truck in waiting
	round   *round
}

// round is the calls of the latest round: its first record and the trucks
// it called, in order; lastSeq is the Seq of its latest call.
type round struct {
	first   cuakhau.CallRecord
	lastSeq int64
	called  []cuakhau.WaitingTruck
}

// NewReplayer returns a Replayer with every waiting area empty, as at the
// start of a log.
func NewReplayer() *Replayer {
	return &Replayer{gates: map[string]*gateReplay{}}
}

// Waiting returns the waiting area of gate as rebuilt so far, by Seq.
func (r *Replayer) Waiting(gate string) []cuakhau.WaitingTruck {
	if g := r.gates[gate]; g != nil {
		return slices.Clone(g.waiting)
	}
	return nil
}

// Add feeds the next event of its gate's log. For a called event it returns
// the call's check; for any other, nil. An error is a finding about the log
// itself that replay could not check a call by — an entry missing or out of
// order, an arrival whose data cannot be read (its truck is still added
// with what the event says, so that later calls are checked and the damage
// shows in their digest) — and the Replayer carries on after it.
func (r *Replayer) Add(ev *cuakhau.Event) (*CallCheck, error) {
	g := r.gates[ev.Gate]
	if g == nil {
		g = &gateReplay{seqOf: map[string]int64{}}
		r.gates[ev.Gate] = g
	}
	var err error
	if ev.Seq != g.lastSeq+1 {
		err = fmt.Errorf("gate %s: entry %d follows entry %d; replay needs the whole log in order", ev.Gate, ev.Seq, g.lastSeq)
	}
	g.lastSeq = max(g.lastSeq, ev.Seq)
	if ev.TripID == "" {
		return nil, err
	}
	switch {
	case ev.Type == cuakhau.EventArrived:
		w, _, aerr := ArrivedTruck(ev)
		g.leave(ev.TripID)
		g.join(w)
		if err == nil {
			err = aerr
		}
		return nil, err
	case ev.Type == cuakhau.EventCalled:
		return g.call(ev), err
	case ev.Status != cuakhau.StatusArrived:
		g.leave(ev.TripID)
	}
	return nil, err
}

func (g *gateReplay) find(seq int64) int {
	i, _ := slices.BinarySearchFunc(g.waiting, seq, func(w cuakhau.WaitingTruck, s int64) int { return cmp.Compare(w.Seq, s) })
	return i
}

func (g *gateReplay) join(w cuakhau.WaitingTruck) {
	i := g.find(w.Seq)
	g.waiting = slices.Insert(g.waiting, i, w)
	g.seqOf[w.ID] = w.Seq
}

// leave takes a trip out of the waiting area and returns its truck; ok is
// false when it was not waiting.
func (g *gateReplay) leave(id string) (cuakhau.WaitingTruck, bool) {
	seq, ok := g.seqOf[id]
	if !ok {
		return cuakhau.WaitingTruck{}, false
	}
	delete(g.seqOf, id)
	i := g.find(seq)
	w := g.waiting[i]
	g.waiting = slices.Delete(g.waiting, i, i+1)
	return w, true
}

// call checks a called event against the waiting area as rebuilt before it,
// then takes the called trip out.
func (g *gateReplay) call(ev *cuakhau.Event) *CallCheck {
	c := &CallCheck{Event: ev}
	if err := json.Unmarshal(ev.Data, &c.Record); err != nil {
		c.differ("the logged call cannot be read: %v", err)
		g.leave(ev.TripID)
		g.round = nil
		return c
	}
	rec := c.Record
	c.Override = rec.Override
	if rec.Chosen != ev.TripID {
		if rec.Override {
			c.differ("override of %s logged for trip %s", rec.Chosen, ev.TripID)
		} else {
			c.differ("the call record names %s, the event trip %s", rec.Chosen, ev.TripID)
		}
	}
	seen := g.waiting
	if _, ok := g.seqOf[ev.TripID]; !ok {
		c.differ("trip %s is not in the waiting area the log rebuilds", ev.TripID)
	}
	n := max(rec.N, 1)
	inRound := n > 1 && g.round != nil && g.round.lastSeq == ev.Seq-1 && len(g.round.called) == n-1 && sameInput(g.round.first, rec)
	if n > 1 {
		if inRound {
			seen = append(slices.Clone(g.waiting), g.round.called...)
		} else {
			c.differ("call %d of a round is not preceded in the log by calls 1–%d of the same round and input", n, n-1)
		}
	}
	digest := cuakhau.WaitingDigest(seen)
	match := len(seen) == rec.Input.WaitingCount && digest == rec.Input.WaitingDigest
	if !match {
		c.differ("the log rebuilds %d trucks (digest %s) but the call saw %d (digest %s)",
			len(seen), short(digest), rec.Input.WaitingCount, short(rec.Input.WaitingDigest))
	}
	if !rec.Override && match {
		want, _, err := Replay(rec, seen)
		switch {
		case err != nil:
			c.differ("%v", err)
		case want == "":
			c.differ("policy calls no one as call %d, log says %s", n, ev.TripID)
		case want != ev.TripID:
			c.differ("policy calls %s, log says %s", want, ev.TripID)
		default:
			c.Want = want
		}
	}

	w, left := g.leave(ev.TripID)
	switch {
	case n == 1:
		g.round = &round{first: rec, lastSeq: ev.Seq}
	case inRound:
		g.round.lastSeq = ev.Seq
	default:
		g.round = nil
	}
	if g.round != nil && left {
		g.round.called = append(g.round.called, w)
	} else if g.round != nil {
		g.round = nil // a round whose truck was not waiting cannot be rebuilt
	}
	return c
}

// sameInput reports whether two calls are of one round: same policy,
// configuration and input.
func sameInput(a, b cuakhau.CallRecord) bool {
	x, y := a.Input, b.Input
	return a.Policy == b.Policy && a.Version == b.Version && a.AgingBoundNS == b.AgingBoundNS && a.ToleranceNS == b.ToleranceNS &&
		x.Now.Equal(y.Now) && x.Free == y.Free && x.CrossingTimeNS == y.CrossingTimeNS && x.ServiceRate == y.ServiceRate &&
		x.WaitingCount == y.WaitingCount && x.WaitingDigest == y.WaitingDigest
}

// short abbreviates a digest for a message.
func short(d string) string {
	if len(d) > 12 {
		return d[:12] + "…"
	}
	if d == "" {
		return "none"
	}
	return d
}
