package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/cuakhau/cuakhau/web"
)

const otherTaxCode = "0300588569"

// enterprises signs in a user of testDecl's enterprise and one of another.
func enterprises(t *testing.T, db *sqlstore.DB, pages http.Handler) (own, other *client) {
	t.Helper()
	addUser(t, db, cuakhau.User{Name: "xu-lang", Role: cuakhau.RoleEnterprise, TaxCode: testDecl.Enterprise.TaxCode})
	addUser(t, db, cuakhau.User{Name: "sai-gon", Role: cuakhau.RoleEnterprise, TaxCode: otherTaxCode})
	own, other = newClient(t, pages), newClient(t, pages)
	own.login("xu-lang", password)
	other.login("sai-gon", password)
	return
}

func declarePlate(t *testing.T, db *sqlstore.DB, plate, taxCode, gate string) *cuakhau.Trip {
	t.Helper()
	d := testDecl
	d.Vehicle.Plate, d.Enterprise.TaxCode, d.Gate = plate, taxCode, gate
	return declare(t, db, d)
}

func TestEnterpriseTrips(t *testing.T) {
	db := openStore(t, cuakhau.NewFixedClock(testNow))
	pages := newPages(t, db, func(c *web.Config) { c.Sessions = db })
	own, other := enterprises(t, db, pages)
	a := declarePlate(t, db, "20C-111.11", testDecl.Enterprise.TaxCode, "huu-nghi")
	b := declarePlate(t, db, "20C-222.22", testDecl.Enterprise.TaxCode, "tan-thanh")
	theirs := declarePlate(t, db, "51C-333.33", otherTaxCode, "huu-nghi")
	arrive(t, db, b.ID)

	p := own.do("GET", "/enterprise?lang=en", nil)
	if p.status != 200 || p.doc.Find(".trips tbody tr").Length() != 2 {
		t.Fatalf("/enterprise: %d, %d rows, want 2\n%s", p.status, p.doc.Find(".trips tbody tr").Length(), p.body)
	}
	if strings.Contains(p.body, theirs.Code) {
		t.Error("the list shows another enterprise's trip")
	}
	if o := other.do("GET", "/enterprise", nil); o.doc.Find(".trips tbody tr").Length() != 1 || !strings.Contains(o.body, theirs.Code) {
		t.Errorf("the other enterprise's list: %d rows", o.doc.Find(".trips tbody tr").Length())
	}
	// Filters: status, gate, plate typed loosely; each kept in the form.
	for _, c := range []struct {
		query string
		want  *cuakhau.Trip
	}{
		{"status=arrived", b},
		{"gate=huu-nghi", a},
		{"plate=" + url.QueryEscape("20c 22222"), b},
	} {
		f := own.do("GET", "/enterprise?"+c.query, nil)
		if f.status != 200 || f.doc.Find(".trips tbody tr").Length() != 1 || f.text(".trips .plate") != c.want.Vehicle.Plate {
			t.Errorf("%s: %d, %d rows, plate %q; want only %s", c.query, f.status, f.doc.Find(".trips tbody tr").Length(), f.text(".trips .plate"), c.want.Vehicle.Plate)
		}
	}
	if f := own.do("GET", "/enterprise?gate=huu-nghi", nil); f.doc.Find(`#gate option[selected]`).AttrOr("value", "") != "huu-nghi" {
		t.Error("the gate chosen is not kept")
	}
	// A filter the service refuses: named beside its field, input kept.
	bad := own.do("GET", "/enterprise?lang=en&plate="+url.QueryEscape("not a plate!"), nil)
	if bad.status != http.StatusBadRequest || bad.text("#plate-err") == "" || bad.doc.Find("#plate").AttrOr("value", "") != "not a plate!" {
		t.Errorf("bad plate: %d, error %q, kept %q", bad.status, bad.text("#plate-err"), bad.doc.Find("#plate").AttrOr("value", ""))
	}
	// Another enterprise may not ask for this one's trips by tax code: the
	// page has no such filter, and the list stays its own.
	if o := other.do("GET", "/enterprise?tax_code="+testDecl.Enterprise.TaxCode, nil); strings.Contains(o.body, a.Code) {
		t.Error("a tax_code in the query showed another enterprise's trips")
	}
}

