package sched

import "time"

// ShelfLifeJudgedUntil is the latest window start of a booked truck that
// ShelfLifeHold judges at now: a window starting later than the booking
// tolerance from now meets another queue than today's, and is asked again
// nearer the time.
func ShelfLifeJudgedUntil(now time.Time, tolerance time.Duration) time.Time {
	return now.Add(tolerance)
}

// ShelfLifeHold is the shelf-life question asked of perishable truck t on
// its way to the gate, or about to check in, at in.Now: t as it would
// check in now — Booked with its window if it keeps it, else live — is
// held at origin when its shelf life would not last the wait plus the
// crossing (HoldForShelfLife). A booked truck whose window starts after
// ShelfLifeJudgedUntil is not judged yet (false, 0).
func ShelfLifeHold(p Policy, in Input, t Truck, tolerance time.Duration) (hold bool, need time.Duration) {
	if t.Booked && t.WindowStart.After(ShelfLifeJudgedUntil(in.Now, tolerance)) {
		return false, 0
	}
	return HoldForShelfLife(p, in, t)
}
