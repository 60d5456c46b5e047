package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/internal/loadtest"
	"github.com/cuakhau/cuakhau/internal/pgcluster"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// runBench measures the API against the raw engine on the same machine, in
// one run: full trip lifecycles through HTTP with concurrent clients against a
// `cuakhau serve` child process (so its peak RSS is the server's alone), then
// the same-sized rows inserted straight into the engine, one per transaction
// and batched.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench", "bench [--scenario lifecycle|crisis] [--store sqlite|postgres|both] [--clients N] [--duration D] [--waiting N] [--postgres URL]", stderr)
	scenario := fs.String("scenario", "lifecycle", "lifecycle: full trip lifecycles against the raw engine; crisis: one gate's check-ins, calls and public feed with --waiting trucks waiting")
	store := fs.String("store", "both", "which store to measure: sqlite, postgres or both")
	waiting := fs.Int("waiting", 10000, "crisis: trucks checked in at one gate")
	calls := fs.Int("calls", 200, "crisis: calls out of turn, one at a time, with the trucks waiting")
	feeds := fs.Int("feeds", 200, "crisis: reads of the public feed, one at a time")
	server := fs.String("server", "", "crisis: the cuakhau binary to serve, migrate and make tokens with (default: this one), to compare builds")
	clients := fs.Int("clients", 32, "concurrent API clients")
	duration := fs.Duration("duration", 20*time.Second, "measured time per store")
	warmup := fs.Duration("warmup", 3*time.Second, "warm-up before measuring")
	rows := fs.Int("rows", 5000, "rows inserted for each raw engine rate")
	pgURL := fs.String("postgres", "", "an empty PostgreSQL database to use (default: start a throwaway cluster)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "cuakhau-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	switch *scenario {
	case "lifecycle":
	case "crisis":
		if *store != "sqlite" {
			return fmt.Errorf("--scenario crisis runs on --store sqlite")
		}
		if *waiting < 1 {
			return fmt.Errorf("--waiting must be at least 1")
		}
		if *server != "" {
			exe = *server
		}
		return benchCrisis(ctx, stdout, exe, "sqlite:"+filepath.Join(dir, "crisis.db"),
			loadtest.CrisisConfig{Clients: *clients, Waiting: *waiting, Calls: *calls, Feeds: *feeds})
	default:
		return fmt.Errorf("--scenario: one of lifecycle, crisis")
	}

	// What the stores hold after the run, printed after the rates.
	var storage strings.Builder
	defer func() {
		if storage.Len() > 0 {
			fmt.Fprintf(stdout, "\n| store | trips (crossed) | bytes a trip | idempotency answers a trip | the rest a trip | the rest's largest tables a trip |\n|---|---|---|---|---|---|\n%s", storage.String())
		}
	}()
	fmt.Fprintf(stdout, "| store | clients | API events/s | p50 | p99 | max | server peak RSS | raw 1 row/tx rows/s | raw 100 rows/tx rows/s | API ÷ raw 1/tx |\n")
	fmt.Fprintf(stdout, "|---|---|---|---|---|---|---|---|---|---|\n")
	if *store == "sqlite" || *store == "both" {
		apiDSN := "sqlite:" + filepath.Join(dir, "api.db")
		// The store's durability settings, with SQLite's own automatic
		// checkpoint: the raw loop has no checkpointer beside it.
		rawDSN := sqlstore.SQLiteEngineDSN(filepath.Join(dir, "raw.db"))
		if err := benchStore(ctx, stdout, &storage, exe, "sqlite", apiDSN, "sqlite", rawDSN, "?", nil, *clients, *warmup, *duration, *rows); err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
	}
	if *store == "postgres" || *store == "both" {
		url := *pgURL
		if url == "" {
			c, err := pgcluster.Start()
			if errors.Is(err, pgcluster.ErrNotInstalled) {
				return fmt.Errorf("%w: install it, or give --postgres the URL of an empty database", err)
			}
			if err != nil {
				return fmt.Errorf("start postgres: %w", err)
			}
			defer c.Stop()
			if url, err = c.CreateDB(ctx, "bench"); err != nil {
				return err
			}
		}
		// PostgreSQL has no file beside it for the log key.
		keyArgs := []string{"--log-key", filepath.Join(dir, "postgres.log-key")}
		if err := benchStore(ctx, stdout, &storage, exe, "postgres", url, "pgx", url, "$", keyArgs, *clients, *warmup, *duration, *rows); err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
	}
	return nil
}

