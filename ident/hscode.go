package ident

import "strings"

// HSCode is a Harmonized System code of 4, 6 or 8 digits (heading,
// subheading, Vietnamese/ASEAN tariff line), held as digits only.
type HSCode string

// ParseHSCode parses an HS code written with or without dots and spaces
// (0810, 0810.60, 081060, 0810.60.00). The chapter must be one of the
// Harmonized System's 01–97 and not 77, which the WCO keeps in reserve;
// national chapters 98 and 99 are refused because they say nothing about the
// goods.
func ParseHSCode(s string) (HSCode, error) {
	c := compact(s, ". ")
	switch {
	case c == "":
		return "", fail("is required")
	case !allDigits(c):
		return "", fail("must be digits, with optional dots")
	case len(c) != 4 && len(c) != 6 && len(c) != 8:
		return "", fail("must have 4, 6 or 8 digits")
	}
	switch ch := c[:2]; {
	case ch == "00":
		return "", fail("chapter 00 does not exist")
	case ch == "77":
		return "", fail("chapter 77 is reserved")
	case ch > "97":
		return "", fail("chapter %s is not in the Harmonized System", ch)
	}
	return HSCode(c), nil
}

// Chapter returns the first two digits as a number (8 for 0810), or 0 for
// the zero HSCode.
func (h HSCode) Chapter() int {
	if len(h) < 2 || !allDigits(string(h[:2])) {
		return 0
	}
	return int(h[0]-'0')*10 + int(h[1]-'0')
}

// Heading returns the first four digits (0810), or "" for the zero HSCode.
func (h HSCode) Heading() string {
	if len(h) < 4 {
		return ""
	}
	return string(h[:4])
}

// String returns the dotted form: 0810, 0810.60, 0810.60.00.
func (h HSCode) String() string {
	s := string(h)
	var b strings.Builder
	for i := 0; i < len(s); i += 2 {
		if i >= 4 {
			b.WriteByte('.')
		}
		b.WriteString(s[i:min(i+2, len(s))])
	}
	return b.String()
}

// NeedsQuarantine reports whether the goods go through plant or animal
// quarantine at the Lạng Sơn gates: chapters 01–14, the live animals, animal
// products and vegetable products of HS sections I and II. Other regulated
// goods (wood, feed, cotton) are not covered here and must be flagged by the
// declaration itself.
func (h HSCode) NeedsQuarantine() bool {
	ch := h.Chapter()
	return ch >= 1 && ch <= 14
}

// Perishable reports whether the goods spoil in days rather than months:
// meat (02), fish (03), dairy and eggs (04), vegetables (07) and fruit (08),
// fresh, chilled or frozen. The headings that the nomenclature itself defines
// as dried (0712, 0713, 0813) are not perishable: a truck of dried longan must
// not jump the queue ahead of fresh dragon fruit.
func (h HSCode) Perishable() bool {
	switch h.Heading() {
	case "0712", "0713", "0813":
		return false
	}
	switch h.Chapter() {
	case 2, 3, 4, 7, 8:
		return true
	}
	return false
}

// shelfLife is the remaining life assumed for a perishable load whose
// declaration gives none, by HS prefix. The figures are the shelf lives in
// the truck (refrigerated / ambient) of docs/sources.md; each takes the low
// end of the quoted range, ambient where an ambient figure is given.
var shelfLife = []struct {
	prefix string
	hours  int
}{
	// Dragon fruit and jackfruit share 0810.90. "dragon fruit up to ~2–4 weeks
	// at 10 °C / ~2.5 days" and "jackfruit 2–4 weeks at 13 °C / ~3 days":
	// the shorter ambient figure, 2.5 days, governs the subheading.
	{"081090", 60},
	// Durian 0810.60: "durian 7–14 days ripe at 13–15 °C". The reference has
	// no ambient figure, so this is the refrigerated low end: durian crosses
	// in reefers.
	{"081060", 168},
	// Watermelon 0807.11: "watermelon 14–21 days cool / 5–7 days": 5 days ambient.
	{"080711", 120},
	// Mango 0804.50: "mango 2–3 weeks at 13 °C". Refrigerated only, as for
	// durian; the subheading also holds guavas and mangosteens.
	{"080450", 336},
}

// perishableDefaultHours is the shelf life assumed for a perishable load not
// in shelfLife: 3 days, the ambient life of jackfruit, the middle of the
// ambient figures the reference quotes (2.5 to 5 days). It is not itself in
// the reference.
const perishableDefaultHours = 72

// DefaultShelfLifeHours returns the shelf life, in hours, to assume for goods
// under h when the declaration gives none, or 0 for goods that are not
// perishable. For a code coarser than the table (0810 covers durian and
// dragon fruit alike) it returns the shortest life that the code could mean,
// so that a vague code never buys a truck more time than it has.
func (h HSCode) DefaultShelfLifeHours() int {
	if !h.Perishable() {
		return 0
	}
	hours := perishableDefaultHours
	for _, e := range shelfLife {
		switch {
		case strings.HasPrefix(string(h), e.prefix):
			return e.hours
		case strings.HasPrefix(e.prefix, string(h)):
			hours = min(hours, e.hours)
		}
	}
	return hours
}
