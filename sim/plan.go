package sim

import (
	"fmt"
	"math"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sched"
)

// exitCheckpoint is the crossing at the zero line, the last checkpoint of
// every simulated route; the other side's capacity paces it.
const exitCheckpoint = "exit"

// Lifecycle modes: which trucks go through flow.Apply.
const (
	lifecycleSample = iota // one truck in 16, by its own random stream
	lifecycleAll
	lifecycleOff
)

// Local time of the gates (Asia/Ho_Chi_Minh has no daylight saving).
var ict = time.FixedZone("ICT", 7*3600)

// plan is a scenario compiled for running: times in minutes from local
// midnight of day 0, samplers built, derived capacities computed. It is
// read-only and shared by every replication.
type plan struct {
	sc         *Scenario
	epoch      time.Time
	lead       float64 // arrival streams run this far ahead of arrivals, so bookings are made in advance
	end        float64
	warmup     float64
	cfg        sched.Config
	window     float64
	util       float64
	sample     float64
	lifecycle  int
	advise     bool
	compliance float64
	every      float64
	horizon    int // booking horizon, days
	gates      []*gplan
	classes    []*cplan
}

type gplan struct {
	idx          int
	code         string
	hours        []interval
	openPerDay   float64
	closed       []interval // absolute minutes
	regOnly      []interval
	yard, room   int
	callInterval float64
	stages       []*splan
	other        []capPoint
	gate         *cuakhau.Gate
	mix          [3]float64 // cumulative channel shares green, yellow, red
	hasMix       bool
	stageRate    float64 // trucks per open minute the stages clear (nominal bottleneck)
	noShow       float64 // expected share of bookings not used
	crossing0    float64 // nominal call-to-crossed minutes
	startLoss    float64 // working minutes of the bottleneck lost at each opening (coldStart)
	minShelf     float64 // shortest remaining shelf life expected, minutes (0: none)
	fixedRate    float64 // a Script's configured clearing rate, trucks per minute (0: none)
}

type capPoint struct {
	from   float64
	perDay float64
}

type splan struct {
	name           string
	kind           cuakhau.CheckpointKind
	servers        int
	svc            *sampler
	share          float64
	dirs           uint8 // bit set of directions; 0 = all
	perishableOnly bool
	channel        int8 // -1: any
	visit          float64
}

type cplan struct {
	idx        int
	name       string
	gate       int
	dir        cuakhau.Direction
	dirBit     uint8
	rate       [24]float64 // trucks per minute by hour of day, no-shows excluded
	factors    []capPoint  // from (minutes), factor
	booked     float64
	punct      float64
	noShow     float64
	registered float64
	perishable bool
	shelf      *sampler
	priority   int
}

func dirBit(d string) uint8 {
	for i, x := range directions {
		if x == d {
			return 1 << i
		}
	}
	return 0
}

func channelIndex(c string) int8 {
	for i, x := range channels {
		if x == c {
			return int8(i)
		}
	}
	return -1
}

