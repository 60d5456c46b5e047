package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/flow"
	"github.com/cuakhau/cuakhau/ident"
)

// Trip list limits.
const (
	defaultTripLimit = 100
	maxTripLimit     = 1000
)

// codeAttempts is how many random codes a declaration tries before giving up:
// with 30⁶ codes per gate a second collision in a row means a bug.
const codeAttempts = 3

// DeclareTrip validates d with flow.Declare, then stores the new trip and
// appends its declared event in one write. The trip's id and its short code
// are random; a code already taken is drawn again. As in Decide, the pure
// work — validation, encoding — is done before the write, on the caller's
// goroutine; the write itself inserts.
func (db *DB) DeclareTrip(ctx context.Context, p cuakhau.Principal, d cuakhau.Declaration) (*cuakhau.Trip, error) {
	t, _, err := db.declareTrip(ctx, p, d)
	return t, err
}

// DeclareTripJSON is DeclareTrip answering also with the trip's JSON
// encoding (exactly json.Marshal of the trip), which the store has made
// anyway for the idempotency record: the API sends it as it is.
func (db *DB) DeclareTripJSON(ctx context.Context, p cuakhau.Principal, d cuakhau.Declaration) (*cuakhau.Trip, []byte, error) {
	t, b, err := db.declareTrip(ctx, p, d)
	if err == nil && b == nil {
		b, err = json.Marshal(t)
	}
	return t, b, err
}

func (db *DB) declareTrip(ctx context.Context, p cuakhau.Principal, d cuakhau.Declaration) (*cuakhau.Trip, []byte, error) {
	cg, ok, err := db.cachedGate(ctx, d.Gate)
	if err != nil {
		return nil, nil, fmt.Errorf("declare trip: %w", err)
	}
	var g *cuakhau.Gate // nil for an unknown gate: flow names the field
	if ok {
		g = cg.gate
	}
	now := db.now()
	declare := func() (*cuakhau.Trip, *cuakhau.Event, []byte, error) {
		// flow normalises d's slices in place: give it its own copy.
		d := d
		d.Containers = slices.Clone(d.Containers)
		d.Cargo = slices.Clone(d.Cargo)
		d.CustomsDeclarations = slices.Clone(d.CustomsDeclarations)
		t, ev, err := flow.Declare(g, d, p, db.newID(now), db.newCode(d.Gate), now)
		if err != nil {
			return nil, nil, nil, err
		}
		body, err := json.Marshal(t)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("encode trip: %w", err)
		}
		return t, ev, body, nil
	}
	earlyTrip, earlyEv, earlyBody, earlyErr := declare()

	t, answer, err := writeIdempotentJSON(ctx, db, p, func(ctx context.Context, tx *wtx) (*cuakhau.Trip, []byte, error) {
		t, ev, body, declErr := earlyTrip, earlyEv, earlyBody, earlyErr
		for attempt := 1; ; attempt++ {
			if declErr != nil {
				return nil, nil, declErr
			}
			taken, err := db.insertTrip(ctx, tx, t, body, cg.loc)
			if err != nil {
				return nil, nil, err
			}
			if !taken {
				break
			}
			if attempt == codeAttempts {
				return nil, nil, fmt.Errorf("trip codes drawn %d times in a row are taken, the last %s", attempt, t.Code)
			}
			t, ev, body, declErr = declare()
		}
		if err := db.appendEvent(ctx, tx, ev); err != nil {
			return nil, nil, err
		}
		// The stored answer is the trip: body is its encoding.
		return t, body, nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("declare trip: %w", err)
	}
	db.recent.store(t)
	return t, answer, nil
}

