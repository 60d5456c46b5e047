package flow

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// NewID returns a trip id declared at now: a version 7 UUID (RFC 9562),
// whose first 48 bits are the Unix time in milliseconds and whose other 74
// free bits are random. Ids sort by time of declaration, so that the
// indexes keyed by trip id receive today's trips on their last pages
// rather than on a random page each (a store writes several pages fewer
// per decision); the random bits keep them unguessable.
func NewID(now time.Time) string {
	var b [16]byte
	rand.Read(b[:]) // never fails on supported platforms
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(now.UnixMilli()))
	copy(b[0:6], ms[2:8])
	b[6] = b[6]&0x0f | 0x70
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
