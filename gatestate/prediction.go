package gatestate

import (
	"encoding/json"
	"slices"
	"sort"
	"time"

	"github.com/cuakhau/cuakhau"
)

// ErrorWindow is how far back the calls whose prediction error the feed
// publishes are kept: a day, the span a driver compares the feed over.
const ErrorWindow = 24 * time.Hour

// Call is a call of a truck that was told at its check-in when it would
// be called (cuakhau.ArrivalData.ExpectedCall): Error is the actual call
// less the predicted one, positive when the truck was called late.
type Call struct {
	At        time.Time
	Direction cuakhau.Direction
	Error     time.Duration
}

// errorWindow is one direction's calls of the ErrorWindow before the
// gate's latest call, in the order of the log, with their |Error| sorted,
// so that a median costs a binary search, not a pass over the calls.
type errorWindow struct {
	calls []Call
	abs   []time.Duration
}

func (w *errorWindow) add(c Call) {
	w.calls = append(w.calls, c)
	e := absDur(c.Error)
	i, _ := slices.BinarySearch(w.abs, e)
	w.abs = slices.Insert(w.abs, i, e)
}

// prune drops the calls at or before cut.
func (w *errorWindow) prune(cut time.Time) {
	i := 0
	for i < len(w.calls) && !w.calls[i].At.After(cut) {
		if j, ok := slices.BinarySearch(w.abs, absDur(w.calls[i].Error)); ok {
			w.abs = slices.Delete(w.abs, j, j+1)
		}
		i++
	}
	w.calls = w.calls[i:]
}

func (w *errorWindow) clone() *errorWindow {
	return &errorWindow{calls: slices.Clone(w.calls), abs: slices.Clone(w.abs)}
}

// median is the median |Error| of the calls after cut, and how many there
// are. The calls at or before cut (a prefix: the state prunes only at a
// call, and the reader asks at its own now) are left out by rank rather
// than by copying the rest: O(k log k + log² n) for k of them, O(1) when
// there are none.
func (w *errorWindow) median(cut time.Time) (time.Duration, int) {
	k := sort.Search(len(w.calls), func(i int) bool { return w.calls[i].At.After(cut) })
	n := len(w.calls) - k
	if n == 0 {
		return 0, 0
	}
	var stale []time.Duration
	if k > 0 {
		stale = make([]time.Duration, k)
		for i := range k {
			stale[i] = absDur(w.calls[i].Error)
		}
		slices.Sort(stale)
	}
	// at is the r-th smallest (from 0) of abs less stale: the smallest
	// value with more than r of the rest at or below it.
	at := func(r int) time.Duration {
		i := sort.Search(len(w.abs), func(i int) bool {
			v := w.abs[i]
			return upTo(w.abs, v)-upTo(stale, v) > r
		})
		return w.abs[i]
	}
	if n%2 == 1 {
		return at(n / 2), n
	}
	return (at(n/2-1) + at(n/2)) / 2, n
}

// upTo counts the values of sorted xs at or below v.
func upTo(xs []time.Duration, v time.Duration) int {
	return sort.Search(len(xs), func(i int) bool { return xs[i] > v })
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// expectedCall is the call time an arrived event logged; zero when it
// logged none.
func expectedCall(ev *cuakhau.Event) time.Time {
	var d struct {
		ExpectedCall *time.Time `json:"expected_call"`
	}
	if json.Unmarshal(ev.Data, &d) != nil || d.ExpectedCall == nil {
		return time.Time{}
	}
	return d.ExpectedCall.UTC()
}

// called follows a call at at of a truck of direction d predicted to be
// called at predicted (zero: no prediction): the calls of every direction
// older than the ErrorWindow before it are dropped, and this one kept.
func (s *State) called(d cuakhau.Direction, at, predicted time.Time) {
	cut := at.Add(-ErrorWindow)
	for _, w := range s.errors {
		w.prune(cut)
	}
	if predicted.IsZero() {
		return
	}
	w := s.errors[d]
	if w == nil {
		w = &errorWindow{}
		s.errors[d] = w
	}
	w.add(Call{At: at, Direction: d, Error: at.Sub(predicted)})
}

// PredictionError is the median |actual − predicted| call time of the
// calls of direction d in the ErrorWindow before now whose trucks were told
// a call time at check-in, and how many there are (0 and 0 when none).
func (s *State) PredictionError(d cuakhau.Direction, now time.Time) (p50 time.Duration, calls int) {
	w := s.errors[d]
	if w == nil {
		return 0, 0
	}
	return w.median(now.Add(-ErrorWindow))
}

// ExpectedCall is the call time waiting trip id was told at its check-in;
// zero when it is not waiting or was told none.
func (s *State) ExpectedCall(id string) time.Time { return s.predicted[id] }
