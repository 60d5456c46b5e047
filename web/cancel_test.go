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

// TestEnterpriseCancelSoldOff: the enterprise cancels its perishable trip
// from its page, marking the load as sold off; the page says so and the
// trip carries the mark. A load that is not perishable has no such box,
// and a forged mark comes back beside the box, checked, in the page's
// language; another enterprise's trip is not found.
func TestEnterpriseCancelSoldOff(t *testing.T) {
	db := openStore(t, cuakhau.NewFixedClock(testNow))
	pages := newPages(t, db, func(c *web.Config) { c.Sessions = db })
	own, other := enterprises(t, db, pages)
	a := declarePlate(t, db, "20C-111.11", testDecl.Enterprise.TaxCode, "huu-nghi")
	target := "/enterprise/trips/" + a.ID

	p := own.do("GET", target+"?lang=vi", nil)
	if p.doc.Find(`form.cancel input[type=checkbox][name=sold_off]`).Length() != 1 || !strings.Contains(p.text("#cancel-sold-off-hint"), "hàng dễ hỏng") {
		t.Fatalf("the cancel form of a perishable load has no sold-off box with its hint:\n%s", p.body)
	}
	csrf := own.csrf(target)
	if q := other.do("POST", target+"/cancel", url.Values{"csrf": {other.csrf("/enterprise")}, "sold_off": {"1"}}); q.status != http.StatusNotFound {
		t.Errorf("another enterprise cancels: %d, want 404", q.status)
	}
	ok := own.do("POST", target+"/cancel?lang=vi", url.Values{"csrf": {csrf}, "note": {"Bán tại chỗ"}, "sold_off": {"1"}})
	if ok.status != http.StatusSeeOther {
		t.Fatalf("cancel: %d\n%s", ok.status, ok.body)
	}
	after := own.do("GET", ok.header.Get("Location"), nil)
	if after.text(".done") != "Đã huỷ chuyến." || after.doc.Find(`dd[data-sold-off=true]`).Length() != 1 || after.doc.Find("form.cancel").Length() != 0 {
		t.Errorf("after the cancellation: done %q, mark %d, form %d", after.text(".done"), after.doc.Find(`dd[data-sold-off=true]`).Length(), after.doc.Find("form.cancel").Length())
	}
	if tr, err := db.Trip(context.Background(), admin, a.ID); err != nil || tr.Status != cuakhau.StatusCancelled || !tr.SoldOff {
		t.Errorf("the trip: %+v, %v", tr, err)
	}

	dry := testDecl
	dry.Vehicle.Plate = "20C-222.22"
	dry.Cargo = []cuakhau.CargoLine{{HSCode: "4407.99", Description: "Gỗ xẻ", Packages: 20, GrossKg: 20000, ValueUSDCents: 1_500_000}}
	b := declare(t, db, dry)
	target = "/enterprise/trips/" + b.ID
	if p := own.do("GET", target, nil); p.doc.Find("form.cancel").Length() != 1 || p.doc.Find(`input[name=sold_off]`).Length() != 0 {
		t.Errorf("timber: form %d, sold-off box %d; want the form without the box", p.doc.Find("form.cancel").Length(), p.doc.Find(`input[name=sold_off]`).Length())
	}
	for lang, want := range map[string]string{"vi": "chỉ chuyến chở hàng dễ hỏng", "en": "only a trip with perishable cargo", "zh": "只有载有易腐货物"} {
		bad := own.do("POST", target+"/cancel?lang="+lang, url.Values{"csrf": {csrf}, "note": {"đổi kế hoạch"}, "sold_off": {"1"}})
		if bad.status != http.StatusBadRequest || !strings.Contains(bad.text("#cancel-sold-off-err"), want) {
			t.Errorf("%s: %d, beside the box %q, want %q", lang, bad.status, bad.text("#cancel-sold-off-err"), want)
		}
		if _, checked := bad.doc.Find("#cancel-sold-off").Attr("checked"); !checked || bad.doc.Find("#cancel-note").AttrOr("value", "") != "đổi kế hoạch" {
			t.Errorf("%s: the input is not kept", lang)
		}
	}
	if tr, _ := db.Trip(context.Background(), admin, b.ID); tr.Status != cuakhau.StatusDeclared {
		t.Errorf("the refused trip is %s", tr.Status)
	}
}

