package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// BenchmarkBookContended measures acknowledged bookings per second when 64
// callers book the same day's 13 windows at once: each booking reads and
// locks its trip, counts the window's bookings against its capacity inside
// the write, inserts the booking, appends the event and stores the trip.
// The trips are declared before the timer starts.
//
//	go test -run '^$' -bench BookContended -benchtime 2000x ./sqlstore/
func BenchmarkBookContended(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			db := openStore(b, engine, cuakhau.NewFixedClock(start))
			ctx := context.Background()
			// 100 lanes: windows large enough that no booking is refused.
			if _, err := db.SetControls(ctx, admin, "huu-nghi", cuakhau.ControlsUpdate{Lanes: map[string]int{"entry": 100}}); err != nil {
				b.Fatal(err)
			}
			ids := declareMany(b, db, b.N)
			work := make(chan int, b.N)
			for i := range b.N {
				work <- i
			}
			close(work)
			var wg sync.WaitGroup
			var mu sync.Mutex
			var firstErr error
			b.ResetTimer()
			t0 := time.Now()
			for range 64 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range work {
						w := tomorrow9.Add(time.Duration(i%11) * time.Hour)
						if _, err := db.Book(ctx, company, ids[i], w); err != nil {
							mu.Lock()
							firstErr = fmt.Errorf("book %d at %v: %w", i, w, err)
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
			b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "bookings/s")
		})
	}
}

func declareMany(b *testing.B, db *sqlstore.DB, n int) []string {
	b.Helper()
	ids := make([]string, n)
	var wg sync.WaitGroup
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				t, err := db.DeclareTrip(context.Background(), company, durian())
				if err != nil {
					b.Error(err)
					return
				}
				ids[i] = t.ID
			}
		}()
	}
	wg.Wait()
	return ids
}
