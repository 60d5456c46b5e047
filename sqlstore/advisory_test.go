package sqlstore_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// TestAdvisoryFromBacklog drives a gate's backlog past the point where a
// perishable arriving now would spoil, with no capacity announcement, and
// checks that the loop's evaluation (Advise) logs one advisory event and
// tells each trip still on its way once; that the next rounds write nothing;
// and that when the advisory clears and returns, a new episode tells them
// again.
func TestAdvisoryFromBacklog(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		// 30 min of shelf life beyond the 2 h crossing, one lane of 12 an
		// hour: a backlog of about six trucks is past it.
		if err := db.SetQueueConfig(sqlstore.QueueConfig{TypicalShelfLife: 2*time.Hour + 30*time.Minute, NoShowRate: 0.05}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetControls(ctx, admin, "huu-nghi", cuakhau.ControlsUpdate{Room: ptr(1), Policy: ptr("fifo"),
			Lanes: map[string]int{"entry": 1}}); err != nil {
			t.Fatal(err)
		}
		declaredOnWay := declare(t, db, company, durian())
		bookedOnWay := declare(t, db, company, durian())
		if _, err := db.Book(ctx, company, bookedOnWay.ID, tomorrow9); err != nil {
			t.Fatal(err)
		}
		advisories := func() int {
			return count(t, db, `SELECT count(*) FROM events WHERE gate = 'huu-nghi' AND type = 'advisory'`)
		}
		notices := func() int {
			return count(t, db, `SELECT count(*) FROM outbox WHERE gate = 'huu-nghi' AND kind = 'advisory'`)
		}
		if wrote, err := db.Advise(ctx, "huu-nghi"); err != nil || wrote {
			t.Fatalf("an empty gate: Advise %v, %v; want nothing written", wrote, err)
		}
		active := false
		for i := 0; i < 40 && !active; i++ {
			d := durian()
			d.Cargo[0].Perishable, d.Cargo[0].ShelfLifeHours = false, 0
			tr := declare(t, db, company, d)
			clock.Add(time.Minute)
			if _, err := db.Arrive(ctx, operator, tr.ID); err != nil {
				t.Fatal(err)
			}
			wrote, err := db.Advise(ctx, "huu-nghi")
			if err != nil {
				t.Fatal(err)
			}
			active = wrote
		}
		if !active {
			t.Fatal("40 trucks waiting at one lane and no advisory")
		}
		if n := advisories(); n != 1 {
			t.Fatalf("%d advisory events, want 1", n)
		}
		if n := notices(); n != 2 {
			t.Fatalf("%d advisory notices, want 2 (one per trip on its way)", n)
		}
		for _, id := range []string{declaredOnWay.ID, bookedOnWay.ID} {
			if n := count(t, db, `SELECT count(*) FROM outbox WHERE kind = 'advisory' AND trip_id = ?`, id); n != 1 {
				t.Errorf("trip %s: %d notices, want 1", id, n)
			}
		}
		var data string
		if err := db.QueryRowRaw(ctx, `SELECT data FROM events WHERE gate = 'huu-nghi' AND type = 'advisory'`, &data); err != nil {
			t.Fatal(err)
		}
		var rec cuakhau.AdvisoryRecord
		if err := json.Unmarshal([]byte(data), &rec); err != nil {
			t.Fatal(err)
		}
		if !rec.Active || rec.Notified != 2 || rec.Reason == "" || rec.Text == "" {
			t.Errorf("advisory record %+v", rec)
		}

		// The next rounds, and one more truck, tell no one again.
		for range 2 {
			clock.Add(time.Minute)
			if wrote, err := db.Advise(ctx, "huu-nghi"); err != nil || wrote {
				t.Fatalf("next round: Advise %v, %v; want nothing written", wrote, err)
			}
		}
		if a, n := advisories(), notices(); a != 1 || n != 2 {
			t.Fatalf("after repeated rounds: %d events, %d notices; want 1 and 2", a, n)
		}

		// Enough lanes, but the trip told to hold (declared, without a
		// booking) has not come back: the advisory stays in force, or the
		// walk-ins it held back would all set off at once.
		if _, err := db.SetControls(ctx, operator, "huu-nghi", cuakhau.ControlsUpdate{Lanes: map[string]int{"entry": 60}}); err != nil {
			t.Fatal(err)
		}
		if wrote, err := db.Advise(ctx, "huu-nghi"); err != nil || wrote {
			t.Fatalf("lanes added, a told trip still away: Advise %v, %v; want nothing written", wrote, err)
		}
		waits, err := db.PublicWaits(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range waits.Waits {
			if w.Gate == "huu-nghi" && w.Advisory == "" {
				t.Errorf("public feed %s %s: no advisory while a told trip is away", w.Gate, w.Direction)
			}
		}
		// It comes: an event clears it, no notice.
		clock.Add(time.Minute)
		if _, err := db.Arrive(ctx, operator, declaredOnWay.ID); err != nil {
			t.Fatal(err)
		}
		if wrote, err := db.Advise(ctx, "huu-nghi"); err != nil || !wrote {
			t.Fatalf("cleared: Advise %v, %v; want an event", wrote, err)
		}
		if a, n := advisories(), notices(); a != 2 || n != 2 {
			t.Fatalf("after clearing: %d events, %d notices; want 2 and 2", a, n)
		}
		if wrote, err := db.Advise(ctx, "huu-nghi"); err != nil || wrote {
			t.Fatalf("still clear: Advise %v, %v", wrote, err)
		}

		// It returns: a new episode, told again.
		if _, err := db.SetControls(ctx, operator, "huu-nghi", cuakhau.ControlsUpdate{Lanes: map[string]int{"entry": 1}}); err != nil {
			t.Fatal(err)
		}
		if wrote, err := db.Advise(ctx, "huu-nghi"); err != nil || !wrote {
			t.Fatalf("returned: Advise %v, %v; want an event", wrote, err)
		}
		if a, n := advisories(), notices(); a != 3 || n != 3 {
			t.Fatalf("after it returned: %d events, %d notices; want 3 and 3 (the booked trip told again)", a, n)
		}
		if wrote, err := db.Advise(ctx, "huu-nghi"); err != nil || wrote {
			t.Fatalf("returned, next round: Advise %v, %v", wrote, err)
		}
		if got := replayLog(t, db, "huu-nghi"); len(got) != 0 {
			t.Errorf("%d calls replayed, want none", len(got))
		}
	})
}

