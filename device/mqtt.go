package device

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/cuakhau/cuakhau"
)

// Envelope is a signed reading as it travels over MQTT: the timestamp and
// signature the HTTP headers carry, and the HTTP body as a string, signed
// exactly as over HTTP (see Sign).
type Envelope struct {
	Timestamp string `json:"timestamp"`
	Signature string `json:"signature"`
	Body      string `json:"body"`
}

// MaxEnvelopeBytes bounds an MQTT envelope: a body of MaxBodyBytes, escaped,
// and the signature around it.
const MaxEnvelopeBytes = 3*MaxBodyBytes + 256

// MQTT topics: cuakhau/{gate}/{device}/readings carries a device's signed
// readings to the server, cuakhau/{gate}/{device}/commands the server's
// commands to a barrier, and cuakhau/{gate}/{device}/acks the barrier's
// acknowledgements.
const (
	TopicRoot     = "cuakhau"
	TopicReadings = "readings"
	TopicCommands = "commands"
	TopicAcks     = "acks"
)

// Topic returns the topic of device id at gate for kind (TopicReadings,
// TopicCommands or TopicAcks).
func Topic(gate, id, kind string) string {
	return TopicRoot + "/" + gate + "/" + id + "/" + kind
}

// ParseTopic splits a topic cuakhau/{gate}/{device}/{kind}. A topic of
// another shape, or whose device is no valid id, is EINVALID naming the
// topic.
func ParseTopic(topic string) (gate, id, kind string, err error) {
	parts := strings.Split(topic, "/")
	if len(parts) != 4 || parts[0] != TopicRoot || parts[1] == "" {
		return "", "", "", cuakhau.Invalid("topic", "must be "+TopicRoot+"/{gate}/{device}/"+TopicReadings)
	}
	if !ValidID(parts[2]) {
		return "", "", "", cuakhau.Invalid("topic", "the device "+strconv.Quote(parts[2])+" is no device id")
	}
	return parts[1], parts[2], parts[3], nil
}

// ParseEnvelope decodes an MQTT payload into the signed reading it
// carries, for gate: one JSON object with timestamp, signature and body as
// strings and nothing else. A malformed envelope is EINVALID naming its
// field; the signature and body are checked by the store's Ingest as an
// HTTP reading's are.
func ParseEnvelope(gate string, payload []byte) (Signed, error) {
	if len(payload) > MaxEnvelopeBytes {
		return Signed{}, cuakhau.Invalid("envelope", "at most "+strconv.Itoa(MaxEnvelopeBytes)+" bytes")
	}
	var e Envelope
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return Signed{}, cuakhau.Invalid(te.Field, "must be a string")
		}
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return Signed{}, cuakhau.Invalid(strings.Trim(name, `"`), "unknown field of the envelope")
		}
		return Signed{}, cuakhau.Invalid("envelope", "must be a JSON object with timestamp, signature and body")
	}
	if _, err := dec.Token(); err != io.EOF {
		return Signed{}, cuakhau.Invalid("envelope", "must be one JSON object")
	}
	f := cuakhau.FieldErrors{}
	if e.Timestamp == "" {
		f.Add("timestamp", "required (Unix seconds)")
	}
	if e.Signature == "" {
		f.Add("signature", "required (sha256=<hex HMAC-SHA256>)")
	}
	if e.Body == "" {
		f.Add("body", "required (the reading's JSON, as a string)")
	}
	if err := f.Err(); err != nil {
		return Signed{}, err
	}
	return Signed{Timestamp: e.Timestamp, Signature: e.Signature, Body: []byte(e.Body), Gate: gate}, nil
}

// EnvelopeOf returns the MQTT envelope of a signed reading.
func EnvelopeOf(s Signed) []byte {
	b, _ := json.Marshal(Envelope{Timestamp: s.Timestamp, Signature: s.Signature, Body: string(s.Body)})
	return b
}

// Seal returns the MQTT envelope of body signed with secret at Unix second
// ts: what a device publishes on its readings topic.
func Seal(secret string, ts int64, body []byte) []byte {
	b, _ := json.Marshal(Envelope{Timestamp: strconv.FormatInt(ts, 10), Signature: Sign(secret, ts, body), Body: string(body)})
	return b
}
