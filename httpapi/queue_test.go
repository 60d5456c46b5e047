package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/cuakhau/cuakhau"
)

// nine is the 09:00 window of the day after testNow, at the gate.
const nine = "2026-12-01T09:00:00+07:00"

type windowList struct {
	Windows []*cuakhau.Window `json:"windows"`
}

type fullError struct {
	Error struct {
		Code    string `json:"code"`
		Details struct {
			NearestWindows []*cuakhau.Window `json:"nearest_windows"`
		} `json:"details"`
	} `json:"error"`
}

func TestBookingOverHTTP(t *testing.T) {
	e := newEnv(t)
	trip := e.declare(t, "enterprise", example(t))

	ws := decode[windowList](t, e.do(t, "GET", "/api/v1/gates/huu-nghi/windows?date=2026-12-01&direction=export", "", nil), http.StatusOK)
	if len(ws.Windows) != 13 || ws.Windows[0].Available == 0 {
		t.Fatalf("windows: %d, first %+v; want 13 open windows 07:00–20:00", len(ws.Windows), ws.Windows[0])
	}
	wantError(t, e.do(t, "GET", "/api/v1/gates/huu-nghi/windows?direction=export", "", nil), 400, "invalid", "date")
	wantError(t, e.do(t, "GET", "/api/v1/gates/huu-nghi/windows?date=2026-13-01&direction=export", "", nil), 400, "invalid", "date")
	wantError(t, e.do(t, "GET", "/api/v1/gates/nowhere/windows?date=2026-12-01&direction=export", "", nil), 404, "not_found")

	path := "/api/v1/trips/" + trip.ID + "/booking"
	body := map[string]any{"window_start": nine}
	first := e.do(t, "POST", path, "enterprise", body, "Idempotency-Key", "book-1")
	res := decode[cuakhau.BookingResult](t, first, http.StatusCreated)
	if res.Trip.Status != cuakhau.StatusBooked || res.Event.Type != cuakhau.EventBooked {
		t.Errorf("booked: status %s, event %s", res.Trip.Status, res.Event.Type)
	}
	again := e.do(t, "POST", path, "enterprise", body, "Idempotency-Key", "book-1")
	if again.Status != http.StatusCreated || string(again.Body) != string(first.Body) {
		t.Errorf("retry: %d %s; want the first answer", again.Status, again.Body)
	}
	wantError(t, e.do(t, "POST", path, "enterprise", body), 409, "conflict")

	// Bad input: each a 4xx naming the field, nothing changed.
	other := e.declare(t, "enterprise", example(t))
	opath := "/api/v1/trips/" + other.ID + "/booking"
	before := len(e.events(t, other.ID))
	for _, c := range []struct {
		name  string
		body  any
		field string
	}{
		{"not aligned", map[string]any{"window_start": "2026-12-01T09:17:00+07:00"}, "window_start"},
		{"outside hours", map[string]any{"window_start": "2026-12-01T22:00:00+07:00"}, "window_start"},
		{"past", map[string]any{"window_start": "2026-11-29T09:00:00+07:00"}, "window_start"},
		{"beyond horizon", map[string]any{"window_start": "2027-01-20T09:00:00+07:00"}, "window_start"},
		{"wrong gate", map[string]any{"window_start": nine, "gate": "tan-thanh"}, "gate"},
		{"wrong direction", map[string]any{"window_start": nine, "direction": "import"}, "direction"},
		{"not a time", map[string]any{"window_start": "tomorrow"}, "window_start"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, e.do(t, "POST", opath, "enterprise", c.body), 400, "invalid", c.field)
		})
	}
	if after := len(e.events(t, other.ID)); after != before {
		t.Errorf("refused bookings appended %d events", after-before)
	}
	wantError(t, e.do(t, "POST", opath, "enterprise-b", body), 403, "forbidden")
	wantError(t, e.do(t, "POST", "/api/v1/trips/nope/booking", "enterprise", body), 404, "not_found")

	// Move, then cancel.
	moved := decode[cuakhau.BookingResult](t, e.do(t, "PUT", path, "enterprise", map[string]any{"window_start": "2026-12-01T10:00:00+07:00"}), http.StatusOK)
	if moved.Event.Type != cuakhau.EventBookingMoved {
		t.Errorf("move event %s", moved.Event.Type)
	}
	wantError(t, e.do(t, "PUT", opath, "enterprise", body), 409, "conflict") // not booked
	cancelled := decode[cuakhau.BookingResult](t, e.do(t, "DELETE", path, "enterprise", nil, "Idempotency-Key", "cancel-1"), http.StatusOK)
	if cancelled.Trip.Status != cuakhau.StatusDeclared {
		t.Errorf("after cancel: %s", cancelled.Trip.Status)
	}
	wantError(t, e.do(t, "DELETE", path, "enterprise", nil), 409, "conflict")

	// A full window: 409 with the nearest free windows.
	decode[cuakhau.GateControls](t, e.do(t, "PUT", "/api/v1/gates/huu-nghi/controls", "operator", map[string]any{"lanes": map[string]int{"entry": 1}}), http.StatusOK)
	ws = decode[windowList](t, e.do(t, "GET", "/api/v1/gates/huu-nghi/windows?date=2026-12-01&direction=export", "", nil), http.StatusOK)
	for range ws.Windows[2].Available {
		tr := e.declare(t, "enterprise", example(t))
		decode[cuakhau.BookingResult](t, e.do(t, "POST", "/api/v1/trips/"+tr.ID+"/booking", "enterprise", body), http.StatusCreated)
	}
	r := e.do(t, "POST", opath, "enterprise", body)
	wantError(t, r, 409, "conflict")
	var fe fullError
	if err := json.Unmarshal(r.Body, &fe); err != nil {
		t.Fatal(err)
	}
	if n := fe.Error.Details.NearestWindows; len(n) == 0 || n[0].Available == 0 {
		t.Errorf("full window: nearest %+v; want free windows", n)
	}
}

