package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/notice"
)

// notify writes notice n about trip t to the outbox inside the write of
// its cause ev.
func (db *DB) notify(ctx context.Context, tx *wtx, ev *cuakhau.Event, t *cuakhau.Trip, n notice.Notice) error {
	m, err := outboxRowOf(ev, t, n)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO outbox (id, kind, gate, trip_id, phone, text, data, created_at, next_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.id, m.kind, m.gate, m.tripID, m.phone, m.text, m.data, m.createdAt, m.createdAt)
	if err != nil {
		return fmt.Errorf("write notification: %w", err)
	}
	return nil
}

// notifyEvent writes the notices a trip's event causes (notice.Of).
func (db *DB) notifyEvent(ctx context.Context, tx *wtx, ev *cuakhau.Event, t *cuakhau.Trip, loc *time.Location) error {
	for _, n := range notice.Of(ev, t, loc) {
		if err := db.notify(ctx, tx, ev, t, n); err != nil {
			return err
		}
	}
	return nil
}

// outboxRow is an outbox message as first written, before any delivery
// attempt changes it. legacyData is its data as the store wrote it before
// messages carried their notice (key and arguments): `cuakhau verify`
// accepts it for rows written then (checkOutbox).
type outboxRow struct {
	id, kind, gate, tripID, phone, text, data, createdAt string
	legacyData                                           string
}

// outboxRowOf builds the message n about trip t that event ev causes: its
// text in the gate's language (notice.Outbox), and in its data the notice's
// key and arguments, from which pages and devices render it in any
// language. Its id is stable — the gate, the cause's seq in the gate's
// log, the kind and the trip — so that every delivery attempt carries the
// same id and the cause can never write it twice.
func outboxRowOf(ev *cuakhau.Event, t *cuakhau.Trip, n notice.Notice) (outboxRow, error) {
	fields := map[string]any{"trip_code": t.Code, "plate": t.Vehicle.Plate, "event_seq": ev.Seq, "status": t.Status}
	legacy, err := json.Marshal(fields)
	if err != nil {
		return outboxRow{}, err
	}
	fields["notice"] = n
	data, err := json.Marshal(fields)
	if err != nil {
		return outboxRow{}, err
	}
	kind := n.Kind()
	return outboxRow{id: fmt.Sprintf("%s-%d-%s-%s", ev.Gate, ev.Seq, kind, t.ID), kind: kind, gate: ev.Gate, tripID: t.ID,
		phone: t.Driver.Phone, text: notice.Outbox(n), data: string(data), createdAt: formatTime(ev.At), legacyData: string(legacy)}, nil
}

