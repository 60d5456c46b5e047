package flow

import (
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sched"
	"github.com/google/go-cmp/cmp"
)

// TestProjectRebuildsTheTrip writes a trip's life as the store does — each
// transition's event kept — and rebuilds the trip from those events alone.
func TestProjectRebuildsTheTrip(t *testing.T) {
	g := gate(t, "huu-nghi")
	trip, ev, err := Declare(g, durianExport(), company, "id-1", "HN-ABCDEF", now)
	if err != nil {
		t.Fatal(err)
	}
	events := []*cuakhau.Event{ev}
	at := now
	step := func(next *cuakhau.Trip, ev *cuakhau.Event, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		trip = next
		events = append(events, ev)
		at = at.Add(7 * time.Minute)
	}
	w := sched.Window{Start: now.Add(time.Hour), End: now.Add(2 * time.Hour)}
	step(Book(trip, company, w, at))
	step(MoveBooking(trip, company, w, sched.Window{Start: w.End, End: w.End.Add(time.Hour)}, at))
	step(SetPriority(trip, operator, 2, "thuốc", at))
	step(Arrive(trip, operator, Arrival(trip, nil, time.Hour, at), at))
	step(Call(trip, cuakhau.Principal{Role: "system"}, cuakhau.CallRecord{Policy: "fifo", Chosen: trip.ID}, at))
	for _, s := range []struct {
		p  cuakhau.Principal
		cp string
		ch cuakhau.Channel
	}{{operator, "entry", ""}, {medical, "medical", ""}, {customs, "customs", cuakhau.ChannelRed}, {quarantine, "quarantine", ""}} {
		step(Apply(g, trip, s.p, cuakhau.Decision{Checkpoint: s.cp, Outcome: cuakhau.OutcomePass, Channel: s.ch}, at))
	}
	step(Apply(g, trip, guard, cuakhau.Decision{Checkpoint: "border_guard", Outcome: cuakhau.OutcomeHold, Note: "kiểm tra"}, at))

	var got *cuakhau.Trip
	for _, ev := range events {
		if got, err = Project(g, got, ev); err != nil {
			t.Fatalf("Project %s: %v", ev.Type, err)
		}
	}
	if diff := cmp.Diff(trip, got); diff != "" {
		t.Errorf("rebuilt trip (-written +rebuilt):\n%s", diff)
	}

	// An entry whose recorded status its transition does not give.
	bad := *events[1]
	bad.Status = cuakhau.StatusCrossed
	if _, err := Project(g, mustProject(t, g, events[:1]), &bad); err == nil || !strings.Contains(err.Error(), "records status crossed") {
		t.Errorf("Project of a booked entry recording crossed: %v", err)
	}
	// An entry for a trip no entry declares.
	if _, err := Project(g, nil, events[1]); err == nil || !strings.Contains(err.Error(), "no earlier entry declares") {
		t.Errorf("Project of a booking before its declaration: %v", err)
	}
}

func mustProject(t *testing.T, g *cuakhau.Gate, events []*cuakhau.Event) *cuakhau.Trip {
	t.Helper()
	var trip *cuakhau.Trip
	for _, ev := range events {
		var err error
		if trip, err = Project(g, trip, ev); err != nil {
			t.Fatal(err)
		}
	}
	return trip
}
