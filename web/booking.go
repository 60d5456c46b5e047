package web

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/cuakhau/cuakhau"
)

// bookingView is the calendar of a trip's gate's windows on one day, for
// the direction of the trip, with what each still has free; and what the
// last booking, move or cancellation did, or why it was refused.
type bookingView struct {
	Date       string // YYYY-MM-DD in the gate's time, as asked
	DateErr    string
	Prev, Next string // the days before and after, "" when Date is not a date
	Windows    []windowRow
	// CanBook: the trip is declared and may book; CanMove: it is booked
	// and may move or cancel.
	CanBook, CanMove bool
	// Error is a refusal in the page's language; Detail the service's own
	// words (in English), Nearest the free windows nearest a full one.
	Error   string
	Detail  string
	Nearest []windowRow
	Done    string
}

// windowRow is one window of the calendar.
type windowRow struct {
	Start     string // RFC 3339, the value the forms post
	Text      string // "08:00 – 09:00" in the gate's time
	Day       string // 03/12/2026, for a nearest window of another day
	Available int
	Accepts   int
	Mine      bool
}

func windowRowOf(x *cuakhau.Window, zone string, mine cuakhau.BookedWindow) windowRow {
	s := inZone(x.Start, zone)
	return windowRow{Start: x.Start.UTC().Format(time.RFC3339), Text: s.Format("15:04") + " – " + inZone(x.End, zone).Format("15:04"),
		Day: s.Format("02/01/2006"), Available: x.Available, Accepts: x.Accepts, Mine: !mine.IsZero() && mine.Start.Equal(x.Start)}
}

// bookable reports whether p may book, move or cancel t's window now.
func bookable(p cuakhau.Principal, t *cuakhau.Trip) bool {
	return (t.Status == cuakhau.StatusDeclared || t.Status == cuakhau.StatusBooked) && p.CanBook(t.Enterprise.TaxCode, t.Gate)
}

// fillBooking reads the gate's windows of date (default: the booked
// window's day, else today at the gate) into v.Booking. A date the
// service refuses is named beside the date field.
func (w *Web) fillBooking(r *http.Request, l Lang, p cuakhau.Principal, v *enterpriseTripView, g *cuakhau.Gate, date, done string) error {
	t := v.Trip
	if !bookable(p, t) {
		return nil
	}
	b := &bookingView{Date: date, CanBook: t.Status == cuakhau.StatusDeclared, CanMove: t.Status == cuakhau.StatusBooked}
	if done != "" {
		if _, ok := messages["booking.done."+done]; ok {
			b.Done = l.T("booking.done." + done)
		}
	}
	if b.Date == "" {
		day := w.now()
		if !t.Booking.IsZero() {
			day = t.Booking.Start
		}
		b.Date = inZone(day, g.TimeZone).Format(time.DateOnly)
	}
	if d, err := time.Parse(time.DateOnly, b.Date); err == nil {
		b.Prev, b.Next = d.AddDate(0, 0, -1).Format(time.DateOnly), d.AddDate(0, 0, 1).Format(time.DateOnly)
	}
	ws, err := w.cfg.Queue.Windows(r.Context(), t.Gate, t.Direction, b.Date)
	var ce *cuakhau.Error
	switch {
	case err == nil:
	case errors.As(err, &ce) && ce.Code == cuakhau.EINVALID && ce.Fields["date"] != "":
		b.DateErr = ce.Fields["date"]
	default:
		return err
	}
	for _, x := range ws {
		b.Windows = append(b.Windows, windowRowOf(x, g.TimeZone, t.Booking))
	}
	v.Booking = b
	return nil
}

// book books, moves or cancels a trip's window (do=book|move|cancel, start
// the window's RFC 3339 start) through the queue service, which checks
// it; done, the trip's page again (post, redirect, get); refused, the page
// with the refusal in its language and, for a full window, the nearest
// free ones.
func (w *Web) book(rw http.ResponseWriter, r *http.Request) error {
	p, _ := principalFrom(r.Context())
	t, g, err := w.enterpriseTrip(r, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	l := langOf(rw, r)
	do, date := r.PostFormValue("do"), r.PostFormValue("date")
	start, _ := time.Parse(time.RFC3339, r.PostFormValue("start")) // zero when absent: the service names it
	switch do {
	case "book":
		_, err = w.cfg.Queue.Book(r.Context(), p, t.ID, start)
	case "move":
		_, err = w.cfg.Queue.MoveBooking(r.Context(), p, t.ID, start)
	case "cancel":
		_, err = w.cfg.Queue.CancelBooking(r.Context(), p, t.ID)
	default:
		err = cuakhau.Invalid("do", "one of book, move, cancel")
	}
	if err == nil {
		q := url.Values{"done": {do}, "lang": {l.Code()}}
		if date != "" {
			q.Set("date", date)
		}
		http.Redirect(rw, r, "/enterprise/trips/"+url.PathEscape(t.ID)+"?"+q.Encode(), http.StatusSeeOther)
		return nil
	}
	var ce *cuakhau.Error
	if !errors.As(err, &ce) || (ce.Code != cuakhau.EINVALID && ce.Code != cuakhau.ECONFLICT) {
		return err
	}
	nearest := cuakhau.ErrorDetails(err)
	if t, err = w.cfg.Trips.Trip(r.Context(), p, t.ID); err != nil { // as it stands now
		return err
	}
	v, err := w.enterpriseTripView(r, l, p, t, g)
	if err != nil {
		return err
	}
	if err := w.fillBooking(r, l, p, v, g, date, ""); err != nil {
		return err
	}
	status := http.StatusConflict
	msg := l.T("booking.conflict")
	switch {
	case ce.Code == cuakhau.EINVALID:
		status, msg = http.StatusBadRequest, l.T("booking.invalid")
	case nearest != nil:
		msg = l.T("booking.full")
	}
	v.Cancel = enterpriseCancelForm(r, l, p, t)
	if v.Booking == nil { // no longer bookable: say so above the trip
		v.Booking = &bookingView{}
	}
	v.Booking.Error, v.Booking.Detail = msg, ce.Message
	for f, m := range ce.Fields {
		v.Booking.Detail = f + ": " + m
	}
	for _, x := range nearest {
		v.Booking.Nearest = append(v.Booking.Nearest, windowRowOf(x, g.TimeZone, t.Booking))
	}
	w.render(rw, r, l, status, "enterprise_trip", t.Code, v)
	return nil
}
