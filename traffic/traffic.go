// Package traffic drives synthetic live traffic through the platform's
// service interfaces, so that `cuakhau demo` shows a living border: trucks
// are declared, arrive, and pass each checkpoint of their route with service
// times, customs channels, holds, rejections, cancellations and no-shows
// drawn from a seeded source; a perishable truck that waits too long in the
// yard is sold off at the border now and then (always, once past its shelf
// life). It runs on any cuakhau.Clock, typically an
// accelerated one, and acts through the same services the API uses.
package traffic

import (
	"container/heap"
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/device"
)

// Volume is the trucks a day of one gate and direction.
type Volume struct {
	Gate      string
	Direction cuakhau.Direction
	PerDay    float64
}

// LangSon2025 are the mid-2025 daily volumes per crossing (total / export /
// import: Hữu Nghị 870/262/608, Tân Thanh 583/145/438, Chi Ma 230/41/189,
// Cốc Nam 76/43/33), from the reference facts.
var LangSon2025 = []Volume{
	{"huu-nghi", cuakhau.Export, 262}, {"huu-nghi", cuakhau.Import, 608},
	{"tan-thanh", cuakhau.Export, 145}, {"tan-thanh", cuakhau.Import, 438},
	{"chi-ma", cuakhau.Export, 41}, {"chi-ma", cuakhau.Import, 189},
	{"coc-nam", cuakhau.Export, 43}, {"coc-nam", cuakhau.Import, 33},
}

// Config configures a Generator.
type Config struct {
	Gates cuakhau.GateService
	Trips cuakhau.TripService
	// Queue, when set, sends trucks through the electronic queue: some book
	// a window, every truck checks in to the waiting area on arrival and
	// enters the control zone only once the server's call-forward loop has
	// called it. Without it, trucks drive straight to entry.
	Queue cuakhau.QueueService
	Clock cuakhau.Clock
	// Speed is virtual seconds per real second, to turn virtual waits into
	// real sleeps (1 on wall time).
	Speed   float64
	Seed    uint64
	Volumes []Volume
	Logger  *slog.Logger
	// Workers is how many actions run at once (8 when not positive), so
	// that the store's group commit can put several in one transaction.
	Workers int
	// Devices, when set, plays the gate's plate cameras: the truck's
	// check-in (yard_in), its entry to the control zone (zone_in) and its
	// crossing (gate_out) are the effects of a camera's reading, as at a
	// gate with cameras. It returns the effect of the reading; when that
	// is not the step (a misread, an alert), the operator does it by hand.
	Devices func(ctx context.Context, gate string, pos device.Position, plate string) (device.Effect, error)
}

// Generator produces the traffic. Create it with New and run it with Run.
type Generator struct {
	cfg   Config
	rng   *lockedRand
	gates map[string]*cuakhau.Gate
	loc   *time.Location

	// queue holds what is to happen, by time; workers add follow-ups to it
	// and nudge the loop through wake.
	qmu   sync.Mutex
	queue actions
	wake  chan struct{}

	mu    sync.Mutex
	stats Stats
}

// defaultWorkers is how many actions run at once unless Config.Workers
// says otherwise, so that the store's group commit can put several in one
// transaction and the traffic keeps up at high speeds.
const defaultWorkers = 8

// lockedRand shares one seeded source between the workers. The draws are
// reproducible in distribution, not in order: the workers interleave.
type lockedRand struct {
	mu sync.Mutex
	r  *rand.Rand
}

func (l *lockedRand) Float64() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Float64()
}

func (l *lockedRand) ExpFloat64() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.ExpFloat64()
}

func (l *lockedRand) IntN(n int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.IntN(n)
}

func (l *lockedRand) Int64N(n int64) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Int64N(n)
}

// schedule adds an action to the queue and wakes the loop.
func (g *Generator) schedule(a *action) {
	g.qmu.Lock()
	heap.Push(&g.queue, a)
	g.qmu.Unlock()
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

// due pops the next action if its time has come, or says how long to wait.
func (g *Generator) due() (*action, time.Duration) {
	g.qmu.Lock()
	defer g.qmu.Unlock()
	if len(g.queue) == 0 {
		return nil, time.Second
	}
	if wait := g.queue[0].at.Sub(g.cfg.Clock.Now()); wait > 0 {
		return nil, wait
	}
	return heap.Pop(&g.queue).(*action), 0
}

// Stats counts what the generator did.
type Stats struct {
	Declared, Decisions, Crossed, Cancelled, NoShows, Rejected, Errors int
	// Booked and Arrived count the queue's steps when Config.Queue is set.
	Booked, Arrived int
	// SoldOff counts the cancellations of waiting perishable loads sold
	// off at the border (counted in Cancelled too).
	SoldOff int
}

// New returns a generator; Run starts it.
func New(cfg Config) *Generator {
	if cfg.Speed <= 0 {
		cfg.Speed = 1
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Volumes == nil {
		cfg.Volumes = LangSon2025
	}
	if cfg.Workers <= 0 {
		cfg.Workers = defaultWorkers
	}
	return &Generator{cfg: cfg, wake: make(chan struct{}, 1),
		rng: &lockedRand{r: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))}}
}

