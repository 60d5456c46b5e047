package flow

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sched"
)

// The queue's transitions: booking, moving and cancelling a booking,
// check-in, call-forward and a booking's no-show. Each returns the trip's new
// projection (t is not modified) and the event to append, or a
// *cuakhau.Error; the store supplies what only it knows (the window's
// places, the queue at check-in) and keeps the decision here.

// BookingData is the payload of booked, booking_moved, booking_cancelled
// and booking_released events.
type BookingData struct {
	WindowStart time.Time  `json:"window_start"`
	WindowEnd   time.Time  `json:"window_end"`
	From        *time.Time `json:"from,omitempty"` // a move's previous window
	// Hours are the gate's new hours, on a booking they released because
	// they no longer cover its window (ReleaseBookingOutsideHours).
	Hours *cuakhau.Hours `json:"hours,omitempty"`
}

// mayBook reports whether p may book, move or cancel bookings of t.
func mayBook(t *cuakhau.Trip, p cuakhau.Principal) error {
	if p.CanBook(t.Enterprise.TaxCode, t.Gate) {
		return nil
	}
	return cuakhau.Errorf(cuakhau.EFORBIDDEN, "role %s may not book for trip %s", p.Role, t.Code)
}

func queueEvent(t *cuakhau.Trip, p cuakhau.Principal, typ cuakhau.EventType, now time.Time, data any) (*cuakhau.Event, error) {
	var raw json.RawMessage
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return nil, fmt.Errorf("encode %s data: %w", typ, err)
		}
		raw = b
	}
	return &cuakhau.Event{Gate: t.Gate, TripID: t.ID, Type: typ, Actor: p.Actor(), At: now, Data: raw}, nil
}

func advance(t *cuakhau.Trip, ev *cuakhau.Event, s cuakhau.Status, now time.Time) *cuakhau.Trip {
	next := clone(t)
	moved(next, s, now)
	ev.Status = s
	return next
}

// moved is what every queue transition does to the trip: its new status,
// one more version, updated now.
func moved(t *cuakhau.Trip, s cuakhau.Status, now time.Time) {
	t.Status = s
	t.Version++
	t.UpdatedAt = now
}

// Book moves a declared trip to booked for window w. The window's rules
// (sched.CheckWindow) and its places are the store's to check first.
func Book(t *cuakhau.Trip, p cuakhau.Principal, w sched.Window, now time.Time) (*cuakhau.Trip, *cuakhau.Event, error) {
	if err := mayBook(t, p); err != nil {
		return nil, nil, err
	}
	switch t.Status {
	case cuakhau.StatusDeclared:
	case cuakhau.StatusBooked:
		return nil, nil, cuakhau.Errorf(cuakhau.ECONFLICT, "trip %s is already booked; move the booking with PUT or cancel it first", t.Code)
	default:
		return nil, nil, cuakhau.Errorf(cuakhau.ECONFLICT, "trip %s is %s; only a declared trip can book a window", t.Code, t.Status)
	}
	now = now.UTC().Truncate(time.Microsecond)
	ev, err := queueEvent(t, p, cuakhau.EventBooked, now, BookingData{WindowStart: w.Start.UTC(), WindowEnd: w.End.UTC()})
	if err != nil {
		return nil, nil, err
	}
	next := advance(t, ev, cuakhau.StatusBooked, now)
	next.Booking = cuakhau.BookedWindow{Start: w.Start.UTC(), End: w.End.UTC()}
	return next, ev, nil
}