// insertTrip stores a new trip's projection, unless its code is taken:
// then it stores nothing and reports taken. ON CONFLICT DO NOTHING rather
// than catching the unique violation, because on PostgreSQL a failed
// statement would abort the whole batch's transaction. loc is the trip's
// gate's zone, in which declared_day is counted; nil means Vietnam's.
func (db *DB) insertTrip(ctx context.Context, tx *wtx, t *cuakhau.Trip, body []byte, loc *time.Location) (taken bool, err error) {
	if loc == nil {
		loc = vietnam
	}
	r := tripRowOf(t, loc)
	res, err := tx.exec(ctx, `INSERT INTO trips (id, code, gate, direction, status, plate, tax_code, declared_at, declared_day, updated_at, version, body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING`,
		t.ID, r.code, r.gate, r.direction, r.status, r.plate, r.taxCode, r.declaredAt, r.declaredDay, r.updatedAt, r.version, db.dialect.jsonArg(packTrip(t, body)))
	if err != nil {
		return false, fmt.Errorf("insert trip: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("insert trip: %w", err)
	}
	return n == 0, nil
}

// tripRow is a trip's columns but its id and body, which its projection
// sets; loc is its gate's zone, in which declared_day is counted.
type tripRow struct {
	code, gate, direction, status, plate, taxCode, declaredAt, declaredDay, updatedAt string
	version                                                                           int
}

func tripRowOf(t *cuakhau.Trip, loc *time.Location) tripRow {
	return tripRow{code: t.Code, gate: t.Gate, direction: string(t.Direction), status: string(t.Status), plate: t.Vehicle.Plate,
		taxCode: t.Enterprise.TaxCode, declaredAt: formatTime(t.DeclaredAt), declaredDay: t.DeclaredAt.In(loc).Format(time.DateOnly),
		updatedAt: formatTime(t.UpdatedAt), version: t.Version}
}

// Decide records a checkpoint decision, a device reading, a cancellation or
// a no-show on a trip: the event and the new projection are stored together,
// and the answer comes once they are committed.
//
// Most of the work is done before the write, on the caller's goroutine:
// reading and decoding the trip, flow.Apply, encoding the new projection.
// Inside the write — the one goroutine every write waits for — only the
// trip's version is read (locking its row on PostgreSQL); if it is still the
// version the early work started from, that work is used as it is, and
// otherwise it is done again on the trip as it now stands. The event's time
// is the time the request was taken up, read once.
func (db *DB) Decide(ctx context.Context, p cuakhau.Principal, tripID string, d cuakhau.Decision) (*cuakhau.DecisionResult, error) {
	res, _, err := db.decide(ctx, p, tripID, d)
	return res, err
}

// DecideJSON is Decide answering also with the result's JSON encoding
// (exactly json.Marshal of the result), which the store has made anyway for
// the idempotency record: the API sends it as it is.
func (db *DB) DecideJSON(ctx context.Context, p cuakhau.Principal, tripID string, d cuakhau.Decision) (*cuakhau.DecisionResult, []byte, error) {
	res, b, err := db.decide(ctx, p, tripID, d)
	if err == nil && b == nil {
		b, err = json.Marshal(res)
	}
	return res, b, err
}

func (db *DB) decide(ctx context.Context, p cuakhau.Principal, tripID string, d cuakhau.Decision) (*cuakhau.DecisionResult, []byte, error) {
	early, err := db.visibleTrip(ctx, p, tripID)
	if err != nil {
		return nil, nil, fmt.Errorf("decide trip %s: %w", tripID, err)
	}
	cg, ok, err := db.cachedGate(ctx, early.Gate)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, fmt.Errorf("decide trip %s: gate %s is not in the catalogue", tripID, early.Gate)
	}
	now := db.now()
	apply := func(t *cuakhau.Trip) (*cuakhau.Trip, *cuakhau.Event, []byte, error) {
		next, ev, err := flow.Apply(cg.gate, t, p, d, now)
		if err != nil {
			return nil, nil, nil, err
		}
		body, err := json.Marshal(next)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("encode trip: %w", err)
		}
		return next, ev, body, nil
	}
	earlyNext, earlyEv, earlyBody, earlyErr := apply(early)

	res, answer, err := writeIdempotentJSON(ctx, db, p, func(ctx context.Context, tx *wtx) (*cuakhau.DecisionResult, []byte, error) {
		prev, next, ev, body, applyErr := early.Version, earlyNext, earlyEv, earlyBody, earlyErr
		before := early
		// Most often the trip is still as read early: the update that
		// checks its version is then the only statement on it (it takes
		// the row's lock on PostgreSQL, before the log head's, as every
		// write does). A refused decision stands only if the trip has not
		// changed since.
		var current bool
		if applyErr == nil {
			ok, err := db.updateTripIf(ctx, tx, next, body, prev)
			if err != nil {
				return nil, nil, err
			}
			current = ok
		} else {
			var version int
			err := tx.queryRow(ctx, `SELECT version FROM trips WHERE id = ?`+db.dialect.forUpdate(), tripID).Scan(&version)
			if err != nil {
				return nil, nil, fmt.Errorf("read trip version: %w", err)
			}
			current = version == early.Version
		}
		if !current {
			// Changed since the early read: start again from the trip as
			// it stands, under its lock.
			t, err := db.lockTrip(ctx, tx, tripID)
			if err != nil {
				return nil, nil, err
			}
			prev, before = t.Version, t
			next, ev, body, applyErr = apply(t)
			if applyErr != nil {
				return nil, nil, applyErr
			}
			if err := db.updateTrip(ctx, tx, next, body, prev); err != nil {
				return nil, nil, err
			}
		} else if applyErr != nil {
			return nil, nil, applyErr
		}
		if err := db.appendEvent(ctx, tx, ev); err != nil {
			return nil, nil, err
		}
		if err := db.afterDecision(ctx, tx, before, next, now); err != nil {
			return nil, nil, err
		}
		if next.Status == cuakhau.StatusCrossed && before.Status != cuakhau.StatusCrossed {
			if err := db.issueReceipt(ctx, tx, next, cg.loc); err != nil {
				return nil, nil, err
			}
			if err := db.countCrossing(ctx, tx, next, cg.loc); err != nil {
				return nil, nil, err
			}
		}
		if next.SoldOff && !before.SoldOff {
			if err := db.countSoldOff(ctx, tx, next, cg.loc); err != nil {
				return nil, nil, err
			}
		}
		res := &cuakhau.DecisionResult{Event: ev, Trip: next}
		return res, decisionJSON(ev, body), nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("decide trip %s: %w", tripID, err)
	}
	db.recent.store(res.Trip)
	return res, answer, nil
}

