package device

import (
	"fmt"
	"time"
)

// Bounds of a device's interval, the longest it may be silent before an
// operator is alerted.
const (
	MinInterval = 10 * time.Second
	MaxInterval = 7 * 24 * time.Hour
)

// CheckInterval returns what is wrong with an interval of seconds, "" if
// nothing: 0 (not watched) or from MinInterval to MaxInterval.
func CheckInterval(seconds int64) string {
	if seconds == 0 {
		return ""
	}
	if seconds < int64(MinInterval/time.Second) || seconds > int64(MaxInterval/time.Second) {
		return fmt.Sprintf("0 (not watched) or from %d to %d seconds", int64(MinInterval/time.Second), int64(MaxInterval/time.Second))
	}
	return ""
}

// Silent reports whether d is silent at now past its interval: an enabled
// device with an interval whose last reading (or, before the first, its
// registration) is longer ago than the interval. The message says for how
// long, for the operator's alert.
func Silent(d Device, now time.Time) (bool, string) {
	if !d.Enabled || d.Interval <= 0 {
		return false, ""
	}
	since, what := d.Created, "since it was registered"
	if d.LastSeen != nil {
		since, what = *d.LastSeen, "since its last reading"
	}
	gap := now.Sub(since)
	if gap <= time.Duration(d.Interval)*time.Second {
		return false, ""
	}
	return true, fmt.Sprintf("%s %s (%s) at %s has sent nothing for %s %s, longer than its interval of %s",
		d.Kind, d.ID, d.Position, d.Gate, gap.Truncate(time.Second), what, time.Duration(d.Interval)*time.Second)
}
