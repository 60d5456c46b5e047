package flow

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sched"
)

// testLog builds a gate's log by hand, numbering entries from 1.
type testLog struct {
	t      *testing.T
	events []*cuakhau.Event
	at     time.Time
}

func (l *testLog) add(ev *cuakhau.Event) *cuakhau.Event {
	l.at = l.at.Add(time.Minute)
	ev.Gate, ev.Seq, ev.At = "huu-nghi", int64(len(l.events)+1), l.at
	l.events = append(l.events, ev)
	return ev
}

func (l *testLog) data(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		l.t.Fatal(err)
	}
	return b
}

// arrive logs an arrival and returns the truck the policy will see.
func (l *testLog) arrive(id string, a cuakhau.ArrivalData) sched.Truck {
	a.Direction = cuakhau.Export
	ev := l.add(&cuakhau.Event{TripID: id, Type: cuakhau.EventArrived, Status: cuakhau.StatusArrived, Data: l.data(a)})
	w, _, err := ArrivedTruck(ev)
	if err != nil {
		l.t.Fatal(err)
	}
	return SchedTruck(w)
}

func (l *testLog) call(id string, rec cuakhau.CallRecord) {
	rec.Chosen = id
	l.add(&cuakhau.Event{TripID: id, Type: cuakhau.EventCalled, Status: cuakhau.StatusCalled, Data: l.data(rec)})
}

// replay feeds the whole log to a Replayer and returns its checks and errors.
func replayAll(t *testing.T, events []*cuakhau.Event) ([]*CallCheck, []error, *Replayer) {
	t.Helper()
	r := NewReplayer()
	var checks []*CallCheck
	var errs []error
	for _, ev := range events {
		c, err := r.Add(ev)
		if err != nil {
			errs = append(errs, err)
		}
		if c != nil {
			checks = append(checks, c)
		}
	}
	return checks, errs, r
}

func without(ts []sched.Truck, ids ...string) []sched.Truck {
	var out []sched.Truck
	for _, t := range ts {
		keep := true
		for _, id := range ids {
			keep = keep && t.ID != id
		}
		if keep {
			out = append(out, t)
		}
	}
	return out
}

