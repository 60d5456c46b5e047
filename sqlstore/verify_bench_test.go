package sqlstore_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// BenchmarkVerifyProjections measures rebuilding every projection from a
// log of 100,000 events — 12,500 trips declared and decided through their
// seven checkpoints to crossed — and comparing them with the stored rows.
// The log is written before the timer starts; the figures are the median
// of the runs.
//
//	go test -run '^$' -bench VerifyProjections -benchtime 5x ./sqlstore/
func BenchmarkVerifyProjections(b *testing.B) {
	const trips = 12500 // × (1 declared + 7 decisions) = 100,000 events
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			db := openStore(b, engine, cuakhau.NewFixedClock(start))
			crossMany(b, db, trips)
			ctx := context.Background()
			var took []time.Duration
			b.ResetTimer()
			for range b.N {
				t0 := time.Now()
				diffs, err := db.VerifyProjections(ctx)
				took = append(took, time.Since(t0))
				if err != nil {
					b.Fatal(err)
				}
				if len(diffs) != 0 {
					b.Fatalf("%d differences, the first %s", len(diffs), diffs[0])
				}
			}
			b.StopTimer()
			slices.Sort(took)
			median := took[len(took)/2]
			b.ReportMetric(median.Seconds(), "median-s/verify")
			b.ReportMetric(float64(trips*(1+len(route)))/median.Seconds(), "events/s")
		})
	}
}

// crossMany declares n trips and decides each through its route to
// crossed, from 64 callers.
func crossMany(b *testing.B, db *sqlstore.DB, n int) {
	b.Helper()
	ctx := context.Background()
	next := make(chan struct{}, n)
	for range n {
		next <- struct{}{}
	}
	close(next)
	var wg sync.WaitGroup
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				t, err := db.DeclareTrip(ctx, company, durian())
				if err != nil {
					b.Error(err)
					return
				}
				for _, s := range route {
					if _, err := db.Decide(ctx, s.p, t.ID, cuakhau.Decision{Checkpoint: s.checkpoint, Outcome: cuakhau.OutcomePass, Channel: s.channel}); err != nil {
						b.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}
