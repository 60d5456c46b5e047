package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/device"
)

// Hooks for the external test package: they reach past the API to tamper
// with the stored log, count rows and drive the writer directly.

// ExecRaw runs a statement (with ? placeholders) on the writer's connection,
// bypassing the event log: tests use it to tamper.
func (db *DB) ExecRaw(ctx context.Context, query string, args ...any) error {
	_, err := db.write.ExecContext(ctx, db.q(query), args...)
	return err
}

// Count returns the result of a SELECT count(*) query.
func (db *DB) Count(ctx context.Context, query string, args ...any) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, db.q(query), args...).Scan(&n)
	return n, err
}

// SetCodes replaces the trip code generator.
func (db *DB) SetCodes(next func(gate string) string) { db.newCode = next }

// WriteTx is a write batch's transaction.
type WriteTx = wtx

// Exec runs a statement (with ? placeholders) in the batch.
func (t *wtx) Exec(ctx context.Context, query string, args ...any) error {
	_, err := t.exec(ctx, query, args...)
	return err
}

// WriteFunc is one op of a batch, for RunBatch.
type WriteFunc = func(ctx context.Context, tx *WriteTx) error

// RunBatch runs fns as one batch of the writer, in order, and returns each
// one's outcome: it makes "one failing op does not fail its neighbours"
// deterministic, where the real queue batches whatever happens to wait.
// The ops join the queue together, and the writer takes every op queued at
// once.
func (db *DB) RunBatch(fns ...WriteFunc) []error {
	ops := make([]*writeOp, len(fns))
	for i, fn := range fns {
		ops[i] = &writeOp{ctx: context.Background(), fn: fn, done: make(chan error, 1)}
	}
	w := db.writer
	w.mu.Lock()
	w.queue = append(w.queue, ops...)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
	errs := make([]error, len(ops))
	for i, op := range ops {
		errs[i] = <-op.done
	}
	return errs
}

// Update runs fn through the writer's queue, as every write does.
func (db *DB) Update(ctx context.Context, fn WriteFunc) error { return db.update(ctx, fn) }

// Pragma reads a SQLite pragma on the writer's connection.
func (db *DB) Pragma(ctx context.Context, name string) (string, error) {
	var v string
	err := db.write.QueryRowContext(ctx, "PRAGMA "+name).Scan(&v)
	return v, err
}

// ReadExec runs a statement through the read pool.
func (db *DB) ReadExec(ctx context.Context, query string) error {
	_, err := db.read.ExecContext(ctx, query)
	return err
}

// QueryRowRaw scans the one row of a query into dest.
func (db *DB) QueryRowRaw(ctx context.Context, query string, dest ...any) error {
	return db.read.QueryRowContext(ctx, db.q(query)).Scan(dest...)
}

// CrossingsQuery is the query that reads a gate's crossings.
const CrossingsQuery = crossingsQuery

// QueryPlan returns SQLite's EXPLAIN QUERY PLAN lines for query.
func (db *DB) QueryPlan(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return nil, err
		}
		lines = append(lines, detail)
	}
	return lines, rows.Err()
}

// Queued returns the number of writes waiting in the writer's queue.
func (db *DB) Queued() int {
	db.writer.mu.Lock()
	defer db.writer.mu.Unlock()
	return len(db.writer.queue)
}

// AppendEvent appends ev to its gate's log inside the batch, as every
// write that logs does.
func (db *DB) AppendEvent(ctx context.Context, tx *WriteTx, ev *cuakhau.Event) error {
	return db.appendEvent(ctx, tx, ev)
}

// ForgetDeviceMemory drops what the store remembers of readings in memory
// (signatures, plates), as a node that has not seen them would be.
func (db *DB) ForgetDeviceMemory() {
	s := db.devState()
	s.seen.loadMu.Lock()
	s.seen.replays = device.NewReplays()
	s.seen.loaded.Store(false)
	s.seen.loadMu.Unlock()
	s.dedup = device.NewDeduper(s.cfg.Load().Dedup, 100_000)
}

