package traffic

import (
	"context"
	"fmt"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/device"
	"github.com/cuakhau/cuakhau/flow"
)

type actionKind int

const (
	actArrivalStream actionKind = iota // a new truck of a volume, then the next one
	actStep                            // a truck's next lifecycle step
)

type action struct {
	at     time.Time
	kind   actionKind
	volume Volume
	truck  *truck
}

// actions is a min-heap of actions by time.
type actions []*action

func (q actions) Len() int           { return len(q) }
func (q actions) Less(i, j int) bool { return q[i].at.Before(q[j].at) }
func (q actions) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *actions) Push(x any)        { *q = append(*q, x.(*action)) }
func (q *actions) Pop() any {
	old := *q
	a := old[len(old)-1]
	*q = old[:len(old)-1]
	return a
}

// truck is what the generator remembers of a trip it drives.
type truck struct {
	id, gate   string
	direction  cuakhau.Direction
	taxCode    string
	plate      string
	channel    cuakhau.Channel
	perishable bool
	weigh      bool // visits the optional weighbridge
	held       bool // customs has held it for a red-channel inspection
}

// Mean service minutes per checkpoint: plate read, weighing, a medical
// look, document checks, plant quarantine sampling, passport control,
// transshipment between Vietnamese and Chinese trucks, paying the fee and the
// barrier. Assumptions for the demo; the simulator calibrates its own.
var serviceMinutes = map[string]float64{
	"entry": 2, "weighbridge": 4, "medical": 5, "quarantine": 25,
	"border_guard": 6, "transshipment": 70, "fee": 3, "exit": 3,
}

func (g *Generator) serviceTime(tr *truck, checkpoint string) time.Duration {
	if checkpoint == "customs" {
		switch tr.channel {
		case cuakhau.ChannelGreen:
			return g.minutes(8)
		case cuakhau.ChannelYellow:
			return g.minutes(35)
		default:
			if tr.held {
				return g.minutes(180) // physical inspection
			}
			return g.minutes(20)
		}
	}
	if m, ok := serviceMinutes[checkpoint]; ok {
		return g.minutes(m)
	}
	return g.minutes(5)
}

func officer(role cuakhau.Role) cuakhau.Principal {
	return cuakhau.Principal{TokenID: "demo", Name: "demo traffic", Role: role}
}

// newTruck declares a trip that will arrive within the hour or so.
func (g *Generator) newTruck(ctx context.Context, v Volume, now time.Time) {
	d := g.declaration(v)
	// Declared shortly before arrival, so that a demo shows trucks arriving
	// within its first minute at 60×.
	// From the clock, not from now (when the arrival was due): a
	// generator that has fallen behind on a busy machine still declares
	// arrivals ahead of the store's time, never in its past.
	lead := 10*time.Minute + g.minutes(40)
	if c := g.cfg.Clock.Now(); c.After(now) {
		now = c
	}
	arrive := now.Add(lead)
	d.PlannedArrival = &arrive
	p := cuakhau.Principal{TokenID: "demo", Name: d.Enterprise.Name, Role: cuakhau.RoleEnterprise, TaxCode: d.Enterprise.TaxCode}
	trip, err := g.cfg.Trips.DeclareTrip(ctx, p, d)
	tr := &truck{gate: v.Gate, direction: v.Direction, taxCode: d.Enterprise.TaxCode,
		channel: g.channel(), perishable: d.Cargo[0].Perishable, weigh: g.rng.Float64() < 0.5}
	if err != nil {
		g.fail(ctx, "declare", tr, err)
		return
	}
	tr.id, tr.plate = trip.ID, trip.Vehicle.Plate
	g.count(func(s *Stats) { s.Declared++ })
	if g.cfg.Queue != nil && g.rng.Float64() < 0.4 {
		// Book the window after the planned arrival; a closed or full
		// window is simply not booked, as a company would then walk in.
		start := arrive.Truncate(time.Hour).Add(time.Hour)
		if _, err := g.cfg.Queue.Book(ctx, p, trip.ID, start); err == nil {
			g.count(func(s *Stats) { s.Booked++ })
		}
	}
	g.schedule(&action{at: g.inHours(g.gates[v.Gate], arrive), kind: actStep, truck: tr})
}

// resumed rebuilds what the generator remembers of a truck from its trip,
// as a restarted demo finds it. A truck whose customs checkpoint holds it is
// under inspection: the next customs decision releases it with a pass, not a
// second hold (which the trip's state refuses). A truck still before its first
// checkpoint draws whether it will weigh, as a new one does; one already past
// it goes on without the weighbridge.
func (g *Generator) resumed(t *cuakhau.Trip) *truck {
	tr := &truck{id: t.ID, gate: t.Gate, direction: t.Direction, taxCode: t.Enterprise.TaxCode,
		plate: t.Vehicle.Plate, channel: t.Channel, perishable: len(t.Cargo) > 0 && t.Cargo[0].Perishable}
	if tr.channel == "" {
		tr.channel = g.channel()
	}
	started := false
	for _, c := range t.Checkpoints {
		if c.Kind == cuakhau.KindCustoms && c.State == cuakhau.CheckpointHeld {
			tr.held = true
		}
		if c.State != cuakhau.CheckpointPending && c.State != cuakhau.CheckpointSkipped {
			started = true
		}
	}
	tr.weigh = !started && g.rng.Float64() < 0.5
	return tr
}

