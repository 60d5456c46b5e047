package sched

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// randomInput draws a queue meant to hit ties and edges: windows and shelf
// lives on a coarse grid so that keys collide, trucks already spoiled,
// booked trucks long late, aged trucks, an unknown rate now and then.
func randomInput(r *rand.Rand, n int) Input {
	now := t0.Add(time.Duration(r.IntN(1000)) * time.Minute)
	grid := func(lo, hi int) time.Time { return now.Add(time.Duration(lo+r.IntN(hi-lo+1)) * 15 * time.Minute) }
	in := Input{
		Now:          now,
		Free:         r.IntN(6) - 1,
		CrossingTime: time.Duration(r.IntN(5)) * 30 * time.Minute,
		ServiceRate:  []float64{0, 7, 30, 60, 240}[r.IntN(5)],
	}
	seqs := r.Perm(n * 2)
	for i := range n {
		t := Truck{ID: "T" + strconv.Itoa(i), Seq: int64(seqs[i]), ArrivedAt: grid(-40, 0)}
		if r.IntN(3) > 0 {
			t.FIFOTurn = t.ArrivedAt.Add(time.Duration(r.IntN(20)) * 15 * time.Minute)
		}
		if r.IntN(4) == 0 {
			t.Booked = true
			t.WindowStart = grid(-12, 16)
			t.WindowEnd = t.WindowStart.Add(time.Hour)
		}
		if r.IntN(3) > 0 {
			t.SpoilsAt = grid(-4, 40)
		}
		if r.IntN(15) == 0 {
			t.Priority = 1 + r.IntN(3)
		}
		in.Waiting = append(in.Waiting, t)
	}
	return in
}

func randomConfig(r *rand.Rand) Config {
	return Config{
		AgingBound: time.Duration(1+r.IntN(16)) * 15 * time.Minute,
		Tolerance:  time.Duration(r.IntN(5)) * 15 * time.Minute,
	}
}

// TestSelectIsOrderPrefix is the contract the call-forward relies on:
// Select's shortcuts never change who is called.
func TestSelectIsOrderPrefix(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 400 {
		size := r.IntN(60)
		if trial%40 == 0 {
			size = 2000 + r.IntN(500)
		}
		in := randomInput(r, size)
		cfg := randomConfig(r)
		for _, name := range Names() {
			p := mustNew(t, name, cfg)
			order := p.Order(in)
			for _, n := range []int{0, 1, 2, 3, 5, r.IntN(size + 1), size / 2, size, size + 3} {
				want, got := order[:min(n, len(order))], p.Select(in, n)
				if !slices.Equal(want, got) { // cmp.Diff is slow on thousands of equal rows
					t.Fatalf("trial %d %s Select(%d) != Order[:%d] (-want +got):\n%s", trial, name, n, n, cmp.Diff(want, got))
				}
			}
		}
	}
}

// TestOrderDeterministic: the same input gives the same order, whatever the
// order in which the store listed the waiting trucks, so a replay of a logged
// call reproduces it.
func TestOrderDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 200 {
		in := randomInput(r, r.IntN(80))
		cfg := randomConfig(r)
		shuffled := in
		shuffled.Waiting = append([]Truck(nil), in.Waiting...)
		r.Shuffle(len(shuffled.Waiting), func(i, j int) {
			shuffled.Waiting[i], shuffled.Waiting[j] = shuffled.Waiting[j], shuffled.Waiting[i]
		})
		for _, name := range Names() {
			p := mustNew(t, name, cfg)
			first := p.Order(in)
			if diff := cmp.Diff(first, p.Order(in)); diff != "" {
				t.Fatalf("trial %d %s: second Order differs (-first +second):\n%s", trial, name, diff)
			}
			if diff := cmp.Diff(first, p.Order(shuffled)); diff != "" {
				t.Fatalf("trial %d %s: Order depends on the listing order (-listed +shuffled):\n%s", trial, name, diff)
			}
			seen := map[string]bool{}
			for i, x := range first {
				if x.Rank != i+1 || seen[x.ID] {
					t.Fatalf("trial %d %s: rank %d at %d, %s seen before: %v", trial, name, x.Rank, i, x.ID, seen[x.ID])
				}
				seen[x.ID] = true
				if x.Reason == "" || (x.Class != ClassBooked && x.Class != ClassLive) {
					t.Fatalf("trial %d %s: %+v lacks a class or a reason", trial, name, x)
				}
			}
			if len(seen) != len(in.Waiting) {
				t.Fatalf("trial %d %s: ranked %d of %d", trial, name, len(seen), len(in.Waiting))
			}
		}
	}
}

