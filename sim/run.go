package sim

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/cuakhau/cuakhau/sched"
)

// Options override a scenario's settings for one run.
type Options struct {
	// Policies to run; empty means the scenario's policy (all when it names
	// none).
	Policies []string
	// Seed and Replications override the scenario's when non-zero.
	Seed         uint64
	Replications int
	// Days overrides the scenario's length when non-zero (warm-up kept).
	Days float64
	// Lifecycle overrides the scenario's lifecycle mode (all, sample, off).
	Lifecycle string
	// Workers run replications in parallel (default GOMAXPROCS).
	Workers int
	// NewPolicy builds a policy by name (default sched.New, the server's
	// own policies).
	NewPolicy func(name string, cfg sched.Config) (sched.Policy, error)
	// Progress, when set, is called with the share of the work done.
	Progress func(done float64)
}

// Result is what a run measured, per policy.
type Result struct {
	Scenario     string         `json:"scenario"`
	Days         float64        `json:"days"`
	WarmupDays   float64        `json:"warmup_days"`
	Replications int            `json:"replications"`
	Seed         uint64         `json:"seed"`
	Policies     []PolicyResult `json:"policies"`
}

// Interval is a 95% confidence interval; nil when there is one replication.
type Interval []float64

// PolicyResult holds one policy's figures: means over replications, with
// 95% confidence intervals (Student t) where given.
type PolicyResult struct {
	Name    string        `json:"name"`
	Version string        `json:"version"`
	Classes []ClassResult `json:"classes"`
	// Total pools every class.
	Total  ClassResult   `json:"total"`
	Stages []StageResult `json:"stages"`
	Gates  []GateResult  `json:"gates"`
	// YardOverflowMax is the peak number of trucks waiting on the road
	// beyond the yards, all gates together.
	YardOverflowMax   float64  `json:"yard_overflow_max"`
	YardOverflowMaxCI Interval `json:"yard_overflow_max_ci"`
	// YardPeak is the peak number of trucks in the yards.
	YardPeak float64 `json:"yard_peak"`
	// OverflowTrucks counts trucks that arrived to a full yard.
	OverflowTrucks float64 `json:"overflow_trucks"`
	// HeldPeak is the peak number of trucks kept at origin (replication 1).
	HeldPeak float64 `json:"held_peak"`
	// SaturatedDays are the days on which demand (backlog plus the day's
	// arrivals) exceeded the capacity bound; ThroughputVsBound is the share
	// of the bound crossed on those days (1 = every possible truck crossed).
	SaturatedDays     float64 `json:"saturated_days"`
	ThroughputVsBound float64 `json:"throughput_vs_bound"`
	BoundPerDay       float64 `json:"capacity_bound_per_day"`
	Events            int64   `json:"events"`
	WallSeconds       float64 `json:"wall_seconds"`
	EventsPerSecond   float64 `json:"events_per_second"`
	// Series is replication 1's queue over time, for charts.
	Series []sample `json:"-"`
	// Waits is replication 1's waits in hours, all classes, for charts.
	Waits []float32 `json:"-"`
}

// ClassResult holds one arrival class's figures (hours for times).
type ClassResult struct {
	Class            string   `json:"class"`
	Gate             string   `json:"gate,omitempty"`
	Perishable       bool     `json:"perishable"`
	Arrived          float64  `json:"arrived"`
	Crossed          float64  `json:"crossed"`
	ThroughputPerDay float64  `json:"throughput_per_day"`
	WaitMeanH        float64  `json:"wait_mean_h"`
	WaitMeanCIH      Interval `json:"wait_mean_ci_h"`
	WaitP50H         float64  `json:"wait_p50_h"`
	WaitP95H         float64  `json:"wait_p95_h"`
	WaitP95CIH       Interval `json:"wait_p95_ci_h"`
	WaitMaxH         float64  `json:"wait_max_h"`
	BorderTimeMeanH  float64  `json:"border_time_mean_h"`
	BorderTimeP50H   float64  `json:"border_time_p50_h"`
	BorderTimeP50CIH Interval `json:"border_time_p50_ci_h"`
	BorderTimeP95H   float64  `json:"border_time_p95_h"`
	Spoiled          float64  `json:"spoiled"`
	SpoiledCI        Interval `json:"spoiled_ci"`
	// Held counts trucks whose arrival was deferred at origin by booking or
	// advisory; HeldMeanH is their mean deferral.
	Held      float64 `json:"held_at_origin"`
	HeldMeanH float64 `json:"held_mean_h"`
	// DelayMeanH is desired arrival → crossed: the border wait plus any
	// deferral at origin.
	DelayMeanH float64 `json:"delay_mean_h"`
	// Left are trucks still at the border when the run ended.
	Left float64 `json:"left_at_end"`
	// The error of the wait predicted at check-in (what the public feed
	// tells a truck arriving now) against the wait the truck then had, in
	// minutes: the median and p90 of |actual − predicted| and the bias, the
	// mean of actual − predicted (positive: waits longer than told).
	PredErrP50Min  float64 `json:"prediction_error_p50_min"`
	PredErrP90Min  float64 `json:"prediction_error_p90_min"`
	PredBiasMin    float64 `json:"prediction_bias_min"`
	PredictedCalls float64 `json:"predicted_calls"`
}

