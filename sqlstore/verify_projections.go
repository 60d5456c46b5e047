package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/flow"
)

// RowDiff is one way a stored projection differs from what its log
// rebuilds: a field of a row, or a row that one side has and the other not.
type RowDiff struct {
	// Table is trips, bookings, waiting, gate_controls or outbox; events
	// for an entry that does not rebuild at all.
	Table string
	// Key names the row: a trip id, a gate code, or a message id; for
	// events, gate/seq.
	Key string
	// Field is a column, or body.<path> for a field of a trip's or a gate's
	// JSON body; empty when a whole row is missing or extra.
	Field string
	// Stored and Rebuilt are the two values (a row's absence is "(none)").
	// For events, Rebuilt says why the entry did not rebuild.
	Stored, Rebuilt string
}

func (d RowDiff) String() string {
	switch {
	case d.Table == "events":
		return fmt.Sprintf("events %s: %s", d.Key, d.Rebuilt)
	case d.Field == "" && d.Stored == none:
		return fmt.Sprintf("%s %s: missing; the log has it", d.Table, d.Key)
	case d.Field == "":
		return fmt.Sprintf("%s %s: stored, but the log has no such row", d.Table, d.Key)
	}
	return fmt.Sprintf("%s %s: %s is %s, the log gives %s", d.Table, d.Key, d.Field, d.Stored, d.Rebuilt)
}

const none = "(none)"

// VerifyProjections rebuilds every projection the API serves — trips,
// bookings, the waiting area, gate controls and the outbox — from the log,
// with the transitions and row builders the store writes them with
// (flow.Project, flow.Replayer, bookingEnd, eventNotices, …), and compares
// them with the stored rows from the same snapshot. It returns each
// difference, by table and row; none means every row is what the log says.
//
// The outbox's delivery columns (attempts, next_at, delivered_at,
// last_error) are the dispatcher's and are not compared; nor is the text of
// a shelf-life hold notice, which quotes a predicted wait the log does not
// keep. The log's own integrity is VerifyLog's; a log that does not chain
// rebuilds into differences too.
//
// It keeps the rebuilt projections in memory: about 2 KB a trip.
func (db *DB) VerifyProjections(ctx context.Context) ([]RowDiff, error) {
	codes, err := db.GateCodes(ctx)
	if err != nil {
		return nil, fmt.Errorf("verify projections: %w", err)
	}
	gates := map[string]cachedGate{}
	for _, c := range codes {
		if gates[c], err = db.gateOf(ctx, c); err != nil {
			return nil, fmt.Errorf("verify projections: %w", err)
		}
	}
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return nil, fmt.Errorf("verify projections: %w", err)
	}
	defer tx.Rollback()
	r := newRebuild(gates)
	rows, err := tx.QueryContext(ctx, `SELECT `+eventColumns+` FROM events ORDER BY gate, seq`)
	if err != nil {
		return nil, fmt.Errorf("verify projections: read log: %w", err)
	}
	for rows.Next() {
		ev, _, err := scanEventRow(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("verify projections: read log: %w", err)
		}
		r.add(ev)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("verify projections: read log: %w", err)
	}
	for _, check := range []func(context.Context, *sql.Tx) error{r.checkTrips, r.checkBookings, r.checkWaiting, r.checkControls, r.checkOutbox} {
		if err := check(ctx, tx); err != nil {
			return nil, fmt.Errorf("verify projections: %w", err)
		}
	}
	return r.diffs, nil
}

// rebuild is the projections rebuilt so far from the log.
type rebuild struct {
	gates map[string]cachedGate
	trips map[string]*cuakhau.Trip
	// onTheirWay holds, per gate, the trips an advisory would tell now.
	onTheirWay map[string]map[string]bool
	bookings   map[string]bookingRow
	waiting    *flow.Replayer
	controls   map[string]json.RawMessage
	outbox     map[string]outboxRow
	// unverifiedText holds the outbox ids whose text the log cannot rebuild.
	unverifiedText map[string]bool
	diffs          []RowDiff
}

type bookingRow struct {
	gate, direction, windowStart, windowEnd, state, bookedAt, endedAt string
}

func newRebuild(gates map[string]cachedGate) *rebuild {
	return &rebuild{gates: gates, trips: map[string]*cuakhau.Trip{}, onTheirWay: map[string]map[string]bool{}, bookings: map[string]bookingRow{}, waiting: flow.NewReplayer(),
		controls: map[string]json.RawMessage{}, outbox: map[string]outboxRow{}, unverifiedText: map[string]bool{}}
}

func (r *rebuild) differ(table, key, field, stored, rebuilt string) {
	r.diffs = append(r.diffs, RowDiff{Table: table, Key: key, Field: field, Stored: stored, Rebuilt: rebuilt})
}

