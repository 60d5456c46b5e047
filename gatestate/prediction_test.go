package gatestate_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/flow"
	"github.com/cuakhau/cuakhau/gatestate"
)

// measured is a call whose truck was told a call time, as the test keeps it.
type measured struct {
	dir cuakhau.Direction
	at  time.Time
	err time.Duration
}

// medianOf is the median |err| of the calls of d after now − ErrorWindow,
// by sorting them all.
func medianOf(calls []measured, d cuakhau.Direction, now time.Time) (time.Duration, int) {
	var abs []time.Duration
	for _, c := range calls {
		if c.dir == d && c.at.After(now.Add(-gatestate.ErrorWindow)) {
			abs = append(abs, max(c.err, -c.err))
		}
	}
	slices.Sort(abs)
	n := len(abs)
	switch {
	case n == 0:
		return 0, 0
	case n%2 == 1:
		return abs[n/2], n
	default:
		return (abs[n/2-1] + abs[n/2]) / 2, n
	}
}

// TestPredictionErrorSurvivesRestart runs three days of check-ins, each
// told a call time or not, and calls early and late in two directions, and
// checks the state's median error against one computed from every call,
// at the moment of each call and between them; a state rebuilt from the
// one written out mid-way gives the same figures and follows the rest of
// the log to the same state.
func TestPredictionErrorSurvivesRestart(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 24))
	l := &logOf{t: t, st: gatestate.New("huu-nghi")}
	var restarted *logOf
	dirs := []cuakhau.Direction{cuakhau.Export, cuakhau.Import}
	var calls []measured
	told := map[string]time.Time{}
	var waiting []string
	now := t0
	check := func(when string, st *gatestate.State, at time.Time) {
		t.Helper()
		for _, d := range dirs {
			p50, n := st.PredictionError(d, at)
			wp50, wn := medianOf(calls, d, at)
			if p50 != wp50 || n != wn {
				t.Fatalf("%s, %s at %v: median %v over %d calls, want %v over %d", when, d, at, p50, n, wp50, wn)
			}
		}
	}
	both := func(ev cuakhau.Event, data any) {
		l.add(ev, data)
		if restarted != nil {
			restarted.add(ev, data)
		}
	}
	for i := range 600 {
		now = now.Add(time.Duration(rng.IntN(15)) * time.Minute)
		id := fmt.Sprintf("t%d", i)
		d := dirs[rng.IntN(len(dirs))]
		decl := cuakhau.Declaration{Direction: d, Vehicle: cuakhau.Vehicle{Plate: "12c" + id}}
		both(cuakhau.Event{TripID: id, Type: cuakhau.EventDeclared, At: now, Status: cuakhau.StatusDeclared}, flow.DeclaredData{Code: "HN-" + id, Declaration: decl})
		a := cuakhau.ArrivalData{Direction: d, Class: cuakhau.ClassLive}
		if rng.IntN(10) > 0 { // most are told a call time
			c := now.Add(time.Duration(rng.IntN(240)) * time.Minute)
			a.ExpectedCall = &c
			told[id] = c
		}
		both(cuakhau.Event{TripID: id, Type: cuakhau.EventArrived, At: now, Status: cuakhau.StatusArrived}, a)
		waiting = append(waiting, id)
		// Call, cancel or leave waiting one of the trucks, at random.
		if len(waiting) > 5 {
			k := rng.IntN(len(waiting))
			id := waiting[k]
			waiting = slices.Delete(waiting, k, k+1)
			if rng.IntN(8) == 0 {
				both(cuakhau.Event{TripID: id, Type: cuakhau.EventCancelled, At: now, Status: cuakhau.StatusCancelled}, nil)
				continue
			}
			both(cuakhau.Event{TripID: id, Type: cuakhau.EventCalled, At: now, Status: cuakhau.StatusCalled}, nil)
			if c, ok := told[id]; ok {
				dir := l.st.Trip(id).Direction
				calls = append(calls, measured{dir, now, now.Sub(c)})
			}
			check(fmt.Sprintf("call %d", i), l.st, now)
			if restarted != nil {
				check(fmt.Sprintf("call %d after the restart", i), restarted.st, now)
			}
			check(fmt.Sprintf("between calls %d", i), l.st, now.Add(time.Duration(rng.IntN(30*60))*time.Minute))
		}
		if i == 300 {
			st := gatestate.FromProjection("huu-nghi", l.st.Export())
			restarted = &logOf{t: t, st: st, seq: l.seq}
			check("restarted", st, now)
			check("restarted, a day on", st, now.Add(gatestate.ErrorWindow-time.Hour))
		}
	}
	if len(calls) < 300 {
		t.Fatalf("%d calls measured; the log is too short to test the window", len(calls))
	}
	check("restarted at the end", restarted.st, now)
	if diff := cmp.Diff(l.st.Export(), restarted.st.Export(), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("restarted state (-live +restarted):\n%s", diff)
	}
	if c := l.st.Clone(); !cmp.Equal(c.Export(), l.st.Export(), cmpopts.EquateEmpty()) {
		t.Error("a clone's state differs")
	}
}
