package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"net/http"
	"os"
	"testing"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/fee"
	"github.com/cuakhau/cuakhau/httpapi"
	"github.com/cuakhau/cuakhau/vietqr"
)

const bankSecret = "shared-with-the-bank"

// receiptEnv is an API with receipts, a beneficiary and bank notices, and
// the example tariff stored.
func receiptEnv(t *testing.T, withBeneficiary bool) *env {
	t.Helper()
	e := newEnv(t, func(c *httpapi.Config) {
		c.Receipts = c.Trips.(cuakhau.ReceiptService)
		c.BankPayments = c.Trips.(httpapi.BankPayments)
		c.BankSecret = bankSecret
		if withBeneficiary {
			c.Beneficiary = httpapi.Beneficiary{BankBIN: "970436", Account: "0011001234567", Name: "BQL KKT CUA KHAU DONG DANG LANG SON"}
		}
	})
	b, err := os.ReadFile("../fee/testdata/example-schedule.json")
	if err != nil {
		t.Fatal(err)
	}
	var ts []fee.Tariff
	if err := json.Unmarshal(b, &ts); err != nil {
		t.Fatal(err)
	}
	if err := e.db.AddTariffs(context.Background(), ts); err != nil {
		t.Fatal(err)
	}
	return e
}

// crossExample takes the example declaration through its route to crossed.
func (e *env) crossExample(t *testing.T) *cuakhau.Trip {
	t.Helper()
	trip := e.declare(t, "enterprise", example(t))
	for _, s := range []struct {
		token string
		d     cuakhau.Decision
	}{
		{"operator", cuakhau.Decision{Checkpoint: "entry", Outcome: cuakhau.OutcomePass}},
		{"medical", cuakhau.Decision{Checkpoint: "medical", Outcome: cuakhau.OutcomePass}},
		{"customs", cuakhau.Decision{Checkpoint: "customs", Outcome: cuakhau.OutcomePass, Channel: cuakhau.ChannelGreen}},
		{"quarantine", cuakhau.Decision{Checkpoint: "quarantine", Outcome: cuakhau.OutcomePass}},
		{"border_guard", cuakhau.Decision{Checkpoint: "border_guard", Outcome: cuakhau.OutcomePass}},
		{"operator", cuakhau.Decision{Checkpoint: "fee", Outcome: cuakhau.OutcomePass}},
		{"operator", cuakhau.Decision{Checkpoint: "exit", Outcome: cuakhau.OutcomePass}},
	} {
		e.decide(t, s.token, trip.ID, s.d)
	}
	return trip
}

type receiptJSON struct {
	cuakhau.Receipt
	Beneficiary *httpapi.Beneficiary `json:"beneficiary"`
	VietQR      string               `json:"vietqr"`
}

