// Package sqlstore stores cuakhau's gates, trips, event log, tokens and
// idempotency keys in SQLite (modernc.org/sqlite, pure Go, the embedded
// default) or PostgreSQL (pgx through database/sql, the production store),
// with one schema, one set of queries and one test suite for both.
//
// The event log is the truth: every change to a trip appends a hash-chained
// event to its gate's log in the same transaction that updates the trip's
// projection. All writes go through one group-commit writer (writer.go) that
// runs many requests in one transaction, each under its own savepoint, so that
// the API acknowledges more events per second than the disk can flush
// one-row transactions, and only after they are committed.
//
// Reads go to a pool of connections and see every write that has been
// acknowledged.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/flow"
	"github.com/cuakhau/cuakhau/stats"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// DB is the store. It implements cuakhau.GateService, cuakhau.TripService,
// cuakhau.TokenService and cuakhau.LogService. It is safe for concurrent use.
type DB struct {
	dialect dialect
	// write holds the one connection of the writer (and of migrations): on
	// SQLite, so that writers never meet SQLITE_BUSY (river does the same);
	// on PostgreSQL, so that readers never starve it. read is a pool for
	// queries; on SQLite its connections are read-only.
	write *sql.DB
	read  *sql.DB
	clock cuakhau.Clock

	writer *writer
	ckpt   *checkpointer // SQLite only
	path   string        // SQLite only: the database file
	gates  gateCache
	tokens tokenCache
	recent *tripCache

	// tripByID is the read pool's prepared trip query, prepared on first
	// use (Open runs before migrations, when the table may not exist yet).
	tripByIDMu sync.Mutex
	tripByID   *sql.Stmt

	// newID and newCode make trip identifiers; tests replace them to force
	// a code collision.
	newID   func(now time.Time) string
	newCode func(gate string) string

	// queueCfg tunes the electronic queue (SetQueueConfig).
	queueCfg QueueConfig
	// indicators are the province's targets that entered values are
	// checked against (SetIndicators).
	indicatorsMu sync.Mutex
	indicators   []stats.Indicator

	// states are the gates' queue states in memory (livestate.go).
	states liveStates

	// holdChecks is when Advise last looked for trips to hold for their
	// shelf life, per gate (holdsDue).
	holdChecksMu sync.Mutex
	holdChecks   map[string]time.Time

	// devs is what the store keeps in memory of devices (device.go).
	devs deviceState

	// accounts is the login policy and the sessions' lifetime (account.go).
	accounts accountConfig
}

var (
	_ cuakhau.GateService     = (*DB)(nil)
	_ cuakhau.TripService     = (*DB)(nil)
	_ cuakhau.WorklistService = (*DB)(nil)
	_ cuakhau.TokenService    = (*DB)(nil)
	_ cuakhau.LogService      = (*DB)(nil)
	_ cuakhau.QueueService    = (*DB)(nil)
	_ cuakhau.CallForwarder   = (*DB)(nil)
	_ cuakhau.Outbox          = (*DB)(nil)
)

// sqliteCommon are the pragmas of every SQLite connection. busy_timeout is
// how long (ms) a connection waits for a lock that another process (the
// CLI, a backup) holds before failing.
const sqliteCommon = "_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)"

