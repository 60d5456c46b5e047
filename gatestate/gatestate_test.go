package gatestate_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/flow"
	"github.com/cuakhau/cuakhau/gatestate"
	"github.com/cuakhau/cuakhau/sched"
)

var t0 = time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)

// logOf numbers events as a gate's log does.
type logOf struct {
	t   *testing.T
	st  *gatestate.State
	seq int64
}

func (l *logOf) add(ev cuakhau.Event, data any) {
	l.t.Helper()
	l.seq++
	ev.Gate, ev.Seq = "huu-nghi", l.seq
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			l.t.Fatal(err)
		}
		ev.Data = b
	}
	if err := l.st.Apply(&ev); err != nil {
		l.t.Fatalf("apply %d %s: %v", ev.Seq, ev.Type, err)
	}
}

func (l *logOf) declare(id string, at time.Time) {
	l.t.Helper()
	d := cuakhau.Declaration{Direction: cuakhau.Export, Vehicle: cuakhau.Vehicle{Plate: "12c" + id}}
	l.add(cuakhau.Event{TripID: id, Type: cuakhau.EventDeclared, At: at, Status: cuakhau.StatusDeclared}, flow.DeclaredData{Code: "HN-" + id, Declaration: d})
}

func TestApplyFollowsTheQueue(t *testing.T) {
	l := &logOf{t: t, st: gatestate.New("huu-nghi")}
	w := t0.Add(24 * time.Hour)
	l.declare("a", t0)
	l.declare("b", t0)
	l.declare("c", t0)
	l.add(cuakhau.Event{TripID: "b", Type: cuakhau.EventBooked, At: t0, Status: cuakhau.StatusBooked}, flow.BookingData{WindowStart: w, WindowEnd: w.Add(time.Hour)})
	l.add(cuakhau.Event{TripID: "c", Type: cuakhau.EventBooked, At: t0, Status: cuakhau.StatusBooked}, flow.BookingData{WindowStart: w, WindowEnd: w.Add(time.Hour)})
	if n := l.st.BookedIn(cuakhau.Export, sched.Window{Start: w, End: w.Add(time.Hour)}); n != 2 {
		t.Fatalf("booked in the window: %d, want 2", n)
	}
	if n := l.st.BookedIn(cuakhau.Export, sched.Window{Start: w.Add(-30 * time.Minute), End: w.Add(30 * time.Minute)}); n != 2 {
		t.Fatalf("booked in a window of another grid holding their start: %d, want 2", n)
	}
	if n := l.st.BookedIn(cuakhau.Import, sched.Window{Start: w, End: w.Add(time.Hour)}); n != 0 {
		t.Fatalf("booked in the window for import: %d, want 0", n)
	}
	l.add(cuakhau.Event{Type: cuakhau.EventAdvisory, At: t0}, gatestate.AdvisoryData{AdvisoryRecord: cuakhau.AdvisoryRecord{Active: true}, Told: []string{"a"}})
	if _, held := l.st.Told(t0.Add(-time.Hour)); held != 1 {
		t.Fatalf("held at origin: %d, want 1", held)
	}
	for i, id := range []string{"a", "b"} {
		l.add(cuakhau.Event{TripID: id, Type: cuakhau.EventArrived, At: t0.Add(time.Duration(i+1) * time.Minute), Status: cuakhau.StatusArrived},
			cuakhau.ArrivalData{Direction: cuakhau.Export, Class: cuakhau.ClassLive})
	}
	if got := len(l.st.Waiting()); got != 2 {
		t.Fatalf("waiting: %d, want 2", got)
	}
	if _, held := l.st.Told(t0.Add(-time.Hour)); held != 0 {
		t.Errorf("held at origin after the told trip came: %d, want 0", held)
	}
	if n := l.st.BookedIn(cuakhau.Export, sched.Window{Start: w, End: w.Add(time.Hour)}); n != 1 {
		t.Errorf("booked after b came: %d, want 1", n)
	}
	if noShows, used := l.st.EndedSince(t0.Add(-time.Hour)); noShows != 0 || used != 1 {
		t.Errorf("ended bookings: %d no-shows, %d used; want 0 and 1", noShows, used)
	}
	l.add(cuakhau.Event{TripID: "a", Type: cuakhau.EventCalled, At: t0.Add(3 * time.Minute), Status: cuakhau.StatusCalled}, nil)
	if w := l.st.Waiting(); len(w) != 1 || w[0].ID != "b" || l.st.InZone(cuakhau.Export) != 1 {
		t.Fatalf("after the call: waiting %v, %d in the zone; want b alone and 1", w, l.st.InZone(cuakhau.Export))
	}
	crossed := t0.Add(30 * time.Minute)
	l.add(cuakhau.Event{TripID: "a", Type: cuakhau.EventDecision, At: crossed, Status: cuakhau.StatusCrossed}, nil)
	if l.st.Zone() != 0 || l.st.Trip("a") != nil || len(l.st.Crossings(t0, crossed)) != 1 {
		t.Errorf("after crossing: zone %d, trip kept %v, crossings %v", l.st.Zone(), l.st.Trip("a"), l.st.Crossings(t0, crossed))
	}
	l.add(cuakhau.Event{TripID: "c", Type: cuakhau.EventNoShow, At: w.Add(3 * time.Hour), Status: cuakhau.StatusNoShow}, flow.BookingData{WindowStart: w, WindowEnd: w.Add(time.Hour)})
	if noShows, used := l.st.EndedSince(t0.Add(-time.Hour)); noShows != 1 || used != 1 || l.st.BookedIn(cuakhau.Export, sched.Window{Start: w, End: w.Add(time.Hour)}) != 0 {
		t.Errorf("after the no-show: %d no-shows, %d used, %d booked; want 1, 1, 0", noShows, used, l.st.BookedIn(cuakhau.Export, sched.Window{Start: w, End: w.Add(time.Hour)}))
	}
	l.add(cuakhau.Event{Type: cuakhau.EventAdvisory, At: w}, gatestate.AdvisoryData{AdvisoryRecord: cuakhau.AdvisoryRecord{Active: false}})
	if told, _ := l.st.Told(t0.Add(-time.Hour)); len(told) != 0 {
		t.Errorf("told after the episode ended: %v", told)
	}
	l.add(cuakhau.Event{Type: cuakhau.EventControls, At: w}, cuakhau.GateControls{Gate: "huu-nghi", Room: 9})
	if c := l.st.Controls(); c == nil || c.Room != 9 {
		t.Errorf("controls: %+v, want room 9", c)
	}
}

