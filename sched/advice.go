package sched

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/cuakhau/cuakhau/notice"
)

// Level is a gate's congestion level, as the national single-window portal
// shows it.
type Level string

// Levels, from no congestion to the worst.
const (
	Green  Level = "green"
	Yellow Level = "yellow"
	Orange Level = "orange"
	Red    Level = "red"
)

// Thresholds are the trucks waiting at which a gate turns yellow, orange and
// red.
type Thresholds struct {
	Yellow, Orange, Red int
}

// DefaultThresholds returns the national levels: green below 500 trucks
// waiting, yellow 500–1,000, orange 1,000–5,000, red above 5,000. They are
// for all of a province's gates; a single gate scales them (Scaled).
func DefaultThresholds() Thresholds { return Thresholds{Yellow: 500, Orange: 1000, Red: 5000} }

// Scaled multiplies the thresholds by factor (a gate's share of the national
// figures, say its yard against the province's), rounding and keeping each
// at least 1 and in order. A factor that is not positive leaves them as they
// are.
func (t Thresholds) Scaled(factor float64) Thresholds {
	if !(factor > 0) || math.IsInf(factor, 1) {
		return t
	}
	scale := func(n, floor int) int {
		x := math.Round(float64(float64(n) * factor))
		if x > math.MaxInt32 {
			x = math.MaxInt32
		}
		return max(int(x), floor, 1)
	}
	y := scale(t.Yellow, 1)
	o := scale(t.Orange, y)
	r := scale(t.Red, o)
	return Thresholds{Yellow: y, Orange: o, Red: r}
}

// LevelFor is the level of a gate with waiting trucks waiting. The national
// bands share their edges ("500–1,000", "1,000–5,000", "above 5,000"); each
// edge belongs to the higher band except Red's, which must be exceeded.
// Zero thresholds are the national defaults.
func LevelFor(waiting int, th Thresholds) Level {
	if th == (Thresholds{}) {
		th = DefaultThresholds()
	}
	switch {
	case waiting > th.Red:
		return Red
	case waiting >= th.Orange:
		return Orange
	case waiting >= th.Yellow:
		return Yellow
	}
	return Green
}

// AdviceInput is what the inflow advisory looks at, per gate (and direction
// when the gate runs them apart).
type AdviceInput struct {
	// Waiting is the trucks in the waiting area and on the approach roads.
	Waiting    int
	Thresholds Thresholds // zero: DefaultThresholds
	// OurPerDay is the trucks a day our side clears (lanes × measured rate ×
	// hours open). OtherPerDay is what the other side announced it will take,
	// when OtherAnnounced; 0 announced means it has closed.
	OurPerDay      float64
	OtherPerDay    float64
	OtherAnnounced bool
	// ShelfLife is the shortest remaining shelf life among perishable
	// arrivals expected (or a typical one); 0 when none are expected.
	ShelfLife time.Duration
	// PerishableWait is the predicted wait of a perishable arriving now
	// (ExpectedWait under the gate's policy); WaitUnknown to estimate it as
	// the time the backlog takes to clear.
	PerishableWait time.Duration
	// CrossingTime is the time from call to crossed, which the shelf life
	// must also cover.
	CrossingTime time.Duration
	// Held is the trucks the advisory told to hold at origin that have not
	// come to the gate yet. They are demand the gate has not served: while
	// there are any the advisory stays in force, or it would lift the moment
	// the waiting area empties and send the walk-ins it held back onto
	// roads whose windows the held trucks have already booked.
	Held int
	// Booked is the bookings of the next 24 hours expected to show (booked
	// × (1 − no-show rate)) that have not arrived. Booked trucks are called
	// before the live queue, so when they and the trucks waiting take longer
	// to clear than a perishable lasts, a truck coming now without a booking
	// would wait too long whatever its place among the live ones.
	Booked float64
}

