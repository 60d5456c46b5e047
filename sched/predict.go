package sched

import (
	"slices"
	"time"
)

// WaitUnknown is what ExpectedWait returns when the wait cannot be predicted:
// the truck would not be called now and the service rate is unknown. It is
// negative so that it can never be mistaken for "no wait".
const WaitUnknown time.Duration = -1

// ExpectedWait is the wait of a truck arriving now with arrival's attributes
// (Booked, WindowStart, WindowEnd, SpoilsAt, Priority): it is placed at the
// back of the arrival order (Seq after every waiting truck, ArrivedAt Now, its
// FIFOTurn computed if unset) and ranked by p against the trucks waiting in
// in. The public feed asks it per gate and direction for a typical arrival (a
// non-perishable walk-in, a perishable with a typical shelf life).
//
// It is a snapshot: it counts the trucks waiting now, not those that will
// arrive later and overtake. Under adaptive that matters for a
// non-perishable: it comes last now, as under fifo, but perishables arriving
// after it may go ahead until its aging bound, so its real wait lies between
// this figure and this figure plus AgingBound. Publish it as such, or measure
// the gap in the simulator.
func ExpectedWait(p Policy, in Input, arrival Truck) time.Duration {
	var last int64
	for i := range in.Waiting {
		last = max(last, in.Waiting[i].Seq)
	}
	arrival.Seq = last + 1
	arrival.ArrivedAt = in.Now
	if arrival.FIFOTurn.IsZero() {
		arrival.FIFOTurn = FIFOTurn(in, arrival)
	}
	if pp, ok := p.(*policy); ok {
		return pp.expectedWait(in, &arrival)
	}

	// Any other Policy: rank the queue with the arrival in it and read the
	// wait off its ExpectedCall, so that the policy's own prediction counts.
	if arrival.ID == "" {
		arrival.ID = "arrival"
	}
	for taken(in.Waiting, arrival.ID) { // looked up by ID below
		arrival.ID += "'"
	}
	in.Waiting = append(in.Waiting[:len(in.Waiting):len(in.Waiting)], arrival)
	for _, r := range p.Order(in) {
		if r.ID == arrival.ID && !r.ExpectedCall.IsZero() {
			return r.ExpectedCall.Sub(in.Now)
		}
	}
	return WaitUnknown
}

// expectedWait finds the arrival's rank by counting the trucks ahead of it
// rather than ranking the queue: the feed asks for every gate and direction,
// and the queue may hold thousands. The arrival has the last Seq, which is
// what makes counting enough (see the cases).
func (p *policy) expectedWait(in Input, arrival *Truck) time.Duration {
	v, _, rank := p.place(in, arrival)
	call := p.expectedCall(&v, rank, arrival)
	if call.IsZero() {
		return WaitUnknown
	}
	return call.Sub(in.Now)
}

// Place is how p ranks truck t, arriving after every truck waiting in in
// (its Seq the largest), as Order would rank in with t added: its rank,
// class, reason and expected call. It counts the trucks ahead of t rather
// than ranking the queue and writes only t's reason, which is what a
// check-in needs of a queue of thousands.
func Place(p Policy, in Input, t Truck) Ranked {
	if pp, ok := p.(*policy); ok {
		v, a, rank := pp.place(in, &t)
		class := ClassLive
		if t.Booked {
			class = ClassBooked
		}
		return Ranked{ID: t.ID, Rank: rank, Class: class, Reason: pp.reason(&v, a, rank, &t), ExpectedCall: pp.expectedCall(&v, rank, &t)}
	}
	in.Waiting = append(in.Waiting[:len(in.Waiting):len(in.Waiting)], t)
	for _, r := range p.Order(in) {
		if r.ID == t.ID {
			return r
		}
	}
	return Ranked{ID: t.ID}
}

// place finds the rank arrival would have, with the last Seq, among the
// trucks waiting in in, and returns the view it was ranked on and its item.
func (p *policy) place(in Input, arrival *Truck) (view, item, int) {
	vv := newView(in)
	vv.extra = arrival // set on the value: a store through a pointer would send arrival to the heap
	v := &vv
	w := in.Waiting
	a := p.classify(v, arrival, len(w))
	rank := 0
	switch {
	case p.kind != kindAdaptive || a.tier < tPerishable:
		// Tiers of fixed keys: ahead are exactly the smaller items.
		rank = 1
		for i := range w {
			if v.less(p.classify(v, &w[i], i), a) {
				rank++
			}
		}
	case a.tier == tRest:
		// Key 0 and the last Seq: last of all.
		rank = len(w) + 1
	default:
		// A perishable candidate: ahead are the head tiers and the
		// candidates before it in shelf-life order that keep their place;
		// if it cannot keep its own, it is last of the rest, so last of all.
		head := 0
		buf := getItems(len(w))
		defer putItems(buf)
		before := (*buf)[:0]
		for i := range w {
			it := p.classify(v, &w[i], i)
			switch {
			case it.tier < tPerishable:
				head++
			case it.tier == tPerishable && v.less(it, a):
				before = append(before, it)
			}
		}
		slices.SortFunc(before, v.compare)
		rank = head + 1
		for _, it := range before {
			if p.savable(v, it, rank) {
				rank++
			}
		}
		if !p.savable(v, a, rank) {
			rank = len(w) + 1
			a.tier, a.key = tRest, 0 // dropped to the rest, as rank does
		}
	}
	return vv, a, rank
}

