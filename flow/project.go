package flow

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sched"
)

// Project rebuilds a trip's projection from its log: it applies one logged
// event to t, the projection its earlier events built (nil before the
// declared event), and returns the projection after it. It goes through
// the very transitions the store called when it wrote the event — Apply,
// Book, Arrive, … — with the logged fields as their input and the logged
// time as now, so a trip rebuilt from the log is the trip the store wrote
// unless one of them was changed afterwards. `cuakhau verify` compares the
// two.
//
// The principal is rebuilt from the event's actor with no gate or tax code
// binding of its own (a trip's enterprise is its own): the store checked the
// binding when it wrote the event, and the log does not keep it. An event
// whose transition no longer succeeds, or gives the trip another status than
// the log records, is an error.
func Project(g *cuakhau.Gate, t *cuakhau.Trip, ev *cuakhau.Event) (*cuakhau.Trip, error) {
	if ev.Type == cuakhau.EventDeclared {
		if t != nil {
			return nil, fmt.Errorf("trip %s is declared a second time at entry %d", ev.TripID, ev.Seq)
		}
		if g == nil {
			return nil, fmt.Errorf("trip %s is declared at gate %s, which the catalogue does not have", ev.TripID, ev.Gate)
		}
		var d DeclaredData
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			return nil, fmt.Errorf("the declaration of trip %s cannot be read: %w", ev.TripID, err)
		}
		return declaredTrip(g, d.Declaration, ev.TripID, d.Code, ev.At.UTC()), nil
	}
	if t == nil {
		return nil, fmt.Errorf("entry %d (%s) names trip %s, which no earlier entry declares", ev.Seq, ev.Type, ev.TripID)
	}
	p := actor(ev.Actor, t)
	var next *cuakhau.Trip
	var out *cuakhau.Event
	var err error
	switch ev.Type {
	case cuakhau.EventDecision, cuakhau.EventCancelled, cuakhau.EventNoShow:
		if ev.Type == cuakhau.EventNoShow && len(ev.Data) > 0 {
			// The sweep's no-show carries the booking it ended.
			var b BookingData
			if err := json.Unmarshal(ev.Data, &b); err != nil {
				return nil, readErr(ev, err)
			}
			next, out, err = BookingNoShow(t, sched.Window{Start: b.WindowStart, End: b.WindowEnd}, ev.At)
			break
		}
		d := cuakhau.Decision{Checkpoint: ev.Checkpoint, Outcome: ev.Outcome, Channel: ev.Channel, Note: ev.Note, Device: ev.Device}
		if ev.Type == cuakhau.EventDecision && len(ev.Data) > 0 {
			d.Reading = new(cuakhau.Reading)
			if err := json.Unmarshal(ev.Data, d.Reading); err != nil {
				return nil, readErr(ev, err)
			}
		}
		if ev.Type == cuakhau.EventCancelled && len(ev.Data) > 0 {
			var c CancelledData
			if err := json.Unmarshal(ev.Data, &c); err != nil {
				return nil, readErr(ev, err)
			}
			d.SoldOff = c.SoldOff
		}
		next, out, err = Apply(g, t, p, d, ev.At)
	case cuakhau.EventBooked, cuakhau.EventBookingMoved, cuakhau.EventBookingCancelled, cuakhau.EventBookingReleased:
		var b BookingData
		if err := json.Unmarshal(ev.Data, &b); err != nil {
			return nil, readErr(ev, err)
		}
		w := sched.Window{Start: b.WindowStart, End: b.WindowEnd}
		switch ev.Type {
		case cuakhau.EventBooked:
			next, out, err = Book(t, p, w, ev.At)
		case cuakhau.EventBookingMoved:
			var from sched.Window
			if b.From != nil {
				from.Start = *b.From
			}
			next, out, err = MoveBooking(t, p, from, w, ev.At)
		case cuakhau.EventBookingReleased:
			if b.Hours != nil {
				next, out, err = ReleaseBookingOutsideHours(t, w, *b.Hours, ev.At)
				break
			}
			next, out, err = ReleaseBooking(t, w, ev.At)
		default:
			next, out, err = CancelBooking(t, p, w, ev.At)
		}
	case cuakhau.EventArrived:
		var a cuakhau.ArrivalData
		if err := json.Unmarshal(ev.Data, &a); err != nil {
			return nil, readErr(ev, err)
		}
		next, out, err = Arrive(t, p, a, ev.At)
	case cuakhau.EventCalled:
		var rec cuakhau.CallRecord
		if err := json.Unmarshal(ev.Data, &rec); err != nil {
			return nil, readErr(ev, err)
		}
		next, out, err = Call(t, p, rec, ev.At)
	case cuakhau.EventPriority:
		var pd cuakhau.PriorityData
		if err := json.Unmarshal(ev.Data, &pd); err != nil {
			return nil, readErr(ev, err)
		}
		next, out, err = SetPriority(t, p, pd.Priority, pd.Reason, ev.At)
	default:
		return nil, fmt.Errorf("entry %d of trip %s is of type %q, which no transition makes", ev.Seq, ev.TripID, ev.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("entry %d (%s) of trip %s does not apply to the trip its earlier entries build: %w", ev.Seq, ev.Type, ev.TripID, err)
	}
	if out.Status != ev.Status {
		return nil, fmt.Errorf("entry %d (%s) of trip %s records status %s, but the transition gives %s", ev.Seq, ev.Type, ev.TripID, ev.Status, out.Status)
	}
	return next, nil
}

// actor is the principal an event's actor ("role" or "role:token") stood
// for, as far as the log tells.
func actor(a string, t *cuakhau.Trip) cuakhau.Principal {
	role, token, _ := strings.Cut(a, ":")
	p := cuakhau.Principal{Role: cuakhau.Role(role), TokenID: token}
	if p.Role == cuakhau.RoleEnterprise {
		p.TaxCode = t.Enterprise.TaxCode
	}
	return p
}

func readErr(ev *cuakhau.Event, err error) error {
	return fmt.Errorf("entry %d (%s) of trip %s: the logged data cannot be read: %w", ev.Seq, ev.Type, ev.TripID, err)
}
