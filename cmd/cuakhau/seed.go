package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/callforward"
	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/cuakhau/cuakhau/traffic"
)

// runSeed fills a store with days of Lạng Sơn traffic on virtual time,
// through the store's own services as `demo` drives them (declarations,
// bookings, check-ins, the server's call-forward, every checkpoint's
// decision and the crossing), as fast as the store writes: a year of data
// for the benchmarks of the statistics, the reports and the storage.
func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("seed", "seed (--year | --days N) [--from YYYY-MM-DD] [--db DSN] [--scale F] [--seed N] [--workers N]", stderr)
	dsn := dbFlag(fs)
	year := fs.Bool("year", false, "seed a year: 365 days from --from")
	days := fs.Int("days", 0, "seed this many days from --from (instead of --year)")
	fromFlag := fs.String("from", "", "first day, YYYY-MM-DD in the gates' time (default: 365 days before today, or --days before with --days)")
	scale := fs.Float64("scale", 1, "the mid-2025 Lạng Sơn volumes times this (1: about 1,760 trucks a day over the four gates)")
	seedN := fs.Uint64("seed", 1, "seed of the traffic's random draws")
	workers := fs.Int("workers", 64, "requests written at once (the store commits them together)")
	tick := fs.Duration("tick", time.Minute, "virtual time between the call-forward's rounds; events are stamped to it")
	quiet := fs.Bool("quiet", false, "no progress bar on stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case *year && *days != 0:
		return fmt.Errorf("--year and --days: one or the other")
	case *year:
		*days = 365
	case *days < 1:
		return fmt.Errorf("--days: at least 1 (or --year), got %d", *days)
	}
	if *scale <= 0 || math.IsInf(*scale, 0) || math.IsNaN(*scale) {
		return fmt.Errorf("--scale: must be greater than 0, got %g", *scale)
	}
	if *workers < 1 {
		return fmt.Errorf("--workers: at least 1, got %d", *workers)
	}
	if *tick < time.Second {
		return fmt.Errorf("--tick: at least 1s, got %s", *tick)
	}
	zone := localZone()
	var first time.Time
	if *fromFlag == "" {
		now := time.Now().In(zone)
		first = time.Date(now.Year(), now.Month(), now.Day()-*days, 0, 0, 0, 0, zone)
	} else {
		d, err := time.ParseInLocation(time.DateOnly, *fromFlag, zone)
		if err != nil {
			return fmt.Errorf("--from: a date YYYY-MM-DD, got %q", *fromFlag)
		}
		first = d
	}
	end := time.Date(first.Year(), first.Month(), first.Day()+*days, 0, 0, 0, 0, zone)

	clock := cuakhau.NewFixedClock(first)
	db, err := openDB(ctx, *dsn, clock)
	if err != nil {
		return err
	}
	defer db.Close()
	if pending, err := db.Pending(ctx); err != nil {
		return fmt.Errorf("check migrations: %w", err)
	} else if len(pending) > 0 {
		return fmt.Errorf("%d migration(s) pending (%s): run 'cuakhau migrate' first", len(pending), strings.Join(pending, ", "))
	}
	if err := seed(ctx, db); err != nil {
		return err
	}
	// The log of each gate goes forward in time: days are seeded after
	// what the store holds, never among it.
	last, err := db.LastEventAt(ctx)
	if err != nil {
		return fmt.Errorf("read the store's last event: %w", err)
	}
	if !last.Before(first) {
		next := last.In(zone)
		next = time.Date(next.Year(), next.Month(), next.Day()+1, 0, 0, 0, 0, zone)
		return fmt.Errorf("--from %s: the store already has events up to %s; seed days after them (--from %s or later), or an empty store",
			first.Format(time.DateOnly), last.In(zone).Format("2006-01-02 15:04"), next.Format(time.DateOnly))
	}
	if err := demoTariff(ctx, db, stdout); err != nil {
		return err
	}

	volumes := make([]traffic.Volume, len(traffic.LangSon2025))
	perDay := 0.0
	for i, v := range traffic.LangSon2025 {
		v.PerDay *= *scale
		volumes[i], perDay = v, perDay+v.PerDay
	}
	total := int(math.Round(perDay * float64(*days)))
	if err := seedRoom(ctx, db, volumes, stdout); err != nil {
		return err
	}
	// Warnings go to stderr on lines of their own, the bar redrawn after.
	bar := &progressBar{w: stderr, total: total, quiet: *quiet}
	logger := slog.New(slog.NewTextHandler(bar, &slog.HandlerOptions{Level: slog.LevelWarn}))
	gen := traffic.New(traffic.Config{Gates: db, Trips: db, Queue: db, Clock: clock, Seed: *seedN,
		Volumes: volumes, Logger: logger, Workers: *workers})
	var called, noShows atomic.Int64
	calls := callforward.New(db, 0, logger)
	day := first
	round := func(ctx context.Context) {
		c, n := calls.Round(ctx)
		called.Add(int64(c))
		noShows.Add(int64(n))
		if now := clock.Now(); !now.Before(day.AddDate(0, 0, 1)) {
			day = now
			if err := seedDay(ctx, db, logger); err != nil && ctx.Err() == nil {
				logger.Warn("seed: the day's housekeeping", "err", err)
			}
		}
	}
	fmt.Fprintf(stdout, "seeding %s to %s (%d days, about %d trucks) on %s\n",
		first.Format(time.DateOnly), end.AddDate(0, 0, -1).Format(time.DateOnly), *days, total, redact(*dsn))
	began := time.Now()
	stopBar := bar.run(gen, clock)
	err = gen.RunVirtual(ctx, clock, end, *tick, round)
	stopBar()
	if err != nil {
		return err
	}
	el := time.Since(began)
	st := gen.Stats()
	events := int64(st.Declared+st.Booked+st.Arrived+st.Decisions) + called.Load() + noShows.Load()
	fmt.Fprintf(stdout, "seeded in %s: %d trips declared, %d crossed, %d sold off at the border, %d events (%d bookings, %d check-ins, %d calls, %d decisions, %d no-shows past their window), %d refused\n",
		el.Round(time.Second), st.Declared, st.Crossed, st.SoldOff, events, st.Booked, st.Arrived, called.Load(), st.Decisions, noShows.Load(), st.Errors)
	fmt.Fprintf(stdout, "rate: %.0f trips/s, %.0f events/s\n", float64(st.Declared)/el.Seconds(), float64(events)/el.Seconds())
	if ctx.Err() != nil {
		fmt.Fprintf(stdout, "interrupted at %s: seed again with --from %s to go on (the trips under way are resumed)\n",
			clock.Now().In(zone).Format("2006-01-02 15:04"), clock.Now().In(zone).AddDate(0, 0, 1).Format(time.DateOnly))
		return ctx.Err()
	}
	if st.Errors > 0 {
		return fmt.Errorf("%d requests refused (logged above)", st.Errors)
	}
	// What the store holds now, as `cuakhau bench` measures it.
	var storage strings.Builder
	if err := storageLine(ctx, &storage, "store", *dsn); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n| store | trips (crossed) | bytes a trip | idempotency answers a trip | the rest a trip | the rest's largest tables a trip |\n|---|---|---|---|---|---|\n%s", storage.String())
	return nil
}

