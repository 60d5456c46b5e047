package sim

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/flow"
	"github.com/cuakhau/cuakhau/sched"
)

// regime is what a policy name brings besides its call-forward order: the
// simulator compares whole operating regimes, not orderings alone.
type regime struct {
	booking  bool // a class's booked share books windows and arrives in them
	follow   bool // window capacity follows the other side's announced capacity; bookings move when it changes; calls keep to sched.ZoneBudget
	advisory bool // live trucks are told to stay at origin when they would wait too long or overfill the yard
}

func regimeOf(name string, p *plan) regime {
	switch name {
	case sched.FixedSlot:
		return regime{booking: true}
	case sched.Adaptive:
		return regime{booking: true, follow: true, advisory: p.advise}
	}
	return regime{}
}

// truck is one trip through the model.
type truck struct {
	id      string
	class   *cplan
	q       *queue
	n       int64 // number within its class
	seed    uint64
	seq     int64 // arrival order in its queue
	desired float64
	planned float64
	arrived float64
	called  float64
	shelf   float64 // minutes of shelf life left on arrival; 0 if not perishable
	pred    float64 // the wait predicted at check-in, minutes; <0 if none could be
	win     int     // booked window, -1 if none
	gen     uint32
	widx    int32 // index in the waiting area, -1 when not waiting
	slot    int32 // index in model.trucks while events may refer to it, else -1
	pidx    int32 // index in the present list
	channel int8
	stage   int16
	noShow  bool
	comply  bool // heeds an advisory
	wantsBk bool
	reg     bool
	holding bool // counted in the held-at-origin gauge
	told    bool // held at origin by the advisory, counted in queue.told
	came    bool // has checked in to the waiting area
	visits  uint64
	stageAt float64
	// spoilsAt is when a scripted load spoils (Script), 0 otherwise
	spoilsAt float64
	trip     *cuakhau.Trip
	punctZ   float64
	offsetU  float64
}

// queue is one gate's state in a run.
type queue struct {
	g        *gplan
	period   sched.CallingPeriod
	waiting  []sched.Truck
	wtr      []*truck
	byID     map[string]*truck
	present  []*truck // arrived and not crossed
	inZone   int
	seq      int64
	stages   []stageState
	otherQ   fifo
	otherOn  bool
	tokens   float64 // the other side's token bucket: trucks it may take now
	tokenAt  float64
	readyAt  float64 // when the pending crossing's token is due
	perDay   float64 // other side's capacity in force
	callAt   float64 // a pending evCall, or -1
	lastCall float64
	// measurement of the clearing rate (sched.ServiceRatePerLane): the
	// crossings of the last sched.RateWindow, and the trucks waiting in
	// order of arrival, the oldest first once those called are dropped
	crossed  []time.Time
	arrivals fifo
	crossEst float64
	// advisory (adaptive)
	origin fifo // trucks held at origin without a booking
	told   int  // trucks the advisory told to hold that have not come in
	adv    sched.Advice
	advAt  float64
	// booking ledger
	dayBooked []int32 // bookings per day (index: day + lead)
	booked    []int32
	cameBk    []int32 // of booked, the trucks that have come (the server's booking is then used)
	// ended are the bookings ended, used or not shown, and noShow the
	// no-show rate measured from them (sched.EndedBookings.Rate, the
	// scenario's rate the configured prior), as the server measures it
	ended    sched.EndedBookings
	noShow   float64
	caps     []int32 // bookings each window takes (sched.Capacities by day), -1: not computed yet
	util     float64 // share of the clearing rate windows sell now
	skip     []int32 // skip[w] != w: windows w … skip[w]-1 are full
	bookings [][]*truck
	pruned   int // bookings of windows before this one are dropped
	// gauges
	road, held int
	// per day
	dayDesired, dayCrossed []int
	// the same for the trucks a registered_only period lets be called
	dayDesiredReg, dayCrossedReg []int
}

type stageState struct {
	busy int
	fifo fifo
}

type fifo struct {
	items []*truck
	head  int
}

func (f *fifo) push(t *truck) { f.items = append(f.items, t) }
func (f *fifo) len() int      { return len(f.items) - f.head }
func (f *fifo) pop() *truck {
	t := f.items[f.head]
	f.items[f.head] = nil
	f.head++
	if f.head > 64 && f.head*2 > len(f.items) {
		n := copy(f.items, f.items[f.head:])
		f.items = f.items[:n]
		f.head = 0
	}
	return t
}

// model is one replication of one policy.
type model struct {
	p      *plan
	pol    sched.Policy
	reg    regime
	rep    int
	seed   uint64
	now    float64
	h      eventHeap
	seq    uint64
	queues []*queue
	next   []float64 // next desired arrival per class
	arrRng []stream
	count  []int64
	st     *repStats
	gens   uint32
	trucks []*truck // slots referred to by events
	free   []int32
	admin  cuakhau.Principal
	err    error
	// a scripted run (RunScript): its trucks, its trace, and the last
	// advice traced
	script       *Script
	scriptTrucks []*truck
	trace        []Decision
	announced    bool
	lastAdv      sched.Advice
	// tripFree holds the trips of crossed trucks, for declare to use again
	tripFree []*cuakhau.Trip
	// progress
	progress func(t float64)
}

// sample is the state at one instant, for charts.
type sample struct {
	T       float64 `json:"t_h"`
	Waiting int     `json:"waiting"`
	Road    int     `json:"road"`
	Held    int     `json:"held"`
	InZone  int     `json:"in_zone"`
}

type classStats struct {
	arrived, crossed, spoiled, perishable int
	waits, borders                        []float32 // minutes
	// predErr is, per truck called, its actual wait minus the wait
	// predicted at its check-in (sched.ExpectedWait), in minutes.
	predErr  []float32
	held     int
	heldMin  float64
	delaySum float64
	delayN   int
	left     int // arrived and not crossed at the end
}

// repStats is what one replication measured.
type repStats struct {
	classes        []classStats
	stageWork      [][]float64
	openMin        []float64
	waitPeak       []int
	roadPeakGate   []int
	roadPeak       int
	yardPeak       int
	overflowTrucks int
	heldPeak       int
	series         []sample
	dayDesired     [][]int
	dayCrossed     [][]int
	dayDesiredReg  [][]int
	dayCrossedReg  [][]int
	events         int64
}