// replayScenario is a gate's log with arrivals, a trip cancelled while
// waiting, events that do not touch the waiting area, a call, a round of
// two calls sharing one input (N = 1, 2) and a last call, each logged from
// the waiting area the test knows the policy saw.
func replayScenario(t *testing.T) (*testLog, []string) {
	p, err := sched.New(sched.Adaptive, sched.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	l := &testLog{t: t, at: now}
	spoils := now.Add(20 * time.Hour)
	ws, we := now.Add(30*time.Minute), now.Add(90*time.Minute)
	turn := now.Add(3 * time.Hour)
	var area []sched.Truck
	area = append(area, l.arrive("a", cuakhau.ArrivalData{Class: cuakhau.ClassLive, FIFOTurn: &turn}))
	area = append(area, l.arrive("b", cuakhau.ArrivalData{Class: cuakhau.ClassLive, SpoilsAt: &spoils}))
	area = append(area, l.arrive("c", cuakhau.ArrivalData{Class: cuakhau.ClassLive}))
	area = append(area, l.arrive("d", cuakhau.ArrivalData{Class: cuakhau.ClassBooked, Booked: true, WindowStart: &ws, WindowEnd: &we}))
	// Not in the area: a declared trip, a controls change (no trip).
	l.add(&cuakhau.Event{TripID: "x", Type: cuakhau.EventDeclared, Status: cuakhau.StatusDeclared})
	l.add(&cuakhau.Event{Type: cuakhau.EventControls})
	// b, the perishable truck the policy would call first, is cancelled
	// while it waits: a replay that kept it would not match any call.
	l.add(&cuakhau.Event{TripID: "b", Type: cuakhau.EventCancelled, Status: cuakhau.StatusCancelled, Outcome: cuakhau.OutcomeCancel})
	area = without(area, "b")

	var chosen []string
	record := func(in sched.Input, n int) cuakhau.CallRecord {
		return cuakhau.CallRecord{Policy: p.Name(), Version: p.Version(), AgingBoundNS: int64(sched.DefaultConfig().AgingBound),
			ToleranceNS: int64(sched.DefaultConfig().Tolerance), N: n, Input: LoggedInput(in)}
	}
	input := func(free int) sched.Input {
		return sched.Input{Now: l.at.Add(time.Second), Waiting: area, Free: free, CrossingTime: 2 * time.Hour, ServiceRate: 24}
	}

	in := input(3)
	first := p.Select(in, 1)[0].ID
	l.call(first, record(in, 1))
	area = without(area, first)
	chosen = append(chosen, first)

	area = append(area, l.arrive("e", cuakhau.ArrivalData{Class: cuakhau.ClassLive, SpoilsAt: &spoils}))
	in = input(2)
	sel := p.Select(in, 2)
	if len(sel) != 2 {
		t.Fatalf("the round selects %d trucks, want 2", len(sel))
	}
	for k, r := range sel {
		l.call(r.ID, record(in, k+1))
		chosen = append(chosen, r.ID)
	}
	area = without(area, sel[0].ID, sel[1].ID)

	in = input(1)
	last := p.Select(in, 1)[0].ID
	l.call(last, record(in, 1))
	chosen = append(chosen, last)
	return l, chosen
}

func TestReplayerRebuildsTheWaitingArea(t *testing.T) {
	l, chosen := replayScenario(t)
	checks, errs, r := replayAll(t, l.events)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	if len(checks) != 4 {
		t.Fatalf("%d checks, want 4", len(checks))
	}
	for i, c := range checks {
		if len(c.Differences) > 0 || c.Want != chosen[i] {
			t.Errorf("call %d (N=%d, %s): want %q, differences %v", c.Event.Seq, c.Record.N, c.Event.TripID, c.Want, c.Differences)
		}
	}
	if got := r.Waiting("huu-nghi"); len(got) != 0 {
		t.Errorf("waiting at the end: %+v, want none", got)
	}
}

func TestReplayerFindsDifferences(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, l *testLog) // changes the scenario's log
		want   string                         // in a difference of some call
		err    string                         // in an error of Add, if any
	}{
		{"the chosen trip", func(t *testing.T, l *testLog) {
			ev := l.events[7] // the first call
			var rec cuakhau.CallRecord
			json.Unmarshal(ev.Data, &rec)
			other := "a"
			if ev.TripID == "a" {
				other = "c"
			}
			rec.Chosen, ev.TripID = other, other
			ev.Data = l.data(rec)
		}, "policy calls", ""},
		{"an arrival's data", func(t *testing.T, l *testLog) {
			turn := now.Add(time.Hour)
			l.events[0].Data = l.data(cuakhau.ArrivalData{Direction: cuakhau.Export, Class: cuakhau.ClassLive, FIFOTurn: &turn})
		}, "the log rebuilds 3 trucks (digest", ""},
		{"the digest", func(t *testing.T, l *testLog) {
			ev := l.events[7]
			var rec cuakhau.CallRecord
			json.Unmarshal(ev.Data, &rec)
			rec.Input.WaitingDigest = strings.Repeat("0", 64)
			ev.Data = l.data(rec)
		}, "but the call saw 3 (digest 000000000000…)", ""},
		{"the cancellation is gone", func(t *testing.T, l *testLog) {
			l.events = append(l.events[:6], l.events[7:]...)
			for i, ev := range l.events {
				ev.Seq = int64(i + 1)
			}
		}, "the log rebuilds 4 trucks", ""},
		{"a round without its first call", func(t *testing.T, l *testLog) {
			l.events = append(l.events[:9], l.events[10:]...)
			for i, ev := range l.events {
				ev.Seq = int64(i + 1)
			}
		}, "call 2 of a round is not preceded", ""},
		{"an entry missing", func(t *testing.T, l *testLog) {
			l.events = append(l.events[:4], l.events[5:]...)
		}, "", "entry 6 follows entry 4"},
		{"an unreadable arrival", func(t *testing.T, l *testLog) {
			l.events[3].Data = json.RawMessage(`{"class":`)
		}, "the log rebuilds", "arrival 4 of trip d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, _ := replayScenario(t)
			tt.tamper(t, l)
			checks, errs, _ := replayAll(t, l.events)
			if tt.err != "" && !strings.Contains(fmt.Sprint(errs), tt.err) {
				t.Errorf("errors %v, want one with %q", errs, tt.err)
			} else if tt.err == "" && len(errs) > 0 {
				t.Errorf("errors %v", errs)
			}
			var all []string
			for _, c := range checks {
				all = append(all, c.Differences...)
			}
			if tt.want != "" && !strings.Contains(strings.Join(all, "\n"), tt.want) {
				t.Errorf("differences:\n%s\nwant one with %q", strings.Join(all, "\n"), tt.want)
			}
		})
	}
}

// TestReplayerOverride checks that an override is listed, not recomputed,
// and that its digest is still checked.
func TestReplayerOverride(t *testing.T) {
	l := &testLog{t: t, at: now}
	a := l.arrive("a", cuakhau.ArrivalData{Class: cuakhau.ClassLive})
	b := l.arrive("b", cuakhau.ArrivalData{Class: cuakhau.ClassLive})
	in := sched.Input{Now: l.at, Waiting: []sched.Truck{a, b}, Free: 1}
	rec := cuakhau.CallRecord{Policy: sched.FIFO, Version: "1", N: 1, Input: LoggedInput(in), Override: true, OverrideNote: "relief", PolicyChoice: "a"}
	l.call("b", rec)
	checks, errs, _ := replayAll(t, l.events)
	if len(errs) > 0 || len(checks) != 1 || !checks[0].Override || len(checks[0].Differences) > 0 {
		t.Fatalf("override: %+v, %v", checks[0], errs)
	}
	rec.Input.WaitingCount = 1
	l.events[2].Data = l.data(rec)
	checks, _, _ = replayAll(t, l.events)
	if len(checks[0].Differences) == 0 {
		t.Error("an override with the wrong count replays clean")
	}
}

