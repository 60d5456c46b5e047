package flow

import (
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sched"
)

func TestQueueTransitions(t *testing.T) {
	op := cuakhau.Principal{TokenID: "o", Role: cuakhau.RoleOperator, Gate: "huu-nghi"}
	trip := declare(t, durianExport())
	w := sched.Window{Start: now.Add(25 * time.Hour), End: now.Add(26 * time.Hour)}

	booked, ev, err := Book(trip, company, w, now)
	if err != nil || booked.Status != cuakhau.StatusBooked || ev.Type != cuakhau.EventBooked || trip.Status != cuakhau.StatusDeclared {
		t.Fatalf("Book: %v, %v, %v (input %s)", booked, ev, err, trip.Status)
	}
	if _, _, err := Book(booked, company, w, now); cuakhau.ErrorCode(err) != cuakhau.ECONFLICT {
		t.Errorf("booking twice: %v, want conflict", err)
	}
	other := cuakhau.Principal{TokenID: "x", Role: cuakhau.RoleEnterprise, TaxCode: "0300588569"}
	if _, _, err := Book(trip, other, w, now); cuakhau.ErrorCode(err) != cuakhau.EFORBIDDEN {
		t.Errorf("another company books: %v, want forbidden", err)
	}
	if _, _, err := MoveBooking(booked, company, w, w, now); cuakhau.ErrorCode(err) != cuakhau.EINVALID {
		t.Errorf("moving to the same window: %v, want invalid", err)
	}
	back, _, err := CancelBooking(booked, company, w, now)
	if err != nil || back.Status != cuakhau.StatusDeclared {
		t.Fatalf("CancelBooking: %v, %v", back, err)
	}

	// Inside the tolerance the booking holds; beyond it the truck is live.
	if a := Arrival(booked, &w, time.Hour, w.Start.Add(59*time.Minute)); !a.Booked || a.Class != cuakhau.ClassBooked || a.SpoilsAt == nil {
		t.Errorf("arrival inside the tolerance: %+v", a)
	}
	if a := Arrival(booked, &w, time.Hour, w.Start.Add(61*time.Minute)); a.Booked || !a.Late || a.Class != cuakhau.ClassLive {
		t.Errorf("late arrival: %+v", a)
	}
	if _, _, err := Arrive(booked, company, cuakhau.ArrivalData{Class: "live"}, now); cuakhau.ErrorCode(err) != cuakhau.EFORBIDDEN {
		t.Errorf("a company checks in: %v, want forbidden", err)
	}
	arrived, ev, err := Arrive(booked, op, cuakhau.ArrivalData{Class: "live"}, now)
	if err != nil || arrived.Status != cuakhau.StatusArrived || ev.Type != cuakhau.EventArrived {
		t.Fatalf("Arrive: %v, %v", arrived, err)
	}
	// Waiting: entry refuses it until it is called.
	if _, _, err := Apply(gate(t, "huu-nghi"), arrived, op, cuakhau.Decision{Checkpoint: "entry", Outcome: cuakhau.OutcomePass}, now); cuakhau.ErrorCode(err) != cuakhau.ECONFLICT {
		t.Errorf("entry while waiting: %v, want conflict", err)
	}
	if _, _, err := Call(arrived, op, cuakhau.CallRecord{Override: true}, now); cuakhau.ErrorCode(err) != cuakhau.EINVALID {
		t.Errorf("override without a reason: %v, want invalid", err)
	}
	called, ev, err := Call(arrived, op, cuakhau.CallRecord{Policy: "fifo"}, now)
	if err != nil || called.Status != cuakhau.StatusCalled || len(ev.Data) == 0 {
		t.Fatalf("Call: %v, %v", called, err)
	}
	in, _, err := Apply(gate(t, "huu-nghi"), called, op, cuakhau.Decision{Checkpoint: "entry", Outcome: cuakhau.OutcomePass}, now)
	if err != nil || in.Status != cuakhau.StatusInZone {
		t.Errorf("entry once called: %v, %v", in, err)
	}
	if _, _, err := BookingNoShow(called, w, now); cuakhau.ErrorCode(err) != cuakhau.ECONFLICT {
		t.Errorf("no-show of a called trip: %v, want conflict", err)
	}
}

// TestReplay recomputes a call from its record and refuses a record from
// another policy version.
func TestReplay(t *testing.T) {
	at := now.Truncate(time.Microsecond)
	in := sched.Input{Now: at, Free: 1, ServiceRate: 10, CrossingTime: time.Hour, Waiting: []sched.Truck{
		{ID: "a", Seq: 1, ArrivedAt: at.Add(-time.Hour)},
		{ID: "b", Seq: 2, ArrivedAt: at.Add(-30 * time.Minute), SpoilsAt: at.Add(3 * time.Hour)},
	}}
	p, err := sched.New(sched.Adaptive, sched.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	want := p.Select(in, 1)[0].ID
	rec := cuakhau.CallRecord{Policy: p.Name(), Version: p.Version(), AgingBoundNS: int64(2 * time.Hour), ToleranceNS: int64(time.Hour), N: 1,
		Input: LoggedInput(in)}
	var waiting []cuakhau.WaitingTruck
	for _, tr := range in.Waiting {
		waiting = append(waiting, LoggedTruck(tr))
	}
	got, ok, err := Replay(rec, waiting)
	if err != nil || !ok || got != want {
		t.Errorf("Replay = %q, %v, %v; want %q", got, ok, err, want)
	}
	rec.Version = "0"
	if _, _, err := Replay(rec, waiting); err == nil {
		t.Error("a record of another version replayed")
	}
}