// compile checks what Parse cannot (nothing, today) and derives the plan.
func compile(sc *Scenario) (*plan, error) {
	p := &plan{sc: sc}
	switch sc.Lifecycle {
	case "all":
		p.lifecycle = lifecycleAll
	case "off":
		p.lifecycle = lifecycleOff
	default:
		p.lifecycle = lifecycleSample
	}
	start := time.Date(2025, 6, 2, 0, 0, 0, 0, ict)
	if sc.Start != "" {
		d, err := time.ParseInLocation("2006-01-02", sc.Start, ict)
		if err != nil {
			return nil, fmt.Errorf("start: %w", err)
		}
		start = d
	}
	p.epoch = start.UTC()
	p.end = sc.Days * 1440
	p.warmup = sc.WarmupDays * 1440
	p.cfg = sched.DefaultConfig()
	if v := sc.Sched.AgingBoundMin; v != nil {
		p.cfg.AgingBound = minutes(*v)
	}
	if v := sc.Sched.ToleranceMin; v != nil {
		p.cfg.Tolerance = minutes(*v)
	}
	p.window = sc.Booking.WindowMin
	if p.window == 0 {
		p.window = 60
	}
	wc := sched.DefaultWindowConfig()
	p.util = wc.Utilization
	p.horizon = wc.HorizonDays
	if v := sc.Booking.Utilization; v != nil {
		p.util = *v
	}
	p.sample = sc.SampleMin
	if p.sample == 0 {
		p.sample = 60
	}
	p.advise = !sc.Advisory.Disabled
	p.compliance = 1
	if v := sc.Advisory.Compliance; v != nil {
		p.compliance = *v
	}
	p.every = sc.Advisory.EveryMin
	if p.every == 0 {
		p.every = 60
	}
	byCode := map[string]*gplan{}
	for i := range sc.Gates {
		g := &sc.Gates[i]
		gp := &gplan{idx: i, code: g.Code, yard: g.Yard, room: g.ControlZone, callInterval: g.CallIntervalMin}
		gp.hours, _ = parseHours(g.Hours)
		for _, iv := range gp.hours {
			gp.openPerDay += iv.to - iv.from
		}
		for _, c := range g.Closed {
			gp.closed = append(gp.closed, interval{c.FromDay * 1440, c.ToDay * 1440})
		}
		for _, c := range g.RegisteredOnly {
			gp.regOnly = append(gp.regOnly, interval{c.FromDay * 1440, c.ToDay * 1440})
		}
		for _, c := range g.OtherSide {
			gp.other = append(gp.other, capPoint{c.FromDay * 1440, c.PerDay})
		}
		servers := 0
		for j := range g.Stages {
			st := &g.Stages[j]
			sp := &splan{name: st.Name, kind: cuakhau.CheckpointKind(st.Kind), servers: st.Servers,
				svc: newSampler(&st.Service), share: 1, perishableOnly: st.PerishableOnly, channel: channelIndex(st.Channel)}
			if sp.kind == "" {
				sp.kind = cuakhau.KindGate
			}
			if st.Share != nil {
				sp.share = *st.Share
			}
			for _, d := range st.Directions {
				sp.dirs |= dirBit(d)
			}
			if len(st.Channels) > 0 {
				gp.hasMix = true
				acc := 0.0
				for k, c := range channels {
					acc += st.Channels[c]
					gp.mix[k] = acc
				}
				gp.mix[2] = math.Max(gp.mix[2], 1)
			}
			servers += st.Servers
			gp.stages = append(gp.stages, sp)
		}
		if gp.room == 0 {
			gp.room = servers
		}
		p.gates = append(p.gates, gp)
		byCode[g.Code] = gp
	}
	for i := range sc.Arrivals {
		a := &sc.Arrivals[i]
		cp := &cplan{idx: i, name: a.Class, gate: byCode[a.Gate].idx, dir: cuakhau.Direction(a.Direction),
			booked: a.Booked, punct: a.PunctualityMin, noShow: a.NoShow, registered: 1,
			perishable: a.Perishable, priority: a.Priority}
		if cp.dir == "" {
			cp.dir = cuakhau.Export
		}
		cp.dirBit = dirBit(string(cp.dir))
		if a.Registered != nil {
			cp.registered = *a.Registered
		}
		if a.ShelfLife != nil {
			cp.shelf = newSampler(a.ShelfLife)
		}
		switch {
		case a.PerHour != nil:
			for h := range cp.rate {
				cp.rate[h] = *a.PerHour / 60
			}
		case len(a.Profile) == 24:
			sum := 0.0
			for _, w := range a.Profile {
				sum += w
			}
			for h, w := range a.Profile {
				cp.rate[h] = *a.PerDay * w / sum / 60
			}
		default:
			for h := range cp.rate {
				cp.rate[h] = *a.PerDay / 1440
			}
		}
		for _, f := range a.RateFactor {
			cp.factors = append(cp.factors, capPoint{f.FromDay * 1440, f.Factor})
		}
		p.classes = append(p.classes, cp)
	}
	maxPunct := 0.0
	for _, c := range p.classes {
		maxPunct = math.Max(maxPunct, c.punct)
	}
	// Bookings are made a day ahead, or further when punctuality is so poor
	// that a truck may set out earlier than that.
	p.lead = math.Max(1440, 4*maxPunct+2*p.window)
	for _, gp := range p.gates {
		p.derive(gp)
	}
	return p, nil
}

