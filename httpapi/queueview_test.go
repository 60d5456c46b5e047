package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cuakhau/cuakhau"
)

// TestQueuePagesOverHTTP walks a gate's queue a page at a time, filtered and
// not, and checks that the pages add up to the whole queue in call order.
func TestQueuePagesOverHTTP(t *testing.T) {
	e := newEnv(t)
	decode[cuakhau.GateControls](t, e.do(t, "PUT", "/api/v1/gates/huu-nghi/controls", "operator", map[string]any{"policy": "fifo"}), http.StatusOK)
	booked := e.declare(t, "enterprise", example(t))
	decode[cuakhau.BookingResult](t, e.do(t, "POST", "/api/v1/trips/"+booked.ID+"/booking", "enterprise",
		map[string]any{"window_start": "2026-11-30T09:00:00+07:00"}), http.StatusCreated)
	var exports, imports []string
	for i := range 7 {
		decl, list := example(t), &exports
		if i%3 == 2 {
			decl, list = example(t, "direction", "import", "customs_declarations", []any{"101234567820"}), &imports
		}
		tr := e.declare(t, "enterprise", decl)
		*list = append(*list, tr.ID)
	}
	for _, id := range append(append([]string{booked.ID}, exports...), imports...) {
		e.clock.Add(1)
		decode[cuakhau.ArrivalResult](t, e.do(t, "POST", "/api/v1/trips/"+id+"/arrival", "operator", nil), http.StatusCreated)
	}

	whole := decode[cuakhau.QueueView](t, e.do(t, "GET", "/api/v1/gates/huu-nghi/queue?limit=500", "operator", nil), http.StatusOK)
	if len(whole.Entries) != 8 || whole.Waiting != 8 || whole.Matched != 8 || whole.Next != "" {
		t.Fatalf("whole queue: %d entries, waiting %d, matched %d, next %q; want 8 and no next page",
			len(whole.Entries), whole.Waiting, whole.Matched, whole.Next)
	}

	pages := func(query string) (ids []string, n int) {
		t.Helper()
		cursor := ""
		for {
			q := query
			if cursor != "" {
				q += "&cursor=" + url.QueryEscape(cursor)
			}
			v := decode[cuakhau.QueueView](t, e.do(t, "GET", "/api/v1/gates/huu-nghi/queue?"+q, "operator", nil), http.StatusOK)
			if len(v.Entries) > 3 {
				t.Fatalf("page of %d entries, limit 3", len(v.Entries))
			}
			for _, en := range v.Entries {
				ids = append(ids, en.TripID)
			}
			n++
			if v.Next == "" {
				return ids, n
			}
			if n > 10 {
				t.Fatalf("pages never end")
			}
			cursor = v.Next
		}
	}
	var want []string
	for _, en := range whole.Entries {
		want = append(want, en.TripID)
	}
	got, n := pages("limit=3")
	if diff := cmp.Diff(want, got); diff != "" || n != 3 {
		t.Errorf("%d pages of 3; ids (-whole +pages):\n%s", n, diff)
	}

	// Filters keep the positions of the whole queue.
	imp := decode[cuakhau.QueueView](t, e.do(t, "GET", "/api/v1/gates/huu-nghi/queue?direction=import", "operator", nil), http.StatusOK)
	if len(imp.Entries) != len(imports) || imp.Matched != len(imports) || imp.Waiting != 8 {
		t.Errorf("imports: %d entries, matched %d, waiting %d; want %d of 8", len(imp.Entries), imp.Matched, imp.Waiting, len(imports))
	}
	for _, en := range imp.Entries {
		if en.Direction != cuakhau.Import || en.Position != positionIn(whole, en.TripID) {
			t.Errorf("import entry %+v; want an import at its position in the whole queue", en)
		}
	}
	got, _ = pages("limit=3&direction=export")
	if diff := cmp.Diff(append([]string{booked.ID}, exports...), got); diff != "" {
		t.Errorf("export pages (-want +got):\n%s", diff)
	}
	bk := decode[cuakhau.QueueView](t, e.do(t, "GET", "/api/v1/gates/huu-nghi/queue?class=booked", "operator", nil), http.StatusOK)
	if len(bk.Entries) != 1 || bk.Entries[0].TripID != booked.ID {
		t.Errorf("booked class: %+v; want the one booked truck", bk.Entries)
	}
	live := decode[cuakhau.QueueView](t, e.do(t, "GET", "/api/v1/gates/huu-nghi/queue?class=live&direction=import&limit=1", "operator", nil), http.StatusOK)
	if len(live.Entries) != 1 || live.Matched != len(imports) || live.Next == "" {
		t.Errorf("live imports, one a page: %d entries, matched %d, next %q", len(live.Entries), live.Matched, live.Next)
	}

	// The order moves between pages: after a call the next page goes on
	// after the last truck given, and shows no truck twice.
	first := decode[cuakhau.QueueView](t, e.do(t, "GET", "/api/v1/gates/huu-nghi/queue?limit=3", "operator", nil), http.StatusOK)
	decode[cuakhau.CallResult](t, e.do(t, "POST", "/api/v1/gates/huu-nghi/call", "operator", map[string]any{"count": 1}), http.StatusCreated)
	second := decode[cuakhau.QueueView](t, e.do(t, "GET", "/api/v1/gates/huu-nghi/queue?limit=3&cursor="+url.QueryEscape(first.Next), "operator", nil), http.StatusOK)
	if len(second.Entries) == 0 || second.Entries[0].TripID != want[3] {
		t.Errorf("after a call, the next page starts with %+v; want trip %s", second.Entries, want[3])
	}
	// A cursor whose truck has been called goes on from its position, where
	// the truck behind it now stands.
	called := decode[cuakhau.QueueView](t, e.do(t, "GET", "/api/v1/gates/huu-nghi/queue?limit=1", "operator", nil), http.StatusOK)
	if called.Entries[0].TripID != want[1] {
		t.Fatalf("first of the queue after one call: %+v; want trip %s", called.Entries, want[1])
	}
	decode[cuakhau.CallResult](t, e.do(t, "POST", "/api/v1/gates/huu-nghi/call", "operator", map[string]any{"count": 1}), http.StatusCreated)
	after := decode[cuakhau.QueueView](t, e.do(t, "GET", "/api/v1/gates/huu-nghi/queue?limit=1&cursor="+url.QueryEscape(called.Next), "operator", nil), http.StatusOK)
	if len(after.Entries) != 1 || after.Entries[0].TripID != want[2] {
		t.Errorf("after the cursor's own truck was called, the page is %+v; want trip %s, which moved up to its place", after.Entries, want[2])
	}

	// Bad input: 400 naming each field.
	for _, c := range []struct {
		query  string
		fields []string
	}{
		{"limit=0", []string{"limit"}},
		{"limit=501", []string{"limit"}},
		{"limit=ten", []string{"limit"}},
		{"direction=sideways", []string{"direction"}},
		{"class=vip", []string{"class"}},
		{"cursor=not-ours", []string{"cursor"}},
		{"class=vip&limit=0&cursor=x", []string{"class", "cursor", "limit"}},
		{"order=desc", []string{"order"}},
	} {
		t.Run(c.query, func(t *testing.T) {
			wantError(t, e.do(t, "GET", "/api/v1/gates/huu-nghi/queue?"+c.query, "operator", nil), 400, "invalid", c.fields...)
		})
	}
	if r := e.do(t, "GET", "/api/v1/gates/huu-nghi/queue?direction=import", "operator", nil); !strings.Contains(string(r.Body), `"next":""`) {
		t.Errorf("last page: %s; want an empty next", r.Body)
	}
}

