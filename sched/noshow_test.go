package sched

import (
	"testing"
	"time"
)

// TestEndedBookingsRate checks the measured no-show rate's window: only the
// bookings ended in the 30 days before now count, the configured rate
// stands until MinSamples of them, and a ledger pruned over a long run
// counts as one that kept everything.
func TestEndedBookingsRate(t *testing.T) {
	var e EndedBookings
	for i := range MinSamples - 1 {
		e.End(t0.Add(time.Duration(i)*time.Minute), i%2 == 0)
	}
	if r := e.Rate(t0.Add(time.Hour), 0.05); r != 0.05 {
		t.Errorf("%d ended bookings: rate %v, want the configured 0.05", MinSamples-1, r)
	}
	e.End(t0.Add(time.Hour), false)
	if r := e.Rate(t0.Add(time.Hour), 0.05); r != 0.5 {
		t.Errorf("%d ended, half no-shows: rate %v, want 0.5", MinSamples, r)
	}
	if r := e.Rate(t0.Add(NoShowWindow+time.Hour), 0.05); r != 0.05 {
		t.Errorf("all ended more than 30 days ago: rate %v, want the configured 0.05", r)
	}
	// One booking an hour for 90 days, every fourth a no-show.
	var long EndedBookings
	n := 90 * 24
	for i := range n {
		long.End(t0.Add(time.Duration(i)*time.Hour), i%4 == 0)
	}
	last := t0.Add(time.Duration(n-1) * time.Hour)
	noShows, used := long.Since(last.Add(-NoShowWindow))
	if noShows+used != 30*24 || noShows != 30*24/4 {
		t.Errorf("last 30 days of 90: %d no-shows, %d used; want %d of %d", noShows, used, 30*24/4, 30*24)
	}
	if got := len(long.Recent()); got != 30*24 {
		t.Errorf("Recent: %d bookings, want the %d of the last 30 days", got, 30*24)
	}
}