// add applies the next event of its gate's log.
func (r *rebuild) add(ev *cuakhau.Event) {
	// The waiting area is rebuilt by replay's rules; its findings about
	// calls are `cuakhau queue replay`'s to report.
	r.waiting.Add(ev)
	cg, known := r.gates[ev.Gate]
	switch {
	case ev.TripID == "" && ev.Type == cuakhau.EventControls:
		r.controls[ev.Gate] = ev.Data
		return
	case ev.TripID == "" && ev.Type == cuakhau.EventAdvisory:
		r.advisory(ev)
		return
	case ev.TripID == "":
		return
	}
	prev := r.trips[ev.TripID]
	var g *cuakhau.Gate
	if known {
		g = cg.gate
	}
	next, err := flow.Project(g, prev, ev)
	if err != nil {
		r.differ("events", fmt.Sprintf("%s/%d", ev.Gate, ev.Seq), "", "", err.Error())
		return
	}
	r.trips[next.ID] = next
	way := r.onTheirWay[next.Gate]
	if way == nil {
		way = map[string]bool{}
		r.onTheirWay[next.Gate] = way
	}
	if onTheirWay(next.Status) {
		way[next.ID] = true
	} else {
		delete(way, next.ID)
	}
	r.booking(ev, prev, next)
	if known {
		for _, n := range eventNotices(ev, next, cg.loc) {
			r.notice(ev, next, n, true)
		}
	}
}

// booking applies an event to its trip's booking row, as the store's
// writes do: a booking or a move puts an active row for the event's window,
// a cancelled booking deletes it, an arrival uses it, and a decision ends it
// as bookingEnd says.
func (r *rebuild) booking(ev *cuakhau.Event, prev, next *cuakhau.Trip) {
	at := formatTime(ev.At)
	b, ok := r.bookings[next.ID]
	switch ev.Type {
	case cuakhau.EventBooked, cuakhau.EventBookingMoved:
		var d flow.BookingData
		if json.Unmarshal(ev.Data, &d) == nil { // flow.Project has read it already
			r.bookings[next.ID] = bookingRow{gate: next.Gate, direction: string(next.Direction), windowStart: formatTime(d.WindowStart),
				windowEnd: formatTime(d.WindowEnd), state: "active", bookedAt: at}
		}
	case cuakhau.EventBookingCancelled:
		delete(r.bookings, next.ID)
	case cuakhau.EventArrived:
		if ok && b.state == "active" {
			b.state, b.endedAt = "used", at
			r.bookings[next.ID] = b
		}
	case cuakhau.EventDeclared:
	default:
		state, change := bookingEnd(prev.Status, next.Status)
		switch {
		case !change || !ok || b.state != "active":
		case state == "":
			delete(r.bookings, next.ID)
		default:
			b.state, b.endedAt = state, at
			r.bookings[next.ID] = b
		}
	}
}

// advisory adds the notices an advisory event sent: to the trips it told
// to hold at origin for their shelf life, or, for an advisory in force, to
// every trip of the gate still on its way.
func (r *rebuild) advisory(ev *cuakhau.Event) {
	var rec advisoryData
	if err := json.Unmarshal(ev.Data, &rec); err != nil {
		r.differ("events", fmt.Sprintf("%s/%d", ev.Gate, ev.Seq), "", "", "the advisory's data cannot be read: "+err.Error())
		return
	}
	if rec.ShelfLifeHold {
		for _, id := range rec.Told {
			if t := r.trips[id]; t != nil {
				r.notice(ev, t, notice{kind: cuakhau.NotifyAdvisory}, false)
			}
		}
		return
	}
	if !rec.Active {
		return
	}
	for id := range r.onTheirWay[ev.Gate] {
		r.notice(ev, r.trips[id], notice{cuakhau.NotifyAdvisory, advisoryText(rec.AdvisoryRecord)}, true)
	}
}

func (r *rebuild) notice(ev *cuakhau.Event, t *cuakhau.Trip, n notice, textKnown bool) {
	m, err := outboxRowOf(ev, t, n.kind, n.text)
	if err != nil {
		r.differ("events", fmt.Sprintf("%s/%d", ev.Gate, ev.Seq), "", "", "its notice cannot be built: "+err.Error())
		return
	}
	r.outbox[m.id] = m
	if !textKnown {
		r.unverifiedText[m.id] = true
	}
}

// field compares one field of a row.
func (r *rebuild) field(table, key, field, stored, rebuilt string) {
	if stored != rebuilt {
		r.differ(table, key, field, stored, rebuilt)
	}
}

