package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/catalog"
	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/cuakhau/cuakhau/translog"
)

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", "migrate [--db DSN] [--log-key FILE] [--log-origin NAME]", stderr)
	dsn := dbFlag(fs)
	keyFile := logKeyFlag(fs)
	origin := fs.String("log-origin", defaultLogOrigin, "name of a new log key: the checkpoints' origin is NAME/<gate> (a host name and path, no spaces or '+')")
	db, err := parseAndOpen(ctx, fs, args, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	keyPath, err := logKeyPath(*dsn, *keyFile)
	if err != nil {
		return err
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := seed(ctx, db); err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "no pending migrations")
	}
	for _, m := range applied {
		fmt.Fprintln(stdout, "applied", m)
	}
	made, err := translog.CreateKeyFile(keyPath, *origin)
	if err != nil {
		return err
	}
	if made {
		fmt.Fprintln(stdout, "made log key", keyPath, "(keep it safe and outside the database; 'cuakhau log key' prints its public half)")
	}
	return nil
}

func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("verify", "verify [--db DSN] [--checkpoint FILE]… [--log-key FILE | --log-verifier KEY] [FILE…]", stderr)
	dsn := dbFlag(fs)
	cps := checkpointFlags(fs)
	db, err := parseAndOpen(ctx, fs, args, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	reports, err := db.VerifyLog(ctx)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "GATE\tEVENTS\tHEAD\tRESULT")
	broken := 0
	for _, r := range reports {
		result := "ok"
		if r.BrokenAt != 0 {
			broken++
			result = fmt.Sprintf("BROKEN at seq %d: %s", r.BrokenAt, r.Reason)
		}
		head := r.Head
		if len(head) > 16 {
			head = head[:16]
		}
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\n", r.Gate, r.Events, head, result)
	}
	w.Flush()
	differ, err := verifyProjections(ctx, db, stdout, stderr)
	if err != nil {
		return err
	}
	if broken > 0 {
		fmt.Fprintf(stderr, "cuakhau: %d gate log(s) broken\n", broken)
	}
	bad, err := verifyCheckpoints(ctx, db, *dsn, cps, fs.Args(), stdout)
	if err != nil {
		return err
	}
	if bad > 0 {
		fmt.Fprintf(stderr, "cuakhau: %d checkpoint finding(s)\n", bad)
	}
	if broken > 0 || bad > 0 {
		return exitError(1)
	}
	if differ > 0 {
		return exitError(1)
	}
	return nil
}

const tokenUsage = `Usage:
  cuakhau token create --role ROLE [--enterprise TAXCODE] [--gate GATE] [--name NAME] [--db DSN]
  cuakhau token list [--db DSN]
  cuakhau token revoke [--db DSN] ID`

func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, tokenUsage)
		return exitError(2)
	}
	switch args[0] {
	case "create":
		return runTokenCreate(ctx, args, stdout, stderr)
	case "list":
		return runTokenList(ctx, args[1:], stdout, stderr)
	case "revoke":
		return runTokenRevoke(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintln(stderr, tokenUsage)
	return exitError(2)
}

// runTokenList prints every token, revoked ones too; secrets are not kept,
// so none is shown.
func runTokenList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("token list", "token list [--db DSN]", stderr)
	dsn := dbFlag(fs)
	db, err := parseAndOpen(ctx, fs, args, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	tokens, err := db.Tokens(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tROLE\tENTERPRISE\tGATE\tCREATED\tREVOKED\tNAME")
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	for _, t := range tokens {
		revoked := "-"
		if t.RevokedAt != nil {
			revoked = t.RevokedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Role, dash(t.TaxCode), dash(t.Gate),
			t.CreatedAt.Format(time.RFC3339), revoked, t.Name)
	}
	return w.Flush()
}

// runTokenRevoke stops a token from authenticating. Running servers cache a
// checked token for a minute, so they stop accepting it within a minute.
func runTokenRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("token revoke", "token revoke [--db DSN] ID", stderr)
	dsn := dbFlag(fs)
	db, err := parseAndOpen(ctx, fs, args, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if fs.NArg() != 1 {
		return fmt.Errorf("token revoke: want one token id (see 'cuakhau token list'), got %d arguments", fs.NArg())
	}
	t, err := db.RevokeToken(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "revoked token %s (%s, %s) at %s; servers stop accepting it within a minute\n",
		t.ID, t.Role, t.Name, t.RevokedAt.Format(time.RFC3339))
	return nil
}

func runTokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("token create", "token create --role ROLE [--enterprise TAXCODE] [--gate GATE] [--name NAME] [--db DSN]", stderr)
	role := fs.String("role", "", "role: admin, operator, customs, border_guard, quarantine, medical, enterprise, viewer")
	tax := fs.String("enterprise", "", "tax code the token is bound to (required for role enterprise)")
	gate := fs.String("gate", "", "gate an officer token is bound to (empty: every gate)")
	name := fs.String("name", "", "who the token is for, recorded with it (default: the role, tax code and gate)")
	dsn := dbFlag(fs)
	db, err := parseAndOpen(ctx, fs, args[1:], dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if p, err := db.Pending(ctx); err != nil {
		return err
	} else if len(p) > 0 {
		return fmt.Errorf("the database has pending migrations: run 'cuakhau migrate' first")
	}
	// Officer tokens name a gate: make sure the catalogue is there to check it.
	if err := seed(ctx, db); err != nil {
		return err
	}
	if *name == "" {
		*name = strings.Join(strings.Fields(strings.Join([]string{*role, *tax, *gate}, " ")), " ")
	}
	secret, _, err := db.CreateToken(ctx, cuakhau.Token{Name: *name, Role: cuakhau.Role(*role), TaxCode: *tax, Gate: *gate})
	if err != nil {
		return err
	}
	// The token alone on stdout, so that scripts can capture it.
	fmt.Fprintln(stdout, secret)
	return nil
}

// seed adds the gate catalogue's gates that the store does not have yet.
func seed(ctx context.Context, db *sqlstore.DB) error {
	gates, err := catalog.Gates()
	if err != nil {
		return err
	}
	if err := db.Seed(ctx, gates); err != nil {
		return fmt.Errorf("seed gates: %w", err)
	}
	return nil
}

// parseAndOpen parses a store command's flags and opens the store its --db
// names, on wall time.
func parseAndOpen(ctx context.Context, fs *flag.FlagSet, args []string, dsn *string) (*sqlstore.DB, error) {
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return openDB(ctx, *dsn, cuakhau.SystemClock{})
}
