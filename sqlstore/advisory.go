package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/flow"
	"github.com/cuakhau/cuakhau/gatestate"
	"github.com/cuakhau/cuakhau/notice"
	"github.com/cuakhau/cuakhau/sched"
)

// advisoryChanged reports whether adv must be logged after last (nil: no
// advisory event yet), by sched.AdvisoryChanged.
func advisoryChanged(last *cuakhau.AdvisoryRecord, adv sched.Advice) bool {
	if last == nil {
		return sched.AdvisoryChanged(false, false, "", adv)
	}
	return sched.AdvisoryChanged(true, last.Active, sched.Level(last.Level), adv)
}

// advisoryData is an advisory event's data (gatestate.AdvisoryData): the
// record, and the trips the event told to hold at origin — those on their
// way without a booking when it came into force, or perishables whose own
// shelf life would not last their wait (ShelfLifeHold,
// sched.HoldForShelfLife). A booked trip keeps its window and is not told to
// hold unless its load would spoil.
type advisoryData = gatestate.AdvisoryData

// Advise evaluates the gate's inflow advisory and, when it came into force,
// rose a level or cleared since the gate's last advisory event, appends a
// new advisory event and — while it is in force — writes a notice to every
// trip of the gate still on its way (declared or booked), in the same
// write. The notices' ids name the event (gate, seq, kind, trip), so the
// same episode is never told twice: a later evaluation that finds nothing
// changed writes nothing. The call-forward loop calls it every round.
func (db *DB) Advise(ctx context.Context, gate string) (bool, error) {
	cg, err := db.gateOf(ctx, gate)
	if err != nil {
		return false, err
	}
	now := db.now()
	// A cheap look first, so that an unchanged advisory costs no write.
	changed := false
	if err := db.withState(ctx, cg, func(st *gatestate.State) error {
		s, err := db.view(cg, st, now)
		if err == nil {
			changed = advisoryChanged(st.Advisory(), db.advice(s))
		}
		return err
	}); err != nil {
		return false, err
	}
	if db.holdsDue(cg.gate.Code, now) && !changed {
		s, err := db.gateState(ctx, readQ{db}, cg, now)
		if err != nil {
			return false, err
		}
		holds, err := db.shelfLifeHolds(ctx, readQ{db}, s, now)
		if err != nil {
			return false, err
		}
		changed = len(holds) > 0
	}
	if !changed {
		return false, nil
	}
	wrote := false
	err = db.update(ctx, func(ctx context.Context, tx *wtx) error {
		if err := db.lockGate(ctx, tx, cg.gate.Code); err != nil {
			return err
		}
		s, err := db.gateState(ctx, tx, cg, now)
		if err != nil {
			return err
		}
		if wrote, err = db.recordAdvisory(ctx, tx, s, system, "", now); err != nil {
			return err
		}
		if wrote {
			// Those it told to hold are no longer to be told apart.
			if s, err = db.gateState(ctx, tx, cg, now); err != nil {
				return err
			}
		}
		holds, err := db.shelfLifeHolds(ctx, tx, s, now)
		if err != nil || len(holds) == 0 {
			return err
		}
		wrote = true
		return db.recordShelfLifeHolds(ctx, tx, s, holds, now)
	})
	if err != nil {
		return false, fmt.Errorf("advisory of gate %s: %w", cg.gate.Code, err)
	}
	return wrote, nil
}

// recordAdvisory appends an advisory event when s's advice differs from the
// last one logged (read inside tx) and tells the trips still on their way
// when it is in force. It reports whether it appended one.
func (db *DB) recordAdvisory(ctx context.Context, tx *wtx, s *gateState, p cuakhau.Principal, note string, now time.Time) (bool, error) {
	gate := s.cg.gate.Code
	adv := db.advice(s)
	if !advisoryChanged(s.st.Advisory(), adv) {
		return false, nil
	}
	rec := advisoryData{AdvisoryRecord: cuakhau.AdvisoryRecord{Active: adv.Active, Level: string(adv.Level), Waiting: len(s.input.Waiting),
		MaxBookingsPerDay: adv.MaxBookingsPerDay, StopBookings: adv.StopBookings, Reason: adv.Reason,
		Text: adv.Text, TextEN: adv.TextEN, TextZH: adv.TextZH}}
	var trips []*cuakhau.Trip
	if adv.Active {
		var err error
		if trips, err = db.tripsOnTheirWay(ctx, tx, gate); err != nil {
			return false, err
		}
		rec.Notified = len(trips)
		// Those without a booking are told to hold; a booked trip keeps its
		// window.
		for _, t := range trips {
			if t.Status == cuakhau.StatusDeclared {
				rec.Told = append(rec.Told, t.ID)
			}
		}
	}
	body, err := json.Marshal(rec)
	if err != nil {
		return false, err
	}
	if note == "" {
		if adv.Active {
			note = "advisory in force: " + adv.Reason
		} else {
			note = "advisory cleared"
		}
	}
	ev := &cuakhau.Event{Gate: gate, Type: cuakhau.EventAdvisory, Actor: p.Actor(), At: now.UTC().Truncate(time.Microsecond), Note: note, Data: body}
	if err := db.appendEvent(ctx, tx, ev); err != nil {
		return false, err
	}
	for _, t := range trips {
		if err := db.notify(ctx, tx, ev, t, notice.AdvisoryOf(rec.AdvisoryRecord)); err != nil {
			return false, err
		}
	}
	return true, nil
}

