package device

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/cuakhau/cuakhau"
)

// MaxSkew is how far a reading's signed timestamp may be from the server's
// clock, either way. A signature is remembered for as long as its timestamp
// is accepted (see ReplayWindow), so a replay is refused whenever it comes.
const MaxSkew = 5 * time.Minute

// ReplayWindow is how long a signature must be remembered to refuse its
// replay: past it, its timestamp is stale anyway.
const ReplayWindow = 2 * MaxSkew

// Header names of a signed reading over HTTP.
const (
	HeaderTimestamp = "X-Cuakhau-Timestamp"
	HeaderSignature = "X-Cuakhau-Signature"
)

const sigPrefix = "sha256="

// Sign returns the signature of body sent at Unix second ts with secret:
// "sha256=" and the hex HMAC-SHA256 of ts, ".", body.
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(strconv.AppendInt(nil, ts, 10))
	m.Write([]byte{'.'})
	m.Write(body)
	return sigPrefix + hex.EncodeToString(m.Sum(nil))
}

// Signed is a reading as received: its timestamp and signature as sent
// and its body's bytes, whichever transport carried them.
type Signed struct {
	Timestamp string
	Signature string
	Body      []byte
	// Gate is the gate the transport addressed the reading to (an MQTT
	// topic's); "" when it names none, as over HTTP. A reading addressed
	// to another gate than its device's is refused.
	Gate string
}

// CheckSignature checks s against secret at now: the timestamp must be
// Unix seconds within MaxSkew of now and the signature the HMAC of the
// timestamp and body under secret, compared in constant time. Every refusal
// is EUNAUTHORIZED, saying which check failed but nothing of the secret.
func CheckSignature(secret string, s Signed, now time.Time) error {
	if s.Timestamp == "" {
		return cuakhau.Errorf(cuakhau.EUNAUTHORIZED, "the reading is not signed: %s is missing", HeaderTimestamp)
	}
	if s.Signature == "" {
		return cuakhau.Errorf(cuakhau.EUNAUTHORIZED, "the reading is not signed: %s is missing", HeaderSignature)
	}
	ts, err := strconv.ParseInt(s.Timestamp, 10, 64)
	if err != nil || len(s.Timestamp) > 12 {
		return cuakhau.Errorf(cuakhau.EUNAUTHORIZED, "%s must be Unix seconds", HeaderTimestamp)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > MaxSkew || d < -MaxSkew {
		return cuakhau.Errorf(cuakhau.EUNAUTHORIZED, "%s is more than %v from the server's clock (%s): check the device's clock",
			HeaderTimestamp, MaxSkew, now.UTC().Format(time.RFC3339))
	}
	if !strings.HasPrefix(s.Signature, sigPrefix) {
		return cuakhau.Errorf(cuakhau.EUNAUTHORIZED, "%s must be sha256=<hex HMAC-SHA256>", HeaderSignature)
	}
	want := Sign(secret, ts, s.Body)
	if !hmac.Equal([]byte(strings.ToLower(s.Signature)), []byte(want)) {
		return cuakhau.Errorf(cuakhau.EUNAUTHORIZED, "bad signature")
	}
	return nil
}

// ReplayKey is what identifies a signed reading for replay protection: its
// signature in lower case, which covers the timestamp and the body.
func ReplayKey(s Signed) string { return strings.ToLower(s.Signature) }
