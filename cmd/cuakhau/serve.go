package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/time/rate"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/callforward"
	"github.com/cuakhau/cuakhau/catalog"
	"github.com/cuakhau/cuakhau/device"
	"github.com/cuakhau/cuakhau/httpapi"
	"github.com/cuakhau/cuakhau/mqttbridge"
	"github.com/cuakhau/cuakhau/notify"
	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/cuakhau/cuakhau/vietqr"
	"github.com/cuakhau/cuakhau/web"
)

// serverConfig is what a server needs; flags fill it in main, tests directly.
type serverConfig struct {
	Addr    string
	DSN     string
	Migrate bool // apply pending migrations instead of refusing to start
	Clock   cuakhau.Clock
	Logger  *slog.Logger
	// LogKey is the file of the log's signing key; empty means the default
	// beside a SQLite database. With Migrate a missing key is made, named
	// LogOrigin (default cuakhau.example).
	LogKey, LogOrigin string

	// Queue tunes the electronic queue; zero fields take the defaults.
	Queue sqlstore.QueueConfig
	// CallInterval is how often the call-forward loop looks for room (wall
	// time); NotifyInterval how often the dispatcher reads the outbox.
	CallInterval, NotifyInterval time.Duration
	// NoticeRetention is how long a delivered notification is kept (zero:
	// defaultNoticeRetention).
	NoticeRetention time.Duration
	// WebhookURL, when set, receives every notification, signed with
	// WebhookSecret; the log channel always does.
	WebhookURL    string
	WebhookSecret []byte
	// Limits throttles the API's open routes and failed authentication;
	// the zero value throttles nothing.
	Limits httpapi.Limits
	// MQTTListen, when set, runs an embedded MQTT broker there whose
	// readings topics feed the devices' Ingest; MQTTBroker, when set,
	// subscribes to those topics on an existing broker instead.
	MQTTListen, MQTTBroker string
	// Login slows and locks repeated failed logins to the pages (zero:
	// cuakhau.DefaultLoginPolicy); SessionTTL is how long a login lasts
	// (zero: sqlstore.DefaultSessionTTL); SecureCookies marks the pages'
	// cookies Secure on every request (behind a proxy that ends TLS).
	Login         cuakhau.LoginPolicy
	SessionTTL    time.Duration
	SecureCookies bool
	// Beneficiary is the account the fee receipts' VietQR codes pay to
	// (none: receipts carry no code); BankSecret, when set, lets banks post
	// signed payment notices.
	Beneficiary httpapi.Beneficiary
	BankSecret  string
}

// server is the API on its store: opened with openServer, run with Serve,
// stopped with Close, which lets in-flight requests finish.
type server struct {
	DB     *sqlstore.DB
	Calls  *callforward.Loop
	Notify *notify.Dispatcher
	// pruneStop ends the hourly pruning of old idempotency keys, which runs
	// from openServer to Close; pruned is closed when it has ended.
	pruneStop context.CancelFunc
	pruned    chan struct{}
	// watched is closed when the sweep of silent devices has ended;
	// silentAlerts counts the alerts it raised, unacked those of barrier
	// commands left unacknowledged.
	watched      chan struct{}
	silentAlerts *prometheus.CounterVec
	unacked      *prometheus.CounterVec
	Addr         string // the address actually listened on (port 0 resolved)
	http         *http.Server
	ln           net.Listener
	logger       *slog.Logger
	// Broker is the embedded MQTT broker (nil without MQTTListen);
	// mqttClient the subscription to an existing one.
	Broker     *mqttbridge.Broker
	mqttClient *mqttbridge.Client
	bridge     *mqttbridge.Bridge
	// outbox publishes the barriers' commands on the broker.
	outbox *mqttbridge.Outbox
}