// StageResult is a stage's utilization: busy server time over server time
// while the gate is open.
type StageResult struct {
	Gate          string   `json:"gate"`
	Stage         string   `json:"stage"`
	Servers       int      `json:"servers"`
	Utilization   float64  `json:"utilization"`
	UtilizationCI Interval `json:"utilization_ci"`
}

// GateResult is a gate's peaks and its share of the capacity bound.
type GateResult struct {
	Gate        string  `json:"gate"`
	WaitingPeak float64 `json:"waiting_peak"`
	RoadPeak    float64 `json:"road_peak"`
	// SaturatedDays and ThroughputVsBound are the gate's part of the
	// policy's figures (saturated days per replication; crossings over the
	// bound on them, all replications pooled); omitted when it had none.
	SaturatedDays     float64 `json:"saturated_days,omitempty"`
	ThroughputVsBound float64 `json:"throughput_vs_bound,omitempty"`
}

// Run simulates the scenario under each policy, with the same random draws
// for every policy in a replication.
func Run(ctx context.Context, sc *Scenario, opt Options) (*Result, error) {
	if opt.Days != 0 || opt.Lifecycle != "" {
		c := *sc
		if opt.Days != 0 {
			if opt.Days <= c.WarmupDays {
				return nil, fmt.Errorf("days %g: must exceed the scenario's warm-up (%g days)", opt.Days, c.WarmupDays)
			}
			c.Days = opt.Days
		}
		if opt.Lifecycle != "" {
			if !contains([]string{"all", "sample", "off"}, opt.Lifecycle) {
				return nil, fmt.Errorf("lifecycle %q: one of all, sample, off", opt.Lifecycle)
			}
			c.Lifecycle = opt.Lifecycle
		}
		sc = &c
	}
	for _, n := range opt.Policies {
		if n != "all" && !contains(Policies, n) && opt.NewPolicy == nil {
			return nil, fmt.Errorf("policy %q: one of fifo, fixed-slot, adaptive, all", n)
		}
	}
	p, err := compile(sc)
	if err != nil {
		return nil, err
	}
	names := opt.Policies
	if len(names) == 0 {
		names = []string{sc.Policy}
	}
	if len(names) == 1 && (names[0] == "" || names[0] == "all") {
		names = Policies
	}
	seed := sc.Seed
	if opt.Seed != 0 {
		seed = opt.Seed
	}
	reps := sc.Replications
	if opt.Replications != 0 {
		reps = opt.Replications
	}
	reps = max(reps, 1)
	newPolicy := opt.NewPolicy
	if newPolicy == nil {
		newPolicy = sched.New
	}
	pols := make([]sched.Policy, len(names))
	for i, n := range names {
		if pols[i], err = newPolicy(n, p.cfg); err != nil {
			return nil, err
		}
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	type job struct{ pol, rep int }
	jobs := make(chan job)
	out := make([][]*repStats, len(pols))
	wall := make([]time.Duration, len(pols))
	for i := range out {
		out[i] = make([]*repStats, reps)
	}
	var (
		mu       sync.Mutex
		firstErr error
		done     = make([]float64, len(pols)*reps)
	)
	report := func(i int, f float64) {
		if opt.Progress == nil {
			return
		}
		mu.Lock()
		done[i] = f
		sum := 0.0
		for _, d := range done {
			sum += d
		}
		opt.Progress(sum / float64(len(done)))
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				start := time.Now()
				m := newModel(p, pols[j.pol], j.rep, seed)
				slot := j.pol*reps + j.rep
				m.progress = func(t float64) { report(slot, t/p.end) }
				st, err := m.run()
				report(slot, 1)
				mu.Lock()
				wall[j.pol] += time.Since(start)
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("%s, replication %d: %w", names[j.pol], j.rep+1, err)
				}
				out[j.pol][j.rep] = st
				mu.Unlock()
			}
		}()
	}
	// Replication-major order, so that an interrupted run has every policy
	// at the same replications.
