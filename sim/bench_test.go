package sim

import (
	"context"
	"math"
	"testing"
)

// BenchmarkLangSonYear simulates one year of lang-son-2025 (after its 7-day
// warm-up) per policy, one replication on one core: the figure of
// docs/benchmarks.md. Run with -benchtime=1x.
func BenchmarkLangSonYear(b *testing.B) {
	sc, err := Load("../scenarios/lang-son-2025.yaml")
	if err != nil {
		b.Fatal(err)
	}
	for _, lc := range []string{"sample", "all", "off"} {
		for _, pol := range Policies {
			b.Run(pol+"/lifecycle="+lc, func(b *testing.B) {
				var events int64
				for i := 0; i < b.N; i++ {
					res, err := Run(context.Background(), sc, Options{Policies: []string{pol}, Days: 372, Replications: 1, Workers: 1, Lifecycle: lc})
					if err != nil {
						b.Fatal(err)
					}
					events += res.Policies[0].Events
				}
				b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
			})
		}
	}
}

// BenchmarkMMC runs the minimal M/M/4 scenario, scenarios/mmc.yaml (30
// trucks/h, 6 min each), through the simulator, reporting ns per truck, to
// set against BenchmarkMMCPlain.
func BenchmarkMMC(b *testing.B) {
	sc, err := Load("../scenarios/mmc.yaml")
	if err != nil {
		b.Fatal(err)
	}
	for _, lc := range []string{"off", "sample", "all"} {
		b.Run("lifecycle="+lc, func(b *testing.B) {
			trucks := 0.0
			for i := 0; i < b.N; i++ {
				res, err := Run(context.Background(), sc, Options{Replications: 1, Workers: 1, Lifecycle: lc})
				if err != nil {
					b.Fatal(err)
				}
				trucks += res.Policies[0].Total.Arrived
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/trucks, "ns/truck")
		})
	}
}

// BenchmarkMMCPlain is the same M/M/4 queue (100 days of 30 trucks/h, 6 min
// each) as a plain hand-written event loop: arrivals and departures in a
// binary heap, a FIFO slice, nothing else.
func BenchmarkMMCPlain(b *testing.B) {
	trucks := 0
	for i := 0; i < b.N; i++ {
		n, w := plainMMC(0.5, 1.0/6, 4, 100*1440, uint64(i)+7)
		trucks += n
		if math.Abs(w-3.06) > 0.5 {
			b.Fatalf("plain loop mean wait %.2f min, want ~3.06", w)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(trucks), "ns/truck")
}

type plainEvent struct {
	t      float64
	arrive bool
}

// plainMMC simulates an M/M/c queue until horizon (minutes) and returns the
// customers served and their mean wait in queue.
func plainMMC(lambda, mu float64, c int, horizon float64, seed uint64) (int, float64) {
	r := stream{seed}
	var h []plainEvent
	push := func(e plainEvent) {
		h = append(h, e)
		for i := len(h) - 1; i > 0; {
			p := (i - 1) / 2
			if h[p].t <= h[i].t {
				break
			}
			h[p], h[i] = h[i], h[p]
			i = p
		}
	}
	pop := func() plainEvent {
		top := h[0]
		h[0] = h[len(h)-1]
		h = h[:len(h)-1]
		for i := 0; ; {
			l, m := 2*i+1, i
			if l < len(h) && h[l].t < h[m].t {
				m = l
			}
			if l+1 < len(h) && h[l+1].t < h[m].t {
				m = l + 1
			}
			if m == i {
				break
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
		return top
	}
	var queue []float64
	busy, served := 0, 0
	waitSum := 0.0
	push(plainEvent{t: r.exp() / lambda, arrive: true})
	for len(h) > 0 {
		e := pop()
		if e.t > horizon {
			break
		}
		if e.arrive {
			push(plainEvent{t: e.t + r.exp()/lambda, arrive: true})
			if busy < c {
				busy++
				served++
				push(plainEvent{t: e.t + r.exp()/mu})
			} else {
				queue = append(queue, e.t)
			}
			continue
		}
		if len(queue) > 0 {
			waitSum += e.t - queue[0]
			queue = queue[1:]
			served++
			push(plainEvent{t: e.t + r.exp()/mu})
		} else {
			busy--
		}
	}
	return served, waitSum / float64(served)
}
