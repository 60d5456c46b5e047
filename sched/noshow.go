package sched

import (
	"slices"
	"time"
)

// NoShowWindow is how far back ended bookings count for the measured
// no-show rate (EndedBookings.Rate).
const NoShowWindow = 30 * 24 * time.Hour

// EndedBooking is a booking that ended at At: used (its truck came), or not
// shown. A booking cancelled, moved or released by a hold at origin did not
// end in either way and is not one.
type EndedBooking struct {
	At     time.Time
	NoShow bool
}

// EndedBookings are a gate's bookings ended in the NoShowWindow before the
// latest, in the order they ended: the inputs of the measured no-show rate.
// The server's gate state and the simulator each keep one, so both measure
// the rate by the same rule. The zero value is empty.
type EndedBookings struct {
	ended   []EndedBooking
	noShows []int // noShows[i]: no-shows among ended[:i+1]
}

// End records a booking ended at at, no later than the last one recorded.
func (e *EndedBookings) End(at time.Time, noShow bool) {
	n := 0
	if len(e.noShows) > 0 {
		n = e.noShows[len(e.noShows)-1]
	}
	if noShow {
		n++
	}
	e.ended = append(e.ended, EndedBooking{At: at, NoShow: noShow})
	e.noShows = append(e.noShows, n)
	cut := at.Add(-NoShowWindow)
	if len(e.ended) > 1024 && !e.ended[len(e.ended)/2].At.After(cut) {
		// Drop the older half at once, so that pruning is amortised O(1).
		i := e.after(cut)
		base := e.noShows[i-1]
		e.ended = slices.Delete(e.ended, 0, i)
		e.noShows = slices.Delete(e.noShows, 0, i)
		for j := range e.noShows {
			e.noShows[j] -= base
		}
	}
}

// after is the index of the first booking ended after t.
func (e *EndedBookings) after(t time.Time) int {
	i, _ := slices.BinarySearchFunc(e.ended, t, func(x EndedBooking, t time.Time) int {
		if x.At.After(t) {
			return 1
		}
		return -1
	})
	return i
}

// Since counts the bookings ended after since: not shown and used.
func (e *EndedBookings) Since(since time.Time) (noShows, used int) {
	i := e.after(since)
	if i == len(e.ended) {
		return 0, 0
	}
	before := 0
	if i > 0 {
		before = e.noShows[i-1]
	}
	noShows = e.noShows[len(e.noShows)-1] - before
	return noShows, len(e.ended) - i - noShows
}

// Rate is the no-show rate measured at now: NoShowRate over the bookings
// ended in the NoShowWindow before now, configured until there are
// MinSamples of them.
func (e *EndedBookings) Rate(now time.Time, configured float64) float64 {
	noShows, used := e.Since(now.Add(-NoShowWindow))
	return NoShowRate(noShows, used, configured)
}

// Recent are the bookings ended in the NoShowWindow before the latest, in
// the order they ended.
func (e *EndedBookings) Recent() []EndedBooking {
	n := len(e.ended)
	if n == 0 {
		return nil
	}
	return slices.Clone(e.ended[e.after(e.ended[n-1].At.Add(-NoShowWindow)):])
}

// Clone returns a copy that shares nothing with e.
func (e *EndedBookings) Clone() EndedBookings {
	return EndedBookings{ended: slices.Clone(e.ended), noShows: slices.Clone(e.noShows)}
}
