package cuakhau

import (
	"context"
	"time"
)

// Status is where a trip stands in its lifecycle.
type Status string

// Trip statuses. Declared → (booked) → arrived → called → in_zone (at the
// checkpoints, possibly held) → crossed; or cancelled, no_show, rejected.
const (
	StatusDeclared  Status = "declared"
	StatusBooked    Status = "booked"
	StatusArrived   Status = "arrived"
	StatusCalled    Status = "called"
	StatusInZone    Status = "in_zone"
	StatusHeld      Status = "held"
	StatusCrossed   Status = "crossed"
	StatusCancelled Status = "cancelled"
	StatusNoShow    Status = "no_show"
	StatusRejected  Status = "rejected"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{StatusDeclared, StatusBooked, StatusArrived, StatusCalled,
	StatusInZone, StatusHeld, StatusCrossed, StatusCancelled, StatusNoShow, StatusRejected}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, x := range Statuses {
		if s == x {
			return true
		}
	}
	return false
}

// Final reports whether no further event can change the trip.
func (s Status) Final() bool {
	return s == StatusCrossed || s == StatusCancelled || s == StatusNoShow || s == StatusRejected
}

// Vehicle is the truck (and trailer) making the trip. Plates are stored in
// their canonical form (12C-123.45, 桂F12345).
type Vehicle struct {
	Plate        string `json:"plate"`
	Country      string `json:"country"` // VN or CN
	TrailerPlate string `json:"trailer_plate,omitempty"`
}

// Driver drives the truck.
type Driver struct {
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone,omitempty"`
}

// Enterprise is the company that declares the trip, by its tax code.
type Enterprise struct {
	TaxCode string `json:"tax_code"`
	Name    string `json:"name"`
}

// CargoLine is one kind of goods on the truck.
type CargoLine struct {
	HSCode        string `json:"hs_code"` // canonical dotted form, 0810.60
	Description   string `json:"description"`
	Packages      int    `json:"packages"`
	GrossKg       int64  `json:"gross_kg"`
	ValueUSDCents int64  `json:"value_usd_cents"`
	Perishable    bool   `json:"perishable"`
	// ShelfLifeHours is the remaining shelf life at declaration; 0 means
	// not declared (a default by HS code applies for perishables).
	ShelfLifeHours int `json:"shelf_life_hours,omitempty"`
}

// Declaration is what an enterprise declares for a trip.
type Declaration struct {
	Gate                string      `json:"gate"`
	Direction           Direction   `json:"direction"`
	Vehicle             Vehicle     `json:"vehicle"`
	Driver              Driver      `json:"driver"`
	Enterprise          Enterprise  `json:"enterprise"`
	Containers          []string    `json:"containers"`
	Cargo               []CargoLine `json:"cargo"`
	CustomsDeclarations []string    `json:"customs_declarations"`
	PlannedArrival      *time.Time  `json:"planned_arrival,omitempty"`
}

// Checkpoint states of a trip.
const (
	CheckpointPending  = "pending"
	CheckpointPassed   = "passed"
	CheckpointHeld     = "held"
	CheckpointRejected = "rejected"
	CheckpointSkipped  = "skipped" // not applicable to this trip
)

// CheckpointState is a trip's progress at one checkpoint of its route.
type CheckpointState struct {
	Code      string         `json:"code"`
	Kind      CheckpointKind `json:"kind"`
	Mandatory bool           `json:"mandatory"`
	State     string         `json:"state"`
	Channel   Channel        `json:"channel,omitempty"`
	At        *time.Time     `json:"at,omitempty"`
}

// Trip is one vehicle crossing once, in one direction: its declaration and
// its current state, which is a projection of its events.
type Trip struct {
	ID   string `json:"id"`
	Code string `json:"code"` // short code a driver types with the plate
	Declaration
	Status      Status            `json:"status"`
	Channel     Channel           `json:"channel,omitempty"` // customs channel, once assigned
	Checkpoints []CheckpointState `json:"checkpoints"`
	DeclaredAt  time.Time         `json:"declared_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
	CrossedAt   *time.Time        `json:"crossed_at,omitempty"`
	// Priority is the trip's statutory priority (1–9, higher first; 0
	// none), set before arrival with the reason PriorityReason and carried
	// into its arrived event.
	Priority       int    `json:"priority,omitempty"`
	PriorityReason string `json:"priority_reason,omitempty"`
	// Booking is the window the trip booked, absent when it has none: set
	// by a booking or its move, kept through the arrival (or the no-show)
	// it was for, and cleared when the booking is cancelled or lost by an
	// arrival later than the tolerance.
	Booking BookedWindow `json:"booking,omitzero"`
	// SoldOff says that the trip was cancelled because its load was sold
	// off at the border instead of crossing (Decision.SoldOff); the
	// statistics count it on the day of the cancellation.
	SoldOff bool `json:"sold_off,omitempty"`
	// Version counts the events applied to the trip.
	Version int `json:"version"`
}

// BookedWindow is the window a trip booked.
type BookedWindow struct {
	Start time.Time `json:"window_start"`
	End   time.Time `json:"window_end"`
}

// IsZero reports whether there is no window.
func (w BookedWindow) IsZero() bool { return w.Start.IsZero() }

// TripFilter selects trips. Zero fields do not filter. Date is a day in the
// gate's local time (Asia/Ho_Chi_Minh) on which the trip was declared.
type TripFilter struct {
	Gate   string
	Status Status
	// Code is a trip code, typed in any case with or without its dash.
	Code  string
	Plate string
	// Open keeps only the trips that have not ended (Status.Final).
	Open    bool
	Date    string // YYYY-MM-DD
	TaxCode string
	Limit   int // default 100, at most 1000
	// After is the id of the last trip of the previous page.
	After string
}

// TripService declares trips, reads them and records checkpoint decisions.
// Every method checks the principal's rights.
type TripService interface {
	DeclareTrip(ctx context.Context, p Principal, d Declaration) (*Trip, error)
	Trip(ctx context.Context, p Principal, id string) (*Trip, error)
	Trips(ctx context.Context, p Principal, f TripFilter) ([]*Trip, error)
	TripEvents(ctx context.Context, p Principal, id string) ([]*Event, error)
	Decide(ctx context.Context, p Principal, tripID string, d Decision) (*DecisionResult, error)
}

// WorklistFilter selects a page of a checkpoint's worklist: the trips at
// Gate whose turn it is at its checkpoint of Kind.
type WorklistFilter struct {
	Gate string
	Kind CheckpointKind
	// Find narrows the list to the truck it names: a plate, a trip code, a
	// container or customs declaration number, or a trip page's URL.
	Find  string
	Limit int // default 50, at most 500
	// After is the id of the last trip of the previous page.
	After string
}

// Worklist is one page of a checkpoint's worklist, in order of
// declaration; Total counts the trips of the whole list (with Find), Next
// is the After of the next page, "" on the last.
type Worklist struct {
	Trips []*Trip `json:"trips"`
	Total int     `json:"total"`
	Next  string  `json:"next,omitempty"`
}

// WorklistService lists the trucks waiting at a checkpoint. Only a
// principal who may decide there (Principal.CanDecide) may list them.
type WorklistService interface {
	Worklist(ctx context.Context, p Principal, f WorklistFilter) (*Worklist, error)
}