func TestEnterpriseTripsPaged(t *testing.T) {
	db := openStore(t, cuakhau.NewFixedClock(testNow))
	pages := newPages(t, db, func(c *web.Config) { c.Sessions = db })
	own, _ := enterprises(t, db, pages)
	for i := range 53 {
		pl := "20C-" + strings.Repeat(string(rune('1'+i/10)), 3) + "." + strings.Repeat(string(rune('0'+i%10)), 2)
		declarePlate(t, db, pl, testDecl.Enterprise.TaxCode, "huu-nghi")
	}
	p := own.do("GET", "/enterprise?gate=huu-nghi", nil)
	next, ok := p.doc.Find("a.next-page").Attr("href")
	if p.doc.Find(".trips tbody tr").Length() != 50 || !ok || !strings.Contains(next, "gate=huu-nghi") {
		t.Fatalf("first page: %d rows, next %q", p.doc.Find(".trips tbody tr").Length(), next)
	}
	p2 := own.do("GET", next, nil)
	if n := p2.doc.Find(".trips tbody tr").Length(); n != 3 || p2.doc.Find("a.next-page").Length() != 0 {
		t.Errorf("second page: %d rows, want 3 and no next link", n)
	}
}

func TestEnterpriseTripPage(t *testing.T) {
	db := openStore(t, cuakhau.NewFixedClock(testNow))
	pages := newPages(t, db, func(c *web.Config) { c.Sessions = db })
	own, other := enterprises(t, db, pages)
	a := declarePlate(t, db, "20C-111.11", testDecl.Enterprise.TaxCode, "huu-nghi")
	arrive(t, db, a.ID)
	target := "/enterprise/trips/" + a.ID

	p := own.do("GET", target+"?lang=en", nil)
	if p.status != 200 || p.text("h1") != a.Code+" · "+a.Vehicle.Plate {
		t.Fatalf("%s: %d %q\n%s", target, p.status, p.text("h1"), p.body)
	}
	if p.text(".status") != "Waiting in the yard" || p.doc.Find(".checkpoints tbody tr").Length() != len(a.Checkpoints) {
		t.Errorf("status %q, %d checkpoints", p.text(".status"), p.doc.Find(".checkpoints tbody tr").Length())
	}
	hist := p.text(".history")
	if p.doc.Find(".history li").Length() != 2 || !strings.Contains(hist, "Trip declared") || !strings.Contains(hist, "10:00 01/12/2026") {
		t.Errorf("history %q: want the declaration and the check-in at 10:00 gate time", hist)
	}
	if !strings.Contains(p.text(".zone"), "GMT+7") {
		t.Errorf("the zone is not shown: %q", p.text(".zone"))
	}
	if strings.Contains(p.body, testDecl.Driver.IDNumber) {
		t.Error("the page shows the driver's id number")
	}
	// Another enterprise's trip, and an unknown one, are not found.
	if o := other.do("GET", target, nil); o.status != http.StatusNotFound || strings.Contains(o.body, a.Vehicle.Plate) {
		t.Errorf("another enterprise's trip: %d, want 404 showing nothing of it", o.status)
	}
	if o := own.do("GET", "/enterprise/trips/nope", nil); o.status != http.StatusNotFound {
		t.Errorf("unknown trip: %d, want 404", o.status)
	}
}

// plateN is the n-th of a run of distinct valid plates.
func plateN(n int) string {
	return fmt.Sprintf("29C-%03d.%02d", 100+n/100, n%100)
}

