// Package sched holds the queue's policies as pure code: which waiting truck
// the control zone calls forward next, when each truck can expect its call,
// how many bookings a slot window takes, and when the gate must advise trucks
// still on their way. It reads no clock and touches no storage: time comes in
// the Input, so the server runs it on wall time and the simulator runs the
// same code on virtual time. The same Input always gives the same answer,
// which is what makes a logged call-forward replayable.
package sched

import "time"

// Truck is what a policy sees of a truck checked in to the waiting area.
type Truck struct {
	ID string
	// Seq is the truck's place in arrival order at the waiting area; its FIFO
	// turn. Unique within a queue.
	Seq       int64
	ArrivedAt time.Time
	// Booked trucks hold a slot window; walk-ins and trucks that lost their
	// slot are live (Booked false).
	Booked      bool
	WindowStart time.Time
	WindowEnd   time.Time
	// SpoilsAt is when the cargo's remaining shelf life runs out; zero when the
	// cargo is not perishable.
	SpoilsAt time.Time
	// Priority is a statutory priority (relief goods, officials' convoys …):
	// 0 for none, higher first.
	Priority int
	// FIFOTurn is when the truck would have been called under fifo, as
	// predicted when it checked in: FIFOTurn(queue at check-in, truck). Set it
	// once at arrival and log it with the arrival; adaptive's aging bound is
	// measured from it. Zero means unknown, and aging then counts from
	// ArrivedAt, which is earlier, so the bound still holds, only tighter.
	// (Added after the interface was settled; additive.)
	FIFOTurn time.Time
}

// Perishable reports whether the truck's cargo has a shelf life.
func (t Truck) Perishable() bool { return !t.SpoilsAt.IsZero() }

// Input is everything a policy may look at. A decision's Input is logged
// with it, so that `cuakhau queue replay` can recompute it.
type Input struct {
	Now     time.Time
	Waiting []Truck // in any order
	// Free is how many places the control zone has now.
	Free int
	// CrossingTime is the predicted time from call to crossed, the part of a
	// perishable truck's shelf life the border still needs after the call.
	CrossingTime time.Duration
	// ServiceRate is the trucks per hour the control zone clears, measured
	// from recent crossings (or configured until there are measurements).
	ServiceRate float64
}

// Ranked is a truck's place in a policy's order, with the reason for it.
type Ranked struct {
	ID     string
	Rank   int    // 1 is called first
	Class  string // "booked" or "live"
	Reason string // e.g. "booked window due", "perishable: slack 2h10m", "aging", "fifo"
	// ExpectedCall is when the truck can expect its call at the current
	// service rate (zero when the rate is unknown).
	ExpectedCall time.Time
}

// Policy orders the waiting area. Implementations are pure and safe for
// concurrent use.
type Policy interface {
	// Name is fifo, fixed-slot or adaptive; Version changes whenever the
	// ordering rules change, and is logged with every call.
	Name() string
	Version() string
	// Select returns the first n trucks of the order, the ones to call now.
	// It must equal Order(in)[:n] and may be faster.
	Select(in Input, n int) []Ranked
	// Order ranks every waiting truck.
	Order(in Input) []Ranked
}

// Config tunes the policies. DefaultConfig gives the published defaults.
type Config struct {
	// AgingBound is the longest a truck may wait beyond its FIFO turn before
	// it is called ahead of everyone (adaptive).
	AgingBound time.Duration
	// Tolerance is how early or late a booked truck may arrive and keep its
	// window.
	Tolerance time.Duration
	// CallHorizon is how many hours of the other side's announced capacity
	// call-forward may put in the control zone (CallBudget); 0 is
	// DefaultCallHorizon. It limits Input.Free, which is logged, so a
	// replay needs no copy of it.
	CallHorizon time.Duration
}

// DefaultConfig returns a 2 h aging bound, a ±60 min booking tolerance and
// the default call horizon.
func DefaultConfig() Config {
	return Config{AgingBound: 2 * time.Hour, Tolerance: 60 * time.Minute, CallHorizon: DefaultCallHorizon}
}