func newModel(p *plan, pol sched.Policy, rep int, seed uint64) *model {
	m := &model{p: p, pol: pol, reg: regimeOf(pol.Name(), p), rep: rep,
		seed:  derive(seed, srcReplication, uint64(rep)),
		admin: cuakhau.Principal{TokenID: "sim", Role: cuakhau.RoleAdmin}}
	days := int(math.Ceil(p.sc.Days)) + 1
	m.st = &repStats{classes: make([]classStats, len(p.classes))}
	for _, g := range p.gates {
		q := &queue{g: g, byID: map[string]*truck{}, stages: make([]stageState, len(g.stages)),
			callAt: -1, lastCall: math.Inf(-1), crossEst: g.crossing0, perDay: g.perDay(0), tokens: 1, advAt: math.Inf(-1), util: p.util, noShow: g.noShow,
			dayDesired: make([]int, days), dayCrossed: make([]int, days),
			dayDesiredReg: make([]int, days), dayCrossedReg: make([]int, days)}
		q.period = m.callingPeriod(g)
		m.queues = append(m.queues, q)
		m.st.stageWork = append(m.st.stageWork, make([]float64, len(g.stages)))
		m.st.openMin = append(m.st.openMin, g.openMinutes(p.warmup, p.end))
	}
	m.st.waitPeak = make([]int, len(m.queues))
	m.st.roadPeakGate = make([]int, len(m.queues))
	m.next = make([]float64, len(p.classes))
	m.arrRng = make([]stream, len(p.classes))
	m.count = make([]int64, len(p.classes))
	return m
}

func (m *model) schedule(t float64, kind uint8, tr *truck, index int) {
	m.seq++
	e := event{t: t, seq: m.seq, slot: -1, kind: kind, index: int32(index)}
	if tr != nil {
		if tr.slot < 0 {
			if n := len(m.free); n > 0 {
				tr.slot = m.free[n-1]
				m.free = m.free[:n-1]
			} else {
				tr.slot = int32(len(m.trucks))
				m.trucks = append(m.trucks, nil)
			}
			m.trucks[tr.slot] = tr
		}
		e.slot, e.gen = tr.slot, tr.gen
	}
	m.h.push(e)
}

// bump returns a fresh generation. Generations are unique across trucks,
// so that an event left over from a truck whose slot was reused can never
// pass for one of the new truck's.
func (m *model) bump() uint32 {
	m.gens++
	return m.gens
}

// release frees a truck's slot once no event can refer to it any more.
func (m *model) release(tr *truck) {
	if tr.slot >= 0 {
		m.trucks[tr.slot] = nil
		m.free = append(m.free, tr.slot)
		tr.slot = -1
	}
}

func (m *model) timeOf(t float64) time.Time {
	return m.p.epoch.Add(time.Duration(t * float64(time.Minute)))
}

// callingPeriod is the gate's sched.CallingPeriod: its opening hours less
// the last call, a truck's nominal crossing time before each closing (the
// rule call keeps).
func (m *model) callingPeriod(g *gplan) sched.CallingPeriod {
	return func(at time.Time) (time.Time, time.Time) {
		x := at.Sub(m.p.epoch).Minutes()
		for range 400 {
			from := g.nextOpen(x)
			if math.IsInf(from, 1) || from > m.p.end+7*1440 {
				return time.Time{}, time.Time{}
			}
			end := g.closeAt(from)
			if math.IsInf(end, 1) {
				end = from + 365*1440
			}
			if to := end - g.crossing0; to > from && to > x {
				return m.timeOf(from), m.timeOf(to)
			}
			x = end
		}
		return time.Time{}, time.Time{}
	}
}

// run simulates the replication to the end and returns what it measured.
func (m *model) run() (*repStats, error) {
	p := m.p
	for i, c := range p.classes {
		m.arrRng[i] = stream{derive(m.seed, srcArrivals, uint64(i))}
		m.next[i] = 0
		if t := m.nextArrival(c, 0); t < p.end && m.script == nil {
			m.next[i] = t
			m.schedule(t-p.lead, evGenerate, nil, i)
		}
	}
	if m.script != nil {
		m.startScript()
	}
	for i, q := range m.queues {
		for _, c := range q.g.other {
			if c.from > 0 {
				m.schedule(c.from, evCapacity, nil, i)
			}
		}
		for _, c := range q.g.closed {
			m.schedule(c.to, evCall, nil, i)
		}
		for _, c := range q.g.regOnly {
			m.schedule(c.to, evCall, nil, i)
		}
	}
	if m.reg.advisory {
		for i := range m.queues {
			m.schedule(0, evAdvise, nil, i)
		}
	}
	m.schedule(0, evSample, nil, 0)
	m.schedule(noShowEvery, evMeasure, nil, 0)
	m.schedule(1440, evDay, nil, 0)
	m.now = -p.lead
	for len(m.h) > 0 && m.err == nil {
		e := m.h.pop()
		if e.t > p.end {
			break
		}
		m.now = e.t
		m.st.events++
		var tr *truck
		if e.slot >= 0 {
			tr = m.trucks[e.slot]
			if tr == nil || e.gen != tr.gen {
				continue
			}
		}
		switch e.kind {
		case evGenerate:
			m.generate(int(e.index))
		case evArrive:
			m.arrive(tr)
		case evHoldStart:
			if !tr.holding {
				tr.holding = true
				tr.q.held++
			}
		case evCall:
			q := m.queues[e.index]
			if q.callAt == e.t {
				q.callAt = -1
			}
			m.call(q)
		case evStageDone:
			m.stageDone(tr, int(e.index))
		case evCross:
			m.crossNext(m.queues[e.index])
		case evCapacity:
			m.capacityChange(m.queues[e.index])
		case evSample:
			m.record()
			if e.t+p.sample <= p.end {
				m.schedule(e.t+p.sample, evSample, nil, 0)
			}
		case evNoShow:
			m.noShowAt(tr)
		case evScript:
			m.scriptAction(int(e.index)/scriptActions, int(e.index)%scriptActions)
		case evMeasure:
			for _, q := range m.queues {
				m.measureNoShows(q)
			}
			m.schedule(e.t+noShowEvery, evMeasure, nil, 0)
		case evAdvise:
			m.releaseHeld(m.queues[e.index])
			if e.t+p.every <= p.end {
				m.schedule(e.t+p.every, evAdvise, nil, int(e.index))
			}
		case evDay:
			if m.progress != nil {
				m.progress(e.t)
			}
			// Only windows still ahead can be rebooked: let the trucks of
			// past ones go.
			for _, q := range m.queues {
				for ; q.pruned < min(m.window(e.t-1440), len(q.bookings)); q.pruned++ {
					q.bookings[q.pruned] = nil
				}
			}
			m.schedule(e.t+1440, evDay, nil, 0)
		}
	}
	if m.err != nil {
		return nil, m.err
	}
	m.now = p.end
	m.finish()
	return m.st, nil
}

