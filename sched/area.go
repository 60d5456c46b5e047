package sched

import (
	"slices"
	"time"
)

// Area is a waiting area kept indexed, so that a check-in is placed among
// thousands of waiting trucks without classifying each of them (Area.Place).
//
// The index holds what does not change with Now: every truck by its aging
// reference (FIFOTurn, or ArrivedAt when unset), the booked ones by
// WindowStart, those with statutory priority per level by aging reference,
// and the number of live ones. The time-dependent tiers are prefixes of
// these orders at every Now: a truck is aged when its aging deadline is
// near, that is when its reference is early enough, and a booking is due
// when its window starts early enough; keys within a tier (the time left
// to a deadline or to a window) are these times less Now, which keeps their
// order. So a count of the trucks ahead of an arrival is a prefix count at
// a bound computed from Now, in O(log n).
//
// An Area is not safe for concurrent use, not even by two Places (they
// share scratch space); its owner locks it.
type Area struct {
	trucks map[int64]*Truck // by Seq
	turns  ostree           // every truck, by aging reference
	booked ostree           // booked trucks, by WindowStart
	prio   map[int]*ostree  // trucks with Priority > 0, per level, by aging reference
	live   int              // trucks not booked
	// Adaptive's tiers below priority: booked trucks without priority by
	// WindowStart, perishable ones without priority by SpoilsAt.
	bookedP0 ostree
	perish   ostree
	// Scratch space of adaptive's perishable placing, kept between calls.
	agedP0 []*Truck
	x      []okey
	xidx   []int
}

// NewArea returns an area holding ts, which must have distinct Seq.
func NewArea(ts ...Truck) *Area {
	a := &Area{trucks: make(map[int64]*Truck, len(ts)), prio: map[int]*ostree{}}
	for _, t := range ts {
		a.Add(t)
	}
	return a
}

// Len is the number of trucks in the area.
func (a *Area) Len() int { return len(a.trucks) }

// Add puts t in the area, replacing the truck with its Seq if there is one.
func (a *Area) Add(t Truck) {
	a.Remove(t.Seq)
	tp := &t
	a.trucks[t.Seq] = tp
	a.turns.insert(okey{agingRef(&t), t.Seq, tp})
	if t.Booked {
		a.booked.insert(okey{t.WindowStart, t.Seq, tp})
	} else {
		a.live++
	}
	if t.Priority > 0 {
		tr := a.prio[t.Priority]
		if tr == nil {
			tr = new(ostree)
			a.prio[t.Priority] = tr
		}
		tr.insert(okey{agingRef(&t), t.Seq, tp})
		return
	}
	if t.Booked {
		a.bookedP0.insert(okey{t.WindowStart, t.Seq, tp})
	}
	if t.Perishable() {
		a.perish.insert(okey{t.SpoilsAt, t.Seq, tp})
	}
}

// Remove takes the truck with seq out of the area and reports whether
// there was one.
func (a *Area) Remove(seq int64) bool {
	t, ok := a.trucks[seq]
	if !ok {
		return false
	}
	delete(a.trucks, seq)
	a.turns.remove(okey{at: agingRef(t), seq: seq})
	if t.Booked {
		a.booked.remove(okey{at: t.WindowStart, seq: seq})
	} else {
		a.live--
	}
	if t.Priority > 0 {
		tr := a.prio[t.Priority]
		tr.remove(okey{at: agingRef(t), seq: seq})
		if tr.root == nil {
			delete(a.prio, t.Priority)
		}
		return true
	}
	if t.Booked {
		a.bookedP0.remove(okey{at: t.WindowStart, seq: seq})
	}
	if t.Perishable() {
		a.perish.remove(okey{at: t.SpoilsAt, seq: seq})
	}
	return true
}

// agingRef is what adaptive measures a truck's aging from.
func agingRef(t *Truck) time.Time {
	if t.FIFOTurn.IsZero() {
		return t.ArrivedAt
	}
	return t.FIFOTurn
}