// derive computes a gate's expected visit shares, nominal clearing rate,
// no-show rate and crossing time from its classes, and its lifecycle gate.
func (p *plan) derive(gp *gplan) {
	total, noShowW, bookedW := 0.0, 0.0, 0.0
	dirs := map[cuakhau.Direction]bool{}
	for _, c := range p.classes {
		if c.gate != gp.idx {
			continue
		}
		r := 0.0
		for _, x := range c.rate {
			r += x
		}
		total += r
		bookedW += r * c.booked
		noShowW += r * c.booked * c.noShow
		dirs[c.dir] = true
		for _, st := range gp.stages {
			st.visit += r * p.visitProb(gp, st, c)
		}
	}
	for _, c := range p.classes {
		if c.gate == gp.idx && c.shelf != nil {
			if v := c.shelf.low(); gp.minShelf == 0 || v < gp.minShelf {
				gp.minShelf = v
			}
		}
	}
	gp.stageRate = math.Inf(1)
	gp.crossing0 = 0
	for _, st := range gp.stages {
		if total > 0 {
			st.visit /= total
		}
		if st.visit > 0 {
			gp.stageRate = math.Min(gp.stageRate, float64(st.servers)/(st.svc.mean*st.visit))
		}
		gp.crossing0 += st.svc.mean * st.visit
	}
	gp.startLoss = coldStart(gp.stages)
	if bookedW > 0 {
		gp.noShow = noShowW / bookedW
	}
	g := &cuakhau.Gate{Code: gp.code, Name: gp.code, TimeZone: "Asia/Ho_Chi_Minh",
		Checkpoints: map[cuakhau.Direction][]cuakhau.Checkpoint{}}
	route := make([]cuakhau.Checkpoint, 0, len(gp.stages)+1)
	for _, st := range gp.stages {
		route = append(route, cuakhau.Checkpoint{Code: st.name, Kind: st.kind, Name: st.name, Mandatory: true})
	}
	route = append(route, cuakhau.Checkpoint{Code: exitCheckpoint, Kind: cuakhau.KindGate, Name: "zero line", Mandatory: true})
	for d := range dirs {
		g.Checkpoints[d] = route
	}
	gp.gate = g
}

// visitProb is the probability that a truck of class c visits stage st.
func (p *plan) visitProb(gp *gplan, st *splan, c *cplan) float64 {
	if st.dirs != 0 && st.dirs&c.dirBit == 0 || st.perishableOnly && !c.perishable {
		return 0
	}
	pr := st.share
	if st.channel >= 0 {
		if !gp.hasMix {
			if st.channel != 0 {
				return 0
			}
		} else {
			lo := 0.0
			if st.channel > 0 {
				lo = gp.mix[st.channel-1]
			}
			pr *= gp.mix[st.channel] - lo
		}
	}
	return pr
}

func minutes(m float64) time.Duration { return time.Duration(m * float64(time.Minute)) }

// perDay is the other side's capacity in force at t (+Inf when unlimited).
func (gp *gplan) perDay(t float64) float64 {
	v := math.Inf(1)
	for _, c := range gp.other {
		if c.from <= t {
			v = c.perDay
		}
	}
	return v
}

// capacity is the trucks per open minute the gate clears with the other
// side taking perDay: its stages over an ordinary day (dayRate), or the
// other side's capacity if that is lower.
func (gp *gplan) capacity(perDay float64) float64 {
	if gp.fixedRate > 0 {
		return gp.fixedRate
	}
	r := gp.dayRate()
	if gp.openPerDay > 0 && !math.IsInf(perDay, 1) {
		r = math.Min(r, perDay/gp.openPerDay)
	}
	return r
}

func inAny(ivs []interval, t float64) bool {
	for _, iv := range ivs {
		if t >= iv.from && t < iv.to {
			return true
		}
	}
	return false
}

func dayOf(t float64) float64 { return math.Floor(t / 1440) }

// open reports whether the gate works at t.
func (gp *gplan) open(t float64) bool {
	if inAny(gp.closed, t) {
		return false
	}
	m := t - dayOf(t)*1440
	for _, iv := range gp.hours {
		if m >= iv.from && m < iv.to {
			return true
		}
	}
	return false
}

// nextOpen returns the first instant ≥ t at which the gate works (+Inf if never).
func (gp *gplan) nextOpen(t float64) float64 {
	for i := 0; i < 4000; i++ {
		if gp.open(t) {
			return t
		}
		for _, c := range gp.closed {
			if t >= c.from && t < c.to {
				t = c.to
			}
		}
		if gp.open(t) {
			return t
		}
		d := dayOf(t) * 1440
		m := t - d
		next := math.Inf(1)
		for _, iv := range gp.hours {
			if iv.from > m {
				next = d + iv.from
				break
			}
		}
		if math.IsInf(next, 1) {
			next = d + 1440 + gp.hours[0].from
		}
		t = next
	}
	return math.Inf(1)
}

// closeAt returns when the open interval containing t ends.
func (gp *gplan) closeAt(t float64) float64 {
	d := dayOf(t) * 1440
	m := t - d
	end := t
	for _, iv := range gp.hours {
		if m >= iv.from && m < iv.to {
			end = d + iv.to
		}
	}
	if end-d >= 1440 && gp.hours[0].from == 0 {
		// Open through midnight: the interval continues the next day.
		if gp.hours[0].to >= 1440 {
			end = math.Inf(1)
		} else {
			end = d + 1440 + gp.hours[0].to
		}
	}
	for _, c := range gp.closed {
		if c.from > t && c.from < end {
			end = c.from
		}
	}
	return end
}