// seedDay does once a virtual day what the server does as it goes: it
// delivers the notifications written (the server's dispatcher sends them
// within seconds; here there is nobody to send them to) and prunes what
// the server keeps for a while only (pruneOld), and vacuums PostgreSQL as
// its autovacuum would in a day, so that a seeded store holds what a
// served one would.
func seedDay(ctx context.Context, db *sqlstore.DB, logger *slog.Logger) error {
	for {
		due, err := db.DueNotifications(ctx, 1000)
		if err != nil {
			return err
		}
		ids := make([]string, len(due))
		for i, n := range due {
			ids[i] = n.ID
		}
		if err := db.MarkDelivered(ctx, ids...); err != nil {
			return err
		}
		if len(due) < 1000 {
			break
		}
	}
	pruneOld(ctx, db, logger, defaultNoticeRetention)
	return db.Vacuum(ctx)
}

// seedZoneHours is the time a truck is taken to spend in the control zone
// when the seeding sizes the zones: the traffic's mean service times add up
// to about two hours and a quarter for an import (its transshipment alone
// 70 minutes), and a zone sized to the mean would let the queue grow a
// little every day of a year.
const seedZoneHours = 3

// seedRoom gives each gate's control zone the room its seeded volume needs
// (trucks an hour of opening × seedZoneHours), through the operators'
// SetControls, logged as theirs are. The catalogue's rooms are sized to
// the gates' design capacities, and the traffic's assumed service times,
// longer than the gates' real ones, would otherwise leave trucks waiting
// from one day into the next without end (Tân Thanh, 50 trucks of room,
// crosses about 300 of its 583 a day with them). A room already larger
// stays.
func seedRoom(ctx context.Context, db *sqlstore.DB, volumes []traffic.Volume, stdout io.Writer) error {
	perDay := map[string]float64{}
	for _, v := range volumes {
		perDay[v.Gate] += v.PerDay
	}
	gates, err := db.Gates(ctx)
	if err != nil {
		return err
	}
	for _, g := range gates {
		if perDay[g.Code] == 0 {
			continue
		}
		open, close := g.Hours.Open, g.Hours.Close
		hours := 13.0
		if o, err := time.Parse("15:04", open); err == nil {
			if c, err := time.Parse("15:04", close); err == nil && c.After(o) {
				hours = c.Sub(o).Hours()
			}
		}
		c, err := db.Controls(ctx, g.Code)
		if err != nil {
			return err
		}
		room := min(int(math.Ceil(perDay[g.Code]/hours*seedZoneHours)), cuakhau.MaxRoom)
		if room <= c.Room {
			continue
		}
		if _, err := db.SetControls(ctx, cliAdmin, g.Code, cuakhau.ControlsUpdate{Room: &room,
			Reason: "seed: room for the seeded volume"}); err != nil {
			return fmt.Errorf("%s: room: %w", g.Code, err)
		}
		fmt.Fprintf(stdout, "%s: control zone room %d → %d trucks for %.0f a day\n", g.Code, c.Room, room, perDay[g.Code])
	}
	return nil
}

