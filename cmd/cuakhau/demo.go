package main

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/fee"
	"github.com/cuakhau/cuakhau/httpapi"
	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/cuakhau/cuakhau/traffic"
)

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "demo [--data DIR] [--addr ADDR] [--speed N] [--seed N]", stderr)
	data := fs.String("data", "data", "folder for the demo's SQLite database, tokens and clock")
	addr := fs.String("addr", envOr("CUAKHAU_ADDR", ":8080"), "listen address (env CUAKHAU_ADDR)")
	speed := fs.Float64("speed", 60, "how many times faster than wall time the border runs")
	seed := fs.Uint64("seed", 1, "seed of the traffic's random draws")
	level := fs.String("log-level", "info", "log level: debug, info, warn, error")
	mqttListen := fs.String("mqtt-listen", envOr("CUAKHAU_MQTT_LISTEN", "127.0.0.1:1883"), "address of the embedded MQTT broker, over which the demo's simulated cameras check trucks in, admit them to the control zone and record their crossing (env CUAKHAU_MQTT_LISTEN)")
	qf := queueFlags(fs)
	lf := limitFlags(fs)
	ff := feeFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *speed <= 0 {
		return fmt.Errorf("--speed: must be greater than 0, got %g", *speed)
	}
	logger, err := newLogger(stderr, *level)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*data, 0o750); err != nil {
		return fmt.Errorf("create data folder: %w", err)
	}
	clockFile := filepath.Join(*data, "demo-clock.txt")
	dsn := "sqlite:" + filepath.Join(*data, "cuakhau.db")
	origin, err := demoOrigin(ctx, clockFile, filepath.Join(*data, "cuakhau.db"))
	if err != nil {
		return err
	}
	clock := cuakhau.ScaledClock{Origin: origin, Start: time.Now(), Speed: *speed}
	cfg := serverConfig{Addr: *addr, DSN: dsn, Migrate: true, Clock: clock, Logger: logger, MQTTListen: *mqttListen}
	if err := qf.apply(&cfg); err != nil {
		return err
	}
	if err := ff.apply(&cfg); err != nil {
		return err
	}
	if cfg.Beneficiary.BankBIN == "" {
		cfg.Beneficiary = demoBeneficiary
	}
	if err := lf.apply(&cfg); err != nil {
		return err
	}
	// Sessions and login locks are timed by the store's clock, which runs
	// at the demo's speed: stretch them, so that a login lasts its hours
	// and a lock its minutes of the visitor's own time.
	stretch := func(d time.Duration) time.Duration { return time.Duration(float64(d) * *speed) }
	cfg.SessionTTL = stretch(cfg.SessionTTL)
	cfg.Login.Delay, cfg.Login.LockFor, cfg.Login.Window = stretch(cfg.Login.Delay), stretch(cfg.Login.LockFor), stretch(cfg.Login.Window)
	tuneGC()
	s, err := openServer(ctx, cfg)
	if err != nil {
		return err
	}
	tokens, err := demoTokens(ctx, s, filepath.Join(*data, "tokens.txt"))
	if err != nil {
		s.Close(context.Background())
		return err
	}
	logins, err := demoLogins(ctx, s, filepath.Join(*data, "logins.txt"))
	if err != nil {
		s.Close(context.Background())
		return err
	}
	printWelcome(stdout, s.Addr, dsn, *speed, clock.Now(), tokens, filepath.Join(*data, "tokens.txt"), logins, filepath.Join(*data, "logins.txt"))
	if err := demoTariff(ctx, s.DB, stdout); err != nil {
		s.Close(context.Background())
		return err
	}
	if err := demoHistory(ctx, s.DB, clock.Now(), *seed, stdout); err != nil {
		s.Close(context.Background())
		return err
	}

	cams, closeCams, err := startDemoCameras(ctx, s, clock, *seed)
	if err != nil {
		s.Close(context.Background())
		return err
	}
	defer closeCams()
	s.bridge.Done = cams.done
	fmt.Fprintf(stdout, "Devices: simulated plate cameras publish on the embedded MQTT broker at %s (cuakhau/{gate}/{device}/readings); barriers at each control zone and zero line obey the server's signed commands (…/commands) and acknowledge them (…/acks)\n\n", s.Broker.Addr)
	gen := traffic.New(traffic.Config{Gates: s.DB, Trips: s.DB, Queue: s.DB, Clock: clock, Speed: *speed, Seed: *seed, Logger: logger, Devices: cams.read})
	trafficCtx, stopTraffic := context.WithCancel(ctx)
	defer stopTraffic()
	done := make(chan error, 1)
	go func() { done <- gen.Run(trafficCtx) }()
	go reportProgress(trafficCtx, gen, clock, clockFile, logger)

	err = serveUntil(ctx, s, logger)
	stopTraffic()
	if terr := <-done; terr != nil && err == nil {
		err = terr
	}
	if werr := saveClock(clockFile, clock.Now()); werr != nil && err == nil {
		err = werr
	}
	st := gen.Stats()
	fmt.Fprintf(stdout, "stopped at %s gate time: %d declared, %d crossed, %d decisions this run; run again to resume\n",
		clock.Now().In(localZone()).Format("2006-01-02 15:04"), st.Declared, st.Crossed, st.Decisions)
	return err
}

