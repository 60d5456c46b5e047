package sched

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// local is a wall-clock time at the gate (UTC+7).
func local(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, vietnam)
}

func TestWindows(t *testing.T) {
	day := local(2025, 4, 25, 12, 0)
	span := func(ws []Window) []string {
		out := make([]string, len(ws))
		for i, w := range ws {
			out[i] = w.Start.In(vietnam).Format("02 15:04") + "–" + w.End.In(vietnam).Format("02 15:04")
		}
		return out
	}
	for _, tt := range []struct {
		name string
		day  time.Time
		cfg  WindowConfig
		want []string
	}{
		{"two hours", day, WindowConfig{Open: "07:00", Close: "09:00"}, []string{"25 07:00–25 08:00", "25 08:00–25 09:00"}},
		{"last window shorter", day, WindowConfig{Open: "07:00", Close: "10:00", Length: 80 * time.Minute},
			[]string{"25 07:00–25 08:20", "25 08:20–25 09:40", "25 09:40–25 10:00"}},
		{"past midnight", day, WindowConfig{Open: "22:00", Close: "01:00"},
			[]string{"25 22:00–25 23:00", "25 23:00–26 00:00", "26 00:00–26 01:00"}},
		{"until midnight", day, WindowConfig{Open: "22:30", Close: "24:00"}, []string{"25 22:30–25 23:30", "25 23:30–26 00:00"}},
		// 20:00 UTC on the 24th is already 03:00 on the 25th at the gate.
		{"day read in gate time", time.Date(2025, 4, 24, 20, 0, 0, 0, time.UTC), WindowConfig{Open: "07:00", Close: "08:00"}, []string{"25 07:00–25 08:00"}},
		{"bad hours", day, WindowConfig{Open: "7:00", Close: "08:00"}, []string{}},
	} {
		if diff := cmp.Diff(tt.want, span(Windows(tt.day, tt.cfg))); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}

	ws := Windows(day, DefaultWindowConfig())
	if len(ws) != 13 || !ws[0].Start.Equal(time.Date(2025, 4, 25, 0, 0, 0, 0, time.UTC)) || ws[0].Start.Location() != time.UTC {
		t.Errorf("default windows: %d, first %v; want 13 from 07:00 local, in UTC", len(ws), ws[0].Start)
	}
}

func TestWindowConfigValidate(t *testing.T) {
	for _, tt := range []struct {
		cfg  WindowConfig
		want string
	}{
		{DefaultWindowConfig(), ""},
		{WindowConfig{Open: "07:00", Close: "20:00"}, ""},
		{WindowConfig{Open: "7:00", Close: "20:00"}, `sched: opening time: "7:00": must be HH:MM`},
		{WindowConfig{Open: "07:00", Close: "25:00"}, `sched: closing time: "25:00": not a time of day`},
		{WindowConfig{Open: "24:00", Close: "08:00"}, `sched: opening time: "24:00": not a time of day`},
		{WindowConfig{Open: "07:00", Close: "20:00", Length: -time.Hour}, "sched: window length -1h0m0s: must be more than 0 and at most 24h"},
		{WindowConfig{Open: "07:00", Close: "20:00", Utilization: 1.2}, "sched: utilization 1.2: must be more than 0 and at most 1"},
		{WindowConfig{Open: "07:00", Close: "20:00", HorizonDays: -1}, "sched: horizon -1 days: must not be negative"},
	} {
		got := ""
		if err := tt.cfg.Validate(); err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("Validate(%+v) = %q, want %q", tt.cfg, got, tt.want)
		}
	}
}

