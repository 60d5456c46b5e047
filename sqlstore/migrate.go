package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// The migrator is written here rather than taken from a library (goose,
// golang-migrate) because it is this small and those bring what we would
// have to work around: goose keeps its dialect in package-level state, so a
// process holding a SQLite and a PostgreSQL store (the conformance tests, a
// future copy tool) would race on it; golang-migrate needs one driver module
// per engine. What `serve` needs — the list of pending migrations, to refuse
// to start on an old schema — is one query.

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one numbered file, migrations/NNNN_name.sql. A migration
// that the two engines cannot share comes as a pair of files,
// NNNN_name.sqlite.sql and NNNN_name.postgres.sql: each engine runs its own,
// under the one name.
type migration struct {
	version int
	name    string // the file name without .sql, e.g. 0001_init
	sql     string
}

// migrations returns the embedded migrations of dialect d in version order.
func migrations(d dialect) ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	seen := map[int]string{}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".sql")
		if !ok {
			continue
		}
		if base, engine, found := strings.Cut(name, "."); found {
			if engine != dialectSQLite.String() && engine != dialectPostgres.String() {
				return nil, fmt.Errorf("migration %s: an engine's own file ends .sqlite.sql or .postgres.sql", e.Name())
			}
			other := dialectSQLite.String()
			if engine == other {
				other = dialectPostgres.String()
			}
			if _, err := fs.Stat(migrationFiles, "migrations/"+base+"."+other+".sql"); err != nil {
				return nil, fmt.Errorf("migration %s has no %s twin, %s.%s.sql", e.Name(), other, base, other)
			}
			if engine != d.String() {
				continue
			}
			name = base
		}
		num, _, _ := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number", e.Name())
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s share version %d", other, name, v)
		}
		seen[v] = name
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at TEXT NOT NULL
)`

// Migrate applies the pending migrations in order, each in its own
// transaction together with its row in schema_migrations, and returns the
// names of those it applied (none when the schema is current). Several nodes
// may migrate at once: each migration is applied once.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	ms, err := migrations(db.dialect)
	if err != nil {
		return nil, err
	}
	var applied []string
	for _, m := range ms {
		ok, err := db.applyMigration(ctx, m)
		if err != nil {
			return applied, fmt.Errorf("migrate %s: %w", m.name, err)
		}
		if ok {
			applied = append(applied, m.name)
		}
	}
	// Logs that grew before their Merkle tree was kept get one now.
	if err := db.fillLogTrees(ctx); err != nil {
		return applied, fmt.Errorf("migrate: %w", err)
	}
	// Trucks that crossed before receipts were kept get their row now.
	if err := db.fillReceipts(ctx); err != nil {
		return applied, fmt.Errorf("migrate: %w", err)
	}
	// And in the statistics, with whether their loads had spoiled.
	if err := db.fillSpoiled(ctx); err != nil {
		return applied, fmt.Errorf("migrate: %w", err)
	}
	if err := db.fillStats(ctx); err != nil {
		return applied, fmt.Errorf("migrate: %w", err)
	}
	return applied, nil
}

// applyMigration applies m unless it is already recorded.
func (db *DB) applyMigration(ctx context.Context, m migration) (bool, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	if lock := db.dialect.lockMigrations(); lock != "" {
		if _, err := tx.ExecContext(ctx, lock); err != nil {
			return false, err
		}
	}
	// Inside the locked transaction, so that two nodes do not race to
	// create it.
	if _, err := tx.ExecContext(ctx, createMigrationsTable); err != nil {
		return false, err
	}
	var n int
	if err := tx.QueryRowContext(ctx, db.q(`SELECT count(*) FROM schema_migrations WHERE version = ?`), m.version).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	// Both drivers run a multi-statement string when it has no arguments.
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
		m.version, m.name, formatTime(db.now())); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// Pending returns the names of the migrations not yet applied, in order.
// `serve` refuses to start while any are pending, and /readyz reports them.
func (db *DB) Pending(ctx context.Context) ([]string, error) {
	ms, err := migrations(db.dialect)
	if err != nil {
		return nil, err
	}
	done, err := db.appliedVersions(ctx)
	if err != nil {
		return nil, fmt.Errorf("pending migrations: %w", err)
	}
	var pending []string
	for _, m := range ms {
		if !done[m.version] {
			pending = append(pending, m.name)
		}
	}
	return pending, nil
}

func (db *DB) appliedVersions(ctx context.Context) (map[int]bool, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, db.q(db.dialect.tableExists()), "schema_migrations").Scan(&n); err != nil {
		return nil, err
	}
	done := map[int]bool{}
	if n == 0 {
		return done, nil // a new, empty database
	}
	rows, err := db.read.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		done[v] = true
	}
	return done, rows.Err()
}
