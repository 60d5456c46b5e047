package sched

import (
	"math"
	"testing"
	"time"
)

func TestCallBudget(t *testing.T) {
	inf := math.Inf(1)
	for _, tt := range []struct {
		free, inZone int
		otherPerHour float64
		horizon      time.Duration
		want         int
	}{
		{10, 0, inf, time.Hour, 10},        // not announced: the room
		{10, 0, -1, time.Hour, 10},         // not announced
		{10, 0, math.NaN(), time.Hour, 10}, // not announced
		{30, 0, 26.0 / 11, 0, 10},          // Hữu Nghị, Dec 2021: ⌈2.36 × 4⌉, not 30
		{22, 8, 26.0 / 11, 0, 2},           // 8 inside already
		{20, 10, 26.0 / 11, 0, 0},          // full to the budget
		{10, 0, 5.0 / 11, 0, 2},            // Cốc Nam: ⌈0.45 × 4⌉
		{10, 0, 0.01, time.Hour, 1},        // a trickle still gets one truck
		{10, 1, 0.01, time.Hour, 0},        // … one at a time
		{10, 0, 0, time.Hour, 0},           // the other side has closed
		{5, 0, 27.4, 4 * time.Hour, 5},     // normal days: the room binds
		{-3, 0, 1, time.Hour, 0},           // overfull zone
	} {
		got := CallBudget(tt.free, tt.inZone, tt.otherPerHour, tt.horizon)
		if got != tt.want {
			t.Errorf("CallBudget(%d, %d, %v, %v) = %d, want %d", tt.free, tt.inZone, tt.otherPerHour, tt.horizon, got, tt.want)
		}
	}
	if got := OtherPerHour(26, 11); got != 26.0/11 {
		t.Errorf("OtherPerHour(26, 11) = %v", got)
	}
	if got := OtherPerHour(-1, 11); !math.IsInf(got, 1) {
		t.Errorf("OtherPerHour(-1, 11) = %v, want +Inf", got)
	}
}

func TestZoneBudget(t *testing.T) {
	for _, tt := range []struct {
		room, inZone int
		otherPerDay  float64
		openHours    float64
		want         int
	}{
		{30, 0, NotAnnounced, 11, 30}, // not announced: the room
		{30, 28, NotAnnounced, 11, 2}, // the room less those inside
		{30, 31, NotAnnounced, 11, 0}, // overfull
		{30, 0, math.Inf(1), 11, 30},  // no limit announced
		{30, 0, 26, 11, 10},           // Hữu Nghị, Dec 2021: ⌈26/11 × 4⌉
		{30, 8, 26, 11, 2},            // 8 inside already
		{30, 0, 0, 11, 0},             // the other side has closed
		{30, 0, 26, 0, 30},            // no working hours: nothing to spread over
		{5, 0, 658, 24, 5},            // normal days: the room binds
	} {
		got := ZoneBudget(tt.room, tt.inZone, tt.otherPerDay, tt.openHours, DefaultCallHorizon)
		if got != tt.want {
			t.Errorf("ZoneBudget(%d, %d, %v, %v) = %d, want %d", tt.room, tt.inZone, tt.otherPerDay, tt.openHours, got, tt.want)
		}
	}
}
