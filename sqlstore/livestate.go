package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/gatestate"
	"github.com/cuakhau/cuakhau/sched"
)

// The gates' queue states in memory. Each gate's gatestate.State is a
// projection of its log at a known seq, built at first use from the
// projection tables (trips, waiting, bookings, gate_controls and the few
// log entries the measured rates and the advisory need) in one snapshot,
// and then moved on by every event the store appends (appendEvent), inside
// the write, so that the next write of the same batch decides on it.
//
// The writer holds a gate's lock from the batch's first use of the gate
// until the batch has committed or rolled back, so a reader sees only
// committed state. A write that fails after it changed a state, or a batch
// that does not commit, drops the states it held (st = nil): the next use
// builds them again from what was committed. Before deciding, a write reads
// the log's tail past the state's seq under the gate's log head lock
// (lockGate): entries another server node appended on the same PostgreSQL
// are applied first, so several nodes decide on the same state.

// liveState is one gate's state and its lock; st is nil until built, and
// after a rollback.
type liveState struct {
	mu sync.RWMutex
	st *gatestate.State
}

// liveStates holds the gates' states.
type liveStates struct {
	mu sync.Mutex
	m  map[string]*liveState
}

// state returns gate's liveState, making it on first use.
func (db *DB) state(gate string) *liveState {
	db.states.mu.Lock()
	defer db.states.mu.Unlock()
	ls := db.states.m[gate]
	if ls == nil {
		if db.states.m == nil {
			db.states.m = map[string]*liveState{}
		}
		ls = &liveState{}
		db.states.m[gate] = ls
	}
	return ls
}

// stateIfAny returns gate's liveState; nil when the gate has not been used.
func (db *DB) stateIfAny(gate string) *liveState {
	db.states.mu.Lock()
	defer db.states.mu.Unlock()
	return db.states.m[gate]
}

// hold takes ls's lock for the rest of tx's batch.
func (t *wtx) hold(gate string, ls *liveState) {
	if _, ok := t.held[gate]; ok {
		return
	}
	ls.mu.Lock()
	t.held[gate] = ls
}

// dropHeld drops every state the batch holds: they may hold changes that
// were rolled back.
func (t *wtx) dropHeld() {
	for _, ls := range t.held {
		ls.st = nil
	}
}

// release ends the batch's hold on its states, dropping them if the batch
// did not commit.
func (t *wtx) release(failed bool) {
	if failed {
		t.dropHeld()
	}
	for g, ls := range t.held {
		ls.mu.Unlock()
		delete(t.held, g)
	}
}

// heldState returns gate's live state for a write: under the gate's log
// head lock, held by the batch, caught up with the log's tail (or built, at
// first use) as tx sees it.
func (db *DB) heldState(ctx context.Context, tx *wtx, gate string) (*gatestate.State, error) {
	if err := db.lockGate(ctx, tx, gate); err != nil {
		return nil, err
	}
	head := tx.heads[gate].seq
	ls := db.state(gate)
	tx.hold(gate, ls)
	tx.opTouched = true
	if ls.st != nil && ls.st.Seq() > head {
		ls.st = nil // cannot be: build it again
	}
	if ls.st == nil {
		st, err := db.buildState(ctx, tx, gate, head)
		if err != nil {
			return nil, err
		}
		ls.st = st
	}
	if err := db.catchUp(ctx, tx, ls, head); err != nil {
		return nil, err
	}
	return ls.st, nil
}

// advanceState applies ev, just appended inside tx, to its gate's live state
// if the gate has one: after the entries before ev that it has not seen.
func (db *DB) advanceState(ctx context.Context, tx *wtx, ev *cuakhau.Event) error {
	ls := db.stateIfAny(ev.Gate)
	if ls == nil {
		return nil
	}
	tx.hold(ev.Gate, ls)
	tx.opTouched = true
	if ls.st == nil {
		return nil // built at its next use
	}
	if err := db.catchUp(ctx, tx, ls, ev.Seq-1); err != nil {
		return err
	}
	if err := ls.st.Apply(ev); err != nil {
		ls.st = nil
		return err
	}
	return nil
}