// nextArrival returns the next arrival of class c after t, from a Poisson
// process whose rate is piecewise constant by hour (profile × rate factor),
// by inverting the cumulative rate. No-show bookings are generated on top,
// so that the arrival rate is what the scenario says.
func (m *model) nextArrival(c *cplan, t float64) float64 {
	r := &m.arrRng[c.idx]
	e := r.exp()
	for t < m.p.end {
		hourEnd := (math.Floor(t/60) + 1) * 60
		h := int(t/60) % 24
		rate := c.rate[h] / (1 - c.noShow)
		for _, f := range c.factors {
			if f.from <= t {
				rate = c.rate[h] * f.perDay / (1 - c.noShow)
			}
		}
		if rate > 0 && rate*(hourEnd-t) >= e {
			return t + e/rate
		}
		e -= rate * (hourEnd - t)
		t = hourEnd
	}
	return math.Inf(1)
}

// generate creates the class's next truck, lead ahead of its arrival: this
// is when a booking is made.
func (m *model) generate(ci int) {
	p := m.p
	c := p.classes[ci]
	desired := m.next[ci]
	if t := m.nextArrival(c, desired); t < p.end {
		m.next[ci] = t
		m.schedule(t-p.lead, evGenerate, nil, ci)
	}
	n := m.count[ci]
	m.count[ci]++
	q := m.queues[c.gate]
	tr := &truck{class: c, q: q, n: n, desired: desired, win: -1, widx: -1, pidx: -1, slot: -1,
		seed: derive(m.seed, srcTruck, uint64(ci)<<40|uint64(n))}
	tr.gen = m.bump()
	tr.id = c.name + "-" + strconv.FormatInt(n, 10)
	r := stream{tr.seed}
	tr.noShow = r.open() < c.noShow
	tr.wantsBk = r.open() < c.booked
	tr.punctZ = r.normal()
	tr.offsetU = r.open()
	tr.reg = r.open() < c.registered
	u := r.open()
	tr.channel = 0
	if q.g.hasMix {
		for tr.channel < 2 && u >= q.g.mix[tr.channel] {
			tr.channel++
		}
	}
	if c.perishable {
		tr.shelf = c.shelf.draw(&r)
	}
	tr.comply = r.open() < p.compliance
	if !tr.noShow {
		if d := int(desired / 1440); d >= 0 && d < len(q.dayDesired) {
			q.dayDesired[d]++
			if m.eligible(tr) {
				q.dayDesiredReg[d]++
			}
		}
	}
	if m.reg.booking && tr.wantsBk {
		if m.reg.advisory {
			if !m.bookCapped(tr, desired, m.bookingCap(q)) {
				// Bookings refused: the truck stays at origin and books when
				// the advisory lets it.
				if !tr.noShow {
					m.tell(tr)
					q.origin.push(tr)
					m.schedule(desired, evHoldStart, tr, 0)
				}
				return
			}
		} else {
			m.book(tr, desired)
		}
		if tr.noShow {
			m.expectNoShow(tr) // holds its window, never comes
			return
		}
		m.scheduleArrival(tr)
		return
	}
	if tr.noShow {
		return
	}
	tr.planned = desired
	m.schedule(desired, evArrive, tr, 0)
}

// noShowEvery is how often, in minutes, the simulator re-measures each
// gate's no-show rate (the server does at every booking and advisory): the
// window capacities priced with the rate are recomputed when it changed.
const noShowEvery = 60

// expectNoShow schedules the end of no-show truck tr's booking, as the
// server's sweep ends an unused one: at its window's end plus the
// tolerance (its pending events are outdated).
func (m *model) expectNoShow(tr *truck) {
	tr.gen = m.bump()
	end := m.windowStart(tr.win) + m.p.window + m.p.cfg.Tolerance.Minutes()
	m.schedule(math.Max(end, m.now), evNoShow, tr, 0)
}

// noShowAt ends tr's unused booking as a no-show.
func (m *model) noShowAt(tr *truck) {
	if tr.win >= 0 && !tr.came {
		tr.q.ended.End(m.timeOf(m.now), true)
		m.note(Decision{Kind: DecisionNoShow, Truck: tr.id})
	}
	m.release(tr)
}

// measureNoShows re-measures q's no-show rate from its ended bookings
// (sched.EndedBookings.Rate, the scenario's rate until enough ended) and
// reprices the windows ahead when it changed.
func (m *model) measureNoShows(q *queue) {
	if r := q.ended.Rate(m.timeOf(m.now), q.g.noShow); r != q.noShow {
		q.noShow = r
		m.recap(q)
	}
}

// scheduleArrival sends a booked truck on its way: it arrives at its planned
// time give or take its punctuality, never before now.
func (m *model) scheduleArrival(tr *truck) {
	tr.gen = m.bump()
	at := tr.planned + tr.class.punct*tr.punctZ
	at = math.Max(at, m.now)
	if tr.planned > tr.desired+1 && !tr.holding {
		m.schedule(math.Max(tr.desired, m.now), evHoldStart, tr, 0)
	}
	m.schedule(at, evArrive, tr, 0)
}

// window returns the index of the booking window containing t.
func (m *model) window(t float64) int {
	return int(math.Floor((t + m.p.lead) / m.p.window))
}

func (m *model) windowStart(w int) float64 { return float64(w)*m.p.window - m.p.lead }

// windowCap is how many bookings window w takes, by the server's rule
// (sched.DayCapacities over the window's day): the gate's
// clearing rate over each window's working time, times the booking
// utilization, split over the day by cumulative rounding, plus the no-show
// margin. Fixed-slot sells the configured capacity; adaptive follows the
// other side's capacity as announced now, and sells all of it while an
// advisory is in force (sched.BookingUtilization).
func (m *model) windowCap(q *queue, w int) int {
	for len(q.caps) <= w {
		q.caps = append(q.caps, -1)
	}
	if c := q.caps[w]; c >= 0 {
		return int(c)
	}
	g := q.g
	pd := g.perDay(0)
	if m.reg.follow {
		pd = q.perDay
	}
	// The day's windows: those whose start falls on the day (dayIndex).
	d := m.dayIndex(w)
	first := int(math.Ceil(float64(d) * 1440 / m.p.window))
	last := int(math.Ceil(float64(d+1)*1440/m.p.window)) - 1
	lengths := make([]time.Duration, 0, last-first+1)
	for x := first; x <= last; x++ {
		a := m.windowStart(x)
		lengths = append(lengths, minutes(g.openMinutes(a, a+m.p.window)))
	}
	// Walk-ins may not be called on a day only pre-registered trucks may
	// cross: its windows sell the whole rate.
	util := sched.BookingUtilization(q.util, sched.Advice{}, !registeredOnly(g, m.windowStart(first)+720))
	_, caps := sched.DayCapacities(m.dayNumber(m.windowStart(first)), 1, g.capacity(pd)*60, util, q.noShow, lengths)
	for len(q.caps) <= last {
		q.caps = append(q.caps, -1)
	}
	for i, c := range caps {
		q.caps[first+i] = int32(c)
	}
	return caps[w-first]
}

