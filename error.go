package cuakhau

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error codes, mapped to HTTP statuses in one table in httpapi.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	EINTERNAL     = "internal"
	// EUNAVAILABLE is a store that cannot be read or written for now (a full
	// disk, a database restarting or unreachable): nothing was changed, and
	// the same request can succeed once the fault clears.
	EUNAVAILABLE = "unavailable"

	// The protocol's own refusals, which no service makes: a client over its
	// request budget, and a method the path does not take.
	ERATELIMITED      = "rate_limited"
	EMETHODNOTALLOWED = "method_not_allowed"
)

// Error is a domain error: its Code and Message are safe to show to users.
// Any error that is not an *Error is internal: it is logged in full and shown
// as "Internal error.".
type Error struct {
	Code    string
	Message string
	// Fields maps a field path (vehicle.plate, cargo[0].hs_code) to the rule
	// it broke. Set on EINVALID errors.
	Fields map[string]string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns a domain error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of a domain error, or EINTERNAL for any other error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of a domain error, or "Internal error."
// for any other error, so that internal details never reach a client.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorFields returns the per-field rules of a domain error, if any.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// FieldErrors collects validation failures, field path → rule broken.
type FieldErrors map[string]string

// Add records the first rule broken by field.
func (f FieldErrors) Add(field, rule string) {
	if _, ok := f[field]; !ok {
		f[field] = rule
	}
}

// Err returns nil when nothing was added, otherwise an EINVALID *Error whose
// message lists every "field: rule" in field order.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + f[k]
	}
	fields := make(map[string]string, len(f))
	for k, v := range f {
		fields[k] = v
	}
	return &Error{Code: EINVALID, Message: strings.Join(parts, "; "), Fields: fields}
}

// Invalid returns an EINVALID error for a single field.
func Invalid(field, rule string) error {
	f := FieldErrors{}
	f.Add(field, rule)
	return f.Err()
}