// Place is Place(p, in, t) for the trucks of a: t arrives after all of
// them (its Seq the largest), and if a already holds it (a check-in applied
// before it is placed) it is not counted ahead of itself. in.Waiting must
// hold a's trucks; it is read by a policy from outside this package, and
// where more than an eighth of the queue is aged or booked and due (below).
//
// Every tier but adaptive's lower ones is a prefix count, O(log n). Under
// adaptive the aged trucks without priority are listed, to take them out of
// the booked-due and perishable tiers; and a perishable arrival is ranked
// behind the perishables before it that keep their place, taken in runs
// (see adaptive): a run of kept ones or of dropped ones costs O(log n);
// every run of kept ones places at least one, and runs of dropped ones lie
// between them, so with k kept there are at most 2k+1 runs, and k is
// bounded by the trucks the gate can call before the arrival spoils, not by
// the queue. When the fruit is not at the edge of its shelf life it is one
// or two runs; in a backlog where each candidate barely keeps its place it
// is up to k. Booked-due perishables are listed too. So a perishable check-in costs O((aged + booked due + runs) ·
// log n); when the aged and the booked due are more than an eighth of the
// queue that is more than Place's one pass, which is used instead.
func (a *Area) Place(p Policy, in Input, t Truck) Ranked {
	if pp, ok := p.(*policy); ok {
		if r, ok := a.place(pp, in, &t); ok {
			return r
		}
	}
	in.Waiting = without(in.Waiting, t.Seq)
	return Place(p, in, t)
}

func (a *Area) place(p *policy, in Input, t *Truck) (Ranked, bool) {
	if u, ok := a.trucks[t.Seq]; ok {
		if *u != *t {
			return Ranked{}, false // another truck under its Seq: let the slice decide
		}
		// It is placed among the others: out while they are counted.
		a.Remove(t.Seq)
		defer a.Add(*u)
	}
	vv := newView(in)
	vv.extra = t
	v := &vv
	it := p.classify(v, t, 0)
	rank := 0
	switch p.kind {
	case kindFIFO:
		rank = len(a.trucks) + 1
	case kindFixed:
		booked := func(k int64) int {
			return a.booked.countWhile(func(ws time.Time) bool { return int64(v.since(ws)) <= k })
		}
		switch it.tier {
		case tLive:
			rank = booked(int64(p.cfg.Tolerance)) + a.live + 1
		case tBookedDue:
			rank = booked(it.key) + 1
		default: // tBookedEarly
			rank = a.live + booked(it.key) + 1
		}
	case kindAdaptive:
		if rank, it = a.adaptive(p, v, t, it); rank == 0 {
			return Ranked{}, false
		}
	}
	class := ClassLive
	if t.Booked {
		class = ClassBooked
	}
	return Ranked{ID: t.ID, Rank: rank, Class: class, Reason: p.reason(v, it, rank, t), ExpectedCall: p.expectedCall(v, rank, t)}, true
}

// listShare is the share of the queue, 1/listShare, above which the aged and
// booked-due trucks are not listed (a variable so the tests can list them
// always).
var listShare = 8

