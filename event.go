package cuakhau

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// EventType says what an event records.
type EventType string

// Event types.
const (
	EventDeclared  EventType = "declared"
	EventDecision  EventType = "decision" // a checkpoint decision or device reading
	EventCancelled EventType = "cancelled"
	EventNoShow    EventType = "no_show"
)

// Outcome is what a checkpoint decided, or a lifecycle action.
type Outcome string

// Outcomes. Pass, hold, release and reject are decided at a checkpoint;
// cancel and no_show act on the trip as a whole.
const (
	OutcomePass    Outcome = "pass"
	OutcomeHold    Outcome = "hold"
	OutcomeRelease Outcome = "release"
	OutcomeReject  Outcome = "reject"
	OutcomeCancel  Outcome = "cancel"
	OutcomeNoShow  Outcome = "no_show"
)

// Channel is the customs inspection channel.
type Channel string

// Customs channels: green (documents accepted), yellow (documents checked),
// red (physical inspection).
const (
	ChannelGreen  Channel = "green"
	ChannelYellow Channel = "yellow"
	ChannelRed    Channel = "red"
)

// Decision is a checkpoint decision or device reading posted for a trip.
type Decision struct {
	Checkpoint string  `json:"checkpoint,omitempty"`
	Outcome    Outcome `json:"outcome"`
	Channel    Channel `json:"channel,omitempty"`
	Note       string  `json:"note,omitempty"`
	// Device names the camera, weighbridge or barrier that posted a reading.
	Device  string   `json:"device,omitempty"`
	Reading *Reading `json:"reading,omitempty"`
	// SoldOff marks a cancellation (OutcomeCancel) as a load sold off at the
	// border instead of crossing; only a trip with perishable cargo can be.
	SoldOff bool `json:"sold_off,omitempty"`
}

// Reading is what a device saw.
type Reading struct {
	Plate    string `json:"plate,omitempty"`
	WeightKg int64  `json:"weight_kg,omitempty"`
}

// DecisionResult is the event a decision appended and the trip after it.
type DecisionResult struct {
	Event *Event `json:"event"`
	Trip  *Trip  `json:"trip"`
}

// Event is one entry of a gate's append-only log. Entries of a gate are
// numbered by Seq from 1 and hash-chained: Hash covers PrevHash and the
// entry's canonical bytes (see Canonical).
type Event struct {
	Gate       string          `json:"gate"`
	Seq        int64           `json:"seq"`
	TripID     string          `json:"trip_id"`
	Type       EventType       `json:"type"`
	Checkpoint string          `json:"checkpoint,omitempty"`
	Outcome    Outcome         `json:"outcome,omitempty"`
	Channel    Channel         `json:"channel,omitempty"`
	Note       string          `json:"note,omitempty"`
	Device     string          `json:"device,omitempty"`
	Actor      string          `json:"actor"`
	At         time.Time       `json:"at"`
	Status     Status          `json:"status"` // the trip's status after the event
	Data       json.RawMessage `json:"data,omitempty"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

// TimeFormat is how instants are stored and hashed: UTC, fixed width, with
// microseconds (PostgreSQL's precision), so that text order is time order.
const TimeFormat = "2006-01-02T15:04:05.000000Z"

// Canonical returns the bytes the event's hash covers: every field but Hash,
// in a fixed order, with At in TimeFormat.
func (e *Event) Canonical() []byte {
	c := struct {
		Gate       string          `json:"gate"`
		Seq        int64           `json:"seq"`
		TripID     string          `json:"trip_id"`
		Type       EventType       `json:"type"`
		Checkpoint string          `json:"checkpoint"`
		Outcome    Outcome         `json:"outcome"`
		Channel    Channel         `json:"channel"`
		Note       string          `json:"note"`
		Device     string          `json:"device"`
		Actor      string          `json:"actor"`
		At         string          `json:"at"`
		Status     Status          `json:"status"`
		Data       json.RawMessage `json:"data"`
		PrevHash   string          `json:"prev_hash"`
	}{e.Gate, e.Seq, e.TripID, e.Type, e.Checkpoint, e.Outcome, e.Channel, e.Note,
		e.Device, e.Actor, e.At.UTC().Format(TimeFormat), e.Status, e.Data, e.PrevHash}
	if len(c.Data) == 0 {
		c.Data = json.RawMessage("null")
	}
	b, err := json.Marshal(c)
	if err != nil {
		// Data is always valid JSON written by the store; anything else is a bug.
		panic("cuakhau: canonical event: " + err.Error())
	}
	return b
}

// ComputeHash returns the hex SHA-256 over PrevHash and the canonical bytes.
func (e *Event) ComputeHash() string {
	h := sha256.New()
	h.Write([]byte(e.PrevHash))
	h.Write(e.Canonical())
	return hex.EncodeToString(h.Sum(nil))
}

// GenesisHash is the PrevHash of a gate's first event.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// ChainReport is the result of verifying one gate's log.
type ChainReport struct {
	Gate   string `json:"gate"`
	Events int64  `json:"events"`
	Head   string `json:"head"`
	// BrokenAt is the Seq of the first entry whose link does not hold, 0 when
	// the chain is whole; Reason says what is wrong there.
	BrokenAt int64  `json:"broken_at,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// LogService reads and verifies the event log.
type LogService interface {
	// VerifyLog recomputes every gate's chain and reports the first broken link
	// of each.
	VerifyLog(ctx context.Context) ([]ChainReport, error)
}
