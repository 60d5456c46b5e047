package sched

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestAreaPlaceIsPlace: Place on an indexed area equals Place on the slice
// of the same trucks, for every policy, on random queues that the area
// followed through arrivals and departures, asked at several moments after
// it was built — the tiers that depend on Now (aged, booked due) and the
// keys that count from it must come out as classify makes them then.
func TestAreaPlaceIsPlace(t *testing.T) {
	t.Cleanup(func() { listShare = 8 })
	r := rand.New(rand.NewPCG(11, 12))
	for trial := range 300 {
		size := r.IntN(80)
		if trial%50 == 0 {
			size = 1500
		}
		in := randomInput(r, size)
		cfg := randomConfig(r)
		// Half the trials list the aged and booked-due trucks however many
		// they are, so that the index is what answers.
		listShare = 8
		if trial%2 == 0 {
			listShare = 0
		}
		area := NewArea()
		for _, w := range in.Waiting {
			area.Add(w)
		}
		// Some leave (called, cancelled), as the gate's state removes them.
		kept := in.Waiting[:0:0]
		for _, w := range in.Waiting {
			if r.IntN(5) == 0 {
				if !area.Remove(w.Seq) {
					t.Fatalf("trial %d: Remove(%d) found nothing", trial, w.Seq)
				}
				continue
			}
			kept = append(kept, w)
		}
		in.Waiting = kept
		if area.Remove(-1) || area.Len() != len(kept) {
			t.Fatalf("trial %d: area holds %d trucks, want %d", trial, area.Len(), len(kept))
		}
		for range 4 {
			in.Now = in.Now.Add(time.Duration(r.IntN(600)-100) * time.Minute)
			arrival := randomInput(r, 1).Waiting[0]
			arrival.ID = "arrival"
			if r.IntN(3) == 0 { // ranked against the aged and the other priorities
				arrival.Priority = 1 + r.IntN(3)
			}
			arrival.Seq = 0
			for _, w := range in.Waiting {
				arrival.Seq = max(arrival.Seq, w.Seq+1)
			}
			arrival.ArrivedAt = in.Now
			arrival.FIFOTurn = NextFIFOTurn(in)
			for _, name := range Names() {
				p := mustNew(t, name, cfg)
				want := Place(p, in, arrival)
				if got := area.Place(p, in, arrival); got != want {
					t.Fatalf("trial %d %s (%d waiting): area Place = %+v, Place gives %+v", trial, name, len(in.Waiting), got, want)
				}
				// Already in the area, as after the check-in was applied.
				with := in
				with.Waiting = append(in.Waiting[:len(in.Waiting):len(in.Waiting)], arrival)
				area.Add(arrival)
				got := area.Place(p, with, arrival)
				area.Remove(arrival.Seq)
				if got != want {
					t.Fatalf("trial %d %s (%d waiting, arrival in the area): area Place = %+v, Place gives %+v", trial, name, len(in.Waiting), got, want)
				}
			}
		}
	}
}

func TestNextFIFOTurn(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for trial := range 200 {
		in := randomInput(r, r.IntN(40))
		if got, want := NextFIFOTurn(in), FIFOTurn(in, Truck{ID: "not waiting"}); !got.Equal(want) {
			t.Fatalf("trial %d: NextFIFOTurn = %v, FIFOTurn of a new truck %v", trial, got, want)
		}
	}
}

// BenchmarkPlace10k places a check-in among ten thousand waiting trucks,
// on the slice (Place) and on the indexed area (Area.Place), for a walk-in
// and for a perishable arrival: in queue10k, where half the queue is past
// its aging bound and a fifth booked, and in queue10kFresh, nobody aged or
// booked, as in a rush of check-ins.
func BenchmarkPlace10k(b *testing.B) {
	b.Run("mixed", func(b *testing.B) { benchPlace(b, queue10k()) })
	b.Run("fresh", func(b *testing.B) { benchPlace(b, queue10kFresh()) })
}

func benchPlace(b *testing.B, in Input) {
	area := NewArea(in.Waiting...)
	var last int64
	for _, w := range in.Waiting {
		last = max(last, w.Seq)
	}
	arrivals := []struct {
		name string
		t    Truck
	}{
		{"walk-in", Truck{ID: "arrival", Seq: last + 1, ArrivedAt: in.Now}},
		{"perishable", Truck{ID: "arrival", Seq: last + 1, ArrivedAt: in.Now, SpoilsAt: in.Now.Add(5 * 24 * time.Hour)}},
	}
	for _, a := range arrivals {
		a.t.FIFOTurn = NextFIFOTurn(in)
		b.Run(a.name, func(b *testing.B) {
			benchPolicies(b, in, func(b *testing.B, p Policy, in Input) {
				b.Run("slice", func(b *testing.B) {
					for b.Loop() {
						Place(p, in, a.t)
					}
				})
				b.Run("area", func(b *testing.B) {
					for b.Loop() {
						area.Place(p, in, a.t)
					}
				})
			})
		})
	}
}

// BenchmarkAreaAddRemove is what the gate's state pays per arrival and
// departure to keep the area indexed, at ten thousand waiting.
func BenchmarkAreaAddRemove(b *testing.B) {
	in := queue10k()
	area := NewArea(in.Waiting...)
	t := in.Waiting[0]
	b.ReportAllocs()
	for b.Loop() {
		area.Remove(t.Seq)
		area.Add(t)
	}
}
