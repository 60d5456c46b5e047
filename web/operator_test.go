package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/device"
	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/cuakhau/cuakhau/web"
)

// console is the pages with three trucks waiting at Hữu Nghị, its
// operator and Tân Thanh's signed in.
func console(t *testing.T) (db *sqlstore.DB, own, other *client, trips []*cuakhau.Trip) {
	t.Helper()
	db = openStore(t, cuakhau.NewFixedClock(testNow))
	pages := newPages(t, db, func(c *web.Config) { c.Sessions = db })
	for _, plate := range []string{"20C-111.11", "20C-222.22", "20C-333.33"} {
		d := testDecl
		d.Vehicle.Plate = plate
		tr := declare(t, db, d)
		arrive(t, db, tr.ID)
		trips = append(trips, tr)
	}
	addUser(t, db, cuakhau.User{Name: "dieu-hanh", Role: cuakhau.RoleOperator, Gate: "huu-nghi"})
	addUser(t, db, cuakhau.User{Name: "dieu-hanh-tt", Role: cuakhau.RoleOperator, Gate: "tan-thanh"})
	own, other = newClient(t, pages), newClient(t, pages)
	own.login("dieu-hanh", password)
	other.login("dieu-hanh-tt", password)
	return
}

// post sends a console form with the page's CSRF token.
func (c *client) post(target string, form url.Values) page {
	c.t.Helper()
	form.Set("csrf", c.csrf("/operator"))
	return c.do("POST", target, form)
}

func TestOperatorConsole(t *testing.T) {
	db, own, _, trips := console(t)
	p := own.do("GET", "/operator?lang=vi", nil)
	if p.status != http.StatusOK {
		t.Fatalf("console: %d\n%s", p.status, p.body)
	}
	if got := p.text("h1"); !strings.Contains(got, "Hữu Nghị") {
		t.Errorf("title %q", got)
	}
	if got := p.text("[data-figure=waiting]"); got != "3" {
		t.Errorf("waiting %q, want 3", got)
	}
	rows := p.doc.Find("table.queue tbody tr")
	if rows.Length() != 3 {
		t.Fatalf("%d queue rows, want 3", rows.Length())
	}
	if got := strings.TrimSpace(rows.First().Find(".reason").Text()); !strings.HasPrefix(got, "hàng dễ hỏng: còn dư ") {
		t.Errorf("the reason in Vietnamese: %q", got)
	}
	if id, _ := rows.First().Attr("data-trip"); id != trips[0].ID || strings.TrimSpace(rows.First().Find(".reason").Text()) == "" {
		t.Errorf("first in call order %s with reason %q; want %s with one", id, rows.First().Find(".reason").Text(), trips[0].ID)
	}
	if p.doc.Find("#gate").Length() != 0 {
		t.Error("a bound operator is offered other gates")
	}

	// Out of turn without a reason: refused beside the list, nothing called.
	last := trips[2].ID
	r := own.post("/operator/call?lang=vi", url.Values{"trip_id": {last}})
	if r.status != http.StatusBadRequest || r.text("#override-reason-err") == "" {
		t.Fatalf("override without a reason: %d %q", r.status, r.text("#override-reason-err"))
	}
	// With one: called, and the console says so.
	r = own.post("/operator/call?lang=vi", url.Values{"trip_id": {last}, "reason": {"Xe chở thuốc cấp cứu"}})
	if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "done=called") {
		t.Fatalf("override: %d to %q\n%s", r.status, r.header.Get("Location"), r.body)
	}
	p = own.do("GET", r.header.Get("Location"), nil)
	if got := p.text(".done"); got != "Đã gọi 1 xe." || p.text("[data-figure=waiting]") != "2" {
		t.Errorf("after the override: %q, waiting %s", got, p.text("[data-figure=waiting]"))
	}
	if tr, _ := db.Trip(context.Background(), admin, last); tr.Status != cuakhau.StatusCalled {
		t.Errorf("the trip called out of turn is %s", tr.Status)
	}
	// The call's message to the driver is listed, in the page's language.
	msg := p.doc.Find("table.notices tbody tr").First()
	if got := msg.Find(".notice-text").Text(); !strings.Contains(got, "20C-333.33") || !strings.Contains(got, "mời vào khu kiểm soát") || !strings.Contains(msg.Text(), "gọi xe") {
		t.Errorf("the latest message: %q", msg.Text())
	}
	if got := own.do("GET", "/operator?lang=en", nil).text("table.notices tbody tr .notice-text"); !strings.Contains(got, "proceed to the control zone") {
		t.Errorf("the message in English: %q", got)
	}

	// A count that is not a number, then one truck in turn.
	r = own.post("/operator/call", url.Values{"count": {"hai"}})
	if r.status != http.StatusBadRequest || r.text("#call-count-err") == "" {
		t.Errorf("count hai: %d %q", r.status, r.text("#call-count-err"))
	}
	if v, _ := r.doc.Find("#call-count").Attr("value"); v != "hai" {
		t.Errorf("the count typed is not kept: %q", v)
	}
	if r = own.post("/operator/call", url.Values{"count": {"1"}}); r.status != http.StatusSeeOther {
		t.Errorf("call one: %d", r.status)
	}
	if tr, _ := db.Trip(context.Background(), admin, trips[0].ID); tr.Status != cuakhau.StatusCalled {
		t.Errorf("the first in turn is %s after a call of one", tr.Status)
	}
}

