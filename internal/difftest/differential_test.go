package difftest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/catalog"
	"github.com/cuakhau/cuakhau/gatestate"
	"github.com/cuakhau/cuakhau/sched"
	"github.com/cuakhau/cuakhau/sim"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// The scripted day's gate: Hữu Nghị's hours, a control zone of 3, three
// checkpoint servers of 45 minutes each (4 trucks an hour, the rate both
// sides are configured with), and the other side down to 100
// trucks a day from 12:00 to 15:00. The advisory is evaluated every minute,
// as the driver below runs the server's rounds.
const scenarioYAML = `name: differential
days: 1
start: "2026-12-02"
sched: {tolerance_min: 60}
advisory: {every_min: 1}
gates:
  - code: huu-nghi
    hours: "07:00-20:00"
    control_zone: 3
    other_side: [{from_day: 0, per_day: 2000}, {from_day: 0.5, per_day: 100}, {from_day: 0.625, per_day: 2000}]
    stages:
      - {name: s, servers: 3, service: {dist: deterministic, mean_min: 45}}
arrivals:
  - {class: export, gate: huu-nghi, per_day: 0}
`

// capacityChanges are the scenario's other_side changes as the operator
// announces them: a count, or nil to withdraw the announcement (the
// scenario's first value is the other side's ordinary capacity, which the
// simulator does not count as announced).
var capacityChanges = []struct {
	at     time.Duration
	perDay *int
}{{hm(12, 0), ptr(100)}, {hm(15, 0), nil}}

const (
	ratePerHour  = 4
	crossingTime = 90 * time.Minute
	shelfLife    = 48 * time.Hour
	noShowRate   = 0.05
)

func hm(h, m int) time.Duration { return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute }

func ptr[T any](v T) *T { return &v }

// day is the script: bookings made before the gate opens (one window
// oversold, one booking cancelled, two never used), walk-ins all day, a
// booked and a live perishable near the end of their shelf life, trucks
// late and early for their window, the other side's drop, and trucks that
// come after the last call.
func day() []sim.ScriptTruck {
	var ts []sim.ScriptTruck
	book := func(id string, at, window, arrive time.Duration) sim.ScriptTruck {
		return sim.ScriptTruck{ID: id, Book: true, BookAt: at, Window: window, Arrive: arrive}
	}
	for i, a := range []time.Duration{hm(7, 50), hm(7, 55), hm(8, 0), hm(8, 5), hm(8, 10)} {
		ts = append(ts, book(fmt.Sprintf("B%d", i+1), hm(5, i), hm(8, 0), a))
	}
	c := book("C1", hm(5, 10), hm(9, 0), hm(9, 0))
	c.Cancel, c.CancelAt = true, hm(8, 30)
	n1 := book("N1", hm(5, 11), hm(9, 0), 0)
	n1.NoShow = true
	n2 := book("N2", hm(5, 12), hm(10, 0), 0)
	n2.NoShow = true
	ts = append(ts, c, n1, n2, book("B6", hm(5, 13), hm(13, 0), hm(13, 0)), book("B7", hm(5, 14), hm(14, 0), hm(14, 10)))
	for k := range 18 {
		ts = append(ts, sim.ScriptTruck{ID: fmt.Sprintf("W%d", k+1), Arrive: hm(7, 0) + time.Duration(k)*10*time.Minute})
	}
	for k := range 8 {
		ts = append(ts, sim.ScriptTruck{ID: fmt.Sprintf("W%d", k+19), Arrive: hm(12, 0) + time.Duration(k)*30*time.Minute})
	}
	ts = append(ts, sim.ScriptTruck{ID: "W27", Arrive: hm(18, 0)}, sim.ScriptTruck{ID: "W28", Arrive: hm(19, 30)})
	// A booked perishable, judged from an hour before its window, and a
	// live one: an hour left of their loads, less than the 1½ h crossing.
	p1 := book("P1", hm(6, 0), hm(11, 0), hm(10, 0))
	p1.SpoilsAt, p1.Comply = hm(11, 0), true
	p2 := sim.ScriptTruck{ID: "P2", Arrive: hm(9, 30), SpoilsAt: hm(10, 30), Comply: true}
	// Trucks off their window: one that comes more than the tolerance
	// late (it queues as a walk-in, its booking ends unused), one late
	// within the tolerance (still booked), and one more than the tolerance
	// early (it waits behind the live trucks until it is due).
	ts = append(ts, book("L1", hm(5, 15), hm(11, 0), hm(12, 40)), book("L2", hm(5, 16), hm(13, 0), hm(13, 45)),
		book("E1", hm(5, 17), hm(16, 0), hm(14, 0)))
	return append(ts, p1, p2)
}

