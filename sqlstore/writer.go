package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// ErrClosed is returned by writes attempted after Close.
var ErrClosed = errors.New("sqlstore: store is closed")

// writeFunc is one request's share of a batch. It runs inside the batch's
// transaction under its own savepoint: an error rolls back its changes only.
// ctx carries the caller's values (the idempotency key) but not its
// cancellation: once a write has started it runs to the end, because a
// cancelled statement would, on SQLite, roll back the whole transaction and
// with it the neighbours' writes.
type writeFunc func(ctx context.Context, tx *wtx) error

// Op states: a queued op is claimed by the writer (started) or by its caller
// giving up (abandoned), never both.
const (
	opQueued int32 = iota
	opStarted
	opAbandoned
)

type writeOp struct {
	ctx   context.Context
	fn    writeFunc
	state atomic.Int32
	done  chan error // buffered: the writer never waits for a caller
}

// Batching limits. maxBatch bounds the time a batch holds the write lock, and
// so the wait of the requests arriving meanwhile, and the work lost to a
// failed commit: 256 decisions take a few tens of milliseconds on SQLite.
const (
	maxBatch     = 256
	maxAttempts  = 3 // for batches aborted by a PostgreSQL deadlock or serialization failure
	batchTimeout = time.Minute
)

// writer is the group-commit writer: one goroutine takes a write, drains
// every other write already waiting (up to maxBatch), runs them all in one
// transaction, commits once — one fsync for the lot — and then answers each
// caller. A caller is answered only after the commit, so an answer without
// error means the write is durable.
//
// The queue is an unbuffered channel: the writes waiting are the goroutines
// blocked sending on it, so an op that has been handed over is an op the
// writer will run or answer, and a caller that gives up before the handover
// leaves nothing behind.
type writer struct {
	db      *sql.DB
	dialect dialect

	ops    chan *writeOp
	quit   chan struct{}
	exited chan struct{}
	start  sync.Once
	stop   sync.Once

	batches atomic.Int64
	runs    atomic.Int64
}

func newWriter(db *sql.DB, d dialect) *writer {
	return &writer{
		db:      db,
		dialect: d,
		ops:     make(chan *writeOp),
		quit:    make(chan struct{}),
		exited:  make(chan struct{}),
	}
}

// Start runs the writer until ctx ends or Stop is called.
func (w *writer) Start(ctx context.Context) {
	w.start.Do(func() { go w.loop(ctx) })
}

// Stop lets the batch in progress finish and waits for the writer to exit.
// Writes arriving afterwards get ErrClosed.
func (w *writer) Stop() {
	w.stop.Do(func() { close(w.quit) })
	w.start.Do(func() { close(w.exited) }) // never started: nothing to wait for
	<-w.exited
}

// do runs fn in the next batch and returns its outcome once the batch has
// committed. If ctx ends before the writer takes fn, fn does not run and do
// returns ctx.Err(); once fn has started, do waits for the commit and
// returns its real outcome, so that a nil error always means committed.
func (w *writer) do(ctx context.Context, fn writeFunc) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	op := &writeOp{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case w.ops <- op:
	case <-ctx.Done():
		return ctx.Err()
	case <-w.exited:
		return ErrClosed
	}
	select {
	case err := <-op.done:
		return err
	case <-ctx.Done():
		if op.state.CompareAndSwap(opQueued, opAbandoned) {
			return ctx.Err()
		}
		return <-op.done
	}
}

func (w *writer) loop(ctx context.Context) {
	defer close(w.exited)
	batch := make([]*writeOp, 0, maxBatch)
	for {
		select {
		case op := <-w.ops:
			batch = append(batch[:0], op)
		case <-w.quit:
			return
		case <-ctx.Done():
			return
		}
	drain:
		for len(batch) < maxBatch {
			select {
			case op := <-w.ops:
				batch = append(batch, op)
			default:
				break drain
			}
		}
		w.run(batch)
		clear(batch) // let the answered ops be collected
	}
}

// run claims the ops whose callers still wait, runs them in one transaction
// and answers them.
func (w *writer) run(batch []*writeOp) {
	live := make([]*writeOp, 0, len(batch))
	for _, op := range batch {
		if !op.state.CompareAndSwap(opQueued, opStarted) {
			continue // abandoned: nobody waits, and it must not run
		}
		if err := op.ctx.Err(); err != nil {
			op.done <- err
			continue
		}
		live = append(live, op)
	}
	if len(live) == 0 {
		return
	}
	errs := make([]error, len(live))
	var err error
	for attempt := 1; ; attempt++ {
		err = w.runTx(live, errs)
		if err == nil || !w.dialect.retryable(err) || attempt == maxAttempts {
			break
		}
	}
	w.batches.Add(1)
	w.runs.Add(int64(len(live)))
	for i, op := range live {
		switch {
		case errs[i] != nil:
			// The op's own failure stands whatever became of the batch:
			// its changes were rolled back either way.
			op.done <- errs[i]
		default:
			op.done <- err // nil when committed
		}
	}
}

