package sqlstore_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
)

func TestWorklist(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		trip := func(plate string) *cuakhau.Trip {
			d := durian()
			d.Vehicle.Plate = plate
			clock.Add(time.Minute)
			return declare(t, db, company, d)
		}
		a, b, c, d := trip("12C-111.11"), trip("12C-222.22"), trip("12C-333.33"), trip("12C-444.44")
		for _, x := range []*cuakhau.Trip{a, b, c} {
			decide(t, db, operator, x.ID, cuakhau.Decision{Checkpoint: "entry", Outcome: cuakhau.OutcomePass})
		}
		decide(t, db, medical, b.ID, cuakhau.Decision{Checkpoint: "medical", Outcome: cuakhau.OutcomePass})
		decide(t, db, medical, c.ID, cuakhau.Decision{Checkpoint: "medical", Outcome: cuakhau.OutcomeHold, Note: "sốt"})
		_ = d // declared only: not in the zone, on nobody's list

		list := func(p cuakhau.Principal, f cuakhau.WorklistFilter) *cuakhau.Worklist {
			t.Helper()
			w, err := db.Worklist(ctx, p, f)
			if err != nil {
				t.Fatalf("Worklist %+v: %v", f, err)
			}
			return w
		}
		ids := func(w *cuakhau.Worklist) []string {
			var s []string
			for _, x := range w.Trips {
				s = append(s, x.Vehicle.Plate)
			}
			return s
		}
		same := func(name string, w *cuakhau.Worklist, total int, want ...string) {
			t.Helper()
			if got := ids(w); len(got) != len(want) || w.Total != total || func() bool {
				for i := range got {
					if got[i] != want[i] {
						return true
					}
				}
				return false
			}() {
				t.Errorf("%s: %v of %d, want %v of %d", name, got, w.Total, want, total)
			}
		}

		med := cuakhau.WorklistFilter{Gate: "huu-nghi", Kind: cuakhau.KindMedical}
		same("medical", list(medical, med), 2, a.Vehicle.Plate, c.Vehicle.Plate)
		same("customs", list(customs, cuakhau.WorklistFilter{Gate: "huu-nghi", Kind: cuakhau.KindCustoms}), 1, b.Vehicle.Plate)
		same("border guard waits for customs", list(guard, cuakhau.WorklistFilter{Gate: "huu-nghi", Kind: cuakhau.KindBorderGuard}), 0)

		// Pages of one.
		page := med
		page.Limit = 1
		p1 := list(medical, page)
		same("page 1", p1, 2, a.Vehicle.Plate)
		if p1.Next != a.ID {
			t.Errorf("page 1's next = %q, want %s", p1.Next, a.ID)
		}
		page.After = p1.Next
		p2 := list(medical, page)
		same("page 2", p2, 2, c.Vehicle.Plate)
		if p2.Next != "" {
			t.Errorf("last page's next = %q", p2.Next)
		}

		// Find by each way of naming a truck, typed loosely.
		for _, tc := range []struct {
			find string
			want []string
		}{
			{"12c33333", []string{c.Vehicle.Plate}},
			{a.Code, []string{a.Vehicle.Plate}},
			{"csqu 305438-3", []string{a.Vehicle.Plate, c.Vehicle.Plate}},
			{"3040-0123-4520", []string{a.Vehicle.Plate, c.Vehicle.Plate}},
			{"https://cuakhau.example/trip?" + url.Values{"code": {c.Code}, "plate": {c.Vehicle.Plate}}.Encode(), []string{c.Vehicle.Plate}},
			{b.Vehicle.Plate, nil}, // at customs, not medical
			{"nothing like a truck", nil},
		} {
			f := med
			f.Find = tc.find
			same("find "+tc.find, list(medical, f), len(tc.want), tc.want...)
		}

		// Who may list: the checkpoint's officers at their gate.
		for _, tc := range []struct {
			name string
			p    cuakhau.Principal
			f    cuakhau.WorklistFilter
			code string
		}{
			{"another gate's officer", customsTT, cuakhau.WorklistFilter{Gate: "huu-nghi", Kind: cuakhau.KindCustoms}, cuakhau.EFORBIDDEN},
			{"another checkpoint's officer", medical, cuakhau.WorklistFilter{Gate: "huu-nghi", Kind: cuakhau.KindCustoms}, cuakhau.EFORBIDDEN},
			{"an enterprise", company, med, cuakhau.EFORBIDDEN},
			{"unknown gate", admin, cuakhau.WorklistFilter{Gate: "nowhere", Kind: cuakhau.KindMedical}, cuakhau.EINVALID},
			{"unknown kind", admin, cuakhau.WorklistFilter{Gate: "huu-nghi", Kind: "astrology"}, cuakhau.EINVALID},
			{"unknown after", admin, cuakhau.WorklistFilter{Gate: "huu-nghi", Kind: cuakhau.KindMedical, After: "nope"}, cuakhau.EINVALID},
			{"negative limit", admin, cuakhau.WorklistFilter{Gate: "huu-nghi", Kind: cuakhau.KindMedical, Limit: -1}, cuakhau.EINVALID},
		} {
			_, err := db.Worklist(ctx, tc.p, tc.f)
			if cuakhau.ErrorCode(err) != tc.code {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			}
		}
	})
}
