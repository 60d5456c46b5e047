package sched

import (
	"math"
	"time"
)

// DefaultCallHorizon is how far ahead call-forward fills the control zone
// when the other side paces the crossings (CallBudget): a few hours, well
// over the hour or two a truck needs for the checkpoints, so the zero line
// never runs dry, and far under the shortest shelf life that matters (an
// unrefrigerated load with a day left).
const DefaultCallHorizon = 4 * time.Hour

// CallBudget is how many trucks the control zone may call now. Room alone
// is not the limit: when the other side takes otherPerHour trucks an hour
// (per working hour, as announced), a zone filled to its room holds trucks
// for room ÷ otherPerHour hours — at Hữu Nghị in December 2021, 30 places
// against 26 trucks a day, more than a day, longer than a day's shelf life
// lasts. So the zone is filled only to what the other side takes within
// horizon (at least one truck while it takes any): ⌈otherPerHour ×
// horizon⌉ less the trucks already inside (inZone), and never more than the
// free places. A truck kept in the waiting area (or at origin) stays in the
// policy's order, where a perishable can still overtake; one in the zone
// cannot.
//
// otherPerHour not announced is passed as negative, NaN or +Inf: only the
// room limits then. 0 announced (the other side has closed) calls nobody. A
// horizon that is not positive is DefaultCallHorizon.
func CallBudget(free, inZone int, otherPerHour float64, horizon time.Duration) int {
	free = max(free, 0)
	if !(otherPerHour >= 0) || math.IsInf(otherPerHour, 1) {
		return free
	}
	if horizon <= 0 {
		horizon = DefaultCallHorizon
	}
	x := math.Ceil(float64(otherPerHour * horizon.Hours()))
	if x >= float64(free+max(inZone, 0)) {
		return free
	}
	limit := int(x)
	if otherPerHour > 0 {
		limit = max(limit, 1)
	}
	return max(0, min(free, limit-max(inZone, 0)))
}

// OtherPerHour is the other side's announced trucks a day spread over the
// hours a day the gate works (its windows' span), the rate CallBudget
// takes. It is +Inf (not announced) when perDay is negative or the gate
// has no hours.
func OtherPerHour(perDay float64, openHours float64) float64 {
	if !(perDay >= 0) || !(openHours > 0) {
		return math.Inf(1)
	}
	return perDay / openHours
}

// NotAnnounced is the other side's capacity per day for ZoneBudget when it
// has announced none.
const NotAnnounced = -1.0

// ZoneBudget is the call budget of a control zone with room places and
// inZone trucks inside, when the other side has announced otherPerDay
// trucks a day (NotAnnounced: none) and the gate works openHours a day:
// CallBudget over the free places and OtherPerHour. The server's calls and
// the simulator's both take it.
func ZoneBudget(room, inZone int, otherPerDay, openHours float64, horizon time.Duration) int {
	return CallBudget(room-inZone, inZone, OtherPerHour(otherPerDay, openHours), horizon)
}