// recap forgets the computed capacities of the windows from now on, after
// the rate or the utilization they were computed with changed, and the
// marks of full windows with them.
func (m *model) recap(q *queue) {
	for w := max(m.window(m.now), 0); w < len(q.caps); w++ {
		q.caps[w] = -1
	}
	for w := max(m.window(m.now), 0); w < len(q.skip); w++ {
		q.skip[w] = int32(w)
	}
}

// dayNumber is the calendar day containing t as sched.DayNumber counts it,
// by which windows and the advisory's cap carry their no-show margin from
// day to day, as on the server.
func (m *model) dayNumber(t float64) int {
	return sched.DayNumber(m.p.epoch, ict) + int(math.Floor(t/1440+1e-9))
}

// dayIndex is the index in dayBooked of window w's day.
func (m *model) dayIndex(w int) int { return int((m.windowStart(w) + m.p.lead) / 1440) }

// bookingCap is the advisory in force now, nil when there is none: the
// server's booking asks the advisory afresh, not the feed's last word.
func (m *model) bookingCap(q *queue) *sched.Advice {
	adv := m.advice(q, true)
	if !adv.Active {
		return nil
	}
	return &adv
}

// bookCapped books tr into the first window from time from on, within the
// booking horizon, that has room and whose day has taken fewer bookings
// than adv allows it (sched.Advice.AcceptedOn, as the server's booking
// does; nil: no cap). It reports whether it found one.
func (m *model) bookCapped(tr *truck, from float64, adv *sched.Advice) bool {
	q := tr.q
	limit := m.window(m.now + float64(m.p.horizon)*1440)
	w := m.find(q, max(m.window(from), 0))
	for w <= limit {
		full, capped := m.refuses(q, w, adv)
		if full {
			q.skip[w] = int32(w + 1)
			w = m.find(q, w+1)
			continue
		}
		if capped {
			w = m.find(q, m.window(float64(m.dayIndex(w)+1)*1440-m.p.lead))
			continue
		}
		m.take(tr, w)
		return true
	}
	return false
}

// refuses says why window w takes no more bookings, as the server's
// booking does: it is full (sched.DayCapacities), or its day has taken the
// bookings adv allows it (sched.Advice.AcceptedOn; nil: no cap).
func (m *model) refuses(q *queue, w int, adv *sched.Advice) (full, capped bool) {
	m.grow(q, w)
	if int(q.booked[w]) >= m.windowCap(q, w) {
		return true, false
	}
	d := m.dayIndex(w)
	return false, adv != nil && d < len(q.dayBooked) &&
		int(q.dayBooked[d]) >= adv.AcceptedOn(m.dayNumber(float64(d)*1440-m.p.lead), minutes(float64(d)*1440-m.p.lead-m.now), q.noShow)
}

// unbook gives up tr's booking: its window and its day have a place more.
func (m *model) unbook(q *queue, tr *truck) {
	w := tr.win
	q.booked[w]--
	if d := m.dayIndex(w); d < len(q.dayBooked) {
		q.dayBooked[d]--
	}
	q.skip[w] = int32(w)
	tr.win = -1
}

// book gives tr the first window from time from on that has room. Full
// windows are skipped through pointers with path compression, so that
// booking weeks ahead in a crisis stays cheap.
func (m *model) book(tr *truck, from float64) {
	q := tr.q
	limit := m.window(m.p.end + 30*1440)
	w := m.find(q, max(m.window(from), 0))
	for w < limit {
		m.grow(q, w)
		if int(q.booked[w]) < m.windowCap(q, w) {
			break
		}
		q.skip[w] = int32(w + 1)
		w = m.find(q, w+1)
	}
	m.take(tr, w)
}

// find returns the first window from w on not known to be full.
func (m *model) find(q *queue, w int) int {
	r := w
	for r < len(q.skip) && int(q.skip[r]) != r {
		r = int(q.skip[r])
	}
	for w < len(q.skip) && int(q.skip[w]) != w {
		next := int(q.skip[w])
		q.skip[w] = int32(r)
		w = next
	}
	return r
}

func (m *model) grow(q *queue, w int) {
	for len(q.booked) <= w {
		q.skip = append(q.skip, int32(len(q.booked)))
		q.booked = append(q.booked, 0)
		q.cameBk = append(q.cameBk, 0)
		q.bookings = append(q.bookings, nil)
	}
}

func (m *model) take(tr *truck, w int) {
	q := tr.q
	m.grow(q, w)
	q.booked[w]++
	d := m.dayIndex(w)
	for len(q.dayBooked) <= d {
		q.dayBooked = append(q.dayBooked, 0)
	}
	q.dayBooked[d]++
	if m.reg.follow {
		q.bookings[w] = append(q.bookings[w], tr)
	}
	tr.win = w
	ws := m.windowStart(w)
	if w == m.window(tr.desired) {
		tr.planned = tr.desired
	} else {
		tr.planned = ws + tr.offsetU*m.p.window
	}
}

