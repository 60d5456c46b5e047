// Package device holds the rules of a gate's own devices — plate cameras,
// weighbridges, barriers, QR readers — as pure functions: what a device is
// (kind, position), how its readings are signed and checked, what a reading's
// body may hold, how a plate read by a camera is normalised into the plates it
// may be, and what a reading means at each position of the gate. The store,
// the HTTP API and the MQTT bridge all call these, so that a reading means the
// same whichever way it came in.
package device

import (
	"fmt"
	"strings"
	"time"

	"github.com/cuakhau/cuakhau"
)

// Kind is what a device is.
type Kind string

// Device kinds.
const (
	KindANPR        Kind = "anpr"        // a plate camera
	KindWeighbridge Kind = "weighbridge" // weighs the whole truck
	KindBarrier     Kind = "barrier"
	KindQRReader    Kind = "qr_reader" // reads the plate a driver's QR code carries
)

// Kinds lists every kind.
var Kinds = []Kind{KindANPR, KindWeighbridge, KindBarrier, KindQRReader}

// Position is where a device stands on the gate's way through.
type Position string

// Positions, in the order a truck meets them.
const (
	PositionYardIn   Position = "yard_in"  // entrance of the waiting yard: check-in
	PositionZoneIn   Position = "zone_in"  // entrance of the control zone: called trucks only
	PositionWeighing Position = "weighing" // the weighbridge
	PositionGateOut  Position = "gate_out" // the zero line: the crossing
	PositionReturnIn Position = "return_in"
)

// Positions lists every position.
var Positions = []Position{PositionYardIn, PositionZoneIn, PositionWeighing, PositionGateOut, PositionReturnIn}

// Device is a registered device. Its secret is never part of it: the store
// shows the secret once, when it is made or rotated.
type Device struct {
	ID       string    `json:"id"`
	Kind     Kind      `json:"kind"`
	Gate     string    `json:"gate"`
	Position Position  `json:"position"`
	Enabled  bool      `json:"enabled"`
	Created  time.Time `json:"created_at"`
	// LastSeen is when the device's last accepted reading was received;
	// nil before the first.
	LastSeen *time.Time `json:"last_seen,omitempty"`
	// Interval is how long, in seconds, the device may be silent before
	// an operator is alerted (see Silent); 0: not watched.
	Interval int64 `json:"interval_s,omitempty"`
}

// MaxIDLen bounds a device id.
const MaxIDLen = 64

// ValidateNew checks a device to register: its id (1–64 lower-case letters,
// digits, '-' and '_', starting with a letter or digit), kind and position,
// and that the kind works at the position (a weighbridge weighs). Whether
// the gate exists is the store's to say.
func ValidateNew(d Device) error {
	f := cuakhau.FieldErrors{}
	if err := checkID(d.ID); err != "" {
		f.Add("id", err)
	}
	if !oneOf(d.Kind, Kinds) {
		f.Add("kind", fmt.Sprintf("unknown kind %q; one of %s", d.Kind, list(Kinds)))
	}
	if !oneOf(d.Position, Positions) {
		f.Add("position", fmt.Sprintf("unknown position %q; one of %s", d.Position, list(Positions)))
	} else if d.Kind == KindWeighbridge && d.Position != PositionWeighing {
		f.Add("position", "a weighbridge stands at weighing")
	}
	if d.Gate == "" {
		f.Add("gate", "required")
	}
	if msg := CheckInterval(d.Interval); msg != "" {
		f.Add("interval_s", msg)
	}
	return f.Err()
}

// CheckID returns what is wrong with a device id, "" if nothing.
func checkID(id string) string {
	if id == "" {
		return "required"
	}
	if len(id) > MaxIDLen {
		return fmt.Sprintf("at most %d characters", MaxIDLen)
	}
	for i, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		case (r == '-' || r == '_') && i > 0:
		default:
			return "lower-case letters, digits, '-' and '_', starting with a letter or digit"
		}
	}
	return ""
}

// ValidID reports whether id can name a device.
func ValidID(id string) bool { return checkID(id) == "" }

func oneOf[T comparable](v T, vs []T) bool {
	for _, x := range vs {
		if v == x {
			return true
		}
	}
	return false
}

func list[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// CanManage reports whether p may add, rotate and disable devices: an admin.
func CanManage(p cuakhau.Principal) bool { return p.Role == cuakhau.RoleAdmin }

// CanWatch reports whether p may list the devices and alerts of gate ("":
// every gate): an admin or a viewer, or an operator of that gate (an
// operator bound to a gate sees only its own).
func CanWatch(p cuakhau.Principal, gate string) bool {
	switch p.Role {
	case cuakhau.RoleAdmin, cuakhau.RoleViewer:
		return true
	case cuakhau.RoleOperator:
		return p.Gate == "" || p.Gate == gate
	}
	return false
}

// Check returns EFORBIDDEN unless ok, saying what p may not do.
func Check(ok bool, p cuakhau.Principal, what string) error {
	if ok {
		return nil
	}
	return cuakhau.Errorf(cuakhau.EFORBIDDEN, "role %s may not %s", p.Role, what)
}
