package device

import (
	"strings"
	"time"

	"github.com/cuakhau/cuakhau"
)

// Result is the answer to an accepted reading: what it did.
type Result struct {
	Device string `json:"device"`
	// Effect is arrive, decide, alert or none; Duplicate marks a read
	// the de-duplication dropped (the same plate from the same device
	// within the interval), which did nothing.
	Effect    Effect `json:"effect"`
	Duplicate bool   `json:"duplicate,omitempty"`
	// Plate is the plate the read was matched to, or the best plate it
	// may be when it matched none.
	Plate  string         `json:"plate,omitempty"`
	TripID string         `json:"trip_id,omitempty"`
	Status cuakhau.Status `json:"status,omitempty"`
	// Event is the log entry the reading's effect appended.
	Event *cuakhau.Event `json:"event,omitempty"`
	// Alert is the operator alert the reading raised.
	Alert  *Alert `json:"alert,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Commands are the barrier openings the reading's effect gave: the
	// barriers at the reading device's gate and position, for a truck that
	// may pass (see Opens).
	Commands []*Command `json:"commands,omitempty"`
}

// Alert is something a gate's operator must look at.
type Alert struct {
	ID      string    `json:"id"`
	Gate    string    `json:"gate"`
	Device  string    `json:"device"`
	Kind    string    `json:"kind"`
	Plate   string    `json:"plate,omitempty"`
	TripID  string    `json:"trip_id,omitempty"`
	Message string    `json:"message"`
	Reading string    `json:"reading,omitempty"`
	At      time.Time `json:"at"`
}

// Principal is who a device acts as: its gate's operator, named in the log
// as operator:device:ID.
func Principal(d Device) cuakhau.Principal {
	return cuakhau.Principal{TokenID: "device:" + d.ID, Name: d.ID, Role: cuakhau.RoleOperator, Gate: d.Gate}
}

// FromActor returns the device a log actor names, "" if none.
func FromActor(actor string) string {
	_, id, ok := strings.Cut(actor, ":device:")
	if !ok {
		return ""
	}
	return id
}
