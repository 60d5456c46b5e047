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
