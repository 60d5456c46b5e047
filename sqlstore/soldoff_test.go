package sqlstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/cuakhau/cuakhau/stats"
)

// TestSoldOffLoads: a perishable load cancelled as sold off at the border
// is marked on the trip and in its cancelled event, and counted on the
// gate-local day of the cancellation at its gate and direction, with its
// declared value and weight; a plain cancellation is not; verify rebuilds
// both the mark and the count.
func TestSoldOffLoads(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		dec1, dec2 := stats.NewDate(2026, time.December, 1), stats.NewDate(2026, time.December, 2)

		first := declare(t, db, company, withPlate(durian(), "12C45678"))
		res := decide(t, db, company, first.ID, cuakhau.Decision{Outcome: cuakhau.OutcomeCancel, SoldOff: true})
		if !res.Trip.SoldOff || res.Trip.Status != cuakhau.StatusCancelled {
			t.Errorf("trip after a sold-off cancellation: status %s, sold_off %v", res.Trip.Status, res.Trip.SoldOff)
		}
		var data struct {
			SoldOff bool `json:"sold_off"`
		}
		if err := json.Unmarshal(res.Event.Data, &data); err != nil || res.Event.Type != cuakhau.EventCancelled || !data.SoldOff {
			t.Errorf("cancelled event %s with data %s (%v): want the sold_off mark in its data", res.Event.Type, res.Event.Data, err)
		}
		if got, err := db.Trip(ctx, admin, first.ID); err != nil || !got.SoldOff {
			t.Errorf("the stored trip: %+v, %v; want it marked sold off", got, err)
		}

		// Two loads at 00:30 the next day in the gate's time (17:30 UTC),
		// one by the operator with its reason, and a plain cancellation.
		clock.Set(time.Date(2026, 12, 1, 17, 30, 0, 0, time.UTC))
		second := declare(t, db, company, withPlate(durian(), "12C45679"))
		decide(t, db, operator, second.ID, cuakhau.Decision{Outcome: cuakhau.OutcomeCancel, Note: "bán tháo tại cửa khẩu", SoldOff: true})
		third := withPlate(durian(), "12C45680")
		third.Cargo[0].ValueUSDCents, third.Cargo[0].GrossKg = 1_000_000, 9000
		decide(t, db, company, declare(t, db, company, third).ID, cuakhau.Decision{Outcome: cuakhau.OutcomeCancel, SoldOff: true})
		plain := declare(t, db, company, withPlate(durian(), "12C45681"))
		if res := decide(t, db, company, plain.ID, cuakhau.Decision{Outcome: cuakhau.OutcomeCancel}); res.Trip.SoldOff || len(res.Event.Data) != 0 {
			t.Errorf("a plain cancellation: sold_off %v, data %s", res.Trip.SoldOff, res.Event.Data)
		}

		p, err := db.Stats(ctx, viewer, stats.Query{Range: stats.Range{From: dec1, To: dec2}})
		if err != nil {
			t.Fatal(err)
		}
		want := []stats.SoldOff{
			{Day: dec1, Gate: "huu-nghi", Direction: cuakhau.Export, Loads: 1, ValueUSDCents: 5_400_000, GrossKg: 18000},
			{Day: dec2, Gate: "huu-nghi", Direction: cuakhau.Export, Loads: 2, ValueUSDCents: 6_400_000, GrossKg: 27000},
		}
		if diff := cmp.Diff(want, p.SoldOffDays, cmp.Comparer(func(a, b stats.Date) bool { return a == b })); diff != "" {
			t.Errorf("sold-off loads by day (-want +got):\n%s", diff)
		}
		if c := p.Clearance; c.SoldOff != 3 || c.SoldOffValueUSDCents != 11_800_000 || c.SoldOffGrossKg != 45000 {
			t.Errorf("the period's sold-off loads: %d, %d cents, %d kg; want 3, 11800000, 45000", c.SoldOff, c.SoldOffValueUSDCents, c.SoldOffGrossKg)
		}
		for _, q := range []stats.Query{
			{Range: stats.Range{From: dec1, To: dec2}, Direction: cuakhau.Import},
			{Range: stats.Range{From: dec1, To: dec2}, Gate: "tan-thanh"},
			{Range: stats.Range{From: dec2.AddDays(1), To: dec2.AddDays(1)}},
		} {
			if p, err := db.Stats(ctx, viewer, q); err != nil || p.Clearance.SoldOff != 0 || len(p.SoldOffDays) != 0 {
				t.Errorf("%+v: %v sold off, %v", q, p.SoldOffDays, err)
			}
		}
		if p, _ := db.Stats(ctx, viewer, stats.Query{Range: stats.Range{From: dec2, To: dec2}, Gate: "huu-nghi", Direction: cuakhau.Export}); p.Clearance.SoldOff != 2 {
			t.Errorf("2 December at huu-nghi, export: %d sold off, want 2", p.Clearance.SoldOff)
		}
		wantWhole(t, db)

		// The mark behind the store's back, on the trip and in the count.
		tamper := func(query string, args ...any) {
			t.Helper()
			if err := db.ExecRaw(ctx, query, args...); err != nil {
				t.Fatalf("tamper: %v", err)
			}
		}
		wantDiff := func(table, key, field string) {
			t.Helper()
			var found []string
			for _, d := range verifyRows(t, db) {
				if d.Table == table && strings.Contains(d.Key, key) && d.Field == field {
					return
				}
				found = append(found, d.String())
			}
			t.Errorf("verify does not name %s %s %q: %q", table, key, field, found)
		}
		// A cancelled trip's body is packed: edited as JSON and packed again.
		editBody := func(id, from, to string) {
			t.Helper()
			if err := db.EditTripBody(ctx, id, func(b []byte) []byte { return bytes.Replace(b, []byte(from), []byte(to), 1) }); err != nil {
				t.Fatalf("tamper: %v", err)
			}
		}
		editBody(first.ID, `"sold_off":true`, `"sold_off":false`)
		wantDiff("trips", first.ID, "body.sold_off")
		editBody(plain.ID, `"status":"cancelled"`, `"status":"cancelled","sold_off":true`)
		wantDiff("trips", plain.ID, "body.sold_off")
		tamper(`UPDATE sold_off_loads SET value_usd_cents = 1 WHERE trip_id = ?`, second.ID)
		wantDiff("sold_off_loads", second.ID, "day gate direction value_usd_cents gross_kg")
		tamper(`DELETE FROM sold_off_loads WHERE trip_id = ?`, first.ID)
		wantDiff("sold_off_loads", first.ID, "")
	})
}

