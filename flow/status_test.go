package flow

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/google/go-cmp/cmp"
)

// TestStatusFollowsCheckpoints drives trips on every kind of route through
// random sequences of queue steps and decisions (most of which a real gate
// would never send) and checks after every step that the trip's status is
// what its checkpoints say (the invariant of the package doc), that a
// refused step changed nothing, and that no checkpoint after a hold decided
// while it held.
func TestStatusFollowsCheckpoints(t *testing.T) {
	electronics := durianExport()
	electronics.Cargo[0] = cuakhau.CargoLine{HSCode: "8517.13", Description: "Điện thoại", Packages: 400, GrossKg: 5000, ValueUSDCents: 90000000}
	imported := durianExport()
	imported.Gate, imported.Direction, imported.CustomsDeclarations = "tan-thanh", cuakhau.Import, []string{"104001234520"}
	starts := []*cuakhau.Trip{declare(t, durianExport()), declare(t, electronics)}
	gates := map[string]*cuakhau.Gate{"huu-nghi": gate(t, "huu-nghi"), "tan-thanh": gate(t, "tan-thanh")}
	trip, _, err := Declare(gates["tan-thanh"], imported, company, "id-2", "TT-ABCDEF", now)
	if err != nil {
		t.Fatalf("declare an import: %v", err)
	}
	starts = append(starts, trip)
	rng := rand.New(rand.NewPCG(8, 6))
	reached := map[string]int{}
	for seq := range 3000 {
		trip := starts[seq%len(starts)]
		g := gates[trip.Gate]
		at := now
		var history []string // the steps applied
		for range 40 {
			at = at.Add(time.Minute)
			op, next, ev, err := randomStep(rng, g, trip, at)
			if err != nil {
				if c := cuakhau.ErrorCode(err); c != cuakhau.EINVALID && c != cuakhau.ECONFLICT && c != cuakhau.EFORBIDDEN {
					t.Fatalf("after %v: %s refused with %v, not a domain error", history, op, err)
				}
				continue
			}
			history = append(history, op)
			if ev.Status != next.Status || next.Version != trip.Version+1 {
				t.Fatalf("%v: event status %s, trip %s v%d after v%d", history, ev.Status, next.Status, next.Version, trip.Version)
			}
			if msg := statusInvariant(next); msg != "" {
				t.Fatalf("after %v:\n%s\ncheckpoints %s", history, msg, states(next))
			}
			if optionalPassWhileHeld(trip, next) {
				reached["optional pass while held"]++
			}
			reached[string(next.Status)]++
			trip = next
			if trip.Status.Final() {
				break
			}
		}
	}
	// The sequences must have reached what the invariant speaks of, or it
	// was checked on nothing.
	for _, want := range []string{"arrived", "called", "in_zone", "held", "crossed", "rejected", "cancelled", "no_show", "optional pass while held"} {
		if reached[want] == 0 {
			t.Errorf("no sequence reached %s: %v", want, reached)
		}
	}
}

// randomStep applies one random step to trip at gate g, checking that a
// refused one left trip as it was and that the step made in place agrees.
func randomStep(rng *rand.Rand, g *cuakhau.Gate, trip *cuakhau.Trip, at time.Time) (string, *cuakhau.Trip, *cuakhau.Event, error) {
	before, err := json.Marshal(trip)
	if err != nil {
		panic(err)
	}
	var (
		op   string
		next *cuakhau.Trip
		ev   *cuakhau.Event
		// the principal and decision of an Apply, for Step
		stepBy       cuakhau.Principal
		stepDecision cuakhau.Decision
	)
	switch x := rng.IntN(100); {
	case x < 4:
		op = "arrive"
		next, ev, err = Arrive(trip, operator, cuakhau.ArrivalData{Direction: trip.Direction}, at)
	case x < 8:
		op = "call"
		next, ev, err = Call(trip, operator, cuakhau.CallRecord{Policy: "fifo"}, at)
	case x < 10:
		op = "cancel"
		stepBy, stepDecision = operator, cuakhau.Decision{Outcome: cuakhau.OutcomeCancel, Note: "đổi kế hoạch"}
		next, ev, err = Apply(g, trip, stepBy, stepDecision, at)
	case x < 12:
		op = "no_show"
		stepBy, stepDecision = operator, cuakhau.Decision{Outcome: cuakhau.OutcomeNoShow}
		next, ev, err = Apply(g, trip, stepBy, stepDecision, at)
	default:
		cp := trip.Checkpoints[rng.IntN(len(trip.Checkpoints))]
		d := cuakhau.Decision{Checkpoint: cp.Code, Note: "kiểm tra"}
		switch y := rng.IntN(100); {
		case y < 55:
			d.Outcome = cuakhau.OutcomePass
		case y < 75:
			d.Outcome = cuakhau.OutcomeHold
		case y < 97:
			d.Outcome = cuakhau.OutcomeRelease
		default:
			d.Outcome = cuakhau.OutcomeReject
		}
		if cp.Kind == cuakhau.KindCustoms && rng.IntN(2) == 0 {
			d.Channel = []cuakhau.Channel{cuakhau.ChannelGreen, cuakhau.ChannelYellow, cuakhau.ChannelRed}[rng.IntN(3)]
		}
		op = fmt.Sprintf("%s %s", cp.Code, d.Outcome)
		stepBy, stepDecision = admin, d
		next, ev, err = Apply(g, trip, stepBy, stepDecision, at)
	}
	if err != nil {
		if after, _ := json.Marshal(trip); string(after) != string(before) {
			panic(fmt.Sprintf("refused %s changed the trip", op))
		}
	}
	// The same step made in place (Step, StepArrive, StepCall: the
	// simulator's) must refuse alike or leave the trip exactly as returned.
	own := clone(trip)
	var serr error
	switch op {
	case "arrive":
		serr = StepArrive(own, operator, cuakhau.ArrivalData{Direction: trip.Direction}, at)
	case "call":
		serr = StepCall(own, operator, cuakhau.CallRecord{Policy: "fifo"}, at)
	default:
		serr = Step(g, own, stepBy, stepDecision, at)
	}
	switch {
	case (err == nil) != (serr == nil) || err != nil && err.Error() != serr.Error():
		panic(fmt.Sprintf("%s: Apply's error %v, in place %v", op, err, serr))
	case err == nil:
		if diff := cmp.Diff(next, own); diff != "" {
			panic(fmt.Sprintf("%s: in place the trip differs (-Apply +in place):\n%s", op, diff))
		}
	}
	return op, next, ev, err
}

