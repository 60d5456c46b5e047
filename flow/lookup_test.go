package flow_test

import (
	"errors"
	"testing"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/flow"
)

// TestParseLookup: codes and plates as drivers type them read as stored;
// what cannot be a code or a plate is refused under its field.
func TestParseLookup(t *testing.T) {
	for _, c := range []struct{ code, plate, wantCode, wantPlate string }{
		{"HN-7K3Q9P", "12C-123.45", "HN-7K3Q9P", "12C-123.45"},
		{"hn7k3q9p", "12c12345", "HN-7K3Q9P", "12C-123.45"},
		{" tt-22 33 44 ", "12C 123.45", "TT-223344", "12C-123.45"},
		{"hn.7k3q9p", "桂F12345", "HN-7K3Q9P", "桂F12345"},
	} {
		code, plate, err := flow.ParseLookup(c.code, c.plate)
		if err != nil || code != c.wantCode || plate != c.wantPlate {
			t.Errorf("ParseLookup(%q, %q) = %q, %q, %v; want %q, %q", c.code, c.plate, code, plate, err, c.wantCode, c.wantPlate)
		}
	}
	for _, c := range []struct{ code, plate, field string }{
		{"", "12C12345", "code"},
		{"HN-7K3Q9", "12C12345", "code"},  // five characters
		{"HN-7K3Q0P", "12C12345", "code"}, // 0 is not in codes
		{"7K3Q9P", "12C12345", "code"},    // no gate letters
		{"HN-7K3Q9P", "", "plate"},
		{"HN-7K3Q9P", "ABC", "plate"},
	} {
		_, _, err := flow.ParseLookup(c.code, c.plate)
		var e *cuakhau.Error
		if !errors.As(err, &e) || e.Code != cuakhau.EINVALID || e.Fields[c.field] == "" {
			t.Errorf("ParseLookup(%q, %q) = %v; want invalid %s", c.code, c.plate, err, c.field)
		}
	}
	// A code NewCode makes reads back as itself.
	code := flow.NewCode("huu-nghi")
	if got, _, err := flow.ParseLookup(code, "12C12345"); err != nil || got != code {
		t.Errorf("NewCode's %q reads as %q, %v", code, got, err)
	}
}
