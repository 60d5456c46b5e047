package device

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/cuakhau/cuakhau"
)

// Effect is what a reading does.
type Effect string

// Effects.
const (
	// EffectArrive checks the trip in to the waiting area (the queue's
	// Arrive, as the operator's check-in does).
	EffectArrive Effect = "arrive"
	// EffectDecide records Action.Decision on the trip (as an officer's
	// decision is recorded, through the same state machine).
	EffectDecide Effect = "decide"
	// EffectAlert changes no trip: an operator must look (Action.Alert).
	EffectAlert Effect = "alert"
	// EffectNone changes nothing and needs no one: the truck is already
	// where the reading puts it (a camera seeing it again).
	EffectNone Effect = "none"
)

// Alert kinds.
const (
	AlertUnknownPlate    = "unknown_plate"      // no trip matches the read
	AlertNotCalled       = "not_called"         // zone_in of a truck the queue has not called
	AlertPendingCheck    = "pending_checkpoint" // gate_out before every mandatory checkpoint passed
	AlertWrongGate       = "wrong_position"     // a reading its position cannot act on
	AlertSilent          = "silent_device"      // a device silent past its interval
	AlertWeighingNoTruck = "no_truck_weighed"   // a weighing whose truck is unknown
)

// Action is what a reading means for one trip.
type Action struct {
	Effect Effect
	// Decision is recorded when Effect is EffectDecide.
	Decision cuakhau.Decision
	// Alert and Reason say what an operator should know (EffectAlert), or
	// why nothing is done (EffectNone).
	Alert  string
	Reason string
}

func alert(kind, format string, args ...any) Action {
	return Action{Effect: EffectAlert, Alert: kind, Reason: fmt.Sprintf(format, args...)}
}

func none(format string, args ...any) Action {
	return Action{Effect: EffectNone, Reason: fmt.Sprintf(format, args...)}
}

// PlateRead is what a plate read by device d means for trip t, the trip
// whose plate it matched: at yard_in the truck checks in (a declared or
// booked trip); at zone_in a called truck passes the route's first
// checkpoint, the control zone's entry, and any other is an alert, the
// barrier staying shut; at gate_out a truck whose every mandatory
// checkpoint but the last has passed passes the last, which is the
// crossing, and any other is an alarm naming what is pending. A truck
// already past the position is seen again: nothing to do.
func PlateRead(d Device, t *cuakhau.Trip, plate string) Action {
	decide := func(code string) Action {
		return Action{Effect: EffectDecide, Decision: cuakhau.Decision{
			Checkpoint: code, Outcome: cuakhau.OutcomePass, Device: d.ID,
			Reading: &cuakhau.Reading{Plate: plate},
		}}
	}
	switch d.Position {
	case PositionYardIn:
		switch t.Status {
		case cuakhau.StatusDeclared, cuakhau.StatusBooked:
			return Action{Effect: EffectArrive}
		}
		return none("trip %s is %s: already checked in", t.Code, t.Status)
	case PositionZoneIn:
		if len(t.Checkpoints) == 0 {
			return alert(AlertNotCalled, "trip %s has no checkpoints", t.Code)
		}
		entry := t.Checkpoints[0]
		switch {
		case t.Status == cuakhau.StatusCalled && entry.State == cuakhau.CheckpointPending:
			return decide(entry.Code)
		case t.Status == cuakhau.StatusInZone || t.Status == cuakhau.StatusHeld:
			return none("trip %s is already in the control zone", t.Code)
		case t.Status == cuakhau.StatusArrived:
			return alert(AlertNotCalled, "truck %s (trip %s) is at the control zone's entry but waits to be called: the barrier stays shut", plate, t.Code)
		}
		return alert(AlertNotCalled, "truck %s (trip %s, %s) is at the control zone's entry without being called: the barrier stays shut", plate, t.Code, t.Status)
	case PositionGateOut:
		if t.Status == cuakhau.StatusCrossed {
			return none("trip %s has crossed", t.Code)
		}
		n := len(t.Checkpoints)
		if n == 0 || t.Status != cuakhau.StatusInZone {
			return alert(AlertPendingCheck, "ALARM: truck %s (trip %s, %s) is at the zero line", plate, t.Code, t.Status)
		}
		var pending []string
		for _, c := range t.Checkpoints[:n-1] {
			if c.Mandatory && c.State != cuakhau.CheckpointPassed && c.State != cuakhau.CheckpointSkipped {
				pending = append(pending, c.Code)
			}
		}
		if len(pending) > 0 {
			return alert(AlertPendingCheck, "ALARM: truck %s (trip %s) is at the zero line with %s not passed", plate, t.Code, strings.Join(pending, ", "))
		}
		return decide(t.Checkpoints[n-1].Code)
	case PositionWeighing:
		return none("plate %s seen at the weighbridge", plate)
	}
	return none("plate %s seen at %s", plate, d.Position)
}