// catchUp applies the entries of ls's gate after its seq up to head, as q
// reads them. The caller holds ls's lock.
func (db *DB) catchUp(ctx context.Context, q querier, ls *liveState, head int64) error {
	st := ls.st
	if st.Seq() >= head {
		return nil
	}
	rows, err := q.query(ctx, `SELECT `+eventColumns+`, `+prevHashColumn+` FROM events e WHERE gate = ? AND seq > ? AND seq <= ? ORDER BY seq`, st.Gate(), st.Seq(), head)
	if err != nil {
		return fmt.Errorf("read log tail of %s: %w", st.Gate(), err)
	}
	defer rows.Close()
	for rows.Next() {
		ev, err := scanEvent(rows, true)
		if err == nil {
			err = st.Apply(ev)
		}
		if err != nil {
			ls.st = nil
			return fmt.Errorf("catch up with the log of %s: %w", st.Gate(), err)
		}
	}
	if err := rows.Err(); err != nil {
		ls.st = nil
		return fmt.Errorf("read log tail of %s: %w", st.Gate(), err)
	}
	if st.Seq() != head {
		ls.st = nil
		return fmt.Errorf("catch up with the log of %s: the log ends at %d, its head is %d", st.Gate(), st.Seq(), head)
	}
	return nil
}

// withState runs fn on gate cg's committed state, caught up with the
// committed log, under the state's lock: fn must not keep st.
func (db *DB) withState(ctx context.Context, cg cachedGate, fn func(st *gatestate.State) error) error {
	gate := cg.gate.Code
	var head int64
	err := db.read.QueryRowContext(ctx, db.q(`SELECT seq FROM log_heads WHERE gate = ?`), gate).Scan(&head)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read log head of %s: %w", gate, err)
	}
	ls := db.state(gate)
	ls.mu.RLock()
	if ls.st != nil && ls.st.Seq() >= head {
		defer ls.mu.RUnlock()
		return fn(ls.st)
	}
	ls.mu.RUnlock()
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.st == nil {
		if err := db.buildCommitted(ctx, ls, gate); err != nil {
			return err
		}
	}
	if err := db.catchUp(ctx, readQ{db}, ls, head); err != nil {
		return err
	}
	return fn(ls.st)
}

// buildCommitted builds ls's state from one read snapshot of the committed
// projections.
func (db *DB) buildCommitted(ctx context.Context, ls *liveState, gate string) error {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return fmt.Errorf("build state of %s: %w", gate, err)
	}
	defer tx.Rollback()
	q := snapQ{db, tx}
	var head int64
	if err := q.queryRow(ctx, `SELECT seq FROM log_heads WHERE gate = ?`, gate).Scan(&head); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("build state of %s: %w", gate, err)
	}
	st, err := db.buildState(ctx, q, gate, head)
	if err != nil {
		return err
	}
	ls.st = st
	return nil
}

// snapQ reads in a read-only transaction of the read pool.
type snapQ struct {
	db *DB
	tx *sql.Tx
}

func (r snapQ) queryRow(ctx context.Context, query string, args ...any) scanner {
	return r.tx.QueryRowContext(ctx, r.db.q(query), args...)
}

func (r snapQ) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return r.tx.QueryContext(ctx, r.db.q(query), args...)
}

// buildState builds gate's state at seq from the projection tables as q
// sees them, which must be at seq.
func (db *DB) buildState(ctx context.Context, q querier, gate string, seq int64) (*gatestate.State, error) {
	p, err := db.projection(ctx, q, gate, seq)
	if err != nil {
		return nil, fmt.Errorf("build state of %s: %w", gate, err)
	}
	return gatestate.FromProjection(gate, p), nil
}

