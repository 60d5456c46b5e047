// Package pgtest gives tests a throwaway PostgreSQL: one server per test
// binary, started on first use and stopped when the tests end, and a fresh
// empty database for every call to DSN. It is for tests only; the shipped
// binary never links it (a test of the import graph says so).
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }
//
// The server comes from, in order:
//
//   - CUAKHAU_TEST_POSTGRES=skip: none; DSN skips the test (say so on purpose:
//     nothing else skips);
//   - CUAKHAU_TEST_POSTGRES=postgres://…: that server, whose user may create
//     databases; each database is dropped after its test;
//   - otherwise a private cluster (internal/pgcluster). Missing binaries fail
//     the tests with a message pointing at scripts/test.sh, which installs them.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau/internal/pgcluster"
)

// EnvVar names the environment variable that chooses the server.
const EnvVar = "CUAKHAU_TEST_POSTGRES"

var (
	mu      sync.Mutex
	started bool
	srv     *pgcluster.Cluster // nil until started, or when starting failed
	srvErr  error
)

// Run runs the tests and then stops the server, if one was started, and
// returns m.Run's exit code.
func Run(m *testing.M) int {
	code := m.Run()
	mu.Lock()
	defer mu.Unlock()
	if srv != nil {
		if err := srv.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
		srv = nil
	}
	return code
}

// DSN returns the URL of a new, empty database on the test server. The
// database belongs to t; on an external server it is dropped when t ends.
func DSN(t testing.TB) string {
	t.Helper()
	env := os.Getenv(EnvVar)
	if env == "skip" {
		t.Skipf("PostgreSQL tests skipped: %s=skip", EnvVar)
	}
	s, err := get(env)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	var b [8]byte
	rand.Read(b[:])
	name := "t_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dsn, err := s.CreateDB(ctx, name)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	if !s.Private() {
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := s.DropDB(ctx, name); err != nil {
				t.Errorf("pgtest: %v", err)
			}
		})
	}
	return dsn
}

// Private starts a cluster of t's own, stopped and removed when t ends, for
// a test that stops or restarts the server (Halt, Resume, Restart), which
// would break the other tests' databases on the shared one. It skips like
// DSN when CUAKHAU_TEST_POSTGRES=skip; with an external server set, the
// cluster is still a private one, since the external is not ours to stop.
func Private(t testing.TB) *pgcluster.Cluster {
	t.Helper()
	if os.Getenv(EnvVar) == "skip" {
		t.Skipf("PostgreSQL tests skipped: %s=skip", EnvVar)
	}
	c, err := pgcluster.Start()
	if err != nil {
		t.Fatalf("pgtest: %v", remedy(err))
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return c
}

// get returns the server, starting it on first use. A failure to start is
// remembered: every later test fails with it rather than trying again.
func get(env string) (*pgcluster.Cluster, error) {
	mu.Lock()
	defer mu.Unlock()
	if started {
		return srv, srvErr
	}
	started = true
	if env != "" {
		srv, srvErr = pgcluster.Connect(env)
		if srvErr != nil {
			srvErr = fmt.Errorf("%s must be the URL of a server that answers, or \"skip\": %w", EnvVar, srvErr)
		}
	} else {
		srv, srvErr = pgcluster.Start()
		srvErr = remedy(srvErr)
	}
	return srv, srvErr
}

// remedy adds to a missing server what the tests' user can do about it.
func remedy(err error) error {
	if errors.Is(err, pgcluster.ErrNotInstalled) {
		return fmt.Errorf("%w. Run scripts/test.sh, which installs it, or set %s to the URL of a server (or to \"skip\" to skip these tests)", err, EnvVar)
	}
	return err
}