// TestWaitingDigest pins the canonical encoding: order-independent,
// sensitive to every field, times at microseconds.
func TestWaitingDigest(t *testing.T) {
	at := time.Date(2026, 12, 1, 2, 0, 0, 123456789, time.UTC)
	turn := at.Add(time.Hour)
	a := cuakhau.WaitingTruck{ID: "a", Seq: 1, ArrivedAt: at, FIFOTurn: &turn}
	b := cuakhau.WaitingTruck{ID: "b", Seq: 2, ArrivedAt: at, Booked: true}
	d := cuakhau.WaitingDigest([]cuakhau.WaitingTruck{a, b})
	if got := cuakhau.WaitingDigest([]cuakhau.WaitingTruck{b, a}); got != d {
		t.Error("the digest depends on the order given")
	}
	if len(d) != 64 || cuakhau.WaitingDigest(nil) == d {
		t.Errorf("digest %q", d)
	}
	// Below a microsecond nothing is seen; the store keeps microseconds.
	a2 := a
	a2.ArrivedAt = at.Truncate(time.Microsecond).In(time.FixedZone("ICT", 7*3600))
	if cuakhau.WaitingDigest([]cuakhau.WaitingTruck{a2, b}) != d {
		t.Error("the digest sees nanoseconds or the zone")
	}
	for _, change := range []func(w *cuakhau.WaitingTruck){
		func(w *cuakhau.WaitingTruck) { w.ID = "z" },
		func(w *cuakhau.WaitingTruck) { w.Seq = 9 },
		func(w *cuakhau.WaitingTruck) { w.ArrivedAt = w.ArrivedAt.Add(time.Microsecond) },
		func(w *cuakhau.WaitingTruck) { w.Booked = !w.Booked },
		func(w *cuakhau.WaitingTruck) { w.WindowStart = &at },
		func(w *cuakhau.WaitingTruck) { w.WindowEnd = &at },
		func(w *cuakhau.WaitingTruck) { w.SpoilsAt = &at },
		func(w *cuakhau.WaitingTruck) { w.Priority = 1 },
		func(w *cuakhau.WaitingTruck) { w.FIFOTurn = nil },
	} {
		x := a
		change(&x)
		if cuakhau.WaitingDigest([]cuakhau.WaitingTruck{x, b}) == d {
			t.Errorf("a change to %+v is not seen", x)
		}
	}
}

// TestCallRecordStaysSmall checks that a called event's data does not grow
// with the waiting area: 1,000 trucks waiting, under 2 KB.
func TestCallRecordStaysSmall(t *testing.T) {
	op := cuakhau.Principal{TokenID: "o", Role: cuakhau.RoleOperator, Gate: "huu-nghi"}
	trip := declare(t, durianExport())
	at := now.Add(time.Second)
	arrived, _, err := Arrive(trip, op, cuakhau.ArrivalData{Class: cuakhau.ClassLive}, at)
	if err != nil {
		t.Fatal(err)
	}
	in := sched.Input{Now: at.Add(time.Hour), Free: 40, CrossingTime: 2 * time.Hour, ServiceRate: 23.456789}
	for i := range 1000 {
		arr := at.Add(-time.Duration(i) * time.Minute)
		tr := sched.Truck{ID: fmt.Sprintf("trip-%06d-%s", i, strings.Repeat("x", 20)), Seq: int64(1000000 + i), ArrivedAt: arr,
			SpoilsAt: arr.Add(48 * time.Hour), FIFOTurn: arr.Add(5 * time.Hour), Booked: i%3 == 0}
		if tr.Booked {
			tr.WindowStart, tr.WindowEnd = arr, arr.Add(time.Hour)
		}
		in.Waiting = append(in.Waiting, tr)
	}
	in.Waiting[0].ID = arrived.ID
	rec := cuakhau.CallRecord{Policy: sched.Adaptive, Version: "1", AgingBoundNS: int64(2 * time.Hour), ToleranceNS: int64(time.Hour),
		N: 1, Input: LoggedInput(in), Chosen: arrived.ID, Rank: 1, Class: cuakhau.ClassLive, Reason: "perishable: slack 2h10m", CalledByLoop: true}
	_, ev, err := Call(arrived, op, rec, in.Now)
	if err != nil {
		t.Fatal(err)
	}
	full, _ := json.Marshal(in.Waiting)
	t.Logf("called event data: %d bytes with %d trucks waiting (the trucks in full: %d bytes)", len(ev.Data), len(in.Waiting), len(full))
	if len(ev.Data) >= 2048 {
		t.Errorf("called event data is %d bytes with 1,000 trucks waiting, want < 2 KB:\n%s", len(ev.Data), ev.Data)
	}
}
