package sched

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// gate is the smallest call-forward loop that keeps the assumptions of the
// aging bound: one place in the control zone, which frees exactly every
// interval at the service rate; trucks check in on those instants (before
// the call) and get their FIFO turn from FIFOTurn at check-in, as the store
// does.
type gate struct {
	p        Policy
	rate     float64
	crossing time.Duration
	now      time.Time
	seq      int64
	waiting  []Truck
	turn     map[string]time.Time // FIFO turn promised at check-in
	called   map[string]time.Time
}

func newGate(p Policy, rate float64) *gate {
	return &gate{p: p, rate: rate, now: t0, turn: map[string]time.Time{}, called: map[string]time.Time{}}
}

func (g *gate) input() Input {
	return Input{Now: g.now, Waiting: g.waiting, Free: 1, CrossingTime: g.crossing, ServiceRate: g.rate}
}

func (g *gate) arrive(t Truck) {
	g.seq++
	t.Seq, t.ArrivedAt = g.seq, g.now
	t.FIFOTurn = FIFOTurn(g.input(), t)
	g.turn[t.ID] = t.FIFOTurn
	g.waiting = append(g.waiting, t)
}

// step calls one truck, if any waits, and moves to the next instant.
func (g *gate) step() {
	if sel := g.p.Select(g.input(), 1); len(sel) == 1 {
		g.called[sel[0].ID] = g.now
		for i := range g.waiting {
			if g.waiting[i].ID == sel[0].ID {
				g.waiting = append(g.waiting[:i], g.waiting[i+1:]...)
				break
			}
		}
	}
	g.now = g.now.Add(time.Duration(float64(time.Hour) / g.rate))
}

// TestAgingBound is the proof by example of adaptive's promise: a stream of
// perishables, one for every call, would keep a non-perishable that arrived
// first waiting for ever; with a 2 h aging bound it is called exactly 2 h
// after its FIFO turn (its arrival, as the queue was empty), and the stream
// loses one minute for it.
func TestAgingBound(t *testing.T) {
	const rate = 60 // a call a minute
	run := func(bound time.Duration) *gate {
		g := newGate(mustNew(t, Adaptive, Config{AgingBound: bound, Tolerance: time.Hour}), rate)
		g.arrive(Truck{ID: "steel"})
		for k := range 600 {
			g.arrive(Truck{ID: "fruit" + strconv.Itoa(k), SpoilsAt: g.now.Add(6 * time.Hour)})
			g.step()
		}
		return g
	}

	starved := run(1000 * time.Hour)
	if at, ok := starved.called["steel"]; ok {
		t.Fatalf("without aging steel was called at %v: the stream does not starve it", at)
	}

	g := run(2 * time.Hour)
	if got, want := g.called["steel"], t0.Add(2*time.Hour); !got.Equal(want) {
		t.Errorf("steel called at %v, want %v: its FIFO turn %v + 2h", got, want, g.turn["steel"])
	}
	for id, at := range g.called {
		if late := at.Sub(g.turn[id]); late > 2*time.Hour {
			t.Errorf("%s called %v after its FIFO turn, beyond the 2h bound", id, late)
		}
	}
}

// TestAgingBoundRandom checks the bound on random traffic, overloaded for
// hours and mixing every kind of truck. Why it holds: FIFO turns taken at
// check-in are the instants fifo would call each truck, so they are distinct
// call instants; deadlines (turn + bound) are then at least one interval
// apart, at most one truck turns aged per interval, and aged trucks go before
// everyone in deadline order, so each is called at the last instant before
// its deadline or earlier.
func TestAgingBoundRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for trial := range 30 {
		rate := []float64{20, 30, 60}[r.IntN(3)]
		bound := time.Duration(1+r.IntN(200)) * time.Minute
		g := newGate(mustNew(t, Adaptive, Config{AgingBound: bound, Tolerance: time.Hour}), rate)
		g.crossing = time.Duration(r.IntN(4)) * time.Hour
		steps := 400
		for k := range steps {
			// 1.5 arrivals per call for the first half: a backlog that fifo
			// would take hours to clear; then 0.6.
			mean := 1.5
			if k > steps/2 {
				mean = 0.6
			}
			for range poisson(r, mean) {
				tr := Truck{ID: "t" + strconv.Itoa(int(g.seq)+1)}
				switch r.IntN(10) {
				case 0, 1:
					tr.Booked = true
					tr.WindowStart = g.now.Add(time.Duration(r.IntN(240)-120) * time.Minute)
				case 2:
					tr.Priority = 1 + r.IntN(2)
				}
				if r.IntN(10) < 7 {
					tr.SpoilsAt = g.now.Add(time.Duration(r.IntN(12*60)) * time.Minute)
				}
				g.arrive(tr)
			}
			g.step()
		}
		for len(g.waiting) > 0 {
			g.step()
		}
		for id, at := range g.called {
			if late := at.Sub(g.turn[id]); late > bound {
				t.Fatalf("trial %d (rate %v, bound %v): %s called %v after its FIFO turn", trial, rate, bound, id, late)
			}
		}
	}
}

// TestFIFOTurnIsFIFO: under fifo every truck is called exactly at the turn
// FIFOTurn promised at check-in, which is what makes it the right yardstick.
func TestFIFOTurnIsFIFO(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	g := newGate(mustNew(t, FIFO, DefaultConfig()), 30)
	for k := range 300 {
		for range poisson(r, 0.9) {
			g.arrive(Truck{ID: "t" + strconv.Itoa(int(g.seq)+1)})
		}
		if k%97 == 0 { // idle spells too
			for len(g.waiting) > 0 {
				g.step()
			}
		}
		g.step()
	}
	for len(g.waiting) > 0 {
		g.step()
	}
	for id, at := range g.called {
		if !at.Equal(g.turn[id]) {
			t.Errorf("%s called at %v, FIFOTurn said %v", id, at, g.turn[id])
		}
	}
}

func poisson(r *rand.Rand, mean float64) int {
	// Knuth's method; mean is small.
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}