// projection reads what the state of gate holds from the projection tables.
func (db *DB) projection(ctx context.Context, q querier, gate string, seq int64) (gatestate.Projection, error) {
	p := gatestate.Projection{Seq: seq, Told: map[string]time.Time{}}
	rows, err := q.query(ctx, `SELECT t.id, t.code, t.plate, t.direction, t.status, coalesce(b.window_start, ''), coalesce(b.window_end, '')
		FROM trips t LEFT JOIN bookings b ON b.trip_id = t.id AND b.state = 'active'
		WHERE t.gate = ? AND t.status NOT IN ('crossed', 'cancelled', 'no_show', 'rejected')`, gate)
	if err != nil {
		return p, fmt.Errorf("read trips: %w", err)
	}
	for rows.Next() {
		var t gatestate.Trip
		var dir, status, ws, we string
		if err := rows.Scan(&t.ID, &t.Code, &t.Plate, &dir, &status, &ws, &we); err != nil {
			rows.Close()
			return p, err
		}
		t.Direction, t.Status = cuakhau.Direction(dir), cuakhau.Status(status)
		if ws != "" {
			var w sched.Window
			if w.Start, err = parseTime(ws); err == nil {
				w.End, err = parseTime(we)
			}
			if err != nil {
				rows.Close()
				return p, err
			}
			t.Booking = &w
		}
		p.Trips = append(p.Trips, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return p, err
	}
	waiting, err := db.waitingTrucks(ctx, q, gate)
	if err != nil {
		return p, err
	}
	for _, w := range waiting {
		p.Waiting = append(p.Waiting, w.truck)
	}
	if err := db.predictions(ctx, q, gate, &p); err != nil {
		return p, err
	}
	var body string
	switch err := q.queryRow(ctx, `SELECT body FROM gate_controls WHERE gate = ?`, gate).Scan(&body); {
	case err == nil:
		p.Controls = new(cuakhau.GateControls)
		if err := json.Unmarshal([]byte(body), p.Controls); err != nil {
			return p, fmt.Errorf("decode controls: %w", err)
		}
	case !errors.Is(err, sql.ErrNoRows):
		return p, fmt.Errorf("read controls: %w", err)
	}
	// The crossings of the rate window before the latest one.
	var last sql.NullString
	if err := q.queryRow(ctx, `SELECT max(at) FROM events WHERE gate = ? AND status = 'crossed'`, gate).Scan(&last); err != nil {
		return p, fmt.Errorf("read crossings: %w", err)
	}
	if last.Valid {
		at, err := parseTime(last.String)
		if err != nil {
			return p, err
		}
		if p.Crossings, err = db.times(ctx, q, crossingsQuery+` ORDER BY at`, gate, formatTime(at.Add(-gatestate.RateWindow)), last.String); err != nil {
			return p, fmt.Errorf("read crossings: %w", err)
		}
	}
	// The bookings ended in the no-show window before the latest one.
	if err := q.queryRow(ctx, `SELECT max(ended_at) FROM bookings WHERE gate = ? AND state IN ('used', 'no_show')`, gate).Scan(&last); err != nil {
		return p, fmt.Errorf("read ended bookings: %w", err)
	}
	if last.Valid {
		at, err := parseTime(last.String)
		if err != nil {
			return p, err
		}
		rows, err := q.query(ctx, `SELECT ended_at, state FROM bookings WHERE gate = ? AND state IN ('used', 'no_show') AND ended_at > ? ORDER BY ended_at`,
			gate, formatTime(at.Add(-gatestate.EndedWindow)))
		if err != nil {
			return p, fmt.Errorf("read ended bookings: %w", err)
		}
		for rows.Next() {
			var s, state string
			if err := rows.Scan(&s, &state); err != nil {
				rows.Close()
				return p, err
			}
			t, err := parseTime(s)
			if err != nil {
				rows.Close()
				return p, err
			}
			p.Ended = append(p.Ended, gatestate.Ended{At: t, NoShow: state == "no_show"})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return p, err
		}
	}
	// The advisory events of the current episode, newest first, down to the
	// one that ended the episode before. Gate events (trip "") are few, and
	// the events_trip index finds them.
	rows, err = q.query(ctx, `SELECT at, data FROM events WHERE length(trip_id) = 0 AND gate = ? AND type = ? ORDER BY seq DESC`, gate, string(cuakhau.EventAdvisory))
	if err != nil {
		return p, fmt.Errorf("read advisories: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var at string
		var data storedJSON
		if err := rows.Scan(&at, &data); err != nil {
			return p, err
		}
		var d gatestate.AdvisoryData
		if err := json.Unmarshal(data.doc, &d); err != nil {
			return p, fmt.Errorf("read advisory: %w", err)
		}
		if p.Advisory == nil {
			rec := d.AdvisoryRecord
			p.Advisory = &rec
		}
		if !d.Active && !d.ShelfLifeHold {
			break // the episode before this one ended here
		}
		t, err := parseTime(at)
		if err != nil {
			return p, err
		}
		for _, id := range d.Told {
			if _, ok := p.Told[id]; !ok { // the latest event that told it
				p.Told[id] = t
			}
		}
	}
	return p, rows.Err()
}

// predictions reads into p the call times the waiting trucks of gate were
// told at check-in, and the calls of the ErrorWindow before the gate's
// latest call with what their trucks were told. Both come from the trucks'
// arrived events, the one record of a prediction (a waiting row's seq is
// its arrived event's), rather than a copy in the waiting table that could
// drift from it: the build reads an event per waiting truck and per call of
// the last day, found by the log's key.
func (db *DB) predictions(ctx context.Context, q querier, gate string, p *gatestate.Projection) error {
	p.Predicted = map[string]time.Time{}
	rows, err := q.query(ctx, `SELECT w.trip_id, e.data FROM waiting w JOIN events e ON e.gate = w.gate AND e.seq = w.seq WHERE w.gate = ?`, gate)
	if err != nil {
		return fmt.Errorf("read predicted calls: %w", err)
	}
	for rows.Next() {
		var id string
		var data storedJSON
		if err := rows.Scan(&id, &data); err != nil {
			rows.Close()
			return fmt.Errorf("read predicted calls: %w", err)
		}
		var a cuakhau.ArrivalData
		if err := json.Unmarshal(data.doc, &a); err != nil {
			rows.Close()
			return fmt.Errorf("read arrival of %s: %w", id, err)
		}
		if a.ExpectedCall != nil {
			p.Predicted[id] = a.ExpectedCall.UTC()
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read predicted calls: %w", err)
	}
	var last sql.NullString
	if err := q.queryRow(ctx, `SELECT max(at) FROM events WHERE gate = ? AND status = 'called' AND type = ?`, gate, string(cuakhau.EventCalled)).Scan(&last); err != nil {
		return fmt.Errorf("read calls: %w", err)
	}
	if !last.Valid {
		return nil
	}
	at, err := parseTime(last.String)
	if err != nil {
		return err
	}
	// Each call with the trip's latest arrival before it. The status term
	// is the predicate of the partial index events_called.
	rows, err = q.query(ctx, `SELECT c.at, a.data FROM events c JOIN events a ON a.gate = c.gate AND a.seq =
			(SELECT max(x.seq) FROM events x WHERE x.trip_id = c.trip_id AND x.type = ? AND x.seq < c.seq)
		WHERE c.gate = ? AND c.status = 'called' AND c.type = ? AND c.at > ? ORDER BY c.seq`,
		string(cuakhau.EventArrived), gate, string(cuakhau.EventCalled), formatTime(at.Add(-gatestate.ErrorWindow)))
	if err != nil {
		return fmt.Errorf("read calls: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		var data storedJSON
		if err := rows.Scan(&s, &data); err != nil {
			return fmt.Errorf("read calls: %w", err)
		}
		t, err := parseTime(s)
		if err != nil {
			return err
		}
		var a cuakhau.ArrivalData
		if err := json.Unmarshal(data.doc, &a); err != nil {
			return fmt.Errorf("read arrival: %w", err)
		}
		if a.ExpectedCall != nil {
			p.Calls = append(p.Calls, gatestate.Call{At: t, Direction: a.Direction, Error: t.Sub(a.ExpectedCall.UTC())})
		}
	}
	return rows.Err()
}

// times reads a one-column query of instants.
func (db *DB) times(ctx context.Context, q querier, query string, args ...any) ([]time.Time, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		t, err := parseTime(s)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
