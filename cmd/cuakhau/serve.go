package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/httpapi"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// serverConfig is what a server needs; flags fill it in main, tests directly.
type serverConfig struct {
	Addr    string
	DSN     string
	Migrate bool // apply pending migrations instead of refusing to start
	Clock   cuakhau.Clock
	Logger  *slog.Logger
}

// server is the API on its store: opened with openServer, run with Serve,
// stopped with Close, which lets in-flight requests finish.
type server struct {
	DB     *sqlstore.DB
	Addr   string // the address actually listened on (port 0 resolved)
	http   *http.Server
	ln     net.Listener
	logger *slog.Logger
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
	api := httpapi.New(httpapi.Config{
		Gates:  db,
		Trips:  db,
		Tokens: db,
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
	})
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fail(err)
	}
	s := &server{
		DB:     db,
		Addr:   ln.Addr().String(),
		ln:     ln,
		logger: cfg.Logger,
		http: &http.Server{
			Handler:           api,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      60 * time.Second,
			IdleTimeout:       120 * time.Second,
			ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
		},
	}
	return s, nil
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

// Serve answers requests until Close; it returns nil after a clean Close.
func (s *server) Serve() error {
	if err := s.http.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close stops taking connections, waits for in-flight requests (up to the
// context's deadline), then closes the store.
func (s *server) Close(ctx context.Context) error {
	err := s.http.Shutdown(ctx)
	if cerr := s.DB.Close(); err == nil {
		err = cerr
	}
	return err
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "serve [--addr ADDR] [--db DSN] [--migrate]", stderr)
	addr := fs.String("addr", envOr("CUAKHAU_ADDR", ":8080"), "listen address (env CUAKHAU_ADDR)")
	dsn := dbFlag(fs)
	migrate := fs.Bool("migrate", false, "apply pending migrations at start instead of refusing to start")
	level := fs.String("log-level", "info", "log level: debug, info, warn, error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger, err := newLogger(stderr, *level)
	if err != nil {
		return err
	}
	s, err := openServer(ctx, serverConfig{Addr: *addr, DSN: *dsn, Migrate: *migrate, Logger: logger})
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
		s.DB.Close()
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