// Advice is what the gate tells those still on the way.
type Advice struct {
	Level Level
	// Active is true when an advisory is in force: a perishable arriving now
	// would wait longer than its shelf life, or behind the trucks waiting and
	// booked for the next day (at ClearingPerDay) its shelf life would not
	// last, the other side takes fewer trucks than ours clears, or trucks
	// told to hold have not come back. While it is, bookings for a day beyond
	// MaxBookingsPerDay are refused, with Reason.
	Active       bool
	StopBookings bool // Active and MaxBookingsPerDay is 0
	// MaxBookingsPerDay is the trucks that can clear a day after the
	// backlog, within the shelf life: ClearingPerDay − Backlog / (ShelfLife
	// in days), floored and at least 0; ClearingPerDay when no shelf life is
	// given. The backlog is the trucks waiting beyond what clears within
	// DefaultCallHorizon: those are the queue that keeps the bottleneck
	// busy, and counting them would shed it — at 18 trucks a day, 2 waiting
	// would cut a day's bookings by 11%. It is computed whether or not
	// Active, and only binds when Active; bookings that will not show clear
	// nothing, so a day takes Accepted(no-show rate) bookings.
	MaxBookingsPerDay int
	// ClearingPerDay is the lesser of our side's and the other side's
	// (announced) trucks a day.
	ClearingPerDay float64
	// ShedWithin is how long the cap takes to shed the backlog: the shelf
	// life when MaxBookingsPerDay is above 0, else the time the backlog
	// takes to clear with no bookings at all; 0 when nothing is shed. A day
	// that starts later than that comes after the backlog has cleared and
	// takes the whole ClearingPerDay (AcceptedOn): capping every day ahead
	// at today's reduced figure would push a held truck's booking weeks out,
	// and those windows stay empty when the congestion is over.
	ShedWithin time.Duration
	// Says is what the advisory tells drivers and companies, clause by
	// clause (the notice catalogue's Advisory* keys); Text is it in
	// Vietnamese, TextEN and TextZH the same in English and Chinese
	// (notice.AdviceText); all empty when not Active.
	Says                 []notice.Notice
	Text, TextEN, TextZH string
	// Reason is the same for logs and error messages, in English.
	Reason string
}

// Accepted is the bookings a day takes under the advisory's cap when a
// share noShowRate of bookings is not used: Accepts(MaxBookingsPerDay,
// noShowRate). The cap counts trucks that clear; a booking that does not
// show clears nothing, and without the margin a gate paced by the other
// side would lose its no-show share every day.
func (a Advice) Accepted(noShowRate float64) int { return Accepts(a.MaxBookingsPerDay, noShowRate) }

// AcceptedOn is the bookings day number day (DayNumber), which starts ahead
// from now, takes under the advisory's cap: MaxBookingsPerDay while the
// backlog is being shed (ahead below ShedWithin), the whole ClearingPerDay
// after, each with its no-show margin carried from day to day (AcceptsOn)
// as the windows carry theirs — a cap of 18 a day rounded on its own would
// take back the margin the windows sell.
func (a Advice) AcceptedOn(day int, ahead time.Duration, noShowRate float64) int {
	if a.ShedWithin > 0 && ahead >= a.ShedWithin {
		return AcceptsOn(day, floorCount(max(a.ClearingPerDay, 0)), noShowRate)
	}
	return AcceptsOn(day, a.MaxBookingsPerDay, noShowRate)
}

// Advise decides the inflow advisory. It is what was missing in December
// 2021, when the other side cleared 80–100 trucks a day while thousands more
// kept coming: once a perishable cannot clear within its shelf life, or the
// other side's capacity falls below ours, it says so and caps new bookings
// at what can clear.
func Advise(a AdviceInput) Advice {
	adv := Advice{Level: LevelFor(a.Waiting, a.Thresholds)}
	clearing := max(a.OurPerDay, 0)
	if a.OtherAnnounced {
		clearing = min(clearing, max(a.OtherPerDay, 0))
	}
	adv.ClearingPerDay = clearing

	adv.MaxBookingsPerDay = floorCount(clearing)
	if a.ShelfLife > 0 {
		days := a.ShelfLife.Hours() / 24
		backlog := max(float64(float64(max(a.Waiting, 0))-clearing*DefaultCallHorizon.Hours()/24), 0)
		adv.MaxBookingsPerDay = floorCount(max(float64(clearing-backlog/days), 0))
		if backlog > 0 {
			adv.ShedWithin = a.ShelfLife
			if adv.MaxBookingsPerDay == 0 {
				adv.ShedWithin = max(a.ShelfLife, backlogWait(int(math.Ceil(backlog)), clearing))
			}
		}
	}

	wait := a.PerishableWait
	if wait < 0 {
		wait = backlogWait(a.Waiting, clearing)
	}
	need := wait + max(a.CrossingTime, 0)
	if need < wait {
		need = math.MaxInt64
	}
	spoils := a.ShelfLife > 0 && need > a.ShelfLife
	// The policy's prediction is a snapshot of the waiting area; the trucks
	// booked for the next day come in ahead of a live one all the same.
	ahead := backlogWait(max(a.Waiting, 0)+count(a.Booked), clearing)
	full := !spoils && a.ShelfLife > 0 && satAdd(ahead, max(a.CrossingTime, 0)) > a.ShelfLife
	short := a.OtherAnnounced && a.OtherPerDay < a.OurPerDay
	held := a.Held > 0
	if !spoils && !full && !short && !held {
		return adv
	}
	adv.Active = true
	adv.StopBookings = adv.MaxBookingsPerDay == 0

	var says []notice.Notice
	var why []string
	if spoils {
		says = append(says, notice.Notice{Key: notice.AdvisoryPerishableWait, Args: notice.Args{Wait: wait, ShelfLife: a.ShelfLife}})
		why = append(why, fmt.Sprintf("perishable wait %s (+%s crossing) exceeds shelf life %s", fmtDur(wait), fmtDur(max(a.CrossingTime, 0)), fmtDur(a.ShelfLife)))
	}
	if full {
		says = append(says, notice.Notice{Key: notice.AdvisoryBacklogBeyondShelfLife, Args: notice.Args{Wait: ahead, ShelfLife: a.ShelfLife}})
		why = append(why, fmt.Sprintf("waiting and booked take %s (+%s crossing) to clear, beyond shelf life %s", fmtDur(ahead), fmtDur(max(a.CrossingTime, 0)), fmtDur(a.ShelfLife)))
	}
	if short {
		other, our := count(a.OtherPerDay), count(a.OurPerDay)
		says = append(says, notice.Notice{Key: notice.AdvisoryOtherSideShort, Args: notice.Args{Count: other, Capacity: our}})
		why = append(why, fmt.Sprintf("other side takes %d trucks/day, below our %d", other, our))
	}
	if held && !spoils && !full && !short {
		says = append(says, notice.Notice{Key: notice.AdvisoryHeldAtOrigin, Args: notice.Args{Count: a.Held}})
		why = append(why, fmt.Sprintf("%d trucks told to hold have not come back", a.Held))
	}
	if adv.StopBookings {
		says = append(says, notice.Notice{Key: notice.AdvisoryBookingsStopped})
		why = append(why, "bookings stopped")
	} else {
		n := adv.MaxBookingsPerDay
		says = append(says, notice.Notice{Key: notice.AdvisoryBookingsCapped, Args: notice.Args{Count: n}})
		why = append(why, fmt.Sprintf("bookings capped at %d/day", n))
	}
	adv.Says = says
	adv.Text = notice.AdviceText(notice.VI, says)
	adv.TextEN = notice.AdviceText(notice.EN, says)
	adv.TextZH = notice.AdviceText(notice.ZH, says)
	adv.Reason = strings.Join(why, "; ")
	return adv
}

