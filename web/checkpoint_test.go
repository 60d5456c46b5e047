package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/cuakhau/cuakhau/web"
)

// decide records d on trip id as admin.
func decideAs(t testing.TB, db *sqlstore.DB, p cuakhau.Principal, id string, d cuakhau.Decision) {
	t.Helper()
	if _, err := db.Decide(context.Background(), p, id, d); err != nil {
		t.Fatal(err)
	}
}

// inZoneTrip is a trip of plate that passed entry, so that it waits at
// medical (export route: entry, weighbridge, medical, customs, …).
func inZoneTrip(t testing.TB, db *sqlstore.DB, plate string) *cuakhau.Trip {
	t.Helper()
	d := testDecl
	d.Vehicle.Plate = plate
	tr := declare(t, db, d)
	decideAs(t, db, admin, tr.ID, cuakhau.Decision{Checkpoint: "entry", Outcome: cuakhau.OutcomePass})
	return tr
}

// officers signs in a medical and a customs officer of huu-nghi and a
// customs officer of tan-thanh.
func officers(t *testing.T, db *sqlstore.DB, pages http.Handler) (medical, customs, other *client) {
	t.Helper()
	for _, u := range []cuakhau.User{
		{Name: "y-te", Role: cuakhau.RoleMedical, Gate: "huu-nghi"},
		{Name: "hai-quan", Role: cuakhau.RoleCustoms, Gate: "huu-nghi"},
		{Name: "hai-quan-tt", Role: cuakhau.RoleCustoms, Gate: "tan-thanh"},
	} {
		addUser(t, db, u)
	}
	medical, customs, other = newClient(t, pages), newClient(t, pages), newClient(t, pages)
	medical.login("y-te", password)
	customs.login("hai-quan", password)
	other.login("hai-quan-tt", password)
	return
}

func TestCheckpointWorklist(t *testing.T) {
	db := openStore(t, cuakhau.NewFixedClock(testNow))
	pages := newPages(t, db, func(c *web.Config) { c.Sessions = db })
	medical, customs, other := officers(t, db, pages)

	a := inZoneTrip(t, db, "20C-111.11")
	b := inZoneTrip(t, db, "20C-222.22")
	declare(t, db, func() cuakhau.Declaration { d := testDecl; d.Vehicle.Plate = "20C-333.33"; return d }()) // not yet in the zone
	// b passes medical: it now waits at customs.
	decideAs(t, db, admin, b.ID, cuakhau.Decision{Checkpoint: "medical", Outcome: cuakhau.OutcomePass})

	p := medical.do("GET", "/checkpoint", nil)
	if p.status != http.StatusOK {
		t.Fatalf("/checkpoint as medical: %d\n%s", p.status, p.body)
	}
	if got := p.doc.Find(".worklist tbody tr").Length(); got != 1 || p.text(".worklist .plate") != a.Vehicle.Plate {
		t.Errorf("medical's worklist: %d rows, first plate %q; want only %s", got, p.text(".worklist tbody td"), a.Vehicle.Plate)
	}
	c := customs.do("GET", "/checkpoint?lang=en", nil)
	if c.status != http.StatusOK || c.doc.Find(".worklist tbody tr").Length() != 1 || !strings.Contains(c.text(".worklist tbody"), b.Code) {
		t.Errorf("customs' worklist: %d, %q; want only %s", c.status, c.text(".worklist tbody"), b.Code)
	}
	if !strings.Contains(c.text("h1"), "customs") {
		t.Errorf("customs' title %q does not name the checkpoint", c.text("h1"))
	}
	// Another gate's officer sees none of these, and may not ask for them.
	o := other.do("GET", "/checkpoint", nil)
	if o.status != http.StatusOK || o.doc.Find(".worklist tbody tr").Length() != 0 {
		t.Errorf("tan-thanh's customs: %d with %d rows, want an empty list", o.status, o.doc.Find(".worklist tbody tr").Length())
	}
	if o := other.do("GET", "/checkpoint?gate=huu-nghi", nil); o.status != http.StatusOK || strings.Contains(o.body, b.Code) {
		t.Errorf("tan-thanh's customs asking for huu-nghi: %d, sees %s: %v", o.status, b.Code, strings.Contains(o.body, b.Code))
	}
}

