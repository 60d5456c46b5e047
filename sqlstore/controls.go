package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/flow"
	"github.com/cuakhau/cuakhau/gatestate"
	"github.com/cuakhau/cuakhau/sched"
)

// Controls returns a gate's controls, defaults filled in.
func (db *DB) Controls(ctx context.Context, gate string) (*cuakhau.GateControls, error) {
	cg, err := db.gateOf(ctx, gate)
	if err != nil {
		return nil, err
	}
	return db.controls(ctx, readQ{db}, cg)
}

func mayControl(p cuakhau.Principal, gate string) error {
	if p.CanChangeControls(gate) {
		return nil
	}
	return cuakhau.Errorf(cuakhau.EFORBIDDEN, "role %s may not change the controls of gate %s", p.Role, gate)
}

// SetControls changes a gate's lanes, control-zone room or policy. The change
// is an event of the gate's log (no trip) whose data is the new controls.
func (db *DB) SetControls(ctx context.Context, p cuakhau.Principal, gate string, u cuakhau.ControlsUpdate) (*cuakhau.GateControls, error) {
	cg, err := db.gateOf(ctx, gate)
	if err != nil {
		return nil, err
	}
	if err := u.Validate(cg.gate, sched.Names()); err != nil {
		return nil, err
	}
	if err := mayControl(p, gate); err != nil {
		return nil, err
	}
	var after func(context.Context, *wtx, *cuakhau.Event, time.Time) error
	if u.Hours != nil {
		after = db.releaseOutsideHours(cg, *u.Hours)
	}
	return db.changeControls(ctx, p, cg, u.Reason, func(c *cuakhau.GateControls) error {
		for code, n := range u.Lanes {
			c.Lanes[code] = n
		}
		if u.Room != nil {
			c.Room = *u.Room
		}
		if u.Policy != nil {
			c.Policy = *u.Policy
		}
		if u.Hours != nil {
			c.Hours = *u.Hours
		}
		return nil
	}, after)
}