// TestOperatorCancelSoldOff: the operator cancels a waiting truck's trip
// from the console with a reason, its load sold off; without a reason the
// form comes back with the refusal beside the reason and what was picked
// and ticked kept; a trip of another gate is refused.
func TestOperatorCancelSoldOff(t *testing.T) {
	db, own, other, trips := console(t)
	p := own.do("GET", "/operator?lang=en", nil)
	if n := p.doc.Find("form.cancel select[name=trip_id] option").Length(); n != 3 || p.doc.Find("form.cancel input[name=sold_off]").Length() != 1 {
		t.Fatalf("the console's cancel form: %d trucks\n%s", n, p.body)
	}
	second := trips[1].ID
	bad := own.post("/operator/cancel?lang=en", url.Values{"trip_id": {second}, "sold_off": {"1"}})
	if bad.status != http.StatusBadRequest || !strings.Contains(bad.text("#cancel-note-err"), "a reason is required") {
		t.Errorf("without a reason: %d, %q", bad.status, bad.text("#cancel-note-err"))
	}
	if _, checked := bad.doc.Find("#cancel-sold-off").Attr("checked"); !checked || bad.doc.Find("#cancel-trip option[selected]").AttrOr("value", "") != second {
		t.Errorf("the input is not kept: %s", bad.doc.Find("form.cancel").Text())
	}
	if got := own.post("/operator/cancel?lang=vi", url.Values{"trip_id": {second}, "sold_off": {"1"}}).text("#cancel-note-err"); got != "cán bộ huỷ chuyến phải ghi lý do" {
		t.Errorf("in Vietnamese: %q", got)
	}
	if q := other.post("/operator/cancel", url.Values{"trip_id": {second}, "note": {"x"}}); q.status < 400 {
		t.Errorf("another gate's operator: %d", q.status)
	}
	ok := own.post("/operator/cancel?lang=en", url.Values{"trip_id": {second}, "note": {"sold off at the gate"}, "sold_off": {"1"}})
	if ok.status != http.StatusSeeOther {
		t.Fatalf("cancel: %d\n%s", ok.status, ok.body)
	}
	if after := own.do("GET", ok.header.Get("Location"), nil); !strings.Contains(after.text(".done"), "sold off at the border") || after.text("[data-figure=waiting]") != "2" {
		t.Errorf("after: %q, %s waiting", after.text(".done"), after.text("[data-figure=waiting]"))
	}
	if tr, err := db.Trip(context.Background(), admin, second); err != nil || tr.Status != cuakhau.StatusCancelled || !tr.SoldOff {
		t.Errorf("the trip: %+v, %v", tr, err)
	}
}

