package cuakhau

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// The bounds of what a request may carry. Each is a plausible maximum for
// one truck or one gate, with room to spare: a value beyond it is a typing
// error or an attack, and letting it through would put it in the log for
// good (a shelf life of 5 million hours overflows the spoil time into the
// past). docs/api.md lists them; api/openapi.yaml states each as a
// maxLength or maximum, and a test holds the two to each other.
const (
	// MaxNameLen bounds names, descriptions and device names, in characters.
	MaxNameLen = 200
	// MaxPhoneLen bounds a phone number as typed, spaces and all.
	MaxPhoneLen = 32
	// MaxNoteLen bounds notes and reasons, in characters.
	MaxNoteLen = 1000

	// MaxShelfLifeHours is 90 days: chilled fruit keeps weeks, not months,
	// and frozen goods travel without a shelf life.
	MaxShelfLifeHours = 90 * 24
	// MaxWeightKg bounds a cargo line's gross weight and a weighbridge
	// reading: 100 t, about twice the 48 t gross that Vietnamese roads
	// allow the heaviest tractor and semi-trailer.
	MaxWeightKg = 100_000
	// MaxPackages bounds a cargo line's packages: 100 t in 1 kg bags.
	MaxPackages = 100_000
	// MaxValueUSDCents bounds a cargo line's value: US$100 million.
	MaxValueUSDCents = 10_000_000_000

	// MaxLanes bounds the lanes open at one checkpoint.
	MaxLanes = 100
	// MaxRoom bounds the trucks a control zone holds, and so the trucks one
	// call may call forward.
	MaxRoom = 10_000
	// MaxTrucksPerDay bounds the other side's announced trucks a day, ten
	// times the busiest gate of the province.
	MaxTrucksPerDay = 10_000
)

// TextRule returns the rule that s breaks as free text of at most max
// characters, or "" when it keeps them all: it must be valid UTF-8 (a client
// that sends broken bytes gets told, not a silent U+FFFD), and hold no
// control character, no bidirectional formatting character (U+202A–U+202E,
// U+2066–U+2069, the marks U+200E, U+200F, U+061C: they make "gnp.exe" read
// as "exe.png" in a log viewer) and no other invisible formatting character
// (zero-width U+200B–U+200D, U+2060, U+FEFF, the soft hyphen …: they make two
// names that look the same compare different). With lineBreaks, a note may
// keep its line breaks, "\n" and "\r".
func TextRule(s string, max int, lineBreaks bool) string {
	if !utf8.ValidString(s) {
		return "not valid UTF-8"
	}
	n := 0
	for _, r := range s {
		n++
		switch {
		case lineBreaks && (r == '\n' || r == '\r'):
		case unicode.IsControl(r):
			return fmt.Sprintf("character %d is a control character (%U)", n, r)
		case bidiControl(r):
			return fmt.Sprintf("character %d is a bidirectional formatting character (%U)", n, r)
		case unicode.Is(unicode.Cf, r):
			return fmt.Sprintf("character %d is an invisible formatting character (%U)", n, r)
		case r == '\u2028' || r == '\u2029':
			return fmt.Sprintf("character %d is a line or paragraph separator (%U)", n, r)
		}
	}
	if n > max {
		return fmt.Sprintf("longer than %d characters", max)
	}
	return ""
}

func bidiControl(r rune) bool {
	return r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069' ||
		r == '\u200E' || r == '\u200F' || r == '\u061C'
}

// Name checks s as a name, a description or a device's name: at most
// MaxNameLen characters on one line (see TextRule), and not blank when
// required.
func (f FieldErrors) Name(field, s string, required bool) {
	f.text(field, s, required, MaxNameLen, false)
}

// Phone checks s as a phone number as typed: at most MaxPhoneLen
// characters on one line.
func (f FieldErrors) Phone(field, s string) {
	f.text(field, s, false, MaxPhoneLen, false)
}

// Note checks s as a note or a reason: at most MaxNoteLen characters, line
// breaks allowed, and not blank when required.
func (f FieldErrors) Note(field, s string, required bool) {
	f.text(field, s, required, MaxNoteLen, true)
}

func (f FieldErrors) text(field, s string, required bool, max int, lineBreaks bool) {
	if rule := TextRule(s, max, lineBreaks); rule != "" {
		f.Add(field, rule)
	} else if required && isBlank(s) {
		f.Add(field, "required")
	}
}

func isBlank(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

// Range checks that n is from min to max, naming unit in the rule (kg,
// hours; "" for none).
func (f FieldErrors) Range(field string, n, min, max int64, unit string) {
	switch {
	case n < min && min == 1:
		f.Add(field, "must be greater than 0")
	case n < min && min == 0:
		f.Add(field, "must not be negative")
	case n < min:
		f.Add(field, fmt.Sprintf("must be at least %d%s", min, withUnit(unit)))
	case n > max:
		f.Add(field, fmt.Sprintf("at most %d%s", max, withUnit(unit)))
	}
}

func withUnit(unit string) string {
	if unit == "" {
		return ""
	}
	return " " + unit
}
