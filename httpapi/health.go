package httpapi

import (
	"fmt"
	"net/http"

	"github.com/cuakhau/cuakhau/api"
)

// healthz answers as long as the process serves HTTP: a liveness probe that
// fails only when restarting would help.
func (a *API) healthz(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 only when requests can succeed: the store is reachable
// and its migrations are applied. A failure is 503 so that a load balancer
// stops sending traffic until it clears.
func (a *API) readyz(w http.ResponseWriter, r *http.Request) error {
	if a.ready != nil {
		if err := a.ready(r.Context()); err != nil {
			return fmt.Errorf("%w: %w", errNotReady, err)
		}
	}
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// serveSpec publishes the API's contract, the same bytes the tests check.
func serveSpec(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(api.Spec)
	return nil
}
