package pgtest_test

import (
	"context"
	"database/sql"
	"os"
	"testing"

	"github.com/cuakhau/cuakhau/internal/pgtest"
	_ "github.com/jackc/pgx/v5/stdlib"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

// TestDSN checks that each DSN is a distinct, empty, writable database.
func TestDSN(t *testing.T) {
	ctx := context.Background()
	a, b := pgtest.DSN(t), pgtest.DSN(t)
	if a == b {
		t.Fatalf("two calls returned the same database %s", a)
	}
	for _, dsn := range []string{a, b} {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&n); err != nil {
			t.Fatalf("query %s: %v", dsn, err)
		}
		if n != 0 {
			t.Errorf("new database has %d tables, want 0", n)
		}
		if _, err := db.ExecContext(ctx, `CREATE TABLE x (id INTEGER PRIMARY KEY)`); err != nil {
			t.Fatalf("create table: %v", err)
		}
	}
	// Both CREATE TABLEs succeeded: the two are separate databases.
	db, err := sql.Open("pgx", a)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var fsync string
	if err := db.QueryRowContext(ctx, `SHOW fsync`).Scan(&fsync); err != nil {
		t.Fatal(err)
	}
	if fsync != "on" {
		t.Errorf("fsync = %q, want on: durability tests need a durable server", fsync)
	}
}
