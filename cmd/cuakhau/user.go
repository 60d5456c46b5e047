package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// stdin is where user add and user passwd read the password.
var stdin io.Reader = os.Stdin

const userUsage = `Usage:
  cuakhau user add --name NAME --role ROLE [--enterprise TAXCODE] [--gate GATE] [--db DSN]   (password on stdin)
  cuakhau user list [--db DSN]
  cuakhau user disable [--db DSN] NAME
  cuakhau user passwd [--db DSN] NAME   (new password on stdin)
  cuakhau user unlock [--db DSN] NAME`

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, userUsage)
		return exitError(2)
	}
	switch args[0] {
	case "add":
		return runUserAdd(ctx, args[1:], stdout, stderr)
	case "list":
		return runUserList(ctx, args[1:], stdout, stderr)
	case "disable", "passwd", "unlock":
		return runUserChange(ctx, args[0], args[1:], stdout, stderr)
	}
	fmt.Fprintln(stderr, userUsage)
	return exitError(2)
}

// readPassword reads one line from standard input: the password, without
// its line ending. It is not echoed back, nor taken from a flag, where it
// would be seen in the process list and the shell's history.
func readPassword(stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprint(stderr, "password (one line; it is shown as you type): ")
		}
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, cuakhau.MaxPasswordLength+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", fmt.Errorf("no password on standard input: give one line of at least %d characters, e.g. printf '%%s\\n' \"$PASSWORD\" | cuakhau user ...", cuakhau.MinPasswordLength)
	}
	return line, nil
}

func runUserAdd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("user add", "user add --name NAME --role ROLE [--enterprise TAXCODE] [--gate GATE] [--db DSN]  (the password is read from standard input)", stderr)
	name := fs.String("name", "", "the login name: a-z, 0-9, '.', '_', '-', '@'")
	role := fs.String("role", "", "role: admin, operator, customs, border_guard, quarantine, medical, enterprise, viewer")
	tax := fs.String("enterprise", "", "tax code the user is bound to (required for role enterprise)")
	gate := fs.String("gate", "", "gate an officer is bound to (empty: every gate)")
	dsn := dbFlag(fs)
	db, err := parseAndOpen(ctx, fs, args, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := needMigrated(ctx, db); err != nil {
		return err
	}
	password, err := readPassword(stderr)
	if err != nil {
		return err
	}
	u, err := db.CreateUser(ctx, cuakhau.User{Name: *name, Role: cuakhau.Role(*role), TaxCode: *tax, Gate: *gate}, password)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "added user %s (%s)\n", u.Name, describeBounds(u))
	return nil
}

func describeBounds(u *cuakhau.User) string {
	s := string(u.Role)
	if u.TaxCode != "" {
		s += ", enterprise " + u.TaxCode
	}
	if u.Gate != "" {
		s += ", gate " + u.Gate
	}
	return s
}

// needMigrated refuses a store with pending migrations and seeds the gate
// catalogue (officers name a gate, which must be known).
func needMigrated(ctx context.Context, db *sqlstore.DB) error {
	if p, err := db.Pending(ctx); err != nil {
		return err
	} else if len(p) > 0 {
		return fmt.Errorf("the database has pending migrations: run 'cuakhau migrate' first")
	}
	return seed(ctx, db)
}

func runUserList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("user list", "user list [--db DSN]", stderr)
	dsn := dbFlag(fs)
	db, err := parseAndOpen(ctx, fs, args, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	users, err := db.Users(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tROLE\tENTERPRISE\tGATE\tCREATED\tDISABLED\tLOCKED UNTIL")
	when := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.Format(time.RFC3339)
	}
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	for _, u := range users {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", u.Name, u.Role, dash(u.TaxCode), dash(u.Gate),
			u.CreatedAt.Format(time.RFC3339), when(u.DisabledAt), when(u.LockedUntil))
	}
	return w.Flush()
}

func runUserChange(ctx context.Context, verb string, args []string, stdout, stderr io.Writer) error {
	synopsis := "user " + verb + " [--db DSN] NAME"
	if verb == "passwd" {
		synopsis += "  (the new password is read from standard input)"
	}
	fs := newFlags("user "+verb, synopsis, stderr)
	dsn := dbFlag(fs)
	db, err := parseAndOpen(ctx, fs, args, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if fs.NArg() != 1 {
		return fmt.Errorf("user %s: want one user name (see 'cuakhau user list'), got %d arguments", verb, fs.NArg())
	}
	name := fs.Arg(0)
	switch verb {
	case "disable":
		u, err := db.DisableUser(ctx, name)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "disabled user %s at %s; their sessions have ended\n", u.Name, u.DisabledAt.Format(time.RFC3339))
	case "passwd":
		password, err := readPassword(stderr)
		if err != nil {
			return err
		}
		if err := db.SetPassword(ctx, name, password); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "changed the password of %s; their sessions have ended\n", name)
	case "unlock":
		if err := db.UnlockUser(ctx, name); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "unlocked %s: their failed logins are forgotten\n", name)
	}
	return nil
}
