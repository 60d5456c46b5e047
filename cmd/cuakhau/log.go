package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/mod/sumdb/note"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/cuakhau/cuakhau/translog"
)

// defaultLogOrigin is the name of a new log key, and so the origin prefix of
// its checkpoints (<origin>/<gate>), unless migrate is given another.
const defaultLogOrigin = "cuakhau.example"

// logKeyFlag adds --log-key with its default from CUAKHAU_LOG_KEY.
func logKeyFlag(fs *flag.FlagSet) *string {
	return fs.String("log-key", os.Getenv("CUAKHAU_LOG_KEY"),
		"file of the log's signing key, kept outside the database (env CUAKHAU_LOG_KEY; default for SQLite: the database file's path + .log-key; required for PostgreSQL)")
}

// logKeyPath returns the key file for the store dsn: flag when set, else,
// for SQLite, a file beside the database. PostgreSQL has no such place on
// the server's disk, so it must be named.
func logKeyPath(dsn, flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	for _, p := range []string{"sqlite://", "sqlite:", "file:"} {
		if path, ok := strings.CutPrefix(dsn, p); ok && path != "" {
			return path + ".log-key", nil
		}
	}
	return "", errors.New("--log-key FILE (or CUAKHAU_LOG_KEY) is required with PostgreSQL: the log's signing key is kept outside the database")
}

// openLog loads the log's key and returns the log over db. With create, a
// missing key is made (named origin); otherwise it is an error that says
// how to make one.
func openLog(db *sqlstore.DB, path, origin string, create bool, clock cuakhau.Clock) (*translog.Log, error) {
	if create {
		if _, err := translog.CreateKeyFile(path, origin); err != nil {
			return nil, err
		}
	} else if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no log key at %s: run 'cuakhau migrate' (it makes one) or give --log-key", path)
	}
	skey, err := translog.ReadKeyFile(path)
	if err != nil {
		return nil, err
	}
	return translog.New(db, skey, clock)
}

const logUsage = `Usage:
  cuakhau log key [--db DSN] [--log-key FILE]   print the log's public verifier key`

// runLog runs `cuakhau log key`: it prints the verifier key that checks the
// log's checkpoints, to publish and to give to `verify --log-verifier`.
func runLog(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "key" {
		fmt.Fprintln(stderr, logUsage)
		return exitError(2)
	}
	fs := newFlags("log key", "log key [--db DSN] [--log-key FILE]", stderr)
	dsn := dbFlag(fs)
	keyFile := logKeyFlag(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	path, err := logKeyPath(*dsn, *keyFile)
	if err != nil {
		return err
	}
	skey, err := translog.ReadKeyFile(path)
	if err != nil {
		return err
	}
	vkey, err := translog.VerifierKey(skey)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, vkey)
	return nil
}

// files is a repeatable flag.
type files []string

func (f *files) String() string     { return strings.Join(*f, ",") }
func (f *files) Set(v string) error { *f = append(*f, v); return nil }

// checkpointOpts are verify's flags for checkpoints kept elsewhere.
type checkpointOpts struct {
	files    files
	keyFile  *string
	verifier *string
}

func checkpointFlags(fs *flag.FlagSet) *checkpointOpts {
	o := &checkpointOpts{}
	fs.Var(&o.files, "checkpoint", "a signed checkpoint kept elsewhere to check the log against (repeatable; more files may follow the flags)")
	o.keyFile = logKeyFlag(fs)
	o.verifier = fs.String("log-verifier", "", "the log's public verifier key (from 'cuakhau log key'); default: derived from --log-key")
	return o
}

// verifyCheckpoints checks the log against the checkpoint files and prints
// one line for each; it returns how many failed.
func verifyCheckpoints(ctx context.Context, db *sqlstore.DB, dsn string, o *checkpointOpts, names []string, stdout io.Writer) (int, error) {
	names = append(append([]string(nil), o.files...), names...)
	if len(names) == 0 {
		return 0, nil
	}
	vkey := *o.verifier
	if vkey == "" {
		path, err := logKeyPath(dsn, *o.keyFile)
		if err != nil {
			return 0, err
		}
		skey, err := translog.ReadKeyFile(path)
		if err != nil {
			return 0, err
		}
		if vkey, err = translog.VerifierKey(skey); err != nil {
			return 0, err
		}
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return 0, fmt.Errorf("--log-verifier: %w", err)
	}
	kept := make([]translog.Kept, len(names))
	for i, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			return 0, fmt.Errorf("checkpoint: %w", err)
		}
		kept[i] = translog.Kept{Name: name, Note: b}
	}
	findings, err := translog.Audit(ctx, db, db, v, kept)
	if err != nil {
		return 0, fmt.Errorf("verify checkpoints: %w", err)
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "CHECKPOINT\tGATE\tSIZE\tRESULT")
	bad := 0
	for _, f := range findings {
		result := "ok"
		if !f.OK() {
			bad++
			result = f.Problem
			if !f.Refused {
				result = "BROKEN: " + result
			}
		}
		name := f.Name
		if name == "" {
			name = "(stored tree)"
		}
		gate := f.Gate
		if gate == "" {
			gate = "-"
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\n", name, gate, f.Size, result)
	}
	w.Flush()
	return bad, nil
}