// benchTax is the tax code of the benchmarks' enterprise.
const benchTax = "0100109106"

// startBenchServer migrates apiDSN, makes a token per role and starts `exe
// serve` on it with extra flags; keyArgs name the log key to migrate and
// serve (PostgreSQL has no file beside it for one); stop ends it (once).
func startBenchServer(ctx context.Context, exe, apiDSN string, keyArgs []string, extra ...string) (base string, tokens map[string]string, pid int, stop func(), err error) {
	if out, err := exec.CommandContext(ctx, exe, append([]string{"migrate", "--db", apiDSN}, keyArgs...)...).CombinedOutput(); err != nil {
		return "", nil, 0, nil, fmt.Errorf("migrate: %v: %s", err, out)
	}
	tokens = map[string]string{}
	for _, role := range []string{"enterprise", "operator", "medical", "customs", "quarantine", "border_guard"} {
		args := []string{"token", "create", "--role", role, "--db", apiDSN}
		if role == "enterprise" {
			args = append(args, "--enterprise", benchTax)
		}
		out, err := exec.CommandContext(ctx, exe, args...).Output()
		if err != nil {
			return "", nil, 0, nil, fmt.Errorf("token create %s: %w", role, err)
		}
		tokens[role] = strings.TrimSpace(string(out))
	}
	addr, err := freeAddr()
	if err != nil {
		return "", nil, 0, nil, err
	}
	srv := exec.CommandContext(ctx, exe, append(append([]string{"serve", "--addr", addr, "--db", apiDSN, "--log-level", "error"}, keyArgs...), extra...)...)
	srv.Stderr = os.Stderr
	if err := srv.Start(); err != nil {
		return "", nil, 0, nil, err
	}
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			srv.Process.Signal(syscall.SIGTERM)
			srv.Wait()
		}
	}
	base = "http://" + addr
	if err := waitReady(ctx, base); err != nil {
		stop()
		return "", nil, 0, nil, err
	}
	return base, tokens, srv.Process.Pid, stop, nil
}

// benchCrisis runs the crisis scenario against `exe serve` on apiDSN. The
// server's own call-forward loop is slowed to once an hour, so that the
// figures are the requests' own and no truck leaves the waiting area but
// by the calls measured.
func benchCrisis(ctx context.Context, w io.Writer, exe, apiDSN string, cfg loadtest.CrisisConfig) error {
	// One load generator is one address: the open routes' per-client limit
	// would measure the throttle, not the feed.
	base, tokens, pid, stop, err := startBenchServer(ctx, exe, apiDSN, nil, "--call-interval", "1h", "--open-rate", "0")
	if err != nil {
		return err
	}
	defer stop()
	cfg.BaseURL, cfg.Tokens, cfg.TaxCode = base, tokens, benchTax
	res, err := loadtest.Crisis(ctx, cfg)
	if err != nil {
		return err
	}
	rss := peakRSS(pid)
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
	fmt.Fprintf(w, "| waiting | clients | check-ins/s | check-in p50 | p99 | call p50 | p99 | max | feed p50 | p99 | feed bytes | server peak RSS |\n")
	fmt.Fprintf(w, "|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	fmt.Fprintf(w, "| %d | %d | %.0f | %s | %s | %s | %s | %s | %s | %s | %d | %.0f MB |\n\n", res.Waiting, cfg.Clients, res.CheckInPerSec,
		ms(res.CheckInP50), ms(res.CheckInP99), ms(res.CallP50), ms(res.CallP99), ms(res.CallMax), ms(res.FeedP50), ms(res.FeedP99), res.FeedBytes, float64(rss)/(1<<20))
	fmt.Fprintf(w, "| check-ins | per s | p50 | p99 |\n|---|---|---|---|\n")
	for _, b := range res.Blocks {
		fmt.Fprintf(w, "| %d–%d | %.0f | %s | %s |\n", b.From, b.To, b.PerSec, ms(b.P50), ms(b.P99))
	}
	return nil
}

