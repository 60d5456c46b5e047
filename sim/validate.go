package sim

import (
	"context"
	"fmt"
	"math"
)

// Check is one comparison of the simulator with a closed form.
type Check struct {
	Case   string  `json:"case"`
	Metric string  `json:"metric"`
	Theory float64 `json:"theory"`
	Sim    float64 `json:"sim"`
	Lo     float64 `json:"ci_lo"`
	Hi     float64 `json:"ci_hi"`
	// Pass is whether Theory lies in [Lo, Hi] widened by Tolerance of Sim on
	// each side.
	Pass bool `json:"pass"`
}

// Tolerance widens a validation CI on each side, as a share of the
// simulated mean: it absorbs the bias of finite runs and warm-up, not
// errors of the model (those are far larger).
const Tolerance = 0.03

// validationCase is a queue with a known closed form, written as a scenario
// so that validation runs the same parser, engine, policies and lifecycle as
// every other run.
type validationCase struct {
	name   string
	policy string
	yaml   string
	// theory gives the expected mean wait in queue, minutes, per class.
	theory map[string]float64
}

func validationCases(days float64, reps int) []validationCase {
	head := func(name string) string {
		return fmt.Sprintf("name: %s\ndays: %g\nwarmup_days: 1\nseed: 20250426\nreplications: %d\nadvisory: {disabled: true}\n", name, days+1, reps)
	}
	gate := func(servers int, dist string) string {
		return fmt.Sprintf(`gates:
  - code: Q
    hours: "00:00-24:00"
    stages:
      - {name: service, servers: %d, service: {dist: %s, mean_min: 1}}
`, servers, dist)
	}
	mm1 := 0.8 / (1 - 0.8) // λ=0.8, μ=1: Wq = ρ/(μ−λ) = 4
	c3 := erlangC(2, 1, 3)
	c4 := erlangC(30.0/60, 1.0/6, 4)
	cp := erlangC(1.4, 1, 2)
	return []validationCase{
		{"M/M/1 (λ=0.8, μ=1)", "fifo", head("mm1") + gate(1, "exponential") +
			"arrivals:\n  - {class: all, gate: Q, per_hour: 48}\n",
			map[string]float64{"all": mm1}},
		{"M/M/3 (λ=2, μ=1)", "fifo", head("mm3") + gate(3, "exponential") +
			"arrivals:\n  - {class: all, gate: Q, per_hour: 120}\n",
			map[string]float64{"all": c3 / (3*1 - 2)}},
		{"M/M/4 (λ=30/h, 6 min: scenarios/mmc.yaml)", "fifo", head("mmc") + `gates:
  - code: HN
    hours: "00:00-24:00"
    stages:
      - {name: inspection, servers: 4, service: {dist: exponential, mean_min: 6}}
arrivals:
  - {class: normal, gate: HN, per_hour: 30}
`, map[string]float64{"normal": c4 / (4.0/6 - 0.5)}},
		{"M/D/1 (λ=0.8, D=1)", "fifo", head("md1") + gate(1, "deterministic") +
			"arrivals:\n  - {class: all, gate: Q, per_hour: 48}\n",
			map[string]float64{"all": 0.8 / (2 * 1 * (1 - 0.8))}},
		{"M/M/2 non-preemptive priority (λ=0.5+0.9, μ=1)", "adaptive", head("prio") +
			"sched: {aging_bound_min: 1000000}\n" + gate(2, "exponential") + `arrivals:
  - {class: high, gate: Q, per_hour: 30, priority: 1}
  - {class: low, gate: Q, per_hour: 54}
`, map[string]float64{
			"high": cp / (2 * 1 * (1 - 0) * (1 - 0.25)),
			"low":  cp / (2 * 1 * (1 - 0.25) * (1 - 0.7)),
		}},
	}
}

// erlangC is the probability that an arrival waits in an M/M/c queue.
func erlangC(lambda, mu float64, c int) float64 {
	a := lambda / mu
	term, sum := 1.0, 0.0
	for k := 0; k < c; k++ {
		if k > 0 {
			term *= a / float64(k)
		}
		sum += term
	}
	last := term * a / float64(c) * float64(c) / (float64(c) - a)
	return last / (sum + last)
}

// Validate runs every closed-form case. days is the measured length of each
// replication (after one warm-up day); short runs give wider intervals.
func Validate(ctx context.Context, days float64, reps int, opt Options) ([]Check, error) {
	var out []Check
	for _, vc := range validationCases(days, reps) {
		sc, err := Parse(vc.name, []byte(vc.yaml))
		if err != nil {
			return nil, fmt.Errorf("validation case %s: %w", vc.name, err)
		}
		o := opt
		o.Policies = []string{vc.policy}
		res, err := Run(ctx, sc, o)
		if err != nil {
			return nil, fmt.Errorf("validation case %s: %w", vc.name, err)
		}
		for _, cr := range res.Policies[0].Classes {
			th, ok := vc.theory[cr.Class]
			if !ok {
				continue
			}
			m := cr.WaitMeanH * 60
			lo, hi := math.NaN(), math.NaN()
			if len(cr.WaitMeanCIH) == 2 {
				lo, hi = cr.WaitMeanCIH[0]*60, cr.WaitMeanCIH[1]*60
			}
			metric := "Wq (min)"
			if len(vc.theory) > 1 {
				metric = "Wq " + cr.Class + " (min)"
			}
			out = append(out, Check{Case: vc.name, Metric: metric, Theory: th, Sim: m, Lo: lo, Hi: hi,
				Pass: th >= lo-Tolerance*m && th <= hi+Tolerance*m})
		}
	}
	return out, nil
}
