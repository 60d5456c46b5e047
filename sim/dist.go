package sim

import (
	"math"
	"sort"
)

// sampler draws from a distribution in minutes. It is built once from a
// scenario's Dist and shared by every replication (it holds no state).
type sampler struct {
	kind  int
	mean  float64 // minutes
	mu    float64 // lognormal location
	sigma float64 // lognormal scale
	vals  []float64
	cum   []float64 // cumulative weights of vals, last = 1
}

const (
	distExponential = iota
	distDeterministic
	distLognormal
	distEmpirical
)

// newSampler turns a checked Dist into a sampler; unit is 1 for minutes and
// 60 for hours.
func newSampler(d *Dist) *sampler {
	s := &sampler{}
	unit := 1.0
	mean := 0.0
	switch {
	case d.MeanMin != nil:
		mean = *d.MeanMin
	case d.MeanH != nil:
		mean, unit = *d.MeanH*60, 60
	}
	cv := 0.0
	if d.CV != nil {
		cv = *d.CV
	}
	switch d.Dist {
	case "exponential":
		s.kind, s.mean = distExponential, mean
	case "deterministic":
		s.kind, s.mean = distDeterministic, mean
	case "lognormal":
		if cv == 0 {
			s.kind, s.mean = distDeterministic, mean
			break
		}
		s.kind, s.mean = distLognormal, mean
		s.sigma = math.Sqrt(math.Log(1 + cv*cv))
		s.mu = math.Log(mean) - s.sigma*s.sigma/2
	case "empirical":
		s.kind = distEmpirical
		vals := d.ValuesMin
		if len(d.ValuesH) > 0 {
			vals, unit = d.ValuesH, 60
		}
		w := d.Weights
		total := 0.0
		for i, v := range vals {
			s.vals = append(s.vals, v*unit)
			wi := 1.0
			if len(w) > 0 {
				wi = w[i]
			}
			total += wi
			s.cum = append(s.cum, total)
		}
		for i := range s.cum {
			s.cum[i] /= total
			s.mean += s.vals[i] * weightAt(s.cum, i)
		}
	}
	return s
}

func weightAt(cum []float64, i int) float64 {
	if i == 0 {
		return cum[0]
	}
	return cum[i] - cum[i-1]
}

// draw returns one value in minutes. Every kind consumes exactly two uniforms
// from r, so that changing a stage's distribution in a scenario does not
// shift the draws of anything after it.
func (s *sampler) draw(r *stream) float64 {
	u, v := r.open(), r.open()
	switch s.kind {
	case distExponential:
		return -s.mean * math.Log(u)
	case distLognormal:
		z := math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*v)
		return math.Exp(s.mu + s.sigma*z)
	case distEmpirical:
		i := sort.SearchFloat64s(s.cum, u)
		if i >= len(s.vals) {
			i = len(s.vals) - 1
		}
		return s.vals[i]
	default:
		return s.mean
	}
}

// low is the shortest value to expect: an empirical distribution's least
// value, else the 5% quantile.
func (s *sampler) low() float64 {
	switch s.kind {
	case distExponential:
		return -s.mean * math.Log(0.95)
	case distLognormal:
		return math.Exp(s.mu - 1.645*s.sigma)
	case distEmpirical:
		lo := math.Inf(1)
		for i, v := range s.vals {
			if weightAt(s.cum, i) > 0 {
				lo = math.Min(lo, v)
			}
		}
		return lo
	}
	return s.mean
}
