package ident

// taxWeights weigh the first nine digits of a Vietnamese tax code. The
// algorithm is confirmed against published codes in taxcode_test.go; the
// reference asks that no unconfirmed algorithm be enforced.
var taxWeights = [9]int{31, 29, 23, 19, 17, 13, 7, 5, 3}

// ParseTaxCode parses a Vietnamese enterprise tax code (mã số thuế): 10
// digits, or 13 for a branch (0100109106-001). Spaces, dots and dashes are
// ignored; the canonical form is 0100109106 or 0100109106-001.
//
// Digits 1–2 are the province of registration, 3–9 a serial from 0000001 and
// 10 a check digit: 10 − (Σ dᵢ·wᵢ mod 11) with weights 31, 29, 23, 19, 17, 13,
// 7, 5, 3. When the sum is a multiple of 11 that gives 10, which no digit can
// hold: such first nine digits are never issued and the code is refused. The
// branch suffix runs from 001. The 12-digit personal tax codes based on the
// citizen ID are not enterprise codes and are refused.
func ParseTaxCode(s string) (string, error) {
	c := compact(s, " .-")
	switch {
	case c == "":
		return "", fail("is required")
	case !allDigits(c) || (len(c) != 10 && len(c) != 13):
		return "", fail("must have 10 digits, or 13 with a branch suffix")
	case c[2:9] == "0000000":
		return "", fail("serial 0000000 is never issued")
	}
	sum := 0
	for i, w := range taxWeights {
		sum += int(c[i]-'0') * w
	}
	want := 10 - sum%11
	if want == 10 {
		return "", fail("first 9 digits admit no check digit")
	}
	if got := int(c[9] - '0'); got != want {
		return "", fail("check digit is %d, want %d", got, want)
	}
	if len(c) == 10 {
		return c, nil
	}
	if c[10:] == "000" {
		return "", fail("branch 000 does not exist")
	}
	return c[:10] + "-" + c[10:], nil
}
