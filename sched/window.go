package sched

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// MinSamples is how many observations MeasuredRate and NoShowRate need before
// they trust a measurement over the configured figure: below it one slow
// truck or one missed booking would swing a window's capacity.
const MinSamples = 20

// WindowConfig describes a gate's bookable windows for one direction.
// Zero fields take the defaults of DefaultWindowConfig, except Open and
// Close, which a gate must state.
type WindowConfig struct {
	// Length of a window; 60 min by default.
	Length time.Duration
	// HorizonDays is how many days after today (local) may be booked; 14 by default.
	HorizonDays int
	// Open and Close are the gate's hours, "HH:MM" local time. A Close at or
	// before Open runs past midnight; "24:00" closes at midnight.
	Open, Close string
	// Utilization is the share of the measured service rate that windows
	// sell, leaving room for walk-ins and bad hours; 0.85 by default.
	Utilization float64
	// Location is the gate's time zone; Vietnam's (UTC+7, no daylight
	// saving) by default.
	Location *time.Location
}

// vietnam is Asia/Ho_Chi_Minh as a fixed zone: Vietnam has kept UTC+7
// without daylight saving since 1975, and a fixed zone needs no tzdata on
// the host.
var vietnam = time.FixedZone("ICT", 7*60*60)

// DefaultWindowConfig returns 60 min windows, 07:00–20:00 Vietnam time (the
// Lạng Sơn gates' hours since 2025), booked up to 14 days ahead at 85%
// utilization.
func DefaultWindowConfig() WindowConfig {
	return WindowConfig{
		Length:      60 * time.Minute,
		HorizonDays: 14,
		Open:        "07:00",
		Close:       "20:00",
		Utilization: 0.85,
		Location:    vietnam,
	}
}

func (c WindowConfig) withDefaults() WindowConfig {
	d := DefaultWindowConfig()
	if c.Length == 0 {
		c.Length = d.Length
	}
	if c.HorizonDays == 0 {
		c.HorizonDays = d.HorizonDays
	}
	if c.Utilization == 0 {
		c.Utilization = d.Utilization
	}
	if c.Location == nil {
		c.Location = d.Location
	}
	return c
}

// Validate reports the first setting that cannot describe a day of windows.
func (c WindowConfig) Validate() error {
	_, _, err := c.withDefaults().hours()
	return err
}

// hours validates c (defaults applied) and returns its opening and closing
// times as minutes after local midnight, closing > opening.
func (c WindowConfig) hours() (open, close int, err error) {
	if c.Length <= 0 || c.Length > 24*time.Hour {
		return 0, 0, fmt.Errorf("sched: window length %v: must be more than 0 and at most 24h", c.Length)
	}
	if c.HorizonDays < 0 {
		return 0, 0, fmt.Errorf("sched: horizon %d days: must not be negative", c.HorizonDays)
	}
	if !(c.Utilization > 0 && c.Utilization <= 1) {
		return 0, 0, fmt.Errorf("sched: utilization %v: must be more than 0 and at most 1", c.Utilization)
	}
	if open, err = parseHM(c.Open, false); err != nil {
		return 0, 0, fmt.Errorf("sched: opening time: %w", err)
	}
	if close, err = parseHM(c.Close, true); err != nil {
		return 0, 0, fmt.Errorf("sched: closing time: %w", err)
	}
	if close <= open {
		close += 24 * 60
	}
	return open, close, nil
}

func parseHM(s string, closing bool) (int, error) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("%q: must be HH:MM", s)
	}
	for i, c := range []byte(s) {
		if i != 2 && (c < '0' || c > '9') {
			return 0, fmt.Errorf("%q: must be HH:MM", s)
		}
	}
	h = int(s[0]-'0')*10 + int(s[1]-'0')
	m = int(s[3]-'0')*10 + int(s[4]-'0')
	if h == 24 && m == 0 && closing {
		return 24 * 60, nil
	}
	if h > 23 || m > 59 {
		return 0, fmt.Errorf("%q: not a time of day", s)
	}
	return h*60 + m, nil
}

// Window is a bookable time window, in UTC like every stored time.
type Window struct {
	Start, End time.Time
}

