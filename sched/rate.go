package sched

import (
	"sort"
	"time"
)

// RateWindow is how far back the measured service rate looks.
const RateWindow = time.Hour

// ServiceRatePerLane is the service rate per lane-hour the policies, the
// windows and the advisory take at now: the crossings of the last
// RateWindow, cut to the time since the oldest truck still waiting arrived
// (oldestArrival), divided by lanes × that time (MeasuredRate). Crossings
// measure throughput, which is the service rate only while trucks were
// waiting: the queue has not been empty since the oldest of them came, so
// only that time counts. With nothing waiting (oldestArrival zero, or not
// before now), or too few crossings (MinSamples), it is fallback, the
// configured rate.
//
// crossings are oldest first, as a gate's log lists them; the count is by
// binary search, so that the simulator can ask at every decision. The
// server and the simulator both measure by this rule, so that a simulated
// policy sees the rate the server's would.
func ServiceRatePerLane(crossings []time.Time, lanes int, oldestArrival, now time.Time, fallback float64) float64 {
	if oldestArrival.IsZero() || !oldestArrival.Before(now) {
		return fallback
	}
	window := min(RateWindow, now.Sub(oldestArrival))
	from := now.Add(-window)
	// The crossings in (from, now].
	lo := sort.Search(len(crossings), func(i int) bool { return crossings[i].After(from) })
	hi := sort.Search(len(crossings), func(i int) bool { return crossings[i].After(now) })
	return rateOf(max(hi-lo, 0), lanes, window, fallback)
}