// demoOrigin is where the demo's clock starts: where the last run stopped,
// so that a second run resumes its day; on a first run, now, or the next
// 06:30 gate time when the gates are closed, so that traffic shows at once.
// The clock file is saved every few seconds, so a demo that was killed
// wrote events after the time it holds: the clock then starts at the last
// entry of the database's log, never before it, or trips would cross
// before they entered and the measured rates would go wrong.
func demoOrigin(ctx context.Context, clockFile, dbFile string) (time.Time, error) {
	var origin time.Time
	if b, err := os.ReadFile(clockFile); err == nil {
		origin, _ = time.Parse(time.RFC3339Nano, strings.TrimSpace(string(b)))
	}
	if _, err := os.Stat(dbFile); err == nil {
		db, err := sqlstore.Open(ctx, "sqlite:"+dbFile, cuakhau.SystemClock{})
		if err != nil {
			return time.Time{}, err
		}
		last, err := db.LastEventAt(ctx)
		db.Close()
		if err != nil {
			return time.Time{}, fmt.Errorf("read the demo's last event: %w", err)
		}
		if last.After(origin) {
			origin = last
		}
	}
	if !origin.IsZero() {
		return origin.UTC(), nil
	}
	now := time.Now().In(localZone())
	if h := now.Hour(); h >= 7 && h < 19 {
		return now.UTC(), nil
	}
	day := time.Date(now.Year(), now.Month(), now.Day(), 6, 30, 0, 0, now.Location())
	if now.Hour() >= 19 {
		day = day.AddDate(0, 0, 1)
	}
	return day.UTC(), nil
}

func saveClock(path string, t time.Time) error {
	return os.WriteFile(path, []byte(t.UTC().Format(time.RFC3339Nano)+"\n"), 0o640)
}

func localZone() *time.Location {
	if loc, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return loc
	}
	return time.FixedZone("ICT", 7*3600)
}

// demoRoles are the tokens a demo prints: one per role, the enterprise one
// bound to the first demo company.
var demoRoles = []cuakhau.Role{cuakhau.RoleAdmin, cuakhau.RoleOperator, cuakhau.RoleCustoms,
	cuakhau.RoleBorderGuard, cuakhau.RoleQuarantine, cuakhau.RoleMedical, cuakhau.RoleEnterprise, cuakhau.RoleViewer}

type demoToken struct {
	role, secret string
}

// demoTokens creates one token per role on the first run and keeps their
// secrets in the data folder (the store keeps only hashes), so that later
// runs print the same tokens.
func demoTokens(ctx context.Context, s *server, path string) ([]demoToken, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		var out []demoToken
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if role, secret, ok := strings.Cut(line, " "); ok {
				out = append(out, demoToken{role, strings.TrimSpace(secret)})
			}
		}
		if len(out) == len(demoRoles) {
			return out, nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	var out []demoToken
	var sb strings.Builder
	for _, r := range demoRoles {
		t := cuakhau.Token{Role: r, Name: "demo " + string(r)}
		if r == cuakhau.RoleEnterprise {
			t.TaxCode = traffic.TaxCodes()[0]
		}
		secret, _, err := s.DB.CreateToken(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("create demo %s token: %w", r, err)
		}
		out = append(out, demoToken{string(r), secret})
		fmt.Fprintf(&sb, "%s %s\n", r, secret)
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		return nil, err
	}
	return out, nil
}

// demoLogin is a demo user who signs in to the pages.
type demoLogin struct {
	role, name, password string
}

// demoLogins makes one user per role on the first run, with a random
// password each, and keeps the passwords in the data folder (the store
// keeps only hashes), so that later runs print the same logins. A user of
// the file's that exists already with another password gets the file's.
func demoLogins(ctx context.Context, s *server, path string) ([]demoLogin, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		var out []demoLogin
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if f := strings.Fields(line); len(f) == 3 {
				out = append(out, demoLogin{f[0], f[1], f[2]})
			}
		}
		if len(out) == len(demoRoles) {
			return out, nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	var out []demoLogin
	var sb strings.Builder
	for _, r := range demoRoles {
		var raw [10]byte
		rand.Read(raw[:])
		l := demoLogin{string(r), "demo-" + strings.ReplaceAll(string(r), "_", "-"), strings.ToLower(base32.StdEncoding.EncodeToString(raw[:]))}
		u := cuakhau.User{Name: l.name, Role: r}
		if r == cuakhau.RoleEnterprise {
			u.TaxCode = traffic.TaxCodes()[0]
		}
		if _, err := s.DB.CreateUser(ctx, u, l.password); cuakhau.ErrorCode(err) == cuakhau.ECONFLICT {
			err = s.DB.SetPassword(ctx, l.name, l.password)
		} else if err != nil {
			return nil, fmt.Errorf("create demo %s user: %w", r, err)
		}
		out = append(out, l)
		fmt.Fprintf(&sb, "%s %s %s\n", l.role, l.name, l.password)
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		return nil, err
	}
	return out, nil
}

