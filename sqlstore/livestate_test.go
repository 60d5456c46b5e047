package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/catalog"
	"github.com/cuakhau/cuakhau/gatestate"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// sameState compares two gate states written out.
func sameState(t *testing.T, what string, want, got gatestate.Projection) {
	t.Helper()
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}

// rebuiltIsLive checks that the state a restart builds from gate's tables,
// and the one a replay of its whole log builds, are live; it returns the
// rebuilt one.
func rebuiltIsLive(t *testing.T, db *sqlstore.DB, gate string, live gatestate.Projection) gatestate.Projection {
	t.Helper()
	ctx := context.Background()
	rebuilt, err := db.RebuiltState(ctx, gate)
	if err != nil {
		t.Fatal(err)
	}
	sameState(t, "state rebuilt from the tables", live, rebuilt)
	replayed := gatestate.New(gate)
	if err := db.ScanLog(ctx, gate, replayed.Apply); err != nil {
		t.Fatal(err)
	}
	sameState(t, "state replayed from the log", live, replayed.Export())
	return rebuilt
}

// TestStateRebuiltIsLive runs a gate's day — bookings made, moved and
// cancelled, walk-ins and booked arrivals, calls by the policy and out of
// turn, crossings, a no-show, changed controls and an advisory — with the
// gate's state in memory from the start, and checks that the state a
// restart builds from the tables, and the one a replay of the whole log
// builds, are the live one.
func TestStateRebuiltIsLive(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		const gate = "huu-nghi"
		if _, err := db.GateState(ctx, gate); err != nil { // live from the empty log on
			t.Fatal(err)
		}
		if _, err := db.SetControls(ctx, admin, gate, cuakhau.ControlsUpdate{Room: ptr(3)}); err != nil {
			t.Fatal(err)
		}
		var trips []*cuakhau.Trip
		for i := range 12 {
			d := durian()
			d.Vehicle.Plate = fmt.Sprintf("12c%05d", i)
			if i%3 == 0 {
				d.Cargo[0].Perishable, d.Cargo[0].ShelfLifeHours = false, 0
			}
			trips = append(trips, declare(t, db, company, d))
		}
		for _, tr := range trips[:4] {
			if _, err := db.Book(ctx, company, tr.ID, tomorrow9); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.MoveBooking(ctx, company, trips[1].ID, tomorrow9.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CancelBooking(ctx, company, trips[2].ID); err != nil {
			t.Fatal(err)
		}
		for _, tr := range trips[2:10] {
			clock.Add(time.Minute)
			if _, err := db.Arrive(ctx, operator, tr.ID); err != nil {
				t.Fatal(err)
			}
		}
		clock.Add(time.Minute)
		res, err := db.Call(ctx, operator, gate, cuakhau.CallRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Called) != 3 {
			t.Fatalf("called %d, want the zone's room, 3", len(res.Called))
		}
		for _, c := range res.Called[:2] {
			for _, step := range route {
				clock.Add(5 * time.Minute)
				decide(t, db, step.p, c.Trip.ID, cuakhau.Decision{Checkpoint: step.checkpoint, Outcome: cuakhau.OutcomePass, Channel: step.channel})
			}
		}
		if _, err := db.Call(ctx, operator, gate, cuakhau.CallRequest{TripID: trips[9].ID, Reason: "convoy"}); err != nil {
			t.Fatal(err)
		}
		n := 0
		if _, err := db.SetOtherSideCapacity(ctx, admin, gate, cuakhau.CapacityUpdate{TrucksPerDay: &n}); err != nil {
			t.Fatal(err)
		}
		clock.Add(48 * time.Hour)
		if k, err := db.SweepNoShows(ctx, gate); err != nil || k != 2 {
			t.Fatalf("SweepNoShows: %d, %v; want the two bookings left", k, err)
		}
		if _, err := db.Advise(ctx, gate); err != nil {
			t.Fatal(err)
		}

		live, err := db.GateState(ctx, gate)
		if err != nil {
			t.Fatal(err)
		}
		if len(live.Waiting) != 4 || live.Controls == nil || live.Controls.Room != 3 || len(live.Crossings) != 2 || len(live.Ended) != 3 {
			t.Errorf("live state: %d waiting, controls %+v, %d crossings kept, %d bookings ended; want 4, room 3, 2, 3",
				len(live.Waiting), live.Controls, len(live.Crossings), len(live.Ended))
		}
		rebuiltIsLive(t, db, gate, live)
	})
}