func script(t *testing.T) sim.Script {
	sc, err := sim.Parse("differential.yaml", []byte(scenarioYAML))
	if err != nil {
		t.Fatal(err)
	}
	return sim.Script{Scenario: sc, Policy: sched.Adaptive, RatePerHour: ratePerHour, CrossingTime: crossingTime,
		ShelfLife: shelfLife, Trucks: day()}
}

// TestServerAndSimulatorDecideAlike drives one scripted day at Hữu Nghị
// through the simulator (sim.RunScript) and through the server's services
// on SQLite — bookings, cancellations, check-ins, checkpoint passes at the
// times the simulator's trucks crossed, capacity announcements, and the
// call-forward loop's round (CallForward, SweepNoShows, Advise) every
// minute of a test clock — and compares what each decided: which trucks
// were called and when, which bookings were refused, which trucks were told
// to hold at origin for their shelf life and whether their booking was
// released, which bookings ended as no-shows, when the advisory came into
// force, rose or cleared, and which windows held trucks booked again.
//
// What the simulator models rather than shares is not compared, or is
// replayed into the server: when trucks come and when the other side takes
// them (the simulator's arrivals and crossings drive the server's
// check-ins and checkpoint decisions); the driver's choice of a new window
// after a hold (the simulator's choice is booked on the server, which must
// accept it).
func TestServerAndSimulatorDecideAlike(t *testing.T) {
	s := script(t)
	trace, epoch, err := sim.RunScript(s)
	if err != nil {
		t.Fatal(err)
	}
	server := runServer(t, s, trace, epoch)
	simulated := decisions(trace)
	// Two minutes are modelled, not rules. The simulator evaluates the
	// advisory at its own event every advisory.every_min (here each
	// minute), the server at every round: a change the round after a hold
	// logs in the same minute comes a minute later in the simulator. The
	// simulator ends an unused booking at its window's end plus the
	// tolerance, the server's sweep at its first round after that: a minute
	// later.
	for i, d := range simulated {
		shift := time.Duration(0)
		switch {
		case strings.Contains(d, " advisory "):
			shift = -time.Minute
		case strings.Contains(d, " no_show "):
			shift = time.Minute
		}
		if shift == 0 || slices.Contains(server, d) {
			continue
		}
		if at, err := time.Parse("15:04", d[:5]); err == nil {
			if moved := at.Add(shift).Format("15:04") + d[5:]; slices.Contains(server, moved) {
				simulated[i] = moved
			}
		}
	}
	simulated = normal(simulated)
	if !slices.Equal(simulated, server) {
		t.Errorf("the simulator and the server decided differently:\n%s", sideBySide(simulated, server))
	}
	// The script exercises what it claims to: a refusal, both holds (one
	// releasing its booking), no-shows, calls and the advisory.
	for _, want := range []string{"refused B5", "held P1 released=true", "held P2 released=false", "no_show N1", "no_show N2", "called L1", "called L2", "called E1", "called W1", "advisory active=true"} {
		if !slices.ContainsFunc(simulated, func(d string) bool { return strings.Contains(d, want) }) {
			t.Errorf("the scripted day has no %q decision:\n%s", want, strings.Join(simulated, "\n"))
		}
	}
}

