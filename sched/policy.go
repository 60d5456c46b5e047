package sched

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Classes of a Ranked truck: how it entered the waiting area.
const (
	ClassBooked = "booked"
	ClassLive   = "live"
)

// Policy names, as configured per gate and logged with every call.
const (
	FIFO      = "fifo"
	FixedSlot = "fixed-slot"
	Adaptive  = "adaptive"
)

// version is bumped whenever any policy's ordering rules change, so that a
// replay can tell a rule change from a tampered order.
const version = "1"

// Names lists the policies New knows, in a stable order.
func Names() []string { return []string{FIFO, FixedSlot, Adaptive} }

// New returns the named policy. These are the published rules; every tie
// is broken by Seq (arrival order at the waiting area), so an order never
// depends on how the store listed the trucks.
//
// fifo: by Seq.
//
// fixed-slot (GoSwift-like): first booked trucks whose window is due (Now ≥
// WindowStart − Tolerance), by WindowStart; then live trucks by Seq; then
// booked trucks that came more than Tolerance early, by WindowStart. Early
// trucks wait behind the live queue rather than not at all, so a place is
// never left empty while someone waits, and they jump ahead once due.
//
// adaptive, in tiers:
//  1. aged: trucks that must be called now to be called within AgingBound
//     of their FIFO turn (Truck.FIFOTurn, or ArrivedAt when unset) — the
//     next call comes one service interval later, too late — by that
//     deadline. This tier goes before everyone, statutory priority
//     included, because it is what makes the bound hold (TestAgingBound).
//  2. statutory priority (Priority > 0), higher first.
//  3. booked and due, as in fixed-slot, by WindowStart. An early booked
//     truck gets no advantage from its booking and is ranked like a live one.
//  4. perishables by SpoilsAt, each keeping its place only if, called at
//     that place (Now + its wait, below), it still crosses (+CrossingTime)
//     before SpoilsAt. Its slack there is shown in the reason.
//  5. the rest by Seq: non-perishables, and perishables that would spoil
//     anyway; hurrying those would only make a savable one late.
//
// The wait of the truck at rank r is 0 for the first Free ranks and then
// (r − Free) service intervals of 1 h / ServiceRate; ExpectedCall is Now plus
// it (zero if the rate is unknown and r > Free), and under adaptive never
// later than the truck's aging deadline.
//
// The config is validated here rather than clamped later: a zero aging bound
// would silently turn adaptive into "aged on arrival", that is fifo.
func New(name string, cfg Config) (Policy, error) {
	var k kind
	switch name {
	case FIFO:
		k = kindFIFO
	case FixedSlot:
		k = kindFixed
	case Adaptive:
		k = kindAdaptive
	default:
		return nil, fmt.Errorf("sched: unknown policy %q: want one of %s", name, strings.Join(Names(), ", "))
	}
	if cfg.Tolerance < 0 {
		return nil, fmt.Errorf("sched: policy %s: tolerance %v: must not be negative", name, cfg.Tolerance)
	}
	if k == kindAdaptive && cfg.AgingBound <= 0 {
		return nil, fmt.Errorf("sched: policy %s: aging bound %v: must be positive", name, cfg.AgingBound)
	}
	return &policy{kind: k, name: name, cfg: cfg}, nil
}

type kind uint8

const (
	kindFIFO kind = iota
	kindFixed
	kindAdaptive
)

// policy implements all three policies: they differ only in how a truck is
// put in a tier and keyed within it, and adaptive's perishable tier, whose
// members depend on their position (see rank).
type policy struct {
	kind kind
	name string
	cfg  Config
}

func (p *policy) Name() string    { return p.name }
func (p *policy) Version() string { return version }

// Order ranks every waiting truck.
func (p *policy) Order(in Input) []Ranked { return p.Select(in, len(in.Waiting)) }

// Select returns the first n of Order without ranking the whole queue: the
// call-forward decision is made on every free place, so it must stay cheap
// with thousands waiting (see BenchmarkSelect10k).
func (p *policy) Select(in Input, n int) []Ranked {
	v := newView(in)
	var small [smallQueue]item
	items := small[:]
	if len(in.Waiting) > smallQueue {
		buf := getItems(len(in.Waiting))
		defer putItems(buf)
		items = *buf
	}
	return p.ranked(&v, p.rank(&v, n, items))
}

