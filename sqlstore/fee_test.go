package sqlstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/fee"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// exampleTariffs is fee's example schedule: the resolution's published
// points, every other amount an example.
func exampleTariffs(t *testing.T) []fee.Tariff {
	t.Helper()
	b, err := os.ReadFile("../fee/testdata/example-schedule.json")
	if err != nil {
		t.Fatal(err)
	}
	var s []fee.Tariff
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// crossTrip declares a durian export (18 t, fresh produce: a 20-ft
// container's 1,000,000 VND in the example tariff) and passes it through
// its route to crossed.
func crossTrip(t *testing.T, db *sqlstore.DB) *cuakhau.Trip {
	t.Helper()
	trip := declare(t, db, company, durian())
	var last *cuakhau.DecisionResult
	for _, s := range route {
		last = decide(t, db, s.p, trip.ID, cuakhau.Decision{Checkpoint: s.checkpoint, Outcome: cuakhau.OutcomePass, Channel: s.channel})
	}
	if last.Trip.Status != cuakhau.StatusCrossed {
		t.Fatalf("trip %s is %s after its route, want crossed", trip.Code, last.Trip.Status)
	}
	return last.Trip
}

func wantField(t *testing.T, err error, field, rule string) {
	t.Helper()
	var e *cuakhau.Error
	if cuakhau.ErrorCode(err) != cuakhau.EINVALID || !errors.As(err, &e) {
		t.Fatalf("error = %v, want EINVALID naming %s", err, field)
	}
	if got, ok := e.Fields[field]; !ok || !strings.Contains(got, rule) {
		t.Fatalf("fields = %v, want %s: …%s…", e.Fields, field, rule)
	}
}

func TestTariffs(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		ex := exampleTariffs(t)
		if err := db.AddTariffs(ctx, ex); err != nil {
			t.Fatalf("AddTariffs(example): %v", err)
		}
		got, err := db.Tariffs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Version != ex[0].Version || len(got[0].Rates) != len(ex[0].Rates) {
			t.Fatalf("stored tariffs = %+v, want the example's one", got)
		}

		// A second version in force on days the first is: refused by its
		// field, naming the stored one.
		overlap := ex[0]
		overlap.Version = "2026"
		overlap.From, _ = fee.ParseDate("2026-01-01")
		wantField(t, db.AddTariffs(ctx, []fee.Tariff{overlap}), "tariffs[0].from", ex[0].Version)
		// The same version twice.
		wantField(t, db.AddTariffs(ctx, []fee.Tariff{ex[0]}), "tariffs[0].version", "exists already")

		// A negative amount, in a version that would otherwise do.
		neg := ex[0]
		neg.Version = "earlier"
		neg.From, _ = fee.ParseDate("2024-01-01")
		neg.To, _ = fee.ParseDate("2024-12-31")
		neg.Rates = append([]fee.Rate{{Vehicle: "under_2t", Cargo: "fresh_produce", AmountVND: -1}}, neg.Rates[1:]...)
		wantField(t, db.AddTariffs(ctx, []fee.Tariff{neg}), "tariffs[0].rates[0].amount_vnd", "negative")
		if n := count(t, db, `SELECT count(*) FROM tariffs`); n != 1 {
			t.Errorf("%d tariffs stored after refusals, want 1", n)
		}
		neg.Rates[0].AmountVND = 90_000
		if err := db.AddTariffs(ctx, []fee.Tariff{neg}); err != nil {
			t.Errorf("a tariff before the first: %v", err)
		}
	})
}