// missing reports the rebuilt rows that were not stored, by key.
func (r *rebuild) missing(table string, keys []string) {
	slices.Sort(keys)
	for _, k := range keys {
		r.differ(table, k, "", none, "")
	}
}

func (r *rebuild) checkTrips(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, code, gate, direction, status, plate, tax_code, declared_at, declared_day, updated_at, version, body FROM trips ORDER BY id`)
	if err != nil {
		return fmt.Errorf("read trips: %w", err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var id, body string
		var s tripRow
		if err := rows.Scan(&id, &s.code, &s.gate, &s.direction, &s.status, &s.plate, &s.taxCode, &s.declaredAt, &s.declaredDay,
			&s.updatedAt, &s.version, &body); err != nil {
			return fmt.Errorf("read trips: %w", err)
		}
		seen[id] = true
		t := r.trips[id]
		if t == nil {
			r.differ("trips", id, "", "", none)
			continue
		}
		loc := vietnam
		if cg, ok := r.gates[t.Gate]; ok && cg.loc != nil {
			loc = cg.loc
		}
		w := tripRowOf(t, loc)
		r.field("trips", id, "code", s.code, w.code)
		r.field("trips", id, "gate", s.gate, w.gate)
		r.field("trips", id, "direction", s.direction, w.direction)
		r.field("trips", id, "status", s.status, w.status)
		r.field("trips", id, "plate", s.plate, w.plate)
		r.field("trips", id, "tax_code", s.taxCode, w.taxCode)
		r.field("trips", id, "declared_at", s.declaredAt, w.declaredAt)
		r.field("trips", id, "declared_day", s.declaredDay, w.declaredDay)
		r.field("trips", id, "updated_at", s.updatedAt, w.updatedAt)
		r.field("trips", id, "version", strconv.Itoa(s.version), strconv.Itoa(w.version))
		want, err := json.Marshal(t)
		if err != nil {
			return fmt.Errorf("encode trip %s: %w", id, err)
		}
		r.body("trips", id, []byte(body), want)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read trips: %w", err)
	}
	var lost []string
	for id := range r.trips {
		if !seen[id] {
			lost = append(lost, id)
		}
	}
	r.missing("trips", lost)
	return nil
}

// body compares two JSON documents field by field, naming each leaf that
// differs by its path under body.
func (r *rebuild) body(table, key string, stored, rebuilt []byte) {
	if bytes.Equal(stored, rebuilt) {
		return
	}
	s, w := map[string]string{}, map[string]string{}
	if err := flatten(stored, "body", s); err != nil {
		r.differ(table, key, "body", "not JSON: "+err.Error(), "a JSON document")
		return
	}
	if err := flatten(rebuilt, "body", w); err != nil {
		r.differ(table, key, "body", "a JSON document", "not JSON: "+err.Error())
		return
	}
	for _, p := range slices.Sorted(maps.Keys(s)) {
		if v, ok := w[p]; !ok {
			r.differ(table, key, p, s[p], "absent")
		} else if v != s[p] {
			r.differ(table, key, p, s[p], v)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(w)) {
		if _, ok := s[p]; !ok {
			r.differ(table, key, p, "absent", w[p])
		}
	}
}

// flatten puts each leaf of a JSON document into out under its path
// (a.b[2].c), as compact JSON.
func flatten(doc []byte, prefix string, out map[string]string) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	var walk func(string, any)
	walk = func(p string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(p+"."+k, e)
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", p, i), e)
			}
			if len(x) == 0 {
				out[p] = "[]"
			}
		default:
			b, _ := json.Marshal(x)
			out[p] = string(b)
		}
	}
	walk(prefix, v)
	return nil
}

func (r *rebuild) checkBookings(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT trip_id, gate, direction, window_start, window_end, state, booked_at, ended_at FROM bookings ORDER BY trip_id`)
	if err != nil {
		return fmt.Errorf("read bookings: %w", err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var id string
		var s bookingRow
		if err := rows.Scan(&id, &s.gate, &s.direction, &s.windowStart, &s.windowEnd, &s.state, &s.bookedAt, &s.endedAt); err != nil {
			return fmt.Errorf("read bookings: %w", err)
		}
		seen[id] = true
		w, ok := r.bookings[id]
		if !ok {
			r.differ("bookings", id, "", "", none)
			continue
		}
		r.field("bookings", id, "gate", s.gate, w.gate)
		r.field("bookings", id, "direction", s.direction, w.direction)
		r.field("bookings", id, "window_start", s.windowStart, w.windowStart)
		r.field("bookings", id, "window_end", s.windowEnd, w.windowEnd)
		r.field("bookings", id, "state", s.state, w.state)
		r.field("bookings", id, "booked_at", s.bookedAt, w.bookedAt)
		r.field("bookings", id, "ended_at", s.endedAt, w.endedAt)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read bookings: %w", err)
	}
	var lost []string
	for id := range r.bookings {
		if !seen[id] {
			lost = append(lost, id)
		}
	}
	r.missing("bookings", lost)
	return nil
}

