package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/flow"
	"github.com/cuakhau/cuakhau/gatestate"
	"github.com/cuakhau/cuakhau/sched"
)

// The electronic queue: windows and bookings, the waiting area and
// call-forward. As for decisions, the state machine is flow's; this file
// reads what flow needs, and every change — the trip's event, its
// projection, the booking or waiting row and the messages it causes — is
// one write of the group-commit writer, so they commit together.

// system is the principal of the server's own actions (call-forward loop,
// no-show sweep).
var system = cuakhau.Principal{Role: cuakhau.RoleSystem}

// gateOf returns the cached gate or ENOTFOUND.
func (db *DB) gateOf(ctx context.Context, code string) (cachedGate, error) {
	cg, ok, err := db.cachedGate(ctx, code)
	if err != nil {
		return cachedGate{}, err
	}
	if !ok {
		return cachedGate{}, cuakhau.Errorf(cuakhau.ENOTFOUND, "gate %q not found", code)
	}
	return cg, nil
}

// GateCodes lists the catalogue's gate codes.
func (db *DB) GateCodes(ctx context.Context) ([]string, error) {
	if err := db.loadGates(ctx); err != nil {
		return nil, err
	}
	db.gates.mu.RLock()
	defer db.gates.mu.RUnlock()
	return append([]string(nil), db.gates.order...), nil
}

