package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/fee"
)

// ReceiptPrefix starts every receipt number: LS-2026-000123 is Lạng Sơn's
// 123rd receipt of 2026.
const ReceiptPrefix = "LS"

// openEnd is the to_day of an open-ended tariff.
const openEnd = "9999-12-31"

// receiptNumber is the number of a year's seq-th receipt.
func receiptNumber(year int, seq int64) string {
	return fmt.Sprintf("%s-%d-%06d", ReceiptPrefix, year, seq)
}

// AddTariffs stores new versions of the fee's tariff. The whole schedule —
// the stored versions and the new — must pass fee.Validate: a new tariff in
// force on a day another one is, a negative amount, a rate given twice, …
// is refused by its field's path in ts (tariffs[0].from), and nothing is
// stored. A tariff may not cover a day on which a trip has already crossed:
// that trip's receipt (or its having none) is already written, and a
// tariff added later does not change it.
func (db *DB) AddTariffs(ctx context.Context, ts []fee.Tariff) (err error) {
	defer markFault(&err)
	if len(ts) == 0 {
		return cuakhau.Errorf(cuakhau.EINVALID, "tariffs: must have at least one tariff")
	}
	codes, err := db.GateCodes(ctx)
	if err != nil {
		return err
	}
	now := db.now()
	return db.update(ctx, func(ctx context.Context, tx *wtx) error {
		// Every gate's log head, as a crossing's write holds its own gate's
		// before it reads the tariffs: on PostgreSQL a crossing on another
		// node then either commits before this check reads the receipts or
		// reads the tariffs after this commits.
		for _, g := range codes {
			if err := db.lockGate(ctx, tx, g); err != nil {
				return err
			}
		}
		stored, err := tariffsWhere(ctx, tx, "", nil)
		if err != nil {
			return err
		}
		if err := checkNewTariffs(stored, ts); err != nil {
			return err
		}
		bad := cuakhau.FieldErrors{}
		for i, t := range ts {
			from, to := dayOf(t.From), openEnd
			if !t.To.IsZero() {
				to = dayOf(t.To)
			}
			var day string
			err := tx.queryRow(ctx, `SELECT min(crossed_day) FROM receipts WHERE crossed_day >= ? AND crossed_day <= ?`, from, to).Scan(&sqlNullString{&day})
			if err != nil {
				return fmt.Errorf("read crossings: %w", err)
			}
			if day != "" {
				bad.Add(fmt.Sprintf("tariffs[%d].from", i), fmt.Sprintf("trucks have crossed on %s already, under the tariffs then in force; a tariff cannot cover a day already billed", day))
			}
		}
		if err := bad.Err(); err != nil {
			return err
		}
		for _, t := range ts {
			body, err := json.Marshal(t)
			if err != nil {
				return fmt.Errorf("encode tariff: %w", err)
			}
			to := openEnd
			if !t.To.IsZero() {
				to = dayOf(t.To)
			}
			if _, err := tx.exec(ctx, `INSERT INTO tariffs (version, from_day, to_day, body, added_at) VALUES (?, ?, ?, ?, ?)`,
				t.Version, dayOf(t.From), to, string(body), formatTime(now)); err != nil {
				return fmt.Errorf("store tariff %s: %w", t.Version, err)
			}
		}
		return nil
	})
}

// tariffIndex is a tariffs[N] in fee.Validate's paths and rules.
var tariffIndex = regexp.MustCompile(`tariffs\[(\d+)\]`)