func (r *rebuild) checkWaiting(ctx context.Context, tx *sql.Tx) error {
	want := map[string]waitingRow{}
	for _, g := range slices.Sorted(maps.Keys(r.gates)) {
		for _, w := range r.waiting.Waiting(g) {
			var d cuakhau.Direction
			if t := r.trips[w.ID]; t != nil {
				d = t.Direction
			}
			want[w.ID] = waitingRowOf(w, g, d)
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT trip_id, gate, direction, seq, arrived_at, booked, window_start, window_end, spoils_at, priority, fifo_turn FROM waiting ORDER BY trip_id`)
	if err != nil {
		return fmt.Errorf("read waiting area: %w", err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var id string
		var s waitingRow
		if err := rows.Scan(&id, &s.gate, &s.direction, &s.seq, &s.arrivedAt, &s.booked, &s.windowStart, &s.windowEnd, &s.spoilsAt,
			&s.priority, &s.fifoTurn); err != nil {
			return fmt.Errorf("read waiting area: %w", err)
		}
		seen[id] = true
		w, ok := want[id]
		if !ok {
			r.differ("waiting", id, "", "", none)
			continue
		}
		r.field("waiting", id, "gate", s.gate, w.gate)
		r.field("waiting", id, "direction", s.direction, w.direction)
		r.field("waiting", id, "seq", strconv.FormatInt(s.seq, 10), strconv.FormatInt(w.seq, 10))
		r.field("waiting", id, "arrived_at", s.arrivedAt, w.arrivedAt)
		r.field("waiting", id, "booked", strconv.Itoa(s.booked), strconv.Itoa(w.booked))
		r.field("waiting", id, "window_start", s.windowStart, w.windowStart)
		r.field("waiting", id, "window_end", s.windowEnd, w.windowEnd)
		r.field("waiting", id, "spoils_at", s.spoilsAt, w.spoilsAt)
		r.field("waiting", id, "priority", strconv.Itoa(s.priority), strconv.Itoa(w.priority))
		r.field("waiting", id, "fifo_turn", s.fifoTurn, w.fifoTurn)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read waiting area: %w", err)
	}
	var lost []string
	for id := range want {
		if !seen[id] {
			lost = append(lost, id)
		}
	}
	r.missing("waiting", lost)
	return nil
}

// checkControls compares each gate's stored controls with the data of its
// latest controls event, which is the body the store wrote with it.
func (r *rebuild) checkControls(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT gate, body FROM gate_controls ORDER BY gate`)
	if err != nil {
		return fmt.Errorf("read gate controls: %w", err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var gate, body string
		if err := rows.Scan(&gate, &body); err != nil {
			return fmt.Errorf("read gate controls: %w", err)
		}
		seen[gate] = true
		w, ok := r.controls[gate]
		if !ok {
			r.differ("gate_controls", gate, "", "", none)
			continue
		}
		r.body("gate_controls", gate, []byte(body), w)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read gate controls: %w", err)
	}
	var lost []string
	for g := range r.controls {
		if !seen[g] {
			lost = append(lost, g)
		}
	}
	r.missing("gate_controls", lost)
	return nil
}

func (r *rebuild) checkOutbox(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, kind, gate, trip_id, phone, text, data, created_at FROM outbox ORDER BY id`)
	if err != nil {
		return fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var s outboxRow
		var data sql.NullString
		if err := rows.Scan(&s.id, &s.kind, &s.gate, &s.tripID, &s.phone, &s.text, &data, &s.createdAt); err != nil {
			return fmt.Errorf("read outbox: %w", err)
		}
		s.data = data.String
		seen[s.id] = true
		w, ok := r.outbox[s.id]
		if !ok {
			r.differ("outbox", s.id, "", "", none)
			continue
		}
		r.field("outbox", s.id, "kind", s.kind, w.kind)
		r.field("outbox", s.id, "gate", s.gate, w.gate)
		r.field("outbox", s.id, "trip_id", s.tripID, w.tripID)
		r.field("outbox", s.id, "phone", s.phone, w.phone)
		if !r.unverifiedText[s.id] {
			r.field("outbox", s.id, "text", s.text, w.text)
		}
		r.field("outbox", s.id, "data", s.data, w.data)
		r.field("outbox", s.id, "created_at", s.createdAt, w.createdAt)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read outbox: %w", err)
	}
	var lost []string
	for id := range r.outbox {
		if !seen[id] {
			lost = append(lost, id)
		}
	}
	r.missing("outbox", lost)
	return nil
}
