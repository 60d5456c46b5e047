package vietqr

import (
	"errors"
	"strings"
	"testing"
)

// TestPublishedExample: the payload of a published VietQR transfer (120,000
// VND to account 0011001932418 at VietinBank, BIN 970415, "ung ho lu lut")
// is what Encode writes, byte for byte, and reads back.
func TestPublishedExample(t *testing.T) {
	const published = "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN62170813ung ho lu lut6304C15C"
	p := Payment{BankBIN: "970415", Account: "0011001932418", AmountVND: 120000, Purpose: "ung ho lu lut"}
	got, err := Encode(p)
	if err != nil {
		t.Fatal(err)
	}
	if got != published {
		t.Fatalf("Encode =\n%s\nwant\n%s", got, published)
	}
	back, err := Decode(published)
	if err != nil {
		t.Fatal(err)
	}
	if back != p {
		t.Fatalf("Decode = %+v, want %+v", back, p)
	}
}

// TestCRC: the standard check value of CRC-16/CCITT-FALSE.
func TestCRC(t *testing.T) {
	if got := CRC("123456789"); got != 0x29B1 {
		t.Fatalf("CRC(123456789) = %04X, want 29B1", got)
	}
}

// TestStaticCode: without an amount the code is static (01 = 11) and has
// no field 54, so the payer types the amount.
func TestStaticCode(t *testing.T) {
	s, err := Encode(Payment{BankBIN: "970436", Account: "1234567890"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s, "000201010211") || strings.Contains(s, "5303704"+"54") {
		t.Fatalf("static code %s", s)
	}
}

// TestBadPayment: each broken field is named, and nothing is encoded.
func TestBadPayment(t *testing.T) {
	ok := Payment{BankBIN: "970436", Account: "1234567890", AmountVND: 500000, Purpose: "HN-2026-000001"}
	for field, p := range map[string]Payment{
		"bank_bin":   {BankBIN: "97043", Account: ok.Account},
		"account":    {BankBIN: ok.BankBIN, Account: "12 34"},
		"amount_vnd": {BankBIN: ok.BankBIN, Account: ok.Account, AmountVND: -1},
		"purpose":    {BankBIN: ok.BankBIN, Account: ok.Account, Purpose: "phí hạ tầng"},
	} {
		s, err := Encode(p)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != field || s != "" {
			t.Errorf("%s: Encode(%+v) = %q, %v; want an error naming %s", field, p, s, err, field)
		}
	}
	if _, err := Encode(ok); err != nil {
		t.Fatal(err)
	}
}

// TestDecodeRefuses: a changed character breaks the CRC; a payload that is
// not a NAPAS transfer in VND is refused.
func TestDecodeRefuses(t *testing.T) {
	s, _ := Encode(Payment{BankBIN: "970436", Account: "1234567890", AmountVND: 500000})
	tampered := strings.Replace(s, "500000", "900000", 1)
	if _, err := Decode(tampered); err == nil || !strings.Contains(err.Error(), "CRC") {
		t.Errorf("a changed amount decodes: %v", err)
	}
	body := strings.Replace(s[:len(s)-4], "5303704", "5303840", 1)
	usd := body + strings.ToUpper(hex4(CRC(body)))
	if _, err := Decode(usd); err == nil || !strings.Contains(err.Error(), "currency") {
		t.Errorf("a USD code decodes: %v", err)
	}
}

func hex4(c uint16) string {
	const d = "0123456789ABCDEF"
	return string([]byte{d[c>>12], d[c>>8&15], d[c>>4&15], d[c&15]})
}

// FuzzRoundTrip: every payload Encode writes carries a CRC that verifies
// and decodes to the payment it was made from; Decode never panics.
func FuzzRoundTrip(f *testing.F) {
	f.Add("970415", "0011001932418", int64(120000), "ung ho lu lut")
	f.Add("970436", "A1", int64(0), "")
	f.Fuzz(func(t *testing.T, bin, account string, amount int64, purpose string) {
		p := Payment{BankBIN: bin, Account: account, AmountVND: amount, Purpose: purpose}
		s, err := Encode(p)
		if err != nil {
			if p.Validate() == nil {
				t.Fatalf("Encode refused a valid payment: %v", err)
			}
			Decode(bin + account + purpose) // must not panic
			return
		}
		back, err := Decode(s)
		if err != nil {
			t.Fatalf("Decode(Encode(%+v)) = %v", p, err)
		}
		if back != p {
			t.Fatalf("round trip %+v -> %s -> %+v", p, s, back)
		}
	})
}
