package sqlstore

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/cuakhau/cuakhau"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// errUnavailable is what a client is told when the store cannot be read or
// written for a cause outside the request: the same request can succeed
// once the fault clears.
var errUnavailable = cuakhau.Errorf(cuakhau.EUNAVAILABLE, "Storage is unavailable; try again shortly.")

// unavailable returns err marked as EUNAVAILABLE when it is a storage fault
// (see isFault), keeping the driver's error in the chain for the log, and
// err unchanged otherwise. It is the one place where driver errors become
// the fault that clients see.
func unavailable(err error) error {
	if err == nil || !isFault(err) || errors.Is(err, errUnavailable) {
		return err
	}
	return &faultError{err: err}
}

// markFault replaces *err with unavailable(*err): deferred by the store's
// read methods, whose errors come from many statements.
func markFault(err *error) { *err = unavailable(*err) }

// faultError is a storage fault: errors.As finds the EUNAVAILABLE
// *cuakhau.Error in it, and errors.Is the driver's error.
type faultError struct{ err error }

func (e *faultError) Error() string   { return "storage unavailable: " + e.err.Error() }
func (e *faultError) Unwrap() []error { return []error{errUnavailable, e.err} }

// isFault reports whether err is the storage failing rather than the
// request: a disk that is full or failing, a database file that cannot be
// opened or written, another process holding the lock past busy_timeout
// (SQLite); a server shutting down, starting, out of disk or unreachable
// (PostgreSQL).
func isFault(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff { // the primary code of an extended one (SQLITE_IOERR_WRITE …)
		case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN,
			sqlite3.SQLITE_READONLY, sqlite3.SQLITE_BUSY:
			return true
		}
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"): // connection_exception
			return true
		case pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03": // admin_shutdown, crash_shutdown, cannot_connect_now
			return true
		case pe.Code == "53100", pe.Code == "53300": // disk_full, too_many_connections
			return true
		case pe.Code == "25006": // read_only_sql_transaction: a standby, or a primary demoted
			return true
		}
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &ce), errors.As(err, &ne):
		return true
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone):
		return true
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		// The server closed the connection mid-answer. (database/sql's own
		// end of rows is not an error, so io.EOF here is the wire's.)
		return true
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	}
	// pgx's "conn closed" after a broken connection has no exported type.
	return pgconn.SafeToRetry(err) && strings.Contains(err.Error(), "conn closed")
}