// onTheirWay reports whether a trip of status s is still on its way to its
// gate (tripsOnTheirWay's statuses): an advisory tells it.
func onTheirWay(s cuakhau.Status) bool {
	return s == cuakhau.StatusDeclared || s == cuakhau.StatusBooked
}

// tripsOnTheirWay are the gate's trips declared or booked, not yet arrived.
func (db *DB) tripsOnTheirWay(ctx context.Context, tx *wtx, gate string) ([]*cuakhau.Trip, error) {
	rows, err := tx.query(ctx, `SELECT body FROM trips WHERE gate = ? AND status IN ('declared', 'booked') ORDER BY declared_at, id`, gate)
	if err != nil {
		return nil, fmt.Errorf("trips on their way: %w", err)
	}
	defer rows.Close()
	var trips []*cuakhau.Trip
	for rows.Next() {
		var body storedJSON
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		t := new(cuakhau.Trip)
		if err := json.Unmarshal(body.doc, t); err != nil {
			return nil, err
		}
		trips = append(trips, t)
	}
	return trips, rows.Err()
}

// shelfLifeHold is a perishable trip on its way whose own shelf life would
// not last the wait the gate's policy predicts for it plus the crossing.
type shelfLifeHold struct {
	trip *cuakhau.Trip
	need time.Duration
	// release is the booking the trip gives up with the hold
	// (sched.Hold.Release); nil when it holds none.
	release *sched.Window
}

// holdsEvery is how often, in gate time, Advise looks for perishable trips
// to hold at origin: it reads every trip of the gate still on its way
// (thousands at a busy gate, days ahead), while shelf lives are counted in
// days and the call-forward loop runs every few seconds.
const holdsEvery = 5 * time.Minute

// holdsDue reports whether gate's trips on their way are due for the
// shelf-life check at now, and if so counts it as done.
func (db *DB) holdsDue(gate string, now time.Time) bool {
	db.holdChecksMu.Lock()
	defer db.holdChecksMu.Unlock()
	if last, ok := db.holdChecks[gate]; ok && now.Sub(last) < holdsEvery && !now.Before(last) {
		return false
	}
	if db.holdChecks == nil {
		db.holdChecks = map[string]time.Time{}
	}
	db.holdChecks[gate] = now
	return true
}