// TestOrderInvariants checks each policy's rules on random queues, by
// reading the order back.
func TestOrderInvariants(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for trial := range 200 {
		in := randomInput(r, r.IntN(80))
		cfg := randomConfig(r)
		byID := map[string]Truck{}
		for _, x := range in.Waiting {
			byID[x.ID] = x
		}
		due := func(x Truck) bool { return x.Booked && !in.Now.Before(x.WindowStart.Add(-cfg.Tolerance)) }

		fifo := mustNew(t, FIFO, cfg).Order(in)
		for i := 1; i < len(fifo); i++ {
			if byID[fifo[i-1].ID].Seq > byID[fifo[i].ID].Seq {
				t.Fatalf("trial %d fifo: %s before %s", trial, fifo[i-1].ID, fifo[i].ID)
			}
		}

		// fixed-slot: every due booking before every live truck, every live
		// truck before every early booking.
		band := func(x Truck) int {
			switch {
			case due(x):
				return 0
			case !x.Booked:
				return 1
			}
			return 2
		}
		fixed := mustNew(t, FixedSlot, cfg).Order(in)
		for i := 1; i < len(fixed); i++ {
			a, b := byID[fixed[i-1].ID], byID[fixed[i].ID]
			if band(a) > band(b) || (band(a) == band(b) && band(a) == 1 && a.Seq > b.Seq) {
				t.Fatalf("trial %d fixed-slot: %s (band %d) before %s (band %d)", trial, a.ID, band(a), b.ID, band(b))
			}
		}

		// adaptive: a savable perishable never comes after a non-perishable
		// that is neither aged, prioritised nor booked and due.
		adaptive := mustNew(t, Adaptive, cfg).Order(in)
		plain := -1
		for i, x := range adaptive {
			tr := byID[x.ID]
			if x.Reason == "not perishable: arrival order" && plain < 0 {
				plain = i
			}
			if plain >= 0 && len(x.Reason) > 19 && x.Reason[:19] == "perishable: slack " {
				t.Fatalf("trial %d adaptive: savable perishable %s at %d after plain truck at %d", trial, tr.ID, i, plain)
			}
		}
	}
}

// TestExpectedWaitAnyPolicy: a policy from outside the package gets the same
// prediction through its Order as ours get through the fast path.
func TestExpectedWaitAnyPolicy(t *testing.T) {
	type wrapped struct{ Policy }
	r := rand.New(rand.NewPCG(7, 8))
	for trial := range 200 {
		in := randomInput(r, r.IntN(60))
		cfg := randomConfig(r)
		arrival := randomInput(r, 1).Waiting[0]
		arrival.ArrivedAt, arrival.FIFOTurn = time.Time{}, time.Time{}
		for _, name := range Names() {
			p := mustNew(t, name, cfg)
			if got, want := ExpectedWait(p, in, arrival), ExpectedWait(wrapped{p}, in, arrival); got != want {
				t.Fatalf("trial %d %s: ExpectedWait = %v, through Order %v", trial, name, got, want)
			}
		}
	}
}

// TestPlaceIsOrder: a truck arriving last is placed exactly where Order puts
// it among the waiting ones — rank, class, reason and expected call — by
// every policy, on random queues.
func TestPlaceIsOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for trial := range 300 {
		in := randomInput(r, r.IntN(80))
		cfg := randomConfig(r)
		arrival := randomInput(r, 1).Waiting[0]
		arrival.ID = "arrival"
		for _, w := range in.Waiting {
			arrival.Seq = max(arrival.Seq, w.Seq+1)
		}
		arrival.ArrivedAt = in.Now
		arrival.FIFOTurn = FIFOTurn(in, arrival)
		for _, name := range Names() {
			p := mustNew(t, name, cfg)
			got := Place(p, in, arrival)
			with := in
			with.Waiting = append(append([]Truck(nil), in.Waiting...), arrival)
			var want Ranked
			for _, x := range p.Order(with) {
				if x.ID == arrival.ID {
					want = x
				}
			}
			if got != want {
				t.Fatalf("trial %d %s (%d waiting): Place = %+v, Order gives %+v", trial, name, len(in.Waiting), got, want)
			}
		}
	}
}
