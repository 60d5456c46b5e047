//go:build unix

package sqlstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// BenchmarkQueuePage measures a page of the queue as GET
// /api/v1/gates/{gate}/queue sends it (the store's view, JSON-encoded; the
// HTTP layer is httpapi's and the store's tests do not import it) with 10,000
// trucks waiting at Hữu Nghị under the adaptive policy:
// the time and the size of one page, at the default and the largest limit,
// and of the second page (with a cursor). A third of the trucks carry
// perishables and a tenth are booked.
//
// The waiting area is written straight into the store's waiting rows (each
// truck a declared trip): 10,000 check-ins through the API would take many
// minutes at this depth, and the listing reads only these rows.
//
//	go test -run '^$' -bench QueuePage -benchtime 20x -count 5 ./sqlstore/
func BenchmarkQueuePage(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			now := time.Date(2026, 12, 1, 5, 0, 0, 0, time.UTC) // 12:00 local
			db := openStore(b, engine, cuakhau.NewFixedClock(now))
			ctx := context.Background()
			if _, err := db.SetControls(ctx, admin, "huu-nghi", cuakhau.ControlsUpdate{Policy: ptr("adaptive")}); err != nil {
				b.Fatal(err)
			}
			fillWaiting(b, db, declareMany(b, db, 10000), now)
			// The page as the API sends it: the store's view, JSON-encoded.
			get := func(b *testing.B, f cuakhau.QueueFilter) []byte {
				v, err := db.Queue(ctx, admin, "huu-nghi", f)
				if err != nil {
					b.Fatalf("queue %+v: %v", f, err)
				}
				body, err := json.Marshal(v)
				if err != nil {
					b.Fatal(err)
				}
				return body
			}
			first := get(b, cuakhau.QueueFilter{Limit: 100})
			var page struct {
				Waiting int    `json:"waiting"`
				Next    string `json:"next"`
			}
			if err := json.Unmarshal(first, &page); err != nil || page.Waiting != 10000 || page.Next == "" {
				b.Fatalf("first page: waiting %d, next %q, %v", page.Waiting, page.Next, err)
			}
			for _, c := range []struct {
				name  string
				query cuakhau.QueueFilter
			}{
				{"default", cuakhau.QueueFilter{}},
				{"limit=500", cuakhau.QueueFilter{Limit: 500}},
				{"second", cuakhau.QueueFilter{Cursor: page.Next}},
			} {
				b.Run(c.name, func(b *testing.B) {
					var n int
					cpu0 := cpuTime()
					for b.Loop() {
						n = len(get(b, c.query))
					}
					b.ReportMetric(float64(n), "bytes/page")
					// The process's CPU time (server and client, all goroutines)
					// per page: on a shared machine the wall time also counts
					// the other processes' turns.
					b.ReportMetric(float64(cpuTime()-cpu0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/page")
				})
			}
		})
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// fillWaiting puts the trips ids in Hữu Nghị's waiting area, one arrival a
// second before now: every third perishable (10 days' shelf life), every
// tenth booked for the window of now.
func fillWaiting(b *testing.B, db *sqlstore.DB, ids []string, now time.Time) {
	b.Helper()
	const format = cuakhau.TimeFormat
	win := now.Truncate(time.Hour)
	errs := db.RunBatch(func(ctx context.Context, tx *sqlstore.WriteTx) error {
		for i, id := range ids {
			arrived := now.Add(-time.Duration(len(ids)-i) * time.Second)
			booked, ws, we, spoils := 0, "", "", ""
			if i%10 == 0 {
				booked, ws, we = 1, win.Format(format), win.Add(time.Hour).Format(format)
			}
			if i%3 == 0 {
				spoils = arrived.Add(240 * time.Hour).Format(format)
			}
			if err := tx.Exec(ctx, `INSERT INTO waiting (trip_id, gate, direction, seq, arrived_at, booked, window_start, window_end, spoils_at, priority, fifo_turn)
				VALUES (?, 'huu-nghi', 'export', ?, ?, ?, ?, ?, ?, 0, '')`, id, 1000000+i, arrived.Format(format), booked, ws, we, spoils); err != nil {
				return fmt.Errorf("waiting row %d: %w", i, err)
			}
		}
		return nil
	})
	if errs[0] != nil {
		b.Fatal(errs[0])
	}
}