// progressBar draws the seeding's progress on one line of a terminal:
// trips declared of the total, the rate and the time left. Lines written
// through it (the log's warnings) clear the bar first.
type progressBar struct {
	w     io.Writer
	total int
	quiet bool
	drawn atomic.Bool
	mu    chan struct{}
}

func (b *progressBar) lock()   { b.mu <- struct{}{} }
func (b *progressBar) unlock() { <-b.mu }

// Write writes p on a line of its own.
func (b *progressBar) Write(p []byte) (int, error) {
	b.lock()
	defer b.unlock()
	if b.drawn.Load() {
		fmt.Fprint(b.w, "\r\033[K")
	}
	return b.w.Write(p)
}

// run redraws the bar every half second until the returned stop is called,
// which draws it a last time and ends its line.
func (b *progressBar) run(gen *traffic.Generator, clock cuakhau.Clock) (stop func()) {
	b.mu = make(chan struct{}, 1)
	if b.quiet {
		return func() {}
	}
	began := time.Now()
	draw := func() {
		done := gen.Stats().Declared
		el := time.Since(began).Seconds()
		rate := float64(done) / max(el, 1e-9)
		frac := min(float64(done)/float64(max(b.total, 1)), 1)
		const width = 30
		n := int(frac * width)
		eta := "–"
		if rate > 0 && done < b.total {
			eta = (time.Duration(float64(b.total-done)/rate) * time.Second).Round(time.Second).String()
		}
		b.lock()
		fmt.Fprintf(b.w, "\r\033[K[%s%s] %d/%d trips %3.0f%%  %.0f trips/s  ETA %s  gate time %s",
			strings.Repeat("=", n), strings.Repeat(" ", width-n), done, b.total, frac*100, rate, eta,
			clock.Now().In(localZone()).Format("2006-01-02 15:04"))
		b.drawn.Store(true)
		b.unlock()
	}
	quit, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-quit:
				draw()
				fmt.Fprintln(b.w)
				return
			case <-t.C:
				draw()
			}
		}
	}()
	return func() {
		close(quit)
		<-finished
	}
}
