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
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/flow"
	"github.com/cuakhau/cuakhau/notice"
)

// RowDiff is one way a stored projection differs from what its log
// rebuilds: a field of a row, or a row that one side has and the other not.
type RowDiff struct {
	// Table is trips, bookings, waiting, gate_controls, outbox or
	// outbox_pruned (more messages gone than were pruned); events
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
// bookings, the waiting area, gate controls, the outbox, the fee
// receipts and the live statistics — from the log,
// with the transitions and row builders the store writes them with
// (flow.Project, flow.Replayer, bookingEnd, notice.Of, …), and compares
// them with the stored rows from the same snapshot. It returns each
// difference, by table and row; none means every row is what the log says.
//
// The outbox's delivery columns (attempts, next_at, delivered_at,
// last_error) are the dispatcher's and are not compared; nor is the text of
// a shelf-life hold notice logged before its event kept the predicted wait
// the notice quotes. The log's own integrity is VerifyLog's; a log that does not chain
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
	var chain chainLinker
	for rows.Next() {
		ev, _, err := scanEventRow(rows, false)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("verify projections: read log: %w", err)
		}
		chain.link(ev)
		r.add(ev)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("verify projections: read log: %w", err)
	}
	for _, check := range []func(context.Context, *sql.Tx) error{r.checkTrips, r.checkBookings, r.checkWaiting, r.checkControls, r.checkOutbox, r.checkReceipts, r.checkStats} {
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
	// arrived holds each trip's first arrival (stats.go).
	arrived map[string]time.Time
	diffs   []RowDiff
}

type bookingRow struct {
	gate, direction, windowStart, windowEnd, state, bookedAt, endedAt string
}

func newRebuild(gates map[string]cachedGate) *rebuild {
	return &rebuild{gates: gates, trips: map[string]*cuakhau.Trip{}, onTheirWay: map[string]map[string]bool{}, bookings: map[string]bookingRow{}, waiting: flow.NewReplayer(),
		controls: map[string]json.RawMessage{}, outbox: map[string]outboxRow{}, unverifiedText: map[string]bool{}, arrived: map[string]time.Time{}}
}

func (r *rebuild) differ(table, key, field, stored, rebuilt string) {
	r.diffs = append(r.diffs, RowDiff{Table: table, Key: key, Field: field, Stored: stored, Rebuilt: rebuilt})
}

// add applies the next event of its gate's log.
func (r *rebuild) add(ev *cuakhau.Event) {
	// The waiting area is rebuilt by replay's rules; its findings about
	// calls are `cuakhau queue replay`'s to report.
	r.waiting.Add(ev)
	if _, seen := r.arrived[ev.TripID]; ev.Type == cuakhau.EventArrived && !seen {
		r.arrived[ev.TripID] = ev.At
	}
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
		for _, n := range notice.Of(ev, next, cg.loc) {
			r.notice(ev, next, n, true)
		}
	}
}

// booking applies an event to its trip's booking row, as the store's
// writes do: a booking or a move puts an active row for the event's window,
// a cancelled booking deletes it, a released one ends it as released (a
// trip told to hold at origin), an arrival uses it, and a decision ends it
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
	case cuakhau.EventBookingReleased:
		if ok && b.state == "active" {
			b.state, b.endedAt = "released", at
			r.bookings[next.ID] = b
		}
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
		// A hold logged before its event kept each trip's need cannot have
		// its text rebuilt: the need was a prediction the log did not keep.
		cg, known := r.gates[ev.Gate]
		for _, id := range rec.Told {
			t := r.trips[id]
			if t == nil || !known {
				continue
			}
			need, kept := rec.Needs[id]
			// A held trip that holds a booking gives it up with the hold
			// (sched.HoldOnTheWay), in a booking_released event after this
			// one: the trip as the log stands here is booked.
			var released time.Time
			if t.Status == cuakhau.StatusBooked {
				released = t.Booking.Start
			}
			r.notice(ev, t, notice.ShelfLifeHoldOf(t, flow.SpoilsAt(t), need, released, cg.loc), kept)
		}
		return
	}
	if !rec.Active {
		return
	}
	for id := range r.onTheirWay[ev.Gate] {
		r.notice(ev, r.trips[id], notice.AdvisoryOf(rec.AdvisoryRecord), true)
	}
}

func (r *rebuild) notice(ev *cuakhau.Event, t *cuakhau.Trip, n notice.Notice, textKnown bool) {
	m, err := outboxRowOf(ev, t, n)
	if err != nil {
		r.differ("events", fmt.Sprintf("%s/%d", ev.Gate, ev.Seq), "", "", "its notice cannot be built: "+err.Error())
		return
	}
	r.outbox[m.id] = m
	if !textKnown {
		r.unverifiedText[m.id] = true
	}
}