// releaseOutsideHours releases, inside a change of gate cg's hours to h,
// every active booking whose window h no longer covers (sched.Covers) and
// has not ended: the trip is declared again (flow.ReleaseBookingOutsideHours)
// and its enterprise and driver are told to book again. The bookings h
// still covers stand, in their windows, and count in the window of the new
// grid that holds their start. A truck already in the yard has used its
// booking and is not touched: it is called in the new hours.
func (db *DB) releaseOutsideHours(cg cachedGate, h cuakhau.Hours) func(context.Context, *wtx, *cuakhau.Event, time.Time) error {
	return func(ctx context.Context, tx *wtx, _ *cuakhau.Event, now time.Time) error {
		c := db.withDefaults(cg, &cuakhau.GateControls{Hours: h})
		cfg := db.windowConfig(cg, c)
		rows, err := tx.query(ctx, `SELECT trip_id, window_start, window_end FROM bookings WHERE gate = ? AND state = 'active' AND window_end > ? ORDER BY window_start, trip_id`,
			cg.gate.Code, formatTime(now))
		if err != nil {
			return fmt.Errorf("bookings of gate %s: %w", cg.gate.Code, err)
		}
		type booking struct {
			id string
			w  sched.Window
		}
		var out []booking
		for rows.Next() {
			var b booking
			var start, end string
			if err := rows.Scan(&b.id, &start, &end); err != nil {
				rows.Close()
				return err
			}
			if b.w.Start, err = parseTime(start); err == nil {
				b.w.End, err = parseTime(end)
			}
			if err != nil {
				rows.Close()
				return fmt.Errorf("booking of trip %s: %w", b.id, err)
			}
			if !sched.Covers(cfg, b.w) {
				out = append(out, b)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, b := range out {
			next, ev, err := db.releaseBooking(ctx, tx, b.id, now, func(t *cuakhau.Trip) (*cuakhau.Trip, *cuakhau.Event, error) {
				return flow.ReleaseBookingOutsideHours(t, b.w, h, now)
			})
			if err != nil {
				return err
			}
			if err := db.notifyEvent(ctx, tx, ev, next, cg.loc); err != nil {
				return err
			}
		}
		return nil
	}
}

// SetOtherSideCapacity records the trucks a day the other side announced it
// takes. When the advisory then comes into force (or rises a level, or
// clears), an advisory event is appended after the controls event and every
// trip of the gate still on its way (declared or booked) is told, in the same
// write (see Advise).
func (db *DB) SetOtherSideCapacity(ctx context.Context, p cuakhau.Principal, gate string, u cuakhau.CapacityUpdate) (*cuakhau.GateControls, error) {
	cg, err := db.gateOf(ctx, gate)
	if err != nil {
		return nil, err
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	if err := mayControl(p, gate); err != nil {
		return nil, err
	}
	n := *u.TrucksPerDay
	return db.changeControls(ctx, p, cg, u.Note, func(c *cuakhau.GateControls) error { c.OtherSidePerDay = &n; return nil },
		db.adviseAfter(cg, p))
}

// WithdrawOtherSideCapacity withdraws the other side's announced capacity:
// the gate clears and calls at its own rate again. The advisory is
// evaluated in the same write, as when it was announced: it ends there if
// the backlog can clear without the other side's limit (and the trips it
// told to hold have come), and later, at the loop's Advise, otherwise.
// ECONFLICT when none is announced.
func (db *DB) WithdrawOtherSideCapacity(ctx context.Context, p cuakhau.Principal, gate string) (*cuakhau.GateControls, error) {
	cg, err := db.gateOf(ctx, gate)
	if err != nil {
		return nil, err
	}
	if err := mayControl(p, gate); err != nil {
		return nil, err
	}
	return db.changeControls(ctx, p, cg, "", func(c *cuakhau.GateControls) error {
		if c.OtherSidePerDay == nil {
			return cuakhau.Errorf(cuakhau.ECONFLICT, "gate %s has no announced capacity of the other side to withdraw", gate)
		}
		c.OtherSidePerDay = nil
		return nil
	}, db.adviseAfter(cg, p))
}

// adviseAfter evaluates gate cg's advisory inside a change of its controls.
func (db *DB) adviseAfter(cg cachedGate, p cuakhau.Principal) func(context.Context, *wtx, *cuakhau.Event, time.Time) error {
	return func(ctx context.Context, tx *wtx, _ *cuakhau.Event, now time.Time) error {
		s, err := db.gateState(ctx, tx, cg, now)
		if err != nil {
			return err
		}
		_, err = db.recordAdvisory(ctx, tx, s, p, "", now)
		return err
	}
}

func (db *DB) changeControls(ctx context.Context, p cuakhau.Principal, cg cachedGate, note string,
	change func(*cuakhau.GateControls) error, after func(context.Context, *wtx, *cuakhau.Event, time.Time) error) (*cuakhau.GateControls, error) {
	now := db.now()
	c, err := writeIdempotent(ctx, db, p, func(ctx context.Context, tx *wtx) (*cuakhau.GateControls, error) {
		c, err := db.controls(ctx, tx, cg)
		if err != nil {
			return nil, err
		}
		if err := change(c); err != nil {
			return nil, err
		}
		c.UpdatedAt = now
		body, err := json.Marshal(c)
		if err != nil {
			return nil, err
		}
		if _, err := tx.exec(ctx, `INSERT INTO gate_controls (gate, body) VALUES (?, ?) ON CONFLICT (gate) DO UPDATE SET body = excluded.body`,
			cg.gate.Code, string(body)); err != nil {
			return nil, fmt.Errorf("store controls: %w", err)
		}
		ev := &cuakhau.Event{Gate: cg.gate.Code, Type: cuakhau.EventControls, Actor: p.Actor(), At: now, Note: note, Data: body}
		if err := db.appendEvent(ctx, tx, ev); err != nil {
			return nil, err
		}
		if after != nil {
			if err := after(ctx, tx, ev, now); err != nil {
				return nil, err
			}
		}
		return c, nil
	})
	if err != nil {
		return nil, fmt.Errorf("controls of gate %s: %w", cg.gate.Code, err)
	}
	return c, nil
}

// PublicWaits is the open feed: per gate and direction served, whether the
// gate works now, the trucks waiting and in the control zone, the lanes open,
// the expected wait of a non-perishable walk-in arriving now (on the gate's
// clock: it counts the hours until calls resume) with the median error of
// the call times told at check-in to the trucks called in the last 24 hours
// (kept by the gate's state, gatestate.State.PredictionError), the
// congestion level and the advisory.
//
// Levels use the gate's thresholds: the national ones scaled by the gate's
// level_scale or its share of yard space (see levelThresholds).
func (db *DB) PublicWaits(ctx context.Context) (*cuakhau.PublicWaits, error) {
	codes, err := db.GateCodes(ctx)
	if err != nil {
		return nil, err
	}
	now := db.now()
	var gates []cachedGate
	for _, code := range codes {
		cg, err := db.gateOf(ctx, code)
		if err != nil {
			return nil, err
		}
		gates = append(gates, cg)
	}
	out := &cuakhau.PublicWaits{At: now, Waits: []cuakhau.PublicWait{}}
	for _, cg := range gates {
		if err := db.withState(ctx, cg, func(st *gatestate.State) error {
			s, err := db.view(cg, st, now)
			if err != nil {
				return err
			}
			out.Waits = db.publicWaits(out.Waits, s)
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// publicWaits appends the feed's lines of s's gate to out.
func (db *DB) publicWaits(out []cuakhau.PublicWait, s *gateState) []cuakhau.PublicWait {
	cg := s.cg
	level := sched.LevelFor(len(s.input.Waiting), cg.thresholds)
	adv := db.advice(s)
	// The wait runs only while the gate calls: at a closed gate, or after
	// the last call, it counts the hours until calls resume.
	now := s.input.Now
	wait := -1
	if w := sched.ExpectedWait(s.policy, s.input, sched.Truck{}); w != sched.WaitUnknown {
		if at := sched.OnClock(now, w, db.calling(cg, s.controls)); !at.IsZero() {
			wait = waitMinutes(at.Sub(now))
		}
	}
	open := sched.OpenAt(db.windowConfig(cg, s.controls), now)
	byDir := map[cuakhau.Direction]int{}
	for _, w := range s.input.Waiting {
		if t := s.st.Trip(w.ID); t != nil {
			byDir[t.Direction]++
		}
	}
	for _, d := range cuakhau.Directions {
		if len(cg.gate.Route(d)) == 0 {
			continue
		}
		pw := cuakhau.PublicWait{Gate: cg.gate.Code, Direction: d, Open: open, Waiting: byDir[d], InZone: s.st.InZone(d),
			LanesOpen: lanesFor(s.controls, cg.gate, d), ExpectedWaitMinutes: wait, Level: string(level)}
		if p50, n := s.st.PredictionError(d, now); n > 0 {
			m := math.Round(p50.Minutes()*10) / 10
			pw.PredictionErrorP50Minutes, pw.PredictionCalls24h = &m, n
		}
		if adv.Active {
			pw.Advisory, pw.AdvisoryEN, pw.AdvisoryZH = adv.Text, adv.TextEN, adv.TextZH
		}
		out = append(out, pw)
	}
	return out
}
