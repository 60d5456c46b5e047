package device

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
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

// Replays remembers the signatures of the readings accepted lately, to
// refuse their replay without asking the store: each is kept until its
// signed timestamp is stale (MaxSkew past it), after which CheckSignature
// refuses the reading anyway. It keeps 16 bytes of each signature's HMAC (a
// false match among millions is a chance of about 1 in 10²⁶), in buckets by
// the minute they go stale, so that forgetting is dropping a bucket: about
// 30 MB at 5,000 readings a second, nothing to sweep. Safe for concurrent
// use.
type Replays struct {
	mu      sync.Mutex
	buckets map[int64]map[replayKey]struct{} // by the Unix minute they go stale
}

type replayKey [16]byte

// NewReplays returns an empty set.
func NewReplays() *Replays { return &Replays{buckets: map[int64]map[replayKey]struct{}{}} }

// keyOf is the HMAC's first 16 bytes, decoded from the hex of a checked
// signature; anything else (never so after CheckSignature) is hashed.
func keyOf(signature string) replayKey {
	var k replayKey
	h := strings.TrimPrefix(strings.ToLower(signature), sigPrefix)
	if len(h) == 2*sha256.Size {
		if _, err := hex.Decode(k[:], []byte(h[:2*len(k)])); err == nil {
			return k
		}
	}
	sum := sha256.Sum256([]byte(signature))
	copy(k[:], sum[:])
	return k
}

// StaleAt is when a reading signed at s.Timestamp stops being accepted,
// and so stops needing to be remembered; the zero time if it has no
// timestamp CheckSignature would accept.
func StaleAt(s Signed) time.Time {
	ts, err := strconv.ParseInt(s.Timestamp, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.Unix(ts, 0).Add(MaxSkew)
}

// Add remembers signature until until and reports whether it was new:
// false is a replay. now drops what has gone stale.
func (r *Replays) Add(signature string, until, now time.Time) bool {
	k := keyOf(signature)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.expire(now)
	for _, b := range r.buckets {
		if _, ok := b[k]; ok {
			return false
		}
	}
	m := until.Unix()/60 + 1 // stale once the minute after until has begun
	b := r.buckets[m]
	if b == nil {
		b = map[replayKey]struct{}{}
		r.buckets[m] = b
	}
	b[k] = struct{}{}
	return true
}

// Forget drops signature, so that a reading whose effect did not happen
// (the write failed) is taken when sent again.
func (r *Replays) Forget(signature string) {
	k := keyOf(signature)
	r.mu.Lock()
	for _, b := range r.buckets {
		delete(b, k)
	}
	r.mu.Unlock()
}

// Len is how many signatures are remembered.
func (r *Replays) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, b := range r.buckets {
		n += len(b)
	}
	return n
}

func (r *Replays) expire(now time.Time) {
	cut := now.Unix() / 60
	for m := range r.buckets {
		if m <= cut {
			delete(r.buckets, m)
		}
	}
}
