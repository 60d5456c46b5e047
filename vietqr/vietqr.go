// Package vietqr builds and reads VietQR payment codes: the EMVCo
// merchant-presented QR payload as NAPAS profiles it for transfers to a bank
// account (the national standard since 2021), which every Vietnamese bank's
// app scans.
//
// A payload is a run of TLV fields — a two-digit id, a two-digit length and
// the value — ending in field 63, a CRC-16/CCITT-FALSE (polynomial 0x1021,
// initial value 0xFFFF) over everything before it including "6304", as four
// upper-case hex digits. The fields written here:
//
//	00 payload format "01"
//	01 point of initiation: "11" static (any amount), "12" dynamic (one amount)
//	38 merchant account: 00 NAPAS GUID A000000727, 01 beneficiary (00 bank BIN, 01 account), 02 service QRIBFTTA
//	53 currency "704" (VND)
//	54 amount in VND, whole đồng, when there is one
//	58 country "VN"
//	62 additional data: 08 purpose of the transfer (the receipt number)
//	63 CRC
//
// Sources: EMV QR Code Specification for Payment Systems, Merchant-Presented
// Mode (EMVCo, v1.1); NAPAS's VietQR specification for transfers to an
// account (service code QRIBFTTA).
package vietqr

import (
	"fmt"
	"strconv"
	"strings"
)

// GUID is NAPAS's application identifier in field 38.
const GUID = "A000000727"

// ServiceToAccount is the service code of a transfer to an account number.
const ServiceToAccount = "QRIBFTTA"

// Payment is what a code asks the payer's bank to do.
type Payment struct {
	// BankBIN is the beneficiary bank's six-digit NAPAS BIN (970436 is
	// Vietcombank, 970415 VietinBank, ...).
	BankBIN string
	// Account is the beneficiary's account number: digits and letters, at
	// most 19.
	Account string
	// AmountVND is the amount in whole đồng; 0 makes a static code that
	// lets the payer type the amount.
	AmountVND int64
	// Purpose is the transfer's description, the receipt number: at most
	// 25 characters of printable ASCII, as bank apps carry it to the
	// beneficiary's statement.
	Purpose string
}

// FieldError is a Payment field that breaks its rule.
type FieldError struct {
	Field, Rule string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Rule }

// Validate reports the first field of p that breaks its rule.
func (p Payment) Validate() error {
	switch {
	case len(p.BankBIN) != 6 || !digits(p.BankBIN):
		return &FieldError{"bank_bin", "must be the bank's 6-digit NAPAS BIN"}
	case p.Account == "" || len(p.Account) > 19 || !alnum(p.Account):
		return &FieldError{"account", "must be 1 to 19 letters or digits"}
	case p.AmountVND < 0:
		return &FieldError{"amount_vnd", "must not be negative"}
	case p.AmountVND > 9_999_999_999_999:
		return &FieldError{"amount_vnd", "must fit the code's 13 digits"}
	case len(p.Purpose) > 25 || !printable(p.Purpose):
		return &FieldError{"purpose", "must be at most 25 printable ASCII characters"}
	}
	return nil
}

// Encode returns p's payload, the text to put in the QR code.
func Encode(p Payment) (string, error) {
	if err := p.Validate(); err != nil {
		return "", err
	}
	var b strings.Builder
	initiation := "11"
	if p.AmountVND > 0 {
		initiation = "12"
	}
	tlv(&b, "00", "01")
	tlv(&b, "01", initiation)
	var bank, acct strings.Builder
	tlv(&bank, "00", p.BankBIN)
	tlv(&bank, "01", p.Account)
	tlv(&acct, "00", GUID)
	tlv(&acct, "01", bank.String())
	tlv(&acct, "02", ServiceToAccount)
	tlv(&b, "38", acct.String())
	tlv(&b, "53", "704")
	if p.AmountVND > 0 {
		tlv(&b, "54", strconv.FormatInt(p.AmountVND, 10))
	}
	tlv(&b, "58", "VN")
	if p.Purpose != "" {
		var add strings.Builder
		tlv(&add, "08", p.Purpose)
		tlv(&b, "62", add.String())
	}
	b.WriteString("6304")
	return b.String() + fmt.Sprintf("%04X", CRC(b.String())), nil
}

// Decode reads a payload back: its CRC must verify, its fields be well
// formed TLV, and it must be a NAPAS transfer to an account in VND.
func Decode(s string) (Payment, error) {
	var p Payment
	if len(s) < 8 || s[len(s)-8:len(s)-4] != "6304" {
		return p, fmt.Errorf("vietqr: no CRC field at the end")
	}
	want, err := strconv.ParseUint(s[len(s)-4:], 16, 16)
	if err != nil || strings.ToUpper(s[len(s)-4:]) != s[len(s)-4:] {
		return p, fmt.Errorf("vietqr: CRC %q is not four upper-case hex digits", s[len(s)-4:])
	}
	if got := CRC(s[:len(s)-4]); uint64(got) != want {
		return p, fmt.Errorf("vietqr: CRC %04X, the payload's is %04X", want, got)
	}
	top, err := fields(s[:len(s)-8])
	if err != nil {
		return p, err
	}
	if top["00"] != "01" {
		return p, fmt.Errorf("vietqr: payload format %q, want 01", top["00"])
	}
	if top["53"] != "704" {
		return p, fmt.Errorf("vietqr: currency %q, want 704 (VND)", top["53"])
	}
	acct, err := fields(top["38"])
	if err != nil {
		return p, fmt.Errorf("vietqr: merchant account: %w", err)
	}
	if acct["00"] != GUID || acct["02"] != ServiceToAccount {
		return p, fmt.Errorf("vietqr: not a NAPAS transfer to an account (GUID %q, service %q)", acct["00"], acct["02"])
	}
	bank, err := fields(acct["01"])
	if err != nil {
		return p, fmt.Errorf("vietqr: beneficiary: %w", err)
	}
	p.BankBIN, p.Account = bank["00"], bank["01"]
	if v, ok := top["54"]; ok {
		if p.AmountVND, err = strconv.ParseInt(v, 10, 64); err != nil {
			return p, fmt.Errorf("vietqr: amount %q: %w", v, err)
		}
	}
	if v, ok := top["62"]; ok {
		add, err := fields(v)
		if err != nil {
			return p, fmt.Errorf("vietqr: additional data: %w", err)
		}
		p.Purpose = add["08"]
	}
	return p, p.Validate()
}

// CRC is CRC-16/CCITT-FALSE of s: polynomial 0x1021, initial value 0xFFFF,
// no reflection, no final XOR.
func CRC(s string) uint16 {
	crc := uint16(0xFFFF)
	for i := 0; i < len(s); i++ {
		crc ^= uint16(s[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

func tlv(b *strings.Builder, id, value string) {
	fmt.Fprintf(b, "%s%02d%s", id, len(value), value)
}

// fields splits s into its TLV fields by id; a field cut short, a length
// that is not two digits or an id given twice is an error.
func fields(s string) (map[string]string, error) {
	out := map[string]string{}
	for len(s) > 0 {
		if len(s) < 4 || !digits(s[:4]) {
			return nil, fmt.Errorf("malformed field at %q", s)
		}
		id, n := s[:2], int(s[2]-'0')*10+int(s[3]-'0')
		if len(s) < 4+n {
			return nil, fmt.Errorf("field %s: length %d, only %d left", id, n, len(s)-4)
		}
		if _, dup := out[id]; dup {
			return nil, fmt.Errorf("field %s given twice", id)
		}
		out[id], s = s[4:4+n], s[4+n:]
	}
	return out, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
