package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
)

// BenchmarkDeclare measures acknowledged declarations per second — each one
// event appended and one projection stored, committed before it returns —
// with one caller and with many, as the API sees them. Compare with the raw
// one-row-per-commit rate of the same engine, which `cuakhau bench` measures
// (docs/benchmarks.md).
//
//	go test -run '^$' -bench Declare -benchtime 5000x ./sqlstore/
func BenchmarkDeclare(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		for _, callers := range []int{1, 64} {
			b.Run(fmt.Sprintf("%s/callers=%d", engine, callers), func(b *testing.B) {
				db := openStore(b, engine, cuakhau.NewFixedClock(start))
				ctx := context.Background()
				work := make(chan struct{}, b.N)
				for range b.N {
					work <- struct{}{}
				}
				close(work)
				var wg sync.WaitGroup
				var mu sync.Mutex
				var firstErr error
				b.ResetTimer()
				t0 := time.Now()
				for range callers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for range work {
							if _, err := db.DeclareTrip(ctx, company, durian()); err != nil {
								mu.Lock()
								firstErr = err
								mu.Unlock()
								return
							}
						}
					}()
				}
				wg.Wait()
				b.StopTimer()
				if firstErr != nil {
					b.Fatal(firstErr)
				}
				b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "events/s")
				s := db.WriteStats()
				b.ReportMetric(float64(s.Ops)/float64(s.Batches), "ops/commit")
			})
		}
	}
}

// BenchmarkDecide measures acknowledged checkpoint decisions per second: each
// reads the trip inside the write, appends an event and rewrites the
// projection. Customs holds and releases trucks that stand at its checkpoint.
func BenchmarkDecide(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		for _, callers := range []int{1, 64} {
			b.Run(fmt.Sprintf("%s/callers=%d", engine, callers), func(b *testing.B) {
				db := openStore(b, engine, cuakhau.NewFixedClock(start))
				ctx := context.Background()
				trips := make([]string, callers)
				for i := range trips {
					trip, err := db.DeclareTrip(ctx, company, durian())
					if err != nil {
						b.Fatal(err)
					}
					for _, s := range route[:2] {
						if _, err := db.Decide(ctx, s.p, trip.ID, cuakhau.Decision{Checkpoint: s.checkpoint, Outcome: cuakhau.OutcomePass}); err != nil {
							b.Fatal(err)
						}
					}
					trips[i] = trip.ID
				}
				before := db.WriteStats()
				var next atomic.Int64
				var wg sync.WaitGroup
				errs := make(chan error, callers)
				b.ResetTimer()
				t0 := time.Now()
				for c := range callers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						hold := true
						for next.Add(1) <= int64(b.N) {
							d := cuakhau.Decision{Checkpoint: "customs", Outcome: cuakhau.OutcomeRelease}
							if hold {
								d = cuakhau.Decision{Checkpoint: "customs", Outcome: cuakhau.OutcomeHold, Note: "kiểm tra hồ sơ"}
							}
							hold = !hold
							if _, err := db.Decide(ctx, customs, trips[c], d); err != nil {
								errs <- err
								return
							}
						}
					}()
				}
				wg.Wait()
				b.StopTimer()
				close(errs)
				if err := <-errs; err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "events/s")
				s := db.WriteStats()
				b.ReportMetric(float64(s.Ops-before.Ops)/float64(s.Batches-before.Batches), "ops/commit")
			})
		}
	}
}
