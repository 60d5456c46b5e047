package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSortedIsSorted: the results' radix sort gives what a comparison sort
// gives, over short and long inputs with negatives, zeros, duplicates,
// infinities and the extremes of float32, and leaves its input alone.
func TestSortedIsSorted(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	special := []float32{0, 1, -1, math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32,
		-math.SmallestNonzeroFloat32, float32(math.Inf(1)), float32(math.Inf(-1)), 0.5, 1e-30}
	for _, n := range []int{0, 1, 7, 1023, 1024, 5000, 70000} {
		for _, spread := range []float64{1, 1e6, 0} {
			xs := make([]float32, n)
			for i := range xs {
				switch r.IntN(4) {
				case 0:
					xs[i] = special[r.IntN(len(special))]
				case 1:
					xs[i] = float32(r.IntN(10)) // duplicates
				default:
					xs[i] = float32(r.NormFloat64() * spread)
				}
			}
			in := slices.Clone(xs)
			got := sorted(xs)
			want := slices.Clone(xs)
			slices.Sort(want)
			if !slices.Equal(xs, in) {
				t.Fatalf("n=%d: sorted changed its input", n)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("n=%d spread=%g: radix order differs from a comparison sort", n, spread)
			}
		}
	}
	for _, x := range special {
		if y := fromOrderedBits(orderedBits(x)); y != x {
			t.Errorf("ordered bits of %g come back as %g", x, y)
		}
	}
}

// BenchmarkSorted: the results' sort of a year's 642,700 waits (hours,
// exponential), by radix and by comparison.
func BenchmarkSorted(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	xs := make([]float32, 642700)
	for i := range xs {
		xs[i] = float32(r.ExpFloat64() * 2)
	}
	b.Run("radix", func(b *testing.B) {
		for b.Loop() {
			sorted(xs)
		}
	})
	b.Run("comparison", func(b *testing.B) {
		for b.Loop() {
			s := slices.Clone(xs)
			slices.Sort(s)
		}
	})
}