feed:
	for r := 0; r < reps; r++ {
		for i := range pols {
			select {
			case jobs <- job{i, r}:
			case <-ctx.Done():
				break feed
			}
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := &Result{Scenario: sc.Name, Days: sc.Days, WarmupDays: sc.WarmupDays, Replications: reps, Seed: seed}
	for i, pol := range pols {
		pr := p.summarize(out[i])
		pr.Name, pr.Version = pol.Name(), pol.Version()
		pr.WallSeconds = wall[i].Seconds()
		if pr.WallSeconds > 0 {
			pr.EventsPerSecond = float64(pr.Events) / pr.WallSeconds
		}
		res.Policies = append(res.Policies, pr)
	}
	return res, nil
}

// summarize pools the replications of one policy.
func (p *plan) summarize(reps []*repStats) PolicyResult {
	var pr PolicyResult
	measured := (p.end - p.warmup) / 1440
	for ci, c := range p.classes {
		cr := classResult(reps, measured, func(r *repStats) *classStats { return &r.classes[ci] })
		cr.Class, cr.Gate, cr.Perishable = c.name, p.gates[c.gate].code, c.perishable
		pr.Classes = append(pr.Classes, cr)
	}
	pooled := make([]classStats, len(reps))
	for r, st := range reps {
		t := &pooled[r]
		for _, c := range st.classes {
			t.arrived += c.arrived
			t.crossed += c.crossed
			t.spoiled += c.spoiled
			t.perishable += c.perishable
			t.held += c.held
			t.heldMin += c.heldMin
			t.delaySum += c.delaySum
			t.delayN += c.delayN
			t.left += c.left
			t.waits = append(t.waits, c.waits...)
			t.borders = append(t.borders, c.borders...)
			t.predErr = append(t.predErr, c.predErr...)
		}
	}
	idx := map[*repStats]int{}
	for i, r := range reps {
		idx[r] = i
	}
	pr.Total = classResult(reps, measured, func(r *repStats) *classStats { return &pooled[idx[r]] })
	pr.Total.Class = "all"
	for i := range pooled[0].waits {
		pr.Waits = append(pr.Waits, pooled[0].waits[i]/60)
	}
	for gi, g := range p.gates {
		for j, s := range g.stages {
			xs := make([]float64, len(reps))
			for r, st := range reps {
				if st.openMin[gi] > 0 {
					xs[r] = st.stageWork[gi][j] / (float64(s.servers) * st.openMin[gi])
				}
			}
			m, ci := meanCI(xs)
			pr.Stages = append(pr.Stages, StageResult{Gate: g.code, Stage: s.name, Servers: s.servers, Utilization: m, UtilizationCI: ci})
		}
		wp, rp := make([]float64, len(reps)), make([]float64, len(reps))
		gr := GateResult{Gate: g.code}
		crossed, bound := 0.0, 0.0
		for r, st := range reps {
			wp[r], rp[r] = float64(st.waitPeak[gi]), float64(st.roadPeakGate[gi])
			d, c, b := p.gateSaturation(st, gi)
			gr.SaturatedDays += d / float64(len(reps))
			crossed, bound = crossed+c, bound+b
		}
		gr.WaitingPeak, gr.RoadPeak = mean(wp), mean(rp)
		if bound > 0 {
			gr.ThroughputVsBound = crossed / bound
		}
		pr.Gates = append(pr.Gates, gr)
	}
	road, yard, over := make([]float64, len(reps)), make([]float64, len(reps)), make([]float64, len(reps))
	sat, ratio := make([]float64, len(reps)), make([]float64, len(reps))
	for r, st := range reps {
		road[r], yard[r], over[r] = float64(st.roadPeak), float64(st.yardPeak), float64(st.overflowTrucks)
		pr.Events += st.events
		sat[r], ratio[r] = p.saturation(st)
	}
	pr.YardOverflowMax, pr.YardOverflowMaxCI = meanCI(road)
	pr.YardPeak, pr.OverflowTrucks = mean(yard), mean(over)
	pr.SaturatedDays, pr.ThroughputVsBound = mean(sat), mean(ratio)
	pr.HeldPeak = float64(reps[0].heldPeak)
	pr.Series = reps[0].series
	first, last := int(math.Ceil(p.warmup/1440)), int(p.end/1440)
	for d := first; d < last; d++ {
		for _, g := range p.gates {
			pr.BoundPerDay += g.boundPerDay(float64(d))
		}
	}
	if last > first {
		pr.BoundPerDay /= float64(last - first)
	}
	return pr
}

// saturation finds the measured whole days on which a gate's demand
// exceeded what it could clear: the trucks that wanted to arrive before the
// day began and had not crossed (waiting, in the zone or held at origin)
// were at least the day's capacity bound. It returns how many such
// gate-days there were and the share of the bound crossed on them, all gates
// pooled.
func (p *plan) saturation(st *repStats) (days, ratio float64) {
	crossed, bound := 0.0, 0.0
	for gi := range p.gates {
		d, c, b := p.gateSaturation(st, gi)
		days, crossed, bound = days+d, crossed+c, bound+b
	}
	if bound == 0 {
		return 0, math.NaN()
	}
	return days, crossed / bound
}

// gateSaturation is saturation for gate gi alone: its saturated days, and
// its crossings and capacity bound on them.
func (p *plan) gateSaturation(st *repStats, gi int) (days, crossed, bound float64) {
	first, last := int(math.Ceil(p.warmup/1440)), int(p.end/1440)
	g := p.gates[gi]
	backlog, regBacklog := 0, 0
	for d := 0; d < last; d++ {
		b := g.boundPerDay(float64(d))
		// On a day only pre-registered trucks may be called, the others are
		// demand no policy may serve: the day is saturated only if the trucks
		// the rule lets through could fill the bound.
		ahead := backlog
		if registeredOnly(g, float64(d)*1440+720) {
			ahead = regBacklog
		}
		if d >= first && b > 0 && float64(ahead) >= b {
			days++
			crossed += float64(st.dayCrossed[gi][d])
			bound += b
		}
		backlog += st.dayDesired[gi][d] - st.dayCrossed[gi][d]
		regBacklog += st.dayDesiredReg[gi][d] - st.dayCrossedReg[gi][d]
	}
	return days, crossed, bound
}

func classResult(reps []*repStats, days float64, get func(*repStats) *classStats) ClassResult {
	n := len(reps)
	var cr ClassResult
	arr, crs, spo := make([]float64, n), make([]float64, n), make([]float64, n)
	wm, w50, w95, bm, b50, b95 := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	held, heldH, delay, left := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	pe50, pe90, bias, npred := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for r, st := range reps {
		c := get(st)
		arr[r], crs[r], spo[r] = float64(c.arrived), float64(c.crossed), float64(c.spoiled)
		held[r], left[r] = float64(c.held), float64(c.left)
		if c.held > 0 {
			heldH[r] = c.heldMin / float64(c.held) / 60
		}
		if c.delayN > 0 {
			delay[r] = c.delaySum / float64(c.delayN) / 60
		}
		w := sorted(c.waits)
		wm[r], w50[r], w95[r] = meanF(w)/60, quantile(w, 0.5)/60, quantile(w, 0.95)/60
		if len(w) > 0 {
			cr.WaitMaxH = math.Max(cr.WaitMaxH, float64(w[len(w)-1])/60)
		}
		e := make([]float32, len(c.predErr))
		for i, x := range c.predErr {
			e[i] = float32(math.Abs(float64(x)))
		}
		slices.Sort(e)
		pe50[r], pe90[r], bias[r], npred[r] = quantile(e, 0.5), quantile(e, 0.9), meanF(c.predErr), float64(len(e))
		b := sorted(c.borders)
		bm[r], b50[r], b95[r] = meanF(b)/60, quantile(b, 0.5)/60, quantile(b, 0.95)/60
	}
	cr.Arrived, cr.Crossed = mean(arr), mean(crs)
	cr.ThroughputPerDay = cr.Crossed / days
	cr.WaitMeanH, cr.WaitMeanCIH = meanCI(wm)
	cr.WaitP50H = mean(w50)
	cr.WaitP95H, cr.WaitP95CIH = meanCI(w95)
	cr.BorderTimeMeanH = mean(bm)
	cr.BorderTimeP50H, cr.BorderTimeP50CIH = meanCI(b50)
	cr.BorderTimeP95H = mean(b95)
	cr.Spoiled, cr.SpoiledCI = meanCI(spo)
	cr.Held, cr.HeldMeanH, cr.DelayMeanH, cr.Left = mean(held), mean(heldH), mean(delay), mean(left)
	cr.PredErrP50Min, cr.PredErrP90Min, cr.PredBiasMin, cr.PredictedCalls = mean(pe50), mean(pe90), mean(bias), mean(npred)
	return cr
}

// sorted returns xs sorted, as a new slice. Results sort every truck's
// wait, border time and the like once a run, a year's 640,000 values each,
// which by comparison sort was a tenth of a year's run; a radix sort on the
// values' bits (mapped so that their unsigned order is the numbers' order)
// takes four linear passes instead. xs must hold no NaN.
func sorted(xs []float32) []float32 {
	if len(xs) < 1024 {
		s := slices.Clone(xs)
		slices.Sort(s)
		return s
	}
	keys := make([]uint32, len(xs))
	for i, x := range xs {
		keys[i] = orderedBits(x)
	}
	tmp := make([]uint32, len(xs))
	for shift := 0; shift < 32; shift += 8 {
		var at [256]int
		for _, k := range keys {
			at[(k>>shift)&0xff]++
		}
		if at[(keys[0]>>shift)&0xff] == len(keys) {
			continue // every key has this byte: the pass would move nothing
		}
		pos := 0
		for b, n := range at {
			at[b] = pos
			pos += n
		}
		for _, k := range keys {
			b := (k >> shift) & 0xff
			tmp[at[b]] = k
			at[b]++
		}
		keys, tmp = tmp, keys
	}
	out := make([]float32, len(xs))
	for i, k := range keys {
		out[i] = fromOrderedBits(k)
	}
	return out
}

// orderedBits maps a float32 to a uint32 whose unsigned order is the
// float's numeric order (−0 just before +0): negative numbers' bits
// inverted, positive numbers' sign bit set.
func orderedBits(x float32) uint32 {
	b := math.Float32bits(x)
	if b>>31 == 1 {
		return ^b
	}
	return b | 1<<31
}

func fromOrderedBits(k uint32) float32 {
	if k>>31 == 1 {
		return math.Float32frombits(k &^ (1 << 31))
	}
	return math.Float32frombits(^k)
}

func meanF(xs []float32) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range xs {
		s += float64(x)
	}
	return s / float64(len(xs))
}

