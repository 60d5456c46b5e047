package ident

import "testing"

func TestParsePlate(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Plate
		rule string
	}{
		// Vietnamese.
		{in: "12C-123.45", want: Plate{"12C-123.45", "VN", false}},
		{in: "12C12345", want: Plate{"12C-123.45", "VN", false}},
		{in: "12c 123.45", want: Plate{"12C-123.45", "VN", false}},
		{in: " 12C - 123.45 ", want: Plate{"12C-123.45", "VN", false}},
		{in: "12C123.45", want: Plate{"12C-123.45", "VN", false}},
		{in: "12-C-12345", want: Plate{"12C-123.45", "VN", false}},
		{in: "12C-1234", want: Plate{"12C-1234", "VN", false}},
		{in: "12c1234", want: Plate{"12C-1234", "VN", false}},
		{in: "12LD-123.45", want: Plate{"12LD-123.45", "VN", false}},
		{in: "12ld12345", want: Plate{"12LD-123.45", "VN", false}},
		{in: "12LD-1234", want: Plate{"12LD-1234", "VN", false}},
		{in: "12R-001.23", want: Plate{"12R-001.23", "VN", true}},
		{in: "12r00123", want: Plate{"12R-001.23", "VN", true}},
		{in: "99Z-999.99", want: Plate{"99Z-999.99", "VN", false}},
		{in: "０１Ｃ－１２３．４５", want: Plate{"01C-123.45", "VN", false}},

		{in: "00C-123.45", rule: "province code 00 does not exist"},
		{in: "12O-123.45", rule: "letter O is not used on Vietnamese plates"},
		{in: "12I-123.45", rule: "letter I is not used on Vietnamese plates"},
		{in: "12J-123.45", rule: "letter J is not used on Vietnamese plates"},
		{in: "12q-123.45", rule: "letter Q is not used on Vietnamese plates"},
		{in: "12LW-123.45", rule: "letter W is not used on Vietnamese plates"},
		{in: "12C-O23.45", rule: "letter O is not used on Vietnamese plates"},
		{in: "12-123.45", rule: "series must be one or two letters"},
		{in: "12ABC-123.45", rule: "series must be one or two letters"},
		{in: "12C-123", rule: "number must be 4 or 5 digits, as 1234 or 123.45"},
		{in: "12C-123456", rule: "number must be 4 or 5 digits, as 1234 or 123.45"},
		{in: "12C-12.345", rule: "number must be 4 or 5 digits, as 1234 or 123.45"},
		{in: "12C-12.34", rule: "number must be 4 or 5 digits, as 1234 or 123.45"},
		{in: "12C-123.4.5", rule: "number must be 4 or 5 digits, as 1234 or 123.45"},
		{in: "12C-123.45-", rule: "number must be 4 or 5 digits, as 1234 or 123.45"},
		{in: "12C-123A5", rule: "number must be 4 or 5 digits, as 1234 or 123.45"},
		// A motorbike's letter-digit series must not be read as a truck plate.
		{in: "29H1-1234", rule: "number must be 4 or 5 digits, as 1234 or 123.45"},
		{in: "29H1-123.45", rule: "number must be 4 or 5 digits, as 1234 or 123.45"},
		{in: "1C-123.45", rule: "not a Vietnamese or Chinese plate"},

		// Chinese.
		{in: "桂F12345", want: Plate{"桂F12345", "CN", false}},
		{in: "桂F·12345", want: Plate{"桂F12345", "CN", false}},
		{in: "桂f 12345", want: Plate{"桂F12345", "CN", false}},
		{in: "桂F•12345", want: Plate{"桂F12345", "CN", false}},
		{in: "桂F.12345", want: Plate{"桂F12345", "CN", false}},
		{in: "桂F-12345", want: Plate{"桂F12345", "CN", false}},
		{in: "桂 F 123 45", want: Plate{"桂F12345", "CN", false}},
		{in: "桂Ｆ１２３４５", want: Plate{"桂F12345", "CN", false}},
		{in: "桂FA1B23", want: Plate{"桂FA1B23", "CN", false}},
		{in: "京AD12345", want: Plate{"京AD12345", "CN", false}},
		{in: "粤B12345F", want: Plate{"粤B12345F", "CN", false}},
		{in: "桂F1234挂", want: Plate{"桂F1234挂", "CN", true}},
		{in: "桂F·1234 挂", want: Plate{"桂F1234挂", "CN", true}},

		{in: "港A12345", rule: "港 is not a mainland Chinese province"},
		{in: "使A12345", rule: "使 is not a mainland Chinese province"},
		{in: "桂12345", rule: "must have a letter after the province character"},
		{in: "桂", rule: "must have a letter after the province character"},
		{in: "桂O12345", rule: "letter O is not used on Chinese plates"},
		{in: "桂I12345", rule: "letter I is not used on Chinese plates"},
		{in: "桂F1234O", rule: "letter O is not used on Chinese plates"},
		{in: "桂F1234", rule: "must have 5 letters or digits after the prefecture letter, 6 on new-energy plates"},
		{in: "桂F1234567", rule: "must have 5 letters or digits after the prefecture letter, 6 on new-energy plates"},
		{in: "桂F12345挂", rule: "must have 4 letters or digits before 挂"},
		{in: "桂F挂", rule: "must have 4 letters or digits before 挂"},
		{in: "桂F12挂34", rule: "not a Vietnamese or Chinese plate"},
		{in: "桂F1234警", rule: "not a Vietnamese or Chinese plate"},

		{in: "", rule: "is required"},
		{in: "  ", rule: "is required"},
		{in: "ABC-123", rule: "not a Vietnamese or Chinese plate"},
		{in: "-12C-123.45", rule: "not a Vietnamese or Chinese plate"},
	} {
		got, err := ParsePlate(tt.in)
		if rule := ruleOf(t, err); rule != tt.rule {
			t.Errorf("ParsePlate(%q) error = %q, want %q", tt.in, rule, tt.rule)
			continue
		}
		if got != tt.want {
			t.Errorf("ParsePlate(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		if got.String() != tt.want.Canonical {
			t.Errorf("ParsePlate(%q).String() = %q, want %q", tt.in, got.String(), tt.want.Canonical)
		}
	}
}

func FuzzParsePlate(f *testing.F) {
	for _, s := range []string{
		"12C-123.45", "12C12345", "12c 123.45", "12C-1234", "12R-001.23", "12LD-123.45",
		"29H1-1234", "00C-123.45", "12O-123.45",
		"桂F12345", "桂F·12345", "桂f 12345", "京AD12345", "桂F1234挂", "港A12345", "桂F12345挂",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePlate(s)
		if err != nil {
			ruleOf(t, err)
			return
		}
		if p.Country != "VN" && p.Country != "CN" {
			t.Fatalf("ParsePlate(%q).Country = %q", s, p.Country)
		}
		again, err := ParsePlate(p.Canonical)
		if err != nil {
			t.Fatalf("ParsePlate(%q) = %q, which does not parse: %v", s, p.Canonical, err)
		}
		if again != p {
			t.Fatalf("ParsePlate(%q) = %+v, but its canonical form parses as %+v", s, p, again)
		}
	})
}