// checkNewTariffs validates stored and ts as one schedule (fee.Validate's
// rules, none copied here) and names each broken rule by its path in ts; a
// stored tariff is named by its version. A version already stored is
// refused too.
func checkNewTariffs(stored fee.Schedule, ts []fee.Tariff) error {
	all := append(append(fee.Schedule{}, stored...), ts...)
	bad := cuakhau.FieldErrors{}
	rename := func(s string) string {
		return tariffIndex.ReplaceAllStringFunc(s, func(m string) string {
			i, _ := strconv.Atoi(tariffIndex.FindStringSubmatch(m)[1])
			if i < len(stored) {
				return "the stored tariff"
			}
			return fmt.Sprintf("tariffs[%d]", i-len(stored))
		})
	}
	for _, e := range all.Validate() {
		bad.Add(rename(e.Field), rename(e.Rule))
	}
	versions := map[string]bool{}
	for _, t := range stored {
		versions[t.Version] = true
	}
	for i, t := range ts {
		if versions[t.Version] {
			bad.Add(fmt.Sprintf("tariffs[%d].version", i), fmt.Sprintf("version %q exists already", t.Version))
		}
		versions[t.Version] = true
	}
	return bad.Err()
}

func dayOf(d fee.Date) string { return d.Format(time.DateOnly) }

// sqlNullString scans a nullable text into a string ("" for NULL).
type sqlNullString struct{ s *string }

func (n *sqlNullString) Scan(v any) error {
	var ns sql.NullString
	if err := ns.Scan(v); err != nil {
		return err
	}
	*n.s = ns.String
	return nil
}

// Tariffs is every stored tariff version, by start.
func (db *DB) Tariffs(ctx context.Context) (_ fee.Schedule, err error) {
	defer markFault(&err)
	rows, err := db.read.QueryContext(ctx, `SELECT body FROM tariffs ORDER BY from_day`)
	if err != nil {
		return nil, fmt.Errorf("read tariffs: %w", err)
	}
	return scanTariffs(rows)
}

// tariffsWhere reads the tariffs that match cond (all when it is empty)
// inside a write.
func tariffsWhere(ctx context.Context, tx *wtx, cond string, args []any) (fee.Schedule, error) {
	q := `SELECT body FROM tariffs`
	if cond != "" {
		q += ` WHERE ` + cond
	}
	rows, err := tx.tx.QueryContext(ctx, tx.dialect.rebind(q+` ORDER BY from_day`), args...)
	if err != nil {
		return nil, fmt.Errorf("read tariffs: %w", err)
	}
	return scanTariffs(rows)
}

func scanTariffs(rows *sql.Rows) (fee.Schedule, error) {
	defer rows.Close()
	s := fee.Schedule{}
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("read tariffs: %w", err)
		}
		var t fee.Tariff
		if err := json.Unmarshal([]byte(body), &t); err != nil {
			return nil, fmt.Errorf("decode tariff: %w", err)
		}
		s = append(s, t)
	}
	return s, rows.Err()
}

// receiptRow is a crossed trip's row in receipts but its number and
// payments: the crossing's write makes it, `cuakhau verify` rebuilds it.
type receiptRow struct {
	gate, direction, crossedAt, day, version, bill, reason string
	year                                                   int
	amount                                                 int64
}

func (r receiptRow) billed() bool { return r.reason == "" }

var receiptColumns = []string{"gate", "direction", "crossed_at", "crossed_day", "year", "tariff_version", "amount_vnd", "bill", "no_receipt"}

func (r receiptRow) values() []string {
	return []string{r.gate, r.direction, r.crossedAt, r.day, strconv.Itoa(r.year), r.version, strconv.FormatInt(r.amount, 10), r.bill, r.reason}
}

// receiptRowOf is crossed trip t's receipt under the schedule s, its day
// counted in loc: fee.Bill of fee.TripOf(t) under the tariff in force that
// day, or, when there is none or it cannot bill the trip, why not.
func receiptRowOf(s fee.Schedule, t *cuakhau.Trip, loc *time.Location) receiptRow {
	if loc == nil {
		loc = vietnam
	}
	local := t.CrossedAt.In(loc)
	r := receiptRow{gate: t.Gate, direction: string(t.Direction), crossedAt: formatTime(*t.CrossedAt),
		day: local.Format(time.DateOnly), year: local.Year()}
	day, _ := fee.ParseDate(r.day)
	tariff, ok := s.InForce(day)
	if !ok {
		r.reason = "no tariff in force on " + r.day
		return r
	}
	b, err := tariff.Bill(fee.TripOf(t))
	if err != nil {
		r.reason = err.Error()
		return r
	}
	body, err := json.Marshal(b)
	if err != nil {
		r.reason = err.Error()
		return r
	}
	r.version, r.amount, r.bill = b.Version, b.AmountVND, string(body)
	return r
}

