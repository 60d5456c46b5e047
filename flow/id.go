package flow

import (
	"crypto/rand"
	"fmt"
	"strings"
)

// NewID returns a random trip id in the textual form of a version 4 UUID.
func NewID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// codeAlphabet leaves out 0, 1, I, L, O and U, which drivers misread or mistype.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewCode returns a short random trip code that a driver types with the
// plate: the gate's initials and six characters, e.g. HN-7K3Q9P for
// huu-nghi. Random rather than sequential, so codes cannot be enumerated.
func NewCode(gate string) string {
	var prefix strings.Builder
	for _, part := range strings.Split(gate, "-") {
		if part != "" {
			prefix.WriteString(strings.ToUpper(part[:1]))
		}
	}
	var b [6]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return prefix.String() + "-" + string(b[:])
}
