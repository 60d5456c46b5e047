package sched

import (
	"testing"
	"time"
)

func TestExpectedWait(t *testing.T) {
	in := mixedQueue() // 9 waiting, 1 free, a call a minute
	walkIn := Truck{}
	fruit := Truck{SpoilsAt: t0.Add(4 * time.Hour)}
	booked := Truck{Booked: true, WindowStart: t0.Add(20 * time.Minute)}
	for _, tt := range []struct {
		policy  string
		in      Input
		arrival Truck
		want    time.Duration
	}{
		// Behind all nine; the first goes now, each next a minute later.
		{FIFO, in, walkIn, 9 * time.Minute},
		{FIFO, in, fruit, 9 * time.Minute},
		{FixedSlot, in, walkIn, 8 * time.Minute}, // ahead of the early booking D
		{FixedSlot, in, booked, time.Minute},     // after H, whose window started, before B's
		// Last, like under fifo: behind the perishables that can be saved and
		// by arrival among the rest, G included.
		{Adaptive, in, walkIn, 9 * time.Minute},
		// Its shelf life ends after E's (1 h), before C's (3 h): 6th of 10.
		{Adaptive, in, Truck{SpoilsAt: t0.Add(2 * time.Hour)}, 5 * time.Minute},
		{Adaptive, in, fruit, 6 * time.Minute},
		{Adaptive, in, Truck{Priority: 2}, time.Minute}, // only the aged I goes first
		// Called at once: room is free and nobody waits.
		{Adaptive, Input{Now: t0, Free: 1}, walkIn, 0},
		{FIFO, Input{Now: t0, Free: 0}, walkIn, WaitUnknown},
		{FIFO, Input{Now: t0, Free: 0, ServiceRate: 4}, walkIn, 15 * time.Minute},
	} {
		p := mustNew(t, tt.policy, DefaultConfig())
		if got := ExpectedWait(p, tt.in, tt.arrival); got != tt.want {
			t.Errorf("%s ExpectedWait(%d waiting, %+v) = %v, want %v", tt.policy, len(tt.in.Waiting), tt.arrival, got, tt.want)
		}
	}
}

func TestFIFOTurn(t *testing.T) {
	three := []Truck{{ID: "a"}, {ID: "b"}, {ID: "c"}}
	for _, tt := range []struct {
		name    string
		in      Input
		arrival Truck
		want    time.Time
	}{
		{"empty queue, room free", Input{Now: t0, Free: 1, ServiceRate: 60}, Truck{ID: "x"}, t0},
		{"empty queue, zone full", Input{Now: t0, ServiceRate: 60}, Truck{ID: "x"}, t0.Add(time.Minute)},
		{"three ahead, two free", Input{Now: t0, Free: 2, ServiceRate: 60, Waiting: three}, Truck{ID: "x"}, t0.Add(2 * time.Minute)},
		{"already listed", Input{Now: t0, Free: 2, ServiceRate: 60, Waiting: three}, Truck{ID: "c"}, t0.Add(time.Minute)},
		{"rate unknown", Input{Now: t0, ServiceRate: 0, Waiting: three}, Truck{ID: "x"}, time.Time{}},
		{"rate unknown, room free", Input{Now: t0, Free: 5, Waiting: three}, Truck{ID: "x"}, t0},
	} {
		if got := FIFOTurn(tt.in, tt.arrival); !got.Equal(tt.want) {
			t.Errorf("%s: FIFOTurn = %v, want %v", tt.name, got, tt.want)
		}
	}
}