// resumeAt is when a resumed truck takes its next step: a truck still on its
// way arrives when it planned to (or soon, when that has passed), a truck in
// the waiting area looks for its call as it always does, a called truck
// drives to entry, and a truck in the zone finishes the checkpoint it is at,
// its service counted from the zone's last decision on it, as it would have
// been without the stop (at once, when that time has passed).
func (g *Generator) resumeAt(tr *truck, t *cuakhau.Trip, now time.Time) time.Time {
	switch t.Status {
	case cuakhau.StatusDeclared, cuakhau.StatusBooked:
		if t.PlannedArrival != nil && t.PlannedArrival.After(now) {
			return *t.PlannedArrival
		}
		return now.Add(g.minutes(5))
	case cuakhau.StatusArrived:
		return now.Add(2 * time.Minute)
	}
	cp := g.next(tr, t)
	if cp == nil || cp.Code == "entry" {
		return now.Add(g.minutes(5))
	}
	var last time.Time
	for _, c := range t.Checkpoints {
		if c.At != nil && c.At.After(last) {
			last = *c.At
		}
	}
	if at := last.Add(g.serviceTime(tr, cp.Code)); at.After(now) {
		return at
	}
	return now
}

// Selling a load off at the border: a perishable truck that has waited
// past its shelf life always does; one that has waited longer than
// sellOffWait gives up at each look with the chance sellOffChance (about
// 7 % an hour of waiting beyond it), as fruit was sold off at the gate in
// December 2021 when trucks waited for days.
const (
	sellOffWait   = time.Hour
	sellOffChance = 0.0025 // per look, every 2 minutes of gate time
)

// sellsOff reports whether trip t, waiting in the yard since its arrival
// (its last event), is sold off at now.
func (g *Generator) sellsOff(t *cuakhau.Trip, now time.Time) bool {
	spoils := flow.SpoilsAt(t)
	switch {
	case spoils.IsZero():
		return false
	case now.After(spoils):
		return true
	}
	return now.Sub(t.UpdatedAt) > sellOffWait && g.rng.Float64() < sellOffChance
}