// MoveBooking moves a booked trip from window from to window w.
func MoveBooking(t *cuakhau.Trip, p cuakhau.Principal, from, w sched.Window, now time.Time) (*cuakhau.Trip, *cuakhau.Event, error) {
	if err := mayBook(t, p); err != nil {
		return nil, nil, err
	}
	if t.Status != cuakhau.StatusBooked {
		return nil, nil, cuakhau.Errorf(cuakhau.ECONFLICT, "trip %s is %s; only a booked trip can move its booking", t.Code, t.Status)
	}
	if from.Start.Equal(w.Start) {
		return nil, nil, cuakhau.Invalid("window_start", "is the window already booked")
	}
	now = now.UTC().Truncate(time.Microsecond)
	f := from.Start.UTC()
	ev, err := queueEvent(t, p, cuakhau.EventBookingMoved, now, BookingData{WindowStart: w.Start.UTC(), WindowEnd: w.End.UTC(), From: &f})
	if err != nil {
		return nil, nil, err
	}
	next := advance(t, ev, cuakhau.StatusBooked, now)
	next.Booking = cuakhau.BookedWindow{Start: w.Start.UTC(), End: w.End.UTC()}
	return next, ev, nil
}

// CancelBooking moves a booked trip back to declared.
func CancelBooking(t *cuakhau.Trip, p cuakhau.Principal, w sched.Window, now time.Time) (*cuakhau.Trip, *cuakhau.Event, error) {
	if err := mayBook(t, p); err != nil {
		return nil, nil, err
	}
	if t.Status != cuakhau.StatusBooked {
		return nil, nil, cuakhau.Errorf(cuakhau.ECONFLICT, "trip %s is %s; it holds no booking to cancel", t.Code, t.Status)
	}
	now = now.UTC().Truncate(time.Microsecond)
	ev, err := queueEvent(t, p, cuakhau.EventBookingCancelled, now, BookingData{WindowStart: w.Start.UTC(), WindowEnd: w.End.UTC()})
	if err != nil {
		return nil, nil, err
	}
	next := advance(t, ev, cuakhau.StatusDeclared, now)
	next.Booking = cuakhau.BookedWindow{}
	return next, ev, nil
}

// ReleaseBooking gives up a booked trip's booking of window w because the
// trip was told to hold at origin (sched.HoldOnTheWay): the trip is
// declared again, its place is free, and it may book another window. The
// server's advisory does it, as actor "system", in the write that tells the
// trip to hold. A released booking is not a no-show.
func ReleaseBooking(t *cuakhau.Trip, w sched.Window, now time.Time) (*cuakhau.Trip, *cuakhau.Event, error) {
	if t.Status != cuakhau.StatusBooked {
		return nil, nil, cuakhau.Errorf(cuakhau.ECONFLICT, "trip %s is %s; only a booked trip can release its booking", t.Code, t.Status)
	}
	now = now.UTC().Truncate(time.Microsecond)
	ev, err := queueEvent(t, cuakhau.Principal{Role: cuakhau.RoleSystem}, cuakhau.EventBookingReleased, now, BookingData{WindowStart: w.Start.UTC(), WindowEnd: w.End.UTC()})
	if err != nil {
		return nil, nil, err
	}
	ev.Note = "booking released: told to hold at origin"
	next := advance(t, ev, cuakhau.StatusDeclared, now)
	next.Booking = cuakhau.BookedWindow{}
	return next, ev, nil
}

// ReleaseBookingOutsideHours gives up a booked trip's booking of window w
// because the gate's hours changed to h, which no longer cover w
// (sched.Covers): the trip is declared again and may book a window of the
// new hours. The store does it, as actor "system", in the write that changes
// the hours. A released booking is not a no-show.
func ReleaseBookingOutsideHours(t *cuakhau.Trip, w sched.Window, h cuakhau.Hours, now time.Time) (*cuakhau.Trip, *cuakhau.Event, error) {
	if t.Status != cuakhau.StatusBooked {
		return nil, nil, cuakhau.Errorf(cuakhau.ECONFLICT, "trip %s is %s; only a booked trip can release its booking", t.Code, t.Status)
	}
	now = now.UTC().Truncate(time.Microsecond)
	ev, err := queueEvent(t, cuakhau.Principal{Role: cuakhau.RoleSystem}, cuakhau.EventBookingReleased, now, BookingData{WindowStart: w.Start.UTC(), WindowEnd: w.End.UTC(), Hours: &h})
	if err != nil {
		return nil, nil, err
	}
	ev.Note = "booking released: the gate's hours changed to " + h.String()
	next := advance(t, ev, cuakhau.StatusDeclared, now)
	next.Booking = cuakhau.BookedWindow{}
	return next, ev, nil
}

