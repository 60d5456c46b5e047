package httpapi

import (
	"net/http"

	"github.com/cuakhau/cuakhau"
)

// gateList is the answer of GET /api/v1/gates.
type gateList struct {
	Gates []*cuakhau.Gate `json:"gates"`
}

// listGates is public: which gates exist, their hours and the checkpoints a
// truck passes is what a driver or integrator needs before holding a token.
func (a *API) listGates(w http.ResponseWriter, r *http.Request) error {
	gates, err := a.gates.Gates(r.Context())
	if err != nil {
		return err
	}
	if gates == nil {
		gates = []*cuakhau.Gate{}
	}
	return writeJSON(w, http.StatusOK, gateList{gates})
}

func (a *API) getGate(w http.ResponseWriter, r *http.Request) error {
	g, err := a.gates.Gate(r.Context(), r.PathValue("gate"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, g)
}
