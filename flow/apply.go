package flow

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/ident"
)

// Apply decides whether principal p may record decision d on trip t at gate
// g now. On success it returns the trip's new projection (t itself is not
// modified) and the event to append, whose Seq, PrevHash and Hash are left to
// the store. Errors are *cuakhau.Error: invalid (a field breaks a rule),
// forbidden (p may not act here) or conflict (the trip's state refuses it).
func Apply(g *cuakhau.Gate, t *cuakhau.Trip, p cuakhau.Principal, d cuakhau.Decision, now time.Time) (*cuakhau.Trip, *cuakhau.Event, error) {
	ev := new(cuakhau.Event)
	next, err := apply(g, t, p, d, now, ev)
	if err != nil {
		return nil, nil, err
	}
	return next, ev, nil
}

// Step is Apply for a caller that owns t and keeps no events (the
// simulator): the same checks and the same transition, made on t itself, and
// no event, so nothing is copied or encoded. t after Step is what Apply
// would return; on an error t may be partly changed and must be dropped.
func Step(g *cuakhau.Gate, t *cuakhau.Trip, p cuakhau.Principal, d cuakhau.Decision, now time.Time) error {
	_, err := apply(g, t, p, d, now, nil)
	return err
}

// apply is Apply when ev is set (it is filled, and the transition is made
// on a copy of t), else Step.
func apply(g *cuakhau.Gate, t *cuakhau.Trip, p cuakhau.Principal, d cuakhau.Decision, now time.Time, ev *cuakhau.Event) (*cuakhau.Trip, error) {
	if err := validateDecision(d); err != nil {
		return nil, err
	}
	if p.Role == cuakhau.RoleViewer || p.Role == cuakhau.RoleEnterprise && d.Outcome != cuakhau.OutcomeCancel {
		return nil, cuakhau.Errorf(cuakhau.EFORBIDDEN, "role %s may not record %s", p.Role, d.Outcome)
	}
	if p.Gate != "" && p.Gate != t.Gate {
		return nil, cuakhau.Errorf(cuakhau.EFORBIDDEN, "this token is bound to gate %s; trip %s is at gate %s", p.Gate, t.Code, t.Gate)
	}
	if t.Status.Final() {
		return nil, cuakhau.Errorf(cuakhau.ECONFLICT, "trip %s is %s; it takes no further decisions", t.Code, t.Status)
	}
	now = now.UTC().Truncate(time.Microsecond)
	next := t
	if ev != nil {
		next = clone(t)
		*ev = cuakhau.Event{
			Gate:       t.Gate,
			TripID:     t.ID,
			Type:       cuakhau.EventDecision,
			Checkpoint: d.Checkpoint,
			Outcome:    d.Outcome,
			Channel:    d.Channel,
			Note:       d.Note,
			Device:     d.Device,
			Actor:      p.Actor(),
			At:         now,
		}
	}
	var err error
	switch d.Outcome {
	case cuakhau.OutcomeCancel:
		err = cancel(next, p, d)
	case cuakhau.OutcomeNoShow:
		err = noShow(next, p)
	default:
		err = decide(g, next, p, d, ev, now)
	}
	if err != nil {
		return nil, err
	}
	next.Version++
	next.UpdatedAt = now
	if ev != nil {
		switch d.Outcome {
		case cuakhau.OutcomeCancel:
			ev.Type = cuakhau.EventCancelled
			if next.SoldOff {
				data, err := json.Marshal(CancelledData{SoldOff: true})
				if err != nil {
					return nil, fmt.Errorf("encode cancellation: %w", err)
				}
				ev.Data = data
			}
		case cuakhau.OutcomeNoShow:
			ev.Type = cuakhau.EventNoShow
		}
		ev.Status = next.Status
	}
	return next, nil
}

