package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/google/go-cmp/cmp"
)

func TestDeclareAndRead(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		trip := declare(t, db, company, durian())

		if trip.ID == "" || !strings.HasPrefix(trip.Code, "HN-") {
			t.Errorf("id %q, code %q: want an id and a code starting HN-", trip.ID, trip.Code)
		}
		got := []any{trip.Status, trip.Version, trip.Vehicle.Plate, trip.DeclaredAt, trip.UpdatedAt}
		want := []any{cuakhau.StatusDeclared, 1, "12C-123.45", start, start}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("declared trip (-want +got):\n%s", diff)
		}

		// Everyone who may see it reads what was declared.
		for _, p := range []cuakhau.Principal{company, admin, viewer, customs, {Role: cuakhau.RoleCustoms}} {
			read, err := db.Trip(ctx, p, trip.ID)
			if err != nil {
				t.Fatalf("Trip as %s: %v", p.Actor(), err)
			}
			if diff := cmp.Diff(trip, read); diff != "" {
				t.Errorf("Trip as %s (-declared +read):\n%s", p.Actor(), diff)
			}
		}
		// Others may not; an unknown id is not found.
		for _, p := range []cuakhau.Principal{company2, customsTT, {Role: cuakhau.RoleEnterprise}} {
			_, err := db.Trip(ctx, p, trip.ID)
			wantCode(t, err, cuakhau.EFORBIDDEN)
			_, err = db.TripEvents(ctx, p, trip.ID)
			wantCode(t, err, cuakhau.EFORBIDDEN)
		}
		_, err := db.Trip(ctx, admin, "no-such-trip")
		wantCode(t, err, cuakhau.ENOTFOUND)
		_, err = db.TripEvents(ctx, admin, "no-such-trip")
		wantCode(t, err, cuakhau.ENOTFOUND)

		// The declared event opens the gate's chain.
		events, err := db.TripEvents(ctx, company, trip.ID)
		if err != nil {
			t.Fatalf("TripEvents: %v", err)
		}
		if len(events) != 1 {
			t.Fatalf("%d events, want 1", len(events))
		}
		ev := events[0]
		if ev.Hash != ev.ComputeHash() {
			t.Errorf("stored hash %s, recomputed %s", ev.Hash, ev.ComputeHash())
		}
		gotEv := []any{ev.Gate, ev.Seq, ev.TripID, ev.Type, ev.Actor, ev.At, ev.Status, ev.PrevHash}
		wantEv := []any{"huu-nghi", int64(1), trip.ID, cuakhau.EventDeclared, "enterprise:ent1", start, cuakhau.StatusDeclared, cuakhau.GenesisHash}
		if diff := cmp.Diff(wantEv, gotEv); diff != "" {
			t.Errorf("declared event (-want +got):\n%s", diff)
		}
		if !strings.Contains(string(ev.Data), `"HN-`) {
			t.Errorf("declared event data %s does not hold the code", ev.Data)
		}
	})
}

func TestDeclareRefuses(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		badPlate := durian()
		badPlate.Vehicle.Plate = "not a plate"
		unknownGate := durian()
		unknownGate.Gate = "mong-cai"
		for _, c := range []struct {
			name  string
			p     cuakhau.Principal
			d     cuakhau.Declaration
			code  string
			field string
		}{
			{"bad plate", company, badPlate, cuakhau.EINVALID, "vehicle.plate"},
			{"unknown gate", company, unknownGate, cuakhau.EINVALID, "gate"},
			{"another company's trip", company2, durian(), cuakhau.EFORBIDDEN, ""},
			{"customs may not declare", customs, durian(), cuakhau.EFORBIDDEN, ""},
		} {
			_, err := db.DeclareTrip(ctx, c.p, c.d)
			if got := cuakhau.ErrorCode(err); got != c.code {
				t.Errorf("%s: error %q (%v), want %q", c.name, got, err, c.code)
			}
			if _, ok := cuakhau.ErrorFields(err)[c.field]; c.field != "" && !ok {
				t.Errorf("%s: fields %v do not name %s", c.name, cuakhau.ErrorFields(err), c.field)
			}
		}
		// Refused declarations leave nothing behind.
		if n := count(t, db, `SELECT count(*) FROM trips`); n != 0 {
			t.Errorf("%d trips stored, want 0", n)
		}
		if n := count(t, db, `SELECT count(*) FROM events`); n != 0 {
			t.Errorf("%d events stored, want 0", n)
		}
		// A cancelled context: the write does not run.
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := db.DeclareTrip(cctx, company, durian()); err == nil || !strings.Contains(err.Error(), "context canceled") {
			t.Errorf("DeclareTrip with a cancelled context: %v", err)
		}
		if n := count(t, db, `SELECT count(*) FROM trips`); n != 0 {
			t.Errorf("%d trips stored after a cancelled request, want 0", n)
		}
	})
}