// MigrateThrough applies the pending migrations up to version last, and
// not the fills Migrate does after them: a store as an older release
// left it.
func (db *DB) MigrateThrough(ctx context.Context, last int) error {
	ms, err := migrations(db.dialect)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.version > last {
			break
		}
		if _, err := db.applyMigration(ctx, m); err != nil {
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
	}
	return nil
}

// CopyRows copies every row of table from db to dst, as they are stored.
func (db *DB) CopyRows(ctx context.Context, dst *DB, table string) error {
	rows, err := db.read.QueryContext(ctx, `SELECT * FROM `+table)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	insert := dst.q(`INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES (?` + strings.Repeat(", ?", len(cols)-1) + `)`)
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if _, err := dst.write.ExecContext(ctx, insert, vals...); err != nil {
			return err
		}
	}
	return rows.Err()
}

// WriteSightings stores the pending signatures and last sightings now,
// as the store does once a second.
func (db *DB) WriteSightings(ctx context.Context) error { return db.writeSightings(ctx) }

// EditTripBody rewrites a trip's stored body with edit behind the store's
// back, as someone with database access and the dictionaries might: the
// JSON unpacked, edited and stored again as it was, packed or not.
func (db *DB) EditTripBody(ctx context.Context, id string, edit func([]byte) []byte) error {
	return db.editStored(ctx, `SELECT body FROM trips WHERE id = ?`, `UPDATE trips SET body = ? WHERE id = ?`, edit, id)
}

// EditEventData rewrites an entry's stored data with edit, as EditTripBody
// a trip's body.
func (db *DB) EditEventData(ctx context.Context, gate string, seq int64, edit func([]byte) []byte) error {
	return db.editStored(ctx, `SELECT data FROM events WHERE gate = ? AND seq = ?`, `UPDATE events SET data = ? WHERE gate = ? AND seq = ?`, edit, gate, seq)
}

func (db *DB) editStored(ctx context.Context, read, write string, edit func([]byte) []byte, key ...any) error {
	var stored storedValue
	if err := db.write.QueryRowContext(ctx, db.q(read), key...).Scan(&stored); err != nil {
		return err
	}
	doc, err := unpack(stored.b)
	if err != nil {
		return err
	}
	doc = edit(doc)
	if isPacked(stored.b) {
		doc = packDicts[stored.b[0]].pack(doc)
	}
	_, err = db.write.ExecContext(ctx, db.q(write), append([]any{db.dialect.jsonArg(doc)}, key...)...)
	return err
}

// StoredJSON is a stored JSON column's value as it is stored, and whether
// it is packed.
func (db *DB) StoredJSON(ctx context.Context, query string, args ...any) (stored []byte, packed bool, err error) {
	var v storedValue
	err = db.read.QueryRowContext(ctx, db.q(query), args...).Scan(&v)
	return v.b, isPacked(v.b), err
}

// StorePlain stores every trip's body, every entry's data and every
// receipt's bill as JSON text, as a store did before packing.
func (db *DB) StorePlain(ctx context.Context) error {
	for _, q := range []struct{ read, write string }{
		{`SELECT id, body FROM trips`, `UPDATE trips SET body = ? WHERE id = ?`},
		{`SELECT gate || '/' || seq, data FROM events WHERE data IS NOT NULL`, `UPDATE events SET data = ? WHERE gate || '/' || seq = ?`},
		{`SELECT trip_id, bill FROM receipts WHERE number IS NOT NULL`, `UPDATE receipts SET bill = ? WHERE trip_id = ?`},
	} {
		rows, err := db.read.QueryContext(ctx, q.read)
		if err != nil {
			return err
		}
		docs := map[string][]byte{}
		for rows.Next() {
			var key string
			var doc storedJSON
			if err := rows.Scan(&key, &doc); err != nil {
				rows.Close()
				return err
			}
			docs[key] = doc.doc
		}
		rows.Close()
		for key, doc := range docs {
			if _, err := db.write.ExecContext(ctx, db.q(q.write), db.dialect.jsonArg(doc), key); err != nil {
				return err
			}
		}
	}
	return nil
}

// StoredLevel is the lowest level of the Merkle tree that log_hashes holds.
const StoredLevel = storedLevel

// LookupKey is trip id id as events.trip_id stores it, for raw queries.
func LookupKey(id string) []byte { return lookupKey(id) }