func positionIn(v cuakhau.QueueView, id string) int {
	for _, e := range v.Entries {
		if e.TripID == id {
			return e.Position
		}
	}
	return 0
}

// TestCallCountKeepsToTheRoom checks that an operator's count beyond the
// control zone's room is refused naming count, and that with a reason the
// calls past the room are logged as overrides with it.
func TestCallCountKeepsToTheRoom(t *testing.T) {
	e := newEnv(t)
	decode[cuakhau.GateControls](t, e.do(t, "PUT", "/api/v1/gates/huu-nghi/controls", "operator", map[string]any{"room": 2, "policy": "fifo"}), http.StatusOK)
	var ids []string
	for range 4 {
		tr := e.declare(t, "enterprise", example(t))
		decode[cuakhau.ArrivalResult](t, e.do(t, "POST", "/api/v1/trips/"+tr.ID+"/arrival", "operator", nil), http.StatusCreated)
		ids = append(ids, tr.ID)
	}
	r := wantError(t, e.do(t, "POST", "/api/v1/gates/huu-nghi/call", "operator", map[string]any{"count": 3}), 409, "conflict", "count")
	if !strings.Contains(r.Error.Fields["count"], "2 free") {
		t.Errorf("count refused with %q; want it to say the room left", r.Error.Fields["count"])
	}
	if q := decode[cuakhau.QueueView](t, e.do(t, "GET", "/api/v1/gates/huu-nghi/queue", "operator", nil), http.StatusOK); q.Waiting != 4 {
		t.Fatalf("a refused call left %d waiting, want 4", q.Waiting)
	}
	for _, id := range ids {
		if n := len(e.events(t, id)); n != 2 {
			t.Errorf("trip %s has %d events after a refused call, want 2", id, n)
		}
	}

	called := decode[cuakhau.CallResult](t, e.do(t, "POST", "/api/v1/gates/huu-nghi/call", "operator",
		map[string]any{"count": 3, "reason": "đoàn xe cứu trợ, bãi B mở thêm"}), http.StatusCreated)
	if len(called.Called) != 3 {
		t.Fatalf("called %d, want 3", len(called.Called))
	}
	for i, c := range called.Called {
		var rec cuakhau.CallRecord
		if err := json.Unmarshal(c.Event.Data, &rec); err != nil {
			t.Fatal(err)
		}
		if c.Trip.ID != ids[i] {
			t.Errorf("call %d: trip %s, want %s in the policy's order", i, c.Trip.ID, ids[i])
		}
		beyond := i >= 2
		if rec.Override != beyond || beyond && (rec.OverrideNote == "" || !strings.Contains(c.Event.Note, "cứu trợ")) {
			t.Errorf("call %d: override %v, reason %q, note %q; want an override only past the room of 2", i, rec.Override, rec.OverrideNote, c.Event.Note)
		}
	}
	// The zone is full: a plain call calls no one, a count of one is refused.
	if none := decode[cuakhau.CallResult](t, e.do(t, "POST", "/api/v1/gates/huu-nghi/call", "operator", map[string]any{}), http.StatusCreated); len(none.Called) != 0 {
		t.Errorf("a call with the zone full called %d", len(none.Called))
	}
	wantError(t, e.do(t, "POST", "/api/v1/gates/huu-nghi/call", "operator", map[string]any{"count": 1}), 409, "conflict", "count")
}

