package ident

// declarationTypes maps the document type, the first two digits of a customs
// declaration number, to the direction it declares: the first digit is the
// direction (1 import, 3 export), the second whether the declaration is a
// full one (0) or for low-value goods (1). These are the types VNACCS issues
// for goods crossing at a land border (docs/sources.md and docs/api.md give the source);
// others are refused until a source confirms them.
var declarationTypes = map[string]string{
	"10": "import",
	"11": "import",
	"30": "export",
	"31": "export",
}

// ParseCustomsDeclaration parses a Vietnamese customs declaration number: 12
// digits, spaces and dashes ignored. Digits 1–2 are the document type (10
// import, 11 low-value import, 30 export, 31 low-value export), 3–10 a sequence, 11 a check digit (the sequence mod 7)
// and 12 the amendment counter. The canonical form is the 12 digits.
func ParseCustomsDeclaration(s string) (string, error) {
	c := compact(s, " -")
	switch {
	case c == "":
		return "", fail("is required")
	case len(c) != 12 || !allDigits(c):
		return "", fail("must have 12 digits")
	}
	if _, ok := declarationTypes[c[:2]]; !ok {
		return "", fail("document type %s is not 10 or 11 (import), 30 or 31 (export)", c[:2])
	}
	seq := 0
	for _, d := range c[2:10] {
		seq = seq*10 + int(d-'0')
	}
	got, want := int(c[10]-'0'), seq%7
	if got != want {
		return "", fail("check digit is %d, want %d", got, want)
	}
	return c, nil
}

// DeclarationType returns "import" or "export" for a canonical declaration
// number from ParseCustomsDeclaration, and "" for anything else.
func DeclarationType(canonical string) string {
	if len(canonical) != 12 {
		return ""
	}
	return declarationTypes[canonical[:2]]
}
