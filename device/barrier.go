package device

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/cuakhau/cuakhau"
)

// Barrier actions.
const (
	Open  = "open"
	Close = "close"
)

// Command states: sent to the barrier, acknowledged as done, refused by
// the barrier (it could not: an obstacle, a fault), or never acknowledged
// within AckTimeout.
const (
	CommandSent    = "sent"
	CommandDone    = "done"
	CommandFailed  = "failed"
	CommandUnacked = "unacked"
)

// AckTimeout is how long a barrier has to acknowledge a command before an
// operator is alerted (AlertBarrierNoAck): a barrier answers in a second,
// so ten mean it is offline or stuck.
const AckTimeout = 10 * time.Second

// AlertBarrierNoAck is raised when a barrier leaves a command
// unacknowledged past AckTimeout, or acknowledges it as failed.
const AlertBarrierNoAck = "barrier_no_ack"

// Command is an order to a barrier, automatic (a truck that may pass was
// read at the barrier's position) or manual (an operator's, with the
// reason), and what the barrier answered.
type Command struct {
	ID       string   `json:"id"`
	Device   string   `json:"device"`
	Gate     string   `json:"gate"`
	Position Position `json:"position"`
	Action   string   `json:"action"`
	// TripID and Plate are the truck an automatic opening is for.
	TripID string `json:"trip_id,omitempty"`
	Plate  string `json:"plate,omitempty"`
	// Reason says why: the reading's effect for an automatic command, the
	// operator's words for a manual one.
	Reason string `json:"reason"`
	// Actor is who gave the command: the reading device
	// (operator:device:ID) or the operator's token or session.
	Actor    string    `json:"actor"`
	Manual   bool      `json:"manual"`
	IssuedAt time.Time `json:"issued_at"`
	State    string    `json:"state"`
	// AckedAt and Note are the barrier's answer.
	AckedAt *time.Time `json:"acked_at,omitempty"`
	Note    string     `json:"note,omitempty"`
}

// Opens reports whether a barrier standing at pos opens for a reading
// whose effect there was a: at yard_in for a truck checked in, at zone_in
// for a called truck admitted, at gate_out for a crossing recorded, at
// weighing for a load that passed. Anything else keeps it shut: an alert
// (a truck not called, a checkpoint pending) or a hold (an overweight
// load) is for an operator, who may open it by hand.
func Opens(pos Position, a Action) bool {
	switch pos {
	case PositionYardIn:
		return a.Effect == EffectArrive
	case PositionZoneIn, PositionGateOut:
		return a.Effect == EffectDecide
	case PositionWeighing:
		return a.Effect == EffectDecide && a.Decision.Outcome == cuakhau.OutcomePass
	}
	return false
}

// ManualCommand is an operator's order to a barrier.
type ManualCommand struct {
	Action string `json:"action"`
	Reason string `json:"reason"`
}

// Validate checks an operator's order: open or close, and a reason (a
// barrier moved by hand is accounted for).
func (m ManualCommand) Validate() error {
	f := cuakhau.FieldErrors{}
	if m.Action != Open && m.Action != Close {
		f.Add("action", fmt.Sprintf("must be %s or %s", Open, Close))
	}
	f.Note("reason", m.Reason, true)
	return f.Err()
}

// ManualData is the data of the log's barrier event (cuakhau.EventBarrier)
// for a command given by hand: the command, the barrier and what it was
// told to do.
type ManualData struct {
	Command  string   `json:"command"`
	Device   string   `json:"device"`
	Position Position `json:"position"`
	Action   string   `json:"action"`
}

// CanOperate reports whether p may open or close a barrier of gate by
// hand: an admin, or an operator of that gate (or of every gate).
func CanOperate(p cuakhau.Principal, gate string) bool {
	switch p.Role {
	case cuakhau.RoleAdmin:
		return true
	case cuakhau.RoleOperator:
		return p.Gate == "" || p.Gate == gate
	}
	return false
}

// CommandBody is what a barrier is sent on its commands topic, signed
// with its secret as its readings are (see SealCommand), so that it obeys
// only the server.
type CommandBody struct {
	ID     string `json:"id"`
	Action string `json:"action"`
	TripID string `json:"trip_id,omitempty"`
	Plate  string `json:"plate,omitempty"`
	At     string `json:"at"`
}

