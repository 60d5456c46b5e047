package sim

import "math"

// stream is a SplitMix64 generator: 8 bytes of state, so that every truck can
// carry its own streams without an allocation. Its output passes BigCrush and
// is more than enough for queueing experiments; its point here is that a
// stream is named by where it is used (replication, source, class, truck,
// stage), so two policies see the same draws for the same truck whatever order
// they serve trucks in (common random numbers).
type stream struct{ s uint64 }

func (r *stream) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// open returns a uniform draw in (0, 1), never 0 or 1, so that logarithms
// stay finite.
func (r *stream) open() float64 {
	return (float64(r.next()>>11) + 0.5) * 0x1p-53
}

// exp returns an exponential draw with mean 1.
func (r *stream) exp() float64 { return -math.Log(r.open()) }

// normal returns a standard normal draw (Box–Muller; the second value is
// dropped so that every call consumes exactly two uniforms).
func (r *stream) normal() float64 {
	u, v := r.open(), r.open()
	return math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*v)
}

// mix is SplitMix64's finaliser, used to derive stream seeds.
func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// derive names a stream: the same (seed, source, index) always gives the same
// stream, and different ones give unrelated streams.
func derive(seed, source, index uint64) uint64 {
	return mix(mix(seed^0x6a09e667f3bcc909) ^ mix(source+0x3c6ef372fe94f82b) ^ mix(index*0x9e3779b97f4a7c15+0xbb67ae8584caa73b))
}

// Stream sources. Each truck's draws come from streams derived from its
// class, its number within the class and one of these sources.
const (
	srcArrivals uint64 = iota + 1 // inter-arrival times of a class
	srcTruck                      // a truck's own attributes (no-show, booking, punctuality, shelf life, channel)
	srcService                    // a truck's visit and service draws at each stage (index: stage)
	srcReplication
)