func validateDecision(d cuakhau.Decision) error {
	f := cuakhau.FieldErrors{}
	switch d.Outcome {
	case "":
		f.Add("outcome", "required")
	case cuakhau.OutcomePass, cuakhau.OutcomeHold, cuakhau.OutcomeRelease, cuakhau.OutcomeReject:
		if d.Checkpoint == "" {
			f.Add("checkpoint", "required")
		}
	case cuakhau.OutcomeCancel, cuakhau.OutcomeNoShow:
		if d.Checkpoint != "" {
			f.Add("checkpoint", fmt.Sprintf("%s acts on the whole trip; leave checkpoint empty", d.Outcome))
		}
	default:
		f.Add("outcome", fmt.Sprintf("unknown outcome %q; one of pass, hold, release, reject, cancel, no_show", d.Outcome))
	}
	switch d.Channel {
	case "", cuakhau.ChannelGreen, cuakhau.ChannelYellow, cuakhau.ChannelRed:
	default:
		f.Add("channel", fmt.Sprintf("unknown channel %q; one of green, yellow, red", d.Channel))
	}
	if d.SoldOff && d.Outcome != cuakhau.OutcomeCancel {
		f.Add("sold_off", "only a cancellation (outcome cancel) can mark a load as sold off")
	}
	f.Note("note", d.Note, false)
	f.Name("device", d.Device, d.Reading != nil)
	if d.Reading != nil {
		f.Range("reading.weight_kg", d.Reading.WeightKg, 0, cuakhau.MaxWeightKg, "kg")
		if d.Reading.Plate != "" {
			if _, err := ident.ParsePlate(d.Reading.Plate); err != nil {
				f.Add("reading.plate", err.Error())
			}
		}
	}
	return f.Err()
}

func cancel(t *cuakhau.Trip, p cuakhau.Principal, d cuakhau.Decision) error {
	if !p.CanCancel(t.Enterprise.TaxCode, t.Gate) {
		return cuakhau.Errorf(cuakhau.EFORBIDDEN, "role %s may not cancel this trip", p.Role)
	}
	if inZone(t) {
		return cuakhau.Errorf(cuakhau.ECONFLICT, "trip %s is in the control zone; a checkpoint must reject it instead", t.Code)
	}
	if p.Role != cuakhau.RoleEnterprise && strings.TrimSpace(d.Note) == "" {
		return cuakhau.Invalid("note", "a reason is required when an officer cancels a trip")
	}
	if d.SoldOff {
		// The figure stands for the loads the wait cost: goods that could
		// wait (no shelf life) and went elsewhere are a change of plan.
		if SpoilsAt(t).IsZero() {
			return cuakhau.Invalid("sold_off", "only a trip with perishable cargo can be marked as sold off")
		}
		t.SoldOff = true
	}
	t.Status = cuakhau.StatusCancelled
	return nil
}

// CancelledData is the payload of a cancelled event that marked its load
// as sold off (Decision.SoldOff); a plain cancellation has none.
type CancelledData struct {
	SoldOff bool `json:"sold_off"`
}

func noShow(t *cuakhau.Trip, p cuakhau.Principal) error {
	if p.Role != cuakhau.RoleOperator && p.Role != cuakhau.RoleAdmin {
		return cuakhau.Errorf(cuakhau.EFORBIDDEN, "role %s may not record a no-show", p.Role)
	}
	if t.Status != cuakhau.StatusDeclared && t.Status != cuakhau.StatusBooked {
		return cuakhau.Errorf(cuakhau.ECONFLICT, "trip %s is %s; only a declared or booked trip can be a no-show", t.Code, t.Status)
	}
	t.Status = cuakhau.StatusNoShow
	return nil
}

func inZone(t *cuakhau.Trip) bool {
	return t.Status == cuakhau.StatusInZone || t.Status == cuakhau.StatusHeld
}

