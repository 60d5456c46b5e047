package ident

// ParseContainer parses an ISO 6346 container number: a 3-letter owner code,
// the equipment category (U freight container, J detachable equipment, Z
// trailer or chassis), a 6-digit serial and a check digit. Case, spaces and
// dashes are ignored (csqu 305438-3); the canonical form is CSQU3054383.
func ParseContainer(s string) (string, error) {
	c := compact(s, " -")
	if c == "" {
		return "", fail("is required")
	}
	if len(c) != 11 || !allLetters(c[:4]) || !allDigits(c[4:]) {
		return "", fail("must be 4 letters, 6 digits and a check digit")
	}
	switch cat := c[3]; cat {
	case 'U', 'J', 'Z':
	default:
		return "", fail("category letter %c is not U, J or Z", cat)
	}
	got, want := int(c[10]-'0'), containerCheck(c[:10])
	if got != want {
		return "", fail("check digit is %d, want %d", got, want)
	}
	return c, nil
}

// containerCheck computes the ISO 6346 check digit of 4 letters and 6 digits.
// A sum that leaves 10 gives 0: the standard asks owners not to issue such
// serials, but some did, and the digit printed on them is 0.
func containerCheck(s string) int {
	sum := 0
	for i := range 10 {
		v := int(s[i] - '0')
		if isLetter(rune(s[i])) {
			v = letterValue(s[i])
		}
		sum += v << i
	}
	return sum % 11 % 10
}

// letterValue counts A=10 upwards, skipping the multiples of 11 (B=12, L=23,
// V=34): a letter worth a multiple of 11 would vanish in the mod-11 sum, so the
// check could not tell it from a 0.
func letterValue(l byte) int {
	v := 10
	for c := byte('A'); c < l; c++ {
		v++
		if v%11 == 0 {
			v++
		}
	}
	return v
}

func allLetters(s string) bool {
	for _, r := range s {
		if !isLetter(r) {
			return false
		}
	}
	return true
}