// decisionJSON is json.Marshal(&cuakhau.DecisionResult{Event: ev, Trip: t})
// given body, json.Marshal(t): only the event, which the append has just
// completed, is encoded here. nil if the event does not encode.
func decisionJSON(ev *cuakhau.Event, body []byte) []byte {
	evJSON, err := json.Marshal(ev)
	if err != nil {
		return nil // json.Marshal of the whole reports it
	}
	b := make([]byte, 0, len(`{"event":,"trip":}`)+len(evJSON)+len(body))
	b = append(b, `{"event":`...)
	b = append(b, evJSON...)
	b = append(b, `,"trip":`...)
	b = append(b, body...)
	return append(b, '}')
}

// updateTrip stores a trip's new projection. The version check is a second
// line of defence: the row is already locked (PostgreSQL) or the database
// is (SQLite), so it never fails unless another writer bypassed the lock.
func (db *DB) updateTrip(ctx context.Context, tx *wtx, t *cuakhau.Trip, body []byte, prevVersion int) error {
	ok, err := db.updateTripIf(ctx, tx, t, body, prevVersion)
	if err == nil && !ok {
		err = cuakhau.Errorf(cuakhau.ECONFLICT, "trip %s changed while this decision was recorded; try again", t.Code)
	}
	return err
}

