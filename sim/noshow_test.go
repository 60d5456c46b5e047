package sim

import (
	"math"
	"testing"

	"github.com/cuakhau/cuakhau/sched"
)

// TestMeasuredNoShowRate checks that the simulator measures its no-show
// rate from its own bookings as the server does: every booked truck that
// comes ends its booking as used, every booking unused by its window's end
// plus the tolerance as a no-show, and the rate in force is
// sched.EndedBookings.Rate over the last 30 days. The scenario's rate is
// the prior only: here the trucks that book never come a third of the
// time, and the measured rate finds it.
func TestMeasuredNoShowRate(t *testing.T) {
	sc, err := Parse("noshow.yaml", []byte(`name: noshow
days: 6
policy: fixed-slot
gates:
  - code: G
    hours: "06:00-22:00"
    stages:
      - {name: s, servers: 4, service: {dist: exponential, mean_min: 6}}
arrivals:
  - {class: c, gate: G, per_hour: 20, booked: 1, no_show: 0.33}
`))
	if err != nil {
		t.Fatal(err)
	}
	p, err := compile(sc)
	if err != nil {
		t.Fatal(err)
	}
	pol, err := sched.New(sched.FixedSlot, p.cfg)
	if err != nil {
		t.Fatal(err)
	}
	m := newModel(p, pol, 0, 1)
	if _, err := m.run(); err != nil {
		t.Fatal(err)
	}
	q := m.queues[0]
	noShows, used := q.ended.Since(m.p.epoch.AddDate(0, 0, -1))
	came := 0
	for _, n := range q.cameBk {
		came += int(n)
	}
	if used != came {
		t.Errorf("%d bookings ended as used, want the %d booked trucks that came", used, came)
	}
	if share := float64(noShows) / float64(noShows+used); math.Abs(share-0.33) > 0.03 {
		t.Errorf("no-show share of ended bookings %.3f (%d of %d), want ~0.33", share, noShows, noShows+used)
	}
	if want := q.ended.Rate(m.timeOf(math.Floor(m.now/noShowEvery)*noShowEvery), q.g.noShow); q.noShow != want {
		t.Errorf("rate in force %.4f, want the one measured at the last look, %.4f", q.noShow, want)
	}
	if q.noShow == q.g.noShow {
		t.Errorf("rate in force %.4f is the scenario's prior, not a measurement", q.noShow)
	}
}
