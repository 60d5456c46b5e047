package sqlstore_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/report"
	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/cuakhau/cuakhau/stats"
)

// BenchmarkStats measures the statistics with a Lạng Sơn year in the
// store: 2026 with 1,300 to 2,100 trucks a day (618,710) over the four
// gates, both directions and six HS chapters, each truck's clearance times
// and its numbered receipt; 2025 as imported history. It reads a
// month of daily statistics (GET /api/v1/stats/daily's work), six months,
// and six months written as an XLSX report (cuakhau report's work).
//
// The rows a year of crossings leaves are written straight into the
// statistics' tables: 618,710 crossings through the write path would take
// hours, and these reads touch only these tables.
//
//	go test -run '^$' -bench Stats -benchtime 10x -count 5 ./sqlstore/
func BenchmarkStats(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			db := openStore(b, engine, cuakhau.NewFixedClock(start))
			trucks := fillYear(b, db)
			b.Logf("%s: %d trucks in 2026", engine, trucks)
			ctx := context.Background()
			month := stats.Query{Range: stats.Range{From: stats.NewDate(2026, time.May, 1), To: stats.NewDate(2026, time.May, 31)}}
			half := stats.Query{Range: stats.Range{From: stats.NewDate(2026, time.January, 1), To: stats.NewDate(2026, time.June, 30)}}
			read := func(b *testing.B, q stats.Query) *stats.Period {
				p, err := db.Stats(ctx, viewer, q)
				if err != nil {
					b.Fatal(err)
				}
				if p.Totals.Now.Trucks == 0 || p.Totals.TrucksGrowth == nil || p.Clearance.Crossed != int(p.Totals.Now.Trucks) {
					b.Fatalf("%+v", p.Totals)
				}
				return p
			}
			b.Run("month", func(b *testing.B) {
				for b.Loop() {
					read(b, month)
				}
			})
			b.Run("month-one-gate", func(b *testing.B) {
				q := month
				q.Gate = "huu-nghi"
				for b.Loop() {
					read(b, q)
				}
			})
			b.Run("month-waits-by-day", func(b *testing.B) {
				q := month
				q.WaitsByDay = true
				for b.Loop() {
					if p := read(b, q); len(p.WaitsByDay) < 28 {
						b.Fatalf("%d days of waits", len(p.WaitsByDay))
					}
				}
			})
			b.Run("six-months", func(b *testing.B) {
				for b.Loop() {
					read(b, half)
				}
			})
			b.Run("six-months-xlsx", func(b *testing.B) {
				for b.Loop() {
					if err := report.Write(io.Discard, read(b, half), report.XLSX, stats.LangVI); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// fillYear writes the statistics' rows of a year of crossings (2026) and
// the year before as history, and returns the trucks of 2026.
func fillYear(b *testing.B, db *sqlstore.DB) int64 {
	b.Helper()
	ctx := context.Background()
	gates := []struct {
		code  string
		share int64 // per cent of the day's trucks
	}{{"huu-nghi", 45}, {"tan-thanh", 35}, {"chi-ma", 15}, {"coc-nam", 5}}
	chapters := []string{"08", "07", "84", "85", "39", "94"}
	daily := &rowBatch{db: db, head: "INSERT INTO daily_stats (day, gate, direction, hs_chapter, source, trucks, value_usd_cents, gross_kg) VALUES ", cols: 8}
	times := &rowBatch{db: db, head: "INSERT INTO crossing_times (trip_id, day, gate, direction, declared_s, arrived_s) VALUES ", cols: 6}
	receipts := &rowBatch{db: db, head: "INSERT INTO receipts (trip_id, gate, direction, crossed_at, crossed_day, year, seq, number, tariff_version, amount_vnd) VALUES ", cols: 10}
	var total, seq int64
	for d, i := stats.NewDate(2025, time.January, 1), 0; d.Year() < 2027; d, i = d.AddDays(1), i+1 {
		perDay := 1300 + int64(i*37%800) // 1,300 to 2,099
		for _, g := range gates {
			for _, dir := range []cuakhau.Direction{cuakhau.Export, cuakhau.Import} {
				n := perDay * g.share / 100 / 2
				if d.Year() == 2025 {
					daily.add(b, ctx, d.String(), g.code, string(dir), "", "history", n*9/10, n*9/10*3_000_000, 0)
					continue
				}
				for c, ch := range chapters {
					k := n / int64(len(chapters))
					if c == 0 {
						k += n % int64(len(chapters))
					}
					daily.add(b, ctx, d.String(), g.code, string(dir), ch, "live", k, k*4_000_000, k*20_000)
				}
				for t := range n {
					seq++
					id := fmt.Sprintf("bench-%07d", seq)
					times.add(b, ctx, id, d.String(), g.code, string(dir), 86400+t*60, 3600+t%240*60)
					receipts.add(b, ctx, id, g.code, string(dir), d.Start(time.UTC).Add(8*time.Hour).Format(time.RFC3339), d.String(),
						d.Year(), seq, fmt.Sprintf("LS-%d-%06d", d.Year(), seq), "bench", 2_200_000)
				}
				total += n
			}
		}
	}
	for _, r := range []*rowBatch{daily, times, receipts} {
		r.flush(b, ctx)
	}
	return total
}

// rowBatch writes rows 500 to a statement, bypassing the log.
type rowBatch struct {
	db   *sqlstore.DB
	head string
	cols int
	args []any
}

func (r *rowBatch) add(b *testing.B, ctx context.Context, vals ...any) {
	r.args = append(r.args, vals...)
	if len(r.args) >= 500*r.cols {
		r.flush(b, ctx)
	}
}

func (r *rowBatch) flush(b *testing.B, ctx context.Context) {
	if len(r.args) == 0 {
		return
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", r.cols), ", ") + ")"
	rows := strings.TrimSuffix(strings.Repeat(row+", ", len(r.args)/r.cols), ", ")
	if err := r.db.ExecRaw(ctx, r.head+rows, r.args...); err != nil {
		b.Fatal(err)
	}
	r.args = r.args[:0]
}
