package flow

import (
	"errors"
	"strings"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/ident"
)

// LookupNotFound is the one answer to a lookup whose code and plate name no
// trip, whether the code is unknown or the plate is not the trip's.
var LookupNotFound = cuakhau.Errorf(cuakhau.ENOTFOUND, "no trip with this code and plate")

// ParseLookup reads a driver's lookup as typed: the trip code in any case,
// with or without its dash (hn7k3q9p is HN-7K3Q9P), and the plate as
// ident.ParsePlate reads it (12c12345 is 12C-123.45). It returns the code
// and the canonical plate, or the fields that break a rule.
func ParseLookup(code, plate string) (string, string, error) {
	fe := cuakhau.FieldErrors{}
	c, err := ParseCode(code)
	if err != nil {
		fe.Add("code", err.Error())
	}
	var canon string
	if p, err := ident.ParsePlate(plate); err != nil {
		fe.Add("plate", err.Error())
	} else {
		canon = p.Canonical
	}
	if err := fe.Err(); err != nil {
		return "", "", err
	}
	return c, canon, nil
}

// ParseCode reads a trip code as typed, in any case, with or without its
// dash, and returns it canonical (HN-7K3Q9P), or the rule it breaks.
func ParseCode(s string) (string, error) {
	c := normalizeCode(s)
	if c == "" {
		return "", errors.New("is required")
	}
	if !validCode(c) {
		return "", errors.New("not a trip code: the gate's letters and six characters, e.g. HN-7K3Q9P")
	}
	return c, nil
}

// normalizeCode upper-cases a typed code and drops spaces, dots and
// underscores. A code typed with its dash is split there; one typed
// without has the dash put back before its last six characters.
func normalizeCode(s string) string {
	clean := func(s string) string {
		var b strings.Builder
		for _, r := range strings.ToUpper(s) {
			switch r {
			case ' ', '-', '.', '_', '\t':
				continue
			}
			b.WriteRune(r)
		}
		return b.String()
	}
	if prefix, rest, ok := strings.Cut(s, "-"); ok && clean(prefix) != "" {
		return clean(prefix) + "-" + clean(rest)
	}
	c := clean(s)
	if len(c) <= 6 {
		return c
	}
	return c[:len(c)-6] + "-" + c[len(c)-6:]
}

// validCode reports whether c has NewCode's shape: letters, a dash, six
// characters of codeAlphabet.
func validCode(c string) bool {
	prefix, rest, ok := strings.Cut(c, "-")
	if !ok || prefix == "" || len(prefix) > 8 || len(rest) != 6 {
		return false
	}
	for _, r := range prefix {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	for _, r := range rest {
		if !strings.ContainsRune(codeAlphabet, r) {
			return false
		}
	}
	return true
}

// Lookup is what a driver sees of t: its state, its place in the waiting
// area (entry, out of waiting trucks; nil when it is not waiting) and its
// events without their notes or actors.
func Lookup(t *cuakhau.Trip, events []*cuakhau.Event, entry *cuakhau.QueueEntry, waiting int, now time.Time) *cuakhau.TripLookup {
	out := &cuakhau.TripLookup{Code: t.Code, Gate: t.Gate, Direction: t.Direction, Plate: t.Vehicle.Plate,
		Status: t.Status, Channel: t.Channel, SoldOff: t.SoldOff, Booking: t.Booking, Checkpoints: t.Checkpoints,
		History: make([]cuakhau.TripStep, 0, len(events)), At: now}
	if out.Checkpoints == nil {
		out.Checkpoints = []cuakhau.CheckpointState{}
	}
	if entry != nil && t.Status == cuakhau.StatusArrived {
		out.Position, out.Waiting, out.ExpectedCall = entry.Position, waiting, entry.ExpectedCall
	}
	for _, e := range events {
		out.History = append(out.History, cuakhau.TripStep{Type: e.Type, Checkpoint: e.Checkpoint,
			Outcome: e.Outcome, Channel: e.Channel, Status: e.Status, At: e.At})
	}
	return out
}
