package sched

import "time"

// DayCapacities is the capacity and the bookings accepted of each window of
// one day, given the windows' lengths in order and the day's number
// (DayNumber): the day's capacity split over its windows (Capacities), and
// the no-show margin over them with its fraction carried from day to day
// (AcceptsEachOn). It is the window rule the server's windows and bookings
// and the simulator's windows all take.
func DayCapacities(day, lanes int, perLaneHour, utilization, noShowRate float64, lengths []time.Duration) (caps, accepts []int) {
	caps = Capacities(lanes, perLaneHour, utilization, lengths)
	return caps, AcceptsEachOn(day, caps, noShowRate)
}