// TestOperatorCancelByTruck: the operator cancels a truck of the gate that
// the console's page does not list, named by its plate or trip code as
// typed, instead of the one picked; a text that is neither, names no
// trip of the gate still to cross, names one that has ended, one in the
// control zone, or a plate with several trips comes back beside the
// truck field, kept, in the page's language; a console with no waiting
// truck still offers the field.
func TestOperatorCancelByTruck(t *testing.T) {
	db, own, other, waiting := console(t)
	byPlate := declarePlate(t, db, "20C-444.44", testDecl.Enterprise.TaxCode, "huu-nghi")
	byCode := declarePlate(t, db, "20C-555.55", testDecl.Enterprise.TaxCode, "huu-nghi")
	ended := declarePlate(t, db, "20C-666.66", testDecl.Enterprise.TaxCode, "huu-nghi")
	decideAs(t, db, admin, ended.ID, cuakhau.Decision{Outcome: cuakhau.OutcomeCancel, Note: "đổi kế hoạch"})
	inZone := declarePlate(t, db, "20C-777.77", testDecl.Enterprise.TaxCode, "huu-nghi")
	decideAs(t, db, admin, inZone.ID, cuakhau.Decision{Checkpoint: "entry", Outcome: cuakhau.OutcomePass})
	declarePlate(t, db, "20C-888.88", testDecl.Enterprise.TaxCode, "huu-nghi")
	declarePlate(t, db, "20C-888.88", testDecl.Enterprise.TaxCode, "huu-nghi")
	elsewhere := declarePlate(t, db, "20C-999.99", testDecl.Enterprise.TaxCode, "tan-thanh")

	p := own.do("GET", "/operator?lang=en", nil)
	if p.doc.Find("form.cancel input[name=truck]").Length() != 1 || strings.Contains(p.doc.Find("form.cancel select").Text(), byPlate.Code) {
		t.Fatalf("the console's cancel form: no truck field, or the declared truck is listed:\n%s", p.doc.Find("form.cancel").Text())
	}
	picked := waiting[0].ID
	for _, c := range []struct{ name, lang, truck, want string }{
		{"neither", "en", "banana", "not a plate or a trip code"},
		{"unknown plate", "en", "29c 12345", "no trip of this gate still to cross has this plate or trip code"},
		{"another gate's code", "en", elsewhere.Code, "no trip of this gate still to cross has this plate or trip code"},
		{"ended", "en", ended.Code, "trip " + ended.Code + " has ended; it can no longer be cancelled"},
		{"in the control zone", "en", "20c77777", "trip " + inZone.Code + " is in the control zone; a checkpoint rejects it there"},
		{"two trips of a plate", "en", "20C-888.88", "2 trips of this gate have this plate: type the trip code"},
		{"in Vietnamese", "vi", "banana", "không phải biển số hay mã chuyến"},
		{"in Chinese", "zh", "20C-888.88", "本口岸有 2 个车次使用此车牌：请输入车次码"},
	} {
		bad := own.post("/operator/cancel?lang="+c.lang, url.Values{"trip_id": {picked}, "truck": {c.truck}, "note": {"bán tháo"}})
		if bad.status != http.StatusBadRequest || bad.text("#cancel-truck-err") != c.want || bad.doc.Find("#cancel-truck").AttrOr("aria-invalid", "") != "true" {
			t.Errorf("%s: %d, beside the truck %q, want %q", c.name, bad.status, bad.text("#cancel-truck-err"), c.want)
		}
		if got := bad.doc.Find("#cancel-truck").AttrOr("value", ""); got != c.truck {
			t.Errorf("%s: the truck field keeps %q", c.name, got)
		}
	}

	for _, c := range []struct {
		truck string
		trip  *cuakhau.Trip
	}{{"20c44444", byPlate}, {strings.ToLower(strings.ReplaceAll(byCode.Code, "-", "")), byCode}} {
		ok := own.post("/operator/cancel?lang=en", url.Values{"trip_id": {picked}, "truck": {c.truck}, "note": {"the enterprise called"}})
		if ok.status != http.StatusSeeOther {
			t.Fatalf("cancel %q: %d\n%s", c.truck, ok.status, ok.body)
		}
		if tr, err := db.Trip(context.Background(), admin, c.trip.ID); err != nil || tr.Status != cuakhau.StatusCancelled {
			t.Errorf("%q: the trip is %s, %v", c.truck, tr.Status, err)
		}
	}
	if tr, _ := db.Trip(context.Background(), admin, picked); tr.Status != cuakhau.StatusArrived {
		t.Errorf("the truck picked in the list is %s; the one typed is cancelled instead", tr.Status)
	}

	q := other.do("GET", "/operator?lang=en", nil)
	if q.doc.Find("form.cancel select").Length() != 0 || q.doc.Find("form.cancel input[name=truck][required]").Length() != 1 {
		t.Errorf("a console with no waiting truck: %s", q.doc.Find("#cancel").Text())
	}
	if r := other.post("/operator/cancel?lang=en", url.Values{"note": {"x"}}); r.status != http.StatusBadRequest || r.text("#cancel-truck-err") != "required" {
		t.Errorf("nothing named: %d, %q", r.status, r.text("#cancel-truck-err"))
	}
}