// TestPriorityCalledAhead sets a statutory priority before arrival and sees
// the adaptive policy call the truck ahead of those that came before it,
// and the call replay.
func TestPriorityCalledAhead(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		if _, err := db.SetControls(ctx, admin, "huu-nghi", cuakhau.ControlsUpdate{Policy: ptr("adaptive")}); err != nil {
			t.Fatal(err)
		}
		plain := func() *cuakhau.Trip {
			d := durian()
			d.Cargo[0].Perishable, d.Cargo[0].ShelfLifeHours = false, 0
			return declare(t, db, company, d)
		}
		a, b, vip := plain(), plain(), plain()
		for _, tr := range []*cuakhau.Trip{a, b} {
			clock.Add(time.Minute)
			if _, err := db.Arrive(ctx, operator, tr.ID); err != nil {
				t.Fatal(err)
			}
		}
		five := 5
		_, err := db.SetPriority(ctx, customs, vip.ID, cuakhau.PriorityUpdate{Priority: &five, Reason: "relief goods"})
		wantCode(t, err, cuakhau.EFORBIDDEN)
		_, err = db.SetPriority(ctx, company, vip.ID, cuakhau.PriorityUpdate{Priority: &five, Reason: "relief goods"})
		wantCode(t, err, cuakhau.EFORBIDDEN)
		_, err = db.SetPriority(ctx, operator, vip.ID, cuakhau.PriorityUpdate{Priority: &five, Reason: " "})
		wantCode(t, err, cuakhau.EINVALID)
		_, err = db.SetPriority(ctx, operator, vip.ID, cuakhau.PriorityUpdate{Priority: ptr(10), Reason: "x"})
		wantCode(t, err, cuakhau.EINVALID)
		_, err = db.SetPriority(ctx, operator, a.ID, cuakhau.PriorityUpdate{Priority: &five, Reason: "too late"})
		wantCode(t, err, cuakhau.ECONFLICT)
		res, err := db.SetPriority(ctx, operator, vip.ID, cuakhau.PriorityUpdate{Priority: &five, Reason: "relief goods"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Event.Type != cuakhau.EventPriority || res.Trip.Priority != 5 || res.Trip.Status != cuakhau.StatusDeclared {
			t.Fatalf("priority: event %s, trip %+v", res.Event.Type, res.Trip)
		}
		clock.Add(time.Minute)
		arr, err := db.Arrive(ctx, operator, vip.ID)
		if err != nil {
			t.Fatal(err)
		}
		var ad cuakhau.ArrivalData
		if err := json.Unmarshal(arr.Event.Data, &ad); err != nil || ad.Priority != 5 {
			t.Fatalf("arrival data %+v, %v; want priority 5", ad, err)
		}
		q, err := db.Queue(ctx, operator, "huu-nghi", cuakhau.QueueFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(q.Entries) != 3 || q.Entries[0].TripID != vip.ID || q.Entries[0].Priority != 5 {
			t.Fatalf("queue %+v; want the priority truck first", q.Entries)
		}
		if got := count(t, db, `SELECT count(*) FROM waiting WHERE trip_id = ? AND priority = 5`, vip.ID); got != 1 {
			t.Errorf("waiting row without the priority")
		}
		called, err := db.Call(ctx, operator, "huu-nghi", cuakhau.CallRequest{Count: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(called.Called) != 1 || called.Called[0].Trip.ID != vip.ID {
			t.Fatalf("called %+v; want the priority truck", called.Called)
		}
		checks := replayLog(t, db, "huu-nghi")
		if len(checks) != 1 || len(checks[0].Differences) > 0 || checks[0].Want != vip.ID {
			t.Fatalf("replay %+v", checks)
		}
	})
}

// TestShelfLifeHoldOnTheWay checks that the advisory asks
// sched.ShelfLifeHold of each perishable trip still on its way: a load
// that would spoil in the queue is told, once, to hold at origin, a load
// that lasts is not, and the held trip keeps the advisory in force
// (AdviceInput.Held) until it comes.
func TestShelfLifeHoldOnTheWay(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		// One lane of 12 an hour, a zone of one place: 30 trucks waiting
		// are 2½ hours, well within the typical 48 h shelf life.
		if _, err := db.SetControls(ctx, admin, "huu-nghi", cuakhau.ControlsUpdate{Room: ptr(1), Policy: ptr("fifo"),
			Lanes: map[string]int{"entry": 1}}); err != nil {
			t.Fatal(err)
		}
		for range 30 {
			d := durian()
			d.Cargo[0].Perishable, d.Cargo[0].ShelfLifeHours = false, 0
			tr := declare(t, db, company, d)
			if _, err := db.Arrive(ctx, operator, tr.ID); err != nil {
				t.Fatal(err)
			}
		}
		short := durian()
		short.Cargo[0].ShelfLifeHours = 2 // less than its wait and the 2 h crossing
		shortTrip := declare(t, db, company, short)
		longTrip := declare(t, db, company, durian()) // 240 h
		holdEvents := func() int {
			return count(t, db, `SELECT count(*) FROM events WHERE gate = 'huu-nghi' AND type = 'advisory' AND data LIKE '%shelf_life_hold%'`)
		}
		told := func(id string) int {
			return count(t, db, `SELECT count(*) FROM outbox WHERE kind = 'advisory' AND trip_id = ?`, id)
		}
		if wrote, err := db.Advise(ctx, "huu-nghi"); err != nil || !wrote {
			t.Fatalf("a 2 h load behind 2½ h of trucks: Advise %v, %v; want it told to hold", wrote, err)
		}
		if n := holdEvents(); n != 1 {
			t.Fatalf("%d shelf-life hold events, want 1", n)
		}
		if n := told(shortTrip.ID); n != 1 {
			t.Errorf("short-lived trip: %d notices, want 1", n)
		}
		if n := told(longTrip.ID); n != 0 {
			t.Errorf("a load that lasts: %d notices, want 0", n)
		}
		// The told trip is held at origin: the advisory comes into force for
		// it, and the hold is not repeated.
		for range 2 {
			clock.Add(time.Minute)
			if _, err := db.Advise(ctx, "huu-nghi"); err != nil {
				t.Fatal(err)
			}
		}
		if n := holdEvents(); n != 1 {
			t.Errorf("after more rounds: %d shelf-life hold events, want 1", n)
		}
		var data string
		if err := db.QueryRowRaw(ctx, `SELECT data FROM events WHERE gate = 'huu-nghi' AND type = 'advisory' ORDER BY seq DESC LIMIT 1`, &data); err != nil {
			t.Fatal(err)
		}
		var rec cuakhau.AdvisoryRecord
		if err := json.Unmarshal([]byte(data), &rec); err != nil {
			t.Fatal(err)
		}
		if !rec.Active || !strings.Contains(rec.Reason, "told to hold") {
			t.Errorf("advisory with a trip held at origin: %+v; want it in force for the held trip", rec)
		}

		// The trips on their way are read at most every 5 minutes of gate
		// time: a second short-lived load declared 2 minutes after the
		// last look is told at the next look, not before.
		later := declare(t, db, company, short)
		if _, err := db.Advise(ctx, "huu-nghi"); err != nil {
			t.Fatal(err)
		}
		if n := told(later.ID); n != 0 {
			t.Errorf("told %d times within 5 minutes of the last look, want 0", n)
		}
		clock.Add(5 * time.Minute)
		if _, err := db.Advise(ctx, "huu-nghi"); err != nil {
			t.Fatal(err)
		}
		if n := told(later.ID); n != 1 {
			t.Errorf("told %d times at the next look, want 1", n)
		}
	})
}

// TestShelfLifeHoldAsItWouldCheckIn checks that a booked perishable on its
// way is judged as it would check in now (flow.Arrival): one still inside
// its window's tolerance is booked and due, called ahead of the live queue,
// and its load lasts; one later than that has lost its window and would
// join the live queue behind 2½ hours of trucks, so it is told to hold.
func TestShelfLifeHoldAsItWouldCheckIn(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		if _, err := db.SetControls(ctx, admin, "huu-nghi", cuakhau.ControlsUpdate{Room: ptr(1), Policy: ptr("fixed-slot"),
			Lanes: map[string]int{"entry": 1}}); err != nil {
			t.Fatal(err)
		}
		clock.Set(tomorrow9.Add(-2 * time.Hour))
		for range 30 {
			d := durian()
			d.Cargo[0].Perishable, d.Cargo[0].ShelfLifeHours = false, 0
			tr := declare(t, db, company, d)
			if _, err := db.Arrive(ctx, operator, tr.ID); err != nil {
				t.Fatal(err)
			}
		}
		// Both loads last until 4 h after the first window starts.
		short := durian()
		short.Cargo[0].ShelfLifeHours = 6
		late := declare(t, db, company, short)
		onTime := declare(t, db, company, short)
		if _, err := db.Book(ctx, company, late.ID, tomorrow9); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Book(ctx, company, onTime.ID, tomorrow9.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		// 61 min after the first window's start, past its 60 min
		// tolerance; the second window started a minute ago.
		clock.Set(tomorrow9.Add(61 * time.Minute))
		if _, err := db.Advise(ctx, "huu-nghi"); err != nil {
			t.Fatal(err)
		}
		told := func(id string) int {
			return count(t, db, `SELECT count(*) FROM outbox WHERE kind = 'advisory' AND trip_id = ?`, id)
		}
		if n := told(late.ID); n != 1 {
			t.Errorf("booked trip past its window's tolerance: %d notices, want 1 (judged as a live truck)", n)
		}
		if n := told(onTime.ID); n != 0 {
			t.Errorf("booked trip within its window's tolerance: %d notices, want 0 (booked and due)", n)
		}

		// The held trip released its booking in the same write: declared
		// again, a booking_released event, its row ended as released, and
		// the notice says so.
		if got, err := db.Trip(ctx, admin, late.ID); err != nil || got.Status != cuakhau.StatusDeclared {
			t.Fatalf("held trip: %v, %v; want it declared again", got, err)
		}
		if n := count(t, db, `SELECT count(*) FROM events WHERE trip_id = ? AND type = 'booking_released'`, sqlstore.LookupKey(late.ID)); n != 1 {
			t.Errorf("%d booking_released events of the held trip, want 1", n)
		}
		if n := count(t, db, `SELECT count(*) FROM bookings WHERE trip_id = ? AND state = 'released'`, late.ID); n != 1 {
			t.Errorf("%d released bookings rows of the held trip, want 1", n)
		}
		if n := count(t, db, `SELECT count(*) FROM outbox WHERE kind = 'advisory' AND trip_id = ? AND text LIKE '%booking of % is released%'`, late.ID); n != 1 {
			t.Errorf("%d notices telling the held trip its booking is released, want 1", n)
		}
		// Past the window's end and tolerance the sweep finds no no-show
		// of it, and the trip may book again.
		clock.Set(tomorrow9.Add(3 * time.Hour))
		if _, err := db.Arrive(ctx, operator, onTime.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := db.SweepNoShows(ctx, "huu-nghi"); err != nil || n != 0 {
			t.Errorf("sweep after the released window: %d no-shows, %v; want 0", n, err)
		}
		if n := count(t, db, `SELECT count(*) FROM bookings WHERE state = 'no_show'`); n != 0 {
			t.Errorf("%d no-show bookings, want 0", n)
		}
		if _, err := db.Book(ctx, company, late.ID, tomorrow9.Add(24*time.Hour)); err != nil {
			t.Errorf("the held trip books again: %v", err)
		}
		for _, d := range verifyRows(t, db) {
			t.Errorf("after a release and a new booking: %s", d)
		}
	})
}

// TestAdvisoryMeasuredNoShows checks that the advisory counts the bookings
// ahead by the measured no-show rate, as the windows do: at a gate where
// every booking of the last month went unused, ten bookings ahead are not a
// queue that would outlast a perishable.
func TestAdvisoryMeasuredNoShows(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		// 5 min of shelf life beyond the 2 h crossing: the 9 of 10 bookings
		// ahead that the configured 5% no-shows would expect are past it.
		if err := db.SetQueueConfig(sqlstore.QueueConfig{TypicalShelfLife: 2*time.Hour + 5*time.Minute, NoShowRate: 0.05}); err != nil {
			t.Fatal(err)
		}
		oneLane(t, db)
		for i := range 20 {
			tr := declare(t, db, company, durian())
			if _, err := db.Book(ctx, company, tr.ID, tomorrow9.Add(time.Duration(i/5)*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		clock.Set(tomorrow9.Add(6 * time.Hour))
		if n, err := db.SweepNoShows(ctx, "huu-nghi"); err != nil || n != 20 {
			t.Fatalf("sweep: %d, %v; want 20 no-shows", n, err)
		}
		for i := range 10 {
			tr := declare(t, db, company, durian())
			if _, err := db.Book(ctx, company, tr.ID, tomorrow9.Add(24*time.Hour+time.Duration(i/4)*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		if wrote, err := db.Advise(ctx, "huu-nghi"); err != nil || wrote {
			t.Fatalf("ten bookings ahead at a gate whose bookings never show: Advise %v, %v; want no advisory", wrote, err)
		}
	})
}

// TestAdvisoryCapBindsShedDaysOnly checks that the advisory's daily cap
// binds a booking only for the days its backlog is shed over: with the
// other side down to 2 trucks a day and 6 waiting, bookings stop for the 3
// days those take to clear, and a day after that takes the clearing rate
// again. Capped
// on every day ahead, a trip told to hold could not book at all.
func TestAdvisoryCapBindsShedDaysOnly(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		if err := db.SetQueueConfig(sqlstore.QueueConfig{TypicalShelfLife: 2*time.Hour + 30*time.Minute}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetControls(ctx, admin, "huu-nghi", cuakhau.ControlsUpdate{Room: ptr(1), Policy: ptr("fifo")}); err != nil {
			t.Fatal(err)
		}
		for range 6 {
			d := durian()
			d.Cargo[0].Perishable, d.Cargo[0].ShelfLifeHours = false, 0
			tr := declare(t, db, company, d)
			if _, err := db.Arrive(ctx, operator, tr.ID); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.SetOtherSideCapacity(ctx, operator, "huu-nghi", cuakhau.CapacityUpdate{TrucksPerDay: ptr(2), Note: "other side down"}); err != nil {
			t.Fatal(err)
		}
		soon := declare(t, db, company, durian())
		_, err := db.Book(ctx, company, soon.ID, tomorrow9)
		wantCode(t, err, cuakhau.ECONFLICT)
		later := declare(t, db, company, durian())
		if _, err := db.Book(ctx, company, later.ID, tomorrow9.AddDate(0, 0, 4)); err != nil {
			t.Fatalf("a day after the backlog is shed: %v; want it booked", err)
		}
	})
}