func benchStore(ctx context.Context, w, storage io.Writer, exe, name, apiDSN, driver, rawDSN, ph string, keyArgs []string, clients int, warmup, duration time.Duration, rows int) error {
	base, tokens, pid, stop, err := startBenchServer(ctx, exe, apiDSN, keyArgs)
	if err != nil {
		return err
	}
	defer stop()
	res, err := loadtest.Run(ctx, loadtest.Config{BaseURL: base, Tokens: tokens, TaxCode: benchTax,
		Clients: clients, Warmup: warmup, Duration: duration})
	if err != nil {
		return err
	}
	rss := peakRSS(pid)
	stop()
	if err := storageLine(ctx, storage, name, apiDSN); err != nil {
		return err
	}
	// The engine alone is measured on a quiet disk: the server stopped (its
	// last checkpoint done) and what the API phase left in the OS's cache
	// written out, so that neither phase pays for the other's writes.
	syscall.Sync()

	raw, err := sql.Open(driver, rawDSN)
	if err != nil {
		return err
	}
	defer raw.Close()
	one, err := loadtest.RawRate(ctx, raw, ph, rows, 1)
	if err != nil {
		return fmt.Errorf("raw rate: %w", err)
	}
	batched, err := loadtest.RawRate(ctx, raw, ph, rows*10, 100)
	if err != nil {
		return fmt.Errorf("raw rate: %w", err)
	}
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
	fmt.Fprintf(w, "| %s | %d | %.0f | %s | %s | %s | %.0f MB | %.0f | %.0f | %.2f |\n",
		name, clients, res.EventsPerSec, ms(res.P50), ms(res.P99), ms(res.Max), float64(rss)/(1<<20), one, batched, res.EventsPerSec/one)
	if res.Errors > 0 {
		fmt.Fprintf(w, "\n%s: %d lifecycles failed\n", name, res.Errors)
	}
	return nil
}

// storageLine writes a row of what the store at dsn holds a trip: in all,
// in stored idempotency answers (kept for keyTTL, so a fixed window of
// trips' worth, not a year's), and the rest, with its largest tables.
func storageLine(ctx context.Context, w io.Writer, name, dsn string) error {
	db, err := sqlstore.Open(ctx, dsn, cuakhau.SystemClock{})
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := db.Storage(ctx)
	if err != nil {
		return err
	}
	if st.Trips == 0 {
		return fmt.Errorf("storage: no trips stored")
	}
	per := func(b int64) string { return fmt.Sprintf("%.1f KB", float64(b)/float64(st.Trips)/1000) }
	idem := st.Of("idempotency")
	var largest []string
	for _, t := range st.Tables {
		if t.Table == "idempotency" || len(largest) == 5 {
			continue
		}
		largest = append(largest, t.Table+" "+per(t.Bytes))
	}
	fmt.Fprintf(w, "| %s | %d (%d) | %s | %s | %s | %s |\n", name, st.Trips, st.Crossed, per(st.Bytes()), per(idem), per(st.Bytes()-idem), strings.Join(largest, ", "))
	return nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitReady(ctx context.Context, base string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("server at %s not ready after 30 s", base)
}

// peakRSS returns a process's peak resident set size in bytes (VmHWM), or 0
// where /proc is not available.
func peakRSS(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}
