package sqlstore

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cuakhau/cuakhau"
)

// eventColumns are the stored columns of an entry. Its hash is stored as
// its 32 bytes; the hash of the entry before it (Event.PrevHash) is not
// stored, being that entry's: readers of a whole log in order link each
// entry to the one before (chainLinker), others ask for it with
// prevHashColumn.
const eventColumns = `gate, seq, trip_id, type, checkpoint, outcome, channel, note, device, actor, at, status, data, hash`

// prevHashColumn is the hash of the entry before, for a query FROM events e
// that reads eventColumns: NULL for a gate's first entry (and for one whose
// predecessor is missing).
const prevHashColumn = `(SELECT p.hash FROM events p WHERE p.gate = e.gate AND p.seq = e.seq - 1)`

// appendEvent appends ev to its gate's log inside tx: it sets ev.Seq,
// ev.PrevHash and ev.Hash from the gate's head, inserts the entry and adds
// it to the gate's Merkle tree. The
// head is read once per batch — locking its row on PostgreSQL, so that
// appends to one gate are serialised across nodes; SQLite's writer already
// holds the database's write lock — then kept in the batch and written back
// before the commit (wtx.flushHeads).
func (db *DB) appendEvent(ctx context.Context, tx *wtx, ev *cuakhau.Event) error {
	h, ok := tx.heads[ev.Gate]
	if !ok {
		var err error
		if h, err = db.readHead(ctx, tx, ev.Gate); err != nil {
			return err
		}
	}
	ev.Seq = h.seq + 1
	ev.PrevHash = h.hash
	// What is hashed must be what is stored: TimeFormat keeps microseconds.
	ev.At = ev.At.UTC().Truncate(time.Microsecond)
	if len(ev.Data) == 0 {
		ev.Data = nil
	}
	ev.Hash = ev.ComputeHash()
	var data any // NULL when the event carries no data
	if ev.Data != nil {
		data = db.dialect.jsonArg(packEventData(ev.Type, ev.Data))
	}
	hash, err := hex.DecodeString(ev.Hash)
	if err != nil {
		return fmt.Errorf("append event %s/%d: its hash: %w", ev.Gate, ev.Seq, err)
	}
	trip, err := TripKey(ev.TripID)
	if err != nil {
		return fmt.Errorf("append event %s/%d: %w", ev.Gate, ev.Seq, err)
	}
	_, err = tx.exec(ctx, `INSERT INTO events (`+eventColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ev.Gate, ev.Seq, trip, string(ev.Type), ev.Checkpoint, string(ev.Outcome), string(ev.Channel), ev.Note, ev.Device,
		ev.Actor, formatTime(ev.At), string(ev.Status), data, hash)
	if err != nil {
		return fmt.Errorf("append event %s/%d: %w", ev.Gate, ev.Seq, err)
	}
	if err := db.appendLeaf(ctx, tx, ev.Gate, ev.Seq, ev.Hash); err != nil {
		return err
	}
	tx.heads[ev.Gate] = logHead{seq: ev.Seq, hash: ev.Hash}
	tx.dirty[ev.Gate] = true
	return db.advanceState(ctx, tx, ev)
}

// readHead reads and locks a gate's log head, creating it if Seed did not.
// lockGate takes the gate's log head for the rest of the batch before a
// write reads what decides it (the bookings of a window, the gate's last
// advisory): on PostgreSQL a second server node writing to the same gate
// then waits for this transaction and sees its result, so counts checked
// inside a write hold across nodes. (On SQLite the writer holds the whole
// database already.) Appends take the same row, trip rows first.
func (db *DB) lockGate(ctx context.Context, tx *wtx, gate string) error {
	if _, ok := tx.heads[gate]; ok {
		return nil
	}
	h, err := db.readHead(ctx, tx, gate)
	if err != nil {
		return err
	}
	tx.heads[gate] = h
	return nil
}