// TestOneWindow checks the rounding of a window on its own: down, so no
// window promises a truck its lanes cannot serve, and exactly at whole trucks.
func TestOneWindow(t *testing.T) {
	for _, tt := range []struct {
		lanes       int
		perLaneHour float64
		util        float64
		length      time.Duration
		want        int
	}{
		{2, 10, 0.85, time.Hour, 17}, // 17.0 exactly, not 16.999…
		{1, 7, 0.85, time.Hour, 5},   // 5.95
		{3, 12.5, 0.85, 90 * time.Minute, 47},
		{4, 15, 1, 20 * time.Minute, 20},
		{2, 10, 1.5, time.Hour, 20}, // utilization above 1 is clamped
		{0, 10, 0.85, time.Hour, 0},
		{-1, 10, 0.85, time.Hour, 0},
		{2, math.NaN(), 0.85, time.Hour, 0},
		{2, 10, 0.85, 0, 0},
	} {
		if got := Capacities(tt.lanes, tt.perLaneHour, tt.util, []time.Duration{tt.length})[0]; got != tt.want {
			t.Errorf("Capacities(%d, %v, %v, [%v]) = %d, want %d", tt.lanes, tt.perLaneHour, tt.util, tt.length, got, tt.want)
		}
	}
}

func TestAccepts(t *testing.T) {
	for _, tt := range []struct {
		capacity int
		noShow   float64
		want     int
	}{
		{17, 0, 17},
		{17, 0.1, 18}, // 18.9: 18 × 0.9 = 16.2 expected to show
		{100, 0.2, 125},
		{10, 0.5, 20},
		{10, 0.7, 20}, // clamped to 0.5
		{17, -0.1, 17},
		{17, math.NaN(), 17},
		{0, 0.1, 0},
		{-3, 0.1, 0},
	} {
		if got := Accepts(tt.capacity, tt.noShow); got != tt.want {
			t.Errorf("Accepts(%d, %v) = %d, want %d", tt.capacity, tt.noShow, got, tt.want)
		}
	}
}

// TestOverbookingArithmetic: a window never accepts more bookings than its
// capacity can take at the expected show rate, and never turns away one it
// could; a window never promises a fraction of a truck it cannot serve.
func TestOverbookingArithmetic(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	const eps = 1e-6
	for range 20000 {
		c := r.IntN(2000)
		rate := r.Float64() * 0.5
		if r.IntN(10) == 0 {
			rate = float64(r.IntN(50)) / 100 // round rates, where float error bites
		}
		a := Accepts(c, rate)
		if show := float64(a) * (1 - rate); show > float64(c)+eps {
			t.Fatalf("Accepts(%d, %v) = %d: %v expected to show, over capacity", c, rate, a, show)
		}
		if show := float64(a+1) * (1 - rate); show <= float64(c)-eps {
			t.Fatalf("Accepts(%d, %v) = %d: one more (%v expected) would still fit", c, rate, a, show)
		}

		lanes, per, util := r.IntN(8), float64(r.IntN(400))/10, float64(r.IntN(101))/100
		length := time.Duration(1+r.IntN(180)) * time.Minute
		exact := float64(lanes) * per * util * length.Hours()
		if got := Capacities(lanes, per, util, []time.Duration{length})[0]; float64(got) > exact+eps || float64(got+1) <= exact-eps {
			t.Fatalf("Capacities(%d, %v, %v, [%v]) = %d, exact %v", lanes, per, util, length, got, exact)
		}
	}
}

