package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/catalog"
	"github.com/cuakhau/cuakhau/sqlstore"
)

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", "migrate [--db DSN]", stderr)
	dsn := dbFlag(fs)
	db, err := parseAndOpen(ctx, fs, args, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
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
	return nil
}

func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("verify", "verify [--db DSN]", stderr)
	dsn := dbFlag(fs)
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
	if broken > 0 {
		fmt.Fprintf(stderr, "cuakhau: %d gate log(s) broken\n", broken)
		return exitError(1)
	}
	return nil
}

func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(stderr, "Usage: cuakhau token create --role ROLE [--enterprise TAXCODE] [--gate GATE] [--name NAME] [--db DSN]")
		return exitError(2)
	}
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
		*name = strings.TrimSpace(strings.Join([]string{*role, *tax, *gate}, " "))
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