// TestSoldOffRefused: the mark is refused, naming sold_off, on anything
// but a cancellation and on a trip without perishable cargo; nothing is
// written or counted.
func TestSoldOffRefused(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		trip := declare(t, db, company, durian())
		_, err := db.Decide(ctx, operator, trip.ID, cuakhau.Decision{Checkpoint: "entry", Outcome: cuakhau.OutcomePass, SoldOff: true})
		wantCode(t, err, cuakhau.EINVALID)
		if f := cuakhau.ErrorFields(err); !strings.Contains(f["sold_off"], "outcome cancel") {
			t.Errorf("sold_off on a pass: fields %q", f)
		}
		dry := durian()
		dry.Cargo[0] = cuakhau.CargoLine{HSCode: "440799", Description: "Gỗ xẻ", Packages: 20, GrossKg: 20000, ValueUSDCents: 1_500_000}
		dryTrip := declare(t, db, company, withPlate(dry, "12C45678"))
		_, err = db.Decide(ctx, company, dryTrip.ID, cuakhau.Decision{Outcome: cuakhau.OutcomeCancel, SoldOff: true})
		wantCode(t, err, cuakhau.EINVALID)
		if f := cuakhau.ErrorFields(err); !strings.Contains(f["sold_off"], "perishable") {
			t.Errorf("sold_off on a load of timber: fields %q", f)
		}
		_, err = db.Decide(ctx, operator, trip.ID, cuakhau.Decision{Outcome: cuakhau.OutcomeCancel, SoldOff: true})
		if f := cuakhau.ErrorFields(err); f["note"] == "" {
			t.Errorf("an operator's sold-off cancellation without a reason: %v", err)
		}
		for _, id := range []string{trip.ID, dryTrip.ID} {
			if got := status(t, db, id); got != cuakhau.StatusDeclared {
				t.Errorf("trip %s is %s after refusals", id, got)
			}
		}
		if n := count(t, db, `SELECT count(*) FROM sold_off_loads`); n != 0 {
			t.Errorf("%d sold-off loads counted after refusals", n)
		}
		wantWhole(t, db)
	})
}
