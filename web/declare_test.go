package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/web"
)

// goodDeclaration is the declaration form filled in as an enterprise
// would, values typed loosely.
func goodDeclaration() url.Values {
	return url.Values{
		"gate": {"huu-nghi"}, "direction": {"export"}, "vehicle.plate": {"20c45678"}, "vehicle.country": {"VN"},
		"driver.name": {"Nguyễn Văn A"}, "driver.id_number": {"020123456789"}, "driver.phone": {""},
		"enterprise.tax_code": {"0100109106"}, "enterprise.name": {"Công ty TNHH Nông sản Xứ Lạng"},
		"containers": {"CSQU3054383"}, "customs_declarations": {"304001234520"},
		"cargo[0].hs_code": {"0810.60"}, "cargo[0].description": {"Sầu riêng tươi"}, "cargo[0].packages": {"1200"},
		"cargo[0].gross_kg": {"18000"}, "cargo[0].value_usd": {"54000"}, "cargo[0].perishable": {"1"},
	}
}

func TestDeclareForm(t *testing.T) {
	db := openStore(t, cuakhau.NewFixedClock(testNow))
	pages := newPages(t, db, func(c *web.Config) { c.Sessions = db })
	own, _ := enterprises(t, db, pages)
	send := func(target string, form url.Values) page {
		t.Helper()
		form.Set("csrf", own.csrf("/enterprise/declare"))
		return own.do("POST", target, form)
	}

	p := own.do("GET", "/enterprise/declare?lang=vi", nil)
	if p.status != http.StatusOK || p.text("#tax-code") != testDecl.Enterprise.TaxCode || p.doc.Find(".cargo-line").Length() != 1 {
		t.Fatalf("the form: %d, tax code %q, %d cargo lines", p.status, p.text("#tax-code"), p.doc.Find(".cargo-line").Length())
	}

	// A line added keeps what was typed; removing the first moves the second up.
	f := goodDeclaration()
	f.Set("add", "1")
	p = send("/enterprise/declare", f)
	if p.status != http.StatusOK || p.doc.Find(".cargo-line").Length() != 2 {
		t.Fatalf("add a line: %d, %d lines", p.status, p.doc.Find(".cargo-line").Length())
	}
	if v, _ := p.doc.Find("#vehicle-plate").Attr("value"); v != "20c45678" {
		t.Errorf("the plate typed is not kept: %q", v)
	}
	f = goodDeclaration()
	f.Set("cargo[1].hs_code", "0810.90")
	f.Set("cargo[1].description", "Thanh long")
	f.Set("remove", "0")
	p = send("/enterprise/declare", f)
	if v, _ := p.doc.Find("#cargo-0-hs_code").Attr("value"); p.doc.Find(".cargo-line").Length() != 1 || v != "0810.90" {
		t.Errorf("after removing line 1: %d lines, the first's HS code %q", p.doc.Find(".cargo-line").Length(), v)
	}

	// Checked as typed: a bad plate is named, the fields not yet typed are not.
	p = send("/enterprise/declare?check=1", url.Values{"gate": {"huu-nghi"}, "direction": {"export"}, "vehicle.plate": {"20C-45"}})
	if p.status != http.StatusOK || p.text("#vehicle-plate-err") == "" {
		t.Errorf("check: %d, plate error %q", p.status, p.text("#vehicle-plate-err"))
	}
	if p.doc.Find("#driver-name-err").Length() != 0 || p.doc.Find("#cargo-err").Length() != 0 {
		t.Error("the check names fields nobody typed yet")
	}

	// Declared with errors: each beside its field, everything kept, nothing stored.
	f = goodDeclaration()
	f.Set("vehicle.plate", "20C-45")
	f.Set("cargo[0].hs_code", "08")
	f.Set("cargo[0].value_usd", "nhiều")
	f.Set("containers", "CSQU3054383, CSQU3054384")
	f.Set("submit", "1")
	p = send("/enterprise/declare", f)
	if p.status != http.StatusBadRequest {
		t.Fatalf("bad declaration: %d", p.status)
	}
	for _, id := range []string{"vehicle-plate", "cargo-0-hs_code", "cargo-0-value_usd", "containers"} {
		if p.text("#"+id+"-err") == "" {
			t.Errorf("no error beside %s", id)
		}
		if inv, _ := p.doc.Find("#" + id).Attr("aria-invalid"); inv != "true" {
			t.Errorf("%s is not marked invalid", id)
		}
	}
	// The rules in the page's language: the plate's in Vietnamese.
	if got := p.text("#vehicle-plate-err"); got != "phần số phải có 4 hoặc 5 chữ số, như 1234 hoặc 123.45" {
		t.Errorf("the plate's rule in Vietnamese: %q", got)
	}
	if v, _ := p.doc.Find("#cargo-0-description").Attr("value"); v != "Sầu riêng tươi" {
		t.Errorf("the description typed is not kept: %q", v)
	}
	if trips, _ := db.Trips(context.Background(), admin, cuakhau.TripFilter{}); len(trips) != 0 {
		t.Fatalf("a refused declaration stored %d trips", len(trips))
	}

	// Declared: the trip's page, to book; stored under the account's own
	// tax code even when the form says another.
	f = goodDeclaration()
	f.Set("enterprise.tax_code", otherTaxCode)
	f.Set("submit", "1")
	p = send("/enterprise/declare", f)
	loc := p.header.Get("Location")
	if p.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/enterprise/trips/") || !strings.Contains(loc, "done=declared") {
		t.Fatalf("declare: %d to %q\n%s", p.status, loc, p.body)
	}
	p = own.do("GET", loc, nil)
	if !strings.Contains(p.text(".done"), "Đã khai báo chuyến") {
		t.Errorf("the trip's page says %q", p.text(".done"))
	}
	trips, err := db.Trips(context.Background(), admin, cuakhau.TripFilter{})
	if err != nil || len(trips) != 1 {
		t.Fatalf("%d trips (%v)", len(trips), err)
	}
	tr := trips[0]
	if tr.Enterprise.TaxCode != testDecl.Enterprise.TaxCode || tr.Vehicle.Plate != "20C-456.78" || len(tr.Cargo) != 1 ||
		tr.Cargo[0].ValueUSDCents != 5_400_000 || !tr.Cargo[0].Perishable || tr.Cargo[0].ShelfLifeHours == 0 {
		t.Errorf("stored %+v", tr.Declaration)
	}
}