// backlogWait is how long the trucks waiting take to clear, the estimate
// when no policy prediction is at hand; forever when nothing clears.
func backlogWait(waiting int, perDay float64) time.Duration {
	if waiting <= 0 {
		return 0
	}
	if !(perDay > 0) {
		return math.MaxInt64
	}
	d := float64(float64(waiting) / perDay * float64(24*time.Hour))
	if d >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(d)
}

func count(x float64) int { return floorCount(max(x, 0)) }

// BookingUtilization is the share of the clearing rate a window sells (see
// WindowConfig.Utilization) while adv is the gate's advisory; walkIns is
// whether trucks without a booking may be called in the window (not, say,
// while only pre-registered cargo may cross after Tết). The margin below 1
// is room for walk-ins and bad hours. While an advisory is in force
// walk-ins are told to hold and come back through bookings, and when they
// may not be called at all nobody can use the margin: in both cases a
// margin would only leave the bottleneck idle while trucks wait at origin
// for a window, so windows sell the whole rate.
func BookingUtilization(base float64, adv Advice, walkIns bool) float64 {
	if adv.Active || !walkIns {
		return 1
	}
	return base
}

// HoldForShelfLife reports whether perishable truck t, about to come to the
// gate (or checking in), should rather be held at origin: what is left of
// its shelf life at in.Now is shorter than the wait p predicts for it in
// in's queue (ExpectedWait) plus in.CrossingTime. Calling it in would only
// spoil it, and take a place from a load that can still be saved; held at
// origin, the load is not yet on the road. need is the predicted time to
// cross (an upper bound when even the fifo turn clears in time; 0 when the
// truck is not perishable or its wait cannot be predicted).
//
// The advisory's daily cap (Advise) is for a typical perishable; this is
// the same question asked of each truck with its own shelf life.
func HoldForShelfLife(p Policy, in Input, t Truck) (hold bool, need time.Duration) {
	if !t.Perishable() {
		return false, 0
	}
	left := t.SpoilsAt.Sub(in.Now)
	crossing := max(in.CrossingTime, 0)
	// The fifo turn bounds every policy's wait from above (the truck last
	// of all): when even that clears in time, no ranking is needed, which
	// keeps the check cheap on a long queue.
	if turn := FIFOTurn(in, t); !turn.IsZero() {
		if n := satAdd(turn.Sub(in.Now), crossing); n <= left {
			return false, n
		}
	}
	wait := ExpectedWait(p, in, t)
	if wait < 0 {
		return false, 0
	}
	need = satAdd(wait, crossing)
	return need > left, need
}
