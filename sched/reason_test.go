package sched

import (
	"testing"

	"github.com/cuakhau/cuakhau"
)

// TestReasonsInEveryLanguage: every reason a policy gives for a truck's
// place (mixedQueue has one truck of each kind) has its Vietnamese and
// Chinese in the catalogue the pages show them through.
func TestReasonsInEveryLanguage(t *testing.T) {
	in := mixedQueue()
	seen := 0
	for _, name := range Names() {
		for _, r := range mustNew(t, name, DefaultConfig()).Order(in) {
			for _, lang := range []string{"vi", "zh"} {
				if got, ok := cuakhau.RuleIn(lang, r.Reason); !ok || got == r.Reason {
					t.Errorf("%s: no %s for %q", name, lang, r.Reason)
				}
			}
			seen++
		}
	}
	if seen < 20 {
		t.Fatalf("only %d reasons", seen)
	}
}