func (db *DB) readHead(ctx context.Context, tx *wtx, gate string) (logHead, error) {
	q := `SELECT seq, hash FROM log_heads WHERE gate = ?` + db.dialect.forUpdate()
	var h logHead
	err := tx.queryRow(ctx, q, gate).Scan(&h.seq, &h.hash)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := tx.exec(ctx, `INSERT INTO log_heads (gate, seq, hash) VALUES (?, 0, ?) ON CONFLICT (gate) DO NOTHING`,
			gate, cuakhau.GenesisHash); err != nil {
			return h, fmt.Errorf("create log head of gate %s: %w", gate, err)
		}
		err = tx.queryRow(ctx, q, gate).Scan(&h.seq, &h.hash)
	}
	if err != nil {
		return h, fmt.Errorf("read log head of gate %s: %w", gate, err)
	}
	return h, nil
}

// storedHash reads a stored hash as the hex the chain and the API use.
// Whatever is stored is encoded as it is, so that a hash changed to
// another length or type reads as a hash that does not match, not as an
// error that stops a verification.
type storedHash struct {
	hex   string
	valid bool // not NULL
}

func (h *storedHash) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*h = storedHash{}
	case []byte:
		*h = storedHash{hex: hex.EncodeToString(v), valid: true}
	case string:
		*h = storedHash{hex: hex.EncodeToString([]byte(v)), valid: true}
	default:
		return fmt.Errorf("a stored hash is %T, not bytes", v)
	}
	return nil
}

// chainLinker sets each entry's PrevHash from the entry before it, for
// readers of the log in (gate, seq) order: a gate's first entry follows
// GenesisHash; an entry whose predecessor was not read (missing, or before
// the read) gets none.
type chainLinker struct {
	gate string
	seq  int64
	hash string
}

func (c *chainLinker) link(ev *cuakhau.Event) {
	if ev.Gate != c.gate {
		*c = chainLinker{gate: ev.Gate, hash: cuakhau.GenesisHash}
	}
	if ev.Seq == c.seq+1 {
		ev.PrevHash = c.hash
	}
	c.seq, c.hash = ev.Seq, ev.Hash
}

// scanEvent reads one row of eventColumns and, when linked, prevHashColumn
// after them.
func scanEvent(rows *sql.Rows, linked bool) (*cuakhau.Event, error) {
	ev, st, err := scanEventRow(rows, linked)
	if err != nil {
		return nil, err
	}
	if ev.At.IsZero() {
		return nil, fmt.Errorf("event %s/%d: stored time %q is not in cuakhau.TimeFormat", ev.Gate, ev.Seq, st.at)
	}
	if st.dataErr != nil {
		return nil, fmt.Errorf("event %s/%d: data: %w", ev.Gate, ev.Seq, st.dataErr)
	}
	return ev, nil
}

// scanEventRow reads one row of eventColumns and, when linked,
// prevHashColumn after them; unlinked, PrevHash is left to the caller
// (chainLinker). A stored time that is not exactly as the store writes it
// (it may have been tampered with) leaves At zero, and stored data that
// does not unpack leaves Data as it is stored, which is not JSON: the row's
// stored time and why its data did not unpack are returned too, for the
// verifiers to report.
func scanEventRow(rows *sql.Rows, linked bool) (*cuakhau.Event, storedEvent, error) {
	var ev cuakhau.Event
	var typ, outcome, channel, status string
	var st storedEvent
	var data storedValue
	var hash, prev storedHash
	dest := []any{&ev.Gate, &ev.Seq, storedTripID{&ev.TripID}, &typ, &ev.Checkpoint, &outcome, &channel, &ev.Note, &ev.Device,
		&ev.Actor, &st.at, &status, &data, &hash}
	if linked {
		dest = append(dest, &prev)
	}
	if err := rows.Scan(dest...); err != nil {
		return nil, st, err
	}
	ev.Hash = hash.hex
	switch {
	case prev.valid:
		ev.PrevHash = prev.hex
	case linked && ev.Seq == 1:
		ev.PrevHash = cuakhau.GenesisHash
	}
	if t, err := parseTime(st.at); err == nil && formatTime(t) == st.at {
		ev.At = t
	}
	ev.Type, ev.Outcome, ev.Channel, ev.Status = cuakhau.EventType(typ), cuakhau.Outcome(outcome), cuakhau.Channel(channel), cuakhau.Status(status)
	if data.valid {
		doc, err := unpack(data.b)
		if err != nil {
			doc, st.dataErr = data.b, err
		}
		ev.Data = json.RawMessage(doc)
	}
	return &ev, st, nil
}

