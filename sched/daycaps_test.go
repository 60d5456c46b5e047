package sched

import (
	"testing"
	"time"
)

func TestDayCapacities(t *testing.T) {
	// Hữu Nghị in December 2021: 26 trucks a day over 11 one-hour windows,
	// 5% no-shows.
	lengths := make([]time.Duration, 11)
	for i := range lengths {
		lengths[i] = time.Hour
	}
	for day := 20000; day < 20030; day++ {
		caps, accepts := DayCapacities(day, 1, 26.0/11, 1, 0.05, lengths)
		total, taken := 0, 0
		for i := range caps {
			if accepts[i] < caps[i] {
				t.Errorf("day %d window %d: accepts %d, below its capacity %d", day, i, accepts[i], caps[i])
			}
			total += caps[i]
			taken += accepts[i]
		}
		if total != 26 {
			t.Errorf("day %d: capacity %d, want 26", day, total)
		}
		if want := AcceptsOn(day, 26, 0.05); taken != want {
			t.Errorf("day %d: accepts %d, want AcceptsOn's %d", day, taken, want)
		}
	}
	// Over the days the margin adds up to the no-show share: 30 days of 26
	// take 30 × 26 / 0.95 bookings, rounded down.
	sum := 0
	for day := 20000; day < 20030; day++ {
		_, accepts := DayCapacities(day, 1, 26.0/11, 1, 0.05, lengths)
		for _, a := range accepts {
			sum += a
		}
	}
	if lo, hi := 820, 822; sum < lo || sum > hi {
		t.Errorf("30 days accept %d bookings, want %d–%d (780 / 0.95 = 821.05)", sum, lo, hi)
	}
}
