// Package stats is the arithmetic of the border's statistics: calendar days
// in a gate's local time, the ranges a reader may ask for, period totals
// (average and peak trucks a day), clearance-time percentiles, growth
// against the same period a year earlier, numbers written the Vietnamese
// way (1.550; 41.710,5) and the province's summary sentence.
//
// It stores nothing and reads no clock: the store keeps the daily rows, and
// calls these functions to bucket, check and total them.
package stats

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/cuakhau/cuakhau"
)

// Date is a calendar day, written 2025-05-08. Its Time is midnight UTC of
// that day, so that two Dates compare with == and differ by whole days.
type Date struct{ t time.Time }

// NewDate is the day y-m-d (normalised as time.Date does: 31 June is 1 July).
func NewDate(y int, m time.Month, d int) Date {
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// DayOf is the calendar day of t in loc: the day bucket of a crossing at a
// gate in that gate's time zone.
func DayOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return NewDate(y, m, d)
}

// ParseDate reads a day written 2025-05-08.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("not a date in the form 2025-05-08")
	}
	return Date{t}, nil
}

// String writes the day as 2025-05-08 (empty for the zero Date).
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}

// IsZero reports whether d is no day.
func (d Date) IsZero() bool { return d.t.IsZero() }

// AddDays is the day n days after d (before it when n < 0).
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n)} }

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.t.Before(e.t) }

// After reports whether d is later than e.
func (d Date) After(e Date) bool { return d.t.After(e.t) }

// Compare is -1, 0 or +1 as d is before, the same as or after e.
func (d Date) Compare(e Date) int { return d.t.Compare(e.t) }

// DaysUntil counts the days from d to e (negative when e is earlier).
func (d Date) DaysUntil(e Date) int { return int(e.t.Sub(d.t).Hours() / 24) }

// Start is the first instant of the day in loc (a gate's zone).
func (d Date) Start(loc *time.Location) time.Time {
	y, m, dd := d.t.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, loc)
}

// YearEarlier is the same day a year before; 29 February gives 28 February.
func (d Date) YearEarlier() Date {
	y, m, dd := d.t.Date()
	if m == time.February && dd == 29 {
		dd = 28
	}
	return NewDate(y-1, m, dd)
}

// Year, Month and Day are the parts of the date.
func (d Date) Year() int         { return d.t.Year() }
func (d Date) Month() time.Month { return d.t.Month() }
func (d Date) Day() int          { return d.t.Day() }

// MarshalText writes the day as 2025-05-08.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a day written 2025-05-08.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MaxRangeYears is the longest range of days a reader may ask for at once.
const MaxRangeYears = 5

// Range is an inclusive range of days, From to To.
type Range struct {
	From, To Date
}

// Days counts the days of r, both ends included.
func (r Range) Days() int { return r.From.DaysUntil(r.To) + 1 }

// Contains reports whether d is one of r's days.
func (r Range) Contains(d Date) bool { return !d.Before(r.From) && !d.After(r.To) }

// YearEarlier is the same period a year before: each end a year earlier.
func (r Range) YearEarlier() Range { return Range{r.From.YearEarlier(), r.To.YearEarlier()} }

// ParseRange reads the range a reader asked for, from and to written
// 2025-05-08, both required. It refuses, naming the field, a day that is not
// one, a from after to, and a range longer than MaxRangeYears years (named
// by to).
func ParseRange(from, to string) (Range, error) {
	f := cuakhau.FieldErrors{}
	var r Range
	var err error
	if from == "" {
		f.Add("from", "required: the first day, 2025-05-08")
	} else if r.From, err = ParseDate(from); err != nil {
		f.Add("from", err.Error())
	}
	if to == "" {
		f.Add("to", "required: the last day, 2025-05-08")
	} else if r.To, err = ParseDate(to); err != nil {
		f.Add("to", err.Error())
	}
	if len(f) > 0 {
		return Range{}, f.Err()
	}
	if err := r.Check(); err != nil {
		return Range{}, err
	}
	return r, nil
}

// Check refuses a range whose from is after its to, or that is longer than
// MaxRangeYears years, naming the field.
func (r Range) Check() error {
	if r.From.After(r.To) {
		return cuakhau.Invalid("from", fmt.Sprintf("%s is after to (%s)", r.From, r.To))
	}
	if limit := NewDate(r.From.Year()+MaxRangeYears, r.From.Month(), r.From.Day()); !r.To.Before(limit) {
		return cuakhau.Invalid("to", fmt.Sprintf("the range is longer than %d years: at most %s for from %s",
			MaxRangeYears, limit.AddDays(-1), r.From))
	}
	return nil
}

// Quantile is the q-quantile (0 < q ≤ 1) of xs by the nearest-rank
// method: the smallest value with at least q of the values at or below it.
// xs must be sorted; an empty xs gives 0 and false.
func Quantile(xs []int64, q float64) (int64, bool) {
	if len(xs) == 0 {
		return 0, false
	}
	rank := int(math.Ceil(q * float64(len(xs))))
	rank = max(1, min(rank, len(xs)))
	return xs[rank-1], true
}

// P50P90 sorts a copy of xs and gives its median and 90th percentile by
// nearest rank; false when xs is empty.
func P50P90(xs []int64) (p50, p90 int64, ok bool) {
	if len(xs) == 0 {
		return 0, 0, false
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	p50, _ = Quantile(s, 0.5)
	p90, _ = Quantile(s, 0.9)
	return p50, p90, true
}

// Growth is the change from before to now in percent (39.5 for a rise of
// 39.5 %); false when before is zero, where no growth can be given.
func Growth(now, before float64) (float64, bool) {
	if before == 0 {
		return 0, false
	}
	return (now - before) / before * 100, true
}