func TestWithdrawCapacityOverHTTP(t *testing.T) {
	e := newEnv(t)
	path := "/api/v1/gates/huu-nghi/capacity"
	wantError(t, e.do(t, "DELETE", path, "operator", nil), 409, "conflict")
	decode[cuakhau.GateControls](t, e.do(t, "PUT", path, "operator", map[string]any{"trucks_per_day": 10}), http.StatusOK)
	if w := feedLine(t, e); w.Advisory == "" {
		t.Fatalf("no advisory with the other side taking 10 a day: %+v", w)
	}
	wantError(t, e.do(t, "DELETE", path, "viewer", nil), 403, "forbidden")
	wantError(t, e.do(t, "DELETE", path, "operator", map[string]any{"trucks_per_day": 0}), 400, "invalid", "trucks_per_day")
	first := e.do(t, "DELETE", path, "operator", nil, "Idempotency-Key", "withdraw-1")
	ctl := decode[cuakhau.GateControls](t, first, http.StatusOK)
	if ctl.OtherSidePerDay != nil {
		t.Errorf("controls after withdrawal: %+v", ctl)
	}
	if again := e.do(t, "DELETE", path, "operator", nil, "Idempotency-Key", "withdraw-1"); again.Status != http.StatusOK || string(again.Body) != string(first.Body) {
		t.Errorf("retry: %d %s; want the first answer", again.Status, again.Body)
	}
	if w := feedLine(t, e); w.Advisory != "" || w.Level == "" {
		t.Errorf("feed after withdrawal: %+v; want no advisory", w)
	}
	wantError(t, e.do(t, "DELETE", path, "operator", nil), 409, "conflict")
}

func feedLine(t *testing.T, e *env) cuakhau.PublicWait {
	t.Helper()
	feed := decode[cuakhau.PublicWaits](t, e.do(t, "GET", "/api/v1/public/waits", "", nil), http.StatusOK)
	for _, w := range feed.Waits {
		if w.Gate == "huu-nghi" && w.Direction == cuakhau.Export {
			return w
		}
	}
	t.Fatalf("no huu-nghi export line in %+v", feed)
	return cuakhau.PublicWait{}
}

