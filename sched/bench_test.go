package sched

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// queue10k is a waiting area in the state of December 2021 at a big gate,
// doubled: 10,000 trucks over three days, three quarters fruit with a few
// hours to two weeks of shelf life (some already spoiled), a fifth booked,
// a few with statutory priority, FIFO turns spread so that some are aged.
func queue10k() Input {
	r := rand.New(rand.NewPCG(2021, 12))
	now := t0
	in := Input{Now: now, Free: 5, CrossingTime: 3 * time.Hour, ServiceRate: 60}
	for i := range 10000 {
		arrived := now.Add(-time.Duration(r.IntN(72*60)) * time.Minute)
		t := Truck{
			ID:        "trip-" + strconv.Itoa(i),
			Seq:       int64(i + 1),
			ArrivedAt: arrived,
			FIFOTurn:  arrived.Add(time.Duration(r.IntN(72*60)) * time.Minute),
		}
		if r.IntN(4) > 0 {
			t.SpoilsAt = now.Add(time.Duration(r.IntN(14*24*60)-6*60) * time.Minute)
		}
		if r.IntN(5) == 0 {
			t.Booked = true
			t.WindowStart = now.Add(time.Duration(r.IntN(8)-4) * time.Hour)
			t.WindowEnd = t.WindowStart.Add(time.Hour)
		}
		if r.IntN(200) == 0 {
			t.Priority = 1
		}
		in.Waiting = append(in.Waiting, t)
	}
	// The store lists them in no particular order.
	r.Shuffle(len(in.Waiting), func(i, j int) { in.Waiting[i], in.Waiting[j] = in.Waiting[j], in.Waiting[i] })
	return in
}

// queue10kFresh is the same queue with nobody aged and no bookings due, so
// adaptive's call has to go through the perishable tier.
func queue10kFresh() Input {
	in := queue10k()
	w := make([]Truck, len(in.Waiting))
	copy(w, in.Waiting)
	for i := range w {
		w[i].FIFOTurn = in.Now.Add(time.Duration(i) * time.Minute)
		w[i].Priority = 0
		w[i].Booked = false
	}
	in.Waiting = w
	return in
}

// queue10kBacklog is December 2021 itself: 100 trucks a day get through,
// and half the fruit waiting has already spoiled.
func queue10kBacklog() Input {
	in := queue10kFresh()
	in.ServiceRate = 100.0 / 24
	w := in.Waiting
	for i := range w {
		if w[i].Perishable() && i%2 == 0 {
			w[i].SpoilsAt = in.Now.Add(-time.Duration(i) * time.Minute)
		}
	}
	return in
}

func BenchmarkSelect10kBacklog(b *testing.B) {
	in := queue10kBacklog()
	p := mustNew(b, Adaptive, DefaultConfig())
	b.ReportAllocs()
	for b.Loop() {
		p.Select(in, in.Free)
	}
}

func benchPolicies(b *testing.B, in Input, run func(b *testing.B, p Policy, in Input)) {
	for _, name := range Names() {
		p := mustNew(b, name, DefaultConfig())
		b.Run(name, func(b *testing.B) { run(b, p, in) })
	}
}

// BenchmarkSelect10k is the call-forward decision: five free places, ten
// thousand waiting. The target is under 1 ms.
func BenchmarkSelect10k(b *testing.B) {
	benchPolicies(b, queue10k(), func(b *testing.B, p Policy, in Input) {
		b.ReportAllocs()
		for b.Loop() {
			p.Select(in, in.Free)
		}
	})
}

func BenchmarkSelect10kPerishableTier(b *testing.B) {
	in := queue10kFresh()
	p := mustNew(b, Adaptive, DefaultConfig())
	b.ReportAllocs()
	for b.Loop() {
		p.Select(in, in.Free)
	}
}

// BenchmarkOrder10k ranks the whole queue, as the operators' queue view
// does; for comparison with Select.
func BenchmarkOrder10k(b *testing.B) {
	benchPolicies(b, queue10k(), func(b *testing.B, p Policy, in Input) {
		b.ReportAllocs()
		for b.Loop() {
			p.Order(in)
		}
	})
}

// BenchmarkExpectedWait10k is the public feed's estimate for a
// non-perishable walk-in.
func BenchmarkExpectedWait10k(b *testing.B) {
	benchPolicies(b, queue10k(), func(b *testing.B, p Policy, in Input) {
		b.ReportAllocs()
		for b.Loop() {
			ExpectedWait(p, in, Truck{})
		}
	})
}