// BookingNoShow records that a booked trip did not use its window by its end
// plus the tolerance. The server's sweep does it, as actor "system".
func BookingNoShow(t *cuakhau.Trip, w sched.Window, now time.Time) (*cuakhau.Trip, *cuakhau.Event, error) {
	if t.Status != cuakhau.StatusBooked {
		return nil, nil, cuakhau.Errorf(cuakhau.ECONFLICT, "trip %s is %s; only a booked trip can miss its window", t.Code, t.Status)
	}
	now = now.UTC().Truncate(time.Microsecond)
	ev, err := queueEvent(t, cuakhau.Principal{Role: cuakhau.RoleSystem}, cuakhau.EventNoShow, now, BookingData{WindowStart: w.Start.UTC(), WindowEnd: w.End.UTC()})
	if err != nil {
		return nil, nil, err
	}
	ev.Outcome = cuakhau.OutcomeNoShow
	ev.Note = "booking not used by window end + tolerance"
	return advance(t, ev, cuakhau.StatusNoShow, now), ev, nil
}

// Arrival classifies a truck checking in at now: a booked truck inside the
// tolerance of its window keeps it (class booked); one later than that loses
// it and joins the live queue (Late); early or on time, it keeps it. A
// walk-in is live. window is nil for a trip without a booking. The trip's
// statutory priority, set before arrival, is carried.
func Arrival(t *cuakhau.Trip, window *sched.Window, tolerance time.Duration, now time.Time) cuakhau.ArrivalData {
	a := cuakhau.ArrivalData{Direction: t.Direction, Class: cuakhau.ClassLive}
	if window != nil {
		if now.After(window.Start.Add(tolerance)) {
			a.Late = true
		} else {
			ws, we := window.Start.UTC(), window.End.UTC()
			a.Class, a.Booked, a.WindowStart, a.WindowEnd = cuakhau.ClassBooked, true, &ws, &we
		}
	}
	if s := SpoilsAt(t); !s.IsZero() {
		spoils := s // allocated only when there is one: the simulator asks per truck
		a.SpoilsAt = &spoils
	}
	a.Priority = t.Priority
	return a
}

// DefaultShelfLife is the shelf life of perishable cargo that declares none.
const DefaultShelfLife = 72 * time.Hour

// SpoilsAt is when the shortest remaining shelf life of the trip's perishable
// cargo runs out, counted from its declaration; zero when nothing perishes.
func SpoilsAt(t *cuakhau.Trip) time.Time {
	var best time.Duration
	for _, c := range t.Cargo {
		if !c.Perishable {
			continue
		}
		life := DefaultShelfLife
		if c.ShelfLifeHours > 0 {
			life = time.Duration(c.ShelfLifeHours) * time.Hour
		}
		if best == 0 || life < best {
			best = life
		}
	}
	if best == 0 {
		return time.Time{}
	}
	return t.DeclaredAt.Add(best).UTC().Truncate(time.Microsecond)
}

// CrossedSpoiled reports whether trip t crossed after its perishable cargo
// had outlived its shelf life (SpoilsAt): a load the queue did not save.
func CrossedSpoiled(t *cuakhau.Trip) bool {
	s := SpoilsAt(t)
	return t.CrossedAt != nil && !s.IsZero() && t.CrossedAt.After(s)
}

