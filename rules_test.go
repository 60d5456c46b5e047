package cuakhau_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/flow"
	"github.com/cuakhau/cuakhau/ident"
	"github.com/cuakhau/cuakhau/stats"
)

// TestRulesInEveryLanguage breaks the rules a declaration and its
// identifiers are checked by, and the statistics' ranges, and requires
// every refusal to have its Vietnamese and Chinese in the catalogue, with
// the parts that vary carried over.
func TestRulesInEveryLanguage(t *testing.T) {
	var rules []string
	add := func(err error) {
		if err == nil {
			return
		}
		if f := cuakhau.ErrorFields(err); len(f) > 0 {
			for _, r := range f {
				rules = append(rules, r)
			}
			return
		}
		rules = append(rules, err.Error())
	}
	for _, s := range []string{"", "ABC", "00A-123.45", "29I-123.45", "29ABC-123.45", "29A-12", "29A-1234567", "甲A12345", "桂12345", "桂AI1234", "桂A123挂", "桂A12", "29R-123.45"} {
		_, err := ident.ParsePlate(s)
		add(err)
	}
	for _, s := range []string{"", "CSQU305438", "CSQA3054383", "CSQU3054384"} {
		_, err := ident.ParseContainer(s)
		add(err)
	}
	for _, s := range []string{"", "12345", "504001234520", "304001234521"} {
		_, err := ident.ParseCustomsDeclaration(s)
		add(err)
	}
	for _, s := range []string{"", "08a", "081", "0000", "7700", "9900"} {
		_, err := ident.ParseHSCode(s)
		add(err)
	}
	for _, s := range []string{"", "12", "110101199003077779", "ABC"} {
		_, err := ident.ParseIDNumber(s)
		add(err)
	}
	for _, s := range []string{"", "123", "0100109107", "0000000000", "0100109106-000"} {
		_, err := ident.ParseTaxCode(s)
		add(err)
	}
	g := &cuakhau.Gate{Code: "huu-nghi", Checkpoints: map[cuakhau.Direction][]cuakhau.Checkpoint{cuakhau.Export: {{Code: "entry"}}}}
	now := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	past, ahead := now.Add(-48*time.Hour), now.Add(60*24*time.Hour)
	for _, d := range []cuakhau.Declaration{
		{},
		{Gate: "nowhere", Direction: "sideways"},
		{Gate: "huu-nghi", Direction: cuakhau.Import, PlannedArrival: &past, Vehicle: cuakhau.Vehicle{Plate: "20R-12345", Country: "CN"},
			Driver: cuakhau.Driver{Name: "A\u0007"}, Containers: []string{"CSQU3054383", "CSQU3054383"},
			CustomsDeclarations: []string{"304001234520"},
			Cargo:               []cuakhau.CargoLine{{HSCode: "0810.60", Description: strings.Repeat("x", 300), Packages: -1, GrossKg: 1e9, ValueUSDCents: 1e15, ShelfLifeHours: 5}}},
		{Gate: "huu-nghi", Direction: cuakhau.EmptyReturn, PlannedArrival: &ahead, Vehicle: cuakhau.Vehicle{Plate: "20C-456.78", Country: "XX"},
			Cargo: []cuakhau.CargoLine{{HSCode: "0810.60"}}},
		{Gate: "huu-nghi", Direction: cuakhau.Export, Containers: make([]string, 9), Cargo: make([]cuakhau.CargoLine, 101), CustomsDeclarations: make([]string, 21)},
	} {
		add(flow.Validate(g, &d, now))
	}
	for _, r := range [][2]string{{"", ""}, {"2026-13-01", "x"}, {"2026-12-02", "2026-12-01"}, {"2020-01-01", "2026-01-01"}} {
		_, err := stats.ParseRange(r[0], r[1])
		add(err)
	}
	lanes, room, policy := 99, 0, "lottery"
	for _, u := range []cuakhau.ControlsUpdate{
		{},
		{Lanes: map[string]int{"nowhere": 1, "entry": lanes}, Room: &room, Policy: &policy, Hours: &cuakhau.Hours{Open: "7:00", Close: "24:30"}},
	} {
		add(u.Validate(g, []string{"fifo", "perishable"}))
	}
	f := cuakhau.FieldErrors{}
	f.Note("note", "a\u202Eb", false)
	f.Name("name", "a\u200Bb", false)
	f.Range("n", 20, 0, 9, "")
	f.Range("m", 1, 5, 9, "kg")
	add(f.Err())

	if len(rules) < 40 {
		t.Fatalf("only %d refusals collected", len(rules))
	}
	seen := map[string]bool{}
	for _, r := range rules {
		if seen[r] {
			continue
		}
		seen[r] = true
		for _, lang := range []string{"vi", "zh"} {
			got, ok := cuakhau.RuleIn(lang, r)
			if !ok || got == r {
				t.Errorf("%s: no %s for %q", lang, lang, r)
			}
			if strings.Contains(got, "%!") || strings.Contains(got, "%s") {
				t.Errorf("%s: %q renders %q", lang, r, got)
			}
		}
	}
	if got, _ := cuakhau.RuleIn("vi", "check digit is 4, want 3"); got != "chữ số kiểm tra là 4, đúng ra phải là 3" {
		t.Errorf("the parts carried over: %q", got)
	}
	if got, _ := cuakhau.RuleIn("vi", `export is not served at gate tan-thanh`); got != "cửa khẩu tan-thanh không làm thủ tục chiều export" {
		t.Errorf("the parts reordered: %q", got)
	}
	if got, ok := cuakhau.RuleIn("vi", "a rule nobody wrote down"); ok || got != "a rule nobody wrote down" {
		t.Errorf("an unknown rule: %q %v", got, ok)
	}
	t.Logf("%d distinct refusals, each in vi and zh", len(seen))
}
