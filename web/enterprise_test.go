package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

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