func taken(w []Truck, id string) bool {
	for i := range w {
		if w[i].ID == id {
			return true
		}
	}
	return false
}

// FIFOTurn is when a truck checking in now would be called under fifo at the
// current service rate: after every truck waiting (in.Waiting, the arrival
// itself excluded if present), the first Free of them at once and the rest
// one service interval apart. It is zero when the rate is unknown and the
// truck cannot be called at once; adaptive then measures aging from the
// truck's ArrivedAt.
//
// Call it once, at check-in, and store the result in Truck.FIFOTurn: the
// aging bound is a promise made at arrival, so later changes of rate or
// queue must not move it. When FIFOTurn is computed this way and calls
// follow the service rate, no adaptive call comes later than FIFOTurn +
// AgingBound (TestAgingBound).
func FIFOTurn(in Input, arrival Truck) time.Time {
	ahead := 0
	for i := range in.Waiting {
		if in.Waiting[i].ID != arrival.ID {
			ahead++
		}
	}
	return fifoTurn(in, ahead)
}

// NextFIFOTurn is FIFOTurn(in, t) for a truck t that is not among
// in.Waiting, as at a check-in: every waiting truck is ahead of it, so it
// counts them by len instead of comparing IDs.
func NextFIFOTurn(in Input) time.Time { return fifoTurn(in, len(in.Waiting)) }

func fifoTurn(in Input, ahead int) time.Time {
	v := newView(in)
	wait, ok := v.wait(ahead + 1)
	if !ok {
		return time.Time{}
	}
	return in.Now.Add(wait)
}

// CallingPeriod returns the period in which trucks are called that contains
// t, or the first one after it: from ≤ to, and from is zero when there is
// none. A gate's is its opening hours less the last-call margin before each
// closing.
type CallingPeriod func(t time.Time) (from, to time.Time)

// OnClock is when a truck predicted to wait wait of calling time, from now,
// is called by the clock: the wait runs only while the gate calls, so a
// truck arriving at a closed gate counts the hours until it opens, and a
// wait that runs past the last call resumes at the next opening. It is zero
// when the gate will not call again (period returns a zero from), or wait
// is WaitUnknown.
func OnClock(now time.Time, wait time.Duration, period CallingPeriod) time.Time {
	if wait < 0 {
		return time.Time{}
	}
	t := now
	for range 1000 { // a year of daily periods
		from, to := period(t)
		if from.IsZero() {
			return time.Time{}
		}
		if t.Before(from) {
			t = from
		}
		room := to.Sub(t)
		if wait <= room {
			return t.Add(wait)
		}
		if room > 0 {
			wait -= room
		}
		t = to
		if !t.After(from) { // an empty period: step past it
			t = t.Add(time.Nanosecond)
		}
	}
	return time.Time{}
}

// Calling is a gate's CallingPeriod from its daily hours (c's Open, Close
// and Location): trucks are called from opening until lastCall before
// closing, the last moment a truck called can still cross the same day. The
// server's call-forward loop calls only inside it and the simulator's model
// keeps the same rule; the public feed puts its predicted wait on it with
// OnClock. It returns nil when c's hours are invalid.
func Calling(c WindowConfig, lastCall time.Duration) CallingPeriod {
	c = c.withDefaults()
	open, close, err := c.hours()
	if err != nil {
		return nil
	}
	span := time.Duration(close-open)*time.Minute - max(lastCall, 0)
	if span <= 0 {
		return func(time.Time) (time.Time, time.Time) { return time.Time{}, time.Time{} }
	}
	return func(t time.Time) (time.Time, time.Time) {
		y, m, d := t.In(c.Location).Date()
		// The day before too: hours past midnight belong to the day they
		// opened.
		for day := -1; day <= 1; day++ {
			from := time.Date(y, m, d+day, open/60, open%60, 0, 0, c.Location)
			if to := from.Add(span); t.Before(to) {
				return from.UTC(), to.UTC()
			}
		}
		return time.Time{}, time.Time{} // not reached: day+1's period ends after t
	}
}

// Calls reports whether period calls trucks at t.
func Calls(period CallingPeriod, t time.Time) bool {
	if period == nil {
		return true
	}
	from, to := period(t)
	return !from.IsZero() && !t.Before(from) && t.Before(to)
}

// OpenAt reports whether a gate with c's hours works at t (the feed's "open").
func OpenAt(c WindowConfig, t time.Time) bool {
	return Calls(Calling(c, 0), t)
}