func TestOperatorControls(t *testing.T) {
	db, own, _, _ := console(t)
	ctx := context.Background()
	r := own.post("/operator/controls?lang=en", url.Values{"room": {"-4"}, "lanes.medical": {"3"}, "reason": {"test"}})
	if r.status != http.StatusBadRequest || r.text("#room-err") == "" {
		t.Fatalf("room -4: %d %q", r.status, r.text("#room-err"))
	}
	if v, _ := r.doc.Find("#lanes-medical").Attr("value"); v != "3" {
		t.Errorf("lanes typed not kept: %q", v)
	}
	before, _ := db.Controls(ctx, "huu-nghi")
	if before.Lanes["medical"] == 3 {
		t.Fatal("a refused form changed the lanes")
	}
	r = own.post("/operator/controls?lang=en", url.Values{"room": {"40"}, "lanes.medical": {"3"}, "reason": {"Thêm bác sĩ ca chiều"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("controls: %d\n%s", r.status, r.body)
	}
	after, _ := db.Controls(ctx, "huu-nghi")
	if after.Lanes["medical"] != 3 || after.Room != 40 {
		t.Errorf("controls now %+v", after)
	}
	if after.Hours != before.Hours {
		t.Errorf("hours sent unchanged changed them: %v, was %v", after.Hours, before.Hours)
	}

	// Opening hours: a bad time comes back beside its field, the input
	// kept; good ones are in force and shown.
	r = own.post("/operator/controls?lang=en", url.Values{"hours.open": {"8:30"}, "hours.close": {"17:00"}})
	if r.status != http.StatusBadRequest || !strings.Contains(r.text("#hours-open-err"), "HH:MM") {
		t.Fatalf("hours 8:30: %d %q", r.status, r.text("#hours-open-err"))
	}
	if v, _ := r.doc.Find("#hours-open").Attr("value"); v != "8:30" {
		t.Errorf("hours typed not kept: %q", v)
	}
	if r = own.post("/operator/controls?lang=en", url.Values{"hours.open": {"08:30"}, "hours.close": {"17:00"}, "reason": {"giờ mùa đông"}}); r.status != http.StatusSeeOther {
		t.Fatalf("hours: %d\n%s", r.status, r.body)
	}
	if c, _ := db.Controls(ctx, "huu-nghi"); c.Hours != (cuakhau.Hours{Open: "08:30", Close: "17:00"}) {
		t.Errorf("hours now %v", c.Hours)
	}
	if v, _ := own.do("GET", "/operator", nil).doc.Find("#hours-close").Attr("value"); v != "17:00" {
		t.Errorf("the console shows closing %q, want 17:00", v)
	}

	// The other side's capacity: required, then announced, then withdrawn.
	r = own.post("/operator/capacity", url.Values{"note": {"công văn"}})
	if r.status != http.StatusBadRequest || r.text("#trucks_per_day-err") == "" {
		t.Errorf("no trucks a day: %d %q", r.status, r.text("#trucks_per_day-err"))
	}
	if r = own.post("/operator/capacity", url.Values{"trucks_per_day": {"300"}, "note": {"Phía Trung Quốc thông báo"}}); r.status != http.StatusSeeOther {
		t.Fatalf("capacity: %d\n%s", r.status, r.body)
	}
	if got := own.do("GET", "/operator", nil).text("[data-figure=other-side]"); got != "300" {
		t.Errorf("other side %q, want 300", got)
	}
	if r = own.post("/operator/capacity", url.Values{"withdraw": {"1"}}); r.status != http.StatusSeeOther {
		t.Fatalf("withdraw: %d", r.status)
	}
	if c, _ := db.Controls(ctx, "huu-nghi"); c.OtherSidePerDay != nil {
		t.Errorf("still announced: %d", *c.OtherSidePerDay)
	}
}

// TestOperatorOwnGate: an operator bound to Tân Thanh sees Tân Thanh
// whatever ?gate= says, and cannot call Hữu Nghị's trucks.
func TestOperatorOwnGate(t *testing.T) {
	db, _, other, trips := console(t)
	p := other.do("GET", "/operator?gate=huu-nghi&lang=vi", nil)
	if p.status != http.StatusOK || !strings.Contains(p.text("h1"), "Tân Thanh") || p.text("[data-figure=waiting]") != "0" {
		t.Errorf("Tân Thanh's operator asking for Hữu Nghị: %d %q waiting %s", p.status, p.text("h1"), p.text("[data-figure=waiting]"))
	}
	r := other.post("/operator/call?gate=huu-nghi", url.Values{"trip_id": {trips[0].ID}, "reason": {"thử"}})
	if r.status == http.StatusSeeOther {
		t.Errorf("Tân Thanh's operator called a Hữu Nghị truck: %d", r.status)
	}
	if tr, _ := db.Trip(context.Background(), admin, trips[0].ID); tr.Status != cuakhau.StatusArrived {
		t.Errorf("the Hữu Nghị truck is %s", tr.Status)
	}
}

func TestOperatorDevices(t *testing.T) {
	clock := cuakhau.NewFixedClock(testNow)
	db := openStore(t, clock)
	pages := newPages(t, db, func(c *web.Config) { c.Sessions, c.Clock = db, clock })
	ctx := context.Background()
	for _, d := range []device.Device{
		{ID: "bar-zone", Kind: device.KindBarrier, Gate: "huu-nghi", Position: device.PositionZoneIn, Interval: 60},
		{ID: "cam-yard", Kind: device.KindANPR, Gate: "huu-nghi", Position: device.PositionYardIn},
		{ID: "cam-tt", Kind: device.KindANPR, Gate: "tan-thanh", Position: device.PositionYardIn},
	} {
		if _, _, err := db.AddDevice(ctx, admin, d); err != nil {
			t.Fatal(err)
		}
	}
	addUser(t, db, cuakhau.User{Name: "dieu-hanh", Role: cuakhau.RoleOperator, Gate: "huu-nghi"})
	addUser(t, db, cuakhau.User{Name: "dieu-hanh-tt", Role: cuakhau.RoleOperator, Gate: "tan-thanh"})
	own, other := newClient(t, pages), newClient(t, pages)
	own.login("dieu-hanh", password)
	other.login("dieu-hanh-tt", password)

	p := own.do("GET", "/operator?lang=en", nil)
	if p.doc.Find("#devices tr[data-device]").Length() != 2 || p.doc.Find("tr[data-device=cam-tt]").Length() != 0 {
		t.Fatalf("devices listed: %q", p.text("#devices tbody"))
	}
	if p.doc.Find("tr[data-device=bar-zone] form.barrier").Length() != 1 || p.doc.Find("tr[data-device=cam-yard] form").Length() != 0 {
		t.Error("a barrier form for the barrier, none for the camera")
	}
	if got := p.text("tr[data-device=bar-zone] .health"); got != "Working" {
		t.Errorf("a new barrier's health %q, want Working", got)
	}
	// Silent past its minute: the console says so.
	clock.Add(2 * time.Minute)
	if got := own.do("GET", "/operator?lang=en", nil).text("tr[data-device=bar-zone] .health"); got != "Silent too long" {
		t.Errorf("a barrier silent 2 min with a 1 min interval: %q", got)
	}

	r := own.post("/operator/barrier?lang=en", url.Values{"device": {"bar-zone"}, "action": {"open"}})
	if r.status != http.StatusBadRequest || r.text("#reason-bar-zone-err") == "" {
		t.Fatalf("no reason: %d %q", r.status, r.text("#reason-bar-zone-err"))
	}
	if r = other.post("/operator/barrier?lang=en", url.Values{"device": {"bar-zone"}, "action": {"open"}, "reason": {"x"}}); r.status != http.StatusNotFound {
		t.Errorf("another gate's operator moving the barrier: %d", r.status)
	}
	if r = own.post("/operator/barrier?lang=en", url.Values{"device": {"bar-zone"}, "action": {"open"}, "reason": {"xe cứu thương"}}); r.status != http.StatusSeeOther {
		t.Fatalf("open by hand: %d\n%s", r.status, r.body)
	}
	cmds, err := db.BarrierCommands(ctx, admin, "huu-nghi", "bar-zone", 10)
	if err != nil || len(cmds) != 1 || !cmds[0].Manual || cmds[0].Action != device.Open || cmds[0].Reason != "xe cứu thương" {
		t.Fatalf("commands after the console's open: %+v %v", cmds, err)
	}
}