func TestMeasuredRate(t *testing.T) {
	now := t0
	every := func(n int, gap time.Duration) []time.Time {
		var cs []time.Time
		for i := range n {
			cs = append(cs, now.Add(-time.Duration(i)*gap))
		}
		return cs
	}
	for _, tt := range []struct {
		name      string
		crossings []time.Time
		lanes     int
		window    time.Duration
		want      float64
	}{
		{"30 in an hour, 2 lanes", every(30, 2*time.Minute), 2, time.Hour, 15},
		{"too few", every(19, time.Minute), 2, time.Hour, 9.5},
		// 40 crossings a minute apart: the one at now−60m is outside (now−window, now].
		{"window bounds", every(40, 3*time.Minute/2), 1, time.Hour, 40},
		{"no lanes", every(30, time.Minute), 0, time.Hour, 9.5},
		{"future crossings ignored", append(every(20, time.Minute), now.Add(time.Minute)), 1, time.Hour, 20},
	} {
		if got := MeasuredRate(tt.crossings, tt.lanes, tt.window, now, 9.5); got != tt.want {
			t.Errorf("%s: MeasuredRate = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestNoShowRate(t *testing.T) {
	for _, tt := range []struct {
		noShows, used int
		want          float64
	}{
		{5, 45, 0.1},
		{0, 20, 0},
		{1, 10, 0.07}, // too few: the configured rate
		{-1, 40, 0.07},
	} {
		if got := NoShowRate(tt.noShows, tt.used, 0.07); got != tt.want {
			t.Errorf("NoShowRate(%d, %d) = %v, want %v", tt.noShows, tt.used, got, tt.want)
		}
	}
}

func TestCheckWindow(t *testing.T) {
	now := local(2025, 4, 25, 10, 20)
	def := DefaultWindowConfig()
	night := WindowConfig{Open: "22:00", Close: "02:00"}
	for _, tt := range []struct {
		name  string
		start time.Time
		cfg   WindowConfig
		want  error
		rule  string
	}{
		{"next window", local(2025, 4, 25, 11, 0), def, nil, ""},
		{"last window of the horizon", local(2025, 5, 9, 19, 0), def, nil, ""},
		{"started", local(2025, 4, 25, 10, 0), def, ErrWindowStarted, "is in the past: booking closes when the window starts"},
		{"starts now", now, def, ErrWindowStarted, "is in the past: booking closes when the window starts"},
		{"yesterday, misaligned too", local(2025, 4, 24, 9, 13), def, ErrWindowStarted, "is in the past: booking closes when the window starts"},
		{"beyond the horizon", local(2025, 5, 10, 7, 0), def, ErrBeyondHorizon, "is beyond the booking horizon of 14 days"},
		{"before opening", local(2025, 4, 26, 6, 0), def, ErrOutsideHours, "is outside opening hours 07:00–20:00"},
		{"at closing", local(2025, 4, 25, 20, 0), def, ErrOutsideHours, "is outside opening hours 07:00–20:00"},
		{"half past", local(2025, 4, 25, 11, 30), def, ErrNotAligned, "is not the start of a window: windows are 1h long from 07:00"},
		{"after midnight, previous day's hours", local(2025, 4, 26, 1, 0), night, nil, ""},
		{"after the night's closing", local(2025, 4, 26, 2, 0), night, ErrOutsideHours, "is outside opening hours 22:00–02:00"},
		// The horizon counts the business day the night's hours began on.
		{"last night of the horizon", local(2025, 5, 10, 1, 0), night, nil, ""},
		{"night after the horizon", local(2025, 5, 10, 22, 0), night, ErrBeyondHorizon, "is beyond the booking horizon of 14 days"},
		// UTC in, as the API receives it: 04:00Z is 11:00 at the gate.
		{"given in UTC", time.Date(2025, 4, 25, 4, 0, 0, 0, time.UTC), def, nil, ""},
	} {
		err := CheckWindow(tt.start, now, tt.cfg)
		if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
			t.Errorf("%s: CheckWindow = %v, want %v", tt.name, err, tt.want)
			continue
		}
		var re *RuleError
		if tt.want != nil && (!errors.As(err, &re) || re.Rule != tt.rule) {
			t.Errorf("%s: rule = %v, want %q", tt.name, err, tt.rule)
		}
	}

	err := CheckWindow(local(2025, 4, 25, 11, 0), now, WindowConfig{Open: "7", Close: "20:00"})
	var re *RuleError
	if err == nil || errors.As(err, &re) {
		t.Errorf("bad config: CheckWindow = %v, want a config error that is not a *RuleError", err)
	}
}

// TestWindowsAreBookable: every window Windows lists over the horizon that
// has not started passes CheckWindow.
func TestWindowsAreBookable(t *testing.T) {
	now := local(2025, 4, 25, 10, 20)
	for _, cfg := range []WindowConfig{
		DefaultWindowConfig(),
		{Open: "06:30", Close: "23:00", Length: 45 * time.Minute, HorizonDays: 3},
		{Open: "20:00", Close: "04:00", Length: 90 * time.Minute},
	} {
		n := 0
		for d := range cfg.withDefaults().HorizonDays + 1 {
			for _, w := range Windows(now.AddDate(0, 0, d), cfg) {
				if !w.Start.After(now) {
					continue
				}
				n++
				if err := CheckWindow(w.Start, now, cfg); err != nil {
					t.Errorf("%+v: window %v: %v", cfg, w.Start, err)
				}
			}
		}
		if n == 0 {
			t.Errorf("%+v: no windows", cfg)
		}
	}
}

func TestNearest(t *testing.T) {
	at := func(h int) Window {
		s := local(2025, 4, 25, h, 0).UTC()
		return Window{Start: s, End: s.Add(time.Hour)}
	}
	free := []Window{at(7), at(9), at(12), at(13), at(16)}
	want := []Window{at(9), at(12), at(13)} // 10:30 is 1h30 from 9 and 12: the earlier first
	if diff := cmp.Diff(want, Nearest(local(2025, 4, 25, 10, 30), free, 3)); diff != "" {
		t.Errorf("Nearest (-want +got):\n%s", diff)
	}
	if got := Nearest(local(2025, 4, 25, 10, 30), free, 0); len(got) != 0 {
		t.Errorf("Nearest(k=0) = %v", got)
	}
}

// FuzzWindowConfig: any opening hours either fail Validate or give windows
// that tile them, each one bookable the day before.
func FuzzWindowConfig(f *testing.F) {
	for _, s := range [][2]string{{"07:00", "20:00"}, {"22:00", "02:00"}, {"00:00", "00:00"}, {"23:59", "24:00"}, {"7:00", "x"}, {"24:00", "07:00"}} {
		f.Add(s[0], s[1], int64(60))
	}
	f.Fuzz(func(t *testing.T, open, close string, minutes int64) {
		cfg := WindowConfig{Open: open, Close: close, Length: time.Duration(minutes) * time.Minute}
		day := local(2025, 4, 25, 12, 0)
		ws := Windows(day, cfg)
		if cfg.Validate() != nil {
			if ws != nil {
				t.Fatalf("invalid %+v gave windows %v", cfg, ws)
			}
			return
		}
		if len(ws) == 0 {
			t.Fatalf("%+v: no windows", cfg)
		}
		length := cfg.withDefaults().Length // a zero Length is the default
		for i, w := range ws {
			if !w.End.After(w.Start) || w.End.Sub(w.Start) > length || (i > 0 && !w.Start.Equal(ws[i-1].End)) {
				t.Fatalf("%+v: window %d %v–%v", cfg, i, w.Start, w.End)
			}
			if err := CheckWindow(w.Start, w.Start.Add(-24*time.Hour), cfg); err != nil {
				t.Fatalf("%+v: window %v: %v", cfg, w.Start, err)
			}
		}
		if span := ws[len(ws)-1].End.Sub(ws[0].Start); span <= 0 || span > 24*time.Hour {
			t.Fatalf("%+v: windows span %v", cfg, span)
		}
	})
}

func hourWindows(n int) []time.Duration {
	ls := make([]time.Duration, n)
	for i := range ls {
		ls[i] = time.Hour
	}
	return ls
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

func TestCapacities(t *testing.T) {
	for _, tt := range []struct {
		name        string
		perHour     float64
		utilization float64
		lengths     []time.Duration
		want        []int
	}{
		// December 2021 at Cốc Nam: 5 trucks a day over 11 hours. Window by
		// window, 0.45 rounds to 0 and the gate sells nothing all day.
		{"small rate keeps its fractions", 5.0 / 11, 1, hourWindows(11), []int{0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1}},
		// Hữu Nghị: 26 a day. Per window ⌊0.85 × 2.36⌋ = 2, 22 a day; the
		// day's ⌊22.1⌋ is the same 22 here, but at utilization 1 the day
		// sells all 26, not 22.
		{"whole rate", 26.0 / 11, 1, hourWindows(11), []int{2, 2, 3, 2, 2, 3, 2, 2, 3, 2, 3}},
		{"zero-length windows sell nothing", 3, 1, []time.Duration{time.Hour, 0, time.Hour}, []int{3, 0, 3}},
		{"short last window", 12, 0.85, []time.Duration{time.Hour, time.Hour, 20 * time.Minute}, []int{10, 10, 3}},
		{"no rate", 0, 0.85, hourWindows(2), []int{0, 0}},
		{"NaN rate", math.NaN(), 0.85, hourWindows(2), []int{0, 0}},
	} {
		got := Capacities(1, tt.perHour, tt.utilization, tt.lengths)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}

	// The day's total is the whole day's capacity, rounded once, and no
	// prefix of the day sells more than its hours serve.
	for _, perHour := range []float64{0.39, 0.45, 2.36, 4.63, 7.5, 27.4} {
		for _, u := range []float64{0.85, 1} {
			caps := Capacities(1, perHour, u, hourWindows(11))
			if got, want := sum(caps), int(math.Floor(perHour*u*11+1e-9)); got != want {
				t.Errorf("%v/h at %v: day sells %d, want %d", perHour, u, got, want)
			}
			for i := range caps {
				if got := sum(caps[:i+1]); float64(got) > perHour*u*float64(i+1)+1e-9 {
					t.Errorf("%v/h at %v: first %d windows sell %d, more than %.2f", perHour, u, i+1, got, perHour*u*float64(i+1))
				}
			}
		}
	}
}

func TestWindowCapacity(t *testing.T) {
	cfg := WindowConfig{Open: "07:00", Close: "18:00"}
	day := local(2021, 12, 14, 12, 0)
	ws := Windows(day, cfg)
	caps := Capacities(1, 26.0/11, 1, Lengths(ws))
	acc := AcceptsEachOn(DayNumber(day, vietnam), caps, 0.05)
	for i, w := range ws {
		c, a := WindowCapacity(w, 1, 26.0/11, 1, 0.05, cfg)
		if c != caps[i] || a != acc[i] {
			t.Errorf("window %d: (%d, %d), want (%d, %d)", i, c, a, caps[i], acc[i])
		}
	}
	if c, a := WindowCapacity(Window{Start: ws[0].Start.Add(time.Minute), End: ws[0].End}, 1, 10, 1, 0, cfg); c != 0 || a != 0 {
		t.Errorf("a window that is not one: (%d, %d), want (0, 0)", c, a)
	}
	// Hours past midnight: the 00:00 window belongs to the evening before.
	night := WindowConfig{Open: "22:00", Close: "02:00"}
	nws := Windows(day, night)
	ncaps := Capacities(1, 0.5, 1, Lengths(nws))
	if c, _ := WindowCapacity(nws[3], 1, 0.5, 1, 0, night); c != ncaps[3] || sum(ncaps) != 2 {
		t.Errorf("01:00 window: %d, want %d of a day of %d", c, ncaps[3], sum(ncaps))
	}
}

// TestAcceptsCarried checks that the no-show margin's fraction is carried
// from day to day, so that the small gates sell it: Chi Ma at 18 trucks a
// day and Cốc Nam at 5 in the 2021 crisis took no margin at all rounded day
// by day (⌊18/0.95⌋ = 18, ⌊5/0.95⌋ = 5), and up to 5% of their bookings went
// unused.
func TestAcceptsCarried(t *testing.T) {
	for _, tt := range []struct {
		capacity int
		ns       float64
	}{{18, 0.05}, {5, 0.05}, {26, 0.05}, {231, 0.05}, {3, 0.3}, {18, 0}, {0, 0.05}} {
		x := float64(tt.capacity) / (1 - tt.ns)
		for _, first := range []int{0, 18962, 20454} {
			sum := 0
			for d := first; d < first+40; d++ {
				n := AcceptsOn(d, tt.capacity, tt.ns)
				if n < tt.capacity || n > int(math.Floor(x))+1 {
					t.Errorf("AcceptsOn(%d, %d, %g) = %d, want %d…%d", d, tt.capacity, tt.ns, n, tt.capacity, int(math.Floor(x))+1)
				}
				sum += n
			}
			if want := 40 * x; float64(sum) < math.Floor(want)-1 || float64(sum) > want+1 {
				t.Errorf("40 days of %d at %g from day %d take %d, want %.1f", tt.capacity, tt.ns, first, sum, want)
			}
		}
	}
	// A day's windows take what the day does, each at least its capacity.
	caps := []int{1, 2, 2, 1, 2, 2, 2, 1, 2, 2, 1} // 18 over 11 h
	for d := 20000; d < 20040; d++ {
		got := AcceptsEachOn(d, caps, 0.05)
		sum := 0
		for i, n := range got {
			if n < caps[i] {
				t.Errorf("day %d window %d takes %d, below its capacity %d", d, i, n, caps[i])
			}
			sum += n
		}
		if want := AcceptsOn(d, 18, 0.05); sum != want {
			t.Errorf("day %d: windows take %d, the day %d", d, sum, want)
		}
		if diff := cmp.Diff([]int{0, 0, 0}, AcceptsEachOn(d, []int{0, 0, 0}, 0.2)); diff != "" {
			t.Errorf("day %d, no capacity (-want +got):\n%s", d, diff)
		}
	}
	if got := DayNumber(time.Date(2021, 12, 14, 23, 30, 0, 0, time.UTC), time.FixedZone("ICT", 7*3600)); got != DayNumber(time.Date(2021, 12, 15, 0, 0, 0, 0, time.UTC), time.UTC) {
		t.Errorf("23:30 UTC on 14 Dec is 15 Dec in Lạng Sơn: day %d", got)
	}
}

func TestCovers(t *testing.T) {
	day := DefaultWindowConfig()
	late := DefaultWindowConfig()
	late.Open, late.Close = "08:30", "17:00"
	night := DefaultWindowConfig()
	night.Open, night.Close = "20:00", "02:00"
	w := func(h1, m1, h2, m2 int) Window {
		return Window{Start: local(2025, 4, 25, h1, m1), End: local(2025, 4, 25, h2, m2)}
	}
	for _, c := range []struct {
		name string
		cfg  WindowConfig
		w    Window
		want bool
	}{
		{"a window of the day", day, w(7, 0, 8, 0), true},
		{"the last window", day, w(19, 0, 20, 0), true},
		{"before new opening", late, w(7, 0, 8, 0), false},
		{"straddling new opening", late, w(8, 0, 9, 0), false},
		{"off the new grid, inside", late, w(9, 0, 10, 0), true},
		{"straddling new closing", late, w(16, 30, 17, 30), false},
		{"after new closing", late, w(19, 0, 20, 0), false},
		{"past midnight, the day before's hours", night, w(1, 0, 2, 0), true},
		{"across midnight", night, Window{Start: local(2025, 4, 25, 23, 30), End: local(2025, 4, 26, 0, 30)}, true},
		{"the closed afternoon", night, w(14, 0, 15, 0), false},
		{"invalid hours", WindowConfig{Open: "7:00", Close: "20:00"}, w(9, 0, 10, 0), false},
	} {
		if got := Covers(c.cfg, c.w); got != c.want {
			t.Errorf("%s: Covers = %v, want %v", c.name, got, c.want)
		}
	}
}