// issueReceipt writes the receipt of trip t, which has just crossed, in
// the crossing's write: numbered next in its gate-local year when the
// tariff in force bills it, else without a number and with the reason.
func (db *DB) issueReceipt(ctx context.Context, tx *wtx, t *cuakhau.Trip, loc *time.Location) error {
	if t.CrossedAt == nil {
		return nil
	}
	if loc == nil {
		loc = vietnam
	}
	day := t.CrossedAt.In(loc).Format(time.DateOnly)
	s, err := tariffsWhere(ctx, tx, `from_day <= ? AND to_day >= ?`, []any{day, day})
	if err != nil {
		return err
	}
	r := receiptRowOf(s, t, loc)
	var seq sql.NullInt64
	var number sql.NullString
	if r.billed() {
		var last int64
		if err := tx.queryRow(ctx, `INSERT INTO receipt_counters (year, last) VALUES (?, 1)
			ON CONFLICT (year) DO UPDATE SET last = receipt_counters.last + 1 RETURNING last`, r.year).Scan(&last); err != nil {
			return fmt.Errorf("number receipt: %w", err)
		}
		seq = sql.NullInt64{Int64: last, Valid: true}
		number = sql.NullString{String: receiptNumber(r.year, last), Valid: true}
	}
	_, err = tx.exec(ctx, `INSERT INTO receipts (trip_id, gate, direction, crossed_at, crossed_day, year, seq, number, tariff_version, amount_vnd, bill, no_receipt)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, r.gate, r.direction, r.crossedAt, r.day, r.year, seq, number, r.version, r.amount, db.dialect.jsonArg(packBill(r.bill)), r.reason)
	if err != nil {
		return fmt.Errorf("store receipt: %w", err)
	}
	return nil
}

// fillReceipts gives every crossed trip without a receipts row one (a
// store that crossed trucks before receipts were kept), under the tariffs
// stored now, in the order the trips were declared.
func (db *DB) fillReceipts(ctx context.Context) error {
	rows, err := db.read.QueryContext(ctx, `SELECT id, body FROM trips WHERE status = 'crossed'
		AND NOT EXISTS (SELECT 1 FROM receipts r WHERE r.trip_id = trips.id) ORDER BY declared_at, id`)
	if err != nil {
		return fmt.Errorf("fill receipts: %w", err)
	}
	var trips []*cuakhau.Trip
	for rows.Next() {
		var id string
		var body storedJSON
		if err := rows.Scan(&id, &body); err != nil {
			rows.Close()
			return fmt.Errorf("fill receipts: %w", err)
		}
		t, err := decodeTrip(id, body.doc, nil)
		if err != nil {
			rows.Close()
			return err
		}
		trips = append(trips, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("fill receipts: %w", err)
	}
	for _, t := range trips {
		cg, _, err := db.cachedGate(ctx, t.Gate)
		if err != nil {
			return err
		}
		err = db.update(ctx, func(ctx context.Context, tx *wtx) error {
			var one int
			err := tx.queryRow(ctx, `SELECT 1 FROM receipts WHERE trip_id = ?`, t.ID).Scan(&one)
			if err == nil {
				return nil
			} else if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			return db.issueReceipt(ctx, tx, t, cg.loc)
		})
		if err != nil {
			return fmt.Errorf("fill receipts: %w", err)
		}
	}
	return nil
}

// Receipt returns the receipt of a trip p may see, with its payments.
// ENOTFOUND says why a trip has none: it has not crossed, or no tariff
// billed it.
func (db *DB) Receipt(ctx context.Context, p cuakhau.Principal, tripID string) (_ *cuakhau.Receipt, err error) {
	defer markFault(&err)
	t, err := db.Trip(ctx, p, tripID)
	if err != nil {
		return nil, err
	}
	return db.receipt(ctx, db.read, t)
}

type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (db *DB) receipt(ctx context.Context, q rowQuerier, t *cuakhau.Trip) (*cuakhau.Receipt, error) {
	var (
		rc                      cuakhau.Receipt
		number, paidAt, crossed sql.NullString
		reason                  string
		bill                    storedJSON
	)
	err := q.QueryRowContext(ctx, db.q(`SELECT number, gate, direction, crossed_at, crossed_day, tariff_version, amount_vnd, bill, no_receipt, paid_vnd, paid_at
		FROM receipts WHERE trip_id = ?`), t.ID).Scan(&number, &rc.Gate, &rc.Direction, &crossed, &rc.Day, &rc.TariffVersion, &rc.AmountVND,
		&bill, &reason, &rc.PaidVND, &paidAt)
	if errors.Is(err, sql.ErrNoRows) {
		if t.Status != cuakhau.StatusCrossed {
			return nil, cuakhau.Errorf(cuakhau.ENOTFOUND, "trip %s has no receipt: it has not crossed (status %s)", t.Code, t.Status)
		}
		return nil, cuakhau.Errorf(cuakhau.ENOTFOUND, "trip %s has no receipt", t.Code)
	} else if err != nil {
		return nil, fmt.Errorf("read receipt: %w", err)
	}
	if !number.Valid {
		return nil, cuakhau.Errorf(cuakhau.ENOTFOUND, "trip %s crossed on %s without a receipt: %s", t.Code, rc.Day, reason)
	}
	rc.Number, rc.TripID = number.String, t.ID
	if rc.CrossedAt, err = parseTime(crossed.String); err != nil {
		return nil, fmt.Errorf("receipt %s: %w", rc.Number, err)
	}
	var b fee.Bill
	if err := json.Unmarshal(bill.doc, &b); err != nil {
		return nil, fmt.Errorf("receipt %s: decode bill: %w", rc.Number, err)
	}
	rc.Capped = b.Capped
	rc.Lines = make([]cuakhau.ReceiptLine, len(b.Lines))
	for i, l := range b.Lines {
		rc.Lines[i] = cuakhau.ReceiptLine(l)
	}
	rc.Status = cuakhau.ReceiptUnpaid
	if paidAt.Valid {
		at, err := parseTime(paidAt.String)
		if err != nil {
			return nil, fmt.Errorf("receipt %s: %w", rc.Number, err)
		}
		rc.PaidAt, rc.Status = &at, cuakhau.ReceiptPaid
	}
	rc.Payments = []cuakhau.Payment{}
	rows, err := q.QueryContext(ctx, db.q(`SELECT id, amount_vnd, reference, source, recorded_by, recorded_at FROM payments WHERE trip_id = ? ORDER BY recorded_at, id`), t.ID)
	if err != nil {
		return nil, fmt.Errorf("read payments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var pm cuakhau.Payment
		var at string
		if err := rows.Scan(&pm.ID, &pm.AmountVND, &pm.Reference, &pm.Source, &pm.RecordedBy, &at); err != nil {
			return nil, fmt.Errorf("read payments: %w", err)
		}
		if pm.RecordedAt, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("read payments: %w", err)
		}
		rc.Payments = append(rc.Payments, pm)
	}
	return &rc, rows.Err()
}

// Bounds of a payment's reference.
const maxPaymentReference = 64

// RecordPayment records a payment of trip's receipt by an operator (see
// cuakhau.Principal.CanRecordPayment): a positive amount and a reference.
// A receipt is paid once its payments reach its amount; a payment of a
// paid receipt, or a reference already recorded, is ECONFLICT.
func (db *DB) RecordPayment(ctx context.Context, p cuakhau.Principal, tripID string, in cuakhau.PaymentInput) (*cuakhau.Receipt, error) {
	return db.recordPayment(ctx, p, tripID, in, cuakhau.PaymentOperator)
}

// RecordBankPayment records a payment a bank reported for the receipt
// numbered number (the code's purpose), as the platform: the bank's
// reference is recorded once, so a notice sent twice is ECONFLICT.
func (db *DB) RecordBankPayment(ctx context.Context, number string, in cuakhau.PaymentInput) (_ *cuakhau.Receipt, err error) {
	defer markFault(&err)
	var tripID string
	err = db.read.QueryRowContext(ctx, db.q(`SELECT trip_id FROM receipts WHERE number = ?`), strings.TrimSpace(number)).Scan(&tripID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cuakhau.Errorf(cuakhau.ENOTFOUND, "no receipt numbered %q", number)
	} else if err != nil {
		return nil, fmt.Errorf("read receipt: %w", err)
	}
	return db.recordPayment(ctx, cuakhau.Principal{Role: cuakhau.RoleSystem, TokenID: "bank", Name: "bank"}, tripID, in, cuakhau.PaymentBank)
}

func (db *DB) recordPayment(ctx context.Context, p cuakhau.Principal, tripID string, in cuakhau.PaymentInput, source string) (_ *cuakhau.Receipt, err error) {
	defer markFault(&err)
	bad := cuakhau.FieldErrors{}
	if in.AmountVND <= 0 {
		bad.Add("amount_vnd", "must be a positive number of đồng")
	}
	in.Reference = strings.TrimSpace(in.Reference)
	switch {
	case in.Reference == "":
		bad.Add("reference", "must not be empty")
	case len(in.Reference) > maxPaymentReference:
		bad.Add("reference", fmt.Sprintf("at most %d bytes", maxPaymentReference))
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	t, err := db.readTrip(ctx, tripID)
	if err != nil {
		return nil, err
	}
	if p.Role != cuakhau.RoleSystem && !p.CanSeeTrip(t.Enterprise.TaxCode, t.Gate) {
		return nil, forbiddenTrip(t)
	}
	if !p.CanRecordPayment(t.Gate) {
		return nil, cuakhau.Errorf(cuakhau.EFORBIDDEN, "this token may not record payments at gate %s", t.Gate)
	}
	now := db.now()
	id := db.newID(now)
	// Through the idempotency record: a retried request (the same key) is
	// answered with the receipt as it stands and records nothing twice.
	_, err = writeIdempotent(ctx, db, p, func(ctx context.Context, tx *wtx) (string, error) {
		var (
			number, paidAt sql.NullString
			amount, paid   int64
		)
		err := tx.queryRow(ctx, `SELECT number, amount_vnd, paid_vnd, paid_at FROM receipts WHERE trip_id = ?`+db.dialect.forUpdate(), tripID).
			Scan(&number, &amount, &paid, &paidAt)
		if errors.Is(err, sql.ErrNoRows) || err == nil && !number.Valid {
			return "", cuakhau.Errorf(cuakhau.ENOTFOUND, "trip %s has no receipt to pay", t.Code)
		} else if err != nil {
			return "", fmt.Errorf("read receipt: %w", err)
		}
		if paidAt.Valid {
			return "", cuakhau.Errorf(cuakhau.ECONFLICT, "receipt %s is paid already", number.String)
		}
		var one int
		err = tx.queryRow(ctx, `SELECT 1 FROM payments WHERE source = ? AND reference = ?`, source, in.Reference).Scan(&one)
		if err == nil {
			return "", cuakhau.Errorf(cuakhau.ECONFLICT, "a payment with reference %q is recorded already", in.Reference)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
		if _, err := tx.exec(ctx, `INSERT INTO payments (id, trip_id, amount_vnd, reference, source, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			id, tripID, in.AmountVND, in.Reference, source, p.Actor(), formatTime(now)); err != nil {
			return "", fmt.Errorf("store payment: %w", err)
		}
		paid += in.AmountVND
		var at any
		if paid >= amount {
			at = formatTime(now)
		}
		_, err = tx.exec(ctx, `UPDATE receipts SET paid_vnd = ?, paid_at = ? WHERE trip_id = ?`, paid, at, tripID)
		return id, err
	})
	if err != nil {
		return nil, fmt.Errorf("record payment: %w", err)
	}
	return db.receipt(ctx, db.read, t)
}