// SQLiteDSN returns the modernc.org/sqlite data source name with which the
// store opens its writer connection to the file at path; `cuakhau bench`
// measures the engine's raw write rate with the same settings.
//
// Durability: journal_mode=WAL with synchronous=FULL fsyncs the WAL on every
// commit, so a commit that returned — and therefore every acknowledged
// request — survives a power cut or a kernel crash. (synchronous=NORMAL
// would be ~5× faster per transaction but may lose the last commits on a
// power cut: it breaks "acknowledged means durable".) Group commit in the
// writer pays one fsync for many requests instead.
//
// _txlock=immediate makes BEGIN take the write lock at once, so that a
// transaction never fails half-way for want of an upgrade from a read lock
// when another process (the CLI) writes too. temp_store=MEMORY keeps the
// statement journals of the writer's savepoints off the disk. The page cache
// is 8 MiB: enough for the pages of the largest batch (256 requests of a few
// pages each) and for the last pages of the time-ordered indexes, where
// today's writes go; pages read once come from the OS's cache. A larger
// cache costs the writer at every commit, when SQLite walks the cache's
// whole hash table (about a tenth of the writer's time at 32 MiB).
// wal_autocheckpoint is raised to a backstop: the store's checkpointer
// (checkpoint.go) copies the WAL into the database file from another
// connection, off the writer's path.
func SQLiteDSN(path string) string {
	return sqliteDSN(path, walBackstop)
}

// SQLiteEngineDSN is SQLiteDSN with SQLite's own automatic checkpoint every
// 1,000 pages instead of the store's backstop: the same durability for a
// program that writes to the engine directly, with no checkpointer beside
// it (with the backstop its WAL would grow for 10,000 pages, and each fsync
// would also write the file's new size, a fifth slower per transaction).
// `cuakhau bench` measures the raw engine with it.
func SQLiteEngineDSN(path string) string {
	return sqliteDSN(path, 1000)
}

func sqliteDSN(path string, autocheckpoint int) string {
	return path + "?" + sqliteCommon +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-8192)" +
		"&_pragma=wal_autocheckpoint(" + strconv.Itoa(autocheckpoint) + ")&_txlock=immediate"
}

// Open connects to the store named by dsn and starts its writer. It does not
// migrate: call Migrate (the CLI's migrate command does), or Pending to
// refuse to serve an old schema.
//
// dsn is one of:
//
//	sqlite:PATH, sqlite://PATH, file:PATH   a SQLite file, created if absent
//	postgres://…, postgresql://…            a PostgreSQL database (pgx syntax)
//
// Times in the store are read from clock.
func Open(ctx context.Context, dsn string, clock cuakhau.Clock) (*DB, error) {
	if clock == nil {
		return nil, errors.New("open store: nil clock")
	}
	db := &DB{clock: clock, newID: flow.NewID, newCode: flow.NewCode, queueCfg: DefaultQueueConfig(), recent: newTripCache(4096)}
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		if err := db.openPostgres(ctx, dsn); err != nil {
			return nil, err
		}
	case strings.HasPrefix(dsn, "sqlite:"), strings.HasPrefix(dsn, "file:"):
		if err := db.openSQLite(ctx, sqlitePath(dsn)); err != nil {
			return nil, err
		}
	default:
		// The DSN may hold a password: name only its scheme.
		scheme, _, _ := strings.Cut(dsn, ":")
		return nil, fmt.Errorf("open store: unknown data source scheme %q; want sqlite:PATH or postgres://…", scheme)
	}
	db.writer = newWriter(db.write, db.dialect)
	if db.ckpt != nil {
		db.writer.committed = db.ckpt.nudge
	}
	// The writer outlives Open's context (often a start-up timeout): it
	// stops on Close.
	db.writer.Start(context.WithoutCancel(ctx))
	return db, nil
}

// sqlitePath strips the scheme of a SQLite DSN: sqlite:///data/x.db and
// sqlite:/data/x.db are both /data/x.db.
func sqlitePath(dsn string) string {
	for _, p := range []string{"sqlite://", "sqlite:", "file:"} {
		if strings.HasPrefix(dsn, p) {
			return strings.TrimPrefix(dsn, p)
		}
	}
	return dsn
}