// TestWindowsNotBookableShowNone checks that a window that can no longer be
// booked (started, on a past day, beyond the 14-day horizon) shows no
// places, while its capacity is still given.
func TestWindowsNotBookableShowNone(t *testing.T) {
	e := newEnv(t) // 08:00 on 30 November at the gate
	windows := func(date string) []*cuakhau.Window {
		t.Helper()
		return decode[windowList](t, e.do(t, "GET", "/api/v1/gates/huu-nghi/windows?direction=export&date="+date, "", nil), http.StatusOK).Windows
	}
	for _, date := range []string{"2026-11-29", "2026-12-15"} {
		for _, w := range windows(date) {
			if w.Available != 0 || w.Capacity == 0 {
				t.Errorf("%s window %s: available %d of capacity %d; want 0 available", date, w.Start, w.Available, w.Capacity)
			}
		}
	}
	today := windows("2026-11-30")
	for _, w := range today {
		started := !w.Start.After(testNow)
		if started && w.Available != 0 || !started && w.Available == 0 {
			t.Errorf("today's window %s: available %d; want 0 only once it has started", w.Start, w.Available)
		}
	}
	if last := windows("2026-12-14"); last[len(last)-1].Available == 0 {
		t.Errorf("the horizon's last day shows no places: %+v", last[len(last)-1])
	}
	// What the list offers can be booked: the first window with places today.
	for _, w := range today {
		if w.Available > 0 {
			trip := e.declare(t, "enterprise", example(t))
			decode[cuakhau.BookingResult](t, e.do(t, "POST", "/api/v1/trips/"+trip.ID+"/booking", "enterprise",
				map[string]any{"window_start": w.Start}), http.StatusCreated)
			break
		}
	}
}

// TestTripShowsItsWindow checks that a trip's answer carries the window it
// booked, through a move, and not after a cancellation or a late arrival.
func TestTripShowsItsWindow(t *testing.T) {
	e := newEnv(t)
	trip := e.declare(t, "enterprise", example(t))
	path := "/api/v1/trips/" + trip.ID
	if got := decode[cuakhau.Trip](t, e.do(t, "GET", path, "enterprise", nil), http.StatusOK); !got.Booking.IsZero() {
		t.Fatalf("a declared trip shows booking %+v", got.Booking)
	}
	nineUTC := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	booked := decode[cuakhau.BookingResult](t, e.do(t, "POST", path+"/booking", "enterprise", map[string]any{"window_start": nine}), http.StatusCreated)
	want := cuakhau.BookedWindow{Start: nineUTC, End: nineUTC.Add(time.Hour)}
	for name, got := range map[string]*cuakhau.Trip{
		"booking's answer": booked.Trip,
		"GET":              ptrTo(decode[cuakhau.Trip](t, e.do(t, "GET", path, "enterprise", nil), http.StatusOK)),
		"list":             decode[tripList](t, e.do(t, "GET", "/api/v1/trips?status=booked", "enterprise", nil), http.StatusOK).Trips[0],
	} {
		if !got.Booking.Start.Equal(want.Start) || !got.Booking.End.Equal(want.End) {
			t.Errorf("%s: booking %+v, want %+v", name, got.Booking, want)
		}
	}
	decode[cuakhau.BookingResult](t, e.do(t, "PUT", path+"/booking", "enterprise", map[string]any{"window_start": "2026-12-01T10:00:00+07:00"}), http.StatusOK)
	if got := decode[cuakhau.Trip](t, e.do(t, "GET", path, "enterprise", nil), http.StatusOK); !got.Booking.Start.Equal(nineUTC.Add(time.Hour)) {
		t.Errorf("after the move: booking %+v, want 10:00", got.Booking)
	}
	decode[cuakhau.BookingResult](t, e.do(t, "DELETE", path+"/booking", "enterprise", nil), http.StatusOK)
	r := e.do(t, "GET", path, "enterprise", nil)
	if got := decode[cuakhau.Trip](t, r, http.StatusOK); !got.Booking.IsZero() || strings.Contains(string(r.Body), `"booking"`) {
		t.Errorf("after the cancellation: %s; want no booking", r.Body)
	}

	// On time, the window stays with the truck; late, it is lost.
	ontime, late := e.declare(t, "enterprise", example(t)), e.declare(t, "enterprise", example(t))
	for _, id := range []string{ontime.ID, late.ID} {
		decode[cuakhau.BookingResult](t, e.do(t, "POST", "/api/v1/trips/"+id+"/booking", "enterprise", map[string]any{"window_start": nine}), http.StatusCreated)
	}
	e.clock.Set(nineUTC.Add(30 * time.Minute))
	if a := decode[cuakhau.ArrivalResult](t, e.do(t, "POST", "/api/v1/trips/"+ontime.ID+"/arrival", "operator", nil), http.StatusCreated); !a.Trip.Booking.Start.Equal(nineUTC) {
		t.Errorf("on time: booking %+v, want the 09:00 window kept", a.Trip.Booking)
	}
	e.clock.Set(nineUTC.Add(2 * time.Hour))
	if a := decode[cuakhau.ArrivalResult](t, e.do(t, "POST", "/api/v1/trips/"+late.ID+"/arrival", "operator", nil), http.StatusCreated); !a.Trip.Booking.IsZero() {
		t.Errorf("late: booking %+v, want it lost", a.Trip.Booking)
	}
}

func ptrTo[T any](v T) *T { return &v }