// statusInvariant says how t's status breaks the package doc's invariant,
// or "" when it keeps it. It is written from the doc, not from the code.
func statusInvariant(t *cuakhau.Trip) string {
	decided, rejected, held, mandatoryLeft := false, false, false, false
	for i, c := range t.Checkpoints {
		decided = decided || c.At != nil
		switch c.State {
		case cuakhau.CheckpointRejected:
			rejected = true
		case cuakhau.CheckpointHeld:
			held = true
			// Nothing after a hold decides while it holds.
			for _, later := range t.Checkpoints[i+1:] {
				if later.At != nil && later.At.After(*c.At) {
					return fmt.Sprintf("%s decided at %s, after %s held at %s", later.Code, later.At, c.Code, c.At)
				}
			}
		}
		if c.Mandatory && c.State != cuakhau.CheckpointPassed && c.State != cuakhau.CheckpointSkipped {
			mandatoryLeft = true
		}
	}
	if !decided {
		switch t.Status {
		case cuakhau.StatusDeclared, cuakhau.StatusBooked, cuakhau.StatusArrived, cuakhau.StatusCalled,
			cuakhau.StatusCancelled, cuakhau.StatusNoShow:
		default:
			return fmt.Sprintf("status %s, but no checkpoint has decided", t.Status)
		}
		if t.CrossedAt != nil {
			return "crossed_at set before any checkpoint decided"
		}
		return ""
	}
	var want cuakhau.Status
	switch {
	case rejected:
		want = cuakhau.StatusRejected
	case held:
		want = cuakhau.StatusHeld
	case !mandatoryLeft:
		want = cuakhau.StatusCrossed
	default:
		want = cuakhau.StatusInZone
	}
	if t.Status != want {
		return fmt.Sprintf("status %s, want %s", t.Status, want)
	}
	if (t.CrossedAt != nil) != (t.Status == cuakhau.StatusCrossed) {
		return fmt.Sprintf("status %s with crossed_at %v", t.Status, t.CrossedAt)
	}
	return ""
}

// optionalPassWhileHeld reports whether the step from prev to next passed
// an optional checkpoint while another held the trip.
func optionalPassWhileHeld(prev, next *cuakhau.Trip) bool {
	if prev.Status != cuakhau.StatusHeld {
		return false
	}
	for i, c := range next.Checkpoints {
		if !c.Mandatory && c.State == cuakhau.CheckpointPassed && prev.Checkpoints[i].State != cuakhau.CheckpointPassed {
			return true
		}
	}
	return false
}

func states(t *cuakhau.Trip) string {
	s := ""
	for _, c := range t.Checkpoints {
		s += fmt.Sprintf(" %s=%s", c.Code, c.State)
	}
	return s
}

// TestOptionalPassLeavesHeld is the case the invariant was written for: a
// truck held by customs is weighed meanwhile and stays held; released and
// passed, it goes on.
func TestOptionalPassLeavesHeld(t *testing.T) {
	trip := run(t, declare(t, durianExport()), []step{
		{operator, cuakhau.Decision{Checkpoint: "entry", Outcome: "pass"}},
		{medical, cuakhau.Decision{Checkpoint: "medical", Outcome: "pass"}},
		{customs, cuakhau.Decision{Checkpoint: "customs", Outcome: "hold", Channel: "red", Note: "kiểm tra thực tế"}},
		{operator, cuakhau.Decision{Checkpoint: "weighbridge", Outcome: "pass", Device: "weighbridge-1", Reading: &cuakhau.Reading{WeightKg: 31000}}},
	})
	if trip.Status != cuakhau.StatusHeld {
		t.Fatalf("after weighing a held truck: status %s, want held", trip.Status)
	}
	trip = run(t, trip, []step{{customs, cuakhau.Decision{Checkpoint: "customs", Outcome: "release"}}})
	if trip.Status != cuakhau.StatusInZone {
		t.Errorf("after release: status %s, want in_zone", trip.Status)
	}
}

// TestOptionalHoldStopsLaterCheckpoints: a weighbridge that holds a truck
// (an overweight load) stops customs after it, as any hold does.
func TestOptionalHoldStopsLaterCheckpoints(t *testing.T) {
	trip := run(t, declare(t, durianExport()), []step{
		{operator, cuakhau.Decision{Checkpoint: "entry", Outcome: "pass"}},
		{operator, cuakhau.Decision{Checkpoint: "weighbridge", Outcome: "hold", Note: "quá tải"}},
	})
	if trip.Status != cuakhau.StatusHeld {
		t.Fatalf("status %s, want held", trip.Status)
	}
	_, _, err := Apply(gate(t, "huu-nghi"), trip, medical, cuakhau.Decision{Checkpoint: "medical", Outcome: "pass"}, now)
	wantCode(t, err, cuakhau.ECONFLICT)
}