func TestCheckpointSearchAndPages(t *testing.T) {
	db := openStore(t, cuakhau.NewFixedClock(testNow))
	pages := newPages(t, db, func(c *web.Config) { c.Sessions = db })
	medical, _, _ := officers(t, db, pages)
	for i := range 55 { // more than a page of 50
		pl := "20C-" + strings.Repeat(string(rune('1'+i/10)), 3) + "." + strings.Repeat(string(rune('0'+i%10)), 2)
		inZoneTrip(t, db, pl)
	}
	p := medical.do("GET", "/checkpoint", nil)
	if n := p.doc.Find(".worklist tbody tr").Length(); n != 50 || !strings.Contains(p.text("#worklist-h"), "55") {
		t.Fatalf("first page: %d rows, heading %q; want 50 of 55", n, p.text("#worklist-h"))
	}
	next, ok := p.doc.Find("a.next-page").Attr("href")
	if !ok {
		t.Fatal("no link to the next page")
	}
	p2 := medical.do("GET", next, nil)
	if n := p2.doc.Find(".worklist tbody tr").Length(); n != 5 || p2.doc.Find("a.next-page").Length() != 0 {
		t.Errorf("second page: %d rows, want 5 and no next link", n)
	}
	// Find by the plate typed loosely; the input is kept.
	f := medical.do("GET", "/checkpoint?find="+url.QueryEscape("20c 33344"), nil)
	if n := f.doc.Find(".worklist tbody tr").Length(); n != 1 || f.text(".worklist .plate") != "20C-333.44" {
		t.Errorf("find 20c 33344: %d rows, %q", n, f.text(".worklist .plate"))
	}
	if v, _ := f.doc.Find("#find").Attr("value"); v != "20c 33344" {
		t.Errorf("the find typed is not kept: %q", v)
	}
	if f := medical.do("GET", "/checkpoint?find=nothing", nil); f.status != 200 || f.doc.Find(".worklist tbody tr").Length() != 0 || f.text(".empty") == "" {
		t.Errorf("find nothing: %d, %d rows, %q", f.status, f.doc.Find(".worklist tbody tr").Length(), f.text(".empty"))
	}
	// A find the service refuses comes back beside the field, kept.
	bad := medical.do("GET", "/checkpoint?find="+url.QueryEscape("a\x00b"), nil)
	if bad.status != http.StatusBadRequest || bad.text("#find-err") == "" {
		t.Errorf("find with a control character: %d, error %q", bad.status, bad.text("#find-err"))
	}
}

