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

// Hold is the shelf-life decision about a truck on its way (HoldOnTheWay).
type Hold struct {
	// Hold: the truck is told to hold at origin; Need is the wait plus the
	// crossing its load would have to last.
	Hold bool
	Need time.Duration
	// Release: the truck gives up the window it booked, in the same
	// decision. Kept, the booking would end unused as a no-show, wasting
	// the place and raising the measured no-show rate; released, the place
	// is free, the booking counts neither as used nor as a no-show, and the
	// truck may book again.
	Release bool
}

// HoldOnTheWay is the shelf-life question of ShelfLifeHold asked of
// perishable truck t on its way, with what becomes of its booking:
// hasBooking says the truck holds one, kept (t.Booked with its window) or
// lost by coming too late. A truck told to hold releases it. The server's
// advisory and the simulator's check-in both decide by it.
func HoldOnTheWay(p Policy, in Input, t Truck, hasBooking bool, tolerance time.Duration) Hold {
	hold, need := ShelfLifeHold(p, in, t, tolerance)
	return Hold{Hold: hold, Need: need, Release: hold && hasBooking}
}