func TestEnterpriseBooking(t *testing.T) {
	db := openStore(t, cuakhau.NewFixedClock(testNow))
	pages := newPages(t, db, func(c *web.Config) { c.Sessions = db })
	own, other := enterprises(t, db, pages)
	a := declarePlate(t, db, "20C-111.11", testDecl.Enterprise.TaxCode, "huu-nghi")
	target := "/enterprise/trips/" + a.ID
	day := "2026-12-02"

	p := own.do("GET", target+"?lang=en&date="+day, nil)
	rows := p.doc.Find(".windows tbody tr")
	if p.status != 200 || rows.Length() == 0 || p.doc.Find(`.windows form input[name="do"][value="book"]`).Length() != rows.Length() {
		t.Fatalf("calendar of %s: %d, %d windows\n%s", day, p.status, rows.Length(), p.body)
	}
	if got := p.text(".windows tbody tr:first-child th"); got != "07:00 – 08:00" {
		t.Errorf("first window %q, want 07:00 – 08:00 gate time", got)
	}
	first, _ := rows.Eq(0).Attr("data-start")
	second, _ := rows.Eq(1).Attr("data-start")
	csrf := own.csrf(target)

	// Book the first window.
	ok := own.do("POST", target+"/booking?lang=en", url.Values{"csrf": {csrf}, "do": {"book"}, "start": {first}, "date": {day}})
	if ok.status != http.StatusSeeOther {
		t.Fatalf("book: %d\n%s", ok.status, ok.body)
	}
	after := own.do("GET", ok.header.Get("Location"), nil)
	if after.text(".booking .done") != "The window is booked." || after.doc.Find(".windows tr.mine").AttrOr("data-start", "") != first ||
		after.text("dd.window") != "07:00 02/12/2026 – 08:00" {
		t.Errorf("after booking: notice %q, mine %q, window %q", after.text(".booking .done"), after.doc.Find(".windows tr.mine").AttrOr("data-start", ""), after.text("dd.window"))
	}
	// Move it to the second.
	if mv := own.do("POST", target+"/booking", url.Values{"csrf": {csrf}, "do": {"move"}, "start": {second}, "date": {day}}); mv.status != http.StatusSeeOther {
		t.Fatalf("move: %d\n%s", mv.status, mv.body)
	}
	if tr, _ := db.Trip(context.Background(), admin, a.ID); tr.Booking.Start.Format(time.RFC3339) != second {
		t.Errorf("after the move the booking starts %s, want %s", tr.Booking.Start, second)
	}
	// A window that has started: refused in the page's language, nothing changed.
	for lang, want := range map[string]string{"en": "This window cannot be booked", "vi": "Không đặt được khung giờ này"} {
		bad := own.do("POST", target+"/booking?lang="+lang, url.Values{"csrf": {csrf}, "do": {"move"}, "start": {"2026-12-01T00:00:00Z"}, "date": {day}})
		if bad.status != http.StatusBadRequest || !strings.HasPrefix(bad.text("#booking-err p"), want) {
			t.Errorf("moving to a past window (%s): %d %q", lang, bad.status, bad.text("#booking-err"))
		}
	}
	if tr, _ := db.Trip(context.Background(), admin, a.ID); tr.Booking.Start.Format(time.RFC3339) != second {
		t.Errorf("a refused move changed the booking to %s", tr.Booking.Start)
	}
	// Another enterprise cannot touch it.
	if o := other.do("POST", target+"/booking", url.Values{"csrf": {other.csrf("/enterprise")}, "do": {"cancel"}}); o.status != http.StatusNotFound {
		t.Errorf("another enterprise cancelling: %d, want 404", o.status)
	}
	// Cancel.
	if c := own.do("POST", target+"/booking", url.Values{"csrf": {csrf}, "do": {"cancel"}, "date": {day}}); c.status != http.StatusSeeOther {
		t.Fatalf("cancel: %d\n%s", c.status, c.body)
	}
	if tr, _ := db.Trip(context.Background(), admin, a.ID); tr.Status != cuakhau.StatusDeclared || !tr.Booking.IsZero() {
		t.Errorf("after cancelling: %s, booking %v", tr.Status, tr.Booking)
	}
	// Without the CSRF token nothing is booked.
	if r := own.do("POST", target+"/booking", url.Values{"do": {"book"}, "start": {first}}); r.status != http.StatusForbidden {
		t.Errorf("booking without CSRF: %d, want 403", r.status)
	}
}

func TestEnterpriseBookingFull(t *testing.T) {
	db := openStore(t, cuakhau.NewFixedClock(testNow))
	pages := newPages(t, db, func(c *web.Config) { c.Sessions = db })
	own, _ := enterprises(t, db, pages)
	ctx := context.Background()
	ws, err := db.Windows(ctx, "huu-nghi", cuakhau.Export, "2026-12-02")
	if err != nil {
		t.Fatal(err)
	}
	full := ws[0]
	for i := range full.Accepts {
		tr := declarePlate(t, db, plateN(i), otherTaxCode, "huu-nghi")
		if _, err := db.Book(ctx, admin, tr.ID, full.Start); err != nil {
			t.Fatal(err)
		}
	}
	a := declarePlate(t, db, "20C-111.11", testDecl.Enterprise.TaxCode, "huu-nghi")
	target := "/enterprise/trips/" + a.ID
	p := own.do("GET", target+"?lang=en&date=2026-12-02", nil)
	row := p.doc.Find(fmt.Sprintf(`.windows tr[data-start="%s"]`, full.Start.Format(time.RFC3339)))
	if row.Find("form").Length() != 0 || !strings.Contains(row.Text(), "Full") {
		t.Errorf("the full window offers a booking: %q", strings.TrimSpace(row.Text()))
	}
	// A stale page books it anyway: the nearest free windows are offered.
	r := own.do("POST", target+"/booking?lang=zh", url.Values{"csrf": {own.csrf(target)}, "do": {"book"}, "start": {full.Start.Format(time.RFC3339)}, "date": {"2026-12-02"}})
	if r.status != http.StatusConflict || !strings.HasPrefix(r.text("#booking-err p"), "该时段已满") || r.doc.Find(".nearest li").Length() == 0 {
		t.Errorf("booking a full window: %d %q, %d nearest", r.status, r.text("#booking-err"), r.doc.Find(".nearest li").Length())
	}
}