// TestFailedWriteLeavesState checks that a write that changed the gate's
// state and then failed leaves it as if it had not run, while the write
// after it in the same batch counts.
func TestFailedWriteLeavesState(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		const gate = "huu-nghi"
		tr := declare(t, db, company, durian())
		before, err := db.GateState(ctx, gate)
		if err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		now := clock.Now().UTC()
		errs := db.RunBatch(
			func(ctx context.Context, tx *sqlstore.WriteTx) error {
				ev := &cuakhau.Event{Gate: gate, TripID: tr.ID, Type: cuakhau.EventArrived, Actor: "test", At: now,
					Status: cuakhau.StatusArrived, Data: []byte(`{"direction":"export","class":"live"}`)}
				if err := tx.AppendEvent(ctx, db, ev); err != nil {
					return err
				}
				return boom
			},
			func(ctx context.Context, tx *sqlstore.WriteTx) error {
				ev := &cuakhau.Event{Gate: gate, Type: cuakhau.EventControls, Actor: "test", At: now,
					Data: []byte(`{"gate":"huu-nghi","lanes":{"entry":5},"room":7,"policy":"fifo"}`)}
				if err := tx.AppendEvent(ctx, db, ev); err != nil {
					return err
				}
				return tx.Exec(ctx, `INSERT INTO gate_controls (gate, body) VALUES (?, ?)`, gate, string(ev.Data))
			},
		)
		if !errors.Is(errs[0], boom) || errs[1] != nil {
			t.Fatalf("batch: %v", errs)
		}
		after, err := db.GateState(ctx, gate)
		if err != nil {
			t.Fatal(err)
		}
		if len(after.Waiting) != 0 || after.Seq != before.Seq+1 || after.Controls == nil || after.Controls.Room != 7 {
			t.Errorf("after the batch: %d waiting at seq %d, controls %+v; want none waiting, seq %d, room 7",
				len(after.Waiting), after.Seq, after.Controls, before.Seq+1)
		}
		rebuilt, err := db.RebuiltState(ctx, gate)
		if err != nil {
			t.Fatal(err)
		}
		sameState(t, "state after the batch", rebuilt, after)
	})
}

// TestTwoNodesOneQueue runs two server nodes on one PostgreSQL database,
// each with its own state in memory, checking trucks in and calling them
// forward in turn and then at once: every call sees what the other node
// did, so the zone never holds more than its room and no truck is called
// twice.
func TestTwoNodesOneQueue(t *testing.T) {
	ctx := context.Background()
	clock := cuakhau.NewFixedClock(start)
	dsn := dsnFor(t, "postgres")
	a := openRaw(t, dsn, clock)
	if _, err := a.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	gates, err := catalog.Gates()
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Seed(ctx, gates); err != nil {
		t.Fatal(err)
	}
	b := openRaw(t, dsn, clock)
	nodes := []*sqlstore.DB{a, b}
	const gate, room = "huu-nghi", 4
	if _, err := b.SetControls(ctx, admin, gate, cuakhau.ControlsUpdate{Room: ptr(room)}); err != nil {
		t.Fatal(err)
	}
	called := map[string]int{}
	check := func(when string) {
		t.Helper()
		if n := count(t, a, `SELECT count(*) FROM trips WHERE gate = ? AND status IN ('called', 'in_zone', 'held')`, gate); n > room {
			t.Fatalf("%s: %d trucks in a zone of room %d", when, n, room)
		}
		if n := count(t, a, `SELECT count(*) FROM (SELECT trip_id FROM events WHERE type = 'called' GROUP BY trip_id HAVING count(*) > 1) x`); n > 0 {
			t.Fatalf("%s: %d trucks called twice", when, n)
		}
	}
	var ids []string
	for i := range 40 {
		d := durian()
		d.Vehicle.Plate = fmt.Sprintf("12c%05d", i)
		ids = append(ids, declare(t, nodes[i%2], company, d).ID)
	}
	// In turn: each node checks one in, then calls; then one called truck
	// crosses, on the other node, freeing a place.
	for i, id := range ids[:20] {
		node := nodes[i%2]
		clock.Add(time.Minute)
		if _, err := node.Arrive(ctx, operator, id); err != nil {
			t.Fatal(err)
		}
		res, err := node.Call(ctx, operator, gate, cuakhau.CallRequest{})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Called {
			called[c.Trip.ID]++
		}
		check(fmt.Sprintf("turn %d", i))
		if i%3 == 2 {
			for id := range called {
				tr, err := a.Trip(ctx, admin, id)
				if err != nil {
					t.Fatal(err)
				}
				if tr.Status != cuakhau.StatusCalled {
					continue
				}
				for _, step := range route {
					if _, err := nodes[(i+1)%2].Decide(ctx, step.p, id, cuakhau.Decision{Checkpoint: step.checkpoint, Outcome: cuakhau.OutcomePass, Channel: step.channel}); err != nil {
						t.Fatal(err)
					}
				}
				break
			}
		}
	}
	if len(called) < room {
		t.Fatalf("%d trucks called in turn, want at least the room, %d", len(called), room)
	}
	// At once: both nodes check in and call concurrently.
	var wg sync.WaitGroup
	errs := make(chan error, len(ids))
	for i, id := range ids[20:] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			node := nodes[i%2]
			if _, err := node.Arrive(ctx, operator, id); err != nil {
				errs <- err
				return
			}
			if _, err := node.Call(ctx, operator, gate, cuakhau.CallRequest{}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	check("after the concurrent calls")
	// And each node's state is the one the log says.
	for i, node := range nodes {
		live, err := node.GateState(ctx, gate)
		if err != nil {
			t.Fatal(err)
		}
		rebuilt, err := node.RebuiltState(ctx, gate)
		if err != nil {
			t.Fatal(err)
		}
		sameState(t, fmt.Sprintf("node %d", i), rebuilt, live)
	}
}
