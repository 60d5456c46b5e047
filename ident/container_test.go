package ident

import "testing"

func TestParseContainer(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string
		rule string
	}{
		{in: "CSQU3054383", want: "CSQU3054383"},
		{in: "csqu3054383", want: "CSQU3054383"},
		{in: "CSQU 305438-3", want: "CSQU3054383"},
		{in: " CSQU 305438 3 ", want: "CSQU3054383"},
		{in: "ＣＳＱＵ３０５４３８３", want: "CSQU3054383"},
		{in: "MSCU1234566", want: "MSCU1234566"},
		{in: "TCNU1234565", want: "TCNU1234565"},
		{in: "ABCZ0000010", want: "ABCZ0000010"},
		{in: "ABCJ0000025", want: "ABCJ0000025"},
		// The sum leaves 10 here, printed as 0.
		{in: "CSQU0000070", want: "CSQU0000070"},

		{in: "CSQU3054384", rule: "check digit is 4, want 3"},
		{in: "CSQU3054833", rule: "check digit is 3, want 0"}, // transposed digits
		{in: "CSQU0000071", rule: "check digit is 1, want 0"},
		{in: "CSQX3054383", rule: "category letter X is not U, J or Z"},
		{in: "CSQ3054383", rule: "must be 4 letters, 6 digits and a check digit"},
		{in: "CSQU305438", rule: "must be 4 letters, 6 digits and a check digit"},
		{in: "CSQU30543833", rule: "must be 4 letters, 6 digits and a check digit"},
		{in: "CS0U3054383", rule: "must be 4 letters, 6 digits and a check digit"},
		{in: "CSQU3O54383", rule: "must be 4 letters, 6 digits and a check digit"},
		{in: "CSQU.305438.3", rule: "must be 4 letters, 6 digits and a check digit"},
		{in: "", rule: "is required"},
	} {
		got, err := ParseContainer(tt.in)
		if rule := ruleOf(t, err); rule != tt.rule {
			t.Errorf("ParseContainer(%q) error = %q, want %q", tt.in, rule, tt.rule)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseContainer(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLetterValue(t *testing.T) {
	for l, want := range map[byte]int{'A': 10, 'B': 12, 'K': 21, 'L': 23, 'U': 32, 'V': 34, 'Z': 38} {
		if got := letterValue(l); got != want {
			t.Errorf("letterValue(%c) = %d, want %d", l, got, want)
		}
	}
}

func FuzzParseContainer(f *testing.F) {
	for _, s := range []string{"CSQU3054383", "CSQU 305438-3", "csqu3054383", "CSQU3054384", "CSQX3054383", "ABCZ0000010", "CSQU0000070"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseContainer(s)
		if err != nil {
			ruleOf(t, err)
			return
		}
		again, err := ParseContainer(c)
		if err != nil || again != c {
			t.Fatalf("ParseContainer(%q) = %q, which parses as %q, %v", s, c, again, err)
		}
	})
}