func TestReceiptOfACrossing(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		if err := db.AddTariffs(ctx, exampleTariffs(t)); err != nil {
			t.Fatal(err)
		}
		pending := declare(t, db, company, durian())
		_, err := db.Receipt(ctx, admin, pending.ID)
		wantCode(t, err, cuakhau.ENOTFOUND)

		a, b := crossTrip(t, db), crossTrip(t, db)
		ra, err := db.Receipt(ctx, company, a.ID)
		if err != nil {
			t.Fatalf("Receipt: %v", err)
		}
		rb, err := db.Receipt(ctx, operator, b.ID)
		if err != nil {
			t.Fatalf("Receipt: %v", err)
		}
		if ra.Number != "LS-2026-000001" || rb.Number != "LS-2026-000002" {
			t.Errorf("numbers %s, %s; want LS-2026-000001, LS-2026-000002", ra.Number, rb.Number)
		}
		if ra.AmountVND != 1_000_000 || ra.Status != cuakhau.ReceiptUnpaid || len(ra.Lines) != 1 || !ra.Lines[0].Charged ||
			ra.Lines[0].Cargo != "fresh_produce" || ra.Day != "2026-12-01" || ra.Gate != "huu-nghi" {
			t.Errorf("receipt = %+v, want 1,000,000 VND unpaid for one fresh-produce line on 2026-12-01", ra)
		}
		_, err = db.Receipt(ctx, company2, a.ID)
		wantCode(t, err, cuakhau.EFORBIDDEN)
		wantWhole(t, db)

		// Payments: the operator's desk, once; not customs, not an
		// enterprise; a positive amount and a reference.
		_, err = db.RecordPayment(ctx, customs, a.ID, cuakhau.PaymentInput{AmountVND: 1_000_000, Reference: "FT1"})
		wantCode(t, err, cuakhau.EFORBIDDEN)
		_, err = db.RecordPayment(ctx, company, a.ID, cuakhau.PaymentInput{AmountVND: 1_000_000, Reference: "FT1"})
		wantCode(t, err, cuakhau.EFORBIDDEN)
		_, err = db.RecordPayment(ctx, operator, a.ID, cuakhau.PaymentInput{AmountVND: -5, Reference: ""})
		wantField(t, err, "amount_vnd", "positive")
		wantField(t, err, "reference", "empty")
		_, err = db.RecordPayment(ctx, operator, pending.ID, cuakhau.PaymentInput{AmountVND: 1, Reference: "X"})
		wantCode(t, err, cuakhau.ENOTFOUND)
		part, err := db.RecordPayment(ctx, operator, a.ID, cuakhau.PaymentInput{AmountVND: 400_000, Reference: "FT1"})
		if err != nil {
			t.Fatalf("RecordPayment: %v", err)
		}
		if part.Status != cuakhau.ReceiptUnpaid || part.PaidVND != 400_000 {
			t.Errorf("after a part payment: %s, %d paid; want unpaid, 400000", part.Status, part.PaidVND)
		}
		_, err = db.RecordPayment(ctx, operator, a.ID, cuakhau.PaymentInput{AmountVND: 600_000, Reference: "FT1"})
		wantCode(t, err, cuakhau.ECONFLICT)
		paid, err := db.RecordPayment(ctx, operator, a.ID, cuakhau.PaymentInput{AmountVND: 600_000, Reference: "FT2"})
		if err != nil {
			t.Fatalf("RecordPayment: %v", err)
		}
		if paid.Status != cuakhau.ReceiptPaid || paid.PaidAt == nil || len(paid.Payments) != 2 || paid.Payments[0].RecordedBy != operator.Actor() {
			t.Errorf("after paying in full: %+v", paid)
		}
		_, err = db.RecordPayment(ctx, operator, a.ID, cuakhau.PaymentInput{AmountVND: 1, Reference: "FT3"})
		wantCode(t, err, cuakhau.ECONFLICT)
		// A bank's notice, by the receipt's number.
		if r, err := db.RecordBankPayment(ctx, rb.Number, cuakhau.PaymentInput{AmountVND: 1_000_000, Reference: "NAPAS-77"}); err != nil || r.Status != cuakhau.ReceiptPaid {
			t.Errorf("bank payment: %v, %+v", err, r)
		}
		_, err = db.RecordBankPayment(ctx, "LS-2026-999999", cuakhau.PaymentInput{AmountVND: 1, Reference: "NAPAS-78"})
		wantCode(t, err, cuakhau.ENOTFOUND)

		totals, err := db.FeeTotals(ctx, viewer, "2026-12-01", "2026-12-31")
		if err != nil {
			t.Fatal(err)
		}
		want := cuakhau.FeeTotal{Day: "2026-12-01", Gate: "huu-nghi", Direction: cuakhau.Export, Receipts: 2, BilledVND: 2_000_000, PaidVND: 2_000_000}
		if len(totals) != 1 || totals[0] != want {
			t.Errorf("fee totals = %+v, want [%+v]", totals, want)
		}
		_, err = db.FeeTotals(ctx, viewer, "2026-12-31", "2026-12-01")
		wantField(t, err, "to", "before from")
		_, err = db.FeeTotals(ctx, company, "2026-12-01", "2026-12-31")
		wantCode(t, err, cuakhau.EFORBIDDEN)
		wantWhole(t, db)

		// verify names a receipt changed in place, one lost, a number
		// given twice and a payment that is not in the sum.
		for _, tc := range []struct {
			change, undo, want string
		}{
			{`UPDATE receipts SET amount_vnd = 1 WHERE trip_id = '` + b.ID + `'`, `UPDATE receipts SET amount_vnd = 1000000 WHERE trip_id = '` + b.ID + `'`, "amount_vnd is 1, the log gives 1000000"},
			{`UPDATE receipts SET paid_vnd = 5 WHERE trip_id = '` + a.ID + `'`, `UPDATE receipts SET paid_vnd = 1000000 WHERE trip_id = '` + a.ID + `'`, "paid_vnd is 5"},
			{`UPDATE receipts SET seq = 3, number = 'LS-2026-000003' WHERE trip_id = '` + b.ID + `'`, `UPDATE receipts SET seq = 2, number = 'LS-2026-000002' WHERE trip_id = '` + b.ID + `'`, "without gaps"},
		} {
			if err := db.ExecRaw(ctx, tc.change); err != nil {
				t.Fatal(err)
			}
			var found []string
			for _, d := range verifyRows(t, db) {
				found = append(found, d.String())
			}
			if !strings.Contains(strings.Join(found, "\n"), tc.want) {
				t.Errorf("after %s verify says %q, want …%s…", tc.change, found, tc.want)
			}
			if err := db.ExecRaw(ctx, tc.undo); err != nil {
				t.Fatal(err)
			}
		}
		wantWhole(t, db)
	})
}