// Arrive checks a declared or booked trip in to the waiting area. a is what
// Arrival classified, with its FIFOTurn set by the store from the queue at
// check-in.
func Arrive(t *cuakhau.Trip, p cuakhau.Principal, a cuakhau.ArrivalData, now time.Time) (*cuakhau.Trip, *cuakhau.Event, error) {
	if err := mayArrive(t, p); err != nil {
		return nil, nil, err
	}
	now = now.UTC().Truncate(time.Microsecond)
	ev, err := queueEvent(t, p, cuakhau.EventArrived, now, a)
	if err != nil {
		return nil, nil, err
	}
	if a.Late {
		ev.Note = "arrived later than the booking tolerance: joins the live queue"
	}
	next := clone(t)
	arrived(next, a, now)
	ev.Status = next.Status
	return next, ev, nil
}

// StepArrive is Arrive made on t itself, without the event (see Step).
func StepArrive(t *cuakhau.Trip, p cuakhau.Principal, a cuakhau.ArrivalData, now time.Time) error {
	if err := mayArrive(t, p); err != nil {
		return err
	}
	arrived(t, a, now.UTC().Truncate(time.Microsecond))
	return nil
}

func mayArrive(t *cuakhau.Trip, p cuakhau.Principal) error {
	if p.Role != cuakhau.RoleAdmin && p.Role != cuakhau.RoleOperator {
		return cuakhau.Errorf(cuakhau.EFORBIDDEN, "role %s may not check trucks in", p.Role)
	}
	if p.Gate != "" && p.Gate != t.Gate {
		return cuakhau.Errorf(cuakhau.EFORBIDDEN, "this token is bound to gate %s; trip %s is at gate %s", p.Gate, t.Code, t.Gate)
	}
	if t.Status != cuakhau.StatusDeclared && t.Status != cuakhau.StatusBooked {
		return cuakhau.Errorf(cuakhau.ECONFLICT, "trip %s is %s; only a declared or booked trip can check in", t.Code, t.Status)
	}
	return nil
}

// arrived is the check-in's change to the trip: a truck later than its
// booking's tolerance loses the booking.
func arrived(t *cuakhau.Trip, a cuakhau.ArrivalData, now time.Time) {
	moved(t, cuakhau.StatusArrived, now)
	if a.Late {
		t.Booking = cuakhau.BookedWindow{}
	}
}

// Call moves an arrived trip to called, recording the call's inputs. An
// override needs a reason.
func Call(t *cuakhau.Trip, p cuakhau.Principal, rec cuakhau.CallRecord, now time.Time) (*cuakhau.Trip, *cuakhau.Event, error) {
	if err := mayCall(t, p, rec); err != nil {
		return nil, nil, err
	}
	now = now.UTC().Truncate(time.Microsecond)
	ev, err := queueEvent(t, p, cuakhau.EventCalled, now, rec)
	if err != nil {
		return nil, nil, err
	}
	if rec.Override {
		ev.Note = "override: " + rec.OverrideNote
	}
	return advance(t, ev, cuakhau.StatusCalled, now), ev, nil
}

// StepCall is Call made on t itself, without the event (see Step).
func StepCall(t *cuakhau.Trip, p cuakhau.Principal, rec cuakhau.CallRecord, now time.Time) error {
	if err := mayCall(t, p, rec); err != nil {
		return err
	}
	moved(t, cuakhau.StatusCalled, now.UTC().Truncate(time.Microsecond))
	return nil
}

func mayCall(t *cuakhau.Trip, p cuakhau.Principal, rec cuakhau.CallRecord) error {
	if p.Role != cuakhau.RoleAdmin && p.Role != cuakhau.RoleOperator && p.Role != "system" {
		return cuakhau.Errorf(cuakhau.EFORBIDDEN, "role %s may not call trucks forward", p.Role)
	}
	if p.Gate != "" && p.Gate != t.Gate {
		return cuakhau.Errorf(cuakhau.EFORBIDDEN, "this token is bound to gate %s; trip %s is at gate %s", p.Gate, t.Code, t.Gate)
	}
	if rec.Override && strings.TrimSpace(rec.OverrideNote) == "" {
		return cuakhau.Invalid("reason", "a reason is required to call a truck out of turn")
	}
	if t.Status != cuakhau.StatusArrived {
		return cuakhau.Errorf(cuakhau.ECONFLICT, "trip %s is %s; only a truck in the waiting area can be called", t.Code, t.Status)
	}
	return nil
}