func TestQueueOverHTTP(t *testing.T) {
	e := newEnv(t)
	a := e.declare(t, "enterprise", example(t))
	b := e.declare(t, "enterprise", example(t))
	c := e.declare(t, "enterprise", example(t))

	// Controls and capacity: bad input first.
	wantError(t, e.do(t, "PUT", "/api/v1/gates/huu-nghi/controls", "operator", map[string]any{"lanes": map[string]int{"entry": -1}}), 400, "invalid", "lanes.entry")
	wantError(t, e.do(t, "PUT", "/api/v1/gates/huu-nghi/controls", "operator", map[string]any{"lanes": map[string]int{"moon": 1}}), 400, "invalid", "lanes.moon")
	wantError(t, e.do(t, "PUT", "/api/v1/gates/huu-nghi/controls", "operator", map[string]any{"policy": "bribes"}), 400, "invalid", "policy")
	wantError(t, e.do(t, "PUT", "/api/v1/gates/huu-nghi/controls", "viewer", map[string]any{"room": 2}), 403, "forbidden")
	ctl := decode[cuakhau.GateControls](t, e.do(t, "PUT", "/api/v1/gates/huu-nghi/controls", "operator",
		map[string]any{"room": 1, "policy": "fifo", "reason": "một làn bảo trì"}, "Idempotency-Key", "ctl-1"), http.StatusOK)
	if ctl.Room != 1 || ctl.Policy != "fifo" {
		t.Errorf("controls %+v", ctl)
	}
	wantError(t, e.do(t, "PUT", "/api/v1/gates/huu-nghi/capacity", "operator", map[string]any{"trucks_per_day": -5}), 400, "invalid", "trucks_per_day")
	decode[cuakhau.GateControls](t, e.do(t, "PUT", "/api/v1/gates/huu-nghi/capacity", "operator", map[string]any{"trucks_per_day": 900}), http.StatusOK)

	// Arrivals.
	for _, tr := range []*cuakhau.Trip{a, b} {
		res := decode[cuakhau.ArrivalResult](t, e.do(t, "POST", "/api/v1/trips/"+tr.ID+"/arrival", "operator", nil, "Idempotency-Key", "arr-"+tr.ID), http.StatusCreated)
		if res.Trip.Status != cuakhau.StatusArrived || res.Entry.Class != cuakhau.ClassLive {
			t.Errorf("arrival: %s, %+v", res.Trip.Status, res.Entry)
		}
	}
	wantError(t, e.do(t, "POST", "/api/v1/trips/"+a.ID+"/arrival", "operator", nil), 409, "conflict")
	wantError(t, e.do(t, "POST", "/api/v1/trips/nope/arrival", "operator", nil), 404, "not_found")
	wantError(t, e.do(t, "POST", "/api/v1/trips/"+c.ID+"/arrival", "enterprise", nil), 403, "forbidden")
	e.decide(t, "enterprise", c.ID, map[string]any{"outcome": "cancel"})
	wantError(t, e.do(t, "POST", "/api/v1/trips/"+c.ID+"/arrival", "operator", map[string]any{}), 409, "conflict")

	q := decode[cuakhau.QueueView](t, e.do(t, "GET", "/api/v1/gates/huu-nghi/queue", "operator", nil), http.StatusOK)
	if len(q.Entries) != 2 || q.Entries[0].TripID != a.ID || q.Policy != "fifo" {
		t.Fatalf("queue %+v", q)
	}
	wantError(t, e.do(t, "GET", "/api/v1/gates/huu-nghi/queue", "enterprise", nil), 403, "forbidden")

	// Calls: an override needs a reason; the policy calls a first.
	wantError(t, e.do(t, "POST", "/api/v1/gates/huu-nghi/call", "operator", map[string]any{"trip_id": b.ID}), 400, "invalid", "reason")
	wantError(t, e.do(t, "POST", "/api/v1/gates/huu-nghi/call", "customs", map[string]any{}), 403, "forbidden")
	called := decode[cuakhau.CallResult](t, e.do(t, "POST", "/api/v1/gates/huu-nghi/call", "operator", map[string]any{}, "Idempotency-Key", "call-1"), http.StatusCreated)
	if len(called.Called) != 1 || called.Called[0].Trip.ID != a.ID {
		t.Fatalf("called %+v", called.Called)
	}
	var rec cuakhau.CallRecord
	if err := json.Unmarshal(called.Called[0].Event.Data, &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Policy != "fifo" || rec.Version == "" || rec.Input.WaitingCount != 2 || len(rec.Input.WaitingDigest) != 64 {
		t.Errorf("call record %+v", rec)
	}
	override := decode[cuakhau.CallResult](t, e.do(t, "POST", "/api/v1/gates/huu-nghi/call", "operator",
		map[string]any{"trip_id": b.ID, "reason": "hàng cứu trợ"}), http.StatusCreated)
	if len(override.Called) != 1 || override.Called[0].Event.Note == "" {
		t.Errorf("override %+v", override.Called)
	}

	feed := decode[cuakhau.PublicWaits](t, e.do(t, "GET", "/api/v1/public/waits", "", nil), http.StatusOK)
	found := false
	for _, w := range feed.Waits {
		if w.Gate == "huu-nghi" && w.Direction == cuakhau.Export {
			found = true
			if w.InZone != 2 || w.Waiting != 0 || w.LanesOpen < 1 {
				t.Errorf("feed line %+v", w)
			}
		}
	}
	if !found {
		t.Errorf("feed has no huu-nghi export line: %+v", feed)
	}
}

func TestPriorityOverHTTP(t *testing.T) {
	e := newEnv(t)
	decode[cuakhau.GateControls](t, e.do(t, "PUT", "/api/v1/gates/huu-nghi/controls", "operator", map[string]any{"policy": "adaptive"}), http.StatusOK)
	a := e.declare(t, "enterprise", example(t))
	vip := e.declare(t, "enterprise", example(t))
	decode[cuakhau.ArrivalResult](t, e.do(t, "POST", "/api/v1/trips/"+a.ID+"/arrival", "operator", nil), http.StatusCreated)

	path := "/api/v1/trips/" + vip.ID + "/priority"
	body := map[string]any{"priority": 5, "reason": "hàng cứu trợ"}
	wantError(t, e.do(t, "PUT", path, "customs", body), 403, "forbidden")
	wantError(t, e.do(t, "PUT", path, "enterprise", body), 403, "forbidden")
	wantError(t, e.do(t, "PUT", path, "operator", map[string]any{"priority": 5}), 400, "invalid", "reason")
	wantError(t, e.do(t, "PUT", path, "operator", map[string]any{"priority": 10, "reason": "x"}), 400, "invalid", "priority")
	wantError(t, e.do(t, "PUT", path, "operator", map[string]any{"reason": "x"}), 400, "invalid", "priority")
	wantError(t, e.do(t, "PUT", "/api/v1/trips/nope/priority", "operator", body), 404, "not_found")
	if n := len(e.events(t, vip.ID)); n != 1 {
		t.Fatalf("refused requests appended events: %d", n)
	}
	first := e.do(t, "PUT", path, "operator", body, "Idempotency-Key", "prio-1")
	res := decode[cuakhau.DecisionResult](t, first, http.StatusOK)
	if res.Event.Type != cuakhau.EventPriority || res.Trip.Priority != 5 || res.Trip.PriorityReason == "" {
		t.Fatalf("priority: %s %+v", res.Event.Type, res.Trip)
	}
	again := e.do(t, "PUT", path, "operator", body, "Idempotency-Key", "prio-1")
	if again.Status != http.StatusOK || string(again.Body) != string(first.Body) {
		t.Errorf("retry: %d %s; want the first answer", again.Status, again.Body)
	}
	decode[cuakhau.ArrivalResult](t, e.do(t, "POST", "/api/v1/trips/"+vip.ID+"/arrival", "operator", nil), http.StatusCreated)
	r := wantError(t, e.do(t, "PUT", path, "admin", map[string]any{"priority": 0, "reason": "cleared"}), 409, "conflict")
	if !strings.Contains(r.Error.Message, "before arrival") {
		t.Errorf("conflict message %q; want it to say before arrival", r.Error.Message)
	}

	q := decode[cuakhau.QueueView](t, e.do(t, "GET", "/api/v1/gates/huu-nghi/queue", "operator", nil), http.StatusOK)
	if len(q.Entries) != 2 || q.Entries[0].TripID != vip.ID || q.Entries[0].Priority != 5 {
		t.Fatalf("queue %+v; want the priority truck first", q.Entries)
	}
	called := decode[cuakhau.CallResult](t, e.do(t, "POST", "/api/v1/gates/huu-nghi/call", "operator", map[string]any{"count": 1}), http.StatusCreated)
	if len(called.Called) != 1 || called.Called[0].Trip.ID != vip.ID {
		t.Fatalf("called %+v; want the priority truck", called.Called)
	}
}
