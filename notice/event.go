package notice

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/cuakhau/cuakhau"
)

// Of are the notices a trip's event causes, t being the trip after it and
// loc its gate's zone: a call tells the driver to come, a moved booking
// confirms the new window, a late arrival or a missed window says the
// booking is lost. The store writes them with the event and `cuakhau
// verify` rebuilds them from the log, both from here. (An advisory's
// notices go to trips the event does not name: Advisory, ShelfLifeHoldOf.)
func Of(ev *cuakhau.Event, t *cuakhau.Trip, loc *time.Location) []Notice {
	truck := Args{Plate: t.Vehicle.Plate, Code: t.Code}
	switch ev.Type {
	case cuakhau.EventCalled:
		truck.Gate = t.Gate
		return []Notice{{Called, truck}}
	case cuakhau.EventBookingMoved:
		if t.Booking.IsZero() {
			return nil
		}
		truck.Gate, truck.At = t.Gate, t.Booking.Start.In(loc)
		return []Notice{{BookingMoved, truck}}
	case cuakhau.EventArrived:
		var a cuakhau.ArrivalData
		if json.Unmarshal(ev.Data, &a) != nil || !a.Late {
			return nil
		}
		return []Notice{{BookingLostLate, truck}}
	case cuakhau.EventBookingReleased:
		// A release for a hold at origin is told by the advisory's notice
		// (ShelfLifeHoldOf); one for new hours, here.
		var b struct {
			WindowStart time.Time      `json:"window_start"`
			Hours       *cuakhau.Hours `json:"hours"`
		}
		if json.Unmarshal(ev.Data, &b) != nil || b.Hours == nil {
			return nil
		}
		truck.Gate, truck.Hours, truck.Window = t.Gate, b.Hours.String(), b.WindowStart.In(loc)
		return []Notice{{BookingReleasedHours, truck}}
	case cuakhau.EventNoShow:
		if len(ev.Data) == 0 {
			return nil // an operator's no-show, not the sweep's: no booking was lost
		}
		return []Notice{{BookingLostNoShow, truck}}
	}
	return nil
}

// AdvisoryOf is the notice an advisory in force sends each trip on its
// way: the advisory's text as its event recorded it, in each language.
func AdvisoryOf(rec cuakhau.AdvisoryRecord) Notice {
	return Notice{Advisory, Args{Advisory: &Texts{VI: rec.Text, EN: rec.TextEN, ZH: rec.TextZH}}}
}

// ShelfLifeHoldOf is the notice telling trip t to hold at origin: its load
// lasts until (shown in loc), less than need, the wait and crossing the
// gate's policy predicts. released is the start of the window whose booking
// the trip gives up with the hold; zero when it gave up none.
func ShelfLifeHoldOf(t *cuakhau.Trip, until time.Time, need time.Duration, released time.Time, loc *time.Location) Notice {
	a := Args{Plate: t.Vehicle.Plate, Code: t.Code, At: until.In(loc), Wait: need}
	if released.IsZero() {
		return Notice{ShelfLifeHold, a}
	}
	a.Window = released.In(loc)
	return Notice{ShelfLifeHoldReleased, a}
}

// AdviceText is an advisory's text in lang: the heading, then its clauses
// (the Advisory* keys) in order, as lang runs sentences together.
func AdviceText(lang Lang, clauses []Notice) string {
	sep := " "
	if lang == ZH {
		sep = ""
	}
	parts := []string{Render(lang, Notice{Key: AdvisoryHeading})}
	for _, c := range clauses {
		parts = append(parts, Render(lang, c))
	}
	return strings.Join(parts, sep)
}
