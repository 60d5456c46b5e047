package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/httpapi"
	"github.com/cuakhau/cuakhau/stats"
)

// TestDailyStats: a truck that crosses is in the day's statistics at once,
// read by leadership and by the gate's officers, not by an enterprise or
// another gate's officer; bad ranges and unknown parameters are 400 naming
// the field.
func TestDailyStats(t *testing.T) {
	e := newEnv(t, func(c *httpapi.Config) { c.Stats = c.Trips.(stats.Source) })
	e.crossExample(t)
	const day = "/api/v1/stats/daily?from=2026-11-30&to=2026-11-30"

	p := decode[stats.Period](t, e.do(t, "GET", day, "viewer", nil), http.StatusOK)
	if len(p.Days) != 1 || p.Days[0].Gate != "huu-nghi" || p.Days[0].Direction != cuakhau.Export || p.Days[0].Trucks != 1 ||
		p.Days[0].ValueUSDCents != 5400000 || p.Days[0].GrossKg != 18000 {
		t.Errorf("days: %+v", p.Days)
	}
	if len(p.Chapters) != 1 || p.Chapters[0].Chapter != "08" || len(p.Months) != 1 || p.Months[0].Month != "2026-11" || p.Months[0].Trucks != 1 {
		t.Errorf("chapters %+v, months %+v", p.Chapters, p.Months)
	}
	if p.Clearance.Crossed != 1 || !strings.HasPrefix(p.Summary, "Trung bình khoảng 1 lượt xe/ngày, cao điểm 1 lượt xe/ngày") {
		t.Errorf("clearance %+v, summary %q", p.Clearance, p.Summary)
	}
	if len(p.Hours) != 24 || len(p.WaitsByDay) != 0 {
		t.Errorf("a day: %d hours, waits by day %+v unasked", len(p.Hours), p.WaitsByDay)
	}
	if w := decode[stats.Period](t, e.do(t, "GET", day+"&waits_by_day=true", "viewer", nil), http.StatusOK); w.Clearance.Crossed != 1 {
		t.Errorf("with waits by day: %+v", w.Clearance)
	}
	// Filters narrow the same figures.
	for path, want := range map[string]int64{
		day + "&gate=huu-nghi&direction=export":             1,
		day + "&direction=import":                           0,
		day + "&gate=tan-thanh":                             0,
		"/api/v1/stats/daily?from=2026-12-01&to=2026-12-31": 0,
	} {
		if got := decode[stats.Period](t, e.do(t, "GET", path, "admin", nil), http.StatusOK); got.Totals.Now.Trucks != want {
			t.Errorf("%s: %d trucks, want %d", path, got.Totals.Now.Trucks, want)
		}
	}

	// Who may read them.
	decode[stats.Period](t, e.do(t, "GET", day+"&gate=huu-nghi", "customs", nil), http.StatusOK)
	wantError(t, e.do(t, "GET", day+"&gate=huu-nghi", "customs-tan-thanh", nil), http.StatusForbidden, cuakhau.EFORBIDDEN)
	wantError(t, e.do(t, "GET", day, "enterprise", nil), http.StatusForbidden, cuakhau.EFORBIDDEN)
	wantError(t, e.do(t, "GET", day, "", nil), http.StatusUnauthorized, cuakhau.EUNAUTHORIZED)

	// Bad input.
	for path, field := range map[string]string{
		"/api/v1/stats/daily?to=2026-11-30":                 "from",
		"/api/v1/stats/daily?from=2026-11-31&to=2026-12-01": "from",
		"/api/v1/stats/daily?from=2026-12-02&to=2026-12-01": "from",
		"/api/v1/stats/daily?from=2020-01-01&to=2025-01-01": "to",
		day + "&gate=nowhere":                               "gate",
		day + "&direction=sideways":                         "direction",
		day + "&dir=export":                                 "dir",
		day + "&waits_by_day=yes":                           "waits_by_day",
	} {
		wantError(t, e.do(t, "GET", path, "viewer", nil), http.StatusBadRequest, cuakhau.EINVALID, field)
	}
	// Five years less a day is allowed.
	decode[stats.Period](t, e.do(t, "GET", "/api/v1/stats/daily?from=2020-01-01&to=2024-12-31", "viewer", nil), http.StatusOK)
}

