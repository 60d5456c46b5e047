package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sched"
)

// levelRank orders the congestion levels, green lowest.
func levelRank(l string) int {
	switch sched.Level(l) {
	case sched.Yellow:
		return 1
	case sched.Orange:
		return 2
	case sched.Red:
		return 3
	}
	return 0
}

// advisoryChanged reports whether adv must be logged after last (nil: no
// advisory event yet): it came into force, its level rose inside an
// episode, or it cleared.
func advisoryChanged(last *cuakhau.AdvisoryRecord, adv sched.Advice) bool {
	if !adv.Active {
		return last != nil && last.Active
	}
	if last == nil || !last.Active {
		return true
	}
	return levelRank(string(adv.Level)) > levelRank(last.Level)
}

// lastAdvisory is the gate's latest advisory event's record; nil when there
// is none. Gate events (trip "") are few, and the events_trip index finds
// them.
func (db *DB) lastAdvisory(ctx context.Context, q querier, gate string) (*cuakhau.AdvisoryRecord, error) {
	var data sql.NullString
	err := q.queryRow(ctx, `SELECT data FROM events WHERE trip_id = '' AND gate = ? AND type = ? ORDER BY seq DESC LIMIT 1`,
		gate, string(cuakhau.EventAdvisory)).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("last advisory of %s: %w", gate, err)
	}
	rec := new(cuakhau.AdvisoryRecord)
	if err := json.Unmarshal([]byte(data.String), rec); err != nil {
		return nil, fmt.Errorf("last advisory of %s: %w", gate, err)
	}
	return rec, nil
}

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
	s, err := db.gateState(ctx, readQ{db}, cg, now)
	if err != nil {
		return false, err
	}
	last, err := db.lastAdvisory(ctx, readQ{db}, cg.gate.Code)
	if err != nil {
		return false, err
	}
	if !advisoryChanged(last, db.advice(s)) {
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
		wrote, err = db.recordAdvisory(ctx, tx, s, system, "", now)
		return err
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
	last, err := db.lastAdvisory(ctx, tx, gate)
	if err != nil {
		return false, err
	}
	adv := db.advice(s)
	if !advisoryChanged(last, adv) {
		return false, nil
	}
	rec := cuakhau.AdvisoryRecord{Active: adv.Active, Level: string(adv.Level), Waiting: len(s.waiting),
		MaxBookingsPerDay: adv.MaxBookingsPerDay, StopBookings: adv.StopBookings, Reason: adv.Reason,
		Text: adv.Text, TextEN: adv.TextEN, TextZH: adv.TextZH}
	var trips []*cuakhau.Trip
	if adv.Active {
		if trips, err = db.tripsOnTheirWay(ctx, tx, gate); err != nil {
			return false, err
		}
		rec.Notified = len(trips)
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
		if err := db.notify(ctx, tx, ev, t, cuakhau.NotifyAdvisory, adv.Text+" / "+adv.TextEN); err != nil {
			return false, err
		}
	}
	return true, nil
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
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		t := new(cuakhau.Trip)
		if err := json.Unmarshal([]byte(body), t); err != nil {
			return nil, err
		}
		trips = append(trips, t)
	}
	return trips, rows.Err()
}
