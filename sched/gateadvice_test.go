package sched_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cuakhau/cuakhau/sched"
)

func TestAdviceFor(t *testing.T) {
	now := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	p, err := sched.New(sched.Adaptive, sched.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var waiting []sched.Truck
	for i := range 30 {
		waiting = append(waiting, sched.Truck{ID: string(rune('a' + i)), Seq: int64(i + 1), ArrivedAt: now.Add(-time.Duration(30-i) * time.Minute)})
	}
	in := sched.Input{Now: now, Waiting: waiting, Free: 0, CrossingTime: 2 * time.Hour, ServiceRate: 10}
	th := sched.DefaultThresholds().Scaled(0.5)
	base := sched.GateFacts{Policy: p, Input: in, OpenHours: 13, BookedAhead: 40, NoShowRate: 0.1, Held: 3, Thresholds: th}

	t.Run("no perishable expected", func(t *testing.T) {
		got := sched.AdviceFor(base)
		want := sched.AdviceInput{Waiting: 30, Thresholds: th, OurPerDay: 130, CrossingTime: 2 * time.Hour,
			Booked: 36, Held: 3, PerishableWait: sched.WaitUnknown}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("AdviceFor (-want +got):\n%s", d)
		}
	})
	t.Run("typical perishable and the other side announced", func(t *testing.T) {
		f := base
		f.ShelfLife, f.OtherAnnounced, f.OtherPerDay = 48*time.Hour, true, 100
		got := sched.AdviceFor(f)
		probe := sched.ExpectedWait(p, in, sched.Truck{SpoilsAt: now.Add(48 * time.Hour)})
		if probe < 0 {
			t.Fatalf("the probe's wait cannot be predicted: %v", probe)
		}
		want := sched.AdviceInput{Waiting: 30, Thresholds: th, OurPerDay: 130, OtherPerDay: 100, OtherAnnounced: true,
			ShelfLife: 48 * time.Hour, CrossingTime: 2 * time.Hour, Booked: 36, Held: 3, PerishableWait: probe}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("AdviceFor (-want +got):\n%s", d)
		}
	})
	t.Run("a capacity not announced is not passed on", func(t *testing.T) {
		f := base
		f.OtherPerDay = 100
		if got := sched.AdviceFor(f); got.OtherAnnounced || got.OtherPerDay != 0 {
			t.Errorf("AdviceFor: OtherAnnounced %v, OtherPerDay %v; want false, 0", got.OtherAnnounced, got.OtherPerDay)
		}
	})
}

func TestAdvisoryChanged(t *testing.T) {
	on := func(l sched.Level) sched.Advice { return sched.Advice{Active: true, Level: l} }
	for _, tt := range []struct {
		name              string
		announced, active bool
		last              sched.Level
		adv               sched.Advice
		want              bool
	}{
		{"first, in force", false, false, "", on(sched.Green), true},
		{"first, none", false, false, "", sched.Advice{}, false},
		{"comes into force", true, false, sched.Green, on(sched.Green), true},
		{"same level", true, true, sched.Yellow, on(sched.Yellow), false},
		{"rises", true, true, sched.Yellow, on(sched.Orange), true},
		{"falls inside the episode", true, true, sched.Orange, on(sched.Yellow), false},
		{"clears", true, true, sched.Red, sched.Advice{}, true},
		{"stays clear", true, false, sched.Green, sched.Advice{}, false},
	} {
		if got := sched.AdvisoryChanged(tt.announced, tt.active, tt.last, tt.adv); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
