package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cuakhau/cuakhau"
)

// Page sizes of GET /api/v1/trips.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

// tripList is the answer of GET /api/v1/trips.
type tripList struct {
	Trips []*cuakhau.Trip `json:"trips"`
	// Next is the after= value of the next page, empty on the last one.
	Next string `json:"next"`
}

// eventList is the answer of GET /api/v1/trips/{id}/events.
type eventList struct {
	Events []*cuakhau.Event `json:"events"`
}

// encodedTrips is a TripService that can also answer a declaration or a
// decision with the result's JSON encoding, which it makes anyway for the
// idempotency record: the API then sends those bytes instead of encoding
// the same result a second time. (sqlstore.DB is one.)
type encodedTrips interface {
	DeclareTripJSON(ctx context.Context, p cuakhau.Principal, d cuakhau.Declaration) (*cuakhau.Trip, []byte, error)
	DecideJSON(ctx context.Context, p cuakhau.Principal, tripID string, d cuakhau.Decision) (*cuakhau.DecisionResult, []byte, error)
}

func (a *API) declareTrip(w http.ResponseWriter, r *http.Request) error {
	var d cuakhau.Declaration
	ctx, err := readJSON(w, r, &d)
	if err != nil {
		return err
	}
	var t *cuakhau.Trip
	var encoded []byte
	if et, ok := a.trips.(encodedTrips); ok {
		t, encoded, err = et.DeclareTripJSON(ctx, principalFrom(ctx), d)
	} else {
		t, err = a.trips.DeclareTrip(ctx, principalFrom(ctx), d)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/trips/"+url.PathEscape(t.ID))
	if encoded != nil {
		return writeEncoded(w, http.StatusCreated, encoded)
	}
	return writeJSON(w, http.StatusCreated, t)
}

func (a *API) getTrip(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t, err := a.trips.Trip(ctx, principalFrom(ctx), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

func (a *API) listTrips(w http.ResponseWriter, r *http.Request) error {
	f, err := tripFilter(r.URL.Query())
	if err != nil {
		return err
	}
	ctx := r.Context()
	trips, err := a.trips.Trips(ctx, principalFrom(ctx), f)
	if err != nil {
		return err
	}
	list := tripList{Trips: trips}
	if list.Trips == nil {
		list.Trips = []*cuakhau.Trip{}
	}
	// A full page may be followed by more. Asking the store for one more than
	// the limit would be exact, but the store caps its pages at maxLimit, so a
	// full page of maxLimit would then look like the last one.
	if len(trips) > 0 && len(trips) >= f.Limit {
		list.Next = trips[len(trips)-1].ID
	}
	return writeJSON(w, http.StatusOK, list)
}

// tripFilter reads the query of GET /api/v1/trips (serve has refused any
// parameter it does not read; see queryParams).
func tripFilter(q url.Values) (cuakhau.TripFilter, error) {
	f := cuakhau.TripFilter{
		Gate:    q.Get("gate"),
		Status:  cuakhau.Status(q.Get("status")),
		Plate:   q.Get("plate"),
		Date:    q.Get("date"),
		TaxCode: q.Get("tax_code"),
		After:   q.Get("after"),
		Limit:   defaultLimit,
	}
	fe := cuakhau.FieldErrors{}
	if f.Status != "" && !f.Status.Valid() {
		fe.Add("status", "not a trip status")
	}
	if f.Date != "" {
		if _, err := time.Parse(time.DateOnly, f.Date); err != nil {
			fe.Add("date", "must be a date, YYYY-MM-DD")
		}
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			fe.Add("limit", "must be a whole number from 1 to 1000")
		}
		f.Limit = n
	}
	return f, fe.Err()
}

func (a *API) listEvents(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	events, err := a.trips.TripEvents(ctx, principalFrom(ctx), r.PathValue("id"))
	if err != nil {
		return err
	}
	if events == nil {
		events = []*cuakhau.Event{}
	}
	return writeJSON(w, http.StatusOK, eventList{events})
}

// decide records a checkpoint decision or device reading. It answers 201:
// the decision is a new event in the log.
func (a *API) decide(w http.ResponseWriter, r *http.Request) error {
	var d cuakhau.Decision
	ctx, err := readJSON(w, r, &d)
	if err != nil {
		return err
	}
	if et, ok := a.trips.(encodedTrips); ok {
		res, encoded, err := et.DecideJSON(ctx, principalFrom(ctx), r.PathValue("id"), d)
		if err != nil {
			return err
		}
		if encoded != nil {
			return writeEncoded(w, http.StatusCreated, encoded)
		}
		return writeJSON(w, http.StatusCreated, res)
	}
	res, err := a.trips.Decide(ctx, principalFrom(ctx), r.PathValue("id"), d)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, res)
}