// Stats returns a copy of the counters.
func (g *Generator) Stats() Stats {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.stats
}

func (g *Generator) count(f func(s *Stats)) {
	g.mu.Lock()
	f(&g.stats)
	g.mu.Unlock()
}

// Run generates traffic until ctx ends. It first picks up the trips a
// previous run left under way, so that a restarted demo resumes them.
func (g *Generator) Run(ctx context.Context) error {
	if err := g.start(ctx); err != nil {
		return err
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	sem := make(chan struct{}, g.cfg.Workers)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		next, wait := g.due()
		if next == nil {
			real := time.Duration(float64(wait) / g.cfg.Speed)
			timer.Reset(min(real, time.Second))
			select {
			case <-ctx.Done():
				return nil
			case <-g.wake:
			case <-timer.C:
			}
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case sem <- struct{}{}:
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			g.do(ctx, next)
		}()
	}
}

// start reads the gates, resumes the trips under way and schedules each
// volume's first arrival.
func (g *Generator) start(ctx context.Context) error {
	gates, err := g.cfg.Gates.Gates(ctx)
	if err != nil {
		return fmt.Errorf("traffic: gates: %w", err)
	}
	g.gates = map[string]*cuakhau.Gate{}
	for _, gt := range gates {
		g.gates[gt.Code] = gt
	}
	if g.loc, err = time.LoadLocation("Asia/Ho_Chi_Minh"); err != nil {
		g.loc = time.FixedZone("ICT", 7*3600)
	}
	now := g.cfg.Clock.Now()
	if err := g.resume(ctx, now); err != nil {
		return err
	}
	for _, v := range g.cfg.Volumes {
		if _, ok := g.gates[v.Gate]; !ok || v.PerDay <= 0 {
			return fmt.Errorf("traffic: no gate %q or no volume", v.Gate)
		}
		g.schedule(&action{at: g.nextArrival(v, now), kind: actArrivalStream, volume: v})
	}
	return nil
}

// RunVirtual generates the traffic from clock's time until until on
// virtual time, as fast as the store takes it: the clock, which must be
// the store's own, is moved to each next moment something is due (at
// least tick later than the last, so that trucks due within a tick are
// written together), every action due by then runs, up to Config.Workers
// at once, and the clock moves on only when they are done. Every tick,
// before the actions, round runs (the server's call-forward: it is what
// calls the trucks waiting in the queue). The events are stamped with the
// tick's time, so times are to the tick. It returns when until is reached
// or ctx ends; trips under way then are left so, as a stopped demo leaves
// them, and the next Run or RunVirtual on the store resumes them.
func (g *Generator) RunVirtual(ctx context.Context, clock *cuakhau.FixedClock, until time.Time, tick time.Duration, round func(ctx context.Context)) error {
	if g.cfg.Clock != cuakhau.Clock(clock) {
		return fmt.Errorf("traffic: RunVirtual needs the generator's own clock")
	}
	if tick <= 0 {
		tick = time.Minute
	}
	if err := g.start(ctx); err != nil {
		return err
	}
	sem := make(chan struct{}, g.cfg.Workers)
	for ctx.Err() == nil {
		t := clock.Now().Add(tick)
		g.qmu.Lock()
		if len(g.queue) > 0 && g.queue[0].at.After(t) {
			t = g.queue[0].at
		}
		g.qmu.Unlock()
		if t.After(until) {
			clock.Set(until)
			return nil
		}
		clock.Set(t)
		if round != nil {
			round(ctx)
		}
		// Follow-ups due within the tick run in it too.
		var wg sync.WaitGroup
		for ctx.Err() == nil {
			next, _ := g.due()
			if next == nil {
				wg.Wait()
				if next, _ = g.due(); next == nil {
					break
				}
			}
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				g.do(ctx, next)
			}()
		}
		wg.Wait()
	}
	return nil
}