// decisions are the rules' decisions of a simulator trace, as lines.
func decisions(trace []sim.Decision) []string {
	var out []string
	for _, d := range trace {
		switch d.Kind {
		case sim.DecisionArrived, sim.DecisionCrossed:
			continue
		}
		out = append(out, d.String())
	}
	return normal(out)
}

// normal sorts decision lines by time, then text: decisions of one minute
// are compared as a set.
func normal(ds []string) []string {
	slices.Sort(ds)
	return ds
}

// sideBySide lists the decisions only one side took, then both lists.
func sideBySide(a, b []string) string {
	var sb strings.Builder
	only := func(x, y []string) []string {
		left := slices.Clone(y)
		var out []string
		for _, d := range x {
			if i := slices.Index(left, d); i >= 0 {
				left = slices.Delete(left, i, i+1)
			} else {
				out = append(out, d)
			}
		}
		return out
	}
	fmt.Fprintf(&sb, "simulator only:\n  %s\nserver only:\n  %s\n", strings.Join(only(a, b), "\n  "), strings.Join(only(b, a), "\n  "))
	fmt.Fprintf(&sb, "simulator:\n  %s\nserver:\n  %s\n", strings.Join(a, "\n  "), strings.Join(b, "\n  "))
	return sb.String()
}

var (
	admin    = cuakhau.Principal{TokenID: "adm", Name: "admin", Role: cuakhau.RoleAdmin}
	company  = cuakhau.Principal{TokenID: "ent1", Role: cuakhau.RoleEnterprise, TaxCode: "0100109106"}
	operator = cuakhau.Principal{TokenID: "op", Role: cuakhau.RoleOperator, Gate: "huu-nghi"}
)

// route is the export route at Hữu Nghị, passed at the minute the
// simulator's truck crossed.
var route = []cuakhau.Decision{
	{Checkpoint: "entry", Outcome: cuakhau.OutcomePass},
	{Checkpoint: "medical", Outcome: cuakhau.OutcomePass},
	{Checkpoint: "customs", Outcome: cuakhau.OutcomePass, Channel: cuakhau.ChannelGreen},
	{Checkpoint: "quarantine", Outcome: cuakhau.OutcomePass},
	{Checkpoint: "border_guard", Outcome: cuakhau.OutcomePass},
	{Checkpoint: "fee", Outcome: cuakhau.OutcomePass},
	{Checkpoint: "exit", Outcome: cuakhau.OutcomePass},
}

func declaration(st sim.ScriptTruck, declaredAt time.Duration) (cuakhau.Declaration, error) {
	d := cuakhau.Declaration{
		Gate: "huu-nghi", Direction: cuakhau.Export,
		Vehicle:    cuakhau.Vehicle{Plate: "12c12345"},
		Driver:     cuakhau.Driver{Name: "Nguyễn Văn A", IDNumber: "020123456789"},
		Enterprise: cuakhau.Enterprise{TaxCode: "0100109106", Name: "Công ty TNHH Nông sản Xứ Lạng"},
		Containers: []string{"csqu3054383"},
		Cargo: []cuakhau.CargoLine{{HSCode: "081060", Description: "Sầu riêng tươi", Packages: 1200,
			GrossKg: 18000, ValueUSDCents: 5400000}},
		CustomsDeclarations: []string{"304001234520"},
	}
	if st.SpoilsAt > 0 {
		life := st.SpoilsAt - declaredAt
		if life <= 0 || life%time.Hour != 0 {
			return d, fmt.Errorf("truck %s: spoils %v after its declaration; the server declares shelf life in whole hours", st.ID, life)
		}
		d.Cargo[0].Perishable, d.Cargo[0].ShelfLifeHours = true, int(life/time.Hour)
	}
	return d, nil
}