// openSQLite opens one writer connection (see SQLiteDSN for its settings)
// and a pool of read-only readers.
func (db *DB) openSQLite(ctx context.Context, path string) error {
	if path == "" {
		return errors.New("open sqlite: empty path")
	}
	if strings.ContainsRune(path, '?') {
		// Our pragmas are what make it durable; do not let a DSN mix in others.
		return errors.New("open sqlite: the DSN takes no parameters (sqlite:PATH)")
	}
	if path == ":memory:" || strings.HasPrefix(path, ":memory:") {
		return errors.New("open sqlite: in-memory databases are not supported: the writer and the readers would each see their own")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("open sqlite: %w", err)
		}
	}
	db.dialect = dialectSQLite
	w, err := sql.Open("sqlite", SQLiteDSN(path))
	if err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// Ping opens the writer first, so that the file is in WAL mode before
	// any reader connects.
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", path+"?"+sqliteCommon+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return fmt.Errorf("open sqlite: %w", err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return fmt.Errorf("open sqlite %s: %w", path, err)
	}
	c, err := sql.Open("sqlite", path+"?"+sqliteCommon+"&_pragma=synchronous(FULL)")
	if err != nil {
		w.Close()
		r.Close()
		return fmt.Errorf("open sqlite: %w", err)
	}
	c.SetMaxOpenConns(1)
	db.write, db.read, db.ckpt, db.path = w, r, newCheckpointer(c, checkpointInterval), path
	return nil
}

// openPostgres opens a pool for reads and a separate one-connection pool for
// the writer and migrations, as on SQLite. With one shared pool, requests
// reading under load hold every connection and the writer — which every
// write waits for — queues behind them for each batch (we measured decisions
// per second halve).
func (db *DB) openPostgres(ctx context.Context, dsn string) error {
	db.dialect = dialectPostgres
	w, err := sql.Open("pgx", dsn)
	if err != nil {
		return fmt.Errorf("open postgres: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(5 * time.Minute)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return fmt.Errorf("open postgres: %w", err)
	}
	r, err := sql.Open("pgx", dsn)
	if err != nil {
		w.Close()
		return fmt.Errorf("open postgres: %w", err)
	}
	r.SetMaxOpenConns(16)
	r.SetMaxIdleConns(8)
	r.SetConnMaxIdleTime(5 * time.Minute)
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return fmt.Errorf("open postgres: %w", err)
	}
	db.write, db.read = w, r
	return nil
}

// Close stops the writer — it finishes the batch in progress, and callers
// still waiting get ErrClosed — then closes the connections. Call it after
// the HTTP server has shut down, so that no request is cut off mid-write.
func (db *DB) Close() error {
	// The last sightings and signatures kept in memory go through the
	// writer before it stops.
	sightErr := db.stopSightings()
	db.writer.Stop()
	var stmtErr error
	db.tripByIDMu.Lock()
	if db.tripByID != nil {
		stmtErr = db.tripByID.Close()
	}
	db.tripByIDMu.Unlock()
	var ckptErr error
	if db.ckpt != nil {
		ckptErr = db.ckpt.Stop()
	}
	return errors.Join(sightErr, stmtErr, ckptErr, db.write.Close(), db.read.Close())
}

// Engine returns "sqlite" or "postgres".
func (db *DB) Engine() string { return db.dialect.String() }

// Ping reports whether the store answers, for readiness checks.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return unavailable(fmt.Errorf("ping store: %w", err))
	}
	// The writer's connection is free only between batches: a writer stuck
	// in one makes this time out, which is what a probe should notice.
	if err := db.write.PingContext(ctx); err != nil {
		return unavailable(fmt.Errorf("ping store writer: %w", err))
	}
	return nil
}

// q rebinds a query for the engine.
func (db *DB) q(query string) string { return db.dialect.rebind(query) }

// now returns the clock's time, truncated to what the store keeps.
func (db *DB) now() time.Time { return db.clock.Now().UTC().Truncate(time.Microsecond) }

// formatTime is how every instant is stored: cuakhau.TimeFormat sorts as time.
func formatTime(t time.Time) string { return t.UTC().Format(cuakhau.TimeFormat) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(cuakhau.TimeFormat, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}
