package device

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"
	"time"

	"github.com/cuakhau/cuakhau"
)

// Reading is the body of a device's reading: a plate read with its
// confidence (a camera, a QR reader), or a gross weight (a weighbridge, with
// the plate of the truck on it when its camera reads one). At is when the
// device saw it.
type Reading struct {
	Plate      string   `json:"plate,omitempty"`
	Confidence *float64 `json:"confidence,omitempty"`
	GrossKg    *int64   `json:"gross_kg,omitempty"`
	At         string   `json:"at"`
	// Image is a reference to the picture the camera kept (a URL, a file
	// name), logged with the reading.
	Image string `json:"image,omitempty"`
}

// MaxBodyBytes bounds a reading's body.
const MaxBodyBytes = 4 << 10

// MaxPlateLen bounds a plate as a camera sends it.
const MaxPlateLen = 32

// MinGrossKg is the least a loaded or empty truck weighs: less is a
// weighbridge fault, not a truck.
const MinGrossKg = 1000

// Parsed is a checked reading: the plates it may be, the weight, the time.
type Parsed struct {
	Reading
	// Candidates are the plates the read may be, best first (see
	// Candidates); empty for a weighing without a plate.
	Candidates []Candidate
	At         time.Time
}

// ParseReading decodes and checks the body of a reading from a device of
// kind k received at now: JSON with no unknown or repeated-type fields; at
// is RFC 3339 and not after now + MaxSkew; a camera's plate must normalise
// to at least one plate (VN or CN) and its confidence be from 0 to 1; a
// weighbridge's gross_kg from MinGrossKg to cuakhau.MaxWeightKg. Every broken
// rule is named by its field (EINVALID).
func ParseReading(k Kind, body []byte, now time.Time) (*Parsed, error) {
	var r Reading
	if len(body) > MaxBodyBytes {
		return nil, cuakhau.Invalid("body", fmt.Sprintf("at most %d bytes", MaxBodyBytes))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return nil, decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, cuakhau.Invalid("body", "must be one JSON object")
	}
	f := cuakhau.FieldErrors{}
	p := &Parsed{Reading: r}
	if r.At == "" {
		f.Add("at", "required (RFC 3339)")
	} else if at, err := time.Parse(time.RFC3339Nano, r.At); err != nil {
		f.Add("at", "must be an RFC 3339 time, as 2026-12-01T08:30:00+07:00")
	} else if at.After(now.Add(MaxSkew)) {
		f.Add("at", "is in the future: check the device's clock")
	} else {
		p.At = at.UTC().Truncate(time.Microsecond)
	}
	f.Name("image", r.Image, false)
	plateRequired := k == KindANPR || k == KindQRReader
	switch {
	case r.Plate == "" && plateRequired:
		f.Add("plate", "required")
	case len(r.Plate) > MaxPlateLen:
		f.Add("plate", fmt.Sprintf("at most %d bytes", MaxPlateLen))
	case r.Plate != "":
		conf := 1.0
		if r.Confidence != nil {
			conf = *r.Confidence
		}
		if p.Candidates = Candidates(r.Plate, conf); len(p.Candidates) == 0 {
			f.Add("plate", fmt.Sprintf("%q reads as no Vietnamese or Chinese plate", r.Plate))
		}
	}
	switch {
	case r.Confidence == nil && k == KindANPR:
		f.Add("confidence", "required (0 to 1)")
	case r.Confidence != nil && (math.IsNaN(*r.Confidence) || *r.Confidence < 0 || *r.Confidence > 1):
		f.Add("confidence", "must be from 0 to 1")
	case r.Confidence != nil && r.Plate == "":
		f.Add("confidence", "goes with a plate")
	}
	switch {
	case k == KindWeighbridge && r.GrossKg == nil:
		f.Add("gross_kg", "required")
	case k != KindWeighbridge && r.GrossKg != nil:
		f.Add("gross_kg", fmt.Sprintf("only a weighbridge weighs; this device is a %s", k))
	case r.GrossKg != nil && (*r.GrossKg < MinGrossKg || *r.GrossKg > cuakhau.MaxWeightKg):
		f.Add("gross_kg", fmt.Sprintf("must be from %d to %d kg", MinGrossKg, cuakhau.MaxWeightKg))
	}
	if k == KindBarrier {
		f.Add("body", "a barrier sends no readings")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return p, nil
}

// decodeError names the field a JSON decoding error is about.
func decodeError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te) && te.Field != "":
		want := "a string"
		if k := te.Type.Kind(); k >= reflect.Int && k <= reflect.Float64 {
			want = "a number"
		}
		return cuakhau.Invalid(te.Field, "must be "+want)
	case errors.As(err, &se):
		return cuakhau.Invalid("body", fmt.Sprintf("is not valid JSON (at byte %d)", se.Offset))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return cuakhau.Invalid(name, "unknown field")
	case errors.Is(err, io.EOF):
		return cuakhau.Invalid("body", "required")
	}
	return cuakhau.Invalid("body", "must be a JSON object")
}
