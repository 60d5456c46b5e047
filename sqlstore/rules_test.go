package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// TestStoreRefusalsInEveryLanguage breaks the rules the store checks
// itself — accounts, tokens, bookings, windows, priorities, cancellations —
// and fails on a refusal the rules' catalogue cannot show in Vietnamese and
// Chinese, as the root package's TestRulesInEveryLanguage does for the
// core's checkers: the pages show these beside the fields.
func TestStoreRefusalsInEveryLanguage(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		var rules []string
		add := func(err error) {
			t.Helper()
			if err == nil {
				t.Errorf("a broken rule was accepted")
				return
			}
			f := cuakhau.ErrorFields(err)
			if len(f) == 0 {
				t.Errorf("refusal without fields: %v", err)
			}
			for _, r := range f {
				rules = append(rules, r)
			}
		}
		for _, u := range []struct {
			u  cuakhau.User
			pw string
		}{
			{cuakhau.User{Name: "-x", Role: "captain", TaxCode: "123", Gate: "nowhere"}, ""},
			{cuakhau.User{Name: "ops", Role: cuakhau.RoleOperator, TaxCode: "0100109106", Gate: "nowhere"}, "short"},
			{cuakhau.User{Name: "firm", Role: cuakhau.RoleEnterprise, Gate: "huu-nghi"}, "\xff\xfe long enough password"},
		} {
			_, err := db.CreateUser(ctx, u.u, u.pw)
			add(err)
		}
		for _, tk := range []cuakhau.Token{
			{Name: strings.Repeat("x", 201), Role: "captain"},
			{Name: "", Role: cuakhau.RoleEnterprise},
			{Name: "t", Role: cuakhau.RoleViewer, TaxCode: "0100109106", Gate: "huu-nghi"},
		} {
			_, _, err := db.CreateToken(ctx, tk)
			add(err)
		}
		oneLane(t, db)
		trip := declare(t, db, company, durian())
		for _, at := range []time.Time{
			{}, start.Add(-time.Hour), start.AddDate(0, 0, 30), tomorrow9.Add(-5 * time.Hour), tomorrow9.Add(30 * time.Minute),
		} {
			_, err := db.Book(ctx, company, trip.ID, at)
			add(err)
		}
		_, err := db.Windows(ctx, "huu-nghi", "sideways", "tomorrow")
		add(err)
		_, err = db.SetPriority(ctx, admin, trip.ID, cuakhau.PriorityUpdate{})
		add(err)
		// A cancellation: a reason from an officer, the sold-off mark on
		// a cancellation of perishable cargo alone.
		dry := withPlate(durian(), "12C45678")
		dry.Cargo[0].Perishable, dry.Cargo[0].ShelfLifeHours = false, 0
		for _, c := range []struct {
			p  cuakhau.Principal
			id string
			d  cuakhau.Decision
		}{
			{operator, trip.ID, cuakhau.Decision{Outcome: cuakhau.OutcomeCancel}},
			{operator, trip.ID, cuakhau.Decision{Checkpoint: "entry", Outcome: cuakhau.OutcomePass, SoldOff: true}},
			{company, declare(t, db, company, dry).ID, cuakhau.Decision{Outcome: cuakhau.OutcomeCancel, SoldOff: true}},
		} {
			_, err = db.Decide(ctx, c.p, c.id, c.d)
			add(err)
		}

		seen := map[string]bool{}
		for _, r := range rules {
			if seen[r] {
				continue
			}
			seen[r] = true
			for _, lang := range []string{"vi", "zh"} {
				if got, ok := cuakhau.RuleIn(lang, r); !ok || got == r || strings.Contains(got, "%") {
					t.Errorf("%s: no %s for %q (%q)", lang, lang, r, got)
				}
			}
		}
		if len(seen) < 15 {
			t.Errorf("only %d distinct refusals collected: %q", len(seen), rules)
		}
	})
}