// shelfLifeHolds asks sched.ShelfLifeHold of each perishable trip of s's
// gate still on its way and not yet told to hold, as it would check in now
// (flow.Arrival): a trip without a booking, or too late to keep it, as a
// live truck; a booked one with its window, if the window starts by
// sched.ShelfLifeJudgedUntil (a later window is judged nearer the time).
// It is the question the simulator asks of each perishable about to check
// in.
func (db *DB) shelfLifeHolds(ctx context.Context, q querier, s *gateState, now time.Time) ([]shelfLifeHold, error) {
	gate := s.cg.gate.Code
	rows, err := q.query(ctx, `SELECT body FROM trips WHERE gate = ? AND status IN ('declared', 'booked') ORDER BY declared_at, id`, gate)
	if err != nil {
		return nil, fmt.Errorf("trips on their way: %w", err)
	}
	var trips []*cuakhau.Trip
	for rows.Next() {
		var body storedJSON
		if err := rows.Scan(&body); err != nil {
			rows.Close()
			return nil, err
		}
		t := new(cuakhau.Trip)
		if err := json.Unmarshal(body.doc, t); err != nil {
			rows.Close()
			return nil, err
		}
		if !s.told[t.ID] && !flow.SpoilsAt(t).IsZero() {
			trips = append(trips, t)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(trips) == 0 {
		return nil, err
	}
	tol := db.queueCfg.Sched.Tolerance
	soon := map[string]sched.Window{}
	wrows, err := q.query(ctx, `SELECT trip_id, window_start, window_end FROM bookings WHERE gate = ? AND state = 'active' AND window_start <= ?`,
		gate, formatTime(sched.ShelfLifeJudgedUntil(now, tol)))
	if err != nil {
		return nil, fmt.Errorf("bookings due at %s: %w", gate, err)
	}
	for wrows.Next() {
		var id, ws, we string
		if err := wrows.Scan(&id, &ws, &we); err != nil {
			wrows.Close()
			return nil, err
		}
		var w sched.Window
		if w.Start, err = parseTime(ws); err == nil {
			w.End, err = parseTime(we)
		}
		if err != nil {
			wrows.Close()
			return nil, err
		}
		soon[id] = w
	}
	wrows.Close()
	if err := wrows.Err(); err != nil {
		return nil, err
	}
	var out []shelfLifeHold
	for _, t := range trips {
		truck := sched.Truck{ID: t.ID, Priority: t.Priority, SpoilsAt: flow.SpoilsAt(t)}
		var booking *sched.Window
		if t.Status == cuakhau.StatusBooked {
			w, ok := soon[t.ID]
			if !ok {
				continue
			}
			booking = &w
			if a := flow.Arrival(t, &w, tol, now); a.Booked {
				truck.Booked, truck.WindowStart, truck.WindowEnd = true, w.Start, w.End
			}
		}
		if h := sched.HoldOnTheWay(s.policy, s.input, truck, booking != nil, tol); h.Hold {
			hold := shelfLifeHold{trip: t, need: h.Need}
			if h.Release {
				hold.release = booking
			}
			out = append(out, hold)
		}
	}
	return out, nil
}

// recordShelfLifeHolds appends an advisory event that tells holds' trips to
// hold at origin — the gate's advice as it stands, with the trips in Told —
// and writes each its notice, in the same write; a held trip with a booking
// releases it there too (sched.Hold.Release): a booking_released event, the
// trip declared again, its bookings row ended as released, which is neither
// used nor a no-show. A trip is told once: it is then among the episode's
// told trips (gateState.told), counted as held until it comes.
func (db *DB) recordShelfLifeHolds(ctx context.Context, tx *wtx, s *gateState, holds []shelfLifeHold, now time.Time) error {
	adv := db.advice(s)
	rec := advisoryData{AdvisoryRecord: cuakhau.AdvisoryRecord{Active: adv.Active, Level: string(adv.Level), Waiting: len(s.input.Waiting),
		MaxBookingsPerDay: adv.MaxBookingsPerDay, StopBookings: adv.StopBookings, Reason: adv.Reason,
		Text: adv.Text, TextEN: adv.TextEN, TextZH: adv.TextZH, Notified: len(holds)}, ShelfLifeHold: true}
	rec.Needs = map[string]time.Duration{}
	for _, h := range holds {
		rec.Told = append(rec.Told, h.trip.ID)
		rec.Needs[h.trip.ID] = h.need
	}
	body, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	ev := &cuakhau.Event{Gate: s.cg.gate.Code, Type: cuakhau.EventAdvisory, Actor: system.Actor(), At: now.UTC().Truncate(time.Microsecond),
		Note: fmt.Sprintf("%d perishable trips told to hold at origin: their shelf life would not last the wait", len(holds)), Data: body}
	if err := db.appendEvent(ctx, tx, ev); err != nil {
		return err
	}
	for _, h := range holds {
		var released time.Time
		if h.release != nil {
			w := *h.release
			if _, _, err := db.releaseBooking(ctx, tx, h.trip.ID, now, func(t *cuakhau.Trip) (*cuakhau.Trip, *cuakhau.Event, error) {
				return flow.ReleaseBooking(t, w, now)
			}); err != nil {
				return err
			}
			released = h.release.Start
		}
		if err := db.notify(ctx, tx, ev, h.trip, notice.ShelfLifeHoldOf(h.trip, flow.SpoilsAt(h.trip), h.need, released, s.cg.loc)); err != nil {
			return err
		}
	}
	return nil
}

// releaseBooking gives up trip id's booking inside tx through release (a
// flow transition: flow.ReleaseBooking, flow.ReleaseBookingOutsideHours):
// the event, the trip declared again, and its bookings row ended as
// released. It returns the trip after it and the event.
func (db *DB) releaseBooking(ctx context.Context, tx *wtx, id string, now time.Time,
	release func(*cuakhau.Trip) (*cuakhau.Trip, *cuakhau.Event, error)) (*cuakhau.Trip, *cuakhau.Event, error) {
	t, err := db.lockTrip(ctx, tx, id)
	if err != nil {
		return nil, nil, err
	}
	next, ev, err := release(t)
	if err != nil {
		return nil, nil, err
	}
	if err := db.commitTrip(ctx, tx, t, next, ev); err != nil {
		return nil, nil, err
	}
	if _, err := tx.exec(ctx, `UPDATE bookings SET state = 'released', ended_at = ? WHERE trip_id = ? AND state = 'active'`, formatTime(now), id); err != nil {
		return nil, nil, fmt.Errorf("release booking: %w", err)
	}
	return next, ev, nil
}
