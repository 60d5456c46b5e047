package cuakhau

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Event types of the electronic queue. A trip's booking, check-in and call
// are events like its checkpoint decisions; a change of a gate's controls is
// an event of the gate's log with no trip (TripID "").
const (
	EventBooked           EventType = "booked"
	EventBookingCancelled EventType = "booking_cancelled"
	EventBookingMoved     EventType = "booking_moved"
	// EventBookingReleased records a booking given up by a trip told to
	// hold at origin (sched.HoldOnTheWay): the trip is declared again and
	// may book anew; the booking is neither used nor a no-show.
	EventBookingReleased EventType = "booking_released"
	EventArrived         EventType = "arrived"
	EventCalled          EventType = "called"
	EventControls        EventType = "controls"
	// EventAdvisory records a change of a gate's inflow advisory (no trip):
	// it came into force, its level rose, or it cleared. Its data is an
	// AdvisoryRecord; the notices to the trips still on their way are
	// written with it and named by its seq.
	EventAdvisory EventType = "advisory"
	// EventPriority records a statutory priority set on (or cleared from) a
	// trip before its arrival; its data is a PriorityData.
	EventPriority EventType = "priority"
	// EventBarrier records a barrier opened or closed by hand (no trip):
	// who (the actor), why (the note) and the command (its data), so that
	// the gate's tamper-evident log accounts for every opening no passing
	// explains. A barrier opened for a truck that passed needs none: the
	// log holds the passing.
	EventBarrier EventType = "barrier"
)

// AdvisoryRecord is the payload of an advisory event: the advisory as the
// gate decided it (sched.Advise) and how many trips still on their way were
// told. An episode starts with an Active record and ends with an inactive
// one; a record with a higher Level inside an episode tells them again.
type AdvisoryRecord struct {
	Active            bool   `json:"active"`
	Level             string `json:"level"`
	Waiting           int    `json:"waiting"`
	MaxBookingsPerDay int    `json:"max_bookings_per_day"`
	StopBookings      bool   `json:"stop_bookings,omitempty"`
	Reason            string `json:"reason,omitempty"`
	Text              string `json:"text,omitempty"`
	TextEN            string `json:"text_en,omitempty"`
	TextZH            string `json:"text_zh,omitempty"`
	Notified          int    `json:"notified"`
}

// PriorityData is the payload of a priority event: the statutory priority
// (1–9, higher first; 0 clears it) and why.
type PriorityData struct {
	Priority int    `json:"priority"`
	From     int    `json:"from"`
	Reason   string `json:"reason"`
}

// PriorityUpdate is the body of PUT /api/v1/trips/{id}/priority.
type PriorityUpdate struct {
	Priority *int   `json:"priority"`
	Reason   string `json:"reason"`
}

// Queue classes, as sched ranks them: how a truck entered the waiting area.
const (
	ClassBooked = "booked"
	ClassLive   = "live"
)