// runTx runs ops in one transaction, each under a savepoint; errs[i] gets
// op i's own error. A non-nil result means nothing was committed.
func (w *writer) runTx(ops []*writeOp, errs []error) (err error) {
	clear(errs) // of an earlier attempt
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	sqltx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write batch: %w", err)
	}
	tx := newWtx(sqltx, w.dialect)
	defer func() {
		if err != nil {
			sqltx.Rollback()
		}
	}()
	for i, op := range ops {
		if err := tx.savepoint(ctx, i == 0); err != nil {
			return fmt.Errorf("write batch savepoint: %w", err)
		}
		heads := tx.saveHeads()
		opErr := call(op.ctx, op.fn, tx)
		var redo *redoError
		if errors.As(opErr, &redo) {
			if _, err := tx.exec(ctx, "ROLLBACK TO SAVEPOINT op"); err != nil {
				return fmt.Errorf("write batch rollback to savepoint: %w", err)
			}
			tx.heads = heads
			heads = tx.saveHeads()
			opErr = call(op.ctx, redo.then, tx)
		}
		if opErr != nil && w.dialect.retryable(opErr) {
			// Another node holds what this batch needs: start again.
			return opErr
		}
		if opErr != nil {
			errs[i] = opErr
			if _, err := tx.exec(ctx, "ROLLBACK TO SAVEPOINT op"); err != nil {
				return fmt.Errorf("write batch rollback to savepoint: %w", err)
			}
			tx.heads = heads
		}
	}
	// COMMIT releases the last savepoint.
	if err := tx.flushHeads(ctx); err != nil {
		return err
	}
	if err := sqltx.Commit(); err != nil {
		return fmt.Errorf("commit write batch: %w", err)
	}
	return nil
}

// redoError is what an op returns to have its changes rolled back and then
// run then, under the same savepoint, as its outcome instead: how an op
// that finds out late that it should not have changed anything (its
// idempotency key was already used) answers without the statement that
// would have found it out early.
type redoError struct{ then writeFunc }

func (*redoError) Error() string { return "sqlstore: write to be redone" }

// call runs one op's fn, turning a panic into its error so that one bad
// request neither kills the writer nor fails its neighbours.
func call(ctx context.Context, fn writeFunc, tx *wtx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("write panicked: %v\n%s", r, debug.Stack())
		}
	}()
	return fn(context.WithoutCancel(ctx), tx)
}

// wtx is a write batch's transaction as the ops see it. Queries are written
// with ? placeholders. On SQLite each distinct query is prepared once per
// batch and reused: parsing SQL is about a fifth of a small write's cost in
// the pure-Go SQLite, and a batch of 30 requests runs the same few queries
// 30 times. (pgx already caches prepared statements per connection.)
type wtx struct {
	tx      *sql.Tx
	dialect dialect
	stmts   map[string]*sql.Stmt // nil on PostgreSQL

	// heads holds, per gate touched by the batch, its log head as the
	// batch's appends have moved it. The row is read (and locked) once per
	// batch and written once, before the commit, instead of twice per
	// event. A failed op's appends are rolled back, and so is this map.
	heads map[string]logHead
	dirty map[string]bool
}

type logHead struct {
	seq  int64
	hash string
}

func newWtx(tx *sql.Tx, d dialect) *wtx {
	t := &wtx{tx: tx, dialect: d, heads: map[string]logHead{}, dirty: map[string]bool{}}
	if d == dialectSQLite {
		t.stmts = map[string]*sql.Stmt{}
	}
	return t
}

// stmt returns query prepared in the batch; the statements close with it.
func (t *wtx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := t.stmts[query]; ok {
		return s, nil
	}
	s, err := t.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	t.stmts[query] = s
	return s, nil
}

func (t *wtx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if t.stmts == nil {
		return t.tx.ExecContext(ctx, t.dialect.rebind(query), args...)
	}
	s, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

// savepoint opens the savepoint of the next op, releasing the previous
// op's. On PostgreSQL both go in one round trip: a batch's ops are run one
// after another, so round trips are what limit it there.
func (t *wtx) savepoint(ctx context.Context, first bool) error {
	switch {
	case first:
		_, err := t.exec(ctx, "SAVEPOINT op")
		return err
	case t.dialect == dialectPostgres:
		// No arguments: pgx sends it as one simple-protocol query.
		_, err := t.tx.ExecContext(ctx, "RELEASE SAVEPOINT op; SAVEPOINT op")
		return err
	}
	if _, err := t.exec(ctx, "RELEASE SAVEPOINT op"); err != nil {
		return err
	}
	_, err := t.exec(ctx, "SAVEPOINT op")
	return err
}

// saveHeads returns a copy of the batch's heads, to restore if the op fails.
func (t *wtx) saveHeads() map[string]logHead {
	c := make(map[string]logHead, len(t.heads))
	for g, h := range t.heads {
		c[g] = h
	}
	return c
}

// flushHeads writes the heads the batch moved.
func (t *wtx) flushHeads(ctx context.Context) error {
	for g := range t.dirty {
		h, ok := t.heads[g]
		if !ok {
			continue // only moved by ops that failed
		}
		if _, err := t.exec(ctx, `UPDATE log_heads SET seq = ?, hash = ? WHERE gate = ?`, h.seq, h.hash, g); err != nil {
			return fmt.Errorf("move log head of gate %s: %w", g, err)
		}
	}
	return nil
}

// scanner is a query's single row, or the error that prevented it.
type scanner interface{ Scan(dest ...any) error }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

func (t *wtx) queryRow(ctx context.Context, query string, args ...any) scanner {
	if t.stmts == nil {
		return t.tx.QueryRowContext(ctx, t.dialect.rebind(query), args...)
	}
	s, err := t.stmt(ctx, query)
	if err != nil {
		return errRow{err}
	}
	return s.QueryRowContext(ctx, args...)
}

// WriteStats counts the writer's work since Open: Ops/Batches is the mean
// number of requests that shared one commit.
type WriteStats struct {
	Batches int64 `json:"batches"`
	Ops     int64 `json:"ops"`
}

// WriteStats returns the writer's counters, for metrics.
func (db *DB) WriteStats() WriteStats {
	return WriteStats{Batches: db.writer.batches.Load(), Ops: db.writer.runs.Load()}
}

// update runs fn through the group-commit writer; it is how this package
// changes data.
func (db *DB) update(ctx context.Context, fn writeFunc) error {
	return db.writer.do(ctx, fn)
}