// arrive checks a truck in to the waiting area, unless the inflow advisory
// keeps it at origin.
func (m *model) arrive(tr *truck) {
	q := tr.q
	p := m.p
	if tr.spoilsAt > 0 {
		tr.shelf = tr.spoilsAt - m.now
	}
	// The server's rule (flow.Arrival): a booked truck keeps its window
	// unless it comes later than the window's start plus the tolerance.
	var win *sched.Window
	if tr.win >= 0 {
		ws := m.windowStart(tr.win)
		win = &sched.Window{Start: m.timeOf(ws), End: m.timeOf(ws + p.window)}
	}
	arrival := flow.Arrival(&noCargo, win, p.cfg.Tolerance, m.timeOf(m.now))
	booked := arrival.Booked
	// The advisory is heard before setting off: a truck that set off for a
	// booked window is at the gate even if it lost the window by coming
	// late, and joins the live queue rather than being sent back.
	if !booked && tr.win < 0 && m.reg.advisory && tr.comply {
		if adv := m.advice(q, false); adv.Active {
			// Told to hold: book a window if the advisory allows one, else
			// wait at origin until it does.
			if m.bookCapped(tr, m.now+p.window, m.bookingCap(q)) {
				m.scheduleArrival(tr)
			} else {
				m.holdAtOrigin(q, tr)
			}
			return
		}
	}
	// A truck already told to hold is not asked again, as on the server
	// (a trip is told once in an episode and counted as held until it comes).
	if m.reg.advisory && tr.comply && tr.shelf > 0 && !tr.told && m.holdForShelfLife(tr, booked) {
		return
	}
	if tr.holding {
		tr.holding = false
		q.held--
	}
	if tr.told {
		tr.told = false
		q.told--
	}
	tr.arrived = m.now
	tr.came = true
	m.note(Decision{Kind: DecisionArrived, Truck: tr.id})
	if tr.win >= 0 {
		q.cameBk[tr.win]++
		q.ended.End(m.timeOf(m.now), false) // as the server's check-in uses the booking, kept or lost
	}
	measured := m.now >= p.warmup
	cs := &m.st.classes[tr.class.idx]
	if measured {
		cs.arrived++
		if tr.class.perishable {
			cs.perishable++
		}
		if hold := tr.planned - tr.desired; hold > 1 {
			cs.held++
			cs.heldMin += hold
		}
	}
	q.seq++
	tr.seq = q.seq
	st := sched.Truck{ID: tr.id, Seq: tr.seq, ArrivedAt: m.timeOf(m.now), Priority: tr.class.priority}
	if booked {
		st.Booked = true
		st.WindowStart = m.timeOf(m.windowStart(tr.win))
		st.WindowEnd = m.timeOf(m.windowStart(tr.win) + p.window)
	}
	if tr.shelf > 0 {
		st.SpoilsAt = m.timeOf(m.now + tr.shelf)
	}
	in := m.input(q, q.waiting)
	st.FIFOTurn = sched.NextFIFOTurn(in) // FIFOTurn(in, st): st is not among the waiting
	// The prediction a driver is given at check-in, the same the server
	// publishes, kept to measure its error when the truck is called.
	tr.pred = -1
	if measured {
		if w := sched.ExpectedWait(m.pol, in, st); w != sched.WaitUnknown {
			if at := sched.OnClock(in.Now, w, q.period); !at.IsZero() {
				tr.pred = at.Sub(in.Now).Minutes()
			}
		}
	}
	m.route(tr)
	if m.p.lifecycle == lifecycleAll || m.p.lifecycle == lifecycleSample && tr.seed&15 == 0 {
		m.declare(tr)
		arrival.Priority = st.Priority
		if spoils := st.SpoilsAt; !spoils.IsZero() {
			arrival.SpoilsAt = &spoils
		}
		if turn := st.FIFOTurn; !turn.IsZero() {
			arrival.FIFOTurn = &turn
		}
		if err := flow.StepArrive(tr.trip, m.admin, arrival, m.timeOf(m.now)); err != nil {
			m.err = fmt.Errorf("lifecycle: check in truck %s: %w", tr.id, err)
			return
		}
	}
	tr.widx = int32(len(q.waiting))
	q.waiting = append(q.waiting, st)
	q.arrivals.push(tr)
	q.wtr = append(q.wtr, tr)
	q.byID[tr.id] = tr
	tr.pidx = int32(len(q.present))
	q.present = append(q.present, tr)
	if q.g.yard > 0 && len(q.waiting) > q.g.yard {
		q.road = len(q.waiting) - q.g.yard
		if measured {
			m.st.overflowTrucks++
		}
	}
	m.gauges(q)
	m.call(q)
}

// holdForShelfLife keeps a perishable truck at origin, by the server's rule
// (sched.HoldOnTheWay), when what is left of its shelf life is shorter
// than the wait the policy predicts for it plus the crossing: it releases its
// window, if it had one (neither used nor a no-show), and books again with
// the trucks held at origin. It reports whether the truck was held. booked
// is whether it keeps its window (flow.Arrival).
func (m *model) holdForShelfLife(tr *truck, booked bool) bool {
	q := tr.q
	st := sched.Truck{ID: tr.id, Priority: tr.class.priority, SpoilsAt: m.timeOf(m.now + tr.shelf)}
	if booked {
		ws := m.windowStart(tr.win)
		st.Booked, st.WindowStart, st.WindowEnd = true, m.timeOf(ws), m.timeOf(ws+m.p.window)
	}
	h := sched.HoldOnTheWay(m.pol, m.input(q, q.waiting), st, tr.win >= 0, m.p.cfg.Tolerance)
	if !h.Hold {
		return false
	}
	m.note(Decision{Kind: DecisionHeld, Truck: tr.id, Released: h.Release})
	if h.Release {
		m.unbook(q, tr)
	}
	m.holdAtOrigin(q, tr)
	return true
}

// holdAtOrigin keeps tr at origin, told to hold, until the advisory lets it
// book (its pending events are outdated).
func (m *model) holdAtOrigin(q *queue, tr *truck) {
	tr.gen = m.bump()
	m.tell(tr)
	q.origin.push(tr)
	if !tr.holding {
		tr.holding = true
		q.held++
	}
}

// tell counts tr among the trucks the advisory told to hold.
func (m *model) tell(tr *truck) {
	if !tr.told {
		tr.told = true
		tr.q.told++
	}
}

// input is what the policy sees at q now.
func (m *model) input(q *queue, waiting []sched.Truck) sched.Input {
	return sched.Input{Now: m.timeOf(m.now), Waiting: waiting, Free: m.room(q),
		CrossingTime: minutes(q.crossEst), ServiceRate: m.rate(q)}
}

// room is how many trucks the control zone may call now, by the server's
// rule (sched.ZoneBudget): its free places, and under adaptive no more than
// the other side's announced capacity takes within the call horizon. Only a
// capacity different from the scenario's first counts as announced, as for
// the advisory; the other regimes do not follow it.
func (m *model) room(q *queue) int {
	other := sched.NotAnnounced
	if pd := q.perDay; m.reg.follow && pd != q.g.perDay(0) {
		other = pd
	}
	return sched.ZoneBudget(q.g.room, q.inZone, other, q.g.openPerDay/60, m.p.cfg.CallHorizon)
}