// windowCounts returns the active bookings per window start (as stored,
// formatTime's fixed width, so in time order as text) of a gate and
// direction with starts in [from, to).
func (db *DB) windowCounts(ctx context.Context, q querier, gate string, d cuakhau.Direction, from, to time.Time) (map[string]int, error) {
	rows, err := q.query(ctx, `SELECT window_start, count(*) FROM bookings WHERE gate = ? AND direction = ? AND state = 'active' AND window_start >= ? AND window_start < ? GROUP BY window_start`,
		gate, string(d), formatTime(from), formatTime(to))
	if err != nil {
		return nil, fmt.Errorf("count bookings: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}

// windowsOf lists the windows of the local day of day with their counts.
// A window that cannot be booked at now — started, on a past day, beyond the
// horizon (sched.CheckWindow) — shows 0 available whatever its capacity.
func (db *DB) windowsOf(ctx context.Context, q querier, s *gateState, d cuakhau.Direction, day, now time.Time, noShow float64) ([]*cuakhau.Window, error) {
	cfg := db.windowConfig(s.cg, s.controls)
	ws := sched.Windows(day, cfg)
	if len(ws) == 0 {
		return []*cuakhau.Window{}, nil
	}
	counts, err := db.windowCounts(ctx, q, s.cg.gate.Code, d, ws[0].Start, ws[len(ws)-1].End)
	if err != nil {
		return nil, err
	}
	lanes := lanesFor(s.controls, s.cg.gate, d)
	caps, accs := sched.DayCapacities(sched.DayNumber(ws[0].Start, s.cg.loc), lanes, s.perLane, db.utilization(s), noShow, sched.Lengths(ws))
	out := make([]*cuakhau.Window, len(ws))
	for i, w := range ws {
		// A booking counts in the window its start falls in: after a change
		// of hours moved the grid, a kept booking's window is not one of
		// these (sched.Covers).
		b := 0
		from, to := formatTime(w.Start), formatTime(w.End)
		for start, n := range counts {
			if start >= from && start < to {
				b += n
			}
		}
		avail := max(0, accs[i]-b)
		if sched.CheckWindow(w.Start, now, cfg) != nil {
			avail = 0
		}
		out[i] = &cuakhau.Window{Gate: s.cg.gate.Code, Direction: d, Start: w.Start.UTC(), End: w.End.UTC(),
			Capacity: caps[i], Accepts: accs[i], Booked: b, Available: avail}
	}
	return out, nil
}

// utilization is the share of the clearing rate the gate's windows sell
// now: all of it while an advisory is in force (sched.BookingUtilization).
func (db *DB) utilization(s *gateState) float64 {
	return sched.BookingUtilization(db.queueCfg.Window.Utilization, db.advice(s), true)
}

// Windows lists the windows of a gate's local date for direction d with
// their capacity, bookings and places left. It is public data.
func (db *DB) Windows(ctx context.Context, gate string, d cuakhau.Direction, date string) ([]*cuakhau.Window, error) {
	cg, err := db.gateOf(ctx, gate)
	if err != nil {
		return nil, err
	}
	fe := cuakhau.FieldErrors{}
	if !d.Valid() {
		fe.Add("direction", "one of export, import, reexport, transit, empty_return")
	} else if len(cg.gate.Route(d)) == 0 {
		fe.Add("direction", fmt.Sprintf("gate %s does not serve %s", gate, d))
	}
	day, perr := time.ParseInLocation(time.DateOnly, date, cg.loc)
	if perr != nil {
		fe.Add("date", "must be a date, YYYY-MM-DD")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	now := db.now()
	q := readQ{db}
	s, err := db.gateState(ctx, q, cg, now)
	if err != nil {
		return nil, err
	}
	ns, err := db.noShowRate(ctx, q, gate, now)
	if err != nil {
		return nil, err
	}
	return db.windowsOf(ctx, q, s, d, day.Add(12*time.Hour), now, ns)
}

// bookingWindow checks a requested window start at gate cg under its
// controls c at now and returns the window: EINVALID naming window_start
// for a broken rule.
func (db *DB) bookingWindow(cg cachedGate, c *cuakhau.GateControls, start, now time.Time) (sched.Window, error) {
	if start.IsZero() {
		return sched.Window{}, cuakhau.Invalid("window_start", "required, an RFC 3339 instant")
	}
	cfg := db.windowConfig(cg, c)
	if err := sched.CheckWindow(start, now, cfg); err != nil {
		var re *sched.RuleError
		if errors.As(err, &re) {
			return sched.Window{}, cuakhau.Invalid("window_start", re.Rule)
		}
		return sched.Window{}, fmt.Errorf("check window of gate %s: %w", cg.gate.Code, err)
	}
	for _, w := range sched.Windows(start, cfg) {
		if w.Start.Equal(start) {
			return sched.Window{Start: w.Start.UTC(), End: w.End.UTC()}, nil
		}
	}
	return sched.Window{}, cuakhau.Invalid("window_start", "is not the start of a window")
}

// BookingRequest is the body of POST and PUT /api/v1/trips/{id}/booking.
// Gate and Direction are optional checks: when given they must be the trip's.
type BookingRequest struct {
	WindowStart time.Time         `json:"window_start"`
	Gate        string            `json:"gate,omitempty"`
	Direction   cuakhau.Direction `json:"direction,omitempty"`
}

// activeBooking reads a trip's active booking; ok is false when it has none.
func (db *DB) activeBooking(ctx context.Context, q querier, tripID string) (sched.Window, bool, error) {
	var ws, we string
	err := q.queryRow(ctx, `SELECT window_start, window_end FROM bookings WHERE trip_id = ? AND state = 'active'`, tripID).Scan(&ws, &we)
	if errors.Is(err, sql.ErrNoRows) {
		return sched.Window{}, false, nil
	} else if err != nil {
		return sched.Window{}, false, fmt.Errorf("read booking of trip %s: %w", tripID, err)
	}
	s, err := parseTime(ws)
	if err != nil {
		return sched.Window{}, false, err
	}
	e, err := parseTime(we)
	if err != nil {
		return sched.Window{}, false, err
	}
	return sched.Window{Start: s, End: e}, true, nil
}

// Book books the window starting at start for a declared trip.
func (db *DB) Book(ctx context.Context, p cuakhau.Principal, tripID string, start time.Time) (*cuakhau.BookingResult, error) {
	return db.book(ctx, p, tripID, BookingRequest{WindowStart: start}, false)
}

// MoveBooking moves a booked trip to the window starting at start: the old
// place is freed and the new one taken in one write, so the trip either
// keeps its old window or holds the new one.
func (db *DB) MoveBooking(ctx context.Context, p cuakhau.Principal, tripID string, start time.Time) (*cuakhau.BookingResult, error) {
	return db.book(ctx, p, tripID, BookingRequest{WindowStart: start}, true)
}

func (db *DB) book(ctx context.Context, p cuakhau.Principal, tripID string, req BookingRequest, move bool) (*cuakhau.BookingResult, error) {
	early, err := db.visibleTrip(ctx, p, tripID)
	if err != nil {
		return nil, err
	}
	fe := cuakhau.FieldErrors{}
	if req.Gate != "" && req.Gate != early.Gate {
		fe.Add("gate", fmt.Sprintf("trip %s crosses at %s, not %s", early.Code, early.Gate, req.Gate))
	}
	if req.Direction != "" && req.Direction != early.Direction {
		fe.Add("direction", fmt.Sprintf("trip %s is %s, not %s", early.Code, early.Direction, req.Direction))
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	cg, err := db.gateOf(ctx, early.Gate)
	if err != nil {
		return nil, err
	}
	now := db.now()
	// Capacity is read before the write (it is the window's published
	// figure); the count against it is read inside the write, which every
	// booking goes through one at a time, so no two can take the last place.
	var w sched.Window
	var adv sched.Advice
	var accepts int
	var ns float64
	if err := db.withState(ctx, cg, func(st *gatestate.State) error {
		s, err := db.view(cg, st, now)
		if err != nil {
			return err
		}
		if w, err = db.bookingWindow(cg, s.controls, req.WindowStart, now); err != nil {
			return err
		}
		adv, ns = db.advice(s), s.noShow
		_, accepts = sched.WindowCapacity(w, lanesFor(s.controls, cg.gate, early.Direction), s.perLane,
			sched.BookingUtilization(db.queueCfg.Window.Utilization, adv, true), ns, db.windowConfig(cg, s.controls))
		return nil
	}); err != nil {
		return nil, err
	}

	res, err := writeIdempotent(ctx, db, p, func(ctx context.Context, tx *wtx) (*cuakhau.BookingResult, error) {
		t, err := db.lockTrip(ctx, tx, tripID)
		if err != nil {
			return nil, err
		}
		var next *cuakhau.Trip
		var ev *cuakhau.Event
		var old sched.Window
		if move {
			var ok bool
			if old, ok, err = db.activeBooking(ctx, tx, tripID); err != nil {
				return nil, err
			} else if !ok && t.Status == cuakhau.StatusBooked {
				return nil, fmt.Errorf("trip %s is booked but has no booking row", tripID)
			}
			next, ev, err = flow.MoveBooking(t, p, old, w, now)
		} else {
			next, ev, err = flow.Book(t, p, w, now)
		}
		if err != nil {
			return nil, err
		}
		// Counted on the gate's state under its lock, so that another
		// server node cannot take the same last place between this count
		// and this insert.
		s, err := db.gateState(ctx, tx, cg, now)
		if err != nil {
			return nil, err
		}
		// The hours may have changed since the look above.
		if _, err := db.bookingWindow(cg, s.controls, w.Start, now); err != nil {
			return nil, err
		}
		if s.st.BookedIn(t.Direction, w) >= accepts {
			return nil, db.fullError(ctx, tx, s, t, w, now, ns, accepts)
		}
		if adv.Active {
			day := w.Start.In(cg.loc)
			d0 := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, cg.loc)
			n := s.st.BookedBetween(d0, d0.AddDate(0, 0, 1), false)
			// The cap binds the days the backlog is shed over; a later day
			// takes the whole clearing rate (sched.Advice.AcceptedOn).
			if n >= adv.AcceptedOn(sched.DayNumber(d0, cg.loc), d0.Sub(now), ns) {
				return nil, cuakhau.Errorf(cuakhau.ECONFLICT, "gate %s takes no more bookings for %s: %s", t.Gate, d0.Format(time.DateOnly), adv.Reason)
			}
		}
		// A move replaces the active row; a declared trip's row, if it has
		// one, is a booking it released when told to hold at origin.
		if _, err := tx.exec(ctx, `DELETE FROM bookings WHERE trip_id = ?`, tripID); err != nil {
			return nil, fmt.Errorf("delete booking: %w", err)
		}
		if _, err := tx.exec(ctx, `INSERT INTO bookings (trip_id, gate, direction, window_start, window_end, state, booked_at) VALUES (?, ?, ?, ?, ?, 'active', ?)`,
			tripID, t.Gate, string(t.Direction), formatTime(w.Start), formatTime(w.End), formatTime(now)); err != nil {
			return nil, fmt.Errorf("insert booking: %w", err)
		}
		if err := db.commitTrip(ctx, tx, t, next, ev); err != nil {
			return nil, err
		}
		if move {
			if err := db.notifyEvent(ctx, tx, ev, next, cg.loc); err != nil {
				return nil, err
			}
		}
		return &cuakhau.BookingResult{Booking: &cuakhau.Booking{TripID: tripID, Gate: t.Gate, Direction: t.Direction,
			WindowStart: w.Start, WindowEnd: w.End, BookedAt: now}, Event: ev, Trip: next}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("book trip %s: %w", tripID, err)
	}
	return res, nil
}

// fullError is a full window's 409 with the three nearest windows of the
// trip's direction that still have places, on the same day and the next.
func (db *DB) fullError(ctx context.Context, q querier, s *gateState, t *cuakhau.Trip, w sched.Window, now time.Time, ns float64, accepts int) error {
	var free []sched.Window
	byStart := map[int64]*cuakhau.Window{}
	for _, day := range []time.Time{w.Start.AddDate(0, 0, -1), w.Start, w.Start.AddDate(0, 0, 1)} {
		ws, err := db.windowsOf(ctx, q, s, t.Direction, day, now, ns)
		if err != nil {
			return err
		}
		for _, x := range ws {
			if x.Available > 0 && !x.Start.Equal(w.Start) {
				free = append(free, sched.Window{Start: x.Start, End: x.End})
				byStart[x.Start.UnixMicro()] = x
			}
		}
	}
	nearest := []*cuakhau.Window{}
	for _, n := range sched.Nearest(w.Start, free, 3) {
		nearest = append(nearest, byStart[n.Start.UnixMicro()])
	}
	return &cuakhau.NearestError{
		Err:     cuakhau.Errorf(cuakhau.ECONFLICT, "window %s at %s is full (%d booked of %d)", w.Start.Format(time.RFC3339), t.Gate, accepts, accepts),
		Nearest: nearest,
	}
}

// lockTrip reads a trip inside the write, locking its row on PostgreSQL.
func (db *DB) lockTrip(ctx context.Context, tx *wtx, id string) (*cuakhau.Trip, error) {
	var body storedJSON
	err := tx.queryRow(ctx, `SELECT body FROM trips WHERE id = ?`+db.dialect.forUpdate(), id).Scan(&body)
	return decodeTrip(id, body.doc, err)
}

// commitTrip appends ev and stores next over t.
func (db *DB) commitTrip(ctx context.Context, tx *wtx, t, next *cuakhau.Trip, ev *cuakhau.Event) error {
	body, err := json.Marshal(next)
	if err != nil {
		return fmt.Errorf("encode trip: %w", err)
	}
	if err := db.appendEvent(ctx, tx, ev); err != nil {
		return err
	}
	return db.updateTrip(ctx, tx, next, body, t.Version)
}

// CancelBooking cancels a booked trip's booking: the trip is declared again
// and the place is free.
func (db *DB) CancelBooking(ctx context.Context, p cuakhau.Principal, tripID string) (*cuakhau.BookingResult, error) {
	if _, err := db.visibleTrip(ctx, p, tripID); err != nil {
		return nil, err
	}
	now := db.now()
	res, err := writeIdempotent(ctx, db, p, func(ctx context.Context, tx *wtx) (*cuakhau.BookingResult, error) {
		t, err := db.lockTrip(ctx, tx, tripID)
		if err != nil {
			return nil, err
		}
		w, _, err := db.activeBooking(ctx, tx, tripID)
		if err != nil {
			return nil, err
		}
		next, ev, err := flow.CancelBooking(t, p, w, now)
		if err != nil {
			return nil, err
		}
		if _, err := tx.exec(ctx, `DELETE FROM bookings WHERE trip_id = ?`, tripID); err != nil {
			return nil, fmt.Errorf("delete booking: %w", err)
		}
		if err := db.commitTrip(ctx, tx, t, next, ev); err != nil {
			return nil, err
		}
		return &cuakhau.BookingResult{Event: ev, Trip: next}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("cancel booking of trip %s: %w", tripID, err)
	}
	return res, nil
}

// SetPriority sets (1–9) or clears (0) a trip's statutory priority before
// its arrival: one priority event, the trip's projection updated; the
// arrival then carries it into the waiting area (flow.Arrival).
func (db *DB) SetPriority(ctx context.Context, p cuakhau.Principal, tripID string, u cuakhau.PriorityUpdate) (*cuakhau.DecisionResult, error) {
	if u.Priority == nil {
		return nil, cuakhau.Invalid("priority", "required, from 0 (none) to 9")
	}
	if err := flow.CheckPriority(*u.Priority, u.Reason); err != nil {
		return nil, err
	}
	if _, err := db.visibleTrip(ctx, p, tripID); err != nil {
		return nil, err
	}
	now := db.now()
	res, err := writeIdempotent(ctx, db, p, func(ctx context.Context, tx *wtx) (*cuakhau.DecisionResult, error) {
		t, err := db.lockTrip(ctx, tx, tripID)
		if err != nil {
			return nil, err
		}
		next, ev, err := flow.SetPriority(t, p, *u.Priority, u.Reason, now)
		if err != nil {
			return nil, err
		}
		if err := db.commitTrip(ctx, tx, t, next, ev); err != nil {
			return nil, err
		}
		return &cuakhau.DecisionResult{Event: ev, Trip: next}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("priority of trip %s: %w", tripID, err)
	}
	return res, nil
}

// Arrive checks a trip in to its gate's waiting area. Its FIFO turn is
// computed here, once, from the queue as it stands inside the write, with
// the same free places and rate a call would use, and logged in the event.
// So is the call time the check-in tells the truck: it is placed before
// the event is built, and the answer's entry carries the logged time, so
// that the event is the one record of the prediction its error is
// measured against.
func (db *DB) Arrive(ctx context.Context, p cuakhau.Principal, tripID string) (*cuakhau.ArrivalResult, error) {
	early, err := db.visibleTrip(ctx, p, tripID)
	if err != nil {
		return nil, err
	}
	cg, err := db.gateOf(ctx, early.Gate)
	if err != nil {
		return nil, err
	}
	now := db.now()
	res, err := writeIdempotent(ctx, db, p, func(ctx context.Context, tx *wtx) (*cuakhau.ArrivalResult, error) {
		// Most often the trip is still the version read early (the
		// version's query takes the row's lock on PostgreSQL, as
		// lockTrip does): then it is not read and decoded again.
		t := early
		var version int
		err := tx.queryRow(ctx, `SELECT version FROM trips WHERE id = ?`+db.dialect.forUpdate(), tripID).Scan(&version)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("read trip version: %w", err)
		}
		if err != nil || version != early.Version {
			if t, err = db.lockTrip(ctx, tx, tripID); err != nil {
				return nil, err
			}
		}
		w, booked, err := db.activeBooking(ctx, tx, tripID)
		if err != nil {
			return nil, err
		}
		var win *sched.Window
		if booked {
			win = &w
		}
		a := flow.Arrival(t, win, db.queueCfg.Sched.Tolerance, now)
		s, err := db.gateState(ctx, tx, cg, now)
		if err != nil {
			return nil, err
		}
		truck := sched.Truck{ID: t.ID, ArrivedAt: now, Booked: a.Booked, Priority: a.Priority}
		if a.WindowStart != nil {
			truck.WindowStart, truck.WindowEnd = *a.WindowStart, *a.WindowEnd
		}
		if a.SpoilsAt != nil {
			truck.SpoilsAt = *a.SpoilsAt
		}
		if turn := sched.NextFIFOTurn(s.input); !turn.IsZero() { // a trip that arrives is not waiting
			turn = turn.UTC().Truncate(time.Microsecond)
			a.FIFOTurn = &turn
			truck.FIFOTurn = turn
		}
		// Placed as the state will hold it: the log's next entry (the state
		// is at the head, under the gate's lock), its times as logged.
		truck.Seq = s.st.Seq() + 1
		place := placeOf(s, flow.SchedTruck(flow.LoggedTruck(truck)))
		a.ExpectedCall = db.onClock(s, place.ExpectedCall)
		next, ev, err := flow.Arrive(t, p, a, now)
		if err != nil {
			return nil, err
		}
		if err := db.commitTrip(ctx, tx, t, next, ev); err != nil {
			return nil, err
		}
		// The waiting row is built from the arrived event, as replay
		// rebuilds the area (flow.Replayer), so the two cannot drift.
		logged, dir, err := flow.ArrivedTruck(ev)
		if err != nil {
			return nil, err
		}
		truck = flow.SchedTruck(logged)
		r := waitingRowOf(logged, t.Gate, dir)
		if _, err := tx.exec(ctx, `INSERT INTO waiting (trip_id, gate, direction, seq, arrived_at, booked, window_start, window_end, spoils_at, priority, fifo_turn)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.ID, r.gate, r.direction, r.seq, r.arrivedAt, r.booked,
			r.windowStart, r.windowEnd, r.spoilsAt, r.priority, r.fifoTurn); err != nil {
			return nil, fmt.Errorf("insert waiting truck: %w", err)
		}
		if booked {
			if _, err := tx.exec(ctx, `UPDATE bookings SET state = 'used', ended_at = ? WHERE trip_id = ?`, formatTime(now), tripID); err != nil {
				return nil, fmt.Errorf("use booking: %w", err)
			}
			if err := db.notifyEvent(ctx, tx, ev, next, cg.loc); err != nil {
				return nil, err
			}
		}
		s.input.Waiting = s.st.Waiting() // with the truck, as the arrival applied to the state
		entry := entry(s, place)
		entry.ExpectedCall = a.ExpectedCall
		return &cuakhau.ArrivalResult{Entry: entry, Event: ev, Trip: next}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("check in trip %s: %w", tripID, err)
	}
	return res, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// entries ranks s's waiting area.
func entries(s *gateState) []*cuakhau.QueueEntry {
	order := s.policy.Order(s.input)
	out := make([]*cuakhau.QueueEntry, len(order))
	for i, r := range order {
		out[i] = entry(s, r)
	}
	return out
}

// entry is the queue entry of the ranked truck r of s.
func entry(s *gateState, r sched.Ranked) *cuakhau.QueueEntry {
	w, _ := s.st.Waits(r.ID)
	e := &cuakhau.QueueEntry{TripID: r.ID, Position: r.Rank,
		Class: r.Class, Reason: r.Reason, ArrivedAt: w.ArrivedAt, Perishable: w.Perishable(), Priority: w.Priority}
	if t := s.st.Trip(r.ID); t != nil {
		e.Code, e.Plate, e.Direction = t.Code, t.Plate, t.Direction
	}
	if !r.ExpectedCall.IsZero() {
		c := r.ExpectedCall.UTC()
		e.ExpectedCall = &c
	}
	return e
}

// placeOf is where truck t, checking in, is placed in s's waiting area,
// which does not hold it yet: it arrives after every waiting truck, so it
// is placed by counting the trucks ahead of it, which Order equals and which
// writes no reason for the others. Only its place is
// computed: a check-in answers with its own place, and building every
// entry cost the most of a check-in at thousands waiting.
func placeOf(s *gateState, t sched.Truck) sched.Ranked {
	// On the state's indexed area (sched.Area, kept by seq), which places
	// it in O(log n) and equals sched.Place on the slice.
	return s.st.Area().Place(s.policy, s.input, t)
}

// onClock is a predicted call at (as the policy predicts it, zero when it
// cannot) on gate s's clock, as the feed puts its wait (sched.OnClock):
// the wait runs only while the gate calls. Nil when there is none.
func (db *DB) onClock(s *gateState, at time.Time) *time.Time {
	if at.IsZero() {
		return nil
	}
	now := s.input.Now
	c := sched.OnClock(now, max(0, at.Sub(now)), db.calling(s.cg, s.controls))
	if c.IsZero() {
		return nil
	}
	c = c.UTC().Truncate(time.Microsecond)
	return &c
}

// Queue is a page of a gate's waiting area in the order its policy would
// call it, filtered by f (cuakhau.QueueFilter.Page).
func (db *DB) Queue(ctx context.Context, p cuakhau.Principal, gate string, f cuakhau.QueueFilter) (*cuakhau.QueueView, error) {
	cg, err := db.gateOf(ctx, gate)
	if err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if f.Direction != "" && len(cg.gate.Route(f.Direction)) == 0 {
		return nil, cuakhau.Invalid("direction", fmt.Sprintf("gate %s does not serve %s", gate, f.Direction))
	}
	if !p.CanSeeQueue(gate) {
		return nil, cuakhau.Errorf(cuakhau.EFORBIDDEN, "role %s may not see the queue of gate %s", p.Role, gate)
	}
	s, err := db.gateState(ctx, readQ{db}, cg, db.now())
	if err != nil {
		return nil, err
	}
	all := entries(s)
	page, matched, next := f.Page(all)
	// On the gate's clock, as a check-in is told its call (onClock): at a
	// closed gate, or past the last call, the call waits for the opening.
	for _, e := range page {
		if e.ExpectedCall != nil {
			e.ExpectedCall = db.onClock(s, *e.ExpectedCall)
		}
	}
	return &cuakhau.QueueView{Gate: gate, Policy: s.policy.Name(), At: s.input.Now, Free: s.input.Free, InZone: s.zone,
		ServiceRate: s.input.ServiceRate, Waiting: len(all), Matched: matched, Entries: page, Next: next}, nil
}

// Call calls trucks forward now: with req.TripID, that truck, out of turn,
// for req.Reason; otherwise up to req.Count trucks (default: as many as the
// control zone has room for; more only with a reason, flow.CallCount) in the
// policy's order. Each truck called is one
// decision, one event that logs the policy and the input it saw — the
// waiting area by count and digest, after the trucks called before it in the
// same request have left it (so every record has N = 1).
func (db *DB) Call(ctx context.Context, p cuakhau.Principal, gate string, req cuakhau.CallRequest) (*cuakhau.CallResult, error) {
	cg, err := db.gateOf(ctx, gate)
	if err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if !p.CanCallForward(gate) {
		if p.Role == cuakhau.RoleOperator {
			return nil, cuakhau.Errorf(cuakhau.EFORBIDDEN, "this token is bound to gate %s", p.Gate)
		}
		return nil, cuakhau.Errorf(cuakhau.EFORBIDDEN, "role %s may not call trucks forward", p.Role)
	}
	now := db.now()
	res, err := writeIdempotent(ctx, db, p, func(ctx context.Context, tx *wtx) (*cuakhau.CallResult, error) {
		s, err := db.gateState(ctx, tx, cg, now)
		if err != nil {
			return nil, err
		}
		out := &cuakhau.CallResult{Called: []*cuakhau.DecisionResult{}}
		if req.TripID != "" {
			if _, ok := s.st.Waits(req.TripID); !ok {
				return nil, cuakhau.Errorf(cuakhau.ECONFLICT, "trip %q is not in the waiting area of %s", req.TripID, gate)
			}
			rec := db.record(s, sched.Ranked{ID: req.TripID})
			rec.Override, rec.OverrideNote = true, strings.TrimSpace(req.Reason)
			if sel := s.policy.Select(s.input, 1); len(sel) > 0 {
				rec.PolicyChoice = sel[0].ID
			}
			r, err := db.callOne(ctx, tx, p, s, req.TripID, rec, now)
			if err != nil {
				return nil, err
			}
			out.Called = append(out.Called, r)
			return out, nil
		}
		n, err := flow.CallCount(req, s.input.Free)
		if err != nil {
			return nil, err
		}
		for range n {
			sel := s.policy.Select(s.input, 1)
			if len(sel) == 0 {
				break
			}
			rec := db.record(s, sel[0])
			rec.CalledByLoop = p.Role == system.Role
			if s.input.Free == 0 { // beyond the room: an override (flow.CallCount)
				rec.Override, rec.OverrideNote, rec.PolicyChoice = true, strings.TrimSpace(req.Reason), sel[0].ID
			}
			r, err := db.callOne(ctx, tx, p, s, sel[0].ID, rec, now)
			if err != nil {
				return nil, err
			}
			out.Called = append(out.Called, r)
		}
		return out, nil
	})
	if err != nil {
		return nil, fmt.Errorf("call forward at %s: %w", gate, err)
	}
	return res, nil
}

// callOne calls one truck inside the write and takes it out of s.
func (db *DB) callOne(ctx context.Context, tx *wtx, p cuakhau.Principal, s *gateState, id string, rec cuakhau.CallRecord, now time.Time) (*cuakhau.DecisionResult, error) {
	t, err := db.lockTrip(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	next, ev, err := flow.Call(t, p, rec, now)
	if err != nil {
		return nil, err
	}
	if err := db.commitTrip(ctx, tx, t, next, ev); err != nil {
		return nil, err
	}
	if _, err := tx.exec(ctx, `DELETE FROM waiting WHERE trip_id = ?`, id); err != nil {
		return nil, fmt.Errorf("leave waiting area: %w", err)
	}
	if err := db.notifyEvent(ctx, tx, ev, next, s.cg.loc); err != nil {
		return nil, err
	}
	s.called()
	return &cuakhau.DecisionResult{Event: ev, Trip: next}, nil
}

// CallForward is the server's own call: as many trucks as the control zone
// has room for, by the gate's policy. It returns how many it called.
func (db *DB) CallForward(ctx context.Context, gate string) (int, error) {
	cg, err := db.gateOf(ctx, gate)
	if err != nil {
		return 0, err
	}
	// Calls stop at the last call before closing and start again at
	// opening (sched.Calling): a truck called later could not cross the
	// same day. An operator may still call by hand.
	// A cheap look first, so that an idle or closed gate costs no write.
	now := db.now()
	idle := false
	if err := db.withState(ctx, cg, func(st *gatestate.State) error {
		if !sched.Calls(db.calling(cg, db.withDefaults(cg, st.Controls())), now) {
			idle = true // outside its hours: no need of the whole view
			return nil
		}
		s, err := db.view(cg, st, now)
		idle = err == nil && (len(s.input.Waiting) == 0 || s.input.Free == 0)
		return err
	}); err != nil {
		return 0, err
	}
	if idle {
		return 0, nil
	}
	res, err := db.Call(ctx, system, gate, cuakhau.CallRequest{})
	if err != nil {
		return 0, err
	}
	return len(res.Called), nil
}

// SweepNoShows records a no-show for every booking of the gate that was not
// used by its window's end plus the tolerance, and tells the company.
func (db *DB) SweepNoShows(ctx context.Context, gate string) (int, error) {
	cg, err := db.gateOf(ctx, gate)
	if err != nil {
		return 0, err
	}
	now := db.now()
	cutoff := now.Add(-db.queueCfg.Sched.Tolerance)
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT trip_id FROM bookings WHERE gate = ? AND state = 'active' AND window_end < ?`), gate, formatTime(cutoff))
	if err != nil {
		return 0, fmt.Errorf("sweep no-shows of %s: %w", gate, err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		err := db.update(ctx, func(ctx context.Context, tx *wtx) error {
			w, ok, err := db.activeBooking(ctx, tx, id)
			if err != nil || !ok || !w.End.Before(cutoff) {
				return err
			}
			t, err := db.lockTrip(ctx, tx, id)
			if err != nil {
				return err
			}
			next, ev, err := flow.BookingNoShow(t, w, now)
			if err != nil {
				return err
			}
			if err := db.commitTrip(ctx, tx, t, next, ev); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `UPDATE bookings SET state = 'no_show', ended_at = ? WHERE trip_id = ?`, formatTime(now), id); err != nil {
				return fmt.Errorf("mark no-show: %w", err)
			}
			n++
			return db.notifyEvent(ctx, tx, ev, next, cg.loc)
		})
		if err != nil {
			return n, fmt.Errorf("no-show of trip %s: %w", id, err)
		}
	}
	return n, nil
}

// afterDecision keeps the queue's rows in step with a checkpoint decision:
// a trip that leaves the waiting area or ends its trip leaves the queue, and
// a booked trip that enters directly has used its booking.
func (db *DB) afterDecision(ctx context.Context, tx *wtx, prev, next *cuakhau.Trip, now time.Time) error {
	if prev.Status == next.Status {
		return nil
	}
	if prev.Status == cuakhau.StatusArrived {
		if _, err := tx.exec(ctx, `DELETE FROM waiting WHERE trip_id = ?`, next.ID); err != nil {
			return fmt.Errorf("leave waiting area: %w", err)
		}
	}
	state, ok := bookingEnd(prev.Status, next.Status)
	switch {
	case !ok:
		return nil
	case state == "":
		_, err := tx.exec(ctx, `DELETE FROM bookings WHERE trip_id = ? AND state = 'active'`, next.ID)
		return err
	default:
		_, err := tx.exec(ctx, `UPDATE bookings SET state = ?, ended_at = ? WHERE trip_id = ? AND state = 'active'`, state, formatTime(now), next.ID)
		return err
	}
}

// bookingEnd says what a decision that takes a trip from status prev to
// next does to its active booking: ok is false when it leaves the booking
// as it is; otherwise the booking ends in state (used when the truck went
// in, no_show when it never came), or is deleted when state is "" (the trip
// ended before it came: its place is free again).
func bookingEnd(prev, next cuakhau.Status) (state string, ok bool) {
	if prev != cuakhau.StatusBooked || prev == next {
		return "", false
	}
	switch next {
	case cuakhau.StatusInZone, cuakhau.StatusCrossed, cuakhau.StatusHeld:
		return "used", true
	case cuakhau.StatusNoShow:
		return "no_show", true
	default:
		return "", true
	}
}

// waitingRow is a waiting truck's row.
type waitingRow struct {
	gate, direction, arrivedAt, windowStart, windowEnd, spoilsAt, fifoTurn string
	seq                                                                    int64
	booked, priority                                                       int
}

// waitingRowOf is the row of a truck in gate's waiting area that came for
// direction d: Arrive writes it, `cuakhau verify` rebuilds it.
func waitingRowOf(w cuakhau.WaitingTruck, gate string, d cuakhau.Direction) waitingRow {
	t := flow.SchedTruck(w)
	return waitingRow{gate: gate, direction: string(d), seq: t.Seq, arrivedAt: formatTime(t.ArrivedAt), booked: boolInt(t.Booked),
		windowStart: fmtOpt(t.WindowStart), windowEnd: fmtOpt(t.WindowEnd), spoilsAt: fmtOpt(t.SpoilsAt), priority: t.Priority, fifoTurn: fmtOpt(t.FIFOTurn)}
}
