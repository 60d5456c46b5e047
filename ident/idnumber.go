package ident

// ParseIDNumber parses the number of a driver's identity document. It accepts
//
//   - a Vietnamese citizen ID (căn cước), 12 digits;
//   - an old Vietnamese ID card (CMND), 9 digits;
//   - a passport: 1 or 2 letters and 7 digits (Vietnam C1234567, China
//     EA1234567), or 1 letter and 8 digits (China E12345678);
//   - a Chinese resident ID, 17 digits and a check character, a digit or X.
//
// Spaces, dots and dashes are ignored and letters upper-cased; the canonical
// form is the bare number. Only the Chinese resident ID carries a check
// character, and it is checked; the other kinds are taken on their shape,
// because the officer at the gate reads the document anyway and a strict
// parser would only turn away drivers holding documents it does not know.
func ParseIDNumber(s string) (string, error) {
	c := compact(s, " .-")
	switch {
	case c == "":
		return "", fail("is required")
	case allDigits(c) && (len(c) == 9 || len(c) == 12):
		return c, nil
	case len(c) == 18 && allDigits(c[:17]) && (isDigit(rune(c[17])) || c[17] == 'X'):
		if want := chineseIDCheck(c[:17]); c[17] != want {
			return "", fail("check character is %c, want %c", c[17], want)
		}
		return c, nil
	case isPassport(c):
		return c, nil
	case allDigits(c):
		return "", fail("must have 9 or 12 digits, or 18 characters for a Chinese ID")
	}
	return "", fail("not an ID card or passport number")
}

// chineseIDCheck computes the check character of a Chinese resident ID (GB
// 11643-1999, ISO 7064 MOD 11-2) from its first 17 digits.
func chineseIDCheck(d string) byte {
	sum := 0
	for i := range 17 {
		// The weights are 2^(17-i) mod 11.
		w := (1 << (17 - i)) % 11
		sum += int(d[i]-'0') * w
	}
	return "10X98765432"[sum%11]
}

func isPassport(c string) bool {
	letters := 0
	for letters < len(c) && isLetter(rune(c[letters])) {
		letters++
	}
	digits := len(c) - letters
	if !allDigits(c[letters:]) {
		return false
	}
	return (letters == 1 && (digits == 7 || digits == 8)) || (letters == 2 && digits == 7)
}