// smallQueue is the longest waiting area whose scratch space is on the
// stack rather than from itemPool: most calls see a short queue, and the
// pool's Get and Put cost more than ranking a few trucks.
const smallQueue = 16

// itemPool recycles the per-call scratch space: a call-forward decision over
// ten thousand trucks would otherwise allocate a quarter of a megabyte, and
// the garbage collector's work then costs more than the decision. It holds
// no state between calls.
var itemPool sync.Pool

func getItems(n int) *[]item {
	if b, ok := itemPool.Get().(*[]item); ok && cap(*b) >= n {
		*b = (*b)[:n]
		return b
	}
	b := make([]item, n)
	return &b
}

func putItems(b *[]item) { itemPool.Put(b) }

// tier is a truck's band in a policy's order; lower is called first. Each
// policy uses a subset, in this order.
type tier uint8

const (
	tAged        tier = iota // adaptive: would wait longer than the aging bound beyond its FIFO turn
	tPriority                // adaptive: statutory priority
	tBookedDue               // fixed-slot, adaptive: booked, window due
	tPerishable              // adaptive: perishable that can still cross before it spoils
	tRest                    // adaptive: everything else, by arrival
	tLive                    // fixed-slot: live queue
	tBookedEarly             // fixed-slot: booked, window not yet due
	tFIFO                    // fifo
)

// item is a truck reduced to what ordering compares, so that a pass over
// ten thousand trucks writes 24 bytes each and compares without touching the
// Truck again.
type item struct {
	key  int64 // within the tier, smaller first (nanoseconds from Now, or -priority)
	seq  int64
	idx  int32 // index in Input.Waiting
	tier tier
}

// view is an Input with the derived quantities every truck needs.
type view struct {
	in   Input
	free int
	// interval is the time between calls at the service rate (0 if unknown);
	// an integer, so that predicted waits are exact multiples of it and do
	// not depend on floating-point evaluation order.
	interval time.Duration
	// Now as Unix seconds and nanoseconds, for since.
	nowSec  int64
	nowNsec int
	// extra is a truck ranked with the waiting ones as if it were
	// Waiting[len(Waiting)]: ExpectedWait's arrival.
	extra *Truck
}

func (v *view) truck(idx int32) *Truck {
	if int(idx) == len(v.in.Waiting) {
		return v.extra
	}
	return &v.in.Waiting[idx]
}

// newView returns the view by value, so that a decision's view lives on
// its caller's stack: one is made per call, check-in and prediction.
func newView(in Input) view {
	v := view{in: in, free: max(in.Free, 0), nowSec: in.Now.Unix(), nowNsec: in.Now.Nanosecond()}
	if r := in.ServiceRate; r > 0 && !math.IsInf(r, 1) {
		v.interval = max(time.Duration(float64(time.Hour)/r), 1)
	}
	return v
}

// wait is the predicted time until the truck at rank is called: the first
// Free ranks now, each one after that one interval later. ok is false when
// the service rate is unknown and the truck cannot be called now.
func (v *view) wait(rank int) (d time.Duration, ok bool) {
	ahead := int64(rank - v.free)
	if ahead <= 0 {
		return 0, true
	}
	if v.interval <= 0 {
		return 0, false
	}
	if ahead > int64(math.MaxInt64)/int64(v.interval) {
		return math.MaxInt64, true
	}
	return time.Duration(ahead) * v.interval, true
}

// since is t − Now in nanoseconds, saturating beyond ±285 years so that a
// zero or far-off time stays in order instead of wrapping. It is the only
// time arithmetic done per waiting truck, and it avoids time.Time.Sub, whose
// overflow check (an Add and an Equal) costs more than the rest of a
// truck's classification together.
func (v *view) since(t time.Time) time.Duration {
	const limit = 9e9 // seconds; 9e18 ns still fits an int64 with the nanoseconds
	ds := t.Unix() - v.nowSec
	switch {
	case ds > limit:
		return math.MaxInt64
	case ds < -limit:
		return math.MinInt64
	}
	return time.Duration(ds*1e9 + int64(t.Nanosecond()-v.nowNsec))
}

