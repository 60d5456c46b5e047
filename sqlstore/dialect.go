package sqlstore

import (
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// dialect holds every difference between the two engines that the SQL of
// this package has to know about. Everything else — the schema, the queries,
// SAVEPOINT, ON CONFLICT DO NOTHING, row-value comparisons — is written once
// and runs on both.
type dialect int

const (
	dialectSQLite dialect = iota
	dialectPostgres
)

func (d dialect) String() string {
	if d == dialectPostgres {
		return "postgres"
	}
	return "sqlite"
}

// rebind turns the ? placeholders of q into $1, $2, … for PostgreSQL. Queries
// are written with ? so that one string serves both engines. Question marks
// inside quoted literals are left alone; the package's SQL has none, but a
// future query with a '?' in a string literal should not break silently.
func (d dialect) rebind(q string) string {
	if d != dialectPostgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// forUpdate is appended to a SELECT that reads a row the transaction will
// change. PostgreSQL needs the row lock so that several server nodes against
// one database serialise on a gate's log head and on a trip. SQLite has no
// row locks and needs none: the write transaction began IMMEDIATE, so it
// already holds the database's only write lock.
func (d dialect) forUpdate() string {
	if d == dialectPostgres {
		return " FOR UPDATE"
	}
	return ""
}

// retryable reports whether err aborted the transaction for reasons of
// concurrency alone, so that running the same work again can succeed: a
// deadlock or serialization failure between PostgreSQL nodes. SQLite has one
// writer and returns neither.
func (d dialect) retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40P01" || pe.Code == "40001" // deadlock_detected, serialization_failure
	}
	return false
}

// tableExists is a query with one placeholder, a table name, that returns
// the number of tables of that name visible to the connection.
func (d dialect) tableExists() string {
	if d == dialectPostgres {
		return "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?"
	}
	return "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
}

// lockMigrations is run first in each migration's transaction so that two
// nodes starting together do not both apply the same migration. PostgreSQL
// takes a transaction-scoped advisory lock; SQLite's IMMEDIATE transaction is
// already exclusive among writers.
func (d dialect) lockMigrations() string {
	if d == dialectPostgres {
		return "SELECT pg_advisory_xact_lock(7405092125)" // an arbitrary constant: "cuakhau" migrations
	}
	return ""
}

// jsonArg is how a JSON column's stored value (packTrip's or
// packEventData's) is bound. PostgreSQL's are bytea, bound as bytes: a Go
// string would be read as bytea's escaped text, and a JSON backslash would
// be taken for an escape. SQLite's have TEXT affinity, which keeps a BLOB as
// it is: JSON text is bound as text, as it always was, so that SQLite's JSON
// functions and the sqlite3 shell read it as JSON (a BLOB would be taken for
// JSONB), and a packed value as a BLOB.
func (d dialect) jsonArg(stored []byte) any {
	if d == dialectPostgres || isPacked(stored) {
		return stored
	}
	return string(stored)
}

// moveTripToEnd is the SET term that moves a trip row, as it becomes final
// and its body is packed, after every other row. On SQLite a row that
// shrinks in place leaves its old size free in its page, and new trips are
// appended at the end of the table, never there: moved, the packed row is
// stored beside the others packed, and the pages of the trips under way
// empty as those end, go to the free list and take new trips. (The other
// tables refer to a trip by its id, not its rowid.) PostgreSQL writes a
// new version of the row on every update anyway, and reuses the space of
// the old ones.
func (d dialect) moveTripToEnd() string {
	if d == dialectPostgres {
		return ""
	}
	return `, rowid = (SELECT max(rowid) + 1 FROM trips)`
}

// tripKeyOf is the SQL expression of text trip id column col as
// events.trip_id stores it (TripKey): for a join from a table that keeps
// the id as text.
func (d dialect) tripKeyOf(col string) string {
	if d == dialectPostgres {
		return "decode(replace(" + col + ", '-', ''), 'hex')"
	}
	return "unhex(replace(" + col + ", '-', ''))"
}
