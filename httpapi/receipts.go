package httpapi

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/vietqr"
)

// Beneficiary is the account receipts ask to be paid to: the bank's NAPAS
// BIN, the account number and its holder's name (shown beside the code;
// the code itself carries BIN and account).
type Beneficiary struct {
	BankBIN string `json:"bank_bin"`
	Account string `json:"account"`
	Name    string `json:"name,omitempty"`
}

// BankPayments takes the payments a bank reports, by receipt number.
// (sqlstore.DB is one.)
type BankPayments interface {
	RecordBankPayment(ctx context.Context, number string, in cuakhau.PaymentInput) (*cuakhau.Receipt, error)
}

// receiptAnswer is GET /api/v1/trips/{id}/receipt: the receipt, the
// account to pay and, while anything is owed, the VietQR payload that asks
// for it.
type receiptAnswer struct {
	*cuakhau.Receipt
	Beneficiary *Beneficiary `json:"beneficiary,omitempty"`
	// VietQR is the payment code's text (vietqr.Encode) for the amount still
	// owed, the receipt number as its purpose; absent once paid or when no
	// beneficiary is configured.
	VietQR string `json:"vietqr,omitempty"`
}

func (a *API) receiptService() (cuakhau.ReceiptService, error) {
	if a.receipts == nil {
		return nil, cuakhau.Errorf(cuakhau.EINTERNAL, "receipts are not configured")
	}
	return a.receipts, nil
}

// answerOf is a receipt with its account and payment code.
func (a *API) answerOf(rc *cuakhau.Receipt) (receiptAnswer, error) {
	ans := receiptAnswer{Receipt: rc}
	if a.beneficiary.BankBIN == "" {
		return ans, nil
	}
	b := a.beneficiary
	ans.Beneficiary = &b
	if owed := rc.AmountVND - rc.PaidVND; rc.Status != cuakhau.ReceiptPaid && owed > 0 {
		code, err := vietqr.Encode(vietqr.Payment{BankBIN: b.BankBIN, Account: b.Account, AmountVND: owed, Purpose: rc.Number})
		if err != nil {
			return ans, err
		}
		ans.VietQR = code
	}
	return ans, nil
}

func (a *API) getReceipt(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.receiptService()
	if err != nil {
		return err
	}
	ctx := r.Context()
	rc, err := svc.Receipt(ctx, principalFrom(ctx), r.PathValue("id"))
	if err != nil {
		return err
	}
	ans, err := a.answerOf(rc)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ans)
}

// getReceiptPNG is the receipt's VietQR code as a PNG image; 404 when there
// is nothing to pay (paid, or no beneficiary configured).
func (a *API) getReceiptPNG(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.receiptService()
	if err != nil {
		return err
	}
	ctx := r.Context()
	rc, err := svc.Receipt(ctx, principalFrom(ctx), r.PathValue("id"))
	if err != nil {
		return err
	}
	ans, err := a.answerOf(rc)
	if err != nil {
		return err
	}
	if ans.VietQR == "" {
		if a.beneficiary.BankBIN == "" {
			return cuakhau.Errorf(cuakhau.ENOTFOUND, "receipt %s has no payment code: no beneficiary account is configured (serve --fee-bank-bin, --fee-account)", rc.Number)
		}
		return cuakhau.Errorf(cuakhau.ENOTFOUND, "receipt %s is paid: there is nothing to pay", rc.Number)
	}
	png, err := qrcode.Encode(ans.VietQR, qrcode.Medium, 320)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "image/png")
	h.Set("Content-Length", strconv.Itoa(len(png)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(png)
	return nil
}

func (a *API) recordPayment(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.receiptService()
	if err != nil {
		return err
	}
	var in cuakhau.PaymentInput
	ctx, err := readJSON(w, r, &in)
	if err != nil {
		return err
	}
	rc, err := svc.RecordPayment(ctx, principalFrom(ctx), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	ans, err := a.answerOf(rc)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, ans)
}

// bankNotice is what a bank's webhook posts.
type bankNotice struct {
	ReceiptNumber string `json:"receipt_number"`
	AmountVND     int64  `json:"amount_vnd"`
	Reference     string `json:"reference"`
}

// SignatureHeader carries a bank notice's HMAC-SHA256 of its body, hex, under
// the secret shared with the bank.
const SignatureHeader = "X-Cuakhau-Signature"

// SignBankNotice is the signature of a bank notice's body under secret.
func SignBankNotice(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// postBankPayment takes a bank's notice of a transfer: no bearer token, the
// body signed with the shared secret; a notice sent twice (its reference)
// is 409.
func (a *API) postBankPayment(w http.ResponseWriter, r *http.Request) error {
	if a.bankPayments == nil || a.bankSecret == "" {
		return cuakhau.Errorf(cuakhau.ENOTFOUND, "bank notices are not configured")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		return cuakhau.Invalid("body", "could not be read")
	}
	sig := strings.TrimSpace(r.Header.Get(SignatureHeader))
	if !hmac.Equal([]byte(sig), []byte(SignBankNotice(a.bankSecret, body))) {
		return cuakhau.Errorf(cuakhau.EUNAUTHORIZED, "the notice's %s does not verify", SignatureHeader)
	}
	var n bankNotice
	if err := decodeStrict(body, &n); err != nil {
		return err
	}
	if strings.TrimSpace(n.ReceiptNumber) == "" {
		return cuakhau.Invalid("receipt_number", "must not be empty")
	}
	rc, err := a.bankPayments.RecordBankPayment(r.Context(), n.ReceiptNumber, cuakhau.PaymentInput{AmountVND: n.AmountVND, Reference: n.Reference})
	if err != nil {
		return err
	}
	ans, err := a.answerOf(rc)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, ans)
}
