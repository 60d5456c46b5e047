package sched

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// t0 is a Friday morning at the gate, in UTC like every stored time.
var t0 = time.Date(2025, 4, 25, 1, 0, 0, 0, time.UTC)

func mustNew(t testing.TB, name string, cfg Config) Policy {
	t.Helper()
	p, err := New(name, cfg)
	if err != nil {
		t.Fatalf("New(%q): %v", name, err)
	}
	return p
}

func mins(d int) time.Duration { return time.Duration(d) * time.Minute }

// mixedQueue has one truck of each kind the policies tell apart. At 60 trucks
// an hour a call comes every minute.
func mixedQueue() Input {
	now := t0
	at := func(m int) time.Time { return now.Add(mins(m)) }
	return Input{
		Now:          now,
		Free:         1,
		CrossingTime: 30 * time.Minute,
		ServiceRate:  60,
		Waiting: []Truck{
			{ID: "A", Seq: 1, ArrivedAt: at(-10), FIFOTurn: at(-9)},
			{ID: "B", Seq: 2, ArrivedAt: at(-9), FIFOTurn: at(-8), Booked: true, WindowStart: at(30), WindowEnd: at(90)},
			{ID: "C", Seq: 3, ArrivedAt: at(-8), FIFOTurn: at(-7), SpoilsAt: at(180)},
			{ID: "D", Seq: 4, ArrivedAt: at(-7), FIFOTurn: at(-6), Booked: true, WindowStart: at(180), WindowEnd: at(240)},
			{ID: "E", Seq: 5, ArrivedAt: at(-6), FIFOTurn: at(-5), SpoilsAt: at(60)},
			{ID: "F", Seq: 6, ArrivedAt: at(-5), FIFOTurn: at(-4), Priority: 1},
			{ID: "G", Seq: 7, ArrivedAt: at(-4), FIFOTurn: at(-3), SpoilsAt: at(10)},
			{ID: "H", Seq: 8, ArrivedAt: at(-3), FIFOTurn: at(-2), Booked: true, WindowStart: at(-90), WindowEnd: at(-30)},
			// I has waited 30 min beyond its FIFO turn plus the 2 h bound.
			{ID: "I", Seq: 0, ArrivedAt: at(-300), FIFOTurn: at(-150)},
		},
	}
}

func TestOrder(t *testing.T) {
	in := mixedQueue()
	call := func(rank int) time.Time { return in.Now.Add(mins(rank - 1)) }
	r := func(id string, rank int, class, reason string) Ranked {
		return Ranked{ID: id, Rank: rank, Class: class, Reason: reason, ExpectedCall: call(rank)}
	}
	const fifo, live = "fifo: arrival order", "live queue: arrival order"
	for _, tt := range []struct {
		policy string
		want   []Ranked
	}{
		{FIFO, []Ranked{
			r("I", 1, "live", fifo), r("A", 2, "live", fifo), r("B", 3, "booked", fifo),
			r("C", 4, "live", fifo), r("D", 5, "booked", fifo), r("E", 6, "live", fifo),
			r("F", 7, "live", fifo), r("G", 8, "live", fifo), r("H", 9, "booked", fifo),
		}},
		{FixedSlot, []Ranked{
			r("H", 1, "booked", "booked: window due, started 1h30m ago"),
			r("B", 2, "booked", "booked: window due, starts in 30m"),
			r("I", 3, "live", live), r("A", 4, "live", live), r("C", 5, "live", live),
			r("E", 6, "live", live), r("F", 7, "live", live), r("G", 8, "live", live),
			r("D", 9, "booked", "booked: window starts in 3h, not yet due; after the live queue"),
		}},
		{Adaptive, []Ranked{
			r("I", 1, "live", "aging: 2h30m past its FIFO turn (bound 2h)"),
			r("F", 2, "live", "statutory priority 1"),
			r("H", 3, "booked", "booked: window due, started 1h30m ago"),
			r("B", 4, "booked", "booked: window due, starts in 30m"),
			// 60 min of shelf life − 4 min waiting − 30 min crossing.
			r("E", 5, "live", "perishable: slack 26m"),
			r("C", 6, "live", "perishable: slack 2h25m"),
			r("A", 7, "live", "not perishable: arrival order"),
			r("D", 8, "booked", "not perishable: arrival order"),
			// G spoils in 10 min, less than the crossing takes.
			r("G", 9, "live", "perishable, cannot cross before it spoils (slack -28m): arrival order"),
		}},
	} {
		p := mustNew(t, tt.policy, DefaultConfig())
		if diff := cmp.Diff(tt.want, p.Order(in)); diff != "" {
			t.Errorf("%s Order (-want +got):\n%s", tt.policy, diff)
		}
	}
}

