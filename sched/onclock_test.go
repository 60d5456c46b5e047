package sched_test

import (
	"testing"
	"time"

	"github.com/cuakhau/cuakhau/sched"
)

// daily calls from 07:00 to 20:00 UTC, every day.
func daily(t time.Time) (from, to time.Time) {
	d := t.Truncate(24 * time.Hour)
	from, to = d.Add(7*time.Hour), d.Add(20*time.Hour)
	if !t.Before(to) {
		from, to = from.Add(24*time.Hour), to.Add(24*time.Hour)
	}
	return from, to
}

func TestOnClock(t *testing.T) {
	day := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	cases := []struct {
		name string
		now  time.Time
		wait time.Duration
		want time.Time
	}{
		{"open, fits", at(9, 0), 2 * time.Hour, at(11, 0)},
		{"open, no wait", at(9, 0), 0, at(9, 0)},
		{"closed at night: counts the hours until opening", at(2, 0), 0, at(7, 0)},
		{"closed, then waits", at(22, 0), 90 * time.Minute, at(24+8, 30)},
		{"runs past the last call into the next day", at(19, 0), 3 * time.Hour, at(24+9, 0)},
		{"two days of calling", at(7, 0), 26 * time.Hour, at(24+20, 0)},
		{"beyond two days", at(7, 0), 27 * time.Hour, at(48+8, 0)},
	}
	for _, c := range cases {
		if got := sched.OnClock(c.now, c.wait, daily); !got.Equal(c.want) {
			t.Errorf("%s: OnClock(%s, %s) = %s, want %s", c.name, c.now.Format("15:04"), c.wait, got, c.want)
		}
	}
	if got := sched.OnClock(at(9, 0), sched.WaitUnknown, daily); !got.IsZero() {
		t.Errorf("unknown wait: %s, want zero", got)
	}
	never := func(time.Time) (time.Time, time.Time) { return time.Time{}, time.Time{} }
	if got := sched.OnClock(at(9, 0), time.Hour, never); !got.IsZero() {
		t.Errorf("never calls: %s, want zero", got)
	}
}

func TestCalling(t *testing.T) {
	ict := time.FixedZone("ICT", 7*3600)
	at := func(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, ict) }
	cfg := sched.DefaultWindowConfig() // 07:00–20:00
	period := sched.Calling(cfg, 2*time.Hour)
	for _, c := range []struct {
		t        time.Time
		from, to time.Time
		calls    bool
	}{
		{at(1, 6, 0), at(1, 7, 0), at(1, 18, 0), false},
		{at(1, 7, 0), at(1, 7, 0), at(1, 18, 0), true},
		{at(1, 17, 59), at(1, 7, 0), at(1, 18, 0), true},
		{at(1, 18, 0), at(2, 7, 0), at(2, 18, 0), false}, // the last call is past
		{at(1, 23, 0), at(2, 7, 0), at(2, 18, 0), false},
	} {
		from, to := period(c.t)
		if !from.Equal(c.from) || !to.Equal(c.to) || sched.Calls(period, c.t) != c.calls {
			t.Errorf("at %s: period %s–%s, calls %v; want %s–%s, %v", c.t.Format("Jan 2 15:04"),
				from.In(ict).Format("Jan 2 15:04"), to.In(ict).Format("15:04"), sched.Calls(period, c.t),
				c.from.Format("Jan 2 15:04"), c.to.Format("15:04"), c.calls)
		}
	}
	if !sched.OpenAt(cfg, at(1, 19, 0)) || sched.OpenAt(cfg, at(1, 20, 0)) {
		t.Error("the gate works 07:00–20:00: open at 19:00, closed at 20:00")
	}
	// Past midnight: 22:00–02:00 calls until 01:00 with an hour's last call.
	night := cfg
	night.Open, night.Close = "22:00", "02:00"
	p := sched.Calling(night, time.Hour)
	if !sched.Calls(p, at(2, 0, 30)) || sched.Calls(p, at(2, 1, 30)) || !sched.Calls(p, at(1, 22, 0)) {
		t.Error("22:00–02:00 less an hour: calls at 00:30 and 22:00, not at 01:30")
	}
	// A closed gate's wait counts the hours until it opens.
	if got, want := sched.OnClock(at(1, 23, 0), 30*time.Minute, period), at(2, 7, 30); !got.Equal(want) {
		t.Errorf("OnClock at 23:00 + 30 min = %s, want %s", got, want)
	}
}
