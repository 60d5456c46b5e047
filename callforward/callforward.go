// Package callforward runs the server's own call-forward: a background loop
// that, at every tick, calls trucks forward at each gate whose control zone
// has room (by the gate's policy, through cuakhau.CallForwarder, which logs
// every call with its inputs), records the no-shows of bookings past their
// window, and evaluates the gate's inflow advisory (a change is logged and
// the trips still on their way are told). Entries and crossings free room; the next tick fills it, or
// sooner when Nudge is called.
//
// The loop only decides when to look; what time it is comes from the store's
// injected clock, so the demo's accelerated clock and a test's fixed clock
// drive it the same way.
package callforward

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/cuakhau/cuakhau"
)

// Loop is the call-forward service: Start it once, Stop it on shutdown.
type Loop struct {
	f        cuakhau.CallForwarder
	interval time.Duration
	logger   *slog.Logger

	nudge  chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

// New returns a loop over f that looks every interval (wall time; 2 s when
// not positive).
func New(f cuakhau.CallForwarder, interval time.Duration, logger *slog.Logger) *Loop {
	if interval <= 0 {
		interval = 2 * time.Second
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Loop{f: f, interval: interval, logger: logger, nudge: make(chan struct{}, 1), done: make(chan struct{})}
}

// Start runs the loop until ctx ends or Stop is called.
func (l *Loop) Start(ctx context.Context) {
	l.once.Do(func() {
		ctx, l.cancel = context.WithCancel(ctx)
		go l.run(ctx)
	})
}

// Stop ends the loop and waits for the round in progress.
func (l *Loop) Stop() {
	if l.cancel == nil {
		return
	}
	l.cancel()
	<-l.done
}

// Nudge asks for a round now: room has just been freed.
func (l *Loop) Nudge() {
	select {
	case l.nudge <- struct{}{}:
	default:
	}
}

func (l *Loop) run(ctx context.Context) {
	defer close(l.done)
	t := time.NewTicker(l.interval)
	defer t.Stop()
	for {
		l.Round(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-l.nudge:
		}
	}
}

// Round does one round at every gate and returns the trucks called and the
// no-shows recorded. Errors are logged and the other gates still served.
func (l *Loop) Round(ctx context.Context) (called, noShows int) {
	gates, err := l.f.GateCodes(ctx)
	if err != nil {
		if ctx.Err() == nil {
			l.logger.Error("call-forward: list gates", "err", err)
		}
		return 0, 0
	}
	for _, g := range gates {
		if ctx.Err() != nil {
			return
		}
		n, err := l.f.SweepNoShows(ctx, g)
		noShows += n
		if err != nil && ctx.Err() == nil {
			l.logger.Error("call-forward: no-shows", "gate", g, "err", err)
		}
		c, err := l.f.CallForward(ctx, g)
		called += c
		if err != nil && ctx.Err() == nil {
			l.logger.Error("call-forward", "gate", g, "err", err)
		}
		// The advisory is evaluated after the calls, on the backlog they
		// leave; a change is logged and the trips on their way are told.
		adv, err := l.f.Advise(ctx, g)
		if err != nil && ctx.Err() == nil {
			l.logger.Error("call-forward: advisory", "gate", g, "err", err)
		}
		if c > 0 || n > 0 || adv {
			l.logger.Info("call-forward", "gate", g, "called", c, "no_shows", n, "advisory_changed", adv)
		}
	}
	return called, noShows
}