// quantile of sorted xs, linear between order statistics.
func quantile(xs []float32, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	pos := q * float64(len(xs)-1)
	i := int(pos)
	if i >= len(xs)-1 {
		return float64(xs[len(xs)-1])
	}
	f := pos - float64(i)
	return float64(xs[i])*(1-f) + float64(xs[i+1])*f
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// meanCI returns the mean and its 95% confidence interval (Student t over
// replications), nil with fewer than two.
func meanCI(xs []float64) (float64, Interval) {
	m := mean(xs)
	n := len(xs)
	if n < 2 {
		return m, nil
	}
	ss := 0.0
	for _, x := range xs {
		ss += (x - m) * (x - m)
	}
	h := tQuantile(n-1) * math.Sqrt(ss/float64(n-1)/float64(n))
	return m, Interval{m - h, m + h}
}

// tQuantile is Student's t 0.975 quantile for df degrees of freedom.
func tQuantile(df int) float64 {
	table := []float64{0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
		2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
		2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042}
	switch {
	case df < 1:
		return math.NaN()
	case df < len(table):
		return table[df]
	case df < 60:
		return 2.042 - (2.042-2.000)*float64(df-30)/30
	case df < 120:
		return 2.000 - (2.000-1.980)*float64(df-60)/60
	}
	return 1.96
}
