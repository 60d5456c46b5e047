package gatestate_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/gatestate"
	"github.com/cuakhau/cuakhau/sched"
)

// TestAreaFollowsTheWaiting: the indexed area places a check-in as
// sched.Place does on Waiting, by every policy, as trucks arrive, are
// called and cancel, in the state that followed the log, in one built from
// its projection and in a clone.
func TestAreaFollowsTheWaiting(t *testing.T) {
	l := &logOf{t: t, st: gatestate.New("huu-nghi")}
	check := func(when string, st *gatestate.State, now time.Time) {
		t.Helper()
		w := st.Waiting()
		if got := st.Area().Len(); got != len(w) {
			t.Fatalf("%s: area holds %d trucks, %d waiting", when, got, len(w))
		}
		var last int64
		for _, tr := range w {
			last = max(last, tr.Seq)
		}
		in := sched.Input{Now: now, Waiting: w, Free: 1, CrossingTime: 2 * time.Hour, ServiceRate: 12}
		for _, arrival := range []sched.Truck{
			{ID: "walk-in", Seq: last + 1, ArrivedAt: now},
			{ID: "fruit", Seq: last + 1, ArrivedAt: now, SpoilsAt: now.Add(5 * time.Hour)},
			{ID: "booked", Seq: last + 1, ArrivedAt: now, Booked: true, WindowStart: now.Add(-10 * time.Minute)},
		} {
			arrival.FIFOTurn = sched.NextFIFOTurn(in)
			for _, name := range sched.Names() {
				p, err := sched.New(name, sched.DefaultConfig())
				if err != nil {
					t.Fatal(err)
				}
				if got, want := st.Area().Place(p, in, arrival), sched.Place(p, in, arrival); got != want {
					t.Errorf("%s, %s, %s: area places %+v, Place %+v", when, name, arrival.ID, got, want)
				}
			}
		}
	}
	spoils := t0.Add(4 * time.Hour)
	for i := range 12 {
		id := "t" + strconv.Itoa(i)
		l.declare(id, t0)
		a := cuakhau.ArrivalData{Direction: cuakhau.Export, Class: cuakhau.ClassLive, Priority: i % 5 / 4}
		if i%3 == 0 {
			a.SpoilsAt = &spoils
		}
		l.add(cuakhau.Event{TripID: id, Type: cuakhau.EventArrived, At: t0.Add(time.Duration(i) * time.Minute), Status: cuakhau.StatusArrived}, a)
	}
	check("twelve waiting", l.st, t0.Add(15*time.Minute))
	l.add(cuakhau.Event{TripID: "t3", Type: cuakhau.EventCalled, At: t0.Add(20 * time.Minute), Status: cuakhau.StatusCalled}, nil)
	l.add(cuakhau.Event{TripID: "t7", Type: cuakhau.EventCancelled, At: t0.Add(21 * time.Minute), Status: cuakhau.StatusCancelled}, nil)
	check("after a call and a cancellation", l.st, t0.Add(25*time.Minute))
	check("three hours on", l.st, t0.Add(3*time.Hour))
	check("a clone", l.st.Clone(), t0.Add(25*time.Minute))
	check("from the projection", gatestate.FromProjection("huu-nghi", l.st.Export()), t0.Add(25*time.Minute))
}
