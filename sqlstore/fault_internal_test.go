package sqlstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/cuakhau/cuakhau"
	"github.com/jackc/pgx/v5/pgconn"
)

// Which driver errors are the store failing (503) and which are the
// request's or a bug (their own code, or 500).
func TestIsFault(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"admin_shutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"cannot_connect_now", &pgconn.PgError{Code: "57P03"}, true},
		{"connection_failure", &pgconn.PgError{Code: "08006"}, true},
		{"disk_full", &pgconn.PgError{Code: "53100"}, true},
		{"too_many_connections", &pgconn.PgError{Code: "53300"}, true},
		{"read_only_sql_transaction", &pgconn.PgError{Code: "25006"}, true},
		{"unique_violation", &pgconn.PgError{Code: "23505"}, false},
		{"syntax_error", &pgconn.PgError{Code: "42601"}, false},
		{"deadlock_detected", &pgconn.PgError{Code: "40P01"}, false},
		{"bad connection", driver.ErrBadConn, true},
		{"unexpected EOF, wrapped", fmt.Errorf("read trip: %w", io.ErrUnexpectedEOF), true},
		{"context canceled", context.Canceled, false},
		{"plain error", errors.New("decode trip: invalid character"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := fmt.Errorf("commit write batch: %w", tt.err)
			if got := isFault(err); got != tt.want {
				t.Errorf("isFault(%v) = %v, want %v", err, got, tt.want)
			}
			wrapped := unavailable(err)
			wantCode := cuakhau.EINTERNAL
			if tt.want {
				wantCode = cuakhau.EUNAVAILABLE
			}
			if got := cuakhau.ErrorCode(wrapped); got != wantCode {
				t.Errorf("code of unavailable(%v) = %q, want %q", err, got, wantCode)
			}
			if !errors.Is(wrapped, tt.err) {
				t.Errorf("unavailable(%v) lost the driver's error", err)
			}
		})
	}
}

// A refused connection is what a PostgreSQL that is down gives a new
// connection: a real one, to a port nobody listens on.
func TestConnectRefusedIsFault(t *testing.T) {
	ctx := context.Background()
	_, err := pgconn.Connect(ctx, "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=5")
	if err == nil {
		t.Fatal("connected to port 1")
	}
	if !isFault(err) {
		t.Errorf("isFault(%v) = false, want true", err)
	}
}
