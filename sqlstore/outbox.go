package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/flow"
)

// notify writes a message to the outbox inside the write of its cause.
func (db *DB) notify(ctx context.Context, tx *wtx, ev *cuakhau.Event, t *cuakhau.Trip, kind, text string) error {
	m, err := outboxRowOf(ev, t, kind, text)
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

// notifyEvent writes the messages a trip's event causes (eventNotices).
func (db *DB) notifyEvent(ctx context.Context, tx *wtx, ev *cuakhau.Event, t *cuakhau.Trip, loc *time.Location) error {
	for _, n := range eventNotices(ev, t, loc) {
		if err := db.notify(ctx, tx, ev, t, n.kind, n.text); err != nil {
			return err
		}
	}
	return nil
}

// outboxRow is an outbox message as first written, before any delivery
// attempt changes it.
type outboxRow struct {
	id, kind, gate, tripID, phone, text, data, createdAt string
}

// outboxRowOf builds the message of kind about trip t that event ev causes.
// Its id is stable — the gate, the cause's seq in the gate's log, the kind
// and the trip — so that every delivery attempt carries the same id and the
// cause can never write it twice.
func outboxRowOf(ev *cuakhau.Event, t *cuakhau.Trip, kind, text string) (outboxRow, error) {
	data, err := json.Marshal(map[string]any{"trip_code": t.Code, "plate": t.Vehicle.Plate, "event_seq": ev.Seq, "status": t.Status})
	if err != nil {
		return outboxRow{}, err
	}
	return outboxRow{id: fmt.Sprintf("%s-%d-%s-%s", ev.Gate, ev.Seq, kind, t.ID), kind: kind, gate: ev.Gate, tripID: t.ID,
		phone: t.Driver.Phone, text: text, data: string(data), createdAt: formatTime(ev.At)}, nil
}

// notice is one message to write: its kind and text.
type notice struct{ kind, text string }

// eventNotices are the messages a trip's event causes, t being the trip
// after it and loc its gate's zone: a call tells the driver to come, a
// moved booking confirms the new window, a late arrival or a missed window
// says the booking is lost. The store writes them with the event and
// `cuakhau verify` rebuilds them from the log, both from here.
func eventNotices(ev *cuakhau.Event, t *cuakhau.Trip, loc *time.Location) []notice {
	switch ev.Type {
	case cuakhau.EventCalled:
		return []notice{{cuakhau.NotifyCalled, fmt.Sprintf("Xe %s (%s): mời vào khu kiểm soát cửa khẩu %s ngay. / Truck %s: proceed to the control zone now.",
			t.Vehicle.Plate, t.Code, t.Gate, t.Vehicle.Plate)}}
	case cuakhau.EventBookingMoved:
		var b flow.BookingData
		if json.Unmarshal(ev.Data, &b) != nil {
			return nil
		}
		return []notice{{cuakhau.NotifyBookingMoved, fmt.Sprintf("Xe %s (%s): lịch qua cửa khẩu %s đã chuyển sang %s.",
			t.Vehicle.Plate, t.Code, t.Gate, b.WindowStart.In(loc).Format("02/01 15:04"))}}
	case cuakhau.EventArrived:
		var a cuakhau.ArrivalData
		if json.Unmarshal(ev.Data, &a) != nil || !a.Late {
			return nil
		}
		return []notice{{cuakhau.NotifyBookingLost, fmt.Sprintf("Xe %s (%s) đến muộn quá thời gian cho phép: mất lịch đặt, xếp vào hàng chờ thường.",
			t.Vehicle.Plate, t.Code)}}
	case cuakhau.EventNoShow:
		if len(ev.Data) == 0 {
			return nil // an operator's no-show, not the sweep's: no booking was lost
		}
		return []notice{{cuakhau.NotifyBookingLost, fmt.Sprintf("Xe %s (%s) không đến trong khung giờ đã đặt: lịch đặt bị hủy.",
			t.Vehicle.Plate, t.Code)}}
	}
	return nil
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

// MarkDelivered records a message as delivered; it is not handed out again.
func (db *DB) MarkDelivered(ctx context.Context, id string) error {
	now := db.now()
	return db.update(ctx, func(ctx context.Context, tx *wtx) error {
		_, err := tx.exec(ctx, `UPDATE outbox SET delivered_at = ?, attempts = attempts + 1 WHERE id = ?`, formatTime(now), id)
		return err
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