// fields compares the columns of a row, names[i] being stored[i]'s and
// rebuilt[i]'s.
func (r *rebuild) fields(table, key string, names, stored, rebuilt []string) {
	for i, n := range names {
		if stored[i] != rebuilt[i] {
			r.differ(table, key, n, stored[i], rebuilt[i])
		}
	}
}

// compareTable reads a table with query and compares each row, by the key
// scan returns, with the rebuilt row of that key: a stored row with none is
// extra, and a rebuilt row that was not read is missing.
func compareTable[S, W any](ctx context.Context, tx *sql.Tx, r *rebuild, table, query string, want map[string]W,
	scan func(*sql.Rows) (string, S, error), compare func(key string, stored S, rebuilt W) error) error {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		key, stored, err := scan(rows)
		if err != nil {
			return fmt.Errorf("read %s: %w", table, err)
		}
		seen[key] = true
		rebuilt, ok := want[key]
		if !ok {
			r.differ(table, key, "", "", none)
			continue
		}
		if err := compare(key, stored, rebuilt); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	var lost []string
	for k := range want {
		if !seen[k] {
			lost = append(lost, k)
		}
	}
	slices.Sort(lost)
	for _, k := range lost {
		r.differ(table, k, "", none, "")
	}
	return nil
}

var tripColumns = []string{"code", "gate", "direction", "status", "plate", "tax_code", "declared_at", "declared_day", "updated_at", "version"}

func (t tripRow) values() []string {
	return []string{t.code, t.gate, t.direction, t.status, t.plate, t.taxCode, t.declaredAt, t.declaredDay, t.updatedAt, strconv.Itoa(t.version)}
}

type storedTrip struct {
	row  tripRow
	body storedValue
}