func openServer(ctx context.Context, cfg serverConfig) (*server, error) {
	if cfg.Clock == nil {
		cfg.Clock = cuakhau.SystemClock{}
	}
	db, err := openDB(ctx, cfg.DSN, cfg.Clock)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*server, error) {
		db.Close()
		return nil, err
	}
	if cfg.Migrate {
		applied, err := db.Migrate(ctx)
		if err != nil {
			return fail(fmt.Errorf("migrate: %w", err))
		}
		for _, m := range applied {
			cfg.Logger.Info("migration applied", "name", m)
		}
	} else if pending, err := db.Pending(ctx); err != nil {
		return fail(fmt.Errorf("check migrations: %w", err))
	} else if len(pending) > 0 {
		return fail(fmt.Errorf("%d migration(s) pending (%s): run 'cuakhau migrate' or start with --migrate",
			len(pending), strings.Join(pending, ", ")))
	}
	if err := seed(ctx, db); err != nil {
		return fail(err)
	}
	if err := db.SetQueueConfig(cfg.Queue); err != nil {
		return fail(err)
	}
	keyPath, err := logKeyPath(cfg.DSN, cfg.LogKey)
	if err != nil {
		return fail(err)
	}
	if cfg.LogOrigin == "" {
		cfg.LogOrigin = defaultLogOrigin
	}
	tlog, err := openLog(db, keyPath, cfg.LogOrigin, cfg.Migrate, cfg.Clock)
	if err != nil {
		return fail(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	api := httpapi.New(httpapi.Config{
		Registry: reg,
		Gates:    db,
		Trips:    db,
		Tokens:   db,
		Queue:    db,
		Lookup:   db,
		Devices:  db,
		Log:      tlog,

		Receipts:     db,
		Stats:        db,
		Beneficiary:  cfg.Beneficiary,
		BankPayments: db,
		BankSecret:   cfg.BankSecret,
		Ready: func(ctx context.Context) error {
			if err := db.Ping(ctx); err != nil {
				return err
			}
			if p, err := db.Pending(ctx); err != nil {
				return err
			} else if len(p) > 0 {
				return fmt.Errorf("%d migration(s) pending", len(p))
			}
			return nil
		},
		Logger: cfg.Logger,
		Limits: cfg.Limits,
	})
	if cfg.Login != (cuakhau.LoginPolicy{}) {
		if err := db.SetLoginPolicy(cfg.Login); err != nil {
			return fail(err)
		}
	}
	db.SetSessionTTL(cfg.SessionTTL)
	indicators, err := catalog.Indicators()
	if err != nil {
		return fail(err)
	}
	db.SetIndicators(indicators)
	pages, err := web.New(web.Config{Gates: db, Queue: db, Lookup: db, Trips: db, Worklist: db, Sessions: db, Admin: db.Admin(), Notices: db, Devices: db, SecureCookies: cfg.SecureCookies,
		Client: api.ClientOf, Allow: api.AllowOpen, Logger: cfg.Logger,
		Stats: db, Indicators: indicators, Actuals: db, Enter: db, Reference: catalog.Reference(), Clock: cfg.Clock})
	if err != nil {
		return fail(err)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fail(err)
	}
	channels := []notify.Channel{notify.LogChannel{Logger: cfg.Logger}}
	if cfg.WebhookURL != "" {
		channels = append(channels, &notify.Webhook{URL: cfg.WebhookURL, Secret: cfg.WebhookSecret})
	}
	s := &server{
		DB:     db,
		Calls:  callforward.New(db, cfg.CallInterval, cfg.Logger),
		Notify: notify.NewDispatcher(db, cfg.Clock, cfg.NotifyInterval, cfg.Logger, channels...),
		Addr:   ln.Addr().String(),
		ln:     ln,
		logger: cfg.Logger,
		http: &http.Server{
			Handler:           mount(api, pages),
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      60 * time.Second,
			IdleTimeout:       120 * time.Second,
			ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
		},
	}
	if err := s.startMQTT(cfg, reg); err != nil {
		ln.Close()
		return fail(err)
	}
	s.http.RegisterOnShutdown(pages.Close)
	pruneCtx, stop := context.WithCancel(context.Background())
	s.pruneStop, s.pruned = stop, make(chan struct{})
	go s.pruneKeys(pruneCtx, cmp.Or(cfg.NoticeRetention, defaultNoticeRetention))
	s.watched = make(chan struct{})
	s.silentAlerts = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "cuakhau_device_silent_alerts_total",
		Help: "Silent-device alerts raised, by device: a device sent nothing for longer than its interval.",
	}, []string{"device"})
	s.unacked = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "cuakhau_barrier_unacked_total",
		Help: "Barrier commands left unacknowledged past the acknowledgement timeout, by barrier.",
	}, []string{"device"})
	reg.MustRegister(s.silentAlerts, s.unacked)
	// A barrier answers in wall time: on the demo's accelerated clock the
	// acknowledgement timeout is as many times longer.
	ackTimeout := device.AckTimeout
	if sc, ok := cfg.Clock.(cuakhau.ScaledClock); ok && sc.Speed > 1 {
		ackTimeout = time.Duration(float64(ackTimeout) * sc.Speed)
	}
	go s.watchDevices(pruneCtx, silentSweepEvery, ackTimeout)
	return s, nil
}