func TestCrossingWithoutATariff(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		a := crossTrip(t, db)
		_, err := db.Receipt(ctx, admin, a.ID)
		wantCode(t, err, cuakhau.ENOTFOUND)
		if !strings.Contains(err.Error(), "no tariff in force on 2026-12-01") {
			t.Errorf("no receipt: %v, want it to say no tariff was in force", err)
		}
		wantWhole(t, db)

		// A tariff cannot reach back to a day already crossed; from the
		// next day it bills the next crossings, numbered from 1 in the
		// gate-local year.
		ex := exampleTariffs(t)
		wantField(t, db.AddTariffs(ctx, ex), "tariffs[0].from", "crossed on 2026-12-01")
		ex[0].From, _ = fee.ParseDate("2026-12-02")
		if err := db.AddTariffs(ctx, ex); err != nil {
			t.Fatal(err)
		}
		// 00:30 on 1 January 2027 in Lạng Sơn is still 2026 in UTC.
		clock.Set(time.Date(2026, 12, 31, 17, 30, 0, 0, time.UTC))
		b := crossTrip(t, db)
		rb, err := db.Receipt(ctx, admin, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rb.Number != "LS-2027-000001" || rb.Day != "2027-01-01" {
			t.Errorf("receipt %s of %s, want LS-2027-000001 of 2027-01-01", rb.Number, rb.Day)
		}
		wantWhole(t, db)
	})
}
