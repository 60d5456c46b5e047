package cuakhau

import (
	"context"
	"time"
)

// TripLookup is what a driver sees of a trip found by its code and plate
// (GET /api/v1/lookup, the /trip page): where it stands and what happened,
// and nothing of the driver, the enterprise or the cargo.
type TripLookup struct {
	Code      string    `json:"code"`
	Gate      string    `json:"gate"`
	Direction Direction `json:"direction"`
	Plate     string    `json:"plate"`
	Status    Status    `json:"status"`
	Channel   Channel   `json:"channel,omitempty"`
	// SoldOff marks a cancelled trip whose load was sold off at the border
	// instead of crossing (Trip.SoldOff).
	SoldOff bool `json:"sold_off,omitempty"`
	// Booking is the booked window, absent when there is none.
	Booking     BookedWindow      `json:"booking,omitzero"`
	Checkpoints []CheckpointState `json:"checkpoints"`
	// Position is the truck's place in the gate's waiting area in call
	// order (1 is called next) out of Waiting trucks, while it waits; 0
	// otherwise.
	Position int `json:"position,omitempty"`
	Waiting  int `json:"waiting,omitempty"`
	// ExpectedCall is when the truck is expected to be called, on the
	// gate's clock, while it waits and a call can be predicted.
	ExpectedCall *time.Time `json:"expected_call,omitempty"`
	// History is the trip's events in log order, without their notes.
	History []TripStep `json:"history"`
	// At is when the lookup was answered.
	At time.Time `json:"at"`
}

// TripStep is one event of a trip as a driver sees it.
type TripStep struct {
	Type       EventType `json:"type"`
	Checkpoint string    `json:"checkpoint,omitempty"`
	Outcome    Outcome   `json:"outcome,omitempty"`
	Channel    Channel   `json:"channel,omitempty"`
	Status     Status    `json:"status"`
	At         time.Time `json:"at"`
}

// LookupService finds a trip by what its driver knows: the trip code and
// the plate. It needs no principal: a code is random (it cannot be
// enumerated) and must come with the trip's plate; a wrong plate and an
// unknown code give the same ENOTFOUND, so an answer tells nothing of
// trips the caller cannot name.
type LookupService interface {
	LookupTrip(ctx context.Context, code, plate string) (*TripLookup, error)
}