// startMQTT runs the embedded broker or subscribes to an existing one, as
// cfg says, feeding the devices' readings to the store's Ingest.
func (s *server) startMQTT(cfg serverConfig, reg *prometheus.Registry) error {
	if cfg.MQTTListen == "" && cfg.MQTTBroker == "" {
		return nil
	}
	if cfg.MQTTListen != "" && cfg.MQTTBroker != "" {
		return errors.New("--mqtt-listen and --mqtt-broker: one or the other, not both")
	}
	b := mqttbridge.New(s.DB, cfg.Logger, reg)
	s.bridge = b
	if cfg.MQTTListen != "" {
		k, err := mqttbridge.Listen(cfg.MQTTListen, b, quiet(cfg.Logger))
		if err != nil {
			return err
		}
		s.Broker = k
		s.commandsTo(k.Publish, cfg.Logger)
		cfg.Logger.Info("mqtt broker listening", "addr", k.Addr)
		return nil
	}
	host, _ := os.Hostname()
	c, err := mqttbridge.Dial(cfg.MQTTBroker, "cuakhau-"+host+"-"+strconv.Itoa(os.Getpid()), b, cfg.Logger)
	if err != nil {
		return err
	}
	s.mqttClient = c
	s.commandsTo(c.Publish, cfg.Logger)
	return nil
}

// commandsTo sends the barriers' commands through publish.
func (s *server) commandsTo(publish func(topic string, payload []byte) error, log *slog.Logger) {
	s.outbox = mqttbridge.NewOutbox(publish, log)
	s.DB.SetCommandSink(s.outbox.Send)
}

// stopMQTT disconnects from the broker, or stops the embedded one, after
// publishing the commands queued.
func (s *server) stopMQTT() {
	if s.outbox != nil {
		s.DB.SetCommandSink(nil)
		s.outbox.Close()
	}
	if s.mqttClient != nil {
		s.mqttClient.Close()
	}
	if s.Broker != nil {
		s.Broker.Close()
	}
}

// quiet passes on only warnings and errors: the embedded broker logs each
// connection at info.
func quiet(l *slog.Logger) *slog.Logger {
	return slog.New(minLevel{l.Handler(), slog.LevelWarn})
}

type minLevel struct {
	slog.Handler
	min slog.Level
}

func (m minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= m.min && m.Handler.Enabled(ctx, l)
}

func (m minLevel) WithAttrs(a []slog.Attr) slog.Handler {
	return minLevel{m.Handler.WithAttrs(a), m.min}
}

func (m minLevel) WithGroup(g string) slog.Handler { return minLevel{m.Handler.WithGroup(g), m.min} }

// mount serves the API under /api/ and at its probes, the pages at every
// other path: an unknown /api/ path is the API's JSON 404, an unknown page
// the pages' HTML one.
func mount(api, pages http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/", api)
	for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
		mux.Handle(p, api)
	}
	mux.Handle("/", pages)
	return mux
}

// serverGOGC is the collector's target for the server and the simulator
// unless GOGC is set. Their live heaps are small against what they
// allocate, so Go's default (collect when the heap doubles) collects very
// often: every ~50 ms in the API benchmark, about 7% of the CPU; a third of
// a simulated year's time with every truck through the state machine. Five
// times the live heap costs some tens of MB more.
const serverGOGC = 400

// tuneGC sets the collector's target for a long-running server or a long
// simulation, unless the operator has set GOGC.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(serverGOGC)
	}
}