func TestCheckpointDecision(t *testing.T) {
	db := openStore(t, cuakhau.NewFixedClock(testNow))
	pages := newPages(t, db, func(c *web.Config) { c.Sessions = db })
	medical, customs, other := officers(t, db, pages)
	a := inZoneTrip(t, db, "20C-111.11")
	target := "/checkpoint/trips/" + a.ID

	// Medical sees the trip, the form and the history.
	p := medical.do("GET", target+"?lang=en", nil)
	if p.status != 200 || p.doc.Find(`form.decision input[name="checkpoint"][value="medical"]`).Length() != 1 {
		t.Fatalf("%s as medical: %d\n%s", target, p.status, p.body)
	}
	if p.doc.Find(".history li").Length() < 2 || !strings.Contains(p.text(".declarations"), "304001234520") {
		t.Errorf("trip page: history %d items, declarations %q", p.doc.Find(".history li").Length(), p.text(".declarations"))
	}
	// Customs sees it too, but it is not their turn: no form.
	if c := customs.do("GET", target, nil); c.status != 200 || c.doc.Find("form.decision").Length() != 0 || c.text("#not-here") == "" {
		t.Errorf("customs before medical: %d, form %d", c.status, c.doc.Find("form.decision").Length())
	}
	// Another gate's officer finds no such trip.
	if o := other.do("GET", target, nil); o.status != http.StatusNotFound {
		t.Errorf("another gate's officer: %d, want 404", o.status)
	}
	csrf := medical.csrf(target)
	if o := other.do("POST", target, url.Values{"csrf": {other.csrf("/checkpoint")}, "checkpoint": {"customs"}, "outcome": {"pass"}, "channel": {"green"}}); o.status != http.StatusNotFound {
		t.Errorf("another gate's officer deciding: %d, want 404", o.status)
	}

	// Without the CSRF token: refused, nothing recorded.
	if r := medical.do("POST", target, url.Values{"checkpoint": {"medical"}, "outcome": {"pass"}}); r.status != http.StatusForbidden {
		t.Errorf("decision without CSRF: %d, want 403", r.status)
	}
	// Hold without a reason: the service's error beside the reason, the
	// choice kept, nothing recorded.
	bad := medical.do("POST", target+"?lang=en", url.Values{"csrf": {csrf}, "checkpoint": {"medical"}, "outcome": {"hold"}, "note": {"  "}})
	if bad.status != http.StatusBadRequest || bad.text("#note-err") == "" {
		t.Fatalf("hold without a reason: %d, note error %q\n%s", bad.status, bad.text("#note-err"), bad.body)
	}
	if v, _ := bad.doc.Find(`input[name="outcome"][checked]`).Attr("value"); v != "hold" {
		t.Errorf("the outcome chosen is not kept: %q", v)
	}
	if tr, _ := db.Trip(context.Background(), admin, a.ID); tr.Checkpoints[2].State != cuakhau.CheckpointPending {
		t.Errorf("a refused hold changed medical to %s", tr.Checkpoints[2].State)
	}
	// Pass: recorded, and the page shows it.
	ok := medical.do("POST", target, url.Values{"csrf": {csrf}, "checkpoint": {"medical"}, "outcome": {"pass"}})
	if ok.status != http.StatusSeeOther {
		t.Fatalf("pass: %d\n%s", ok.status, ok.body)
	}
	after := medical.do("GET", ok.header.Get("Location"), nil)
	if after.text(".done") == "" || after.doc.Find("form.decision").Length() != 0 {
		t.Errorf("after the pass: notice %q, form %d", after.text(".done"), after.doc.Find("form.decision").Length())
	}

	// Customs' first pass needs a channel: named beside the field.
	cc := customs.csrf(target)
	noCh := customs.do("POST", target, url.Values{"csrf": {cc}, "checkpoint": {"customs"}, "outcome": {"pass"}, "note": {"đủ hồ sơ"}})
	if noCh.status != http.StatusBadRequest || noCh.text("#channel-err") == "" {
		t.Fatalf("customs pass without a channel: %d %q", noCh.status, noCh.text("#channel-err"))
	}
	if v := noCh.doc.Find("#note").Text(); v != "đủ hồ sơ" {
		t.Errorf("the reason typed is not kept: %q", v)
	}
	if r := customs.do("POST", target, url.Values{"csrf": {cc}, "checkpoint": {"customs"}, "outcome": {"pass"}, "channel": {"yellow"}}); r.status != http.StatusSeeOther {
		t.Fatalf("customs pass: %d", r.status)
	}
	tr, _ := db.Trip(context.Background(), admin, a.ID)
	if tr.Channel != cuakhau.ChannelYellow {
		t.Errorf("channel %q, want yellow", tr.Channel)
	}
	// A stale form (customs again after its pass): the trip's state refuses
	// it, said above the form.
	if r := customs.do("POST", target, url.Values{"csrf": {cc}, "checkpoint": {"customs"}, "outcome": {"pass"}, "channel": {"yellow"}}); r.status != http.StatusConflict || r.text("#conflict") == "" {
		t.Errorf("customs passing twice: %d %q", r.status, r.text("#conflict"))
	}
}
