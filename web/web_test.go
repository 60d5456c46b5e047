package web_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/web"
)

// TestBoard: the board shows every gate and direction the feed has, with
// the same figures as the feed, in Vietnamese by default.
func TestBoard(t *testing.T) {
	clock := cuakhau.NewFixedClock(testNow)
	db := openStore(t, clock)
	pages := newPages(t, db)
	arrive(t, db, declare(t, db, testDecl).ID)

	p := get(t, pages, "/")
	if p.status != 200 || p.doc.Find("html").AttrOr("lang", "") != "vi" {
		t.Fatalf("board: %d, lang %q", p.status, p.doc.Find("html").AttrOr("lang", ""))
	}
	feed, err := db.PublicWaits(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := p.doc.Find("section.gate tbody tr").Length(); n != len(feed.Waits) {
		t.Errorf("%d board lines, the feed has %d", n, len(feed.Waits))
	}
	row := p.doc.Find(`#gate-huu-nghi tr[data-direction="export"]`)
	if got := strings.TrimSpace(row.Find(".waiting").Text()); got != "1" {
		t.Errorf("huu-nghi export waiting %q, want 1", got)
	}
	if got := strings.TrimSpace(row.Find(".state").Text()); got != "Mở" {
		t.Errorf("huu-nghi at 10:00 is %q, want Mở (open)", got)
	}
	if !strings.Contains(p.text(".updated"), "10:00") || !strings.Contains(p.text(".updated"), "GMT+7") {
		t.Errorf("the time is not shown in gate time with its zone: %q", p.text(".updated"))
	}
	if got := p.text("#gate-huu-nghi h2"); !strings.Contains(got, "Hữu Nghị") {
		t.Errorf("gate name %q", got)
	}
	// The board names its script by a hashed URL that is served, and
	// carries its style inline, allowed by its hash and nothing else, so
	// that a slow line shows it styled after one request.
	u := p.doc.Find("script[src]").AttrOr("src", "")
	a := get(t, pages, u, "Accept-Encoding", "gzip")
	if a.status != 200 || !strings.Contains(a.header.Get("Cache-Control"), "immutable") || a.header.Get("Content-Encoding") != "gzip" {
		t.Errorf("%s: %d, Cache-Control %q, Content-Encoding %q", u, a.status, a.header.Get("Cache-Control"), a.header.Get("Content-Encoding"))
	}
	css := p.doc.Find("head style").Text()
	sum := sha256.Sum256([]byte(css))
	csp := p.header.Get("Content-Security-Policy")
	if !strings.Contains(css, ".gate") || !strings.Contains(csp, "style-src 'self' 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"';") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("inline style of %d bytes under CSP %q", len(css), csp)
	}
	if p.doc.Find(`link[rel="stylesheet"]`).Length() != 0 {
		t.Error("the board also links its style sheet")
	}
	// Other pages link it, cached.
	if l := get(t, pages, "/trip").doc.Find(`link[rel="stylesheet"]`).AttrOr("href", ""); !strings.HasPrefix(l, "/static/") {
		t.Errorf("the lookup's style sheet: %q", l)
	}
}

// TestLanguages: ?lang= chooses and is remembered; the cookie, then
// Accept-Language, then Vietnamese.
func TestLanguages(t *testing.T) {
	db := openStore(t, cuakhau.NewFixedClock(testNow))
	pages := newPages(t, db)
	for _, c := range []struct {
		target string
		header []string
		lang   string
		title  string
	}{
		{"/", nil, "vi", "Thời gian chờ tại các cửa khẩu"},
		{"/?lang=en", nil, "en", "Waiting times at the gates"},
		{"/?lang=zh", nil, "zh-Hans", "各口岸等候时间"},
		{"/?lang=xx", nil, "vi", "Thời gian chờ tại các cửa khẩu"},
		{"/", []string{"Accept-Language", "zh-CN,zh;q=0.9,en;q=0.5"}, "zh-Hans", "各口岸等候时间"},
		{"/", []string{"Accept-Language", "en-GB,en;q=0.8"}, "en", "Waiting times at the gates"},
		{"/", []string{"Accept-Language", "fr-FR"}, "vi", "Thời gian chờ tại các cửa khẩu"},
		{"/", []string{"Cookie", "lang=en", "Accept-Language", "zh-CN"}, "en", "Waiting times at the gates"},
		{"/trip?lang=en", nil, "en", "Find my trip"},
	} {
		p := get(t, pages, c.target, c.header...)
		if got := p.doc.Find("html").AttrOr("lang", ""); got != c.lang || p.text("h1") != c.title {
			t.Errorf("%s %v: lang %q, h1 %q; want %q, %q", c.target, c.header, got, p.text("h1"), c.lang, c.title)
		}
	}
	p := get(t, pages, "/?lang=en")
	if c := p.header.Get("Set-Cookie"); !strings.Contains(c, "lang=en") || !strings.Contains(c, "Max-Age=") {
		t.Errorf("?lang=en is not remembered: Set-Cookie %q", c)
	}
}

// TestTripPage: the driver's lookup finds the trip as typed, shows its
// state in plain words, its place in the queue and a QR code; a wrong
// plate shows "not found" and nothing else; the driver's id never shows.
func TestTripPage(t *testing.T) {
	clock := cuakhau.NewFixedClock(testNow)
	db := openStore(t, clock)
	pages := newPages(t, db)
	trip := declare(t, db, testDecl)
	clock.Add(time.Minute)
	arrive(t, db, trip.ID)

	loose := strings.ToLower(strings.ReplaceAll(trip.Code, "-", ""))
	p := get(t, pages, "/trip?"+url.Values{"code": {loose}, "plate": {"20c45678"}}.Encode())
	if p.status != 200 {
		t.Fatalf("lookup: %d", p.status)
	}
	if got := p.doc.Find("#result").AttrOr("data-refresh", ""); got != "30" {
		t.Errorf("a waiting trip's page looks again every %q s, want 30", got)
	}
	if got := p.doc.Find(".status").AttrOr("data-status", ""); got != "arrived" || p.text(".status") != "Đang chờ ở bãi" {
		t.Errorf("status %q %q", got, p.text(".status"))
	}
	if got := p.text(".position"); got != "1 trên 1 xe" {
		t.Errorf("position %q", got)
	}
	if !strings.Contains(p.text(".next"), "Chờ ở bãi") {
		t.Errorf("next step %q", p.text(".next"))
	}
	if n := p.doc.Find(".history li").Length(); n != 2 {
		t.Errorf("%d history lines, want 2 (declared, arrived)", n)
	}
	if !strings.Contains(p.text(".history"), "10:01") || !strings.Contains(p.text(".zone"), "GMT+7") {
		t.Errorf("history not in gate time with the zone: %q / %q", p.text(".history"), p.text(".zone"))
	}
	if src := p.doc.Find(".qr img").AttrOr("src", ""); !strings.HasPrefix(src, "data:image/png;base64,") {
		t.Errorf("QR image src %.40q", src)
	}
	if p.doc.Find("#code").AttrOr("value", "") != loose {
		t.Errorf("the form does not keep the code as typed")
	}
	for _, secret := range []string{testDecl.Driver.IDNumber, testDecl.Driver.Name, testDecl.Enterprise.TaxCode} {
		if strings.Contains(p.body, secret) {
			t.Errorf("the trip page shows %q", secret)
		}
	}

	wrong := get(t, pages, "/trip?"+url.Values{"code": {trip.Code}, "plate": {"29C-999.99"}}.Encode())
	if wrong.status != 404 || wrong.text("#result") != "Không tìm thấy." || wrong.doc.Find(".trip").Length() != 0 || strings.Contains(wrong.body, "20C-456.78") {
		t.Errorf("wrong plate: %d %q, trip shown %d", wrong.status, wrong.text("#result"), wrong.doc.Find(".trip").Length())
	}
	bad := get(t, pages, "/trip?code=&plate=banana&lang=en")
	if bad.status != 400 || bad.text("#plate-err") == "" || bad.text("#code-err") == "" || bad.doc.Find("#plate").AttrOr("aria-invalid", "") != "true" {
		t.Errorf("bad input: %d, errors %q %q", bad.status, bad.text("#code-err"), bad.text("#plate-err"))
	}
	if bad.doc.Find("#plate").AttrOr("value", "") != "banana" {
		t.Errorf("the form does not keep the input")
	}
	// Every field has its label.
	form := get(t, pages, "/trip")
	form.doc.Find("input[type=text]").Each(func(_ int, s *goquery.Selection) {
		id := s.AttrOr("id", "")
		if id == "" || form.doc.Find(`label[for="`+id+`"]`).Length() != 1 {
			t.Errorf("input %q has no label", id)
		}
	})
}

// TestTripPageSoldOff: the driver's page of a trip cancelled with its
// load sold off at the border says so, in each language; a plain
// cancellation carries no such mark.
func TestTripPageSoldOff(t *testing.T) {
	db := openStore(t, cuakhau.NewFixedClock(testNow))
	pages := newPages(t, db)
	sold := declare(t, db, testDecl)
	plain := testDecl
	plain.Vehicle.Plate = "20C-111.11"
	kept := declare(t, db, plain)
	for _, c := range []struct {
		trip    *cuakhau.Trip
		soldOff bool
	}{{sold, true}, {kept, false}} {
		if _, err := db.Decide(context.Background(), admin, c.trip.ID, cuakhau.Decision{Outcome: cuakhau.OutcomeCancel, Note: "chờ quá lâu", SoldOff: c.soldOff}); err != nil {
			t.Fatal(err)
		}
	}
	for lang, want := range map[string]string{"vi": "Đã bán tháo tại cửa khẩu", "en": "Sold off at the border", "zh": "已在口岸就地抛售"} {
		p := get(t, pages, "/trip?"+url.Values{"code": {sold.Code}, "plate": {sold.Vehicle.Plate}, "lang": {lang}}.Encode())
		if p.status != 200 || p.doc.Find(".status").AttrOr("data-status", "") != "cancelled" || p.text("dd[data-sold-off=true]") != want {
			t.Errorf("%s: %d, status %q, mark %q, want %q", lang, p.status, p.doc.Find(".status").AttrOr("data-status", ""), p.text("dd[data-sold-off=true]"), want)
		}
	}
	if p := get(t, pages, "/trip?"+url.Values{"code": {kept.Code}, "plate": {kept.Vehicle.Plate}}.Encode()); p.status != 200 || p.doc.Find("[data-sold-off]").Length() != 0 {
		t.Errorf("a plain cancellation: %d, %d marks", p.status, p.doc.Find("[data-sold-off]").Length())
	}
}

// TestThrottle: a client whose open budget is spent is told 429 with
// Retry-After, on the pages as on the API.
func TestThrottle(t *testing.T) {
	db := openStore(t, cuakhau.NewFixedClock(testNow))
	pages := newPages(t, db, func(c *web.Config) {
		c.Allow = func(r *http.Request) (bool, time.Duration) {
			return !strings.Contains(r.URL.RawQuery, "spent"), 1500 * time.Millisecond
		}
	})
	p := get(t, pages, "/trip?code=HN-222222&plate=12C12345&spent=1")
	if p.status != 429 || p.header.Get("Retry-After") != "2" {
		t.Errorf("spent budget: %d, Retry-After %q", p.status, p.header.Get("Retry-After"))
	}
	if p := get(t, pages, "/trip"); p.status != 200 {
		t.Errorf("budget left: %d", p.status)
	}
}

// TestNotFound: an unknown page is an HTML 404 in the reader's language.
func TestNotFound(t *testing.T) {
	pages := newPages(t, openStore(t, cuakhau.NewFixedClock(testNow)))
	p := get(t, pages, "/nowhere?lang=en")
	if p.status != 404 || !strings.HasPrefix(p.header.Get("Content-Type"), "text/html") || p.text("h1") != "Not found" {
		t.Errorf("unknown page: %d %q %q", p.status, p.header.Get("Content-Type"), p.text("h1"))
	}
}

// TestBoardEvents: the live stream sends the board's live part, and again
// when a truck checks in.
func TestBoardEvents(t *testing.T) {
	clock := cuakhau.NewFixedClock(testNow)
	db := openStore(t, clock)
	pages := newPages(t, db)
	srv := httptest.NewServer(pages)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/events/board?lang=en", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(nil, 1<<20)
	// next returns the data of the next "board" event.
	next := func() string {
		var data []string
		inBoard := false
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "event: board":
				inBoard = true
			case inBoard && strings.HasPrefix(line, "data: "):
				data = append(data, strings.TrimPrefix(line, "data: "))
			case inBoard && line == "":
				return strings.Join(data, "\n")
			}
		}
		t.Fatalf("stream ended: %v", sc.Err())
		return ""
	}
	first := next()
	if !strings.Contains(first, `id="gate-huu-nghi"`) || !strings.Contains(first, "Expected wait") {
		t.Fatalf("first event is not the board in English: %.200s", first)
	}
	arrive(t, db, declare(t, db, testDecl).ID)
	second := next()
	if second == first {
		t.Fatal("the stream repeated an unchanged board")
	}
	if !strings.Contains(second, `class="waiting num">1<`) {
		t.Errorf("the check-in does not show: %.400s", second)
	}
}