// left is how long until a truck's aging deadline, its FIFO turn plus the
// bound: the latest call that keeps the promise. It takes the truck's aging
// reference (agingRef), which is what the indexed area keeps.
func (p *policy) left(v *view, ref time.Time) time.Duration {
	return satAdd(v.since(ref), p.cfg.AgingBound)
}

// aged is adaptive's aging rule on a truck's time left (see classify).
func (v *view) aged(left time.Duration) bool { return left <= 0 || left < v.interval }

// satAdd adds two durations, sticking at the extremes instead of wrapping.
func satAdd(a, b time.Duration) time.Duration {
	c := a + b
	switch {
	case a > 0 && b > 0 && c < 0:
		return math.MaxInt64
	case a < 0 && b < 0 && c >= 0:
		return math.MinInt64
	}
	return c
}

// classify puts a truck in its tier, except that adaptive's perishables are
// only candidates for tPerishable: rank decides whether they keep it.
//
// Adaptive's aging rule: a truck is aged when it must be called now to keep
// the bound, because the next call comes one interval later, past its
// deadline; with the rate unknown, once the deadline has come. A booked
// truck is due from WindowStart − Tolerance on, and stays due however late
// its window: it came within tolerance (or the store would have made it
// live), so waiting since is not its fault.
func (p *policy) classify(v *view, t *Truck, idx int) item {
	it := item{seq: t.Seq, idx: int32(idx)}
	switch p.kind {
	case kindFIFO:
		it.tier = tFIFO
	case kindFixed:
		switch {
		case !t.Booked:
			it.tier = tLive
		case v.since(t.WindowStart) <= p.cfg.Tolerance:
			it.tier, it.key = tBookedDue, int64(v.since(t.WindowStart))
		default:
			it.tier, it.key = tBookedEarly, int64(v.since(t.WindowStart))
		}
	case kindAdaptive:
		if left := p.left(v, agingRef(t)); v.aged(left) {
			it.tier, it.key = tAged, int64(left)
			return it
		}
		if t.Priority > 0 {
			it.tier, it.key = tPriority, -int64(t.Priority)
			return it
		}
		if t.Booked {
			if ws := v.since(t.WindowStart); ws <= p.cfg.Tolerance {
				it.tier, it.key = tBookedDue, int64(ws)
				return it
			}
		}
		if t.Perishable() {
			it.tier, it.key = tPerishable, int64(v.since(t.SpoilsAt))
			return it
		}
		it.tier = tRest
	}
	return it
}

// less is the total order on items: tier, key, then Seq (unique by
// contract), then, only for a malformed queue with repeated Seq, ID and
// position in Waiting, so that even that orders deterministically. The
// heaps call it directly, not through a func value, so it inlines.
func (v *view) less(a, b item) bool {
	if a.tier != b.tier {
		return a.tier < b.tier
	}
	if a.key != b.key {
		return a.key < b.key
	}
	if a.seq != b.seq {
		return a.seq < b.seq
	}
	return v.lessTie(a, b)
}

func (v *view) lessTie(a, b item) bool {
	if c := compareIDs(v.truck(a.idx).ID, v.truck(b.idx).ID); c != 0 {
		return c < 0
	}
	return a.idx < b.idx
}