// Window is a bookable slot of a gate and direction with what it sells.
// Capacity is what its lanes serve at the measured rate and target
// utilization; Accepts adds the margin for the measured no-show rate;
// Available is Accepts − Booked (never below 0).
type Window struct {
	Gate      string    `json:"gate"`
	Direction Direction `json:"direction"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Capacity  int       `json:"capacity"`
	Accepts   int       `json:"accepts"`
	Booked    int       `json:"booked"`
	Available int       `json:"available"`
}

// Booking is a trip's hold on a window.
type Booking struct {
	TripID      string    `json:"trip_id"`
	Gate        string    `json:"gate"`
	Direction   Direction `json:"direction"`
	WindowStart time.Time `json:"window_start"`
	WindowEnd   time.Time `json:"window_end"`
	BookedAt    time.Time `json:"booked_at"`
}

// BookingResult is the answer to a booking, a move or a cancellation: the
// booking (nil after a cancellation), the event appended and the trip after it.
type BookingResult struct {
	Booking *Booking `json:"booking,omitempty"`
	Event   *Event   `json:"event"`
	Trip    *Trip    `json:"trip"`
}

// ArrivalData is the payload of an arrived event: what the call-forward
// policies will see of the truck, with the event's own fields — the truck's
// ID is the event's TripID, its Seq the event's Seq, its ArrivedAt the
// event's At — so that the waiting area can be rebuilt from the log alone
// (flow.ArrivedTruck, flow.Replayer). FIFOTurn is computed once, at
// check-in, and never recomputed (the aging bound is a promise made at
// arrival). Direction is the trip's; the gate has one waiting area for all
// directions, which every call sees whole.
type ArrivalData struct {
	Direction   Direction  `json:"direction"`
	Class       string     `json:"class"`
	Booked      bool       `json:"booked"`
	WindowStart *time.Time `json:"window_start,omitempty"`
	WindowEnd   *time.Time `json:"window_end,omitempty"`
	SpoilsAt    *time.Time `json:"spoils_at,omitempty"`
	Priority    int        `json:"priority,omitempty"`
	FIFOTurn    *time.Time `json:"fifo_turn,omitempty"`
	// Late is set when a booked truck came later than the tolerance and
	// joined the live queue, losing its window.
	Late bool `json:"late,omitempty"`
	// ExpectedCall is the call time the check-in told the truck (its
	// QueueEntry.ExpectedCall), on the gate's clock: logged here so that
	// the prediction's error is measured against the call that follows
	// (PublicWait.PredictionErrorP50Minutes). Nil when none could be told
	// (no service rate, or the gate will not call again).
	ExpectedCall *time.Time `json:"expected_call,omitempty"`
}

// ArrivalResult is the answer to a check-in.
type ArrivalResult struct {
	Entry *QueueEntry `json:"entry"`
	Event *Event      `json:"event"`
	Trip  *Trip       `json:"trip"`
}

// WaitingTruck is one truck of a call's input, field for field what the
// policy saw (sched.Truck), times in microseconds. Zero times are nil.
type WaitingTruck struct {
	ID          string     `json:"id"`
	Seq         int64      `json:"seq"`
	ArrivedAt   time.Time  `json:"arrived_at"`
	Booked      bool       `json:"booked,omitempty"`
	WindowStart *time.Time `json:"window_start,omitempty"`
	WindowEnd   *time.Time `json:"window_end,omitempty"`
	SpoilsAt    *time.Time `json:"spoils_at,omitempty"`
	Priority    int        `json:"priority,omitempty"`
	FIFOTurn    *time.Time `json:"fifo_turn,omitempty"`
}

// CallInput is a call's sched.Input, times in microseconds, with the
// waiting area summarised: WaitingCount trucks whose WaitingDigest (see
// WaitingDigest) is given, rather than the trucks themselves.
//
// The waiting area is not logged with each call because it is already in the
// log: a trip waits exactly while its latest event's status is arrived, and
// its arrived event carries everything the policy sees of it. Logging the
// whole area with every call would write O(waiting) bytes per truck called —
// megabytes per call and gigabytes a day in a backlog of thousands, exactly
// when the gate is busiest — to say again what the log already says. Replay
// (flow.Replayer) rebuilds the area from the gate's log and checks it
// against the count and digest, so the record still pins down what the
// policy saw.
type CallInput struct {
	Now time.Time `json:"now"`
	// Free is the control zone's free places; CrossingTimeNS the predicted
	// call-to-crossed time in nanoseconds; ServiceRate trucks per hour, the
	// exact float the policy used.
	Free           int     `json:"free"`
	CrossingTimeNS int64   `json:"crossing_time_ns"`
	ServiceRate    float64 `json:"service_rate"`
	// WaitingCount is how many trucks the policy saw: the gate's whole
	// waiting area, every direction.
	WaitingCount  int    `json:"waiting_count"`
	WaitingDigest string `json:"waiting_digest"`
}

// WaitingDigest is the digest of a waiting set that a call logs and replay
// rebuilds: the hex SHA-256 of its canonical encoding, which is one line per
// truck, in order of Seq (then ID),
//
//	seq TAB len(id) ":" id TAB arrived_at TAB booked TAB window_start TAB window_end TAB spoils_at TAB priority TAB fifo_turn LF
//
// with seq and priority in decimal, the ID's bytes preceded by their count
// in decimal and a colon (so no ID can forge a field boundary), booked
// 1 or 0, and every time as its Unix time in microseconds, in decimal (the
// store keeps microseconds; empty when nil or zero). The order of ws does
// not matter and ws is not modified. This is the one definition: the
// store's writer and `cuakhau queue replay` both call it (the store through
// AppendWaitingLine, keeping each waiting truck's line).
func WaitingDigest(ws []WaitingTruck) string {
	sorted := slices.Clone(ws)
	slices.SortFunc(sorted, func(a, b WaitingTruck) int {
		if c := cmp.Compare(a.Seq, b.Seq); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	h := sha256.New()
	var line []byte
	for _, w := range sorted {
		line = AppendWaitingLine(line[:0], w)
		h.Write(line)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// AppendWaitingLine appends w's line of WaitingDigest's canonical encoding
// to b: the digest is the SHA-256 of the lines of a waiting set in order of
// Seq (then ID).
func AppendWaitingLine(b []byte, w WaitingTruck) []byte {
	opt := func(b []byte, t *time.Time) []byte {
		b = append(b, '\t')
		if t == nil || t.IsZero() {
			return b
		}
		return strconv.AppendInt(b, t.UnixMicro(), 10)
	}
	b = strconv.AppendInt(b, w.Seq, 10)
	b = append(b, '\t')
	b = strconv.AppendInt(b, int64(len(w.ID)), 10)
	b = append(b, ':')
	b = append(b, w.ID...)
	b = opt(b, &w.ArrivedAt)
	if w.Booked {
		b = append(b, "\t1"...)
	} else {
		b = append(b, "\t0"...)
	}
	b = opt(b, w.WindowStart)
	b = opt(b, w.WindowEnd)
	b = opt(b, w.SpoilsAt)
	b = append(b, '\t')
	b = strconv.AppendInt(b, int64(w.Priority), 10)
	b = opt(b, w.FIFOTurn)
	return append(b, '\n')
}

// CallRecord is the payload of a called event: the policy, its version and
// configuration, how many trucks it was asked for (N) and what it saw (the
// waiting area by count and digest, the rest in full), so that
// `cuakhau queue replay` can recompute the choice. Chosen is the trip called:
// the Nth of the policy's selection. A round of calls that share one input
// logs N = 1, 2, … k on consecutive events of the gate's log with the same
// input (see flow.Replayer); the store logs each call of a round with its own
// input instead (the area less the trucks already called, one place fewer
// free), so its records all have N = 1. An override names the trip an
// operator called out of turn, with the reason, and what the policy would
// have called (PolicyChoice).
type CallRecord struct {
	Policy       string    `json:"policy"`
	Version      string    `json:"version"`
	AgingBoundNS int64     `json:"aging_bound_ns"`
	ToleranceNS  int64     `json:"tolerance_ns"`
	N            int       `json:"n"`
	Input        CallInput `json:"input"`
	Chosen       string    `json:"chosen"`
	Rank         int       `json:"rank"`
	Class        string    `json:"class,omitempty"`
	Reason       string    `json:"reason,omitempty"`
	Override     bool      `json:"override,omitempty"`
	OverrideNote string    `json:"override_reason,omitempty"`
	PolicyChoice string    `json:"policy_choice,omitempty"`
	CalledByLoop bool      `json:"automatic,omitempty"`
}

// QueueEntry is a waiting truck's place in its gate's queue.
type QueueEntry struct {
	TripID    string    `json:"trip_id"`
	Code      string    `json:"code"`
	Plate     string    `json:"plate"`
	Direction Direction `json:"direction"`
	Position  int       `json:"position"`
	Class     string    `json:"class"`
	Reason    string    `json:"reason"`
	ArrivedAt time.Time `json:"arrived_at"`
	// ExpectedCall is nil when the service rate is unknown.
	ExpectedCall *time.Time `json:"expected_call,omitempty"`
	Perishable   bool       `json:"perishable"`
	// Priority is the truck's statutory priority (0: none).
	Priority int `json:"priority,omitempty"`
}

// QueueView is a page of a gate's waiting area in call order (see
// QueueFilter). Waiting counts the whole area, Matched what the filter
// selects of it; Next is the cursor of the next page, "" on the last.
type QueueView struct {
	Gate        string        `json:"gate"`
	Policy      string        `json:"policy"`
	At          time.Time     `json:"at"`
	Free        int           `json:"free"`
	InZone      int           `json:"in_zone"`
	ServiceRate float64       `json:"service_rate"`
	Waiting     int           `json:"waiting"`
	Matched     int           `json:"matched"`
	Entries     []*QueueEntry `json:"entries"`
	Next        string        `json:"next"`
}

// CallRequest asks to call now. With TripID it is a manual override: that
// trip is called whatever the policy says, and Reason is required. Without,
// the policy calls up to Count trucks (default: as many as the control zone
// has room for); a Count beyond the room needs a Reason, and the calls past
// the room are logged as overrides with it.
type CallRequest struct {
	TripID string `json:"trip_id,omitempty"`
	Reason string `json:"reason,omitempty"`
	Count  int    `json:"count,omitempty"`
}

// Validate checks the request's own fields; whether the trip waits is the
// store's to say.
func (req CallRequest) Validate() error {
	f := FieldErrors{}
	if req.TripID != "" && isBlank(req.Reason) {
		f.Add("reason", "a reason is required to call a truck out of turn")
	}
	f.Note("reason", req.Reason, false)
	f.Range("count", int64(req.Count), 0, MaxRoom, "trucks")
	if req.TripID != "" && req.Count > 1 {
		f.Add("count", "an override calls one truck")
	}
	return f.Err()
}

// CallResult lists the trips a call called, with their events.
type CallResult struct {
	Called []*DecisionResult `json:"called"`
}

// GateControls are what a gate's operator sets: lanes open per checkpoint,
// the control zone's room, the call-forward policy, and the trucks a day the
// other side announced it takes (nil: not announced).
type GateControls struct {
	Gate            string         `json:"gate"`
	Lanes           map[string]int `json:"lanes"`
	Room            int            `json:"room"`
	Policy          string         `json:"policy"`
	OtherSidePerDay *int           `json:"other_side_per_day,omitempty"`
	// Hours are the gate's opening hours: the catalogue's until an
	// operator changes them. Every window, call and "open" follows them.
	Hours     Hours     `json:"hours"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ControlsUpdate changes some of a gate's controls; nil fields stay as they
// are. Lanes entries replace those of the same checkpoint. New Hours
// release, in the same write, every booking whose window they no longer
// cover (see the store's SetControls).
type ControlsUpdate struct {
	Lanes  map[string]int `json:"lanes,omitempty"`
	Room   *int           `json:"room,omitempty"`
	Policy *string        `json:"policy,omitempty"`
	Hours  *Hours         `json:"hours,omitempty"`
	Reason string         `json:"reason,omitempty"`
}

// Validate checks an update of gate g's controls, with policies the names of
// the call-forward policies there are.
func (u ControlsUpdate) Validate(g *Gate, policies []string) error {
	codes := map[string]bool{}
	for _, d := range Directions {
		for _, cp := range g.Route(d) {
			codes[cp.Code] = true
		}
	}
	f := FieldErrors{}
	for code, n := range u.Lanes {
		field := "lanes." + code
		if !codes[code] {
			f.Add(field, fmt.Sprintf("gate %s has no checkpoint %q", g.Code, code))
			continue
		}
		f.Range(field, int64(n), 0, MaxLanes, "lanes")
	}
	if u.Room != nil {
		f.Range("room", int64(*u.Room), 1, MaxRoom, "trucks")
	}
	if u.Policy != nil && !slices.Contains(policies, *u.Policy) {
		f.Add("policy", "one of "+strings.Join(policies, ", "))
	}
	if u.Hours != nil {
		u.Hours.Check(f, "hours")
	}
	if u.Lanes == nil && u.Room == nil && u.Policy == nil && u.Hours == nil {
		f.Add("body", "set at least one of lanes, room, policy, hours")
	}
	f.Note("reason", u.Reason, false)
	return f.Err()
}

// CapacityUpdate records the other side's announced trucks a day.
type CapacityUpdate struct {
	TrucksPerDay *int   `json:"trucks_per_day"`
	Note         string `json:"note,omitempty"`
}

// Validate checks the update: a count of trucks a day, and a note.
func (u CapacityUpdate) Validate() error {
	f := FieldErrors{}
	if u.TrucksPerDay == nil {
		f.Add("trucks_per_day", "required")
	} else {
		f.Range("trucks_per_day", int64(*u.TrucksPerDay), 0, MaxTrucksPerDay, "trucks")
	}
	f.Note("note", u.Note, false)
	return f.Err()
}

// PublicWait is one line of the open wait feed.
type PublicWait struct {
	Gate      string    `json:"gate"`
	Direction Direction `json:"direction"`
	// Open is whether the gate works now (its opening hours).
	Open      bool `json:"open"`
	Waiting   int  `json:"waiting"`
	InZone    int  `json:"in_zone"`
	LanesOpen int  `json:"lanes_open"`
	// ExpectedWaitMinutes is the wait of a non-perishable walk-in arriving
	// now, counting the hours until the gate calls again when it is closed
	// or past its last call; −1 when it cannot be predicted (no measured or
	// configured rate).
	ExpectedWaitMinutes int `json:"expected_wait_minutes"`
	// PredictionErrorP50Minutes is the median |actual − predicted| call
	// time, in minutes, of the trucks of this gate and direction called in
	// the last 24 hours, each against the call time its check-in told it;
	// PredictionCalls24h is how many calls that is. Nil and 0 when there
	// were none.
	PredictionErrorP50Minutes *float64 `json:"prediction_error_p50_minutes"`
	PredictionCalls24h        int      `json:"prediction_calls_24h"`
	Level                     string   `json:"level"`
	Advisory                  string   `json:"advisory,omitempty"`
	AdvisoryEN                string   `json:"advisory_en,omitempty"`
	AdvisoryZH                string   `json:"advisory_zh,omitempty"`
}

// PublicWaits is the feed: every gate and direction served.
type PublicWaits struct {
	At    time.Time    `json:"at"`
	Waits []PublicWait `json:"waits"`
}

// QueueService runs the electronic queue: windows and bookings, check-in to
// the waiting area, call-forward and the public feed. Every method that
// changes something appends events and checks the principal's rights.
type QueueService interface {
	// Windows lists a gate's windows of a local date for a direction.
	Windows(ctx context.Context, gate string, d Direction, date string) ([]*Window, error)
	// Book books the window starting at start; ECONFLICT with NearestError
	// when it is full.
	Book(ctx context.Context, p Principal, tripID string, start time.Time) (*BookingResult, error)
	// MoveBooking cancels the trip's booking and books start, atomically.
	MoveBooking(ctx context.Context, p Principal, tripID string, start time.Time) (*BookingResult, error)
	CancelBooking(ctx context.Context, p Principal, tripID string) (*BookingResult, error)
	// Arrive checks a trip in to the waiting area.
	Arrive(ctx context.Context, p Principal, tripID string) (*ArrivalResult, error)
	// Queue is a page of a gate's waiting area in call order.
	Queue(ctx context.Context, p Principal, gate string, f QueueFilter) (*QueueView, error)
	// Call calls trucks forward now (or one, as a manual override).
	Call(ctx context.Context, p Principal, gate string, req CallRequest) (*CallResult, error)
	// SetPriority sets (1–9) or clears (0) a trip's statutory priority
	// before its arrival.
	SetPriority(ctx context.Context, p Principal, tripID string, u PriorityUpdate) (*DecisionResult, error)
	Controls(ctx context.Context, gate string) (*GateControls, error)
	SetControls(ctx context.Context, p Principal, gate string, u ControlsUpdate) (*GateControls, error)
	SetOtherSideCapacity(ctx context.Context, p Principal, gate string, u CapacityUpdate) (*GateControls, error)
	// WithdrawOtherSideCapacity withdraws the announced capacity; the
	// advisory then ends once the backlog can clear.
	WithdrawOtherSideCapacity(ctx context.Context, p Principal, gate string) (*GateControls, error)
	PublicWaits(ctx context.Context) (*PublicWaits, error)
}

// CallForwarder is what the server's call-forward loop drives: calls while
// the control zone has room, and no-shows of bookings past their window.
type CallForwarder interface {
	GateCodes(ctx context.Context) ([]string, error)
	CallForward(ctx context.Context, gate string) (int, error)
	SweepNoShows(ctx context.Context, gate string) (int, error)
	// Advise evaluates the gate's inflow advisory and, when it has come
	// into force, risen or cleared since the last advisory event, logs a
	// new one and tells the trips still on their way. It reports whether it
	// logged one.
	Advise(ctx context.Context, gate string) (bool, error)
}

// Notification kinds.
const (
	NotifyCalled        = "called"
	NotifyBookingMoved  = "booking_moved"
	NotifyBookingLost   = "booking_lost"
	NotifyAdvisory      = "advisory"
	NotifyBookingBooked = "booked"
)

// Notification is one message of the outbox. ID is stable: a retried
// delivery carries the same ID, so receivers drop duplicates.
type Notification struct {
	ID        string          `json:"id"`
	Kind      string          `json:"kind"`
	Gate      string          `json:"gate"`
	TripID    string          `json:"trip_id,omitempty"`
	Phone     string          `json:"phone,omitempty"`
	Text      string          `json:"text"`
	Data      json.RawMessage `json:"data,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
	Attempts  int             `json:"attempts"`
	// DeliveredAt is when a channel took it (nil: not yet), LastError
	// why its last attempt failed; both only in a gate's list of its
	// messages (NoticeService).
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
}

// NoticeService lists what a gate has told drivers and enterprises: its
// latest messages of the outbox, newest first, delivered or not. Who may
// read them is Principal.CanSeeQueue.
type NoticeService interface {
	Notices(ctx context.Context, p Principal, gate string, limit int) ([]*Notification, error)
}

// Outbox is the store side of notification delivery: messages are written in
// the same transaction as their cause and handed out until delivered.
type Outbox interface {
	// DueNotifications returns up to limit undelivered messages whose next
	// attempt is due.
	DueNotifications(ctx context.Context, limit int) ([]*Notification, error)
	// MarkDelivered records the messages ids as delivered, in one write.
	MarkDelivered(ctx context.Context, ids ...string) error
	// MarkFailed records a failed attempt and when to try again.
	MarkFailed(ctx context.Context, id string, next time.Time, reason string) error
}

// NearestError is a full window's ECONFLICT, with the nearest windows that
// still have places.
type NearestError struct {
	Err     *Error
	Nearest []*Window
}

func (e *NearestError) Error() string { return e.Err.Message }

// Unwrap lets errors.As find the *Error.
func (e *NearestError) Unwrap() error { return e.Err }

// ErrorDetails returns the nearest free windows of a full window's error.
func ErrorDetails(err error) []*Window {
	var ne *NearestError
	if errors.As(err, &ne) {
		return ne.Nearest
	}
	return nil
}
