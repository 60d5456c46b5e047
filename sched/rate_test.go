package sched_test

import (
	"testing"
	"time"

	"github.com/cuakhau/cuakhau/sched"
)

func TestServiceRatePerLane(t *testing.T) {
	now := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	// every3 is one crossing every 3 minutes over the two hours before now
	// (20 an hour, 40 in all).
	var every3 []time.Time
	for i := 39; i >= 0; i-- {
		every3 = append(every3, now.Add(-time.Duration(i)*3*time.Minute))
	}
	tests := []struct {
		name      string
		crossings []time.Time
		lanes     int
		oldest    time.Time
		want      float64
	}{
		{"nothing waiting: the configured rate", every3, 2, time.Time{}, 12},
		{"oldest arrived now: the configured rate", every3, 2, now, 12},
		{"queue busy for hours: the last hour, per lane", every3, 2, now.Add(-5 * time.Hour), 10},
		{"one lane", every3, 1, now.Add(-5 * time.Hour), 20},
		{"queue busy for 30 min: too few crossings", every3, 1, now.Add(-30 * time.Minute), 12},
		{"queue busy for 57 min: 19 crossings, too few", every3, 1, now.Add(-57 * time.Minute), 12},
		{"queue busy for 59 min: 20 crossings over 59 min", every3, 1, now.Add(-59 * time.Minute), 20 / (59.0 / 60)},
		{"no lanes: the configured rate", every3, 0, now.Add(-5 * time.Hour), 12},
		{"no crossings", nil, 2, now.Add(-5 * time.Hour), 12},
		{"crossings after now are not counted", append(append([]time.Time(nil), every3...), now.Add(time.Minute), now.Add(2*time.Minute)),
			1, now.Add(-5 * time.Hour), 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sched.ServiceRatePerLane(tt.crossings, tt.lanes, tt.oldest, now, 12)
			if d := got - tt.want; d > 1e-9 || d < -1e-9 {
				t.Errorf("ServiceRatePerLane = %v, want %v", got, tt.want)
			}
		})
	}
}