// storedEvent is what scanEventRow reads of a row besides its event.
type storedEvent struct {
	at      string // the stored time, as it is stored
	dataErr error  // why the stored data did not unpack
}

// VerifyLog recomputes every gate's chain from the stored columns and reports,
// per gate, the number of entries, the last hash and the first link that does
// not hold: a sequence gap, an entry whose hash does not match its contents,
// a prev_hash that is not the previous entry's hash, or a head that does not
// name the last entry. It streams the log, so its memory does not grow with it.
func (db *DB) VerifyLog(ctx context.Context) ([]cuakhau.ChainReport, error) {
	// One read-only transaction: the heads and the entries come from the
	// same snapshot on both engines, so appends made while we stream do not
	// show up as a head that disagrees with its log.
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return nil, fmt.Errorf("verify log: %w", err)
	}
	defer tx.Rollback()
	heads := map[string]logHead{}
	var gates []string
	rows, err := tx.QueryContext(ctx, `SELECT gate, seq, hash FROM log_heads ORDER BY gate`)
	if err != nil {
		return nil, fmt.Errorf("verify log: read heads: %w", err)
	}
	for rows.Next() {
		var g string
		var h logHead
		if err := rows.Scan(&g, &h.seq, &h.hash); err != nil {
			rows.Close()
			return nil, fmt.Errorf("verify log: read heads: %w", err)
		}
		heads[g] = h
		gates = append(gates, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("verify log: read heads: %w", err)
	}

	reports := map[string]*cuakhau.ChainReport{}
	for _, g := range gates {
		reports[g] = &cuakhau.ChainReport{Gate: g, Head: cuakhau.GenesisHash}
	}
	broken := func(r *cuakhau.ChainReport, seq int64, format string, args ...any) {
		if r.BrokenAt == 0 {
			r.BrokenAt = seq
			r.Reason = fmt.Sprintf(format, args...)
		}
	}

	rows, err = tx.QueryContext(ctx, `SELECT `+eventColumns+` FROM events ORDER BY gate, seq`)
	if err != nil {
		return nil, fmt.Errorf("verify log: %w", err)
	}
	defer rows.Close()
	var cur *cuakhau.ChainReport
	var lastSeq int64
	var chain chainLinker
	for rows.Next() {
		ev, st, err := scanEventRow(rows, false)
		if err != nil {
			return nil, fmt.Errorf("verify log: %w", err)
		}
		chain.link(ev)
		if cur == nil || cur.Gate != ev.Gate {
			cur = reports[ev.Gate]
			if cur == nil {
				cur = &cuakhau.ChainReport{Gate: ev.Gate, Head: cuakhau.GenesisHash}
				reports[ev.Gate] = cur
				gates = append(gates, ev.Gate)
				broken(cur, ev.Seq, "gate %s has entries but no log head", ev.Gate)
			}
			lastSeq = 0
		}
		cur.Events++
		switch {
		case ev.Seq != lastSeq+1:
			broken(cur, lastSeq+1, "entry %d is missing (the next stored entry is %d)", lastSeq+1, ev.Seq)
		case ev.At.IsZero():
			broken(cur, ev.Seq, "entry %d has a time, %q, that the store did not write", ev.Seq, st.at)
		case st.dataErr != nil:
			broken(cur, ev.Seq, "entry %d has data that is not JSON: %v", ev.Seq, st.dataErr)
		case ev.Data != nil && !json.Valid(ev.Data):
			broken(cur, ev.Seq, "entry %d has data that is not JSON", ev.Seq)
		case ev.ComputeHash() != ev.Hash && ev.Seq == 1:
			broken(cur, ev.Seq, "entry %d does not match its hash: it was changed after it was written", ev.Seq)
		case ev.ComputeHash() != ev.Hash:
			// The hash covers the entry before's, so this is also what an
			// entry rewritten with its hash recomputed looks like from the
			// entry after it.
			broken(cur, ev.Seq, "entry %d does not match its hash, which covers the hash of entry %d: one of them was changed after it was written", ev.Seq, ev.Seq-1)
		}
		lastSeq = ev.Seq
		cur.Head = ev.Hash
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("verify log: %w", err)
	}

	out := make([]cuakhau.ChainReport, 0, len(gates))
	for _, g := range gates {
		r := reports[g]
		if h, ok := heads[g]; ok && r.BrokenAt == 0 {
			switch {
			case h.seq > r.Events:
				broken(r, r.Events+1, "the log head names entry %d but the log ends at entry %d", h.seq, r.Events)
			case h.seq < r.Events:
				broken(r, h.seq+1, "the log head names entry %d but the log goes on to entry %d", h.seq, r.Events)
			case h.hash != r.Head:
				broken(r, h.seq, "the log head's hash is not the hash of entry %d", h.seq)
			}
		}
		out = append(out, *r)
	}
	return out, nil
}