// compareIDs is strings.Compare written out. The runtime's comparison is
// assembly, which the compiler must assume keeps its arguments, so through
// it every view's arrival (ExpectedWait's) went to the heap; ties on Seq
// never happen in a well-formed queue, so the loop's speed does not matter.
func compareIDs(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

func (v *view) compare(a, b item) int {
	switch {
	case a.tier != b.tier:
		return cmp.Compare(a.tier, b.tier)
	case a.key != b.key:
		return cmp.Compare(a.key, b.key)
	case a.seq != b.seq:
		return cmp.Compare(a.seq, b.seq)
	case v.lessTie(a, b):
		return -1
	case v.lessTie(b, a):
		return 1
	}
	return 0
}

// rank returns the first n items of the policy's order.
//
// Adaptive's perishable tier is the one part that depends on position: a
// perishable keeps its place by shelf life (earliest SpoilsAt first, which is
// the order that maximises the smallest slack) only if, at that place, it
// can still be called and cross before it spoils; otherwise calling it early
// saves nothing and only makes the next one late, so it drops to the rest,
// by arrival. This is Moore–Hodgson's rule for unit jobs: it keeps the most
// perishables on time. Whether one keeps its place depends only on how many
// are placed before it, so Select only looks at the first few candidates by
// shelf life and stops as soon as it has n.
//
// The items returned may live in buf, which must hold len(Waiting) items.
func (p *policy) rank(v *view, n int, buf []item) []item {
	w := v.in.Waiting
	n = min(n, len(w))
	if n <= 0 {
		return []item{}
	}
	items := buf[:len(w)]
	if p.kind != kindAdaptive {
		for i := range w {
			items[i] = p.classify(v, &w[i], i)
		}
		return v.smallest(items, n)
	}

	// One pass classifies every truck: the head tiers (aged, priority,
	// booked due) to the front of items, the rest tier to the back, the
	// perishable candidates to a buffer of their own.
	var small [smallQueue]item
	cands := small[:0]
	if len(w) > smallQueue {
		cb := getItems(len(w))
		defer putItems(cb)
		cands = (*cb)[:0]
	}
	head, back := 0, len(w)
	for i := range w {
		it := p.classify(v, &w[i], i)
		switch {
		case it.tier < tPerishable:
			items[head] = it
			head++
		case it.tier == tPerishable:
			cands = append(cands, it)
		default:
			back--
			items[back] = it
		}
	}
	if head >= n {
		// The head tiers come before any candidate, savable or not.
		return v.smallest(items[:head], n)
	}
	out := make([]item, 0, n)
	out = append(out, v.smallest(items[:head], head)...)

	// Waits grow with rank, so a candidate that cannot cross in time even
	// at the first place left is dropped at once; in a backlog of spoiled
	// fruit that is most of them. Of the others, only one that cannot cross
	// in time from the last place this call fills may be dropped on the
	// way: with d such doubtful candidates, the m places are filled from
	// the m + d candidates with the earliest shelf life, which a bounded
	// heap finds without sorting them all. Dropped candidates join the rest
	// tier, in the room between head and back that the candidates left.
	first, m := len(out)+1, n-len(out)
	soonest, _ := v.wait(first)
	last, _ := v.wait(first + m - 1)
	doubtful, kept := 0, cands[:0]
	for _, it := range cands {
		switch {
		case slack(time.Duration(it.key), soonest, v.in.CrossingTime) < 0:
			it.tier, it.key = tRest, 0
			back--
			items[back] = it
			continue
		case slack(time.Duration(it.key), last, v.in.CrossingTime) < 0:
			doubtful++
		}
		kept = append(kept, it)
	}
	cands = kept
	for _, it := range v.smallest(cands, m+doubtful) {
		if len(out) == n {
			break
		}
		if p.savable(v, it, len(out)+1) {
			out = append(out, it)
			continue
		}
		it.tier, it.key = tRest, 0
		back--
		items[back] = it
	}
	if len(out) < n {
		// Fewer than m kept means fewer than m + d candidates were there to
		// look at: every one has been placed or dropped, and the rest tier,
		// dropped ones included, fills the remaining places.
		out = append(out, v.smallest(items[back:], n-len(out))...)
	}
	return out
}

// savable reports whether a perishable candidate (key: shelf life left)
// called at rank crosses before it spoils. With the rate unknown only the
// crossing time is counted.
func (p *policy) savable(v *view, it item, rank int) bool {
	wait, _ := v.wait(rank)
	return slack(time.Duration(it.key), wait, v.in.CrossingTime) >= 0
}

// slack is the shelf life left after waiting and crossing, saturating.
func slack(left, wait, crossing time.Duration) time.Duration {
	need := wait + crossing
	if need < wait { // overflow
		need = math.MaxInt64
	}
	s := left - need
	if left < 0 && s > left { // overflow below
		return math.MinInt64
	}
	return s
}

// smallest returns the n smallest items of xs in order, reordering xs. For
// the few places a call fills it keeps a bounded max-heap in xs's own prefix,
// so a pass over the queue costs one comparison for most trucks.
func (v *view) smallest(xs []item, n int) []item {
	n = min(n, len(xs))
	if n <= 0 {
		return xs[:0]
	}
	if n*8 >= len(xs) {
		slices.SortFunc(xs, v.compare)
		return xs[:n]
	}
	h := xs[:n]
	for i := n/2 - 1; i >= 0; i-- {
		v.downMax(h, i)
	}
	for _, x := range xs[n:] {
		if v.less(x, h[0]) {
			h[0] = x
			v.downMax(h, 0)
		}
	}
	slices.SortFunc(h, v.compare)
	return h
}

func (v *view) downMax(h []item, i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		big := l
		if r := l + 1; r < len(h) && v.less(h[l], h[r]) {
			big = r
		}
		if !v.less(h[i], h[big]) {
			return
		}
		h[i], h[big] = h[big], h[i]
		i = big
	}
}