func (r *rebuild) checkTrips(ctx context.Context, tx *sql.Tx) error {
	return compareTable(ctx, tx, r, "trips", `SELECT id, code, gate, direction, status, plate, tax_code, declared_at, declared_day, updated_at, version, body FROM trips ORDER BY id`,
		r.trips, func(rows *sql.Rows) (string, storedTrip, error) {
			var id string
			var s storedTrip
			err := rows.Scan(&id, &s.row.code, &s.row.gate, &s.row.direction, &s.row.status, &s.row.plate, &s.row.taxCode, &s.row.declaredAt,
				&s.row.declaredDay, &s.row.updatedAt, &s.row.version, &s.body)
			return id, s, err
		}, func(id string, s storedTrip, t *cuakhau.Trip) error {
			loc := vietnam
			if cg, ok := r.gates[t.Gate]; ok && cg.loc != nil {
				loc = cg.loc
			}
			r.fields("trips", id, tripColumns, s.row.values(), tripRowOf(t, loc).values())
			want, err := json.Marshal(t)
			if err != nil {
				return fmt.Errorf("encode trip %s: %w", id, err)
			}
			stored, err := unpack(s.body.b)
			if err != nil {
				r.differ("trips", id, "body", "not JSON: "+err.Error(), "a JSON document")
				return nil
			}
			r.body("trips", id, stored, want)
			return nil
		})
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

var bookingColumns = []string{"gate", "direction", "window_start", "window_end", "state", "booked_at", "ended_at"}

func (b bookingRow) values() []string {
	return []string{b.gate, b.direction, b.windowStart, b.windowEnd, b.state, b.bookedAt, b.endedAt}
}

func (r *rebuild) checkBookings(ctx context.Context, tx *sql.Tx) error {
	return compareTable(ctx, tx, r, "bookings", `SELECT trip_id, gate, direction, window_start, window_end, state, booked_at, ended_at FROM bookings ORDER BY trip_id`,
		r.bookings, func(rows *sql.Rows) (string, bookingRow, error) {
			var id string
			var b bookingRow
			err := rows.Scan(&id, &b.gate, &b.direction, &b.windowStart, &b.windowEnd, &b.state, &b.bookedAt, &b.endedAt)
			return id, b, err
		}, func(id string, s, w bookingRow) error {
			r.fields("bookings", id, bookingColumns, s.values(), w.values())
			return nil
		})
}

var waitingColumns = []string{"gate", "direction", "seq", "arrived_at", "booked", "window_start", "window_end", "spoils_at", "priority", "fifo_turn"}

func (w waitingRow) values() []string {
	return []string{w.gate, w.direction, strconv.FormatInt(w.seq, 10), w.arrivedAt, strconv.Itoa(w.booked), w.windowStart, w.windowEnd,
		w.spoilsAt, strconv.Itoa(w.priority), w.fifoTurn}
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
	return compareTable(ctx, tx, r, "waiting", `SELECT trip_id, gate, direction, seq, arrived_at, booked, window_start, window_end, spoils_at, priority, fifo_turn FROM waiting ORDER BY trip_id`,
		want, func(rows *sql.Rows) (string, waitingRow, error) {
			var id string
			var w waitingRow
			err := rows.Scan(&id, &w.gate, &w.direction, &w.seq, &w.arrivedAt, &w.booked, &w.windowStart, &w.windowEnd, &w.spoilsAt, &w.priority, &w.fifoTurn)
			return id, w, err
		}, func(id string, s, w waitingRow) error {
			r.fields("waiting", id, waitingColumns, s.values(), w.values())
			return nil
		})
}

// checkControls compares each gate's stored controls with the data of its
// latest controls event, which is the body the store wrote with it.
func (r *rebuild) checkControls(ctx context.Context, tx *sql.Tx) error {
	return compareTable(ctx, tx, r, "gate_controls", `SELECT gate, body FROM gate_controls ORDER BY gate`,
		r.controls, func(rows *sql.Rows) (string, []byte, error) {
			var gate string
			var body []byte
			err := rows.Scan(&gate, &body)
			return gate, body, err
		}, func(gate string, s []byte, w json.RawMessage) error {
			r.body("gate_controls", gate, s, w)
			return nil
		})
}

var outboxColumns = []string{"kind", "gate", "trip_id", "phone", "text", "data", "created_at"}

func (m outboxRow) values() []string {
	return []string{m.kind, m.gate, m.tripID, m.phone, m.text, m.data, m.createdAt}
}

func (r *rebuild) checkOutbox(ctx context.Context, tx *sql.Tx) error {
	if err := r.forgetPruned(ctx, tx); err != nil {
		return err
	}
	return compareTable(ctx, tx, r, "outbox", `SELECT id, kind, gate, trip_id, phone, text, data, created_at FROM outbox ORDER BY id`,
		r.outbox, func(rows *sql.Rows) (string, outboxRow, error) {
			var m outboxRow
			var data sql.NullString
			err := rows.Scan(&m.id, &m.kind, &m.gate, &m.tripID, &m.phone, &m.text, &data, &m.createdAt)
			m.data = data.String
			return m.id, m, err
		}, func(id string, s, w outboxRow) error {
			if r.unverifiedText[id] {
				s.text = w.text
			}
			// A row written before messages carried their notice (key and
			// arguments) in its data has the data of then; its text is
			// compared all the same, and is what the catalogue renders: the
			// catalogue keeps the Vietnamese of those messages byte for byte
			// (notice.Outbox), so that verify stays as strict for them as for
			// rows written since, rather than comparing keys alone.
			if s.data == w.legacyData {
				s.data = w.data
			}
			r.fields("outbox", id, outboxColumns, s.values(), w.values())
			return nil
		})
}

// forgetPruned drops from the rebuilt outbox the messages that PruneNotices
// deleted: those of a gate made before its outbox_pruned instant and no
// longer stored, as many as it counted. One still stored there (never
// delivered) is compared as any other. When more are missing than were
// pruned, some were lost or deleted by hand: the count differs, and the
// missing messages are each reported, since which were pruned cannot be told.
func (r *rebuild) forgetPruned(ctx context.Context, tx *sql.Tx) error {
	type cut struct {
		before string
		pruned int64
	}
	cuts := map[string]cut{}
	rows, err := tx.QueryContext(ctx, `SELECT gate, pruned_before, pruned FROM outbox_pruned`)
	if err != nil {
		return fmt.Errorf("read outbox_pruned: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var g string
		var c cut
		if err := rows.Scan(&g, &c.before, &c.pruned); err != nil {
			return fmt.Errorf("read outbox_pruned: %w", err)
		}
		cuts[g] = c
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read outbox_pruned: %w", err)
	}
	if len(cuts) == 0 {
		return nil
	}
	kept := map[string]bool{}
	old, err := tx.QueryContext(ctx, `SELECT o.id FROM outbox o JOIN outbox_pruned p ON p.gate = o.gate WHERE o.created_at < p.pruned_before`)
	if err != nil {
		return fmt.Errorf("read outbox: %w", err)
	}
	defer old.Close()
	for old.Next() {
		var id string
		if err := old.Scan(&id); err != nil {
			return fmt.Errorf("read outbox: %w", err)
		}
		kept[id] = true
	}
	if err := old.Err(); err != nil {
		return fmt.Errorf("read outbox: %w", err)
	}
	missing := map[string][]string{}
	for id, m := range r.outbox {
		if c, ok := cuts[m.gate]; ok && m.createdAt < c.before && !kept[id] {
			missing[m.gate] = append(missing[m.gate], id)
		}
	}
	for g, c := range cuts {
		if int64(len(missing[g])) != c.pruned {
			r.differ("outbox_pruned", g, "pruned", strconv.FormatInt(c.pruned, 10), strconv.Itoa(len(missing[g])))
			continue
		}
		for _, id := range missing[g] {
			delete(r.outbox, id)
		}
	}
	return nil
}
