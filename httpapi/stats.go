package httpapi

import (
	"net/http"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/stats"
)

// getDailyStats is GET /api/v1/stats/daily: a range's statistics per day
// and month, by HS chapter, with its totals against the same period a year
// earlier and its clearance times (stats.Period).
func (a *API) getDailyStats(w http.ResponseWriter, r *http.Request) error {
	if a.statsSrc == nil {
		return cuakhau.Errorf(cuakhau.EINTERNAL, "statistics are not configured")
	}
	q := r.URL.Query()
	rng, err := stats.ParseRange(q.Get("from"), q.Get("to"))
	if err != nil {
		return err
	}
	var waits bool
	switch q.Get("waits_by_day") {
	case "", "false":
	case "true":
		waits = true
	default:
		return cuakhau.Invalid("waits_by_day", "true or false")
	}
	ctx := r.Context()
	p, err := a.statsSrc.Stats(ctx, principalFrom(ctx), stats.Query{
		Range: rng, Gate: q.Get("gate"), Direction: cuakhau.Direction(q.Get("direction")), WaitsByDay: waits,
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}