// decide applies a checkpoint outcome. Checkpoints are decided in route order:
// a checkpoint may act only when every earlier mandatory checkpoint that
// applies to the trip has passed and no earlier checkpoint holds it, so a
// hold anywhere, at an optional checkpoint too, stops everything after it.
// The trip's status then follows its checkpoints (see zoneStatus). ev is
// nil for Step, which makes no event.
func decide(g *cuakhau.Gate, t *cuakhau.Trip, p cuakhau.Principal, d cuakhau.Decision, ev *cuakhau.Event, now time.Time) error {
	i := index(t, d.Checkpoint)
	if i < 0 {
		return cuakhau.Invalid("checkpoint", fmt.Sprintf("%q is not on the %s route at %s (%s)", d.Checkpoint, t.Direction, t.Gate, codes(t)))
	}
	cp := &t.Checkpoints[i]
	if t.Status == cuakhau.StatusArrived {
		// Checked in to the waiting area: the queue decides when it enters,
		// so that no one passes the trucks ahead of it. A declared or booked
		// trip may still pass entry directly (a gate that does not run its
		// yard through the queue, a truck waved through by the operator);
		// that entry is an event like any other, visible in the log.
		return cuakhau.Errorf(cuakhau.ECONFLICT, "trip %s is in the waiting area; it enters the control zone when it is called", t.Code)
	}
	if !p.CanDecide(cp.Kind, t.Gate) {
		return cuakhau.Errorf(cuakhau.EFORBIDDEN, "role %s may not decide at checkpoint %s (%s)", p.Role, cp.Code, cp.Kind)
	}
	if d.Channel != "" && cp.Kind != cuakhau.KindCustoms {
		return cuakhau.Invalid("channel", "only customs assigns a channel")
	}
	if cp.State == cuakhau.CheckpointSkipped {
		return cuakhau.Errorf(cuakhau.ECONFLICT, "checkpoint %s does not apply to trip %s", cp.Code, t.Code)
	}
	if err := turn(t, i); err != nil {
		return err
	}
	if d.Reading != nil && d.Reading.Plate != "" {
		pl, _ := ident.ParsePlate(d.Reading.Plate) // validated already
		if pl.Canonical != t.Vehicle.Plate && pl.Canonical != t.Vehicle.TrailerPlate {
			return cuakhau.Errorf(cuakhau.ECONFLICT, "reading.plate %s does not match trip %s's vehicle %s", pl.Canonical, t.Code, t.Vehicle.Plate)
		}
		if ev != nil {
			data, err := json.Marshal(d.Reading)
			if err != nil {
				return fmt.Errorf("encode reading: %w", err)
			}
			ev.Data = data
		}
	}
	needReason := func() error {
		if strings.TrimSpace(d.Note) == "" {
			return cuakhau.Invalid("note", fmt.Sprintf("a reason is required to %s", d.Outcome))
		}
		return nil
	}
	if d.Channel != "" {
		cp.Channel = d.Channel
		t.Channel = d.Channel
	}
	switch d.Outcome {
	case cuakhau.OutcomePass:
		if cp.State == cuakhau.CheckpointPassed {
			return cuakhau.Errorf(cuakhau.ECONFLICT, "checkpoint %s already passed trip %s", cp.Code, t.Code)
		}
		if cp.Kind == cuakhau.KindCustoms && t.Channel == "" {
			return cuakhau.Invalid("channel", "required on the first customs decision (green, yellow or red)")
		}
		cp.State = cuakhau.CheckpointPassed
	case cuakhau.OutcomeHold:
		if cp.State != cuakhau.CheckpointPending {
			return cuakhau.Errorf(cuakhau.ECONFLICT, "checkpoint %s is %s for trip %s; only a pending checkpoint can hold", cp.Code, cp.State, t.Code)
		}
		if err := needReason(); err != nil {
			return err
		}
		cp.State = cuakhau.CheckpointHeld
	case cuakhau.OutcomeRelease:
		if cp.State != cuakhau.CheckpointHeld {
			return cuakhau.Errorf(cuakhau.ECONFLICT, "checkpoint %s does not hold trip %s", cp.Code, t.Code)
		}
		cp.State = cuakhau.CheckpointPending
	case cuakhau.OutcomeReject:
		if cp.State == cuakhau.CheckpointPassed {
			return cuakhau.Errorf(cuakhau.ECONFLICT, "checkpoint %s already passed trip %s", cp.Code, t.Code)
		}
		if err := needReason(); err != nil {
			return err
		}
		cp.State = cuakhau.CheckpointRejected
	}
	at := now
	cp.At = &at
	t.Status = zoneStatus(t)
	if t.Status == cuakhau.StatusCrossed {
		crossed := now
		t.CrossedAt = &crossed
	}
	return nil
}

