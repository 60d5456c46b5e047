// Package ident parses and canonicalises the identifiers on a border
// declaration: Vietnamese and Chinese vehicle plates, ISO 6346 container
// numbers, HS codes, Vietnamese customs declaration numbers, enterprise tax
// codes and drivers' identity documents.
//
// Every parser accepts what people actually type (lower case, spaces, dashes,
// dots, the full-width letters and digits of Chinese input methods) and
// returns one canonical form, so that the same truck, container or company
// compares equal wherever it was entered. Parsing a canonical form again
// yields it unchanged.
//
// A parser that refuses its input returns an *Error whose Rule says in plain
// English which rule was broken, without naming the field: the caller knows
// the field path and prefixes it ("vehicle.plate: not a Vietnamese or Chinese
// plate"). A rule may quote a letter, a chapter or a check digit of the input,
// never the input itself.
//
// The package is pure: it imports only the standard library and keeps no state.
package ident

import (
	"fmt"
	"strings"
)

// Error reports an identifier that breaks a rule. Rule is short, lower case
// and names no field, so that it reads well after a field path; Error returns
// it unchanged.
type Error struct {
	Rule string
}

func (e *Error) Error() string { return e.Rule }

// fail returns the rule as an *Error. Its result type is error so that
// parsers return it as is and no typed nil *Error can slip through.
func fail(format string, args ...any) error {
	if len(args) == 0 {
		return &Error{Rule: format}
	}
	return &Error{Rule: fmt.Sprintf(format, args...)}
}

// fold maps the full-width forms that Chinese input methods produce (Ａ, １,
// －, the ideographic space) to ASCII and ASCII letters to upper case. Other
// runes are left alone: unicode.ToUpper would turn ſ into S and ı into I and
// so accept identifiers nobody wrote.
func fold(r rune) rune {
	switch {
	case r >= 'a' && r <= 'z':
		return r - 'a' + 'A'
	case r >= '\uFF01' && r <= '\uFF5E':
		return fold(r - 0xFEE0)
	case r == '\u3000':
		return ' '
	}
	return r
}

// compact folds s and drops every rune in cut.
func compact(s, cut string) string {
	b := make([]rune, 0, len(s))
	for _, r := range s {
		r = fold(r)
		if !strings.ContainsRune(cut, r) {
			b = append(b, r)
		}
	}
	return string(b)
}

func isDigit(r rune) bool  { return r >= '0' && r <= '9' }
func isLetter(r rune) bool { return r >= 'A' && r <= 'Z' }

func allDigits(s string) bool {
	for _, r := range s {
		if !isDigit(r) {
			return false
		}
	}
	return true
}