// openDB opens the store, creating a SQLite file's folder if needed.
func openDB(ctx context.Context, dsn string, clock cuakhau.Clock) (*sqlstore.DB, error) {
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		path = strings.TrimPrefix(path, "//")
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("create data folder: %w", err)
			}
		}
	}
	db, err := sqlstore.Open(ctx, dsn, clock)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", redact(dsn), err)
	}
	return db, nil
}

// Serve answers requests, and runs the call-forward loop and the
// notification dispatcher, until Close; it returns nil after a clean Close.
func (s *server) Serve() error {
	s.Calls.Start(context.Background())
	s.Notify.Start(context.Background())
	if err := s.http.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close stops taking connections, waits for in-flight requests (up to the
// context's deadline), then closes the store.
func (s *server) Close(ctx context.Context) error {
	err := s.http.Shutdown(ctx)
	if cerr := s.closeBackground(); err == nil {
		err = cerr
	}
	return err
}

// closeBackground stops the call-forward loop, the dispatcher and the
// pruning, then closes the store they use.
func (s *server) closeBackground() error {
	s.stopMQTT()
	s.Calls.Stop()
	s.Notify.Stop()
	s.pruneStop()
	<-s.pruned
	<-s.watched
	return s.DB.Close()
}

// silentSweepEvery is how often the server looks for devices silent past
// their interval.
const silentSweepEvery = 15 * time.Second

// watchDevices raises the alerts of silent devices, and of barrier
// commands left unacknowledged, every interval until ctx ends.
func (s *server) watchDevices(ctx context.Context, every, ackTimeout time.Duration) {
	defer close(s.watched)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		as, err := s.DB.SweepSilent(ctx)
		if err != nil && ctx.Err() == nil {
			s.logger.Warn("sweep silent devices", "err", err)
		}
		for _, a := range as {
			s.silentAlerts.WithLabelValues(a.Device).Inc()
			s.logger.Warn("device silent", "gate", a.Gate, "device", a.Device, "message", a.Message)
		}
		as, err = s.DB.SweepUnacked(ctx, ackTimeout)
		if err != nil && ctx.Err() == nil {
			s.logger.Warn("sweep unacknowledged barrier commands", "err", err)
		}
		for _, a := range as {
			s.unacked.WithLabelValues(a.Device).Inc()
			s.logger.Warn("barrier command unacknowledged", "gate", a.Gate, "device", a.Device, "message", a.Message)
		}
	}
}

// keyTTL is how long an idempotency key and its first answer are kept:
// clients retry within minutes, devices within hours.
const keyTTL = 7 * 24 * time.Hour

// defaultNoticeRetention is how long a delivered notification is kept: a
// quarter's record of what each driver was told and when, after which the
// log's entry that caused it is the record.
const defaultNoticeRetention = 90 * 24 * time.Hour

// pruneKeys deletes idempotency keys older than keyTTL and delivered
// notifications older than the retention at start and then hourly, until
// ctx ends, so that neither table grows forever.
func (s *server) pruneKeys(ctx context.Context, noticeRetention time.Duration) {
	defer close(s.pruned)
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		pruneOld(ctx, s.DB, s.logger, noticeRetention)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// pruneOld deletes what the store keeps for a while only: idempotency keys
// past keyTTL, delivered notifications past noticeRetention. The server
// runs it hourly and the seed once a virtual day, so that a seeded year
// holds what a served one would.
func pruneOld(ctx context.Context, db *sqlstore.DB, logger *slog.Logger, noticeRetention time.Duration) {
	if n, err := db.PruneIdempotency(ctx, keyTTL); err != nil && ctx.Err() == nil {
		logger.Warn("prune idempotency keys", "err", err)
	} else if n > 0 {
		logger.Info("pruned idempotency keys", "count", n, "older_than", keyTTL)
	}
	if n, err := db.PruneNotices(ctx, noticeRetention); err != nil && ctx.Err() == nil {
		logger.Warn("prune delivered notifications", "err", err)
	} else if n > 0 {
		logger.Info("pruned delivered notifications", "count", n, "older_than", noticeRetention)
	}
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "serve [--addr ADDR] [--db DSN] [--migrate] [queue, notification and limit flags]", stderr)
	addr := fs.String("addr", envOr("CUAKHAU_ADDR", ":8080"), "listen address (env CUAKHAU_ADDR)")
	dsn := dbFlag(fs)
	migrate := fs.Bool("migrate", false, "apply pending migrations at start instead of refusing to start (and make the log key if there is none)")
	keyFile := logKeyFlag(fs)
	level := fs.String("log-level", "info", "log level: debug, info, warn, error")
	qf := queueFlags(fs)
	lf := limitFlags(fs)
	ff := feeFlags(fs)
	mqttListen := fs.String("mqtt-listen", os.Getenv("CUAKHAU_MQTT_LISTEN"), "run an embedded MQTT broker on this address (as :1883) taking the devices' signed readings on cuakhau/{gate}/{device}/readings (env CUAKHAU_MQTT_LISTEN)")
	mqttBroker := fs.String("mqtt-broker", os.Getenv("CUAKHAU_MQTT_BROKER"), "subscribe to the devices' readings on an existing MQTT broker, as tcp://host:1883 or ssl://host:8883 (env CUAKHAU_MQTT_BROKER)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger, err := newLogger(stderr, *level)
	if err != nil {
		return err
	}
	cfg := serverConfig{Addr: *addr, DSN: *dsn, Migrate: *migrate, Logger: logger, LogKey: *keyFile,
		MQTTListen: *mqttListen, MQTTBroker: *mqttBroker}
	if err := qf.apply(&cfg); err != nil {
		return err
	}
	if err := ff.apply(&cfg); err != nil {
		return err
	}
	if err := lf.apply(&cfg); err != nil {
		return err
	}
	tuneGC()
	s, err := openServer(ctx, cfg)
	if err != nil {
		return err
	}
	logger.Info("serving", "addr", s.Addr, "db", redact(*dsn), "version", version)
	return serveUntil(ctx, s, logger)
}

// serveUntil serves until ctx ends (Ctrl-C, SIGTERM), then shuts down,
// giving in-flight requests up to 15 seconds.
func serveUntil(ctx context.Context, s *server, logger *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- s.Serve() }()
	select {
	case err := <-errc:
		s.closeBackground()
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shut, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := s.Close(shut); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return <-errc
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// queueOpts are the flags of the electronic queue and its notifications,
// shared by serve and demo.
type queueOpts struct {
	policy                     *string
	window, tolerance, aging   *time.Duration
	horizon, lanes             *int
	rate                       *float64
	callEvery, notifyEvery     *time.Duration
	noticeKeep                 *time.Duration
	webhookURL, webhookSecretV *string
}

func queueFlags(fs *flag.FlagSet) *queueOpts {
	d := sqlstore.DefaultQueueConfig()
	return &queueOpts{
		policy:         fs.String("policy", d.Policy, "call-forward policy of gates whose operator set none: fifo, fixed-slot, adaptive"),
		window:         fs.Duration("window", d.Window.Length, "length of a bookable window"),
		horizon:        fs.Int("horizon-days", d.Window.HorizonDays, "how many days ahead windows may be booked"),
		tolerance:      fs.Duration("tolerance", d.Sched.Tolerance, "how early or late a booked truck may arrive and keep its window"),
		aging:          fs.Duration("aging-bound", d.Sched.AgingBound, "adaptive: longest a truck waits beyond its FIFO turn"),
		lanes:          fs.Int("lanes", d.Lanes, "lanes open per checkpoint until an operator sets them"),
		rate:           fs.Float64("rate", d.RatePerLaneHour, "configured trucks per lane-hour, used until crossings are measured"),
		callEvery:      fs.Duration("call-interval", 2*time.Second, "how often (wall time) the server looks for control-zone room to call trucks forward"),
		notifyEvery:    fs.Duration("notify-interval", time.Second, "how often (wall time) the dispatcher reads the notification outbox"),
		noticeKeep:     fs.Duration("notice-retention", defaultNoticeRetention, "how long a delivered notification is kept before it is deleted (the log keeps its cause; verify rebuilds its text); undelivered ones are kept"),
		webhookURL:     fs.String("webhook-url", os.Getenv("CUAKHAU_WEBHOOK_URL"), "URL that receives every notification as a signed JSON POST (env CUAKHAU_WEBHOOK_URL); notifications are always logged"),
		webhookSecretV: fs.String("webhook-secret-env", "CUAKHAU_WEBHOOK_SECRET", "name of the environment variable holding the webhook's HMAC-SHA256 secret (read from the environment so that it never shows in the process list; never printed)"),
	}
}

func (o *queueOpts) apply(cfg *serverConfig) error {
	cfg.Queue = sqlstore.QueueConfig{Policy: *o.policy, Lanes: *o.lanes, RatePerLaneHour: *o.rate}
	cfg.Queue.Window.Length, cfg.Queue.Window.HorizonDays = *o.window, *o.horizon
	cfg.Queue.Sched.Tolerance, cfg.Queue.Sched.AgingBound = *o.tolerance, *o.aging
	cfg.CallInterval, cfg.NotifyInterval, cfg.NoticeRetention = *o.callEvery, *o.notifyEvery, *o.noticeKeep
	if *o.lanes < 0 {
		return fmt.Errorf("--lanes: must not be negative")
	}
	if *o.noticeKeep < 24*time.Hour {
		return fmt.Errorf("--notice-retention: at least 24h, so that the consoles keep the day's messages; got %s", *o.noticeKeep)
	}
	if *o.webhookURL != "" {
		secret := os.Getenv(*o.webhookSecretV)
		if secret == "" {
			return fmt.Errorf("--webhook-url needs a secret in the environment variable %s", *o.webhookSecretV)
		}
		cfg.WebhookURL, cfg.WebhookSecret = *o.webhookURL, []byte(secret)
	}
	return nil
}

// limitOpts are the flags of the API's throttling, shared by serve and demo.
// Each takes its default from an environment variable when that is set.
type limitOpts struct {
	openRate, authFailPerMin *float64
	openBurst, authFailBurst *int
	trustedProxies           *string
	secureCookies            *bool
	lockAfter                *int
	lockFor, sessionTTL      *time.Duration
	envErr                   error // the first malformed variable
}

func limitFlags(fs *flag.FlagSet) *limitOpts {
	d := httpapi.DefaultLimits()
	o := &limitOpts{}
	o.openRate = fs.Float64("open-rate", o.envFloat("CUAKHAU_OPEN_RATE", float64(d.OpenRate)),
		"requests a second each client may make to the open routes once its burst is spent; 0: unlimited (env CUAKHAU_OPEN_RATE)")
	o.openBurst = fs.Int("open-burst", o.envInt("CUAKHAU_OPEN_BURST", d.OpenBurst),
		"requests each client may make to the open routes at once (env CUAKHAU_OPEN_BURST)")
	o.authFailPerMin = fs.Float64("auth-fail-rate", o.envFloat("CUAKHAU_AUTH_FAIL_RATE", float64(d.AuthFailRate)*60),
		"failed authentications (401) a minute each client may have once its burst is spent, after which its protected requests are 429; 0: unlimited (env CUAKHAU_AUTH_FAIL_RATE)")
	o.authFailBurst = fs.Int("auth-fail-burst", o.envInt("CUAKHAU_AUTH_FAIL_BURST", d.AuthFailBurst),
		"failed authentications each client may have at once (env CUAKHAU_AUTH_FAIL_BURST)")
	o.trustedProxies = fs.String("trusted-proxies", os.Getenv("CUAKHAU_TRUSTED_PROXIES"),
		"comma-separated addresses or CIDR prefixes of reverse proxies whose X-Forwarded-For names the client; without any the header is ignored (env CUAKHAU_TRUSTED_PROXIES)")
	dl := cuakhau.DefaultLoginPolicy()
	o.secureCookies = fs.Bool("secure-cookies", os.Getenv("CUAKHAU_SECURE_COOKIES") == "1",
		"mark the pages' session and CSRF cookies Secure on every request, for a server behind a proxy that ends TLS (requests over TLS get it anyway) (env CUAKHAU_SECURE_COOKIES=1)")
	o.lockAfter = fs.Int("login-lock-after", dl.LockAfter, "failed logins in a row after which a user name or client is locked")
	o.lockFor = fs.Duration("login-lock-for", dl.LockFor, "how long a locked user name or client stays locked ('cuakhau user unlock NAME' ends it sooner)")
	o.sessionTTL = fs.Duration("session-ttl", 12*time.Hour, "how long a login to the pages lasts")
	return o
}

func (o *limitOpts) envFloat(key string, def float64) float64 {
	v := os.Getenv(key)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil && o.envErr == nil {
		o.envErr = fmt.Errorf("%s: %q is not a number", key, v)
	}
	return f
}

func (o *limitOpts) envInt(key string, def int) int {
	v := os.Getenv(key)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil && o.envErr == nil {
		o.envErr = fmt.Errorf("%s: %q is not a whole number", key, v)
	}
	return n
}

func (o *limitOpts) apply(cfg *serverConfig) error {
	if o.envErr != nil {
		return o.envErr
	}
	proxies, err := httpapi.ParsePrefixes(*o.trustedProxies)
	if err != nil {
		return fmt.Errorf("--trusted-proxies: %w", err)
	}
	l := httpapi.Limits{
		OpenRate: rate.Limit(*o.openRate), OpenBurst: *o.openBurst,
		AuthFailRate: rate.Limit(*o.authFailPerMin / 60), AuthFailBurst: *o.authFailBurst,
		TrustedProxies: proxies,
	}
	if err := l.Validate(); err != nil {
		// Its fields are the flags: open_burst is --open-burst.
		var msgs []string
		for field, rule := range cuakhau.ErrorFields(err) {
			msgs = append(msgs, "--"+strings.ReplaceAll(field, "_", "-")+": "+rule)
		}
		slices.Sort(msgs)
		return errors.New(strings.Join(msgs, "; "))
	}
	cfg.Limits = l
	cfg.Login = cuakhau.DefaultLoginPolicy()
	cfg.Login.LockAfter, cfg.Login.LockFor = *o.lockAfter, *o.lockFor
	cfg.Login.SlowAfter = min(cfg.Login.SlowAfter, cfg.Login.LockAfter)
	if err := cfg.Login.Validate(); err != nil {
		return fmt.Errorf("--login-lock-after must be at least 1 and --login-lock-for positive: %w", err)
	}
	if *o.sessionTTL <= 0 {
		return fmt.Errorf("--session-ttl must be positive, got %s", *o.sessionTTL)
	}
	cfg.SessionTTL, cfg.SecureCookies = *o.sessionTTL, *o.secureCookies
	return nil
}

// feeOpts are the flags of the fee receipts' payment, shared by serve and
// demo.
type feeOpts struct {
	bankBIN, account, name, bankSecretV *string
}

func feeFlags(fs *flag.FlagSet) *feeOpts {
	return &feeOpts{
		bankBIN: fs.String("fee-bank-bin", os.Getenv("CUAKHAU_FEE_BANK_BIN"), "the NAPAS BIN (6 digits) of the bank the infrastructure fee is paid to; with --fee-account, receipts carry a VietQR code (env CUAKHAU_FEE_BANK_BIN)"),
		account: fs.String("fee-account", os.Getenv("CUAKHAU_FEE_ACCOUNT"), "the account number the fee is paid to (env CUAKHAU_FEE_ACCOUNT)"),
		name:    fs.String("fee-account-name", os.Getenv("CUAKHAU_FEE_ACCOUNT_NAME"), "the account holder's name, shown on receipts (env CUAKHAU_FEE_ACCOUNT_NAME)"),
		bankSecretV: fs.String("bank-webhook-secret-env", "CUAKHAU_BANK_WEBHOOK_SECRET",
			"name of the environment variable holding the HMAC-SHA256 secret banks sign payment notices with (POST /api/v1/payments/bank; unset: the route answers 404)"),
	}
}

func (o *feeOpts) apply(cfg *serverConfig) error {
	if *o.bankBIN != "" || *o.account != "" {
		// vietqr's own rules for a beneficiary, checked at start rather than
		// at the first receipt.
		if err := (vietqr.Payment{BankBIN: *o.bankBIN, Account: *o.account}).Validate(); err != nil {
			return fmt.Errorf("--fee-bank-bin/--fee-account: %w", err)
		}
		cfg.Beneficiary = httpapi.Beneficiary{BankBIN: *o.bankBIN, Account: *o.account, Name: *o.name}
	}
	cfg.BankSecret = os.Getenv(*o.bankSecretV)
	return nil
}