func TestCodeCollision(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		db.SetCodes(func(string) string { return "HN-AAAAAA" })
		first := declare(t, db, company, durian())

		// The next code drawn is taken: the store draws again.
		codes := []string{"HN-AAAAAA", "HN-BBBBBB"}
		db.SetCodes(func(string) string { c := codes[0]; codes = codes[1:]; return c })
		second := declare(t, db, company, durian())
		if got := []string{first.Code, second.Code}; !cmp.Equal(got, []string{"HN-AAAAAA", "HN-BBBBBB"}) {
			t.Errorf("codes %v, want HN-AAAAAA then HN-BBBBBB", got)
		}

		// A generator that only collides gives up, leaving nothing.
		db.SetCodes(func(string) string { return "HN-AAAAAA" })
		_, err := db.DeclareTrip(ctx, company, durian())
		wantCode(t, err, cuakhau.EINTERNAL)
		if n := count(t, db, `SELECT count(*) FROM trips`); n != 2 {
			t.Errorf("%d trips, want 2", n)
		}
		if n := wantWhole(t, db); n["huu-nghi"] != 2 {
			t.Errorf("huu-nghi log has %d entries, want 2", n["huu-nghi"])
		}
	})
}

// route is the export route of durian() at Hữu Nghị: who decides where.
var route = []struct {
	p          cuakhau.Principal
	checkpoint string
	channel    cuakhau.Channel
}{
	{operator, "entry", ""},
	{medical, "medical", ""},
	{customs, "customs", cuakhau.ChannelGreen},
	{plantQ, "quarantine", ""},
	{guard, "border_guard", ""},
	{operator, "fee", ""},
	{operator, "exit", ""},
}

func TestExportToCrossed(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		trip := declare(t, db, company, durian())
		var last *cuakhau.DecisionResult
		var statuses []cuakhau.Status
		for i, step := range route {
			clock.Add(10 * time.Minute)
			last = decide(t, db, step.p, trip.ID, cuakhau.Decision{Checkpoint: step.checkpoint, Outcome: cuakhau.OutcomePass, Channel: step.channel})
			if last.Event.Seq != int64(i+2) || last.Trip.Version != i+2 {
				t.Errorf("%s: seq %d, version %d; want %d", step.checkpoint, last.Event.Seq, last.Trip.Version, i+2)
			}
			if !last.Event.At.Equal(clock.Now()) || !last.Trip.UpdatedAt.Equal(clock.Now()) {
				t.Errorf("%s: event at %v, trip updated %v; want %v", step.checkpoint, last.Event.At, last.Trip.UpdatedAt, clock.Now())
			}
			statuses = append(statuses, last.Event.Status)
		}
		wantStatuses := []cuakhau.Status{"in_zone", "in_zone", "in_zone", "in_zone", "in_zone", "in_zone", "crossed"}
		if diff := cmp.Diff(wantStatuses, statuses); diff != "" {
			t.Errorf("statuses along the route (-want +got):\n%s", diff)
		}
		if last.Trip.CrossedAt == nil || !last.Trip.CrossedAt.Equal(clock.Now()) || last.Trip.Channel != cuakhau.ChannelGreen {
			t.Errorf("crossed trip: crossed_at %v, channel %q", last.Trip.CrossedAt, last.Trip.Channel)
		}

		// The projection read back is the one the last decision returned.
		read, err := db.Trip(ctx, company, trip.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(last.Trip, read); diff != "" {
			t.Errorf("stored trip (-decided +read):\n%s", diff)
		}
		events, err := db.TripEvents(ctx, company, trip.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != len(route)+1 {
			t.Fatalf("%d events, want %d", len(events), len(route)+1)
		}
		if diff := cmp.Diff(last.Event, events[len(events)-1]); diff != "" {
			t.Errorf("last stored event (-decided +read):\n%s", diff)
		}
		for i := 1; i < len(events); i++ {
			if events[i].PrevHash != events[i-1].Hash || events[i].Seq != events[i-1].Seq+1 {
				t.Errorf("event %d does not link to event %d", events[i].Seq, events[i-1].Seq)
			}
		}

		// A crossed trip takes nothing more, and nothing is logged.
		_, err = db.Decide(ctx, operator, trip.ID, cuakhau.Decision{Checkpoint: "exit", Outcome: cuakhau.OutcomePass})
		wantCode(t, err, cuakhau.ECONFLICT)
		if n := wantWhole(t, db); n["huu-nghi"] != int64(len(route)+1) {
			t.Errorf("huu-nghi log has %d entries, want %d", n["huu-nghi"], len(route)+1)
		}
		if n := count(t, db, `SELECT count(*) FROM trips WHERE status = ? AND version = ?`, "crossed", len(route)+1); n != 1 {
			t.Errorf("%d crossed trips at version %d in the projection columns, want 1", n, len(route)+1)
		}
	})
}