// ranked turns items into the published ranking. Only the selected trucks
// get a reason string, which is most of Select's cost otherwise.
func (p *policy) ranked(v *view, items []item) []Ranked {
	out := make([]Ranked, len(items))
	for i, it := range items {
		t := &v.in.Waiting[it.idx]
		r := i + 1
		class := ClassLive
		if t.Booked {
			class = ClassBooked
		}
		out[i] = Ranked{
			ID:           t.ID,
			Rank:         r,
			Class:        class,
			Reason:       p.reason(v, it, r, t),
			ExpectedCall: p.expectedCall(v, r, t),
		}
	}
	return out
}

// expectedCall is Now plus the wait at rank, zero when that is unknown.
// Under adaptive it is never later than the truck's aging deadline, because
// the policy calls it by then whatever its rank now.
func (p *policy) expectedCall(v *view, rank int, t *Truck) time.Time {
	wait, ok := v.wait(rank)
	if !ok {
		return time.Time{}
	}
	if p.kind == kindAdaptive {
		wait = min(wait, max(p.left(v, agingRef(t)), 0))
	}
	return v.in.Now.Add(wait) // at most 292 years: no overflow
}

func (p *policy) reason(v *view, it item, rank int, t *Truck) string {
	now := v.in.Now
	switch it.tier {
	case tFIFO:
		return "fifo: arrival order"
	case tLive:
		return "live queue: arrival order"
	case tBookedDue:
		if s := t.WindowStart.Sub(now); s > 0 {
			return "booked: window due, starts in " + fmtDur(s)
		}
		return "booked: window due, started " + fmtDur(now.Sub(t.WindowStart)) + " ago"
	case tBookedEarly:
		return "booked: window starts in " + fmtDur(t.WindowStart.Sub(now)) + ", not yet due; after the live queue"
	case tAged:
		turn := t.FIFOTurn
		if turn.IsZero() {
			turn = t.ArrivedAt
		}
		return "aging: " + fmtDur(now.Sub(turn)) + " past its FIFO turn (bound " + fmtDur(p.cfg.AgingBound) + ")"
	case tPriority:
		return "statutory priority " + strconv.Itoa(t.Priority)
	case tPerishable, tRest:
		if !t.Perishable() {
			return "not perishable: arrival order"
		}
		wait, _ := v.wait(rank)
		s := slack(t.SpoilsAt.Sub(now), wait, v.in.CrossingTime)
		if it.tier == tPerishable {
			return "perishable: slack " + fmtDur(s)
		}
		return "perishable, cannot cross before it spoils (slack " + fmtDur(s) + "): arrival order"
	}
	return ""
}

// fmtDur writes a duration the way an operator reads it: minutes, hours and
// minutes, or days and hours. It builds the string by hand because Order
// writes one or two per truck.
func fmtDur(d time.Duration) string {
	var b [32]byte
	out := b[:0]
	if d < 0 {
		out = append(out, '-')
		if d == math.MinInt64 {
			d = math.MaxInt64
		} else {
			d = -d
		}
	}
	m := int64(d / time.Minute)
	if d%time.Minute >= 30*time.Second {
		m++
	}
	switch {
	case m < 60:
		out = append(strconv.AppendInt(out, m, 10), 'm')
	case m < 24*60:
		out = append(strconv.AppendInt(out, m/60, 10), 'h')
		if m%60 != 0 {
			if m%60 < 10 {
				out = append(out, '0')
			}
			out = append(strconv.AppendInt(out, m%60, 10), 'm')
		}
	default:
		h := (m + 30) / 60
		out = append(strconv.AppendInt(out, h/24, 10), 'd')
		if h%24 != 0 {
			out = append(strconv.AppendInt(out, h%24, 10), 'h')
		}
	}
	return string(out)
}
