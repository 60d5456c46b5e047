package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cuakhau/cuakhau"
)

// TestExportLifecycle takes the example export of durian through Hữu Nghị:
// declared by its enterprise, then decided at each checkpoint of the export
// route, in order, by the role that owns it, until it has crossed; its
// history is then the declaration and every decision, hash-chained.
func TestExportLifecycle(t *testing.T) {
	e := newEnv(t)
	trip := e.declare(t, "enterprise", example(t))

	if trip.ID == "" || trip.Code == "" {
		t.Fatalf("trip has no id or code: %+v", trip)
	}
	// The declaration comes back canonical and whole.
	gotDecl := trip.Declaration
	wantArrival := time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)
	wantDecl := cuakhau.Declaration{
		Gate: "huu-nghi", Direction: cuakhau.Export,
		Vehicle:    cuakhau.Vehicle{Plate: "12C-123.45", Country: "VN", TrailerPlate: "12R-001.23"},
		Driver:     cuakhau.Driver{Name: "Nguyễn Văn A", IDNumber: "020123456789"},
		Enterprise: cuakhau.Enterprise{TaxCode: taxA, Name: "Công ty TNHH Nông sản Xứ Lạng"},
		Containers: []string{"CSQU3054383"},
		Cargo: []cuakhau.CargoLine{{HSCode: "0810.60", Description: "Sầu riêng tươi", Packages: 1200,
			GrossKg: 18000, ValueUSDCents: 5400000, Perishable: true, ShelfLifeHours: 240}},
		CustomsDeclarations: []string{"304001234520"},
		PlannedArrival:      &wantArrival,
	}
	if diff := cmp.Diff(wantDecl, gotDecl); diff != "" {
		t.Errorf("declaration (-want +got):\n%s", diff)
	}
	if trip.Status != cuakhau.StatusDeclared {
		t.Errorf("status = %q, want declared", trip.Status)
	}

	// The route in order; the weighbridge is optional and takes a device
	// reading; durian (HS chapter 08) visits plant quarantine.
	steps := []struct {
		token    string
		decision cuakhau.Decision
		want     cuakhau.Status
	}{
		{"operator", cuakhau.Decision{Checkpoint: "entry", Outcome: cuakhau.OutcomePass, Device: "anpr-hn-1",
			Reading: &cuakhau.Reading{Plate: "12C12345"}}, cuakhau.StatusInZone},
		{"operator", cuakhau.Decision{Checkpoint: "weighbridge", Outcome: cuakhau.OutcomePass, Device: "wb-hn-1",
			Reading: &cuakhau.Reading{WeightKg: 33500}}, cuakhau.StatusInZone},
		{"medical", cuakhau.Decision{Checkpoint: "medical", Outcome: cuakhau.OutcomePass}, cuakhau.StatusInZone},
		{"customs", cuakhau.Decision{Checkpoint: "customs", Outcome: cuakhau.OutcomePass, Channel: cuakhau.ChannelGreen,
			Note: "Hồ sơ hợp lệ"}, cuakhau.StatusInZone},
		{"quarantine", cuakhau.Decision{Checkpoint: "quarantine", Outcome: cuakhau.OutcomePass}, cuakhau.StatusInZone},
		{"border_guard", cuakhau.Decision{Checkpoint: "border_guard", Outcome: cuakhau.OutcomePass}, cuakhau.StatusInZone},
		{"operator", cuakhau.Decision{Checkpoint: "fee", Outcome: cuakhau.OutcomePass}, cuakhau.StatusInZone},
		{"operator", cuakhau.Decision{Checkpoint: "exit", Outcome: cuakhau.OutcomePass}, cuakhau.StatusCrossed},
	}
	for _, s := range steps {
		e.clock.Add(7 * time.Minute)
		res := e.decide(t, s.token, trip.ID, s.decision)
		if res.Trip.Status != s.want {
			t.Errorf("after %s: trip status %q, want %q", s.decision.Checkpoint, res.Trip.Status, s.want)
		}
		if res.Event.Checkpoint != s.decision.Checkpoint || res.Event.Outcome != s.decision.Outcome ||
			res.Event.Status != res.Trip.Status || res.Event.TripID != trip.ID {
			t.Errorf("after %s: event %+v does not record the decision", s.decision.Checkpoint, res.Event)
		}
	}

	got := decode[*cuakhau.Trip](t, e.do(t, "GET", "/api/v1/trips/"+trip.ID, "enterprise", nil), http.StatusOK)
	if got.Status != cuakhau.StatusCrossed || got.CrossedAt == nil || got.Channel != cuakhau.ChannelGreen {
		t.Errorf("final trip: status %q, crossed_at %v, channel %q; want crossed, set, green", got.Status, got.CrossedAt, got.Channel)
	}
	if got.Version != 1+len(steps) {
		t.Errorf("version = %d, want %d", got.Version, 1+len(steps))
	}
	for _, cp := range got.Checkpoints {
		if cp.State != cuakhau.CheckpointPassed {
			t.Errorf("checkpoint %s is %s, want passed", cp.Code, cp.State)
		}
	}

	// The history: the declaration, then each decision in order.
	type entry struct {
		Type       cuakhau.EventType
		Checkpoint string
		Outcome    cuakhau.Outcome
		Status     cuakhau.Status
	}
	want := []entry{{cuakhau.EventDeclared, "", "", cuakhau.StatusDeclared}}
	for _, s := range steps {
		want = append(want, entry{cuakhau.EventDecision, s.decision.Checkpoint, s.decision.Outcome, s.want})
	}
	events := e.events(t, trip.ID)
	var gotEntries []entry
	for _, ev := range events {
		gotEntries = append(gotEntries, entry{ev.Type, ev.Checkpoint, ev.Outcome, ev.Status})
	}
	if diff := cmp.Diff(want, gotEntries); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	// This is the gate's only trip, so its events are the whole chain: from
	// the genesis hash, each links to the one before, and each hash is what
	// a client recomputes from the event as served.
	prev := cuakhau.GenesisHash
	for i, ev := range events {
		if ev.Seq != int64(i+1) {
			t.Errorf("event %d: seq %d, want %d", i, ev.Seq, i+1)
		}
		if ev.PrevHash != prev {
			t.Errorf("event %d: prev_hash %s, want %s", i, ev.PrevHash, prev)
		}
		if h := ev.ComputeHash(); h != ev.Hash {
			t.Errorf("event %d: hash %s, recomputed %s", i, ev.Hash, h)
		}
		prev = ev.Hash
	}
	// The decided-after-declaration trip shows in the admin's list as crossed.
	list := decode[tripList](t, e.do(t, "GET", "/api/v1/trips?status=crossed&gate=huu-nghi", "viewer", nil), http.StatusOK)
	if len(list.Trips) != 1 || list.Trips[0].ID != trip.ID {
		t.Errorf("crossed trips = %+v, want just %s", list.Trips, trip.ID)
	}
}