// tripEvents returns a trip's events in log order.
func (db *DB) tripEvents(ctx context.Context, id string) ([]*cuakhau.Event, error) {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT `+eventColumns+`, `+prevHashColumn+` FROM events e WHERE trip_id = ? ORDER BY seq`), lookupKey(id))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	events := []*cuakhau.Event{}
	for rows.Next() {
		ev, err := scanEvent(rows, true)
		if err != nil {
			return nil, err
		}
		events = append(events, ev)
	}
	return events, rows.Err()
}

// ScanLog calls fn with each event of a gate's log in order, from the
// first, and stops at fn's first error, which it returns. It streams from
// one read-only snapshot, so its memory does not grow with the log and
// appends made meanwhile are not seen. `cuakhau queue replay` rebuilds the
// waiting area with it.
func (db *DB) ScanLog(ctx context.Context, gate string, fn func(*cuakhau.Event) error) (err error) {
	defer markFault(&err)
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return fmt.Errorf("read log of %s: %w", gate, err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, db.q(`SELECT `+eventColumns+` FROM events WHERE gate = ? ORDER BY seq`), gate)
	if err != nil {
		return fmt.Errorf("read log of %s: %w", gate, err)
	}
	defer rows.Close()
	var chain chainLinker
	for rows.Next() {
		ev, err := scanEvent(rows, false)
		if err != nil {
			return fmt.Errorf("read log of %s: %w", gate, err)
		}
		chain.link(ev)
		if err := fn(ev); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read log of %s: %w", gate, err)
	}
	return nil
}

// LastEventAt is the time of the newest entry of every gate's log (each
// gate's head), zero when no log has one. A restarted demo starts its clock
// there at the earliest, so that its log never runs back in time.
func (db *DB) LastEventAt(ctx context.Context) (time.Time, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT e.at FROM log_heads h JOIN events e ON e.gate = h.gate AND e.seq = h.seq`)
	if err != nil {
		return time.Time{}, fmt.Errorf("read log heads: %w", err)
	}
	defer rows.Close()
	var last time.Time
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return time.Time{}, fmt.Errorf("read log heads: %w", err)
		}
		at, err := parseTime(s)
		if err != nil {
			return time.Time{}, err
		}
		if at.After(last) {
			last = at
		}
	}
	return last, rows.Err()
}
