package ident

import "testing"

func TestParseCustomsDeclaration(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string
		kind string
		rule string
	}{
		{in: "101234567820", want: "101234567820", kind: "import"},
		{in: "10 1234 5678 2 0", want: "101234567820", kind: "import"},
		{in: "10-12345678-2-0", want: "101234567820", kind: "import"},
		{in: "101234567823", want: "101234567823", kind: "import"}, // third amendment
		{in: "300000000110", want: "300000000110", kind: "export"},
		{in: "309999999910", want: "309999999910", kind: "export"}, // 99999999 mod 7 = 1
		{in: "３００００００００７００", want: "300000000700", kind: "export"},

		{in: "101234567830", rule: "check digit is 3, want 2"},
		{in: "300000000100", rule: "check digit is 0, want 1"},
		{in: "111234567820", want: "111234567820", kind: "import"}, // low-value import
		{in: "310000000110", want: "310000000110", kind: "export"}, // low-value export
		{in: "311234567830", rule: "check digit is 3, want 2"},
		{in: "201234567820", rule: "document type 20 is not 10 or 11 (import), 30 or 31 (export)"},
		{in: "121234567820", rule: "document type 12 is not 10 or 11 (import), 30 or 31 (export)"},
		{in: "321234567820", rule: "document type 32 is not 10 or 11 (import), 30 or 31 (export)"},
		{in: "10123456782", rule: "must have 12 digits"},
		{in: "1012345678201", rule: "must have 12 digits"},
		{in: "1012345678A0", rule: "must have 12 digits"},
		{in: "10.1234567820", rule: "must have 12 digits"},
		{in: "", rule: "is required"},
	} {
		got, err := ParseCustomsDeclaration(tt.in)
		if rule := ruleOf(t, err); rule != tt.rule {
			t.Errorf("ParseCustomsDeclaration(%q) error = %q, want %q", tt.in, rule, tt.rule)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseCustomsDeclaration(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if kind := DeclarationType(got); kind != tt.kind {
			t.Errorf("DeclarationType(%q) = %q, want %q", got, kind, tt.kind)
		}
	}
}

func TestDeclarationTypeOfNonCanonical(t *testing.T) {
	for _, s := range []string{"", "10", "30 1234567820", "201234567820"} {
		if got := DeclarationType(s); got != "" {
			t.Errorf("DeclarationType(%q) = %q, want \"\"", s, got)
		}
	}
}

func FuzzParseCustomsDeclaration(f *testing.F) {
	for _, s := range []string{"101234567820", "101234567830", "10 1234 5678 2 0", "300000000110", "111234567820", "310000000110", "201234567820"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCustomsDeclaration(s)
		if err != nil {
			ruleOf(t, err)
			return
		}
		again, err := ParseCustomsDeclaration(c)
		if err != nil || again != c {
			t.Fatalf("ParseCustomsDeclaration(%q) = %q, which parses as %q, %v", s, c, again, err)
		}
		if DeclarationType(c) == "" {
			t.Fatalf("DeclarationType(%q) is empty for a parsed number", c)
		}
	})
}
