package cuakhau

import "testing"

// TestPrincipalGateActions is the whole table of who may see a gate's
// queue, call its trucks forward and change its controls: every role, bound
// to the gate asked about, bound to another gate, or unbound.
func TestPrincipalGateActions(t *testing.T) {
	type allowed struct{ see, call, control bool }
	// What each role may do at its own gate (or unbound); at another gate
	// only the unbounded roles keep it.
	own := map[Role]allowed{
		RoleAdmin:       {true, true, true},
		RoleOperator:    {true, true, true},
		RoleCustoms:     {true, false, false},
		RoleBorderGuard: {true, false, false},
		RoleQuarantine:  {true, false, false},
		RoleMedical:     {true, false, false},
		RoleEnterprise:  {false, false, false},
		RoleViewer:      {true, false, false},
		RoleSystem:      {false, true, false},
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
			got := allowed{p.CanSeeQueue("huu-nghi"), p.CanCallForward("huu-nghi"), p.CanChangeControls("huu-nghi")}
			if got != w {
				t.Errorf("%s bound to %q at huu-nghi: see/call/control = %v, want %v", r, bound, got, w)
			}
		}
	}
	if RoleSystem.Valid() {
		t.Error("the system role must not be valid for a token")
	}
}
