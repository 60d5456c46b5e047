package httpapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cuakhau/cuakhau"
)

// bookingRequest is the body of POST and PUT /api/v1/trips/{id}/booking.
// gate and direction are optional checks against the trip's own.
type bookingRequest struct {
	WindowStart *time.Time        `json:"window_start"`
	Gate        string            `json:"gate,omitempty"`
	Direction   cuakhau.Direction `json:"direction,omitempty"`
}

// windowList is the answer of GET /api/v1/gates/{gate}/windows.
type windowList struct {
	Gate      string            `json:"gate"`
	Direction cuakhau.Direction `json:"direction"`
	Date      string            `json:"date"`
	Windows   []*cuakhau.Window `json:"windows"`
}

func (a *API) queue() (cuakhau.QueueService, error) {
	if a.queueSvc == nil {
		return nil, fmt.Errorf("httpapi: no QueueService configured")
	}
	return a.queueSvc, nil
}

// listWindows is public: which windows have places is what a company needs
// to plan, and it names no trip.
func (a *API) listWindows(w http.ResponseWriter, r *http.Request) error {
	q, err := a.queue()
	if err != nil {
		return err
	}
	v := r.URL.Query()
	fe := cuakhau.FieldErrors{}
	if v.Get("date") == "" {
		fe.Add("date", "required, YYYY-MM-DD")
	}
	if v.Get("direction") == "" {
		fe.Add("direction", "required")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	d := cuakhau.Direction(v.Get("direction"))
	ws, err := q.Windows(r.Context(), r.PathValue("gate"), d, v.Get("date"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, windowList{Gate: r.PathValue("gate"), Direction: d, Date: v.Get("date"), Windows: ws})
}

// book books (POST, 201) or moves (PUT, 200) a trip's booking.
func (a *API) book(w http.ResponseWriter, r *http.Request) error {
	q, err := a.queue()
	if err != nil {
		return err
	}
	var req bookingRequest
	ctx, err := readJSON(w, r, &req)
	if err != nil {
		return err
	}
	if req.WindowStart == nil {
		return cuakhau.Invalid("window_start", "required, an RFC 3339 instant")
	}
	p := principalFrom(ctx)
	id := r.PathValue("id")
	if req.Gate != "" || req.Direction != "" {
		t, err := a.trips.Trip(ctx, p, id)
		if err != nil {
			return err
		}
		fe := cuakhau.FieldErrors{}
		if req.Gate != "" && req.Gate != t.Gate {
			fe.Add("gate", fmt.Sprintf("trip %s crosses at %s, not %s", t.Code, t.Gate, req.Gate))
		}
		if req.Direction != "" && req.Direction != t.Direction {
			fe.Add("direction", fmt.Sprintf("trip %s is %s, not %s", t.Code, t.Direction, req.Direction))
		}
		if err := fe.Err(); err != nil {
			return err
		}
	}
	if r.Method == http.MethodPut {
		res, err := q.MoveBooking(ctx, p, id, *req.WindowStart)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, res)
	}
	res, err := q.Book(ctx, p, id, *req.WindowStart)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, res)
}

// readKey reads the Idempotency-Key of a request that takes no body (DELETE,
// a check-in), refusing a body other than nothing or {}.
func readKey(w http.ResponseWriter, r *http.Request) (context.Context, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		return nil, cuakhau.Invalid("body", "could not be read")
	}
	if len(body) > 0 {
		var none struct{}
		if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
			return nil, err
		}
		if err := decodeStrict(body, &none); err != nil {
			return nil, err
		}
	}
	key, err := idempotencyKey(r.Header.Values("Idempotency-Key"))
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	if key != "" {
		ctx = cuakhau.WithIdempotency(ctx, cuakhau.Idempotency{Key: key, RequestHash: requestHash(r, body)})
	}
	return ctx, nil
}

func (a *API) cancelBooking(w http.ResponseWriter, r *http.Request) error {
	return queueKeyed(a, w, r, http.StatusOK, func(ctx context.Context, q cuakhau.QueueService, p cuakhau.Principal) (*cuakhau.BookingResult, error) {
		return q.CancelBooking(ctx, p, r.PathValue("id"))
	})
}

func (a *API) arrive(w http.ResponseWriter, r *http.Request) error {
	return queueKeyed(a, w, r, http.StatusCreated, func(ctx context.Context, q cuakhau.QueueService, p cuakhau.Principal) (*cuakhau.ArrivalResult, error) {
		return q.Arrive(ctx, p, r.PathValue("id"))
	})
}

