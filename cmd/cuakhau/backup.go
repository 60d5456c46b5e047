package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// runBackup writes a consistent copy of a SQLite store to --out, also while
// a server writes to it. A PostgreSQL store is pg_dump's to copy: the
// command says how, writes nothing and exits 1. Nothing is opened before
// --out is known, so a refused backup leaves no file behind.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("backup", "backup --out FILE [--db DSN]", stderr)
	out := fs.String("out", "", "the new file to write the copy to (it must not exist); restore by serving it: --db sqlite:FILE")
	dsn := dbFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if strings.HasPrefix(*dsn, "postgres://") || strings.HasPrefix(*dsn, "postgresql://") {
		fmt.Fprintf(stderr, `cuakhau: backup: %v, which copies a running database consistently:
  pg_dump --format=custom --file %s '%s'
(the password from PGPASSWORD or ~/.pgpass). Restore into a new database and check it:
  createdb NEWDB && pg_restore --dbname NEWDB %s && cuakhau verify --db postgres://…/NEWDB
`, sqlstore.ErrBackupIsPgDump, shellOut(*out), withoutPassword(*dsn), shellOut(*out))
		return exitError(1)
	}
	if *out == "" {
		return cuakhau.Invalid("out", "required: the file to write the backup to")
	}
	db, err := openDB(ctx, *dsn, cuakhau.SystemClock{})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, *out); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(stdout, "backup written to %s; check it with: cuakhau verify --db sqlite:%s\n", *out, *out)
	return nil
}

func shellOut(out string) string {
	if out == "" {
		return "FILE"
	}
	return out
}

// withoutPassword drops a PostgreSQL URL's password, so that the command
// printed can be pasted and shows no secret.
func withoutPassword(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return redact(dsn)
	}
	u.User = url.User(u.User.Username())
	return u.String()
}