// turn reports whether it is the turn of checkpoint i of t to decide:
// every earlier mandatory checkpoint that applies has passed and no earlier
// checkpoint holds the trip. It is a conflict error saying which one stands
// in the way otherwise.
func turn(t *cuakhau.Trip, i int) error {
	cp := &t.Checkpoints[i]
	for _, before := range t.Checkpoints[:i] {
		switch {
		case before.State == cuakhau.CheckpointHeld:
			return cuakhau.Errorf(cuakhau.ECONFLICT, "checkpoint %s holds trip %s; %s cannot decide until it is released", before.Code, t.Code, cp.Code)
		case before.State == cuakhau.CheckpointPending && before.Mandatory:
			return cuakhau.Errorf(cuakhau.ECONFLICT, "checkpoint %s must pass trip %s before %s", before.Code, t.Code, cp.Code)
		}
	}
	return nil
}

// Awaiting is the checkpoint of kind k at which trip t waits for a
// decision, nil when none: the trip is in the control zone, the checkpoint
// applies to it and is pending or holds it, and it is that checkpoint's turn
// (the order Apply enforces). A checkpoint's worklist is the trips awaiting
// it.
func Awaiting(t *cuakhau.Trip, k cuakhau.CheckpointKind) *cuakhau.CheckpointState {
	if !inZone(t) {
		return nil
	}
	for i := range t.Checkpoints {
		cp := &t.Checkpoints[i]
		if cp.Kind != k || (cp.State != cuakhau.CheckpointPending && cp.State != cuakhau.CheckpointHeld) {
			continue
		}
		if turn(t, i) == nil {
			return cp
		}
	}
	return nil
}

// zoneStatus is the status of a trip that a checkpoint has decided on, as
// its checkpoints give it: rejected when one rejected it, else held while one
// holds it (an optional checkpoint passing it meanwhile changes nothing),
// else crossed once every mandatory checkpoint that applies has passed, else
// in the zone. This is the invariant of the package doc, in one place.
func zoneStatus(t *cuakhau.Trip) cuakhau.Status {
	held, left := false, false
	for _, c := range t.Checkpoints {
		switch c.State {
		case cuakhau.CheckpointRejected:
			return cuakhau.StatusRejected
		case cuakhau.CheckpointHeld:
			held = true
		case cuakhau.CheckpointPassed, cuakhau.CheckpointSkipped:
		default:
			left = left || c.Mandatory
		}
	}
	switch {
	case held:
		return cuakhau.StatusHeld
	case left:
		return cuakhau.StatusInZone
	}
	return cuakhau.StatusCrossed
}

func index(t *cuakhau.Trip, code string) int {
	for i, c := range t.Checkpoints {
		if c.Code == code {
			return i
		}
	}
	return -1
}

func codes(t *cuakhau.Trip) string {
	s := make([]string, len(t.Checkpoints))
	for i, c := range t.Checkpoints {
		s[i] = c.Code
	}
	return strings.Join(s, ", ")
}

// clone copies t deeply enough that changing the copy's status and
// checkpoints leaves t as it was.
func clone(t *cuakhau.Trip) *cuakhau.Trip {
	if len(t.Checkpoints) <= inlineCheckpoints {
		// One allocation for the trip and its checkpoints: a trip is
		// cloned at every transition (the simulator makes millions).
		c := &tripAndCheckpoints{trip: *t}
		n := copy(c.checkpoints[:], t.Checkpoints)
		c.trip.Checkpoints = c.checkpoints[:n:n]
		return &c.trip
	}
	c := *t
	c.Checkpoints = append([]cuakhau.CheckpointState(nil), t.Checkpoints...)
	return &c
}

// inlineCheckpoints is the longest route cloned in one allocation; the
// catalogue's longest has nine checkpoints.
const inlineCheckpoints = 10

type tripAndCheckpoints struct {
	trip        cuakhau.Trip
	checkpoints [inlineCheckpoints]cuakhau.CheckpointState
}