func (a *API) getQueue(w http.ResponseWriter, r *http.Request) error {
	q, err := a.queue()
	if err != nil {
		return err
	}
	ctx := r.Context()
	v, err := q.Queue(ctx, principalFrom(ctx), r.PathValue("gate"), queueFilter(r.URL.Query()))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

// queueFilter reads the query of GET /api/v1/gates/{gate}/queue. Its rules
// are the service's (cuakhau.QueueFilter.Validate), so that a bad limit and
// a bad class are named in one answer.
func queueFilter(q url.Values) cuakhau.QueueFilter {
	f := cuakhau.QueueFilter{Direction: cuakhau.Direction(q.Get("direction")), Class: q.Get("class"), Cursor: q.Get("cursor")}
	if q.Has("limit") {
		n, err := strconv.Atoi(q.Get("limit"))
		if err != nil || n == 0 {
			n = -1 // not a page size: breaks the rule Validate names
		}
		f.Limit = n
	}
	return f
}

func (a *API) call(w http.ResponseWriter, r *http.Request) error {
	return queueBody(a, w, r, http.StatusCreated, func(ctx context.Context, q cuakhau.QueueService, p cuakhau.Principal, req cuakhau.CallRequest) (*cuakhau.CallResult, error) {
		return q.Call(ctx, p, r.PathValue("gate"), req)
	})
}

func (a *API) publicWaits(w http.ResponseWriter, r *http.Request) error {
	q, err := a.queue()
	if err != nil {
		return err
	}
	v, err := q.PublicWaits(r.Context())
	if err != nil {
		return err
	}
	cps, err := a.checkpoints(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		*cuakhau.PublicWaits
		Checkpoints []gateCheckpoint `json:"checkpoints,omitempty"`
	}{v, cps})
}

func (a *API) setControls(w http.ResponseWriter, r *http.Request) error {
	return queueBody(a, w, r, http.StatusOK, func(ctx context.Context, q cuakhau.QueueService, p cuakhau.Principal, u cuakhau.ControlsUpdate) (*cuakhau.GateControls, error) {
		return q.SetControls(ctx, p, r.PathValue("gate"), u)
	})
}

func (a *API) setCapacity(w http.ResponseWriter, r *http.Request) error {
	return queueBody(a, w, r, http.StatusOK, func(ctx context.Context, q cuakhau.QueueService, p cuakhau.Principal, u cuakhau.CapacityUpdate) (*cuakhau.GateControls, error) {
		return q.SetOtherSideCapacity(ctx, p, r.PathValue("gate"), u)
	})
}

// withdrawCapacity withdraws the other side's announced capacity.
func (a *API) withdrawCapacity(w http.ResponseWriter, r *http.Request) error {
	return queueKeyed(a, w, r, http.StatusOK, func(ctx context.Context, q cuakhau.QueueService, p cuakhau.Principal) (*cuakhau.GateControls, error) {
		return q.WithdrawOtherSideCapacity(ctx, p, r.PathValue("gate"))
	})
}

// setPriority sets or clears a trip's statutory priority before arrival.
func (a *API) setPriority(w http.ResponseWriter, r *http.Request) error {
	return queueBody(a, w, r, http.StatusOK, func(ctx context.Context, q cuakhau.QueueService, p cuakhau.Principal, u cuakhau.PriorityUpdate) (*cuakhau.DecisionResult, error) {
		return q.SetPriority(ctx, p, r.PathValue("id"), u)
	})
}

// queueBody is the shape of the queue's routes that take a JSON body: decode
// it into a Req (with the request's idempotency key in ctx), call the queue
// service as the request's principal, answer with status.
func queueBody[Req, Res any](a *API, w http.ResponseWriter, r *http.Request, status int,
	fn func(context.Context, cuakhau.QueueService, cuakhau.Principal, Req) (Res, error)) error {
	q, err := a.queue()
	if err != nil {
		return err
	}
	var req Req
	ctx, err := readJSON(w, r, &req)
	if err != nil {
		return err
	}
	res, err := fn(ctx, q, principalFrom(ctx), req)
	if err != nil {
		return err
	}
	return writeJSON(w, status, res)
}

// queueKeyed is queueBody for the routes that take no body (DELETE, a
// check-in) but do take an idempotency key.
func queueKeyed[Res any](a *API, w http.ResponseWriter, r *http.Request, status int,
	fn func(context.Context, cuakhau.QueueService, cuakhau.Principal) (Res, error)) error {
	q, err := a.queue()
	if err != nil {
		return err
	}
	ctx, err := readKey(w, r)
	if err != nil {
		return err
	}
	res, err := fn(ctx, q, principalFrom(ctx))
	if err != nil {
		return err
	}
	return writeJSON(w, status, res)
}
