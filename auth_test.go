package cuakhau

import "testing"

// TestPrincipalGateActions is the whole table of who may see a gate's
// queue, call its trucks forward, change its controls, record a fee
// payment and read its statistics: every role, bound to the gate asked about, bound to another gate,
// or unbound.
func TestPrincipalGateActions(t *testing.T) {
	type allowed struct{ see, call, control, pay, stats bool }
	// What each role may do at its own gate (or unbound); at another gate
	// only the unbounded roles keep it.
	own := map[Role]allowed{
		RoleAdmin:       {true, true, true, true, true},
		RoleOperator:    {true, true, true, true, true},
		RoleCustoms:     {true, false, false, false, true},
		RoleBorderGuard: {true, false, false, false, true},
		RoleQuarantine:  {true, false, false, false, true},
		RoleMedical:     {true, false, false, false, true},
		RoleEnterprise:  {false, false, false, false, false},
		RoleViewer:      {true, false, false, false, true},
		RoleSystem:      {false, true, false, true, false},
	}
	gateBound := func(r Role) bool { return r.Officer() }
	for _, r := range append(Roles, RoleSystem) {
		want, ok := own[r]
		if !ok {
			t.Fatalf("role %s has no row in the table", r)
		}
		for _, bound := range []string{"", "huu-nghi", "tan-thanh"} {
			p := Principal{Role: r, Gate: bound}
			if bound != "" && !gateBound(r) {
				continue // only officers' tokens are bound to a gate
			}
			w := want
			if bound == "tan-thanh" {
				w = allowed{}
			}
			got := allowed{p.CanSeeQueue("huu-nghi"), p.CanCallForward("huu-nghi"), p.CanChangeControls("huu-nghi"), p.CanRecordPayment("huu-nghi"), p.CanSeeStats("huu-nghi")}
			if got != w {
				t.Errorf("%s bound to %q at huu-nghi: see/call/control/pay/stats = %v, want %v", r, bound, got, w)
			}
		}
	}
	if RoleSystem.Valid() {
		t.Error("the system role must not be valid for a token")
	}
}

// TestPrincipalBookAndList: who may book for a trip, and what a trip list
// narrows to for each kind of principal; every trip inside the narrowed
// scope is one CanSeeTrip lets the principal see, and every trip it may see
// is inside the scope of an empty filter.
func TestPrincipalBookAndList(t *testing.T) {
	const own, other = "0100109106", "0101248141"
	principals := []Principal{
		{Role: RoleAdmin}, {Role: RoleViewer},
		{Role: RoleOperator}, {Role: RoleOperator, Gate: "huu-nghi"},
		{Role: RoleCustoms}, {Role: RoleCustoms, Gate: "huu-nghi"},
		{Role: RoleEnterprise, TaxCode: own}, {Role: RoleEnterprise},
		{Role: RoleSystem},
	}
	// Which of the four trips below each principal may book for, in order.
	book := []string{"1111", "0000", "1111", "1010", "0000", "0000", "1100", "0000", "0000"}
	trips := [][2]string{{own, "huu-nghi"}, {own, "tan-thanh"}, {other, "huu-nghi"}, {other, "tan-thanh"}}
	for i, p := range principals {
		for k, tr := range trips {
			if got, want := p.CanBook(tr[0], tr[1]), book[i][k] == '1'; got != want {
				t.Errorf("%+v CanBook(%v) = %v, want %v", p, tr, got, want)
			}
		}
		for _, f := range [][2]string{{"", ""}, {own, ""}, {other, ""}, {"", "huu-nghi"}, {"", "tan-thanh"}, {own, "tan-thanh"}} {
			tc, gate, err := p.TripScope(f[0], f[1])
			if err != nil {
				if ErrorCode(err) != EFORBIDDEN {
					t.Errorf("%+v TripScope(%q, %q): %v, want a forbidden error", p, f[0], f[1], err)
				}
				continue
			}
			if (f[0] != "" && tc != f[0]) || (f[1] != "" && gate != f[1]) {
				t.Errorf("%+v TripScope(%q, %q) = %q, %q: widened or changed what was asked", p, f[0], f[1], tc, gate)
			}
			for _, tr := range trips {
				in := (tc == "" || tc == tr[0]) && (gate == "" || gate == tr[1])
				if in && !p.CanSeeTrip(tr[0], tr[1]) {
					t.Errorf("%+v TripScope(%q, %q) = %q, %q lists trip %v it may not see", p, f[0], f[1], tc, gate, tr)
				}
				if f == [2]string{} && !in && p.CanSeeTrip(tr[0], tr[1]) {
					t.Errorf("%+v TripScope(\"\", \"\") = %q, %q leaves out trip %v it may see", p, tc, gate, tr)
				}
			}
		}
	}
	// The refusals, each for its reason.
	for _, tc := range []struct {
		p        Principal
		tax, gat string
	}{
		{Principal{Role: RoleEnterprise, TaxCode: own}, other, ""},
		{Principal{Role: RoleEnterprise}, "", ""},
		{Principal{Role: RoleCustoms, Gate: "huu-nghi"}, "", "tan-thanh"},
		{Principal{Role: RoleSystem}, "", ""},
	} {
		if _, _, err := tc.p.TripScope(tc.tax, tc.gat); ErrorCode(err) != EFORBIDDEN {
			t.Errorf("%+v TripScope(%q, %q): %v, want forbidden", tc.p, tc.tax, tc.gat, err)
		}
	}
}
