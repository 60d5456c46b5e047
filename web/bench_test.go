package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/catalog"
	"github.com/cuakhau/cuakhau/stats"
	"github.com/cuakhau/cuakhau/web"
)

// TestBoardFirstLoad: the board's first load, gzipped, stays within
// 150 KB: it works on a slow phone line.
func TestBoardFirstLoad(t *testing.T) {
	db := openStore(t, cuakhau.NewFixedClock(testNow))
	pages := newPages(t, db)
	total, files := firstLoadBytes(t, pages)
	t.Logf("board first load: %d bytes compressed: %v", total, files)
	if total > 150_000 {
		t.Errorf("the board's first load is %d bytes compressed (%v), more than 150 KB", total, files)
	}
}

var assetRef = regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`)

// firstLoadBytes is the compressed size of the board's page and of every
// static file it names, in all and each.
func firstLoadBytes(t testing.TB, pages http.Handler) (int, map[string]int) {
	t.Helper()
	fetch := func(target string) string {
		r := httptest.NewRequest("GET", target, nil)
		r.Header.Set("Accept-Encoding", "gzip")
		rec := httptest.NewRecorder()
		pages.ServeHTTP(rec, r)
		if rec.Code != 200 || rec.Header().Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s: %d, Content-Encoding %q", target, rec.Code, rec.Header().Get("Content-Encoding"))
		}
		return rec.Body.String()
	}
	files := map[string]int{}
	page := fetch("/")
	files["/"] = len(page)
	total := len(page)
	pr := get(t, pages, "/")
	for _, m := range assetRef.FindAllStringSubmatch(pr.body, -1) {
		n := len(fetch(m[1]))
		files[m[1]] = n
		total += n
	}
	if len(files) < 2 {
		t.Fatalf("the board names %d files, want its script: %v", len(files)-1, files)
	}
	return total, files
}

// BenchmarkPages is the pages' server time with 5,000 trucks waiting at
// one gate, and for the checkpoint pages 500 more in its control zone (far
// more than its room of 60) all waiting at medical:
//
//	go test -run '^$' -bench Pages -benchtime 200x ./web/
func BenchmarkPages(b *testing.B) {
	clock := cuakhau.NewFixedClock(testNow)
	db := openStore(b, clock)
	pages := newPages(b, db, func(c *web.Config) { c.Sessions = db })
	const n = 5000
	trips := make([]*cuakhau.Trip, n)
	var wg sync.WaitGroup
	work := make(chan int)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				d := testDecl
				d.Vehicle.Plate = fmt.Sprintf("%02dC-%03d.%02d", 11+i%80, i/100%1000, i%100)
				trips[i] = declare(b, db, d)
				arrive(b, db, trips[i].ID)
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	last := trips[n-1]
	var zone *cuakhau.Trip
	for i := range 500 {
		d := testDecl
		d.Vehicle.Plate = fmt.Sprintf("%02dD-%03d.%02d", 11+i%80, i/100%1000, i%100)
		zone = inZoneTrip(b, db, d.Vehicle.Plate)
	}
	addUser(b, db, cuakhau.User{Name: "y-te", Role: cuakhau.RoleMedical, Gate: "huu-nghi"})
	officer := newClient(b, pages)
	officer.login("y-te", password)
	addUser(b, db, cuakhau.User{Name: "dieu-hanh", Role: cuakhau.RoleOperator, Gate: "huu-nghi"})
	operator := newClient(b, pages)
	operator.login("dieu-hanh", password)
	for _, c := range []struct {
		name, target string
		signedIn     bool
		as           *client
	}{
		{"board", "/", false, nil},
		{"trip", "/trip?" + url.Values{"code": {last.Code}, "plate": {last.Vehicle.Plate}}.Encode(), false, nil},
		{"checkpoint", "/checkpoint", true, officer},
		{"checkpoint-find", "/checkpoint?find=" + url.QueryEscape(zone.Vehicle.Plate), true, officer},
		{"checkpoint-trip", "/checkpoint/trips/" + zone.ID, true, officer},
		{"operator", "/operator", true, operator},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				r := httptest.NewRequest("GET", c.target, nil)
				r.Header.Set("Accept-Encoding", "gzip")
				if c.signedIn {
					for _, ck := range c.as.cookies {
						r.AddCookie(ck)
					}
				}
				rec := httptest.NewRecorder()
				pages.ServeHTTP(rec, r)
				if rec.Code != 200 {
					b.Fatalf("%s: %d", c.target, rec.Code)
				}
			}
		})
	}
	total, _ := firstLoadBytes(b, pages)
	b.Logf("board first load: %d bytes compressed", total)
}

// BenchmarkDashboard is the dashboard's server time over two years of
// daily figures at the four gates, both directions (2025-01-01 to today,
// imported history), with one viewer signed in:
//
//	go test -run '^$' -bench Dashboard -benchtime 50x ./web/
//
// The clearance times, read per crossed truck, are measured at a year's
// 618,710 trucks by sqlstore's BenchmarkStats.
func BenchmarkDashboard(b *testing.B) {
	clock := cuakhau.NewFixedClock(testNow)
	db := openStore(b, clock)
	inds, err := catalog.Indicators()
	if err != nil {
		b.Fatal(err)
	}
	pages := newPages(b, db, func(c *web.Config) {
		c.Sessions, c.Clock, c.Indicators, c.Reference = db, clock, inds, catalog.Reference()
	})
	var csv strings.Builder
	csv.WriteString(stats.HistoryHeader + "\n")
	for d := stats.NewDate(2025, time.January, 1); !d.After(stats.NewDate(2026, time.November, 30)); d = d.AddDays(1) {
		for i, g := range []string{"huu-nghi", "tan-thanh", "chi-ma", "coc-nam"} {
			fmt.Fprintf(&csv, "%s,%s,export,%d,%d\n", d, g, 260-50*i, 5_400_000*(260-50*i)/100)
			fmt.Fprintf(&csv, "%s,%s,import,%d,%d\n", d, g, 600-130*i, 2_000_000*(600-130*i)/100)
		}
	}
	hist, err := stats.ParseHistory(strings.NewReader(csv.String()), func(string) bool { return true })
	if err != nil {
		b.Fatal(err)
	}
	if err := db.ImportHistory(b.Context(), admin, hist); err != nil {
		b.Fatal(err)
	}
	addUser(b, db, cuakhau.User{Name: "lanh-dao", Role: cuakhau.RoleViewer})
	viewer := newClient(b, pages)
	viewer.login("lanh-dao", password)
	for _, c := range []struct {
		name, target string
		htmx         bool
	}{
		{"30-days", "/dashboard", false},
		{"year", "/dashboard?from=2026-01-01&to=2026-11-30", false},
		{"today", "/dashboard", true},
		{"report-xlsx", "/dashboard/report?format=xlsx", false},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				r := httptest.NewRequest("GET", c.target, nil)
				r.Header.Set("Accept-Encoding", "gzip")
				if c.htmx {
					r.Header.Set("HX-Request", "true")
				}
				for _, ck := range viewer.cookies {
					r.AddCookie(ck)
				}
				rec := httptest.NewRecorder()
				pages.ServeHTTP(rec, r)
				if rec.Code != 200 {
					b.Fatalf("%s: %d", c.target, rec.Code)
				}
			}
		})
	}
}
