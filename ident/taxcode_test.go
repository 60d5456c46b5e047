package ident

import "testing"

// publishedTaxCodes are real enterprise codes as published on the
// enterprises' own documents and the national business registry: Viettel,
// Vietcombank and Vinamilk, and a sample of those gathered by
// python-stdnum's tests (tests/test_vn_mst.doctest). They confirm the check
// digit algorithm; none of them may ever fail it.
var publishedTaxCodes = []string{
	"0100109106",     // Viettel
	"0100112437",     // Vietcombank
	"0300588569",     // Vinamilk
	"0100233488",     // python-stdnum
	"0101245486",     // python-stdnum
	"0314409058-002", // python-stdnum, a branch
	"0312687878-001", // python-stdnum, a branch
	"1201480559",     // python-stdnum
	"2000102580-005", // python-stdnum, a branch
	"4900224296",     // python-stdnum
	"5900705097",     // python-stdnum
}

func TestPublishedTaxCodes(t *testing.T) {
	for _, s := range publishedTaxCodes {
		got, err := ParseTaxCode(s)
		if err != nil {
			t.Errorf("ParseTaxCode(%q): %v", s, err)
		} else if got != s {
			t.Errorf("ParseTaxCode(%q) = %q, want it unchanged", s, got)
		}
	}
}

func TestParseTaxCode(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string
		rule string
	}{
		{in: "0100109106", want: "0100109106"},
		{in: "0100109106-001", want: "0100109106-001"},
		{in: "0100109106 - 001", want: "0100109106-001"},
		{in: "0100109106001", want: "0100109106-001"},
		{in: "01.00.112.437", want: "0100112437"},
		{in: "0312 68 78 78 - 001", want: "0312687878-001"},
		{in: "０１００１０９１０６", want: "0100109106"},

		{in: "0100109107", rule: "check digit is 7, want 6"},
		{in: "0100190106", rule: "check digit is 6, want 7"}, // transposed digits
		{in: "0100109107-001", rule: "check digit is 7, want 6"},
		// 1,0,0,0,0,0,0,0,8 weigh 31+24 = 55, a multiple of 11.
		{in: "1000000080", rule: "first 9 digits admit no check digit"},
		{in: "0100000003", rule: "serial 0000000 is never issued"},
		{in: "0100109106-000", rule: "branch 000 does not exist"},
		{in: "010010910", rule: "must have 10 digits, or 13 with a branch suffix"},
		{in: "0100109106-01", rule: "must have 10 digits, or 13 with a branch suffix"},
		{in: "001203012345", rule: "must have 10 digits, or 13 with a branch suffix"}, // a personal, CCCD-based code
		{in: "01001O9106", rule: "must have 10 digits, or 13 with a branch suffix"},
		{in: "", rule: "is required"},
	} {
		got, err := ParseTaxCode(tt.in)
		if rule := ruleOf(t, err); rule != tt.rule {
			t.Errorf("ParseTaxCode(%q) error = %q, want %q", tt.in, rule, tt.rule)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseTaxCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParseTaxCode(f *testing.F) {
	for _, s := range publishedTaxCodes {
		f.Add(s)
	}
	for _, s := range []string{"0100109106 - 001", "0100109107", "1000000080", "0100109106-000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseTaxCode(s)
		if err != nil {
			ruleOf(t, err)
			return
		}
		again, err := ParseTaxCode(c)
		if err != nil || again != c {
			t.Fatalf("ParseTaxCode(%q) = %q, which parses as %q, %v", s, c, again, err)
		}
	})
}
