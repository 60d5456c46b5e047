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
// An Area is not safe for concurrent use; its owner locks it.
type Area struct {
	trucks map[int64]Truck // by Seq
	turns  ostree          // every truck, by aging reference
	booked ostree          // booked trucks, by WindowStart
	prio   map[int]*ostree // trucks with Priority > 0, per level, by aging reference
	live   int             // trucks not booked
}

// NewArea returns an area holding ts, which must have distinct Seq.
func NewArea(ts ...Truck) *Area {
	a := &Area{trucks: make(map[int64]Truck, len(ts)), prio: map[int]*ostree{}}
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
	a.trucks[t.Seq] = t
	a.turns.insert(okey{agingRef(&t), t.Seq})
	if t.Booked {
		a.booked.insert(okey{t.WindowStart, t.Seq})
	} else {
		a.live++
	}
	if t.Priority > 0 {
		tr := a.prio[t.Priority]
		if tr == nil {
			tr = new(ostree)
			a.prio[t.Priority] = tr
		}
		tr.insert(okey{agingRef(&t), t.Seq})
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
	a.turns.remove(okey{agingRef(&t), seq})
	if t.Booked {
		a.booked.remove(okey{t.WindowStart, seq})
	} else {
		a.live--
	}
	if t.Priority > 0 {
		tr := a.prio[t.Priority]
		tr.remove(okey{agingRef(&t), seq})
		if tr.root == nil {
			delete(a.prio, t.Priority)
		}
	}
	return true
}

// agingRef is what adaptive measures a truck's aging from (policy.left).
func agingRef(t *Truck) time.Time {
	if t.FIFOTurn.IsZero() {
		return t.ArrivedAt
	}
	return t.FIFOTurn
}

// Place is Place(p, in, t) for the trucks of a: t arrives after all of
// them (its Seq the largest), and if a already holds it (a check-in applied
// before it is placed) it is not counted ahead of itself. in.Waiting must
// hold a's trucks; it is read only where the index does not answer.
//
// The index answers fifo, fixed-slot, and under adaptive an arrival that is
// aged, has statutory priority or is none of booked-and-due and perishable
// (the rest tier, last of all). A booked-and-due or perishable arrival
// under adaptive is ranked by Place on in.Waiting: the trucks ahead of it
// depend on two time-dependent conditions at once (booked due and not aged),
// or on how many perishables before it keep their place, which is a
// sequential rule (see rank).
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
	self := 0
	if u, ok := a.trucks[t.Seq]; ok {
		if u != *t {
			return Ranked{}, false // another truck under its Seq: let the slice decide
		}
		self = 1
	}
	v := newView(in)
	v.extra = t
	it := p.classify(v, t, 0)
	others := len(a.trucks) - self
	// Each count below includes t itself when a holds it: its own key is
	// within every bound of its tier.
	ahead := 0
	switch p.kind {
	case kindFIFO:
		ahead = others
	case kindFixed:
		booked := func(k int64) int {
			return a.booked.countWhile(func(ws time.Time) bool { return int64(v.since(ws)) <= k })
		}
		switch it.tier {
		case tLive:
			ahead = booked(int64(p.cfg.Tolerance)) + a.live - self
		case tBookedDue:
			ahead = booked(it.key) - self
		default: // tBookedEarly
			ahead = a.live + booked(it.key) - self
		}
	case kindAdaptive:
		aged := func(tr *ostree) int {
			return tr.countWhile(func(ref time.Time) bool {
				left := satAdd(v.since(ref), p.cfg.AgingBound)
				return left <= 0 || left < v.interval // as classify
			})
		}
		switch it.tier {
		case tRest:
			ahead = others
		case tAged:
			ahead = a.turns.countWhile(func(ref time.Time) bool {
				return int64(satAdd(v.since(ref), p.cfg.AgingBound)) <= it.key
			}) - self
		case tPriority:
			ahead = aged(&a.turns) - self
			for q, tr := range a.prio {
				if q >= t.Priority {
					ahead += tr.size() - aged(tr)
				}
			}
		default:
			return Ranked{}, false
		}
	}
	rank := ahead + 1
	class := ClassLive
	if t.Booked {
		class = ClassBooked
	}
	return Ranked{ID: t.ID, Rank: rank, Class: class, Reason: p.reason(v, it, rank, t), ExpectedCall: p.expectedCall(v, rank, t)}, true
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

// mix is SplitMix64's finaliser.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
