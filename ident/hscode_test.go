package ident

import "testing"

func TestParseHSCode(t *testing.T) {
	for _, tt := range []struct {
		in     string
		want   HSCode
		dotted string
		rule   string
	}{
		{in: "0810", want: "0810", dotted: "0810"},
		{in: "0810.60", want: "081060", dotted: "0810.60"},
		{in: "081060", want: "081060", dotted: "0810.60"},
		{in: "0810.60.00", want: "08106000", dotted: "0810.60.00"},
		{in: "08106000", want: "08106000", dotted: "0810.60.00"},
		{in: " 0810 60 00 ", want: "08106000", dotted: "0810.60.00"},
		{in: "０８１０．６０", want: "081060", dotted: "0810.60"},
		{in: "0101", want: "0101", dotted: "0101"},
		{in: "9706.00", want: "970600", dotted: "9706.00"},
		{in: "1108.14", want: "110814", dotted: "1108.14"},

		{in: "", rule: "is required"},
		{in: " . ", rule: "is required"},
		{in: "0810-60", rule: "must be digits, with optional dots"},
		{in: "081O", rule: "must be digits, with optional dots"},
		{in: "081", rule: "must have 4, 6 or 8 digits"},
		{in: "08106", rule: "must have 4, 6 or 8 digits"},
		{in: "0810600000", rule: "must have 4, 6 or 8 digits"},
		{in: "0010", rule: "chapter 00 does not exist"},
		{in: "7701", rule: "chapter 77 is reserved"},
		{in: "9801.00", rule: "chapter 98 is not in the Harmonized System"},
		{in: "9999", rule: "chapter 99 is not in the Harmonized System"},
	} {
		got, err := ParseHSCode(tt.in)
		if rule := ruleOf(t, err); rule != tt.rule {
			t.Errorf("ParseHSCode(%q) error = %q, want %q", tt.in, rule, tt.rule)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseHSCode(%q) = %q, want %q", tt.in, string(got), string(tt.want))
		}
		if got.String() != tt.dotted {
			t.Errorf("ParseHSCode(%q).String() = %q, want %q", tt.in, got.String(), tt.dotted)
		}
	}
}

func TestHSCodeClasses(t *testing.T) {
	for _, tt := range []struct {
		code       HSCode
		chapter    int
		heading    string
		quarantine bool
		perishable bool
		shelfLife  int
	}{
		{"081090", 8, "0810", true, true, 60},     // dragon fruit, jackfruit
		{"08109010", 8, "0810", true, true, 60},   // a tariff line under it
		{"081060", 8, "0810", true, true, 168},    // durian
		{"08106000", 8, "0810", true, true, 168},  // durian tariff line
		{"080711", 8, "0807", true, true, 120},    // watermelon
		{"080450", 8, "0804", true, true, 336},    // mango
		{"0803", 8, "0803", true, true, 72},       // bananas: no figure in the reference
		{"0810", 8, "0810", true, true, 60},       // could be dragon fruit: the shortest
		{"0807", 8, "0807", true, true, 72},       // melons other than watermelon: the default
		{"081010", 8, "0810", true, true, 72},     // strawberries
		{"0804", 8, "0804", true, true, 72},       // dates, figs… as well as mango
		{"0201", 2, "0201", true, true, 72},       // beef
		{"030389", 3, "0303", true, true, 72},     // frozen fish
		{"0401", 4, "0401", true, true, 72},       // milk
		{"070200", 7, "0702", true, true, 72},     // tomatoes
		{"0712", 7, "0712", true, false, 0},       // dried vegetables
		{"071310", 7, "0713", true, false, 0},     // dried peas
		{"081340", 8, "0813", true, false, 0},     // dried fruit (longan)
		{"0101", 1, "0101", true, false, 0},       // live horses
		{"0603", 6, "0603", true, false, 0},       // cut flowers
		{"110814", 11, "1108", true, false, 0},    // cassava starch
		{"1401", 14, "1401", true, false, 0},      // bamboo, rattan
		{"1501", 15, "1501", false, false, 0},     // pig fat
		{"85171300", 85, "8517", false, false, 0}, // phones
		{"", 0, "", false, false, 0},
	} {
		if got := tt.code.Chapter(); got != tt.chapter {
			t.Errorf("HSCode(%q).Chapter() = %d, want %d", tt.code, got, tt.chapter)
		}
		if got := tt.code.Heading(); got != tt.heading {
			t.Errorf("HSCode(%q).Heading() = %q, want %q", tt.code, got, tt.heading)
		}
		if got := tt.code.NeedsQuarantine(); got != tt.quarantine {
			t.Errorf("HSCode(%q).NeedsQuarantine() = %v, want %v", tt.code, got, tt.quarantine)
		}
		if got := tt.code.Perishable(); got != tt.perishable {
			t.Errorf("HSCode(%q).Perishable() = %v, want %v", tt.code, got, tt.perishable)
		}
		if got := tt.code.DefaultShelfLifeHours(); got != tt.shelfLife {
			t.Errorf("HSCode(%q).DefaultShelfLifeHours() = %d, want %d", tt.code, got, tt.shelfLife)
		}
	}
}

// Every perishable code must get a positive default, or the queue would
// treat its truck as having no time left (or all the time in the world).
func TestShelfLifeTable(t *testing.T) {
	for _, e := range shelfLife {
		h, err := ParseHSCode(e.prefix)
		if err != nil {
			t.Fatalf("shelfLife prefix %q: %v", e.prefix, err)
		}
		if !h.Perishable() || e.hours <= 0 {
			t.Errorf("shelfLife prefix %q: perishable %v, hours %d", e.prefix, h.Perishable(), e.hours)
		}
	}
}

func FuzzParseHSCode(f *testing.F) {
	for _, s := range []string{"0810", "0810.60", "081060", "0810.60.00", "08106000", "7701", "9801", "0010", "081"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHSCode(s)
		if err != nil {
			ruleOf(t, err)
			return
		}
		for _, form := range []string{string(h), h.String()} {
			again, err := ParseHSCode(form)
			if err != nil || again != h {
				t.Fatalf("ParseHSCode(%q) = %q, but %q parses as %q, %v", s, string(h), form, string(again), err)
			}
		}
		if h.Perishable() != (h.DefaultShelfLifeHours() > 0) {
			t.Fatalf("HSCode(%q): Perishable %v but DefaultShelfLifeHours %d", string(h), h.Perishable(), h.DefaultShelfLifeHours())
		}
		if h.Perishable() && !h.NeedsQuarantine() {
			t.Fatalf("HSCode(%q) is perishable but needs no quarantine", string(h))
		}
	})
}
