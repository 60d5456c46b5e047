package cuakhau_test

import (
	"strings"
	"testing"

	"github.com/cuakhau/cuakhau"
)

func TestTextRule(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		max        int
		lineBreaks bool
		want       string // "" accepted; else a part of the rule
	}{
		{name: "Vietnamese name", in: "Nguyễn Văn Ánh", max: 200},
		{name: "Chinese name", in: "广西凭祥进出口贸易有限公司", max: 200},
		{name: "at the limit, in characters not bytes", in: strings.Repeat("ễ", 200), max: 200},
		{name: "one over", in: strings.Repeat("ễ", 201), max: 200, want: "longer than 200 characters"},
		{name: "invalid UTF-8", in: "Nguy\xffn", max: 200, want: "not valid UTF-8"},
		{name: "NUL", in: "A\x00B", max: 200, want: "character 2 is a control character (U+0000)"},
		{name: "line feed in a name", in: "A\nB", max: 200, want: "control character (U+000A)"},
		{name: "carriage return in a name", in: "A\rB", max: 200, want: "control character (U+000D)"},
		{name: "tab", in: "A\tB", max: 200, want: "control character (U+0009)"},
		{name: "DEL", in: "A\x7fB", max: 200, want: "control character (U+007F)"},
		{name: "C1 control", in: "A\u0085B", max: 200, want: "control character (U+0085)"},
		{name: "right-to-left override", in: "gnp\u202Eexe", max: 200, want: "character 4 is a bidirectional formatting character (U+202E)"},
		{name: "left-to-right embedding", in: "\u202Ax", max: 200, want: "bidirectional formatting character (U+202A)"},
		{name: "first strong isolate", in: "x\u2068", max: 200, want: "bidirectional formatting character (U+2068)"},
		{name: "pop directional isolate", in: "x\u2069", max: 200, want: "bidirectional formatting character (U+2069)"},
		{name: "right-to-left mark", in: "x\u200F", max: 200, want: "bidirectional formatting character (U+200F)"},
		{name: "zero-width space", in: "Nguy\u200Bễn", max: 200, want: "character 5 is an invisible formatting character (U+200B)"},
		{name: "zero-width joiner", in: "a\u200Db", max: 200, want: "invisible formatting character (U+200D)"},
		{name: "word joiner", in: "a\u2060b", max: 200, want: "invisible formatting character (U+2060)"},
		{name: "byte order mark", in: "\uFEFFabc", max: 200, want: "character 1 is an invisible formatting character (U+FEFF)"},
		{name: "line separator", in: "a\u2028b", max: 200, want: "line or paragraph separator (U+2028)"},
		{name: "note keeps line breaks", in: "Giấy tờ thiếu.\r\nChờ bổ sung.\n", max: 1000, lineBreaks: true},
		{name: "note refuses other controls", in: "a\n\x1bb", max: 1000, lineBreaks: true, want: "character 3 is a control character (U+001B)"},
		{name: "note refuses bidi overrides", in: "a\n\u202Eb", max: 1000, lineBreaks: true, want: "(U+202E)"},
		{name: "note at its limit", in: strings.Repeat("ờ", 1000), max: 1000, lineBreaks: true},
		{name: "note over its limit", in: strings.Repeat("ờ", 1001), max: 1000, lineBreaks: true, want: "longer than 1000 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cuakhau.TextRule(tt.in, tt.max, tt.lineBreaks)
			switch {
			case tt.want == "" && got != "":
				t.Errorf("TextRule(%q) = %q, want accepted", tt.in, got)
			case tt.want != "" && !strings.Contains(got, tt.want):
				t.Errorf("TextRule(%q) = %q, want a rule with %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFieldErrorsRange(t *testing.T) {
	tests := []struct {
		n, min, max int64
		want        string
	}{
		{n: 1, min: 1, max: 10},
		{n: 10, min: 1, max: 10},
		{n: 0, min: 1, max: 10, want: "must be greater than 0"},
		{n: -1, min: 0, max: 10, want: "must not be negative"},
		{n: 11, min: 1, max: 10, want: "at most 10 kg"},
		{n: 9_223_372_036_854_775_807, min: 1, max: 10, want: "at most 10 kg"},
		{n: 2, min: 3, max: 10, want: "must be at least 3 kg"},
	}
	for _, tt := range tests {
		f := cuakhau.FieldErrors{}
		f.Range("w", tt.n, tt.min, tt.max, "kg")
		if got := f["w"]; got != tt.want {
			t.Errorf("Range(%d, %d, %d) = %q, want %q", tt.n, tt.min, tt.max, got, tt.want)
		}
	}
}

// TestRequestsValidate checks the queue requests that the root package
// validates on its own: each bound is held at its limit and refused one over.
func TestRequestsValidate(t *testing.T) {
	n := func(i int) *int { return &i }
	tests := []struct {
		name  string
		err   error
		field string // "" for accepted
	}{
		{"capacity at its limit", cuakhau.CapacityUpdate{TrucksPerDay: n(cuakhau.MaxTrucksPerDay), Note: strings.Repeat("a", 1000)}.Validate(), ""},
		{"capacity over", cuakhau.CapacityUpdate{TrucksPerDay: n(cuakhau.MaxTrucksPerDay + 1)}.Validate(), "trucks_per_day"},
		{"capacity missing", cuakhau.CapacityUpdate{}.Validate(), "trucks_per_day"},
		{"capacity note of 100,000 characters", cuakhau.CapacityUpdate{TrucksPerDay: n(5), Note: strings.Repeat("a", 100_000)}.Validate(), "note"},
		{"capacity note with NUL", cuakhau.CapacityUpdate{TrucksPerDay: n(5), Note: "a\x00"}.Validate(), "note"},
		{"call at its limit", cuakhau.CallRequest{Count: cuakhau.MaxRoom}.Validate(), ""},
		{"call over", cuakhau.CallRequest{Count: cuakhau.MaxRoom + 1}.Validate(), "count"},
		{"override without a reason", cuakhau.CallRequest{TripID: "t1", Reason: " "}.Validate(), "reason"},
		{"override reason with an override character", cuakhau.CallRequest{TripID: "t1", Reason: "\u202E"}.Validate(), "reason"},
	}
	for _, tt := range tests {
		fields := cuakhau.ErrorFields(tt.err)
		switch {
		case tt.field == "" && tt.err != nil:
			t.Errorf("%s: %v, want accepted", tt.name, tt.err)
		case tt.field != "" && fields[tt.field] == "":
			t.Errorf("%s: fields %v, want a rule for %s", tt.name, fields, tt.field)
		}
	}
}
