package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cuakhau/cuakhau"
)

// ErrBackupIsPgDump is Backup's answer on PostgreSQL, whose own tool makes
// a consistent copy of a running database: pg_dump.
var ErrBackupIsPgDump = errors.New("a PostgreSQL store is backed up with pg_dump")

// Backup writes a consistent copy of a SQLite store to the new file out,
// while the store — and servers on the same file — go on writing: SQLite's
// VACUUM INTO reads one snapshot of the database, as any reader does, so the
// copy holds every write committed before it began and none after. The copy
// is written beside out under a temporary name, synced and then linked to
// out, so out either does not exist or is whole. out must not exist yet (EINVALID
// naming out otherwise). On PostgreSQL it returns ErrBackupIsPgDump.
func (db *DB) Backup(ctx context.Context, out string) error {
	if db.dialect == dialectPostgres {
		return ErrBackupIsPgDump
	}
	switch _, err := os.Lstat(out); {
	case out == "":
		return cuakhau.Invalid("out", "required: the file to write the backup to")
	case err == nil:
		return cuakhau.Invalid("out", fmt.Sprintf("%s exists; a backup is written to a new file", out))
	case !errors.Is(err, os.ErrNotExist):
		return cuakhau.Invalid("out", err.Error())
	}
	dir := filepath.Dir(out)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return cuakhau.Invalid("out", fmt.Sprintf("directory %s does not exist", dir))
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(out)+".*.partial")
	if err != nil {
		return fmt.Errorf("backup to %s: %w", out, err)
	}
	name := tmp.Name()
	tmp.Close()
	// VACUUM INTO wants a file that does not exist or is empty: the empty
	// temporary file reserves the name.
	done := false
	defer func() {
		if !done {
			os.Remove(name)
		}
	}()
	// A connection of its own: the readers are query-only, which VACUUM
	// INTO's writing of the copy counts against, and the writer's one
	// connection is every request's.
	src, err := sql.Open("sqlite", db.path+"?"+sqliteCommon)
	if err != nil {
		return fmt.Errorf("backup to %s: %w", out, err)
	}
	_, err = src.ExecContext(ctx, `VACUUM INTO ?`, name)
	if cerr := src.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("backup to %s: %w", out, err)
	}
	if err := syncFile(name); err != nil {
		return fmt.Errorf("backup to %s: %w", out, err)
	}
	// A link, not a rename: it fails rather than replace a file made at out
	// meanwhile.
	if err := os.Link(name, out); err != nil {
		return fmt.Errorf("backup to %s: %w", out, err)
	}
	done = true
	os.Remove(name)
	if err := syncFile(dir); err != nil {
		return fmt.Errorf("backup to %s: the copy is complete but its directory was not synced: %w", out, err)
	}
	return nil
}

// syncFile flushes a file or directory to the disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
