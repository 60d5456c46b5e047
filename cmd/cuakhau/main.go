// Command cuakhau runs the digital border-gate platform: the API server, its
// migrations and log verification, token management, and a demo that shows a
// Lạng Sơn border gate live on an embedded SQLite store.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

const usage = `cuakhau — digital border gate (Cửa khẩu số)

Usage:
  cuakhau <command> [flags]

Commands:
  demo      run the platform on SQLite with live Lạng Sơn traffic at accelerated time
  serve     run the API server
  migrate   apply pending database migrations; make the log's signing key if there is none
  verify    recompute every gate's hash-chained event log and report the first broken link;
            rebuild every projection from the log and report each row and field that differs;
            with --checkpoint FILE…, check the log against signed checkpoints kept elsewhere
  log       log key: print the public key that verifies the log's checkpoints
  backup    backup --out FILE: a consistent copy of a SQLite store, also while it serves (PostgreSQL: says how with pg_dump)
  queue     queue replay: recompute the logged call-forwards of a gate and list differences;
            queue accuracy: the error of the call times told at check-in
  token     API tokens: token create --role ROLE [--enterprise TAXCODE] [--gate GATE]; token list; token revoke ID
  user      people who sign in to the pages: user add --name NAME --role ROLE [--enterprise TAXCODE] [--gate GATE]
            (password on stdin); user list; user disable NAME; user passwd NAME; user unlock NAME
  device    gate devices: device add --id ID --kind KIND --gate GATE --position POSITION; device list; device rotate ID; device disable ID
  tariff    the infrastructure fee's tariffs: tariff add --file F.json (refused if it overlaps one in force); tariff list
  import    import daily --file F.csv: the daily history before the platform (date,gate,direction,trucks,value_usd), all or nothing
  indicator indicator set --id ID --year Y --value V; indicator import --file F.csv; indicator list [--year Y]:
            the province's targets the platform cannot measure, entered by hand, and every target's progress
  report    report --from D --to D [--gate G] [--lang vi|en|zh] [--format md|csv|xlsx] [--out FILE]: a period's statistics
  seed      seed (--year | --days N) [--from DATE]: days of Lạng Sơn traffic on virtual time through the store's services, with a progress bar
  bench     measure the API's acknowledged events/s and latency against the raw database engine
  simulate  run a scenario through the real scheduler on virtual time (simulate validate: check it against queueing theory)
  version   print the version

Run 'cuakhau <command> --help' for a command's flags.
Environment: CUAKHAU_DB (database, as --db), CUAKHAU_ADDR (listen address, as --addr),
CUAKHAU_LOG_KEY (the log's signing key file, as --log-key).
`

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "cuakhau:", err)
		}
		var ex exitError
		if errors.As(err, &ex) {
			os.Exit(int(ex))
		}
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		os.Exit(1)
	}
}

// exitError carries a specific exit status, for commands such as verify
// whose failure is a finding rather than a crash.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitError(2)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "demo":
		return runDemo(ctx, rest, stdout, stderr)
	case "serve":
		return runServe(ctx, rest, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, stdout, stderr)
	case "verify":
		return runVerify(ctx, rest, stdout, stderr)
	case "log":
		return runLog(ctx, rest, stdout, stderr)
	case "backup":
		return runBackup(ctx, rest, stdout, stderr)
	case "queue":
		return runQueue(ctx, rest, stdout, stderr)
	case "token":
		return runToken(ctx, rest, stdout, stderr)
	case "user":
		return runUser(ctx, rest, stdout, stderr)
	case "device":
		return runDevice(ctx, rest, stdout, stderr)
	case "tariff":
		return runTariff(ctx, rest, stdout, stderr)
	case "import":
		return runImport(ctx, rest, stdout, stderr)
	case "indicator":
		return runIndicator(ctx, rest, stdout, stderr)
	case "report":
		return runReport(ctx, rest, stdout, stderr)
	case "seed":
		return runSeed(ctx, rest, stdout, stderr)
	case "bench":
		return runBench(ctx, rest, stdout, stderr)
	case "simulate":
		return runSimulate(ctx, rest, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "cuakhau", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// newFlags returns a flag set whose --help prints the command's synopsis and
// every flag with its meaning.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: cuakhau %s\n\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// dbFlag adds --db with its default from CUAKHAU_DB.
func dbFlag(fs *flag.FlagSet) *string {
	def := os.Getenv("CUAKHAU_DB")
	if def == "" {
		def = "sqlite:data/cuakhau.db"
	}
	return fs.String("db", def, "database: sqlite:PATH or a postgres:// URL (env CUAKHAU_DB)")
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// redact hides a PostgreSQL URL's password, so that logs never show it.
func redact(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	scheme := strings.Index(dsn, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return dsn
	}
	userinfo := dsn[scheme+3 : at]
	if i := strings.Index(userinfo, ":"); i >= 0 {
		return dsn[:scheme+3] + userinfo[:i] + ":***" + dsn[at:]
	}
	return dsn
}