// rate is the trucks an hour the gate clears, measured as the server
// measures it (sched.ServiceRatePerLane, the gate as one lane) from the
// crossings since the oldest truck waiting came, or the nominal capacity
// until there are enough of them.
func (m *model) rate(q *queue) float64 {
	nominal := q.g.capacity(q.perDay) * 60
	for q.arrivals.len() > 0 && q.arrivals.items[q.arrivals.head].widx < 0 {
		q.arrivals.pop()
	}
	if q.arrivals.len() == 0 {
		return nominal
	}
	oldest := m.timeOf(q.arrivals.items[q.arrivals.head].arrived)
	return sched.ServiceRatePerLane(q.crossed, 1, oldest, m.timeOf(m.now), nominal)
}

// measureCrossing keeps the crossing at now for the measured rate, and
// forgets those older than sched.RateWindow.
func (m *model) measureCrossing(q *queue) {
	now := m.timeOf(m.now)
	cut := now.Add(-sched.RateWindow)
	i := 0
	for i < len(q.crossed) && !q.crossed[i].After(cut) {
		i++
	}
	if i > 0 {
		q.crossed = q.crossed[:copy(q.crossed, q.crossed[i:])]
	}
	q.crossed = append(q.crossed, now)
}

// advice is the gate's inflow advisory now, by the server's rules
// (sched.AdviceFor, sched.Advise) over what the gate knows: trucks waiting,
// its measured clearing rate over its working day, the bookings ahead, the
// other side's capacity once it has announced a change and the trucks told
// to hold. The typical perishable is the one with the shortest shelf life
// the scenario expects. It is recomputed at most every 15 simulated minutes
// unless fresh is set, as a public feed would be.
func (m *model) advice(q *queue, fresh bool) sched.Advice {
	if !fresh && m.now-q.advAt < 15 {
		return q.adv
	}
	g := q.g
	f := sched.GateFacts{Policy: m.pol, Input: m.input(q, q.waiting), OpenHours: g.openPerDay / 60,
		NoShowRate: q.noShow, Held: q.told, ShelfLife: minutes(g.minShelf)}
	if pd := q.perDay; pd != g.perDay(0) {
		f.OtherAnnounced, f.OtherPerDay = true, pd
	}
	// The bookings of windows starting in (now, now + sched.BookedAheadSpan]
	// still active: on the server a booking ends when its truck comes.
	for w := m.window(m.now) + 1; w <= m.window(m.now+sched.BookedAheadSpan.Minutes()) && w < len(q.booked); w++ {
		f.BookedAhead += int(q.booked[w] - q.cameBk[w])
	}
	q.adv, q.advAt = sched.Advise(sched.AdviceFor(f)), m.now
	m.noteAdvice(q)
	if u := sched.BookingUtilization(m.p.util, q.adv, true); u != q.util {
		q.util = u
		m.recap(q)
	}
	return q.adv
}

// releaseHeld re-evaluates the advisory and books the trucks held at origin,
// oldest first, as far as windows and the advisory's daily cap allow.
func (m *model) releaseHeld(q *queue) {
	adv := m.advice(q, true)
	var cap *sched.Advice
	if adv.Active {
		cap = &adv
	}
	for q.origin.len() > 0 {
		tr := q.origin.items[q.origin.head]
		if !m.bookCapped(tr, math.Max(tr.desired, m.now+m.p.window), cap) {
			return
		}
		q.origin.pop()
		m.note(Decision{Kind: DecisionRebooked, Truck: tr.id, Window: minutes(m.windowStart(tr.win))})
		m.scheduleArrival(tr)
	}
}

// gauges updates the peaks after the waiting area changed.
func (m *model) gauges(q *queue) {
	if m.now < m.p.warmup {
		return
	}
	gi := q.g.idx
	if n := len(q.waiting); n > m.st.waitPeak[gi] {
		m.st.waitPeak[gi] = n
	}
	if q.road > m.st.roadPeakGate[gi] {
		m.st.roadPeakGate[gi] = q.road
	}
	road, yard := 0, 0
	for _, x := range m.queues {
		road += x.road
		yard += len(x.waiting) - x.road
	}
	m.st.roadPeak = max(m.st.roadPeak, road)
	m.st.yardPeak = max(m.st.yardPeak, yard)
}

// eligible reports whether a registered_only period lets tr be called:
// pre-registered, or booking under a regime that books (call lets a booked
// truck in only while it keeps its window; the few that come too late are
// counted all the same, which errs towards a larger backlog and so more
// saturated days).
func (m *model) eligible(tr *truck) bool { return tr.reg || m.reg.booking && tr.wantsBk }

// registeredOnly reports whether only pre-registered trucks may be called.
func registeredOnly(g *gplan, t float64) bool { return inAny(g.regOnly, t) }

// call fills the control zone's free places with the policy's choice.
func (m *model) call(q *queue) {
	g := q.g
	if len(q.waiting) == 0 {
		return
	}
	free := m.room(q)
	if free <= 0 {
		return
	}
	if !g.open(m.now) {
		m.callLater(q, g.nextOpen(m.now))
		return
	}
	if end := g.closeAt(m.now); m.now+g.crossing0 > end {
		// Last call: a truck called now could not get through the stages
		// before closing (by their nominal times).
		m.callLater(q, g.nextOpen(end))
		return
	}
	if g.callInterval > 0 && m.now < q.lastCall+g.callInterval {
		m.callLater(q, q.lastCall+g.callInterval)
		return
	}
	waiting := q.waiting
	if registeredOnly(g, m.now) {
		waiting = make([]sched.Truck, 0, len(q.waiting))
		// A truck that booked a window declared its trip ahead: it is
		// pre-registered even if it came too late to keep the window.
		for i, t := range q.waiting {
			tr := q.wtr[i]
			if tr.reg || tr.win >= 0 {
				waiting = append(waiting, t)
			}
		}
		if len(waiting) == 0 {
			return
		}
	}
	in := m.input(q, waiting)
	sel := m.pol.Select(in, min(free, len(waiting)))
	if len(sel) == 0 {
		return
	}
	q.lastCall = m.now
	for _, r := range sel {
		tr, ok := q.byID[r.ID]
		if !ok {
			m.err = fmt.Errorf("policy %s selected %q, which is not waiting at %s", m.pol.Name(), r.ID, g.code)
			return
		}
		m.remove(q, tr)
		m.note(Decision{Kind: DecisionCalled, Truck: tr.id})
		m.enter(tr, r)
		if m.err != nil {
			return
		}
	}
	m.gauges(q)
}