// TestAdaptiveSavesMostPerishables checks that a perishable that would spoil
// at its place by shelf life gives that place up to one that can still make
// it, instead of making both late.
func TestAdaptiveSavesMostPerishables(t *testing.T) {
	at := func(m int) time.Time { return t0.Add(mins(m)) }
	in := Input{
		Now:         t0,
		ServiceRate: 1, // one call an hour, none free now
		Waiting: []Truck{
			{ID: "P2", Seq: 1, ArrivedAt: t0, SpoilsAt: at(90)},
			{ID: "N", Seq: 2, ArrivedAt: t0},
			{ID: "P1", Seq: 3, ArrivedAt: t0, SpoilsAt: at(60)},
			{ID: "P3", Seq: 4, ArrivedAt: t0, SpoilsAt: at(120)},
		},
	}
	p := mustNew(t, Adaptive, Config{AgingBound: 100 * time.Hour})
	if diff := cmp.Diff([]string{"P1", "P3", "P2", "N"}, ids(p.Order(in))); diff != "" {
		t.Errorf("Order (-want +got):\n%s", diff)
	}
	// Select must drop P2 the same way while building only the prefix.
	if diff := cmp.Diff([]string{"P1", "P3"}, ids(p.Select(in, 2))); diff != "" {
		t.Errorf("Select(2) (-want +got):\n%s", diff)
	}
}

func TestExpectedCallRateUnknown(t *testing.T) {
	in := mixedQueue()
	in.ServiceRate = 0
	in.Free = 2
	for _, name := range Names() {
		got := mustNew(t, name, DefaultConfig()).Order(in)
		for _, r := range got {
			want := time.Time{}
			if r.Rank <= in.Free {
				want = in.Now // called now, whatever the rate
			}
			if !r.ExpectedCall.Equal(want) {
				t.Errorf("%s: %s rank %d ExpectedCall = %v, want %v", name, r.ID, r.Rank, r.ExpectedCall, want)
			}
		}
	}
}

// TestExpectedCallAgingCap: adaptive never predicts a call later than the
// deadline its aging rule guarantees.
func TestExpectedCallAgingCap(t *testing.T) {
	in := Input{Now: t0, ServiceRate: 1, Free: 0}
	for i := range 5 {
		in.Waiting = append(in.Waiting, Truck{ID: string(rune('a' + i)), Seq: int64(i), ArrivedAt: t0, FIFOTurn: t0, SpoilsAt: t0.Add(100 * time.Hour)})
	}
	in.Waiting = append(in.Waiting, Truck{ID: "n", Seq: 9, ArrivedAt: t0, FIFOTurn: t0.Add(time.Hour)})
	p := mustNew(t, Adaptive, Config{AgingBound: 2 * time.Hour})
	got := p.Order(in)
	last := got[len(got)-1]
	if last.ID != "n" || !last.ExpectedCall.Equal(t0.Add(3*time.Hour)) {
		t.Errorf("last = %s at %v, want n at its deadline %v", last.ID, last.ExpectedCall, t0.Add(3*time.Hour))
	}
}

func TestSelectBounds(t *testing.T) {
	in := mixedQueue()
	for _, name := range Names() {
		p := mustNew(t, name, DefaultConfig())
		for _, tt := range []struct{ n, want int }{{-1, 0}, {0, 0}, {3, 3}, {9, 9}, {100, 9}} {
			got := p.Select(in, tt.n)
			if got == nil || len(got) != tt.want {
				t.Errorf("%s Select(%d) = %d trucks (nil %v), want %d", name, tt.n, len(got), got == nil, tt.want)
			}
		}
		if got := p.Order(Input{Now: t0}); got == nil || len(got) != 0 {
			t.Errorf("%s Order(empty) = %#v, want an empty slice", name, got)
		}
	}
}

func TestNew(t *testing.T) {
	for _, tt := range []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{name: "fifo", cfg: DefaultConfig()},
		{name: "fixed-slot", cfg: DefaultConfig()},
		{name: "adaptive", cfg: DefaultConfig()},
		{name: "fifo", cfg: Config{}}, // fifo needs no aging bound
		{name: "lottery", cfg: DefaultConfig(), wantErr: `unknown policy "lottery": want one of fifo, fixed-slot, adaptive`},
		{name: "adaptive", cfg: Config{Tolerance: time.Hour}, wantErr: "aging bound 0s: must be positive"},
		{name: "fixed-slot", cfg: Config{Tolerance: -time.Minute}, wantErr: "tolerance -1m0s: must not be negative"},
	} {
		p, err := New(tt.name, tt.cfg)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("New(%q, %+v) error = %v, want %q", tt.name, tt.cfg, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("New(%q, %+v): %v", tt.name, tt.cfg, err)
			continue
		}
		if p.Name() != tt.name || p.Version() == "" {
			t.Errorf("New(%q): Name %q Version %q", tt.name, p.Name(), p.Version())
		}
	}
	if diff := cmp.Diff([]string{"fifo", "fixed-slot", "adaptive"}, Names()); diff != "" {
		t.Errorf("Names (-want +got):\n%s", diff)
	}
}

func TestFmtDur(t *testing.T) {
	for _, tt := range []struct {
		in   time.Duration
		want string
	}{
		{0, "0m"}, {29 * time.Second, "0m"}, {30 * time.Second, "1m"}, {59 * time.Minute, "59m"},
		{time.Hour, "1h"}, {130 * time.Minute, "2h10m"}, {-28 * time.Minute, "-28m"},
		{24 * time.Hour, "1d"}, {76*time.Hour + 20*time.Minute, "3d4h"},
	} {
		if got := fmtDur(tt.in); got != tt.want {
			t.Errorf("fmtDur(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func ids(rs []Ranked) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}