// DueNotifications returns up to limit undelivered messages whose next
// attempt is due, oldest first.
func (db *DB) DueNotifications(ctx context.Context, limit int) ([]*cuakhau.Notification, error) {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT id, kind, gate, trip_id, phone, text, data, created_at, attempts FROM outbox
		WHERE delivered_at = '' AND next_at <= ? ORDER BY created_at, id LIMIT ?`), formatTime(db.now()), limit)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	out := []*cuakhau.Notification{}
	for rows.Next() {
		n := new(cuakhau.Notification)
		var data sql.NullString
		var created string
		if err := rows.Scan(&n.ID, &n.Kind, &n.Gate, &n.TripID, &n.Phone, &n.Text, &data, &created, &n.Attempts); err != nil {
			return nil, fmt.Errorf("read outbox: %w", err)
		}
		if data.Valid {
			n.Data = json.RawMessage(data.String)
		}
		if n.CreatedAt, err = parseTime(created); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Notices lists gate's latest messages, newest first, at most limit
// (1–200; default 50), delivered or not (cuakhau.NoticeService).
func (db *DB) Notices(ctx context.Context, p cuakhau.Principal, gate string, limit int) (_ []*cuakhau.Notification, err error) {
	defer markFault(&err)
	if _, ok, err := db.cachedGate(ctx, gate); err != nil {
		return nil, err
	} else if !ok {
		return nil, cuakhau.Errorf(cuakhau.ENOTFOUND, "no gate %q", gate)
	}
	if !p.CanSeeQueue(gate) {
		return nil, cuakhau.Errorf(cuakhau.EFORBIDDEN, "role %s may not read the messages of gate %s", p.Role, gate)
	}
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 200)
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT id, kind, gate, trip_id, phone, text, data, created_at, attempts, delivered_at, last_error
		FROM outbox WHERE gate = ? ORDER BY created_at DESC, id DESC LIMIT ?`), gate, limit)
	if err != nil {
		return nil, unavailable(fmt.Errorf("read outbox: %w", err))
	}
	defer rows.Close()
	out := []*cuakhau.Notification{}
	for rows.Next() {
		n := new(cuakhau.Notification)
		var data sql.NullString
		var created, delivered string
		if err := rows.Scan(&n.ID, &n.Kind, &n.Gate, &n.TripID, &n.Phone, &n.Text, &data, &created, &n.Attempts, &delivered, &n.LastError); err != nil {
			return nil, fmt.Errorf("read outbox: %w", err)
		}
		if data.Valid {
			n.Data = json.RawMessage(data.String)
		}
		if n.CreatedAt, err = parseTime(created); err != nil {
			return nil, err
		}
		if delivered != "" {
			at, err := parseTime(delivered)
			if err != nil {
				return nil, err
			}
			n.DeliveredAt = &at
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// MarkDelivered records the messages ids as delivered, in one write; they
// are not handed out again.
func (db *DB) MarkDelivered(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	now := formatTime(db.now())
	return db.update(ctx, func(ctx context.Context, tx *wtx) error {
		for _, id := range ids {
			if _, err := tx.exec(ctx, `UPDATE outbox SET delivered_at = ?, attempts = attempts + 1 WHERE id = ?`, now, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// MarkFailed records a failed attempt and when to try again.
func (db *DB) MarkFailed(ctx context.Context, id string, next time.Time, reason string) error {
	if len(reason) > 500 {
		reason = reason[:500]
	}
	return db.update(ctx, func(ctx context.Context, tx *wtx) error {
		_, err := tx.exec(ctx, `UPDATE outbox SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ?`, formatTime(next), reason, id)
		return err
	})
}

// PruneNotices deletes the delivered messages older than age and returns
// how many it deleted. A delivered message's text, recipient and cause are
// all in the log, from which verify rebuilds it; what goes is the record of
// its delivery, and with it a copy of the driver's phone number kept past
// its use. Undelivered messages are kept however old. In the same write
// each gate's outbox_pruned moves to the cut and counts the rows deleted,
// so that verify knows how many rows before the cut may be gone.
func (db *DB) PruneNotices(ctx context.Context, age time.Duration) (int64, error) {
	if age <= 0 {
		return 0, fmt.Errorf("prune notices: retention %s: must be positive", age)
	}
	cut := formatTime(db.now().Add(-age))
	var total int64
	err := db.update(ctx, func(ctx context.Context, tx *wtx) error {
		total = 0
		rows, err := tx.query(ctx, `SELECT gate, count(*) FROM outbox WHERE delivered_at <> '' AND created_at < ? GROUP BY gate`, cut)
		if err != nil {
			return err
		}
		counts := map[string]int64{}
		for rows.Next() {
			var g string
			var n int64
			if err := rows.Scan(&g, &n); err != nil {
				rows.Close()
				return err
			}
			counts[g] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for g, n := range counts {
			if _, err := tx.exec(ctx, `DELETE FROM outbox WHERE gate = ? AND delivered_at <> '' AND created_at < ?`, g, cut); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `INSERT INTO outbox_pruned (gate, pruned_before, pruned) VALUES (?, ?, ?)
				ON CONFLICT (gate) DO UPDATE SET pruned_before = CASE WHEN excluded.pruned_before > outbox_pruned.pruned_before
					THEN excluded.pruned_before ELSE outbox_pruned.pruned_before END, pruned = outbox_pruned.pruned + excluded.pruned`, g, cut, n); err != nil {
				return err
			}
			total += n
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("prune notices: %w", err)
	}
	return total, nil
}