func TestHoldBlocksLaterCheckpoints(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		trip := declare(t, db, company, durian())
		decide(t, db, operator, trip.ID, cuakhau.Decision{Checkpoint: "entry", Outcome: cuakhau.OutcomePass})
		decide(t, db, medical, trip.ID, cuakhau.Decision{Checkpoint: "medical", Outcome: cuakhau.OutcomePass})

		// A hold needs a reason.
		_, err := db.Decide(ctx, customs, trip.ID, cuakhau.Decision{Checkpoint: "customs", Outcome: cuakhau.OutcomeHold})
		wantCode(t, err, cuakhau.EINVALID)
		held := decide(t, db, customs, trip.ID, cuakhau.Decision{Checkpoint: "customs", Outcome: cuakhau.OutcomeHold, Note: "C/O thiếu chữ ký"})
		if held.Trip.Status != cuakhau.StatusHeld {
			t.Errorf("status after hold = %s, want held", held.Trip.Status)
		}

		// Later checkpoints cannot act while customs holds the truck.
		for _, step := range route[3:] {
			_, err := db.Decide(ctx, step.p, trip.ID, cuakhau.Decision{Checkpoint: step.checkpoint, Outcome: cuakhau.OutcomePass})
			wantCode(t, err, cuakhau.ECONFLICT)
		}
		// Another gate's officer may not act on it at all.
		_, err = db.Decide(ctx, customsTT, trip.ID, cuakhau.Decision{Checkpoint: "customs", Outcome: cuakhau.OutcomeRelease})
		wantCode(t, err, cuakhau.EFORBIDDEN)
		_, err = db.Decide(ctx, admin, "no-such-trip", cuakhau.Decision{Checkpoint: "customs", Outcome: cuakhau.OutcomeRelease})
		wantCode(t, err, cuakhau.ENOTFOUND)

		released := decide(t, db, customs, trip.ID, cuakhau.Decision{Checkpoint: "customs", Outcome: cuakhau.OutcomeRelease, Note: "bổ sung"})
		if released.Trip.Status != cuakhau.StatusInZone {
			t.Errorf("status after release = %s, want in_zone", released.Trip.Status)
		}
		last := decide(t, db, customs, trip.ID, cuakhau.Decision{Checkpoint: "customs", Outcome: cuakhau.OutcomePass, Channel: cuakhau.ChannelYellow})
		for _, step := range route[3:] {
			last = decide(t, db, step.p, trip.ID, cuakhau.Decision{Checkpoint: step.checkpoint, Outcome: cuakhau.OutcomePass})
		}
		if last.Trip.Status != cuakhau.StatusCrossed {
			t.Errorf("final status %s, want crossed", last.Trip.Status)
		}

		events, err := db.TripEvents(ctx, admin, trip.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range events {
			got = append(got, e.Checkpoint+" "+string(e.Outcome)+" → "+string(e.Status))
		}
		want := []string{
			"  → declared",
			"entry pass → in_zone",
			"medical pass → in_zone",
			"customs hold → held",
			"customs release → in_zone",
			"customs pass → in_zone",
			"quarantine pass → in_zone",
			"border_guard pass → in_zone",
			"fee pass → in_zone",
			"exit pass → crossed",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("the trip's history (-want +got):\n%s", diff)
		}
		if events[3].Note != "C/O thiếu chữ ký" || events[3].Actor != "customs:cus" {
			t.Errorf("hold event: note %q, actor %q", events[3].Note, events[3].Actor)
		}
		wantWhole(t, db)
	})
}

