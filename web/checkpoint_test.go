package web_test

import (
	"context"
	"net/http"
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
	if got := p.doc.Find(".worklist tbody tr").Length(); got != 1 || p.text(".worklist tbody tr td:first-of-type") != a.Vehicle.Plate {
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