// resume schedules the next step of every trip a previous run left under
// way: declared or booked trucks still to arrive, trucks in the waiting area
// or called forward, and trucks in the control zone, held ones included. The
// generator's memory of a truck is rebuilt from its trip (see resumed), so
// that a restart carries on as if the demo had not stopped.
//
// The trips are listed status by status while the server's call-forward
// loop may move them on (a waiting truck listed as arrived is then listed
// again as called), so each trip is resumed once, from the latest version
// listed.
func (g *Generator) resume(ctx context.Context, now time.Time) error {
	ops := cuakhau.Principal{TokenID: "demo", Role: cuakhau.RoleAdmin}
	latest := map[string]*cuakhau.Trip{}
	var order []string
	for _, st := range cuakhau.Statuses {
		if st.Final() {
			continue
		}
		after := ""
		for {
			trips, err := g.cfg.Trips.Trips(ctx, ops, cuakhau.TripFilter{Status: st, Limit: 1000, After: after})
			if err != nil {
				return fmt.Errorf("traffic: resume %s trips: %w", st, err)
			}
			for _, t := range trips {
				prev, seen := latest[t.ID]
				if !seen {
					order = append(order, t.ID)
				}
				if !seen || t.Version > prev.Version {
					latest[t.ID] = t
				}
			}
			if len(trips) < 1000 {
				break
			}
			after = trips[len(trips)-1].ID
		}
	}
	for _, id := range order {
		t := latest[id]
		if t.Status.Final() {
			continue
		}
		tr := g.resumed(t)
		g.schedule(&action{at: g.inHours(g.gates[tr.gate], g.resumeAt(tr, t, now)), kind: actStep, truck: tr})
	}
	return nil
}

// nextArrival draws the next arrival of a Poisson stream whose daily volume
// arrives during the gate's opening hours.
func (g *Generator) nextArrival(v Volume, from time.Time) time.Time {
	gt := g.gates[v.Gate]
	open, close := hours(gt)
	perHour := v.PerDay / (close - open).Hours()
	t := from.Add(time.Duration(g.rng.ExpFloat64() / perHour * float64(time.Hour)))
	return g.inHours(gt, t)
}

// inHours moves t to the gate's next opening when it falls outside hours.
func (g *Generator) inHours(gt *cuakhau.Gate, t time.Time) time.Time {
	open, close := hours(gt)
	local := t.In(g.loc)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, g.loc)
	switch {
	case local.Before(day.Add(open)):
		return day.Add(open).Add(g.minutes(3))
	case !local.Before(day.Add(close)):
		return day.AddDate(0, 0, 1).Add(open).Add(g.minutes(3))
	}
	return t
}

func hours(gt *cuakhau.Gate) (open, close time.Duration) {
	parse := func(s string, def time.Duration) time.Duration {
		var h, m int
		if _, err := fmt.Sscanf(s, "%d:%d", &h, &m); err != nil {
			return def
		}
		return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
	}
	return parse(gt.Hours.Open, 7*time.Hour), parse(gt.Hours.Close, 20*time.Hour)
}

// minutes draws an exponential duration with the given mean in minutes.
func (g *Generator) minutes(mean float64) time.Duration {
	m := g.rng.ExpFloat64() * mean
	return time.Duration(math.Min(m, mean*6) * float64(time.Minute))
}

// channel draws a customs channel with the national 2020 shares: green
// 52.5%, yellow 42.6%, red 5%.
func (g *Generator) channel() cuakhau.Channel {
	switch x := g.rng.Float64(); {
	case x < 0.525:
		return cuakhau.ChannelGreen
	case x < 0.951:
		return cuakhau.ChannelYellow
	default:
		return cuakhau.ChannelRed
	}
}

func (g *Generator) do(ctx context.Context, a *action) {
	switch a.kind {
	case actArrivalStream:
		g.newTruck(ctx, a.volume, a.at)
		a.at = g.nextArrival(a.volume, a.at)
		g.schedule(a)
	case actStep:
		g.step(ctx, a.truck, a.at)
	}
}

func (g *Generator) fail(ctx context.Context, what string, tr *truck, err error) {
	if ctx.Err() != nil {
		return // stopping: the request was cut short, not refused
	}
	g.count(func(s *Stats) { s.Errors++ })
	g.cfg.Logger.Warn("demo traffic: "+what, "trip", tr.id, "gate", tr.gate, "err", err)
}
