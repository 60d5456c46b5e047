package httpapi

import "net/http"

// TrackedClients is how many clients each of an API's limits holds, for the
// tests of their bound.
func TrackedClients(h http.Handler) (open, authFail int) {
	a := h.(*API)
	return a.limits.open.tracked(), a.limits.authFail.tracked()
}