// Windows returns the windows of day's local date (in cfg.Location) inside
// opening hours, one Length apart from the opening time. When the hours are
// not a whole number of windows the last one is shorter and ends at closing,
// so no opening time goes unbookable; its capacity follows its length. It
// returns nil when cfg is invalid (see Validate).
func Windows(day time.Time, cfg WindowConfig) []Window {
	cfg = cfg.withDefaults()
	open, close, err := cfg.hours()
	if err != nil {
		return nil
	}
	y, m, d := day.In(cfg.Location).Date()
	start := time.Date(y, m, d, open/60, open%60, 0, 0, cfg.Location)
	end := time.Date(y, m, d, close/60, close%60, 0, 0, cfg.Location) // normalises 24:00 and past midnight
	var ws []Window
	for s := start; s.Before(end); s = s.Add(cfg.Length) {
		e := s.Add(cfg.Length)
		if e.After(end) {
			e = end
		}
		ws = append(ws, Window{Start: s.UTC(), End: e.UTC()})
	}
	return ws
}

// Capacities is how many trucks each of a day's windows sells, given their
// lengths in order: the day's capacity (lanes × the per-lane service rate ×
// the target utilization × the hours) split by cumulative rounding, so that
// window i sells ⌊C(i+1)⌋ − ⌊C(i)⌋ where C(i) is the capacity of the first i
// windows. Rounding each window down on its own loses the
// fractions of every window: a 0.39-truck hour sells nothing all day, and a
// 2.36-truck hour sells 2, 15% less than the lanes serve. Cumulatively, no
// prefix of the day promises more than its lanes serve and the day's total
// is the whole ⌊C⌋, so no window promises a truck its lanes cannot serve.
// Inputs that cannot describe working windows (negative, NaN) give zeros.
func Capacities(lanes int, perLaneHour, utilization float64, lengths []time.Duration) []int {
	out := make([]int, len(lengths))
	if lanes <= 0 || !(perLaneHour > 0) || !(utilization > 0) {
		return out
	}
	utilization = min(utilization, 1)
	// The explicit conversions stop the compiler fusing a multiply with an
	// add, so every platform floors the same number.
	perHour := float64(float64(lanes) * perLaneHour * utilization)
	hours, prev := 0.0, 0
	for i, l := range lengths {
		if l > 0 {
			hours += l.Hours()
		}
		n := floorCount(float64(perHour * hours))
		out[i] = n - prev
		prev = n
	}
	return out
}

// AcceptsEachOn is Accepts over the windows of day number day (DayNumber)
// with capacities caps, by the same cumulative rounding as Capacities, so
// the no-show margin of a day of small windows is not rounded away window by
// window; and with the margin's fraction carried from day to day as
// AcceptsOn carries it: the first i windows take ⌊f + (their capacity) /
// (1 − noShowRate)⌋, where f is the fraction the days before left over.
// Each window still takes at least its capacity, and the day as a whole
// takes AcceptsOn(day, its capacity, noShowRate).
func AcceptsEachOn(day int, caps []int, noShowRate float64) []int {
	out := make([]int, len(caps))
	total := 0
	for _, c := range caps {
		total += max(c, 0)
	}
	x := margin(total, noShowRate)
	f := carried(day, x)
	run, prev := 0, floorCount(f)
	for i, c := range caps {
		run += max(c, 0)
		n := floorCount(float64(f + margin(run, noShowRate)))
		out[i] = n - prev
		prev = n
	}
	return out
}

// Covers reports whether cfg's opening hours cover window w: whether w
// lies inside one business day's hours (the day it starts or, for hours
// running past midnight, the day before), whichever the windows' grid.
// When a gate's hours change, the bookings of windows the new hours still
// cover stand, on the old grid, and the others are released. It is false
// when cfg is invalid.
func Covers(cfg WindowConfig, w Window) bool {
	cfg = cfg.withDefaults()
	local := w.Start.In(cfg.Location)
	for _, d := range []time.Time{local.AddDate(0, 0, -1), local} {
		ws := Windows(d, cfg)
		if len(ws) > 0 && !w.Start.Before(ws[0].Start) && !w.End.After(ws[len(ws)-1].End) {
			return true
		}
	}
	return false
}