// updateTripIf stores t's projection if the stored trip is still at
// prevVersion, and reports whether it was.
func (db *DB) updateTripIf(ctx context.Context, tx *wtx, t *cuakhau.Trip, body []byte, prevVersion int) (bool, error) {
	move := ""
	if t.Status.Final() {
		move = db.dialect.moveTripToEnd()
	}
	res, err := tx.exec(ctx, `UPDATE trips SET status = ?, updated_at = ?, version = ?, body = ?`+move+` WHERE id = ? AND version = ?`,
		string(t.Status), formatTime(t.UpdatedAt), t.Version, db.dialect.jsonArg(packTrip(t, body)), t.ID, prevVersion)
	if err != nil {
		return false, fmt.Errorf("update trip: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("update trip: %w", err)
	}
	return n == 1, nil
}

// readTrip reads a trip's projection from the read pool, with a statement
// prepared once: the pure-Go SQLite spends more time parsing this query than
// running it.
func (db *DB) readTrip(ctx context.Context, id string) (*cuakhau.Trip, error) {
	stmt, err := db.tripByIDStmt(ctx)
	if err != nil {
		return nil, err
	}
	var body storedJSON
	err = stmt.QueryRowContext(ctx, id).Scan(&body)
	return decodeTrip(id, body.doc, err)
}

func (db *DB) tripByIDStmt(ctx context.Context) (*sql.Stmt, error) {
	db.tripByIDMu.Lock()
	defer db.tripByIDMu.Unlock()
	if db.tripByID == nil {
		s, err := db.read.PrepareContext(ctx, db.q(`SELECT body FROM trips WHERE id = ?`))
		if err != nil {
			return nil, fmt.Errorf("prepare trip query: %w", err)
		}
		db.tripByID = s
	}
	return db.tripByID, nil
}

// visibleTrip returns the trip for the first, optimistic step of a write
// (see earlyTrip), or EFORBIDDEN when p may not see it. A trip's enterprise
// and gate never change, so the check is final.
func (db *DB) visibleTrip(ctx context.Context, p cuakhau.Principal, id string) (*cuakhau.Trip, error) {
	t, err := db.earlyTrip(ctx, id)
	if err != nil {
		return nil, err
	}
	if !p.CanSeeTrip(t.Enterprise.TaxCode, t.Gate) {
		return nil, forbiddenTrip(t)
	}
	return t, nil
}

// earlyTrip returns the trip for the optimistic first step of a write: the
// recently written projection if the cache has it (see tripCache), else
// the stored one. The write itself checks the version.
func (db *DB) earlyTrip(ctx context.Context, id string) (*cuakhau.Trip, error) {
	if t := db.recent.get(id); t != nil {
		return t, nil
	}
	t, err := db.readTrip(ctx, id)
	if err != nil {
		return nil, err
	}
	db.recent.store(t)
	return t, nil
}

// decodeTrip decodes a trip's body as a storedJSON scans it, or returns
// the scan's error: not found for no row.
func decodeTrip(id string, body []byte, err error) (*cuakhau.Trip, error) {
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cuakhau.Errorf(cuakhau.ENOTFOUND, "trip %q not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("read trip: %w", err)
	}
	t := new(cuakhau.Trip)
	if err := json.Unmarshal(body, t); err != nil {
		return nil, fmt.Errorf("decode trip %s: %w", id, err)
	}
	return t, nil
}

func forbiddenTrip(t *cuakhau.Trip) error {
	return cuakhau.Errorf(cuakhau.EFORBIDDEN, "this token may not see trip %s", t.ID)
}

// Trip returns a trip the principal may see: ENOTFOUND for an unknown id,
// EFORBIDDEN for another enterprise's trip or another gate's.
func (db *DB) Trip(ctx context.Context, p cuakhau.Principal, id string) (_ *cuakhau.Trip, err error) {
	defer markFault(&err)
	t, err := db.readTrip(ctx, id)
	if err != nil {
		return nil, err
	}
	if !p.CanSeeTrip(t.Enterprise.TaxCode, t.Gate) {
		return nil, forbiddenTrip(t)
	}
	return t, nil
}

// TripEvents returns a trip's events in log order, under the rules of Trip.
func (db *DB) TripEvents(ctx context.Context, p cuakhau.Principal, id string) (_ []*cuakhau.Event, err error) {
	defer markFault(&err)
	if _, err := db.Trip(ctx, p, id); err != nil {
		return nil, err
	}
	events, err := db.tripEvents(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("events of trip %s: %w", id, err)
	}
	return events, nil
}

// Trips returns the trips that match f and that p may see, oldest
// declaration first, ordered by (declared_at, id). A page ends at f.Limit
// (default 100, at most 1000); the next page is asked for with After set to
// the id of the last trip of this one, and starts right after that trip. An
// After that names no trip gives an empty page. A code is read as typed
// (flow.ParseCode), a plate as ident.ParsePlate reads it; Open leaves out
// the trips that have ended.
//
// Scoping: an enterprise principal sees only its own tax code, and asking for
// another is EFORBIDDEN; an officer bound to a gate sees only that gate, and
// asking for another is EFORBIDDEN; admins and viewers see everything.
func (db *DB) Trips(ctx context.Context, p cuakhau.Principal, f cuakhau.TripFilter) (_ []*cuakhau.Trip, err error) {
	defer markFault(&err)
	bad := cuakhau.FieldErrors{}
	if f.Gate != "" {
		if _, ok, err := db.cachedGate(ctx, f.Gate); err != nil {
			return nil, err
		} else if !ok {
			bad.Add("gate", fmt.Sprintf("unknown gate %q", f.Gate))
		}
	}
	if f.Status != "" && !f.Status.Valid() {
		bad.Add("status", fmt.Sprintf("unknown status %q", f.Status))
	}
	if f.Code != "" {
		var err error
		if f.Code, err = flow.ParseCode(f.Code); err != nil {
			bad.Add("code", err.Error())
		}
	}
	if f.Plate != "" {
		pl, err := ident.ParsePlate(f.Plate)
		if err != nil {
			bad.Add("plate", err.Error())
		} else {
			f.Plate = pl.Canonical
		}
	}
	if f.Date != "" {
		if _, err := time.Parse(time.DateOnly, f.Date); err != nil {
			bad.Add("date", "must be a date, YYYY-MM-DD")
		}
	}
	if f.TaxCode != "" {
		tc, err := ident.ParseTaxCode(f.TaxCode)
		if err != nil {
			bad.Add("tax_code", err.Error())
		} else {
			f.TaxCode = tc
		}
	}
	switch {
	case f.Limit < 0:
		bad.Add("limit", "must not be negative")
	case f.Limit == 0:
		f.Limit = defaultTripLimit
	case f.Limit > maxTripLimit:
		f.Limit = maxTripLimit
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}

	taxCode, gate, err := p.TripScope(f.TaxCode, f.Gate)
	if err != nil {
		return nil, err
	}
	f.TaxCode, f.Gate = taxCode, gate

	var where []string
	var args []any
	add := func(cond string, arg any) {
		where = append(where, cond)
		args = append(args, arg)
	}
	if f.Gate != "" {
		add("gate = ?", f.Gate)
	}
	if f.Status != "" {
		add("status = ?", string(f.Status))
	}
	if f.Code != "" {
		add("code = ?", f.Code)
	}
	if f.Plate != "" {
		add("plate = ?", f.Plate)
	}
	if f.Open {
		for _, st := range cuakhau.Statuses {
			if st.Final() {
				add("status <> ?", string(st))
			}
		}
	}
	if f.Date != "" {
		add("declared_day = ?", f.Date)
	}
	if f.TaxCode != "" {
		add("tax_code = ?", f.TaxCode)
	}
	if f.After != "" {
		add("(declared_at, id) > (SELECT declared_at, id FROM trips WHERE id = ?)", f.After)
	}
	query := `SELECT body FROM trips`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	query += ` ORDER BY declared_at, id LIMIT ?`
	args = append(args, f.Limit)

	rows, err := db.read.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("list trips: %w", err)
	}
	defer rows.Close()
	trips := []*cuakhau.Trip{}
	for rows.Next() {
		var body storedJSON
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("list trips: %w", err)
		}
		t := new(cuakhau.Trip)
		if err := json.Unmarshal(body.doc, t); err != nil {
			return nil, fmt.Errorf("list trips: decode: %w", err)
		}
		trips = append(trips, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list trips: %w", err)
	}
	return trips, nil
}