// step records the truck's next decision and schedules the one after.
func (g *Generator) step(ctx context.Context, tr *truck, now time.Time) {
	admin := officer(cuakhau.RoleAdmin)
	trip, err := g.cfg.Trips.Trip(ctx, admin, tr.id)
	if err != nil {
		g.fail(ctx, "read trip", tr, err)
		return
	}
	if trip.Status.Final() {
		return
	}
	if trip.Status == cuakhau.StatusDeclared {
		switch x := g.rng.Float64(); {
		case x < 0.01:
			g.record(ctx, tr, cuakhau.Principal{TokenID: "demo", Role: cuakhau.RoleEnterprise, TaxCode: tr.taxCode},
				cuakhau.Decision{Outcome: cuakhau.OutcomeCancel, Note: "Đổi kế hoạch giao hàng"})
			g.count(func(s *Stats) { s.Cancelled++ })
			return
		case x < 0.02:
			g.record(ctx, tr, officer(cuakhau.RoleOperator), cuakhau.Decision{Outcome: cuakhau.OutcomeNoShow, Note: "Không đến trong ngày"})
			g.count(func(s *Stats) { s.NoShows++ })
			return
		}
	}
	if q := g.cfg.Queue; q != nil {
		switch trip.Status {
		case cuakhau.StatusDeclared, cuakhau.StatusBooked:
			if g.sight(ctx, tr, device.PositionYardIn, device.EffectArrive) {
				g.count(func(s *Stats) { s.Arrived++ })
				g.schedule(&action{at: g.inHours(g.gates[tr.gate], now.Add(2*time.Minute)), kind: actStep, truck: tr})
				return
			}
			if _, err := q.Arrive(ctx, officer(cuakhau.RoleOperator), tr.id); err != nil {
				// Late for its booked window, the truck may have been
				// marked a no-show meanwhile: what happens to a truck that
				// misses its window, not a failure of the traffic.
				if t, rerr := g.cfg.Trips.Trip(ctx, admin, tr.id); rerr == nil && t.Status == cuakhau.StatusNoShow {
					g.count(func(s *Stats) { s.NoShows++ })
					return
				}
				g.fail(ctx, "arrival", tr, err)
				return
			}
			g.count(func(s *Stats) { s.Arrived++ })
			fallthrough
		case cuakhau.StatusArrived:
			if trip.Status == cuakhau.StatusArrived && g.sellsOff(trip, now) {
				g.record(ctx, tr, cuakhau.Principal{TokenID: "demo", Role: cuakhau.RoleEnterprise, TaxCode: tr.taxCode},
					cuakhau.Decision{Outcome: cuakhau.OutcomeCancel, Note: "Bán tháo tại cửa khẩu: hàng không chờ được nữa", SoldOff: true})
				g.count(func(s *Stats) { s.Cancelled++; s.SoldOff++ })
				return
			}
			// In the waiting area until the server calls it forward.
			g.schedule(&action{at: g.inHours(g.gates[tr.gate], now.Add(2*time.Minute)), kind: actStep, truck: tr})
			return
		}
	}
	cp := g.next(tr, trip)
	if cp == nil {
		return
	}
	d := cuakhau.Decision{Checkpoint: cp.Code, Outcome: cuakhau.OutcomePass}
	switch cp.Code {
	case "entry":
		d.Device, d.Reading = "anpr-"+tr.gate+"-1", &cuakhau.Reading{Plate: tr.plate}
	case "weighbridge":
		d.Device = "weighbridge-" + tr.gate + "-1"
		d.Reading = &cuakhau.Reading{Plate: tr.plate, WeightKg: 15000 + int64(g.rng.IntN(20000))}
	case "customs":
		if trip.Channel == "" {
			d.Channel = tr.channel
		}
		if tr.channel == cuakhau.ChannelRed && !tr.held {
			d.Outcome, d.Note = cuakhau.OutcomeHold, "Luồng đỏ: kiểm tra thực tế hàng hóa"
			tr.held = true
		}
	case "quarantine":
		if g.rng.Float64() < 0.005 {
			d.Outcome, d.Note = cuakhau.OutcomeReject, "Phát hiện sinh vật gây hại"
		}
	}
	var res *cuakhau.DecisionResult
	if pos, ok := cameraAt[cp.Code]; ok && g.sight(ctx, tr, pos, device.EffectDecide) {
		t, err := g.cfg.Trips.Trip(ctx, admin, tr.id)
		if err != nil {
			g.fail(ctx, "read after "+string(pos), tr, err)
			return
		}
		g.count(func(s *Stats) { s.Decisions++ })
		res = &cuakhau.DecisionResult{Trip: t}
	} else if res = g.record(ctx, tr, officer(cp.Kind.Role()), d); res == nil {
		return
	}
	switch res.Trip.Status {
	case cuakhau.StatusCrossed:
		g.count(func(s *Stats) { s.Crossed++ })
		return
	case cuakhau.StatusRejected:
		g.count(func(s *Stats) { s.Rejected++ })
		return
	}
	after := cp.Code
	if d.Outcome == cuakhau.OutcomePass {
		if n := g.next(tr, res.Trip); n != nil {
			after = n.Code
		}
	}
	at := now.Add(g.serviceTime(tr, after))
	g.schedule(&action{at: g.inHours(g.gates[tr.gate], at), kind: actStep, truck: tr})
}

// next returns the first checkpoint still to decide, passing over the
// optional weighbridge for trucks that do not use it.
func (g *Generator) next(tr *truck, t *cuakhau.Trip) *cuakhau.CheckpointState {
	for i := range t.Checkpoints {
		c := &t.Checkpoints[i]
		if !c.Mandatory && !tr.weigh {
			continue
		}
		if c.State == cuakhau.CheckpointPending || c.State == cuakhau.CheckpointHeld {
			return c
		}
	}
	return nil
}

func (g *Generator) record(ctx context.Context, tr *truck, p cuakhau.Principal, d cuakhau.Decision) *cuakhau.DecisionResult {
	res, err := g.cfg.Trips.Decide(ctx, p, tr.id, d)
	if err != nil {
		g.fail(ctx, fmt.Sprintf("%s %s", d.Checkpoint, d.Outcome), tr, err)
		return nil
	}
	g.count(func(s *Stats) { s.Decisions++ })
	return res
}

// cameraAt is the camera position that decides a checkpoint.
var cameraAt = map[string]device.Position{"entry": device.PositionZoneIn, "exit": device.PositionGateOut}

// sight has the gate's camera at pos read the truck when Devices is set,
// and reports whether the reading had effect want; otherwise (no cameras,
// a misread, an alert) the step is left to the operator.
func (g *Generator) sight(ctx context.Context, tr *truck, pos device.Position, want device.Effect) bool {
	if g.cfg.Devices == nil {
		return false
	}
	eff, err := g.cfg.Devices(ctx, tr.gate, pos, tr.plate)
	if err != nil {
		g.cfg.Logger.Warn("demo camera", "gate", tr.gate, "position", pos, "plate", tr.plate, "err", err)
		return false
	}
	return eff == want
}
