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

// writer is the group-commit writer: one goroutine takes every write
// waiting (up to maxBatch), runs them all in one transaction, commits once —
// one fsync for the lot — and then answers each caller. A caller is answered
// only after the commit, so an answer without error means the write is
// durable.
//
// Callers append their write to a queue under a mutex and wait for its
// answer: handing a write over wakes nobody but, when it is idle, the
// writer. (With a channel for the queue every caller was woken once to hand
// its write over and again for the answer; on two busy cores the first wake
// alone kept a handful of goroutines waiting for a processor.) A write in
// the queue is run or answered by the writer unless its caller gives up
// first, which leaves nothing behind.
type writer struct {
	db      *sql.DB
	dialect dialect

	mu     sync.Mutex
	queue  []*writeOp
	closed bool // no more writes are taken; set when the loop ends

	wake   chan struct{} // buffered: the queue has writes
	quit   chan struct{}
	exited chan struct{}
	start  sync.Once
	stop   sync.Once

	// stmts are the writer's statements prepared once on its connection
	// and reused by every batch (SQLite only; pgx caches its own). A query
	// first seen in a batch is prepared in that batch's transaction and
	// listed in fresh; after the commit, when the connection is free again,
	// it is prepared here for the batches that follow. Only the writer
	// goroutine touches them.
	stmts map[string]*sql.Stmt
	fresh []string

	// committed, when set, is called after each batch that committed.
	committed func()

	batches atomic.Int64
	runs    atomic.Int64
	busy    atomic.Int64 // nanoseconds spent running batches
}

func newWriter(db *sql.DB, d dialect) *writer {
	w := &writer{
		db:      db,
		dialect: d,
		wake:    make(chan struct{}, 1),
		quit:    make(chan struct{}),
		exited:  make(chan struct{}),
	}
	if d == dialectSQLite {
		w.stmts = map[string]*sql.Stmt{}
	}
	return w
}

// Start runs the writer until ctx ends or Stop is called.
func (w *writer) Start(ctx context.Context) {
	w.start.Do(func() { go w.loop(ctx) })
}

// Stop lets the batch in progress finish and waits for the writer to exit.
// Writes still queued, and writes arriving afterwards, get ErrClosed.
func (w *writer) Stop() {
	w.stop.Do(func() { close(w.quit) })
	w.start.Do(func() { // never started: nothing runs, nothing to wait for
		w.shutdown()
		close(w.exited)
	})
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
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return ErrClosed
	}
	w.queue = append(w.queue, op)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default: // already signalled
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
	defer w.closeStmts()
	defer w.shutdown()
	batch := make([]*writeOp, 0, maxBatch)
	for {
		select {
		case <-w.wake:
		case <-w.quit:
			return
		case <-ctx.Done():
			return
		}
		for {
			select {
			case <-w.quit:
				return
			default:
			}
			batch = w.take(batch[:0])
			if len(batch) == 0 {
				break
			}
			t0 := time.Now()
			w.run(batch)
			clear(batch) // let the answered ops be collected
			w.prepareFresh()
			w.busy.Add(int64(time.Since(t0)))
		}
	}
}

// take moves up to maxBatch queued writes, oldest first, into batch.
func (w *writer) take(batch []*writeOp) []*writeOp {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := min(len(w.queue), maxBatch)
	batch = append(batch, w.queue[:n]...)
	rest := copy(w.queue, w.queue[n:])
	clear(w.queue[rest:])
	w.queue = w.queue[:rest]
	return batch
}

// shutdown stops taking writes and answers ErrClosed to those still queued.
func (w *writer) shutdown() {
	w.mu.Lock()
	w.closed = true
	queued := w.queue
	w.queue = nil
	w.mu.Unlock()
	for _, op := range queued {
		if op.state.CompareAndSwap(opQueued, opStarted) {
			op.done <- ErrClosed
		}
	}
}

// prepareFresh prepares, for the batches to come, the queries that the last
// batch had to prepare for itself. It runs between batches, when the
// writer's one connection is free. A query that does not prepare (its table
// is not there yet, before migrations) is left to be prepared per batch.
func (w *writer) prepareFresh() {
	for _, q := range w.fresh {
		if _, ok := w.stmts[q]; ok {
			continue
		}
		s, err := w.db.Prepare(q)
		if err != nil {
			continue
		}
		w.stmts[q] = s
	}
	w.fresh = w.fresh[:0]
}