// TestReceiptRoutes: a crossed trip's receipt with its VietQR code for the
// amount owed, the code as a PNG, an operator's payment (once; not by
// customs or the enterprise), and a bank's signed notice.
func TestReceiptRoutes(t *testing.T) {
	e := receiptEnv(t, true)
	pending := e.declare(t, "enterprise", example(t))
	wantError(t, e.do(t, "GET", "/api/v1/trips/"+pending.ID+"/receipt", "enterprise", nil), http.StatusNotFound, cuakhau.ENOTFOUND)

	trip := e.crossExample(t)
	path := "/api/v1/trips/" + trip.ID + "/receipt"
	rc := decode[receiptJSON](t, e.do(t, "GET", path, "enterprise", nil), http.StatusOK)
	if rc.Number != "LS-2026-000001" || rc.AmountVND != 1_000_000 || rc.Status != "unpaid" || len(rc.Lines) != 1 || rc.Beneficiary == nil {
		t.Fatalf("receipt = %+v", rc)
	}
	pay, err := vietqr.Decode(rc.VietQR)
	if err != nil {
		t.Fatalf("vietqr %q: %v", rc.VietQR, err)
	}
	if pay != (vietqr.Payment{BankBIN: "970436", Account: "0011001234567", AmountVND: 1_000_000, Purpose: "LS-2026-000001"}) {
		t.Errorf("the code asks for %+v", pay)
	}
	wantError(t, e.do(t, "GET", path, "enterprise-b", nil), http.StatusForbidden, cuakhau.EFORBIDDEN)

	img := e.do(t, "GET", path+".png", "operator", nil)
	if img.Status != http.StatusOK || img.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("receipt.png: %d %s", img.Status, img.Header.Get("Content-Type"))
	}
	if _, err := png.Decode(bytes.NewReader(img.Body)); err != nil {
		t.Errorf("receipt.png is not a PNG: %v", err)
	}

	pays := path + "/payments"
	wantError(t, e.do(t, "POST", pays, "customs", map[string]any{"amount_vnd": 400000, "reference": "FT1"}), http.StatusForbidden, cuakhau.EFORBIDDEN)
	wantError(t, e.do(t, "POST", pays, "enterprise", map[string]any{"amount_vnd": 400000, "reference": "FT1"}), http.StatusForbidden, cuakhau.EFORBIDDEN)
	wantError(t, e.do(t, "POST", pays, "operator-tan-thanh", map[string]any{"amount_vnd": 400000, "reference": "FT1"}), http.StatusForbidden, cuakhau.EFORBIDDEN)
	wantError(t, e.do(t, "POST", pays, "operator", map[string]any{"amount_vnd": -1, "reference": ""}), http.StatusBadRequest, cuakhau.EINVALID, "amount_vnd", "reference")
	part := decode[receiptJSON](t, e.do(t, "POST", pays, "operator", map[string]any{"amount_vnd": 400000, "reference": "FT1"}, "Idempotency-Key", "pay-1"), http.StatusCreated)
	// The same request retried with its key records nothing more.
	again := decode[receiptJSON](t, e.do(t, "POST", pays, "operator", map[string]any{"amount_vnd": 400000, "reference": "FT1"}, "Idempotency-Key", "pay-1"), http.StatusCreated)
	if len(again.Payments) != 1 || again.PaidVND != 400_000 {
		t.Errorf("a retried payment: %+v, want the one payment", again)
	}
	if part.Status != "unpaid" || part.PaidVND != 400_000 {
		t.Errorf("after a part payment: %+v", part)
	}
	if p, err := vietqr.Decode(part.VietQR); err != nil || p.AmountVND != 600_000 {
		t.Errorf("the code after a part payment asks for %+v (%v), want the 600000 owed", p, err)
	}

	// The rest by the bank: a notice with a wrong signature is refused, a
	// signed one pays, the same one again is a conflict.
	notice, _ := json.Marshal(map[string]any{"receipt_number": rc.Number, "amount_vnd": 600000, "reference": "NAPAS-1"})
	wantError(t, e.do(t, "POST", "/api/v1/payments/bank", "", notice, httpapi.SignatureHeader, "00"), http.StatusUnauthorized, cuakhau.EUNAUTHORIZED)
	paid := decode[receiptJSON](t, e.do(t, "POST", "/api/v1/payments/bank", "", notice, httpapi.SignatureHeader, httpapi.SignBankNotice(bankSecret, notice)), http.StatusCreated)
	sources := map[string]int{}
	for _, p := range paid.Payments {
		sources[p.Source]++
	}
	if paid.Status != "paid" || paid.VietQR != "" || len(paid.Payments) != 2 || sources[cuakhau.PaymentBank] != 1 {
		t.Errorf("after the bank's notice: %+v", paid)
	}
	wantError(t, e.do(t, "POST", "/api/v1/payments/bank", "", notice, httpapi.SignatureHeader, httpapi.SignBankNotice(bankSecret, notice)), http.StatusConflict, cuakhau.ECONFLICT)
	wantError(t, e.do(t, "POST", pays, "operator", map[string]any{"amount_vnd": 1, "reference": "FT2"}), http.StatusConflict, cuakhau.ECONFLICT)
	wantError(t, e.do(t, "GET", path+".png", "operator", nil), http.StatusNotFound, cuakhau.ENOTFOUND)
}

// TestReceiptWithoutBeneficiary: without a configured account a receipt
// carries no code and has no image.
func TestReceiptWithoutBeneficiary(t *testing.T) {
	e := receiptEnv(t, false)
	trip := e.crossExample(t)
	rc := decode[receiptJSON](t, e.do(t, "GET", "/api/v1/trips/"+trip.ID+"/receipt", "admin", nil), http.StatusOK)
	if rc.VietQR != "" || rc.Beneficiary != nil || rc.Number == "" {
		t.Errorf("receipt without a beneficiary = %+v", rc)
	}
	wantError(t, e.do(t, "GET", "/api/v1/trips/"+trip.ID+"/receipt.png", "admin", nil), http.StatusNotFound, cuakhau.ENOTFOUND)
}
