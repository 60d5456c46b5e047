package sched

import (
	"strconv"
	"testing"
	"time"
)

func TestShelfLifeHold(t *testing.T) {
	// 40 trucks waiting, 2 an hour, the zone full: a live truck arriving
	// now is called in about 20 h and needs 3 more to cross.
	in := Input{Now: t0, ServiceRate: 2, CrossingTime: 3 * time.Hour}
	for i := range 40 {
		in.Waiting = append(in.Waiting, Truck{ID: "w" + strconv.Itoa(i), Seq: int64(i + 1), ArrivedAt: t0.Add(-time.Hour)})
	}
	tol := time.Hour
	booked := func(start time.Duration) Truck {
		return Truck{ID: "x", SpoilsAt: t0.Add(22 * time.Hour), Booked: true, WindowStart: t0.Add(start), WindowEnd: t0.Add(start + time.Hour)}
	}
	for _, tt := range []struct {
		name  string
		truck Truck
		want  bool
	}{
		{"live, a day left: the fifo turn is too late", Truck{ID: "x", SpoilsAt: t0.Add(22 * time.Hour)}, true},
		{"live, a week left", Truck{ID: "x", SpoilsAt: t0.Add(7 * 24 * time.Hour)}, false},
		// Under fixed-slot a booked truck due now is called before the live
		// queue.
		{"booked, window now", booked(0), false},
		{"booked, window at the tolerance", booked(tol), false},
		// Too far ahead to judge: not held, whatever its shelf life.
		{"booked, window beyond the tolerance, 2 h left", Truck{ID: "x", SpoilsAt: t0.Add(2 * time.Hour), Booked: true,
			WindowStart: t0.Add(tol + time.Minute), WindowEnd: t0.Add(tol + time.Hour)}, false},
		{"booked, window now, 2 h left", Truck{ID: "x", SpoilsAt: t0.Add(2 * time.Hour), Booked: true,
			WindowStart: t0, WindowEnd: t0.Add(time.Hour)}, true},
	} {
		hold, need := ShelfLifeHold(mustNew(t, FixedSlot, DefaultConfig()), in, tt.truck, tol)
		if hold != tt.want {
			t.Errorf("%s: hold %v (need %v), want %v", tt.name, hold, need, tt.want)
		}
	}
}

// TestHoldOnTheWayReleasesBooking checks what a hold does to the held
// truck's booking: a truck told to hold gives its booking up, whether it
// would keep its window or had lost it by coming late; one not held keeps
// it; one without a booking has none to give up.
func TestHoldOnTheWayReleasesBooking(t *testing.T) {
	in := Input{Now: t0, ServiceRate: 2, CrossingTime: 3 * time.Hour}
	for i := range 40 {
		in.Waiting = append(in.Waiting, Truck{ID: "w" + strconv.Itoa(i), Seq: int64(i + 1), ArrivedAt: t0.Add(-time.Hour)})
	}
	p := mustNew(t, FixedSlot, DefaultConfig())
	short := Truck{ID: "x", SpoilsAt: t0.Add(2 * time.Hour)}
	long := Truck{ID: "y", SpoilsAt: t0.Add(7 * 24 * time.Hour)}
	keeps := short
	keeps.Booked, keeps.WindowStart, keeps.WindowEnd = true, t0, t0.Add(time.Hour)
	for _, tt := range []struct {
		name       string
		truck      Truck
		hasBooking bool
		want       Hold
	}{
		{"held, booking kept on arrival", keeps, true, Hold{Hold: true, Release: true}},
		{"held, booking lost by lateness", short, true, Hold{Hold: true, Release: true}},
		{"held, no booking", short, false, Hold{Hold: true}},
		{"not held, booked", long, true, Hold{}},
	} {
		got := HoldOnTheWay(p, in, tt.truck, tt.hasBooking, time.Hour)
		if got.Hold != tt.want.Hold || got.Release != tt.want.Release {
			t.Errorf("%s: %+v, want hold %v release %v", tt.name, got, tt.want.Hold, tt.want.Release)
		}
		if hold, need := ShelfLifeHold(p, in, tt.truck, time.Hour); hold != got.Hold || need != got.Need {
			t.Errorf("%s: %+v differs from ShelfLifeHold's %v, %v", tt.name, got, hold, need)
		}
	}
}
