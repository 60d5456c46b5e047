package cuakhau

import (
	"context"
	"time"
)

// Receipt states.
const (
	ReceiptUnpaid = "unpaid"
	ReceiptPaid   = "paid"
)

// Receipt is the infrastructure fee of one crossed trip: numbered
// (LS-2026-000123, without gaps in a gate-local year), billed under the
// tariff in force on the gate-local day it crossed, made in the crossing's
// write.
type Receipt struct {
	Number        string        `json:"number"`
	TripID        string        `json:"trip_id"`
	Gate          string        `json:"gate"`
	Direction     Direction     `json:"direction"`
	CrossedAt     time.Time     `json:"crossed_at"`
	Day           string        `json:"day"` // gate-local, YYYY-MM-DD
	TariffVersion string        `json:"tariff_version"`
	AmountVND     int64         `json:"amount_vnd"`
	Capped        bool          `json:"capped"`
	Lines         []ReceiptLine `json:"lines"`
	// Status is paid once payments reach the amount, else unpaid.
	Status   string     `json:"status"`
	PaidVND  int64      `json:"paid_vnd"`
	PaidAt   *time.Time `json:"paid_at,omitempty"`
	Payments []Payment  `json:"payments"`
}

// ReceiptLine is one cargo line's fee; Charged marks the line the trip
// pays (a mixed load pays its highest).
type ReceiptLine struct {
	HSCode        string `json:"hs_code"`
	Cargo         string `json:"cargo"`
	BaseVND       int64  `json:"base_vnd"`
	RegimePercent int    `json:"regime_percent"`
	CargoPercent  int    `json:"cargo_percent"`
	AmountVND     int64  `json:"amount_vnd"`
	Charged       bool   `json:"charged"`
}

// Payment sources.
const (
	PaymentOperator = "operator"
	PaymentBank     = "bank"
)

// Payment is money received for a receipt.
type Payment struct {
	ID         string    `json:"id"`
	AmountVND  int64     `json:"amount_vnd"`
	Reference  string    `json:"reference"`
	Source     string    `json:"source"`
	RecordedBy string    `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`
}

// PaymentInput is a payment to record: the amount in đồng and the bank's
// or the cash desk's reference.
type PaymentInput struct {
	AmountVND int64  `json:"amount_vnd"`
	Reference string `json:"reference"`
}

// FeeTotal is the fees of one gate-local day, gate and direction: the
// receipts made and their amounts, billed and paid.
type FeeTotal struct {
	Day       string    `json:"day"`
	Gate      string    `json:"gate"`
	Direction Direction `json:"direction"`
	Receipts  int       `json:"receipts"`
	BilledVND int64     `json:"billed_vnd"`
	PaidVND   int64     `json:"paid_vnd"`
}

// ReceiptService reads receipts and records their payments. Every method
// checks the principal's rights.
type ReceiptService interface {
	// Receipt is the receipt of a trip the principal may see; ENOTFOUND,
	// saying why, when it has none (not crossed, or no tariff in force).
	Receipt(ctx context.Context, p Principal, tripID string) (*Receipt, error)
	// RecordPayment records a payment of a trip's receipt; a receipt
	// already paid is ECONFLICT.
	RecordPayment(ctx context.Context, p Principal, tripID string, in PaymentInput) (*Receipt, error)
	// FeeTotals sums the receipts per gate-local day (from to to,
	// inclusive), gate and direction.
	FeeTotals(ctx context.Context, p Principal, from, to string) ([]FeeTotal, error)
}