func (m *model) callLater(q *queue, t float64) {
	if math.IsInf(t, 1) || t > m.p.end {
		return
	}
	if q.callAt >= 0 && q.callAt <= t {
		return
	}
	q.callAt = t
	m.schedule(t, evCall, nil, q.g.idx)
}

// remove takes tr out of the waiting area.
func (m *model) remove(q *queue, tr *truck) {
	i := int(tr.widx)
	last := len(q.waiting) - 1
	if i != last {
		q.waiting[i] = q.waiting[last]
		q.wtr[i] = q.wtr[last]
		q.wtr[i].widx = int32(i)
	}
	q.waiting[last] = sched.Truck{}
	q.wtr[last] = nil
	q.waiting = q.waiting[:last]
	q.wtr = q.wtr[:last]
	delete(q.byID, tr.id)
	tr.widx = -1
	if q.g.yard > 0 {
		q.road = max(0, len(q.waiting)-q.g.yard)
	}
}

// enter moves a called truck into the control zone and onto its first stage.
func (m *model) enter(tr *truck, rank sched.Ranked) {
	q := tr.q
	tr.called = m.now
	if tr.arrived >= m.p.warmup {
		cs := &m.st.classes[tr.class.idx]
		cs.waits = append(cs.waits, float32(m.now-tr.arrived))
		if tr.pred >= 0 {
			cs.predErr = append(cs.predErr, float32(m.now-tr.arrived-tr.pred))
		}
	}
	q.inZone++
	if tr.trip != nil {
		rec := cuakhau.CallRecord{Policy: m.pol.Name(), Version: m.pol.Version(), Chosen: tr.id, Rank: rank.Rank, Class: rank.Class, Reason: rank.Reason, CalledByLoop: true}
		if err := flow.StepCall(tr.trip, m.admin, rec, m.timeOf(m.now)); err != nil {
			m.err = fmt.Errorf("lifecycle: call truck %s: %w", tr.id, err)
			return
		}
	}
	m.advance(tr, 0)
}

// noCargo is the declaration flow.Arrival sees: the simulator keeps shelf
// life on the truck, not as declared cargo.
var noCargo cuakhau.Trip

// route decides which stages the truck will visit, from its own streams, so
// the same truck visits the same stages under every policy.
func (m *model) route(tr *truck) {
	tr.visits = 0
	for j, st := range tr.q.g.stages {
		if st.dirs != 0 && st.dirs&tr.class.dirBit == 0 || st.perishableOnly && !tr.class.perishable ||
			st.channel >= 0 && st.channel != tr.channel {
			continue
		}
		r := stream{derive(tr.seed, srcService, uint64(j))}
		if r.open() < st.share {
			tr.visits |= 1 << j
		}
	}
}

// declare builds the truck's trip as flow.Declare would leave it for the
// scenario's gate: its stages as checkpoints, those it will not visit
// skipped, and the crossing at the zero line. The trip is the model's own
// (flow's Step functions change it in place), so the trip of a truck that
// crossed is used again, its checkpoints too.
func (m *model) declare(tr *truck) {
	g := tr.q.g
	var t *cuakhau.Trip
	if n := len(m.tripFree); n > 0 {
		t = m.tripFree[n-1]
		m.tripFree = m.tripFree[:n-1]
	} else {
		t = new(cuakhau.Trip)
	}
	cps := t.Checkpoints[:0]
	for j, st := range g.stages {
		state := cuakhau.CheckpointPending
		if tr.visits&(1<<j) == 0 {
			state = cuakhau.CheckpointSkipped
		}
		cps = append(cps, cuakhau.CheckpointState{Code: st.name, Kind: st.kind, Mandatory: true, State: state})
	}
	cps = append(cps, cuakhau.CheckpointState{Code: exitCheckpoint, Kind: cuakhau.KindGate, Mandatory: true, State: cuakhau.CheckpointPending})
	now := m.timeOf(m.now)
	*t = cuakhau.Trip{ID: tr.id, Code: tr.id, Declaration: cuakhau.Declaration{Gate: g.code, Direction: tr.class.dir},
		Status: cuakhau.StatusDeclared, Checkpoints: cps, DeclaredAt: now, UpdatedAt: now, Version: 1}
	tr.trip = t
}

// advance sends tr to its next stage from j on, or to the crossing.
func (m *model) advance(tr *truck, j int) {
	q := tr.q
	for ; j < len(q.g.stages); j++ {
		if tr.visits&(1<<j) == 0 {
			continue
		}
		tr.stage = int16(j)
		s := &q.stages[j]
		if s.busy < q.g.stages[j].servers {
			m.startService(tr, j)
		} else {
			s.fifo.push(tr)
		}
		return
	}
	if len(q.g.other) == 0 {
		m.cross(tr)
		return
	}
	q.otherQ.push(tr)
	m.kickOther(q)
}

func (m *model) startService(tr *truck, j int) {
	q := tr.q
	q.stages[j].busy++
	r := stream{derive(tr.seed, srcService, uint64(j))}
	r.open() // the visit draw
	d := q.g.stages[j].svc.draw(&r)
	tr.stageAt = m.now
	m.schedule(m.now+d, evStageDone, tr, j)
}

func (m *model) stageDone(tr *truck, j int) {
	q := tr.q
	s := &q.stages[j]
	s.busy--
	if lo, hi := math.Max(tr.stageAt, m.p.warmup), m.now; hi > lo {
		m.st.stageWork[q.g.idx][j] += hi - lo
	}
	if !m.pass(tr, q.g.stages[j].name, q.g.stages[j].kind) {
		return
	}
	if s.fifo.len() > 0 {
		m.startService(s.fifo.pop(), j)
	}
	m.advance(tr, j+1)
}

// pass records a checkpoint pass through the same state machine the server
// uses; a refusal means the model broke the lifecycle, which stops the run.
func (m *model) pass(tr *truck, checkpoint string, kind cuakhau.CheckpointKind) bool {
	if tr.trip == nil {
		return true
	}
	d := cuakhau.Decision{Checkpoint: checkpoint, Outcome: cuakhau.OutcomePass}
	if kind == cuakhau.KindCustoms && tr.trip.Channel == "" {
		d.Channel = cuakhau.Channel(channels[tr.channel])
	}
	if err := flow.Step(tr.q.g.gate, tr.trip, m.admin, d, m.timeOf(m.now)); err != nil {
		m.err = fmt.Errorf("lifecycle: truck %s at %s: %w", tr.id, checkpoint, err)
		return false
	}
	return true
}