// Bounds of a fee totals' range.
const maxFeeDays = 5*366 + 1

// FeeTotals sums the receipts per gate-local day from from to to
// (inclusive, YYYY-MM-DD), gate and direction, for the gates p may see
// trips of (TripScope): the receipts made, the amounts billed and the
// amounts paid. Trips that crossed without a receipt are not counted.
func (db *DB) FeeTotals(ctx context.Context, p cuakhau.Principal, from, to string) (_ []cuakhau.FeeTotal, err error) {
	defer markFault(&err)
	bad := cuakhau.FieldErrors{}
	f, errF := time.Parse(time.DateOnly, from)
	if errF != nil {
		bad.Add("from", "must be a date, YYYY-MM-DD")
	}
	tt, errT := time.Parse(time.DateOnly, to)
	if errT != nil {
		bad.Add("to", "must be a date, YYYY-MM-DD")
	}
	if errF == nil && errT == nil {
		switch {
		case tt.Before(f):
			bad.Add("to", "must not be before from")
		case tt.Sub(f) > maxFeeDays*24*time.Hour:
			bad.Add("to", "the range must be at most 5 years")
		}
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	if p.Role == cuakhau.RoleEnterprise {
		return nil, cuakhau.Errorf(cuakhau.EFORBIDDEN, "fee totals are not an enterprise's to read")
	}
	_, gate, err := p.TripScope("", "")
	if err != nil {
		return nil, err
	}
	q := `SELECT crossed_day, gate, direction, count(*), sum(amount_vnd), sum(paid_vnd) FROM receipts
		WHERE number IS NOT NULL AND crossed_day >= ? AND crossed_day <= ?`
	args := []any{from, to}
	if gate != "" {
		q += ` AND gate = ?`
		args = append(args, gate)
	}
	q += ` GROUP BY crossed_day, gate, direction ORDER BY crossed_day, gate, direction`
	rows, err := db.read.QueryContext(ctx, db.q(q), args...)
	if err != nil {
		return nil, fmt.Errorf("fee totals: %w", err)
	}
	defer rows.Close()
	out := []cuakhau.FeeTotal{}
	for rows.Next() {
		var ft cuakhau.FeeTotal
		if err := rows.Scan(&ft.Day, &ft.Gate, &ft.Direction, &ft.Receipts, &ft.BilledVND, &ft.PaidVND); err != nil {
			return nil, fmt.Errorf("fee totals: %w", err)
		}
		out = append(out, ft)
	}
	return out, rows.Err()
}

// storedReceipt is a receipts row as verify reads it.
type storedReceipt struct {
	row    receiptRow
	number sql.NullString
	seq    sql.NullInt64
	paid   int64
	paidAt sql.NullString
}

// checkReceipts compares every receipts row with the receipt of its trip
// as the log rebuilds it, under the stored tariffs (receiptRowOf, which the
// crossing's write uses): a crossed trip without a row, a row of a trip
// that did not cross, an amount, a line or a tariff that differs. The
// numbers must be the row's year and seq, and each year's seqs 1 to N with
// neither gap nor repeat; paid_vnd must be the sum of the payments.
func (r *rebuild) checkReceipts(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT body FROM tariffs ORDER BY from_day`)
	if err != nil {
		return fmt.Errorf("read tariffs: %w", err)
	}
	sched, err := scanTariffs(rows)
	if err != nil {
		return err
	}
	want := map[string]receiptRow{}
	for id, t := range r.trips {
		if t.Status != cuakhau.StatusCrossed || t.CrossedAt == nil {
			continue
		}
		var loc *time.Location
		if cg, ok := r.gates[t.Gate]; ok {
			loc = cg.loc
		}
		want[id] = receiptRowOf(sched, t, loc)
	}
	paid := map[string]int64{}
	prows, err := tx.QueryContext(ctx, `SELECT trip_id, sum(amount_vnd) FROM payments GROUP BY trip_id`)
	if err != nil {
		return fmt.Errorf("read payments: %w", err)
	}
	for prows.Next() {
		var id string
		var n int64
		if err := prows.Scan(&id, &n); err != nil {
			prows.Close()
			return fmt.Errorf("read payments: %w", err)
		}
		paid[id] = n
	}
	prows.Close()
	if err := prows.Err(); err != nil {
		return fmt.Errorf("read payments: %w", err)
	}
	seqs := map[int][]int64{}
	err = compareTable(ctx, tx, r, "receipts", `SELECT trip_id, gate, direction, crossed_at, crossed_day, year, tariff_version, amount_vnd, bill, no_receipt,
		number, seq, paid_vnd, paid_at FROM receipts ORDER BY trip_id`, want,
		func(rows *sql.Rows) (string, storedReceipt, error) {
			var id string
			var s storedReceipt
			var bill storedValue
			err := rows.Scan(&id, &s.row.gate, &s.row.direction, &s.row.crossedAt, &s.row.day, &s.row.year, &s.row.version, &s.row.amount,
				&bill, &s.row.reason, &s.number, &s.seq, &s.paid, &s.paidAt)
			if doc, uerr := unpack(bill.b); uerr != nil {
				s.row.bill = "(does not unpack: " + uerr.Error() + ")"
			} else {
				s.row.bill = string(doc)
			}
			return id, s, err
		}, func(id string, s storedReceipt, w receiptRow) error {
			r.fields("receipts", id, receiptColumns, s.row.values(), w.values())
			switch {
			case w.billed() && (!s.number.Valid || !s.seq.Valid):
				r.differ("receipts", id, "number", none, "a number")
			case !w.billed() && (s.number.Valid || s.seq.Valid):
				r.differ("receipts", id, "number", s.number.String, none)
			case w.billed() && s.number.String != receiptNumber(w.year, s.seq.Int64):
				r.differ("receipts", id, "number", s.number.String, receiptNumber(w.year, s.seq.Int64))
			}
			if s.seq.Valid {
				seqs[s.row.year] = append(seqs[s.row.year], s.seq.Int64)
			}
			if s.paid != paid[id] {
				r.differ("receipts", id, "paid_vnd", strconv.FormatInt(s.paid, 10), strconv.FormatInt(paid[id], 10)+" (the sum of its payments)")
			}
			if s.paidAt.Valid != (s.paid > 0 && s.paid >= s.row.amount) {
				r.differ("receipts", id, "paid_at", s.paidAt.String, "set once the payments reach the amount")
			}
			return nil
		})
	if err != nil {
		return err
	}
	for _, year := range slices.Sorted(maps.Keys(seqs)) {
		ss := seqs[year]
		slices.Sort(ss)
		for i, n := range ss {
			if n != int64(i+1) {
				r.differ("receipts", strconv.Itoa(year), "number", receiptNumber(year, n), fmt.Sprintf("%s: numbers without gaps or repeats", receiptNumber(year, int64(i+1))))
				break
			}
		}
	}
	return nil
}
