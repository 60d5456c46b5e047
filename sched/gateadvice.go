package sched

import "time"

// BookedAheadSpan is how far ahead the advisory counts bookings: windows
// starting after now and no later than now + BookedAheadSpan.
const BookedAheadSpan = 24 * time.Hour

// GateFacts is what a gate knows when it advises, as the store keeps it and
// the simulator models it; AdviceFor turns it into the advisory's input.
type GateFacts struct {
	// Policy and Input are the gate's policy and its input now: the trucks
	// waiting, the crossing time and the measured service rate in trucks an
	// hour (ServiceRatePerLane × lanes).
	Policy Policy
	Input  Input
	// OpenHours is the hours the gate works today (its windows' span).
	OpenHours float64
	// BookedAhead is the active bookings whose window starts in
	// (now, now + BookedAheadSpan], and NoShowRate the gate's no-show rate
	// (NoShowRate: measured, or the configured one until enough bookings
	// have ended).
	BookedAhead int
	NoShowRate  float64
	// Held is the trucks the current advisory episode told to hold at
	// origin that have not come.
	Held int
	// ShelfLife is the shelf life of the typical perishable arrival the
	// advisory considers; 0 when none is expected.
	ShelfLife time.Duration
	// OtherPerDay is the other side's capacity when OtherAnnounced.
	OtherPerDay    float64
	OtherAnnounced bool
	Thresholds     Thresholds
}

// AdviceFor is the advisory's input at a gate with facts f: our side clears
// the measured service rate over the day's hours; the bookings ahead count
// less the share that will not show (those that show are called ahead of a
// live truck); a perishable probe arriving now with the typical shelf life
// is ranked by the gate's policy for PerishableWait (WaitUnknown when no
// perishable is expected).
func AdviceFor(f GateFacts) AdviceInput {
	in := AdviceInput{
		Waiting:        len(f.Input.Waiting),
		Thresholds:     f.Thresholds,
		OurPerDay:      f.Input.ServiceRate * f.OpenHours,
		ShelfLife:      f.ShelfLife,
		CrossingTime:   f.Input.CrossingTime,
		Booked:         float64(f.BookedAhead) * (1 - f.NoShowRate),
		Held:           f.Held,
		PerishableWait: WaitUnknown,
		OtherPerDay:    f.OtherPerDay,
		OtherAnnounced: f.OtherAnnounced,
	}
	if !f.OtherAnnounced {
		in.OtherPerDay = 0
	}
	if f.ShelfLife > 0 && f.Policy != nil {
		in.PerishableWait = ExpectedWait(f.Policy, f.Input, Truck{SpoilsAt: f.Input.Now.Add(f.ShelfLife)})
	}
	return in
}

// levelRank orders the congestion levels, green lowest.
func levelRank(l Level) int {
	switch l {
	case Yellow:
		return 1
	case Orange:
		return 2
	case Red:
		return 3
	}
	return 0
}

// AdvisoryChanged reports whether advice adv is news after the last one
// announced (lastActive, lastLevel; announced false when there was none):
// it came into force, its level rose inside an episode, or it cleared. The
// server logs an advisory event, and tells the trips on their way, exactly
// then; the simulator's trace of a scripted run records the same moments.
func AdvisoryChanged(announced, lastActive bool, lastLevel Level, adv Advice) bool {
	if !adv.Active {
		return announced && lastActive
	}
	if !announced || !lastActive {
		return true
	}
	return levelRank(adv.Level) > levelRank(lastLevel)
}
