package ident

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Plate is a vehicle registration plate.
type Plate struct {
	// Canonical is the form to store and compare: 12C-123.45, 12C-1234,
	// 12LD-123.45 for Vietnam; 桂F12345, 桂FD12345, 桂F1234挂 for China.
	Canonical string
	// Country is "VN" or "CN".
	Country string
	// Trailer marks a trailer or semi-trailer plate: a Vietnamese series
	// starting with R, a Chinese plate ending in 挂.
	Trailer bool
}

// String returns the canonical form.
func (p Plate) String() string { return p.Canonical }

const notAPlate = "not a Vietnamese or Chinese plate"

// ParsePlate parses a Vietnamese or Chinese plate written with or without
// separators (-, ., space, ·, •) and in any case.
//
// Vietnamese: a province code 01–99, a series of one or two letters, then 4
// or 5 digits (12C-123.45, 12c12345, 12LD 123.45, 12C-1234). The letter-digit
// series of motorbikes (29H1) are not accepted: they are not truck plates, and
// 29H11234 would otherwise read as 29H-112.34.
//
// Chinese: one of the 31 mainland province characters, the issuing
// prefecture's letter, then 5 letters or digits (桂F12345, 桂F·12345), 6 on
// new-energy plates (桂FD12345), or 4 followed by 挂 on trailers (桂F1234挂).
// Hong Kong, Macau, embassy, police and military plates are refused.
func ParsePlate(s string) (Plate, error) {
	s = strings.TrimSpace(strings.Map(fold, s))
	if s == "" {
		return Plate{}, fail("is required")
	}
	r, _ := utf8.DecodeRuneInString(s)
	switch {
	case isDigit(r):
		return parseVNPlate([]rune(s))
	case unicode.Is(unicode.Han, r):
		return parseCNPlate([]rune(s))
	}
	return Plate{}, fail(notAPlate)
}

// isPlateSep reports the separators people put in plates: the hyphen and dot
// of Vietnamese plates, the middle dot printed on Chinese ones, and the
// look-alikes that keyboards and input methods produce instead of it.
func isPlateSep(r rune) bool {
	switch r {
	case '-', '.', ' ', '·', '•', '・', '‧':
		return true
	}
	return false
}

// unusedVN holds the letters Vietnam leaves out of plate series (I and O
// would read as 1 and 0): a plate showing one was misread or mistyped.
const unusedVN = "IJOQW"

func parseVNPlate(rs []rune) (Plate, error) {
	if len(rs) < 2 || !isDigit(rs[0]) || !isDigit(rs[1]) {
		return Plate{}, fail(notAPlate)
	}
	province := string(rs[:2])
	if province == "00" {
		return Plate{}, fail("province code 00 does not exist")
	}
	i := 2
	for i < len(rs) && isPlateSep(rs[i]) {
		i++
	}

	start := i
	for i < len(rs) && isLetter(rs[i]) {
		i++
	}
	series := string(rs[start:i])
	for _, l := range series {
		if strings.ContainsRune(unusedVN, l) {
			return Plate{}, fail("letter %c is not used on Vietnamese plates", l)
		}
	}
	if len(series) == 0 || len(series) > 2 {
		return Plate{}, fail("series must be one or two letters")
	}
	for i < len(rs) && isPlateSep(rs[i]) {
		i++
	}

	// The number allows one separator, and only where the canonical form
	// has it (123.45): a separator anywhere else means the input was split
	// differently from what we would store, as in the motorbike plate 29H1-1234.
	const badNumber = "number must be 4 or 5 digits, as 1234 or 123.45"
	var num []rune
	sepAt := -1
	for ; i < len(rs); i++ {
		r := rs[i]
		switch {
		case isDigit(r):
			num = append(num, r)
		case isPlateSep(r) && sepAt < 0:
			sepAt = len(num)
		case strings.ContainsRune(unusedVN, r):
			// Most often an O typed for a 0: say so rather than give the shape.
			return Plate{}, fail("letter %c is not used on Vietnamese plates", r)
		default:
			return Plate{}, fail(badNumber)
		}
	}
	if (len(num) != 4 && len(num) != 5) || (sepAt >= 0 && (len(num) != 5 || sepAt != 3)) {
		return Plate{}, fail(badNumber)
	}

	canonical := province + series + "-" + string(num)
	if len(num) == 5 {
		canonical = province + series + "-" + string(num[:3]) + "." + string(num[3:])
	}
	return Plate{Canonical: canonical, Country: "VN", Trailer: series[0] == 'R'}, nil
}

// cnProvinces are the abbreviations of the 31 mainland provincial divisions
// that issue civilian plates.
const cnProvinces = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

// cnTrailer ends a Chinese trailer plate, in place of the last serial character.
const cnTrailer = '挂'

func parseCNPlate(rs []rune) (Plate, error) {
	province := rs[0]
	if !strings.ContainsRune(cnProvinces, province) {
		return Plate{}, fail("%c is not a mainland Chinese province", province)
	}
	// After the province character the length fixes where each part is, so
	// separators anywhere cannot change the reading and are simply dropped.
	rest := make([]rune, 0, len(rs))
	for _, r := range rs[1:] {
		if !isPlateSep(r) {
			rest = append(rest, r)
		}
	}
	if len(rest) == 0 || !isLetter(rest[0]) {
		return Plate{}, fail("must have a letter after the province character")
	}
	body := rest[1:]
	trailer := len(body) > 0 && body[len(body)-1] == cnTrailer
	if trailer {
		body = body[:len(body)-1]
	}
	for _, r := range rest[:1+len(body)] {
		switch {
		case r == 'I' || r == 'O':
			// Chinese plates leave out I and O so they cannot be read as 1 and 0.
			return Plate{}, fail("letter %c is not used on Chinese plates", r)
		case !isLetter(r) && !isDigit(r):
			return Plate{}, fail(notAPlate)
		}
	}
	switch {
	case trailer && len(body) != 4:
		return Plate{}, fail("must have 4 letters or digits before 挂")
	case !trailer && len(body) != 5 && len(body) != 6:
		return Plate{}, fail("must have 5 letters or digits after the prefecture letter, 6 on new-energy plates")
	}
	canonical := string(province) + string(rest[:1+len(body)])
	if trailer {
		canonical += string(cnTrailer)
	}
	return Plate{Canonical: canonical, Country: "CN", Trailer: trailer}, nil
}
