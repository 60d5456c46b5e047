package ident

import (
	"errors"
	"testing"
)

// ruleOf returns the rule of an *Error, "" for nil, and fails the test for
// any other error: callers rely on every refusal being an *Error.
func ruleOf(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *ident.Error", err, err)
	}
	if e.Error() != e.Rule {
		t.Fatalf("Error() = %q, want the rule %q", e.Error(), e.Rule)
	}
	return e.Rule
}

func TestFold(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string
	}{
		{"abc", "ABC"},
		{"ＣＳＱＵ　３０５４３８－３", "CSQU 305438-3"},
		{"桂ｆ", "桂F"},
		{"ſı", "ſı"}, // unicode.ToUpper would give SI
	} {
		if got := compact(tt.in, ""); got != tt.want {
			t.Errorf("compact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
