package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sync"
	"testing"

	"github.com/cuakhau/cuakhau"
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
	if len(files) < 3 {
		t.Fatalf("the board names %d files, want its style and script: %v", len(files)-1, files)
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
	for _, c := range []struct {
		name, target string
		signedIn     bool
	}{
		{"board", "/", false},
		{"trip", "/trip?" + url.Values{"code": {last.Code}, "plate": {last.Vehicle.Plate}}.Encode(), false},
		{"checkpoint", "/checkpoint", true},
		{"checkpoint-find", "/checkpoint?find=" + url.QueryEscape(zone.Vehicle.Plate), true},
		{"checkpoint-trip", "/checkpoint/trips/" + zone.ID, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				r := httptest.NewRequest("GET", c.target, nil)
				r.Header.Set("Accept-Encoding", "gzip")
				if c.signedIn {
					for _, ck := range officer.cookies {
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