// adaptive is policy.place's rank of t, classified as it, under adaptive;
// 0 when the slice is the faster way to it.
func (a *Area) adaptive(p *policy, v *view, t *Truck, it item) (int, item) {
	dueUpTo := func(k int64) func(time.Time) bool {
		return func(ws time.Time) bool { return int64(v.since(ws)) <= k }
	}
	left := func(ref time.Time) int64 { return int64(p.left(v, ref)) }
	isAged := func(ref time.Time) bool { return v.aged(p.left(v, ref)) }
	switch it.tier {
	case tRest:
		return len(a.trucks) + 1, it // key 0 and the last Seq
	case tAged:
		return a.turns.countWhile(func(ref time.Time) bool { return left(ref) <= it.key }) + 1, it
	}
	aged := a.turns.countWhile(isAged)
	prio := 0 // not aged, with priority: at t's level or above, or all for the tiers below
	for q, tr := range a.prio {
		if it.tier != tPriority || q >= t.Priority {
			prio += tr.size() - tr.countWhile(isAged)
		}
	}
	if it.tier == tPriority {
		return aged + prio + 1, it
	}
	if listShare*(aged+a.bookedP0.countWhile(dueUpTo(int64(p.cfg.Tolerance)))) > len(a.trucks) {
		return 0, it // listing them would cost more than one pass over the queue
	}

	// The aged trucks without priority are counted among the aged, so they
	// are taken out of the tiers their booking or shelf life would put them
	// in. They are few while calls keep the aging bound.
	agedP0 := a.agedP0[:0]
	a.turns.walkWhile(isAged, func(k okey) {
		if k.t.Priority == 0 {
			agedP0 = append(agedP0, k.t)
		}
	})
	a.agedP0 = agedP0
	due := func(k int64) int { // booked and due, not aged, no priority, window key ≤ k
		c := a.bookedP0.countWhile(dueUpTo(k))
		for _, u := range agedP0 {
			if u.Booked && int64(v.since(u.WindowStart)) <= k {
				c--
			}
		}
		return c
	}
	if it.tier == tBookedDue {
		return aged + prio + due(it.key) + 1, it
	}
	head := aged + prio + due(int64(p.cfg.Tolerance))

	// A perishable candidate. The candidates are the perishables without
	// priority less x, those aged or booked and due.
	x := a.x[:0]
	for _, u := range agedP0 {
		if u.Perishable() {
			x = append(x, okey{at: u.SpoilsAt, seq: u.Seq})
		}
	}
	a.bookedP0.walkWhile(dueUpTo(int64(p.cfg.Tolerance)), func(k okey) {
		if u := k.t; u.Perishable() && !isAged(agingRef(u)) {
			x = append(x, okey{at: u.SpoilsAt, seq: u.Seq})
		}
	})
	a.x = x
	slices.SortFunc(x, func(a, b okey) int {
		switch {
		case a.less(b):
			return -1
		case b.less(a):
			return 1
		}
		return 0
	})
	xidx := a.xidx[:0] // their places in a.perish
	for i := range x {
		xidx = append(xidx, a.perish.rank(x[i]))
	}
	a.xidx = xidx
	// cands counts the candidates whose SpoilsAt satisfies in, which holds
	// for a prefix of the order.
	cands := func(in func(time.Time) bool) int {
		n, _ := slices.BinarySearchFunc(x, true, func(k okey, _ bool) int {
			if in(k.at) {
				return -1
			}
			return 1
		})
		return a.perish.countWhile(in) - n
	}
	shelf := func(s time.Time) item { return item{tier: tPerishable, key: int64(v.since(s))} }
	// Ahead are the candidates before t by shelf life (its Seq is the
	// last) that keep their place, as rank takes them one at a time; here
	// in runs. One that keeps its place at r proves the next m keep theirs
	// when it would keep it at r+m too: theirs is no shorter and they come
	// at most m places later. One that cannot cross from r is dropped with
	// every later one that cannot either, a prefix by shelf life.
	before := cands(func(s time.Time) bool { return int64(v.since(s)) <= it.key })
	kept, done, xi := 0, 0, 0
	for done < before {
		i := done + xi // the next candidate's place in a.perish
		for xi < len(x) && xidx[xi] <= i {
			xi++
			i++
		}
		c := shelf(a.perish.at(i).at)
		r := head + kept + 1
		if !p.savable(v, c, r) {
			done = min(max(done+1, cands(func(s time.Time) bool { return !p.savable(v, shelf(s), r) })), before)
			continue
		}
		// The largest m ≤ before−done−1 with c savable at r+m: savable
		// holds for a prefix of ranks.
		m := sortSearch(before-done, func(m int) bool { return !p.savable(v, c, r+m) }) - 1
		kept += m + 1
		done += m + 1
	}
	rank := head + kept + 1
	if !p.savable(v, it, rank) {
		// It cannot keep its own place: last of the rest, so last of all.
		return len(a.trucks) + 1, item{tier: tRest, seq: it.seq, idx: it.idx}
	}
	return rank, it
}

