package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/cuakhau/cuakhau"
)

// codeStatus is the one table from domain error codes to HTTP statuses.
// A code not in it is treated as internal.
var codeStatus = map[string]int{
	cuakhau.EINVALID:      http.StatusBadRequest,
	cuakhau.EUNAUTHORIZED: http.StatusUnauthorized,
	cuakhau.EFORBIDDEN:    http.StatusForbidden,
	cuakhau.ENOTFOUND:     http.StatusNotFound,
	cuakhau.ECONFLICT:     http.StatusConflict,
	cuakhau.EINTERNAL:     http.StatusInternalServerError,
	cuakhau.EUNAVAILABLE:  http.StatusServiceUnavailable,

	cuakhau.ERATELIMITED:      http.StatusTooManyRequests,
	cuakhau.EMETHODNOTALLOWED: http.StatusMethodNotAllowed,
}

// unavailableRetry is the Retry-After of an EUNAVAILABLE answer: about the
// time a PostgreSQL restart or a fail-over takes, short enough that a client
// retrying after it loses little once the store is back.
const unavailableRetry = 2 * time.Second

// errNotReady marks a failed readiness check, answered 503 so that a load
// balancer takes the instance out rather than treating it as broken.
var errNotReady = errors.New("not ready")

// errorBody is the JSON shape of every error answer.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	// Details carries what a client can act on besides the message: for a
	// full window, the nearest windows with places.
	Details *errorDetails `json:"details,omitempty"`
}

type errorDetails struct {
	NearestWindows []*cuakhau.Window `json:"nearest_windows"`
}

// status returns the HTTP status and the code to show for err. Two causes
// refine the table without new codes: a body over the limit is still an
// invalid request (so clients need no new code) but gets 413 so that proxies
// and clients see what happened, and a failed readiness check gets 503.
func status(err error) (int, string) {
	code := cuakhau.ErrorCode(err)
	st, ok := codeStatus[code]
	if !ok {
		code, st = cuakhau.EINTERNAL, http.StatusInternalServerError
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		st = http.StatusRequestEntityTooLarge
	case errors.Is(err, errNotReady):
		st = http.StatusServiceUnavailable
	case code == cuakhau.EINVALID && errors.As(err, new(unprocessable)):
		st = http.StatusUnprocessableEntity
	}
	return st, code
}

// writeError is the one place that turns an error into a response. Internal
// errors are logged in full and shown as "Internal error." ("bad input gets a
// clear error", docs/principles.md): their text may name tables, paths or SQL.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	st, code := status(err)
	d := errorDetail{Code: code, Message: cuakhau.ErrorMessage(err), Fields: cuakhau.ErrorFields(err)}
	if ws := cuakhau.ErrorDetails(err); ws != nil {
		d.Details = &errorDetails{NearestWindows: ws}
	}
	if code == cuakhau.EINTERNAL {
		level, msg := slog.LevelError, "internal error"
		d.Message, d.Fields, d.Details = "Internal error.", nil, nil
		if errors.Is(err, errNotReady) {
			level, msg = slog.LevelWarn, "not ready"
			d.Message = "Not ready."
		}
		a.logger.LogAttrs(r.Context(), level, msg, append(requestAttrs(r), slog.Any("err", err))...)
	}
	if code == cuakhau.EUNAVAILABLE {
		// The client sees only that storage is unavailable; the operator
		// needs the driver's cause.
		a.logger.LogAttrs(r.Context(), slog.LevelWarn, "storage unavailable", append(requestAttrs(r), slog.Any("err", err))...)
	}
	info := infoFrom(r.Context())
	if info != nil && info.w.wroteHeader {
		// The answer has begun; a second one would corrupt it. The log line
		// above (or this one) is all that can be done.
		if code != cuakhau.EINTERNAL {
			a.logger.LogAttrs(r.Context(), slog.LevelError, "error after response started",
				append(requestAttrs(r), slog.Any("err", err))...)
		}
		return
	}
	if st == http.StatusUnauthorized {
		// RFC 6750: a 401 names the scheme to use, and says whether the
		// token sent was refused or none was sent.
		challenge := `Bearer realm="cuakhau"`
		if r.Header.Get("Authorization") != "" {
			challenge += `, error="invalid_token"`
		}
		w.Header().Set("WWW-Authenticate", challenge)
	}
	var th *throttled
	if errors.As(err, &th) {
		w.Header().Set("Retry-After", retryAfter(th.wait))
	} else if code == cuakhau.EUNAVAILABLE {
		w.Header().Set("Retry-After", retryAfter(unavailableRetry))
	}
	if err := writeJSON(w, st, errorBody{d}); err != nil {
		a.logger.LogAttrs(r.Context(), slog.LevelError, "write error response",
			append(requestAttrs(r), slog.Any("err", err))...)
	}
}

// writeJSON writes v as the whole response. It encodes before writing the
// header so that an encoding failure can still become a 500.
//
// Every answer is encoding/json's default encoding (json.Marshal's, which
// escapes <, > and & as \u003c, \u003e, \u0026) followed by a newline: it
// is what the store makes of a result it also keeps (a trip's projection,
// an idempotency record) and what writeEncoded sends, so that a trip reads
// byte for byte the same whether it comes from the POST that made it, a
// retry of that POST or a GET. (json.RawMessage parts, such as an event's
// data, are escaped the same way, so one answer never mixes the two.)
func writeJSON(w http.ResponseWriter, status int, v any) error {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		return err
	}
	writeBody(w, status, buf.Bytes())
	return nil
}

// writeEncoded answers with a result that the service has already encoded
// (json.Marshal of it), ended by a newline as writeJSON's answers are:
// the same bytes writeJSON would write.
func writeEncoded(w http.ResponseWriter, status int, encoded []byte) error {
	body := make([]byte, 0, len(encoded)+1)
	writeBody(w, status, append(append(body, encoded...), '\n'))
	return nil
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	// A failed write means the client has gone; there is no one to tell.
	_, _ = w.Write(body)
}