// WindowCapacity is the capacity and the bookings accepted of window w, one
// of the windows Windows lists for its gate's business day under cfg (the
// day it opens, or the day before when the hours run past midnight), by
// DayCapacities over that day. It is (0, 0) when w is not
// such a window or cfg is invalid.
func WindowCapacity(w Window, lanes int, perLaneHour, utilization, noShowRate float64, cfg WindowConfig) (capacity, accepts int) {
	cfg = cfg.withDefaults()
	local := w.Start.In(cfg.Location)
	for _, d := range []time.Time{local, local.AddDate(0, 0, -1)} {
		ws := Windows(d, cfg)
		for i, x := range ws {
			if x.Start.Equal(w.Start) && x.End.Equal(w.End) {
				caps, accepts := DayCapacities(DayNumber(ws[0].Start, cfg.Location), lanes, perLaneHour, utilization, noShowRate, Lengths(ws))
				return caps[i], accepts[i]
			}
		}
	}
	return 0, 0
}

// DayNumber is the local date of t in loc as days since 1970-01-01: the
// index by which AcceptsOn and AcceptsEachOn carry the no-show margin from
// one day to the next.
func DayNumber(t time.Time, loc *time.Location) int {
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := t.In(loc).Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// AcceptsOn is Accepts for day number day (DayNumber) of a run of days of
// the same capacity, with the no-show margin's fraction carried over:
// ⌊(day+1)·x⌋ − ⌊day·x⌋ for x = capacity / (1 − noShowRate). Accepts floors
// each day on its own, so a gate of 18 trucks a day at 5% no-shows (x =
// 18.95) takes 18 bookings every day and loses the no-shows' places; carried
// over, it takes 19 on 19 days of 20. The days of any run take ⌊x⌋ or ⌊x⌋+1
// and, on average, x. It never takes fewer than capacity.
func AcceptsOn(day, capacity int, noShowRate float64) int {
	x := margin(capacity, noShowRate)
	f := carried(day, x)
	return floorCount(float64(f+x)) - floorCount(f)
}

// margin is capacity / (1 − noShowRate), the rate clamped as in Accepts.
func margin(capacity int, noShowRate float64) float64 {
	if capacity <= 0 {
		return 0
	}
	if !(noShowRate > 0) { // also NaN
		noShowRate = 0
	}
	noShowRate = min(noShowRate, 0.5)
	return float64(capacity) / float64(1-noShowRate)
}

// carried is the fraction of x the days before day number day left over:
// day·x less its whole part, in [0, 1).
func carried(day int, x float64) float64 {
	if x <= 0 {
		return 0
	}
	dx := float64(float64(day) * x)
	f := float64(dx - math.Floor(dx))
	if f < 0 || f >= 1 {
		return 0
	}
	return f
}

// Lengths returns the windows' lengths, in order, for Capacities.
func Lengths(ws []Window) []time.Duration {
	out := make([]time.Duration, len(ws))
	for i, w := range ws {
		out[i] = w.End.Sub(w.Start)
	}
	return out
}

// Accepts is how many bookings a window of the given capacity takes when a
// share noShowRate of bookings is not used: capacity / (1 − noShowRate),
// rounded down, so that the bookings expected to show stay within capacity.
// The rate is clamped to [0, 0.5]: a gate whose measured no-shows exceed half
// its bookings has a problem overbooking would only hide, and doubling is the
// most any window is oversold.
func Accepts(capacity int, noShowRate float64) int {
	if capacity <= 0 {
		return 0
	}
	if !(noShowRate > 0) { // also NaN
		noShowRate = 0
	}
	noShowRate = min(noShowRate, 0.5)
	return floorCount(float64(capacity) / float64(1-noShowRate))
}

// floorCount rounds a count down, forgiving the last bits of floating-point
// error (2 × 10 × 0.85 must be 17, not 16), and caps it so it fits any int.
func floorCount(x float64) int {
	x = math.Floor(float64(x + 1e-9))
	if x > math.MaxInt32 {
		return math.MaxInt32
	}
	return int(x)
}

// MeasuredRate is the service rate per lane-hour over the window before now:
// crossings in (now − window, now] divided by lanes × window hours. With
// fewer than MinSamples crossings, no lanes or no window it returns fallback,
// the configured rate.
//
// Crossings measure throughput, which equals the service rate only while
// trucks were waiting: pass a window during which the queue was not empty
// and the gate was open, or a quiet hour will read as a slow one.
func MeasuredRate(crossings []time.Time, lanes int, window time.Duration, now time.Time, fallback float64) float64 {
	if lanes <= 0 || window <= 0 {
		return fallback
	}
	from := now.Add(-window)
	n := 0
	for _, c := range crossings {
		if c.After(from) && !c.After(now) {
			n++
		}
	}
	return rateOf(n, lanes, window, fallback)
}

// rateOf is n crossings over lanes × window as a rate per lane-hour, or
// fallback when n is below MinSamples.
func rateOf(n, lanes int, window time.Duration, fallback float64) float64 {
	if n < MinSamples || lanes <= 0 || window <= 0 {
		return fallback
	}
	return float64(n) / float64(float64(lanes)*window.Hours())
}

// NoShowRate is the share of bookings that were not used, once at least
// MinSamples bookings have ended either way; fallback before that.
func NoShowRate(noShows, used int, fallback float64) float64 {
	if noShows < 0 || used < 0 || noShows+used < MinSamples {
		return fallback
	}
	return float64(noShows) / float64(noShows+used)
}

// Errors of the booking rules CheckWindow enforces; a *RuleError wraps one.
var (
	ErrWindowStarted = errors.New("window has started")
	ErrBeyondHorizon = errors.New("window is beyond the booking horizon")
	ErrOutsideHours  = errors.New("window is outside opening hours")
	ErrNotAligned    = errors.New("not the start of a window")
)

// RuleError is a booking rule broken by a requested window. Rule is short,
// names no field and reads after one ("window_start: is outside opening
// hours 07:00–20:00"); errors.Is matches it to its Err… sentinel.
type RuleError struct {
	Rule string
	err  error
}

func (e *RuleError) Error() string { return e.Rule }
func (e *RuleError) Unwrap() error { return e.err }

// CheckWindow reports whether a window starting at start may be booked at
// now: a *RuleError when it breaks a booking rule (in this order: it has
// started, it is beyond the horizon, it is outside opening hours, it is not a
// window start), a plain error when cfg is invalid, nil otherwise.
//
// Booking closes when a window starts: a truck already at the gate could
// otherwise book the current window to jump the live queue.
func CheckWindow(start, now time.Time, cfg WindowConfig) error {
	cfg = cfg.withDefaults()
	if _, _, err := cfg.hours(); err != nil {
		return err
	}
	if !start.After(now) {
		return &RuleError{Rule: "is in the past: booking closes when the window starts", err: ErrWindowStarted}
	}
	// Hours that run past midnight put early-morning windows in the previous
	// day's list, and that day, the gate's business day, is what the horizon
	// counts.
	local := start.In(cfg.Location)
	day, inHours, aligned := local, false, false
	for _, d := range []time.Time{local.AddDate(0, 0, -1), local} {
		for _, w := range Windows(d, cfg) {
			if !start.Before(w.Start) && start.Before(w.End) {
				day, inHours, aligned = d, true, w.Start.Equal(start)
			}
		}
	}
	switch {
	case localDays(now, day, cfg.Location) > cfg.HorizonDays:
		return &RuleError{Rule: fmt.Sprintf("is beyond the booking horizon of %d days", cfg.HorizonDays), err: ErrBeyondHorizon}
	case !inHours:
		return &RuleError{Rule: fmt.Sprintf("is outside opening hours %s–%s", cfg.Open, cfg.Close), err: ErrOutsideHours}
	case !aligned:
		return &RuleError{
			Rule: fmt.Sprintf("is not the start of a window: windows are %s long from %s", fmtDur(cfg.Length), cfg.Open),
			err:  ErrNotAligned,
		}
	}
	return nil
}

// localDays counts calendar days from a's local date to b's.
func localDays(a, b time.Time, loc *time.Location) int {
	ay, am, ad := a.In(loc).Date()
	by, bm, bd := b.In(loc).Date()
	da := time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)
	db := time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da) / (24 * time.Hour))
}

// Nearest returns up to k of the candidates closest to want, closest first
// and the earlier of two equally close; a full window's 409 lists them. The
// caller passes only windows with places left.
func Nearest(want time.Time, candidates []Window, k int) []Window {
	ws := slices.Clone(candidates)
	dist := func(w Window) time.Duration {
		d := w.Start.Sub(want)
		if d < 0 {
			d = -d
		}
		return d
	}
	slices.SortStableFunc(ws, func(a, b Window) int {
		if da, db := dist(a), dist(b); da != db {
			if da < db {
				return -1
			}
			return 1
		}
		return a.Start.Compare(b.Start)
	})
	return ws[:max(0, min(k, len(ws)))]
}