// sortSearch is sort.Search: the smallest i in [0, n) for which f holds,
// f false then true, or n.
func sortSearch(n int, f func(int) bool) int {
	lo, hi := 0, n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if f(m) {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// without is w less the truck with seq, copied only if it is not last.
func without(w []Truck, seq int64) []Truck {
	if n := len(w); n > 0 && w[n-1].Seq == seq {
		return w[: n-1 : n-1]
	}
	has := func(t Truck) bool { return t.Seq == seq }
	if !slices.ContainsFunc(w, has) {
		return w
	}
	return slices.DeleteFunc(slices.Clone(w), has)
}

// okey orders an ostree: a time, then Seq. Times compare by their Unix
// seconds and nanoseconds, the quantities view.since reads, so that a bound
// on since is a prefix of the order.
type okey struct {
	at  time.Time
	seq int64
	t   *Truck // the truck, for a walk; not compared
}

func (a okey) less(b okey) bool {
	if as, bs := a.at.Unix(), b.at.Unix(); as != bs {
		return as < bs
	}
	if an, bn := a.at.Nanosecond(), b.at.Nanosecond(); an != bn {
		return an < bn
	}
	return a.seq < b.seq
}

// ostree is an order-statistic treap: a binary search tree on okey whose
// nodes count their subtree, so that how many keys satisfy a condition that
// holds for a prefix of the order is one walk from the root. Node
// priorities are a hash of the Seq, so a tree's shape depends only on its
// keys.
type ostree struct{ root *onode }

type onode struct {
	k    okey
	pri  uint64
	n    int
	l, r *onode
}

func (t *ostree) size() int { return t.root.count() }

func (n *onode) count() int {
	if n == nil {
		return 0
	}
	return n.n
}

func (n *onode) fix() *onode {
	n.n = n.l.count() + 1 + n.r.count()
	return n
}

func (t *ostree) insert(k okey) {
	l, r := split(t.root, k, false)
	t.root = merge(merge(l, &onode{k: k, pri: mix(uint64(k.seq)), n: 1}), r)
}

func (t *ostree) remove(k okey) {
	l, r := split(t.root, k, false)
	_, r = split(r, k, true)
	t.root = merge(l, r)
}

// split cuts n into the keys before k and the rest; with after, into the
// keys up to k inclusive and the rest.
func split(n *onode, k okey, after bool) (*onode, *onode) {
	if n == nil {
		return nil, nil
	}
	left := n.k.less(k)
	if after {
		left = !k.less(n.k)
	}
	if left {
		l, r := split(n.r, k, after)
		n.r = l
		return n.fix(), r
	}
	l, r := split(n.l, k, after)
	n.l = r
	return l, n.fix()
}

func merge(l, r *onode) *onode {
	switch {
	case l == nil:
		return r
	case r == nil:
		return l
	case l.pri > r.pri:
		l.r = merge(l.r, r)
		return l.fix()
	}
	r.l = merge(l, r.l)
	return r.fix()
}

// countWhile counts the keys from the first on for which in holds; in must
// hold for a prefix of the order and for nothing after it.
func (t *ostree) countWhile(in func(time.Time) bool) int {
	c := 0
	for n := t.root; n != nil; {
		if in(n.k.at) {
			c += n.l.count() + 1
			n = n.r
		} else {
			n = n.l
		}
	}
	return c
}

// walkWhile calls f on the keys for which in holds, in order; in must hold
// for a prefix of the order.
func (t *ostree) walkWhile(in func(time.Time) bool, f func(okey)) {
	var walk func(n *onode)
	walk = func(n *onode) {
		for n != nil {
			if !in(n.k.at) {
				n = n.l
				continue
			}
			walk(n.l)
			f(n.k)
			n = n.r
		}
	}
	walk(t.root)
}

// rank counts the keys before k.
func (t *ostree) rank(k okey) int {
	c := 0
	for n := t.root; n != nil; {
		if n.k.less(k) {
			c += n.l.count() + 1
			n = n.r
		} else {
			n = n.l
		}
	}
	return c
}

// at is the key with i keys before it, 0 ≤ i < size.
func (t *ostree) at(i int) okey {
	n := t.root
	for {
		switch l := n.l.count(); {
		case i < l:
			n = n.l
		case i == l:
			return n.k
		default:
			i -= l + 1
			n = n.r
		}
	}
}

// mix is SplitMix64's finaliser.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