func (w *writer) closeStmts() {
	for q, s := range w.stmts {
		s.Close()
		delete(w.stmts, q)
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
	// A storage fault reaches every op of the batch as EUNAVAILABLE: none
	// of their changes was committed, and the batches that follow start on
	// a fresh transaction (and, on PostgreSQL, a fresh connection), so they
	// succeed as soon as the fault clears.
	err = unavailable(err)
	w.batches.Add(1)
	w.runs.Add(int64(len(live)))
	if err == nil && w.committed != nil {
		w.committed()
	}
	for i, op := range live {
		switch {
		case errs[i] != nil:
			// The op's own failure stands whatever became of the batch:
			// its changes were rolled back either way.
			op.done <- unavailable(errs[i])
		default:
			op.done <- err // nil when committed
		}
	}
}

// runTx runs ops in one transaction, each under a savepoint; errs[i] gets
// op i's own error. A non-nil result means nothing was committed.
func (w *writer) runTx(ops []*writeOp, errs []error) (err error) {
	clear(errs) // of an earlier attempt
	// On PostgreSQL a batch that hangs (a lost connection, a lock held by
	// another node) is cut off after batchTimeout. On SQLite no statement
	// waits on the network and lock waits end with busy_timeout; and a
	// context that can end costs the driver a goroutine per statement, to
	// interrupt it, which at thousands of statements a second is work for
	// nothing.
	ctx := context.Background()
	if w.dialect == dialectPostgres {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, batchTimeout)
		defer cancel()
	}
	sqltx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write batch: %w", err)
	}
	tx := newWtx(sqltx, w)
	// The gates' states follow the batch: released after its commit, and
	// dropped, to be built again, if it does not commit.
	defer func() { tx.release(err != nil) }()
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
		tx.opTouched = false
		opErr := call(op.ctx, op.fn, tx)
		var redo *redoError
		if errors.As(opErr, &redo) {
			if _, err := tx.exec(ctx, "ROLLBACK TO SAVEPOINT op"); err != nil {
				return fmt.Errorf("write batch rollback to savepoint: %w", err)
			}
			tx.heads = heads
			if tx.opTouched {
				tx.dropHeld()
			}
			heads = tx.saveHeads()
			opErr = call(op.ctx, redo.then, tx)
		}
		if opErr != nil && w.dialect.retryable(opErr) {
			// Another node holds what this batch needs: start again.
			return opErr
		}
		if opErr != nil && isFault(opErr) {
			// The store itself failed (a full disk, a lost connection):
			// the neighbours' writes would meet it too, and SQLite may
			// already have rolled the whole transaction back. The batch
			// ends here, rolled back, and every op is told.
			return opErr
		}
		if opErr != nil {
			errs[i] = opErr
			if _, err := tx.exec(ctx, "ROLLBACK TO SAVEPOINT op"); err != nil {
				return fmt.Errorf("write batch rollback to savepoint: %w", err)
			}
			tx.heads = heads
			if tx.opTouched {
				tx.dropHeld()
			}
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
	w       *writer
	stmts   map[string]*sql.Stmt // nil on PostgreSQL

	// heads holds, per gate touched by the batch, its log head as the
	// batch's appends have moved it. The row is read (and locked) once per
	// batch and written once, before the commit, instead of twice per
	// event. A failed op's appends are rolled back, and so is this map.
	heads map[string]logHead
	dirty map[string]bool
	// trees holds the Merkle hashes of the batch's appends, per gate.
	trees map[string]*pendingTree

	// held is the gates' states the batch has locked (livestate.go), and
	// opTouched whether the op running used or changed one.
	held      map[string]*liveState
	opTouched bool
}

type logHead struct {
	seq  int64
	hash string
}

func newWtx(tx *sql.Tx, w *writer) *wtx {
	t := &wtx{tx: tx, dialect: w.dialect, w: w, heads: map[string]logHead{}, dirty: map[string]bool{},
		trees: map[string]*pendingTree{}, held: map[string]*liveState{}}
	if w.dialect == dialectSQLite {
		t.stmts = map[string]*sql.Stmt{}
	}
	return t
}

// stmt returns query prepared for the batch; the batch's statements close
// with it. A query the writer has prepared before is bound to the
// transaction without being prepared again.
func (t *wtx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := t.stmts[query]; ok {
		return s, nil
	}
	var s *sql.Stmt
	if ws, ok := t.w.stmts[query]; ok {
		s = t.tx.StmtContext(ctx, ws)
	} else {
		var err error
		if s, err = t.tx.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		t.w.fresh = append(t.w.fresh, query)
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

// flushHeads writes the heads the batch moved, and the Merkle hashes of
// the entries up to them.
func (t *wtx) flushHeads(ctx context.Context) error {
	if err := t.flushTrees(ctx); err != nil {
		return err
	}
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
// number of requests that shared one commit, Busy/Ops the writer's time per
// request — the serial part of every write. On SQLite, Checkpoints counts the
// checkpointer's runs, CheckpointedFrames the WAL frames they copied into the
// database file and WALBehind the frames the last one left in the WAL.
type WriteStats struct {
	Batches            int64         `json:"batches"`
	Ops                int64         `json:"ops"`
	Busy               time.Duration `json:"busy_ns"`
	Checkpoints        int64         `json:"checkpoints"`
	CheckpointedFrames int64         `json:"checkpointed_frames"`
	WALBehind          int64         `json:"wal_behind"`
}

// WriteStats returns the writer's counters, for metrics.
func (db *DB) WriteStats() WriteStats {
	s := WriteStats{Batches: db.writer.batches.Load(), Ops: db.writer.runs.Load(), Busy: time.Duration(db.writer.busy.Load())}
	if c := db.ckpt; c != nil {
		s.Checkpoints, s.CheckpointedFrames, s.WALBehind = c.runs.Load(), c.frames.Load(), c.behind.Load()
	}
	return s
}

// update runs fn through the group-commit writer; it is how this package
// changes data.
func (db *DB) update(ctx context.Context, fn writeFunc) error {
	return db.writer.do(ctx, fn)
}