// WeighRules are the weighing's bounds.
type WeighRules struct {
	// Tolerance is how far, as a fraction, the weighed cargo may be from
	// the declared gross weight (0.05: 5 %).
	Tolerance float64
	// TareKg is the allowance for the truck itself, subtracted from the
	// weighbridge's gross weight to compare with the cargo declared.
	TareKg int64
	// LimitKg is the legal gross weight of the vehicle.
	LimitKg int64
}

// DefaultWeighRules: 10 % tolerance, a 15 t tare allowance and a 48 t
// limit. These are assumptions for a tractor with a loaded semi-trailer,
// to be set by the operator: the statutory limit depends on the vehicle's
// axles, which a declaration does not carry.
var DefaultWeighRules = WeighRules{Tolerance: 0.10, TareKg: 15_000, LimitKg: 48_000}

// Weighing is what a weighbridge's gross weight means for trip t: over the
// legal limit, or the cargo (gross less the tare allowance) further than
// the tolerance from the cargo declared, a hold at the weighbridge with the
// reason; otherwise a pass. A trip not in the control zone, or whose route
// has no pending weighbridge, is an alert.
func Weighing(d Device, t *cuakhau.Trip, plate string, grossKg int64, r WeighRules) Action {
	code := ""
	for _, c := range t.Checkpoints {
		if c.Code == "weighbridge" {
			code = c.Code
			if c.State != cuakhau.CheckpointPending {
				return none("trip %s is already weighed (%s)", t.Code, c.State)
			}
		}
	}
	if code == "" {
		return alert(AlertWrongGate, "trip %s's route has no weighbridge", t.Code)
	}
	if t.Status != cuakhau.StatusInZone {
		return alert(AlertWrongGate, "truck %s (trip %s, %s) weighed outside the control zone", plate, t.Code, t.Status)
	}
	var declared int64
	for _, c := range t.Cargo {
		declared += c.GrossKg
	}
	dec := cuakhau.Decision{Checkpoint: code, Outcome: cuakhau.OutcomePass, Device: d.ID,
		Reading: &cuakhau.Reading{Plate: plate, WeightKg: grossKg}}
	cargo := grossKg - r.TareKg
	diff := cargo - declared
	if diff < 0 {
		diff = -diff
	}
	switch {
	case grossKg > r.LimitKg:
		dec.Outcome = cuakhau.OutcomeHold
		dec.Note = fmt.Sprintf("overweight: %d kg gross, over the legal %d kg", grossKg, r.LimitKg)
	case float64(diff) > r.Tolerance*float64(declared):
		dec.Outcome = cuakhau.OutcomeHold
		dec.Note = fmt.Sprintf("weight differs from the declaration: %d kg gross less %d kg tare is %d kg of cargo, %d kg declared (tolerance %.0f%%)",
			grossKg, r.TareKg, cargo, declared, r.Tolerance*100)
	}
	return Action{Effect: EffectDecide, Decision: dec}
}

// Deduper counts the same plate from the same device once within an
// interval: a camera sees a truck in many frames. It is bounded: when it
// holds max entries it forgets those older than the interval, and if that is
// not enough, everything.
type Deduper struct {
	Interval time.Duration
	max      int
	mu       sync.Mutex
	seen     map[dedupKey]time.Time
}

type dedupKey struct{ device, plate string }

// NewDeduper returns a Deduper for interval holding at most max entries.
func NewDeduper(interval time.Duration, max int) *Deduper {
	return &Deduper{Interval: interval, max: max, seen: map[dedupKey]time.Time{}}
}

// Seen reports whether device read plate within the interval before at,
// and remembers this read when not.
func (d *Deduper) Seen(device, plate string, at time.Time) bool {
	if d == nil || d.Interval <= 0 {
		return false
	}
	k := dedupKey{device, plate}
	d.mu.Lock()
	defer d.mu.Unlock()
	if last, ok := d.seen[k]; ok && at.Sub(last) < d.Interval && at.Sub(last) > -d.Interval {
		return true
	}
	if len(d.seen) >= d.max {
		for k, t := range d.seen {
			if at.Sub(t) >= d.Interval {
				delete(d.seen, k)
			}
		}
		if len(d.seen) >= d.max {
			clear(d.seen)
		}
	}
	d.seen[k] = at
	return false
}

// Forget drops what the Deduper remembers of device and plate, so that a
// read whose effect did not happen (the write failed) counts when retried.
func (d *Deduper) Forget(device, plate string) {
	if d == nil {
		return
	}
	d.mu.Lock()
	delete(d.seen, dedupKey{device, plate})
	d.mu.Unlock()
}