// SealCommand returns the MQTT envelope of c, signed with the barrier's
// secret at now.
func SealCommand(secret string, c *Command, now time.Time) []byte {
	b, _ := json.Marshal(CommandBody{ID: c.ID, Action: c.Action, TripID: c.TripID, Plate: c.Plate, At: c.IssuedAt.UTC().Format(time.RFC3339Nano)})
	return Seal(secret, now.Unix(), b)
}

// Ack is a barrier's answer to a command: done, or failed with a note.
type Ack struct {
	Command string `json:"command"`
	State   string `json:"state"`
	Note    string `json:"note,omitempty"`
	At      string `json:"at"`
}

// ParsedAck is a checked acknowledgement.
type ParsedAck struct {
	Ack
	At time.Time
}

// ParseAck decodes and checks the body of a barrier's acknowledgement
// received at now: the command's id, done or failed, at in RFC 3339 and
// not in the future. Every broken rule is named by its field (EINVALID).
func ParseAck(body []byte, now time.Time) (*ParsedAck, error) {
	if len(body) > MaxBodyBytes {
		return nil, cuakhau.Invalid("body", fmt.Sprintf("at most %d bytes", MaxBodyBytes))
	}
	var a Ack
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return nil, decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, cuakhau.Invalid("body", "must be one JSON object")
	}
	f := cuakhau.FieldErrors{}
	p := &ParsedAck{Ack: a}
	if a.Command == "" {
		f.Add("command", "required (the id of the command acknowledged)")
	} else if len(a.Command) > 64 {
		f.Add("command", "at most 64 characters")
	}
	if a.State != CommandDone && a.State != CommandFailed {
		f.Add("state", fmt.Sprintf("must be %s or %s", CommandDone, CommandFailed))
	}
	f.Note("note", a.Note, a.State == CommandFailed)
	if a.At == "" {
		f.Add("at", "required (RFC 3339)")
	} else if at, err := time.Parse(time.RFC3339Nano, a.At); err != nil {
		f.Add("at", "must be an RFC 3339 time, as 2026-12-01T08:30:00+07:00")
	} else if at.After(now.Add(MaxSkew)) {
		f.Add("at", "is in the future: check the device's clock")
	} else {
		p.At = at.UTC().Truncate(time.Microsecond)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return p, nil
}

// Acknowledge applies a barrier's acknowledgement to c: a command still
// sent (or given up as unacked) takes the answer; the same answer again is
// no change; a different answer to an answered command is ECONFLICT.
// changed reports whether c changed.
func Acknowledge(c *Command, a *ParsedAck) (changed bool, err error) {
	switch c.State {
	case CommandSent, CommandUnacked:
		at := a.At
		c.State, c.AckedAt, c.Note = a.State, &at, a.Note
		return true, nil
	case a.State:
		return false, nil
	}
	return false, cuakhau.Errorf(cuakhau.ECONFLICT, "command %s was already acknowledged as %s", c.ID, c.State)
}

// Poll is a barrier's signed request for its commands over HTTP, when it
// has no MQTT: the time it asks at.
type Poll struct {
	At string `json:"at"`
}

// ParsePoll decodes and checks a poll's body received at now: at in RFC
// 3339, within MaxSkew of now. Every broken rule is named by its field
// (EINVALID).
func ParsePoll(body []byte, now time.Time) error {
	if len(body) > MaxBodyBytes {
		return cuakhau.Invalid("body", fmt.Sprintf("at most %d bytes", MaxBodyBytes))
	}
	var p Poll
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return cuakhau.Invalid("body", "must be one JSON object")
	}
	switch at, err := time.Parse(time.RFC3339Nano, p.At); {
	case p.At == "":
		return cuakhau.Invalid("at", "required (RFC 3339)")
	case err != nil:
		return cuakhau.Invalid("at", "must be an RFC 3339 time, as 2026-12-01T08:30:00+07:00")
	case at.After(now.Add(MaxSkew)) || at.Before(now.Add(-MaxSkew)):
		return cuakhau.Invalid("at", fmt.Sprintf("more than %v from the server's clock: check the device's clock", MaxSkew))
	}
	return nil
}