// CallCount is how many trucks a call request calls when the control zone
// has free places: Count, or the free places when Count is 0; one for an
// override of a named trip. A Count beyond the free places is refused with
// ECONFLICT naming count unless the request gives a reason: the room is the
// zone's physical limit (or what the other side takes, sched.CallBudget),
// and only an operator who says why may fill it past that. Each call made
// beyond the room is then an override, logged with the reason.
func CallCount(req cuakhau.CallRequest, free int) (int, error) {
	switch {
	case req.TripID != "":
		return 1, nil
	case req.Count == 0:
		return max(free, 0), nil
	case req.Count > free && strings.TrimSpace(req.Reason) == "":
		rule := fmt.Sprintf("%d is more than the control zone's room (%d free); give a reason to call beyond it", req.Count, max(free, 0))
		return 0, &cuakhau.Error{Code: cuakhau.ECONFLICT, Message: "count: " + rule, Fields: map[string]string{"count": rule}}
	}
	return req.Count, nil
}

// MaxPriority is the highest statutory priority.
const MaxPriority = 9

// SetPriority sets (1–MaxPriority) or clears (0) the statutory priority of
// a trip not yet arrived, for reason. Only an operator of the trip's gate or
// an admin may; the trip keeps its status. The priority must be set before
// arrival because the arrived event carries it: that event is all the
// waiting area (and replay) knows of the truck.
func SetPriority(t *cuakhau.Trip, p cuakhau.Principal, priority int, reason string, now time.Time) (*cuakhau.Trip, *cuakhau.Event, error) {
	if err := CheckPriority(priority, reason); err != nil {
		return nil, nil, err
	}
	reason = strings.TrimSpace(reason)
	if p.Role != cuakhau.RoleAdmin && p.Role != cuakhau.RoleOperator {
		return nil, nil, cuakhau.Errorf(cuakhau.EFORBIDDEN, "role %s may not set a statutory priority", p.Role)
	}
	if p.Gate != "" && p.Gate != t.Gate {
		return nil, nil, cuakhau.Errorf(cuakhau.EFORBIDDEN, "this token is bound to gate %s; trip %s is at gate %s", p.Gate, t.Code, t.Gate)
	}
	if t.Status != cuakhau.StatusDeclared && t.Status != cuakhau.StatusBooked {
		return nil, nil, cuakhau.Errorf(cuakhau.ECONFLICT, "trip %s is %s; a statutory priority can only be set before arrival (declared or booked), since the arrival event carries it", t.Code, t.Status)
	}
	now = now.UTC().Truncate(time.Microsecond)
	ev, err := queueEvent(t, p, cuakhau.EventPriority, now, cuakhau.PriorityData{Priority: priority, From: t.Priority, Reason: reason})
	if err != nil {
		return nil, nil, err
	}
	ev.Note = reason
	next := advance(t, ev, t.Status, now)
	next.Priority = priority
	next.PriorityReason = reason
	if priority == 0 {
		next.PriorityReason = ""
	}
	return next, ev, nil
}

// CheckPriority checks a priority request's fields: the priority from 0
// (clears) to MaxPriority, and a reason.
func CheckPriority(priority int, reason string) error {
	fe := cuakhau.FieldErrors{}
	if priority < 0 || priority > MaxPriority {
		fe.Add("priority", fmt.Sprintf("must be from 0 (none) to %d", MaxPriority))
	}
	if strings.TrimSpace(reason) == "" {
		fe.Add("reason", "a reason is required to set or clear a statutory priority")
	}
	fe.Note("reason", reason, false)
	return fe.Err()
}