func TestApplyRefusesAnEntryOutOfPlace(t *testing.T) {
	st := gatestate.New("huu-nghi")
	for _, ev := range []cuakhau.Event{
		{Gate: "huu-nghi", Seq: 2, Type: cuakhau.EventControls, Data: []byte(`{}`)},
		{Gate: "tan-thanh", Seq: 1, Type: cuakhau.EventControls, Data: []byte(`{}`)},
		{Gate: "huu-nghi", Seq: 1, Type: cuakhau.EventControls, Data: []byte(`not json`)},
	} {
		if err := st.Apply(&ev); err == nil {
			t.Errorf("entry %d of %s applied", ev.Seq, ev.Gate)
		}
	}
	if st.Seq() != 0 || st.Controls() != nil {
		t.Errorf("after refusals: seq %d, controls %+v; want 0 and none", st.Seq(), st.Controls())
	}
}

// TestDigestIsTheLoggedOne checks the digest the state keeps against
// cuakhau.WaitingDigest of its waiting area, as trucks come and go.
func TestDigestIsTheLoggedOne(t *testing.T) {
	l := &logOf{t: t, st: gatestate.New("huu-nghi")}
	check := func(when string) {
		t.Helper()
		var ws []cuakhau.WaitingTruck
		for _, tr := range l.st.Waiting() {
			ws = append(ws, flow.LoggedTruck(tr))
		}
		if got, want := l.st.Digest(), cuakhau.WaitingDigest(ws); got != want {
			t.Errorf("%s: digest %s, want %s", when, got, want)
		}
	}
	check("empty")
	spoils := t0.Add(48 * time.Hour)
	for i, id := range []string{"a", "b", "c", "d"} {
		l.declare(id, t0)
		a := cuakhau.ArrivalData{Direction: cuakhau.Export, Class: cuakhau.ClassLive, Priority: i % 2}
		if i == 2 {
			a.SpoilsAt = &spoils
		}
		l.add(cuakhau.Event{TripID: id, Type: cuakhau.EventArrived, At: t0.Add(time.Duration(i) * time.Second), Status: cuakhau.StatusArrived}, a)
	}
	check("four waiting")
	l.add(cuakhau.Event{TripID: "b", Type: cuakhau.EventCalled, At: t0.Add(time.Minute), Status: cuakhau.StatusCalled}, nil)
	l.add(cuakhau.Event{TripID: "d", Type: cuakhau.EventCancelled, At: t0.Add(time.Minute), Status: cuakhau.StatusCancelled}, nil)
	check("two left")
	if c := l.st.Clone(); c.Digest() != l.st.Digest() {
		t.Error("a clone's digest differs")
	}
}