// runServer drives the script through a new SQLite store, minute by
// minute, and returns the decisions it took, as lines.
func runServer(t *testing.T, s sim.Script, trace []sim.Decision, epoch time.Time) []string {
	t.Helper()
	ctx := context.Background()
	clock := cuakhau.NewFixedClock(epoch)
	db, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "cuakhau.db"), clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	gates, err := catalog.Gates()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Seed(ctx, gates); err != nil {
		t.Fatal(err)
	}
	if err := db.SetQueueConfig(sqlstore.QueueConfig{Policy: s.Policy, Lanes: 1, RatePerLaneHour: ratePerHour,
		NoShowRate: noShowRate, CrossingTime: crossingTime, TypicalShelfLife: shelfLife,
		Sched: sched.Config{Tolerance: time.Hour}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetControls(ctx, admin, "huu-nghi", cuakhau.ControlsUpdate{Room: ptr(3), Policy: ptr(s.Policy),
		Lanes: map[string]int{"entry": 1}}); err != nil {
		t.Fatal(err)
	}

	type action struct {
		truck int
		kind  string
	}
	actions := map[time.Duration][]action{}
	for i, st := range s.Trucks {
		switch {
		case st.Book:
			actions[st.BookAt] = append(actions[st.BookAt], action{i, "book"})
		case !st.NoShow:
			actions[st.Arrive] = append(actions[st.Arrive], action{i, "declare"})
		}
		if st.Cancel {
			actions[st.CancelAt] = append(actions[st.CancelAt], action{i, "cancel"})
		}
	}
	index := map[string]int{}
	for i, st := range s.Trucks {
		index[st.ID] = i
	}
	physical := map[time.Duration][]sim.Decision{}
	for _, d := range trace {
		if d.Kind == sim.DecisionArrived || d.Kind == sim.DecisionCrossed || d.Kind == sim.DecisionRebooked {
			physical[d.At] = append(physical[d.At], d)
		}
	}
	trips := map[int]string{} // script index → trip id
	names := map[string]int{} // trip id → script index
	var out []string
	at := func(d time.Duration) string { return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60) }
	declare := func(i int, now time.Duration) {
		if _, ok := trips[i]; ok {
			return
		}
		d, err := declaration(s.Trucks[i], now)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := db.DeclareTrip(ctx, company, d)
		if err != nil {
			t.Fatalf("declare %s: %v", s.Trucks[i].ID, err)
		}
		trips[i], names[tr.ID] = tr.ID, i
	}
	book := func(i int, now, window time.Duration, kind string) {
		_, err := db.Book(ctx, company, trips[i], epoch.Add(window))
		var e *cuakhau.Error
		switch {
		case err == nil:
			if kind == sim.DecisionRebooked {
				out = append(out, sim.Decision{At: now, Kind: kind, Truck: s.Trucks[i].ID, Window: window}.String())
			}
		case errors.As(err, &e) && e.Code == cuakhau.ECONFLICT:
			out = append(out, sim.Decision{At: now, Kind: sim.DecisionRefused, Truck: s.Trucks[i].ID}.String())
		default:
			var ne *cuakhau.NearestError
			if errors.As(err, &ne) {
				out = append(out, sim.Decision{At: now, Kind: sim.DecisionRefused, Truck: s.Trucks[i].ID}.String())
				return
			}
			t.Fatalf("%s: book %s: %v", at(now), s.Trucks[i].ID, err)
		}
	}
	round := func(now time.Duration) {
		if _, err := db.CallForward(ctx, "huu-nghi"); err != nil {
			t.Fatalf("%s: call forward: %v", at(now), err)
		}
		if _, err := db.SweepNoShows(ctx, "huu-nghi"); err != nil {
			t.Fatalf("%s: sweep: %v", at(now), err)
		}
		if _, err := db.Advise(ctx, "huu-nghi"); err != nil {
			t.Fatalf("%s: advise: %v", at(now), err)
		}
	}
	stopped := false
	for now := time.Duration(0); now < 24*time.Hour; now += time.Minute {
		clock.Set(epoch.Add(now))
		for _, c := range capacityChanges {
			if c.at != now {
				continue
			}
			if c.perDay != nil {
				_, err = db.SetOtherSideCapacity(ctx, operator, "huu-nghi", cuakhau.CapacityUpdate{TrucksPerDay: c.perDay, Note: "announced by the other side"})
			} else {
				_, err = db.WithdrawOtherSideCapacity(ctx, operator, "huu-nghi")
			}
			if err != nil {
				t.Fatalf("%s: capacity: %v", at(now), err)
			}
		}
		for _, a := range actions[now] {
			st := s.Trucks[a.truck]
			switch a.kind {
			case "declare":
				declare(a.truck, now)
			case "book":
				declare(a.truck, now)
				book(a.truck, now, st.Window, "")
			case "cancel":
				if _, err := db.CancelBooking(ctx, company, trips[a.truck]); err != nil {
					t.Fatalf("%s: cancel %s: %v", at(now), st.ID, err)
				}
				// The truck stays away: its trip is called off.
				if _, err := db.Decide(ctx, company, trips[a.truck], cuakhau.Decision{Outcome: cuakhau.OutcomeCancel, Note: "trip called off"}); err != nil {
					t.Fatalf("%s: call off %s: %v", at(now), st.ID, err)
				}
			}
		}
		// The shelf-life question of trips on their way, asked before the
		// simulator's trucks of this minute check in, as the simulator asks
		// it at check-in; then the windows its held trucks chose.
		if _, err := db.Advise(ctx, "huu-nghi"); err != nil {
			t.Fatalf("%s: advise: %v", at(now), err)
		}
		for _, d := range physical[now] {
			if d.Kind == sim.DecisionRebooked {
				book(index[d.Truck], now, d.Window, sim.DecisionRebooked)
			}
		}
		for _, d := range physical[now] {
			if d.Kind != sim.DecisionArrived {
				continue
			}
			if _, err := db.Arrive(ctx, operator, trips[index[d.Truck]]); err != nil {
				t.Fatalf("%s: check in %s: %v", at(now), d.Truck, err)
			}
		}
		for _, d := range physical[now] {
			if d.Kind != sim.DecisionCrossed {
				continue
			}
			for _, step := range route {
				if _, err := db.Decide(ctx, admin, trips[index[d.Truck]], step); err != nil {
					// The two have parted: the simulator's truck crossed
					// where the server's was not called. Compare up to here.
					t.Errorf("%s: the simulator's %s crossed; the server's cannot pass %s: %v", at(now), d.Truck, step.Checkpoint, err)
					stopped = true
					break
				}
			}
		}
		if stopped {
			break
		}
		round(now)
	}

	// The decisions the log records.
	released := map[string]time.Time{}
	var events []*cuakhau.Event
	if err := db.ScanLog(ctx, "huu-nghi", func(ev *cuakhau.Event) error {
		events = append(events, ev)
		if ev.Type == cuakhau.EventBookingReleased {
			released[ev.TripID] = ev.At
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	since := func(ev *cuakhau.Event) time.Duration { return ev.At.Sub(epoch).Round(time.Minute) }
	name := func(id string) string { return s.Trucks[names[id]].ID }
	for _, ev := range events {
		switch ev.Type {
		case cuakhau.EventCalled:
			out = append(out, sim.Decision{At: since(ev), Kind: sim.DecisionCalled, Truck: name(ev.TripID)}.String())
		case cuakhau.EventNoShow:
			out = append(out, sim.Decision{At: since(ev), Kind: sim.DecisionNoShow, Truck: name(ev.TripID)}.String())
		case cuakhau.EventAdvisory:
			var d gatestate.AdvisoryData
			if err := json.Unmarshal(ev.Data, &d); err != nil {
				t.Fatal(err)
			}
			if !d.ShelfLifeHold {
				out = append(out, sim.Decision{At: since(ev), Kind: sim.DecisionAdvisory, Active: d.Active, Level: sched.Level(d.Level)}.String())
				continue
			}
			for _, id := range d.Told {
				r, ok := released[id]
				out = append(out, sim.Decision{At: since(ev), Kind: sim.DecisionHeld, Truck: name(id), Released: ok && r.Equal(ev.At)}.String())
			}
		}
	}
	diffs, err := db.VerifyProjections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Errorf("the server's day does not verify: %s", d)
	}
	return normal(out)
}
