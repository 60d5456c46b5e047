package ident

import "testing"

func TestParseIDNumber(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string
		rule string
	}{
		{in: "001203012345", want: "001203012345"},
		{in: "001 203 012 345", want: "001203012345"},
		{in: "012345678", want: "012345678"},
		{in: "C1234567", want: "C1234567"},
		{in: "c1234567", want: "C1234567"},
		{in: "E12345678", want: "E12345678"},
		{in: "EA1234567", want: "EA1234567"},
		// The example in GB 11643-1999.
		{in: "11010519491231002X", want: "11010519491231002X"},
		{in: "110105 19491231 002x", want: "11010519491231002X"},
		{in: "440306199001010014", want: "440306199001010014"},

		{in: "110105194912310021", rule: "check character is 1, want X"},
		{in: "44030619900101001X", rule: "check character is X, want 4"},
		{in: "0012030123", rule: "must have 9 or 12 digits, or 18 characters for a Chinese ID"},
		{in: "11010519491231002", rule: "must have 9 or 12 digits, or 18 characters for a Chinese ID"},
		{in: "C123456", rule: "not an ID card or passport number"},
		{in: "ABC1234567", rule: "not an ID card or passport number"},
		{in: "EA12345678", rule: "not an ID card or passport number"},
		{in: "1234567C", rule: "not an ID card or passport number"},
		{in: "", rule: "is required"},
	} {
		got, err := ParseIDNumber(tt.in)
		if rule := ruleOf(t, err); rule != tt.rule {
			t.Errorf("ParseIDNumber(%q) error = %q, want %q", tt.in, rule, tt.rule)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseIDNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParseIDNumber(f *testing.F) {
	for _, s := range []string{"001203012345", "012345678", "C1234567", "E12345678", "EA1234567",
		"11010519491231002X", "11010519491231002x", "110105194912310021"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseIDNumber(s)
		if err != nil {
			ruleOf(t, err)
			return
		}
		again, err := ParseIDNumber(c)
		if err != nil || again != c {
			t.Fatalf("ParseIDNumber(%q) = %q, which parses as %q, %v", s, c, again, err)
		}
	})
}