// TestSoldOffLoads: a cancellation marked sold off is answered with the
// mark on the trip and in the event's data, and the day's statistics carry
// the load, its value and weight next to the spoiled loads; the mark on
// anything but a cancellation of perishable cargo, or not a boolean, is
// 400 naming sold_off.
func TestSoldOffLoads(t *testing.T) {
	e := newEnv(t, func(c *httpapi.Config) { c.Stats = c.Trips.(stats.Source) })
	trip := e.declare(t, "enterprise", example(t))
	res := e.decide(t, "enterprise", trip.ID, map[string]any{"outcome": "cancel", "sold_off": true})
	if !res.Trip.SoldOff || res.Trip.Status != cuakhau.StatusCancelled || string(res.Event.Data) != `{"sold_off":true}` {
		t.Errorf("answer: trip %s sold_off %v, event data %s", res.Trip.Status, res.Trip.SoldOff, res.Event.Data)
	}
	if got := decode[*cuakhau.Trip](t, e.do(t, "GET", "/api/v1/trips/"+trip.ID, "admin", nil), http.StatusOK); !got.SoldOff {
		t.Error("the trip as read again is not marked sold off")
	}
	plain := e.declare(t, "enterprise", example(t, "vehicle.plate", "12C45678"))
	e.decide(t, "operator", plain.ID, map[string]any{"outcome": "cancel", "note": "Đổi kế hoạch"})

	const day = "/api/v1/stats/daily?from=2026-11-30&to=2026-11-30"
	p := decode[stats.Period](t, e.do(t, "GET", day, "viewer", nil), http.StatusOK)
	if c := p.Clearance; c.SoldOff != 1 || c.SoldOffValueUSDCents != 5400000 || c.SoldOffGrossKg != 18000 || c.Spoiled != 0 {
		t.Errorf("clearance %+v, want 1 load sold off of 5400000 cents and 18000 kg", c)
	}
	if len(p.SoldOffDays) != 1 || p.SoldOffDays[0].Day.String() != "2026-11-30" || p.SoldOffDays[0].Gate != "huu-nghi" ||
		p.SoldOffDays[0].Direction != cuakhau.Export || p.SoldOffDays[0].Loads != 1 || p.SoldOffDays[0].ValueUSDCents != 5400000 {
		t.Errorf("sold_off_days %+v", p.SoldOffDays)
	}
	for path, want := range map[string]int{day + "&gate=huu-nghi&direction=export": 1, day + "&direction=import": 0, day + "&gate=tan-thanh": 0} {
		if got := decode[stats.Period](t, e.do(t, "GET", path, "admin", nil), http.StatusOK); got.Clearance.SoldOff != want {
			t.Errorf("%s: %d sold off, want %d", path, got.Clearance.SoldOff, want)
		}
	}

	timber := e.declare(t, "enterprise", example(t, "vehicle.plate", "12C45679", "cargo.0.hs_code", "4407.99",
		"cargo.0.perishable", false, "cargo.0.shelf_life_hours", deleteField))
	waiting := e.declare(t, "enterprise", example(t, "vehicle.plate", "12C45680"))
	for _, c := range []struct {
		token, id string
		body      any
	}{
		{"enterprise", timber.ID, map[string]any{"outcome": "cancel", "sold_off": true}},
		{"operator", waiting.ID, map[string]any{"checkpoint": "entry", "outcome": "pass", "sold_off": true}},
		{"enterprise", waiting.ID, map[string]any{"outcome": "cancel", "sold_off": "yes"}},
	} {
		wantError(t, e.do(t, "POST", "/api/v1/trips/"+c.id+"/events", c.token, c.body), http.StatusBadRequest, cuakhau.EINVALID, "sold_off")
	}
	if p := decode[stats.Period](t, e.do(t, "GET", day, "viewer", nil), http.StatusOK); p.Clearance.SoldOff != 1 {
		t.Errorf("after the refusals: %d sold off, want 1", p.Clearance.SoldOff)
	}
}