// printLogins prints the demo's logins to the pages.
func printLogins(w io.Writer, host string, logins []demoLogin, file string) {
	fmt.Fprintf(w, "Logins to the pages at http://%s/login (kept in %s):\n", host, file)
	for _, l := range logins {
		fmt.Fprintf(w, "  %-13s %-18s %s\n", l.role, l.name, l.password)
	}
}

func printWelcome(w io.Writer, addr, dsn string, speed float64, now time.Time, tokens []demoToken, tokenFile string, logins []demoLogin, loginFile string) {
	host := addr
	if strings.HasPrefix(host, "[::]:") || strings.HasPrefix(host, "0.0.0.0:") || strings.HasPrefix(host, ":") {
		host = "localhost:" + host[strings.LastIndex(host, ":")+1:]
	}
	fmt.Fprintf(w, "cuakhau demo: the Lạng Sơn gates at %g× speed on %s\n", speed, dsn)
	fmt.Fprintf(w, "gate time now: %s (Asia/Ho_Chi_Minh)\n\n", now.In(localZone()).Format("2006-01-02 15:04"))
	fmt.Fprintf(w, "Board: http://%s/   driver's lookup: http://%s/trip\n", host, host)
	fmt.Fprintf(w, "API:  http://%s/api/v1/gates   (contract: http://%s/api/openapi.yaml)\n", host, host)
	fmt.Fprintf(w, "Waits (open feed): http://%s/api/v1/public/waits   queue: /api/v1/gates/huu-nghi/queue\n\n", host)
	fmt.Fprintf(w, "Tokens (kept in %s):\n", tokenFile)
	for _, t := range tokens {
		fmt.Fprintf(w, "  %-13s %s\n", t.role, t.secret)
	}
	fmt.Fprintln(w)
	printLogins(w, host, logins, loginFile)
	admin := tokens[0].secret
	fmt.Fprintf(w, "\nTry:\n  curl -s -H 'Authorization: Bearer %s' 'http://%s/api/v1/trips?gate=huu-nghi&status=in_zone'\n", admin, host)
	fmt.Fprintf(w, "\nCtrl-C stops the demo; running it again resumes where it stopped.\n\n")
}

// reportProgress logs what the traffic did and saves the demo clock every
// few seconds, so that even a killed demo resumes close to where it was.
func reportProgress(ctx context.Context, gen *traffic.Generator, clock cuakhau.Clock, clockFile string, logger *slog.Logger) {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := saveClock(clockFile, clock.Now()); err != nil {
			logger.Warn("save demo clock", "err", err)
		}
		st := gen.Stats()
		logger.Info("demo traffic", "gate_time", clock.Now().In(localZone()).Format("2006-01-02 15:04"),
			"declared", st.Declared, "booked", st.Booked, "arrived", st.Arrived, "decisions", st.Decisions, "crossed", st.Crossed,
			"cancelled", st.Cancelled, "sold_off", st.SoldOff, "no_show", st.NoShows, "rejected", st.Rejected, "errors", st.Errors)
	}
}

// demoBeneficiary is the demo's receipts' account when none is given: an
// example, named so that nobody pays it.
var demoBeneficiary = httpapi.Beneficiary{BankBIN: "970436", Account: "0000000000", Name: "DEMO - KHONG CHUYEN TIEN (example, do not pay)"}

// demoTariff stores fee's example schedule when the store has no tariff, so
// that the demo's crossings get receipts. A store whose trucks crossed
// before it had tariffs keeps those days unbilled: the example is then
// refused, and the demo says so and goes on without receipts.
func demoTariff(ctx context.Context, db *sqlstore.DB, stdout io.Writer) error {
	have, err := db.Tariffs(ctx)
	if err != nil || len(have) > 0 {
		return err
	}
	ex, err := fee.Example()
	if err != nil {
		return err
	}
	if err := db.AddTariffs(ctx, ex); err != nil {
		if cuakhau.ErrorCode(err) == cuakhau.EINVALID {
			fmt.Fprintf(stdout, "Fees: the example tariff was not added (%v); crossings get no receipts\n", err)
			return nil
		}
		return err
	}
	fmt.Fprintf(stdout, "Fees: the example tariff %q (example amounts where the resolution publishes none) bills every crossing; a crossed trip's receipt is GET /api/v1/trips/{id}/receipt\n", ex[0].Version)
	return nil
}