// The other side takes trucks from a token bucket: tokens accrue at its
// capacity per day spread over the gate's working time, and up to an hour's
// worth keep, so that the trucks it could not take while the first ones of
// the day were still at the checkpoints are not lost.
func (m *model) refill(q *queue) {
	g := q.g
	rate := q.perDay / g.openPerDay
	q.tokens = math.Min(q.tokens+rate*g.openMinutes(q.tokenAt, m.now), math.Max(1, rate*60))
	q.tokenAt = m.now
}

// kickOther hands the next truck to the other side when it has capacity.
func (m *model) kickOther(q *queue) {
	if q.otherOn || q.otherQ.len() == 0 || q.perDay <= 0 {
		return
	}
	g := q.g
	t := m.now
	if !math.IsInf(q.perDay, 1) {
		m.refill(q)
		if q.tokens < 1 || !g.open(t) {
			t = g.addOpen(g.nextOpen(t), math.Max(0, 1-q.tokens)*g.openPerDay/q.perDay)
		}
	}
	if math.IsInf(t, 1) || t > m.p.end {
		return
	}
	q.otherOn = true
	q.readyAt = t
	m.schedule(t, evCross, nil, g.idx)
}

func (m *model) crossNext(q *queue) {
	q.otherOn = false
	if q.otherQ.len() == 0 || q.perDay <= 0 {
		return
	}
	if !math.IsInf(q.perDay, 1) {
		m.refill(q)
		if m.now >= q.readyAt && q.g.open(m.now) {
			q.tokens = math.Max(q.tokens, 1) // forgive rounding: this is the time the token was due
		}
		if q.tokens < 1 || !q.g.open(m.now) {
			m.kickOther(q)
			return
		}
		q.tokens--
	}
	m.cross(q.otherQ.pop())
	m.kickOther(q)
}

// cross completes a truck's trip.
func (m *model) cross(tr *truck) {
	q := tr.q
	p := m.p
	if !m.pass(tr, exitCheckpoint, cuakhau.KindGate) {
		return
	}
	if tr.trip != nil && tr.trip.Status != cuakhau.StatusCrossed {
		m.err = fmt.Errorf("lifecycle: truck %s passed every stage but its trip is %s", tr.id, tr.trip.Status)
		return
	}
	if tr.trip != nil {
		m.tripFree = append(m.tripFree, tr.trip)
		tr.trip = nil
	}
	tr.gen = m.bump() // no event refers to a crossed truck
	m.release(tr)
	q.inZone--
	// measure
	m.measureCrossing(q)
	m.note(Decision{Kind: DecisionCrossed, Truck: tr.id})
	if m.script == nil {
		q.crossEst += 0.05 * (m.now - tr.called - q.crossEst)
	}
	if d := int(m.now / 1440); d >= 0 && d < len(q.dayCrossed) {
		q.dayCrossed[d]++
		if m.eligible(tr) {
			q.dayCrossedReg[d]++
		}
	}
	cs := &m.st.classes[tr.class.idx]
	if m.now >= p.warmup {
		cs.crossed++
	}
	if tr.arrived >= p.warmup {
		border := m.now - tr.arrived
		cs.borders = append(cs.borders, float32(border))
		if tr.shelf > 0 && border > tr.shelf {
			cs.spoiled++
		}
		cs.delaySum += m.now - tr.desired
		cs.delayN++
	}
	// leave the present list
	i, last := int(tr.pidx), len(q.present)-1
	q.present[i] = q.present[last]
	q.present[i].pidx = int32(i)
	q.present[last] = nil
	q.present = q.present[:last]
	tr.pidx = -1
	m.call(q)
}

// capacityChange applies the other side's new capacity; under adaptive the
// bookings not yet on the road move to fit it.
func (m *model) capacityChange(q *queue) {
	if !math.IsInf(q.perDay, 1) {
		m.refill(q)
	}
	q.perDay = q.g.perDay(m.now)
	if m.reg.follow {
		m.recap(q)
		if m.script == nil {
			m.rebook(q)
		}
	}
	m.kickOther(q)
}

// rebook reassigns the bookings of trucks still at origin (windows starting
// two hours from now or later) in the order of their desired arrival, each
// to the first window with room at or after its desired one. Trucks move
// later when capacity falls and earlier when it recovers.
func (m *model) rebook(q *queue) {
	w0 := m.window(m.now + 120)
	var pending []*truck
	for w := w0; w < len(q.bookings); w++ {
		keep := q.bookings[w][:0]
		for _, tr := range q.bookings[w] {
			if tr.win == w && !tr.came {
				pending = append(pending, tr)
				q.dayBooked[m.dayIndex(w)]--
			} else if tr.win == w {
				keep = append(keep, tr)
			}
		}
		q.bookings[w] = keep
		q.booked[w] = int32(len(keep))
	}
	for w := max(m.window(m.now), 0); w < len(q.skip); w++ {
		q.skip[w] = int32(w)
	}
	sort.Slice(pending, func(i, j int) bool {
		a, b := pending[i], pending[j]
		if a.desired != b.desired {
			return a.desired < b.desired
		}
		return a.id < b.id
	})
	for _, tr := range pending {
		from := math.Max(tr.desired, m.windowStart(w0))
		m.book(tr, from)
		if tr.noShow {
			m.expectNoShow(tr)
		} else {
			m.scheduleArrival(tr)
		}
	}
}

func (m *model) record() {
	if m.rep != 0 {
		return
	}
	s := sample{T: m.now / 60}
	held := 0
	for _, q := range m.queues {
		s.Waiting += len(q.waiting)
		s.Road += q.road
		s.InZone += q.inZone
		held += q.held
	}
	s.Held = held
	if held > m.st.heldPeak && m.now >= m.p.warmup {
		m.st.heldPeak = held
	}
	m.st.series = append(m.st.series, s)
}

// finish counts the trucks still at the border: those whose load outlived
// its shelf life while waiting are spoiled too.
func (m *model) finish() {
	for _, q := range m.queues {
		for _, tr := range q.present {
			if tr.arrived < m.p.warmup {
				continue
			}
			cs := &m.st.classes[tr.class.idx]
			cs.left++
			if tr.shelf > 0 && m.p.end-tr.arrived > tr.shelf {
				cs.spoiled++
			}
		}
		m.st.dayDesired = append(m.st.dayDesired, q.dayDesired)
		m.st.dayCrossed = append(m.st.dayCrossed, q.dayCrossed)
		m.st.dayDesiredReg = append(m.st.dayDesiredReg, q.dayDesiredReg)
		m.st.dayCrossedReg = append(m.st.dayCrossedReg, q.dayCrossedReg)
	}
}