func TestTripsFilters(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		// a, b, c on 1 December (local), d on 2 December: 00:30 in Lạng Sơn
		// is still 1 December in UTC.
		a := declare(t, db, company, durian())
		clock.Add(time.Minute)
		dB := durian()
		dB.Gate = "tan-thanh"
		dB.Vehicle.Plate = "12C-1234"
		b := declare(t, db, company, dB)
		clock.Add(time.Minute)
		dC := durian()
		dC.Vehicle.Plate = "桂F12345"
		dC.Enterprise.TaxCode = company2.TaxCode
		c := declare(t, db, company2, dC)
		clock.Set(time.Date(2026, 12, 1, 17, 30, 0, 0, time.UTC))
		d := declare(t, db, company, durian())
		decide(t, db, company, b.ID, cuakhau.Decision{Outcome: cuakhau.OutcomeCancel})

		ids := map[string]string{a.ID: "a", b.ID: "b", c.ID: "c", d.ID: "d"}
		tests := []struct {
			name string
			p    cuakhau.Principal
			f    cuakhau.TripFilter
			want []string
			code string
		}{
			{"all", admin, cuakhau.TripFilter{}, []string{"a", "b", "c", "d"}, ""},
			{"viewer", viewer, cuakhau.TripFilter{}, []string{"a", "b", "c", "d"}, ""},
			{"gate", admin, cuakhau.TripFilter{Gate: "huu-nghi"}, []string{"a", "c", "d"}, ""},
			{"status", admin, cuakhau.TripFilter{Status: cuakhau.StatusCancelled}, []string{"b"}, ""},
			{"status declared", admin, cuakhau.TripFilter{Status: cuakhau.StatusDeclared}, []string{"a", "c", "d"}, ""},
			{"plate as typed", admin, cuakhau.TripFilter{Plate: "12c 12345"}, []string{"a", "d"}, ""},
			{"chinese plate", admin, cuakhau.TripFilter{Plate: "桂F·12345"}, []string{"c"}, ""},
			{"code as typed", admin, cuakhau.TripFilter{Code: strings.ToLower(strings.ReplaceAll(c.Code, "-", ""))}, []string{"c"}, ""},
			{"code at another gate", admin, cuakhau.TripFilter{Gate: "tan-thanh", Code: a.Code}, []string{}, ""},
			{"open", admin, cuakhau.TripFilter{Open: true}, []string{"a", "c", "d"}, ""},
			{"open with a plate", admin, cuakhau.TripFilter{Plate: "12C-1234", Open: true}, []string{}, ""},
			{"local date", admin, cuakhau.TripFilter{Date: "2026-12-01"}, []string{"a", "b", "c"}, ""},
			{"next local date", admin, cuakhau.TripFilter{Date: "2026-12-02"}, []string{"d"}, ""},
			{"tax code", admin, cuakhau.TripFilter{TaxCode: "0300588569"}, []string{"c"}, ""},
			{"filters combine", admin, cuakhau.TripFilter{Gate: "huu-nghi", Date: "2026-12-01", Plate: "12C-123.45"}, []string{"a"}, ""},
			{"enterprise sees its own", company, cuakhau.TripFilter{}, []string{"a", "b", "d"}, ""},
			{"other enterprise", company2, cuakhau.TripFilter{}, []string{"c"}, ""},
			{"enterprise with its tax code", company, cuakhau.TripFilter{TaxCode: "0100109106"}, []string{"a", "b", "d"}, ""},
			{"enterprise asks for another's", company2, cuakhau.TripFilter{TaxCode: "0100109106"}, nil, cuakhau.EFORBIDDEN},
			{"officer sees its gate", customs, cuakhau.TripFilter{}, []string{"a", "c", "d"}, ""},
			{"officer of another gate", customsTT, cuakhau.TripFilter{}, []string{"b"}, ""},
			{"officer asks for another gate", customsTT, cuakhau.TripFilter{Gate: "huu-nghi"}, nil, cuakhau.EFORBIDDEN},
			{"unbound officer", cuakhau.Principal{Role: cuakhau.RoleMedical}, cuakhau.TripFilter{Gate: "tan-thanh"}, []string{"b"}, ""},
			{"page 1", admin, cuakhau.TripFilter{Limit: 2}, []string{"a", "b"}, ""},
			{"page 2", admin, cuakhau.TripFilter{Limit: 2, After: b.ID}, []string{"c", "d"}, ""},
			{"page 3", admin, cuakhau.TripFilter{Limit: 2, After: d.ID}, []string{}, ""},
			{"paging with a filter", admin, cuakhau.TripFilter{Gate: "huu-nghi", After: a.ID}, []string{"c", "d"}, ""},
			{"unknown after", admin, cuakhau.TripFilter{After: "nope"}, []string{}, ""},
			{"huge limit", admin, cuakhau.TripFilter{Limit: 1_000_000}, []string{"a", "b", "c", "d"}, ""},
			{"bad plate", admin, cuakhau.TripFilter{Plate: "xyz"}, nil, cuakhau.EINVALID},
			{"bad code", admin, cuakhau.TripFilter{Code: "xyz"}, nil, cuakhau.EINVALID},
			{"bad date", admin, cuakhau.TripFilter{Date: "1/12/2026"}, nil, cuakhau.EINVALID},
			{"bad status", admin, cuakhau.TripFilter{Status: "parked"}, nil, cuakhau.EINVALID},
			{"unknown gate", admin, cuakhau.TripFilter{Gate: "mong-cai"}, nil, cuakhau.EINVALID},
			{"negative limit", admin, cuakhau.TripFilter{Limit: -1}, nil, cuakhau.EINVALID},
			{"unbound enterprise", cuakhau.Principal{Role: cuakhau.RoleEnterprise}, cuakhau.TripFilter{}, nil, cuakhau.EFORBIDDEN},
		}
		for _, tt := range tests {
			trips, err := db.Trips(ctx, tt.p, tt.f)
			if tt.code != "" {
				if got := cuakhau.ErrorCode(err); got != tt.code {
					t.Errorf("%s: error %q (%v), want %q", tt.name, got, err, tt.code)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
				continue
			}
			got := []string{}
			for _, trip := range trips {
				got = append(got, ids[trip.ID])
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.name, diff)
			}
		}

		// The named field of an invalid filter.
		_, err := db.Trips(ctx, admin, cuakhau.TripFilter{Plate: "xyz"})
		if _, ok := cuakhau.ErrorFields(err)["plate"]; !ok {
			t.Errorf("bad plate: fields %v, want plate", cuakhau.ErrorFields(err))
		}
		// Listed trips are whole.
		trips, err := db.Trips(ctx, admin, cuakhau.TripFilter{Status: cuakhau.StatusCancelled})
		if err != nil || len(trips) != 1 {
			t.Fatalf("Trips: %v, %v", trips, err)
		}
		one, _ := db.Trip(ctx, admin, b.ID)
		if diff := cmp.Diff(one, trips[0]); diff != "" {
			t.Errorf("listed trip differs from read trip (-read +listed):\n%s", diff)
		}
	})
}
