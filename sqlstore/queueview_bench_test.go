//go:build unix

package sqlstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/httpapi"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// BenchmarkQueuePage measures GET /api/v1/gates/{gate}/queue through the
// HTTP API with 10,000 trucks waiting at Hữu Nghị under the adaptive policy:
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
			secret, _, err := db.CreateToken(ctx, cuakhau.Token{Name: "bench", Role: cuakhau.RoleAdmin})
			if err != nil {
				b.Fatal(err)
			}
			srv := httptest.NewServer(httpapi.New(httpapi.Config{Gates: db, Trips: db, Tokens: db, Queue: db}))
			b.Cleanup(srv.Close)
			get := func(b *testing.B, query string) []byte {
				req, _ := http.NewRequest("GET", srv.URL+"/api/v1/gates/huu-nghi/queue?"+query, nil)
				req.Header.Set("Authorization", "Bearer "+secret)
				resp, err := srv.Client().Do(req)
				if err != nil {
					b.Fatal(err)
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK {
					b.Fatalf("GET queue?%s: %d %v %.200s", query, resp.StatusCode, err, body)
				}
				return body
			}
			first := get(b, "limit=100")
			var page struct {
				Waiting int    `json:"waiting"`
				Next    string `json:"next"`
			}
			if err := json.Unmarshal(first, &page); err != nil || page.Waiting != 10000 || page.Next == "" {
				b.Fatalf("first page: waiting %d, next %q, %v", page.Waiting, page.Next, err)
			}
			for _, c := range []struct{ name, query string }{
				{"default", ""},
				{"limit=500", "limit=500"},
				{"second", "cursor=" + page.Next},
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
