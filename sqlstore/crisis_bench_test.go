package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/gatestate"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// BenchmarkCrisis measures, on SQLite, a check-in and a call out of turn at
// one gate with 10,000 trucks waiting (checked in before the timer starts),
// building the gate's state from the tables and from its log, and a read of
// the public feed: the store's own cost, without HTTP.
//
//	go test -run '^$' -bench Crisis -benchtime 200x -count 5 ./sqlstore/
func BenchmarkCrisis(b *testing.B) {
	const waiting = 10000
	clock := cuakhau.NewFixedClock(start)
	db := openStore(b, "sqlite", clock)
	ctx := context.Background()
	// Enough trips for every round the benchmark framework runs.
	const rounds = 2000
	ids := declareMany(b, db, waiting+rounds)
	arriveMany(b, db, ids[:waiting])
	next, called := waiting, 0
	b.Run("arrive", func(b *testing.B) {
		for range b.N {
			if next == len(ids) {
				b.Fatal("out of trips: raise rounds")
			}
			clock.Add(time.Millisecond)
			if _, err := db.Arrive(ctx, operator, ids[next]); err != nil {
				b.Fatal(err)
			}
			next++
		}
	})
	b.Run("call", func(b *testing.B) {
		for range b.N {
			id := ids[called]
			called++
			if _, err := db.Call(ctx, operator, "huu-nghi", cuakhau.CallRequest{TripID: id, Reason: "benchmark"}); err != nil {
				b.Fatal(fmt.Errorf("call %s: %w", id, err))
			}
		}
	})
	// What a restart costs: the state built from the tables, as the store
	// does, against a replay of the gate's whole log.
	b.Run("build-tables", func(b *testing.B) {
		for range b.N {
			if _, err := db.RebuiltState(ctx, "huu-nghi"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("build-log", func(b *testing.B) {
		for range b.N {
			st := gatestate.New("huu-nghi")
			if err := db.ScanLog(ctx, "huu-nghi", st.Apply); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("feed", func(b *testing.B) {
		for range b.N {
			if _, err := db.PublicWaits(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// arriveMany checks ids in from 64 callers at once.
func arriveMany(b *testing.B, db *sqlstore.DB, ids []string) {
	b.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(len(ids)); i = next.Add(1) - 1 {
				if _, err := db.Arrive(context.Background(), operator, ids[i]); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}