// openMinutes is the working time in [a, b).
func (gp *gplan) openMinutes(a, b float64) float64 {
	if b <= a {
		return 0
	}
	total := gp.dayOpen(b) - gp.dayOpen(a)
	for _, c := range gp.closed {
		lo, hi := math.Max(a, c.from), math.Min(b, c.to)
		if hi > lo {
			total -= gp.dayOpen(hi) - gp.dayOpen(lo)
		}
	}
	return total
}

// dayOpen is the open time by the daily hours from 0 to t (closures ignored).
func (gp *gplan) dayOpen(t float64) float64 {
	d := dayOf(t)
	m := t - d*1440
	total := d * gp.openPerDay
	for _, iv := range gp.hours {
		if m > iv.from {
			total += math.Min(m, iv.to) - iv.from
		}
	}
	return total
}

// addOpen returns the instant after w minutes of working time from t.
func (gp *gplan) addOpen(t, w float64) float64 {
	if gp.openPerDay >= 1440 && len(gp.closed) == 0 {
		return t + w
	}
	if gp.openPerDay <= 0 {
		return math.Inf(1)
	}
	for i := 0; i < 100000; i++ {
		t = gp.nextOpen(t)
		if math.IsInf(t, 1) {
			return t
		}
		end := gp.closeAt(t)
		if t+w < end {
			return t + w
		}
		w -= end - t
		t = end
	}
	return math.Inf(1)
}

// coldStart is the working time, in minutes, the bottleneck stage loses each
// time the gate opens with nothing inside: calls begin at the opening, so
// the bottleneck's servers wait for the first trucks to pass the stages
// before it (τ, their mean times weighted by visit share) and then fill only
// as fast as those stages release trucks (r, the slowest of them, trucks a
// minute; v, the bottleneck's visit share): c servers fill in c/(r·v)
// minutes, of which half is lost. It is 0 when the bottleneck comes first.
func coldStart(stages []*splan) float64 {
	b, rate := -1, math.Inf(1)
	for j, st := range stages {
		if st.visit > 0 {
			if r := float64(st.servers) / (st.svc.mean * st.visit); r < rate {
				b, rate = j, r
			}
		}
	}
	if b <= 0 {
		return 0
	}
	tau, feed := 0.0, math.Inf(1)
	for _, st := range stages[:b] {
		if st.visit > 0 {
			tau += st.svc.mean * st.visit
			feed = math.Min(feed, float64(st.servers)/(st.svc.mean*st.visit))
		}
	}
	c, v := float64(stages[b].servers), stages[b].visit
	return tau + c/(2*feed*v)
}

// opening reports whether the gate's daily hours interval i begins after a
// closed stretch (a cold start), rather than continuing the one before it
// or the previous day's through midnight.
func (gp *gplan) opening(i int) bool {
	iv := gp.hours[i]
	if iv.from == 0 && gp.hours[len(gp.hours)-1].to >= 1440 {
		return false
	}
	return i == 0 || gp.hours[i-1].to < iv.from
}

// starts is the number of times the gate opens on day d after being closed,
// each costing the bottleneck its cold start.
func (gp *gplan) starts(d float64) int {
	n := 0
	for i, iv := range gp.hours {
		if t := d*1440 + iv.from; gp.opening(i) && gp.open(t) && (t == 0 || !gp.open(t-1e-6)) {
			n++
		}
	}
	return n
}

// dayRate is the trucks per open minute the stages clear over an ordinary
// working day: the bottleneck's rate less its cold start at each opening
// (coldStart). It is what the gate can promise — to bookings and to the
// advisory — rather than the bottleneck's rate, which it reaches only once
// the trucks called at the opening have filled it.
func (gp *gplan) dayRate() float64 {
	if gp.openPerDay <= 0 {
		return gp.stageRate
	}
	n := 0
	for i := range gp.hours {
		if gp.opening(i) {
			n++
		}
	}
	return gp.stageRate * math.Max(0, gp.openPerDay-float64(n)*gp.startLoss) / gp.openPerDay
}

// boundPerDay is the most the gate can clear on day d: its stages'
// bottleneck over the day's working time less its cold start at each
// opening (coldStart), or the other side's capacity if lower.
func (gp *gplan) boundPerDay(d float64) float64 {
	open := gp.openMinutes(d*1440, (d+1)*1440)
	b := gp.stageRate * math.Max(0, open-float64(gp.starts(d))*gp.startLoss)
	if pd := gp.perDay(d*1440 + 720); !math.IsInf(pd, 1) && gp.openPerDay > 0 {
		b = math.Min(b, pd*open/gp.openPerDay)
	}
	return b
}
