package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/device"
)

// CommandSink sends a barrier its command: the MQTT envelope, sealed with
// the barrier's secret, to publish on topic. It must not block for long;
// the store calls it after the command's write has committed.
type CommandSink func(topic string, payload []byte)

// SetCommandSink sets where barrier commands go (the MQTT broker or
// client). Without one, commands are still recorded, and a barrier that
// never hears of them leaves them unacknowledged, which alerts an operator.
func (db *DB) SetCommandSink(s CommandSink) {
	st := db.devState()
	st.sinkMu.Lock()
	st.sink = s
	st.sinkMu.Unlock()
}

const commandColumns = `id, device, gate, position, action, trip_id, plate, reason, actor, manual, issued_at, state, acked_at, note`

func scanCommand(sc scanner) (*device.Command, error) {
	var c device.Command
	var manual int
	var issued string
	var acked sql.NullString
	if err := sc.Scan(&c.ID, &c.Device, &c.Gate, &c.Position, &c.Action, &c.TripID, &c.Plate, &c.Reason, &c.Actor, &manual, &issued, &c.State, &acked, &c.Note); err != nil {
		return nil, err
	}
	c.Manual = manual == 1
	var err error
	if c.IssuedAt, err = parseTime(issued); err != nil {
		return nil, err
	}
	if acked.Valid {
		t, err := parseTime(acked.String)
		if err != nil {
			return nil, err
		}
		c.AckedAt = &t
	}
	return &c, nil
}

func insertCommand(ctx context.Context, tx *wtx, c *device.Command) error {
	manual := 0
	if c.Manual {
		manual = 1
	}
	_, err := tx.exec(ctx, `INSERT INTO barrier_commands (`+commandColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, '')`,
		c.ID, c.Device, c.Gate, string(c.Position), c.Action, c.TripID, c.Plate, c.Reason, c.Actor, manual, formatTime(c.IssuedAt), c.State)
	return err
}

// barriersAt returns the enabled barriers at gate's pos, from the cache
// when read within deviceCacheTTL (a barrier added or disabled on this
// node counts at once, on another within the TTL).
func (db *DB) barriersAt(ctx context.Context, gate string, pos device.Position) ([]string, error) {
	s := db.devState()
	now := time.Now() // cache expiry is about wall time, not the domain clock
	spot := barrierSpot{gate, pos}
	s.mu.Lock()
	c, ok := s.barriers[spot]
	changes := s.changes
	s.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.ids, nil
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT id FROM devices WHERE gate = ? AND position = ? AND kind = ? AND enabled = 1 ORDER BY id`),
		gate, string(pos), string(device.KindBarrier))
	if err != nil {
		return nil, unavailable(fmt.Errorf("find barriers: %w", err))
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("find barriers: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find barriers: %w", err)
	}
	s.mu.Lock()
	if len(s.barriers) >= deviceCacheMax {
		clear(s.barriers)
	}
	if s.changes == changes {
		s.barriers[spot] = cachedBarriers{ids: ids, expires: now.Add(deviceCacheTTL)}
	}
	s.mu.Unlock()
	return ids, nil
}

// openings returns the commands that open each of barriers for trip t,
// let through by reading device d's effect a.
func openings(barriers []string, d device.Device, t *cuakhau.Trip, plate string, a device.Action, now time.Time) []*device.Command {
	out := make([]*device.Command, len(barriers))
	reason := fmt.Sprintf("trip %s checked in", t.Code)
	if a.Effect == device.EffectDecide {
		reason = fmt.Sprintf("trip %s passed %s", t.Code, a.Decision.Checkpoint)
	}
	for i, id := range barriers {
		out[i] = &device.Command{ID: newAlertID(), Device: id, Gate: d.Gate, Position: d.Position, Action: device.Open,
			TripID: t.ID, Plate: plate, Reason: reason + " (read by " + d.ID + ")", Actor: device.Principal(d).Actor(),
			IssuedAt: now, State: device.CommandSent}
	}
	return out
}

// dispatch hands committed commands to the sink, each sealed with its
// barrier's secret.
func (db *DB) dispatch(ctx context.Context, cmds []*device.Command) {
	st := db.devState()
	st.sinkMu.Lock()
	sink := st.sink
	st.sinkMu.Unlock()
	if sink == nil {
		return
	}
	now := db.now()
	for _, c := range cmds {
		_, secret, err := db.deviceSecret(ctx, c.Device)
		if err != nil {
			continue // disabled or gone since: the command stays unacknowledged
		}
		sink(device.Topic(c.Gate, c.Device, device.TopicCommands), device.SealCommand(secret, c, now))
	}
}

// OperateBarrier records an operator's opening or closing of barrier id by
// hand, with the reason, and sends it. Only an admin or an operator of the
// barrier's gate may (device.CanOperate); the device must be an enabled
// barrier.
func (db *DB) OperateBarrier(ctx context.Context, p cuakhau.Principal, id string, m device.ManualCommand) (_ *device.Command, err error) {
	defer markFault(&err)
	d, err := db.Device(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := device.Check(device.CanOperate(p, d.Gate), p, "operate the barriers of gate "+d.Gate); err != nil {
		return nil, err
	}
	if d.Kind != device.KindBarrier {
		return nil, cuakhau.Errorf(cuakhau.ECONFLICT, "device %s is a %s, not a barrier", d.ID, d.Kind)
	}
	if !d.Enabled {
		return nil, cuakhau.Errorf(cuakhau.ECONFLICT, "barrier %s is disabled", d.ID)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	c := &device.Command{ID: newAlertID(), Device: d.ID, Gate: d.Gate, Position: d.Position, Action: m.Action,
		Reason: m.Reason, Actor: p.Actor(), Manual: true, IssuedAt: db.now(), State: device.CommandSent}
	// The command's row and, in the same write, the gate's log entry.
	data, err := json.Marshal(device.ManualData{Command: c.ID, Device: c.Device, Position: c.Position, Action: c.Action})
	if err != nil {
		return nil, err
	}
	ev := &cuakhau.Event{Gate: d.Gate, Type: cuakhau.EventBarrier, Actor: c.Actor, At: c.IssuedAt, Note: c.Reason, Data: data}
	if err := db.update(ctx, func(ctx context.Context, tx *wtx) error {
		if err := insertCommand(ctx, tx, c); err != nil {
			return err
		}
		return db.appendEvent(ctx, tx, ev)
	}); err != nil {
		return nil, fmt.Errorf("record barrier command: %w", err)
	}
	db.dispatch(ctx, []*device.Command{c})
	return c, nil
}

// Acknowledge takes barrier id's signed answer to one of its commands,
// checked as a reading is (signature, clock, replay), and records it. A
// failed command raises an operator alert. Answering a command of another
// device is ENOTFOUND, as an unknown one is.
func (db *DB) Acknowledge(ctx context.Context, id string, s device.Signed) (_ *device.Command, err error) {
	defer markFault(&err)
	d, _, now, err := db.signedBy(ctx, id, s)
	if err != nil {
		return nil, err
	}
	if d.Kind != device.KindBarrier {
		return nil, cuakhau.Errorf(cuakhau.EFORBIDDEN, "device %s is a %s: only a barrier acknowledges commands", d.ID, d.Kind)
	}
	a, err := device.ParseAck(s.Body, now)
	if err != nil {
		return nil, err
	}
	var c *device.Command
	err = db.update(ctx, func(ctx context.Context, tx *wtx) error {
		if err := rememberSignature(ctx, tx, d, s, now); err != nil {
			return err
		}
		c, err = scanCommand(tx.queryRow(ctx, `SELECT `+commandColumns+` FROM barrier_commands WHERE id = ? AND device = ?`, a.Command, d.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return cuakhau.Errorf(cuakhau.ENOTFOUND, "barrier %s has no command %q", d.ID, a.Command)
		}
		if err != nil {
			return err
		}
		changed, err := device.Acknowledge(c, a)
		if err != nil || !changed {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE barrier_commands SET state = ?, acked_at = ?, note = ? WHERE id = ?`,
			c.State, formatTime(*c.AckedAt), c.Note, c.ID); err != nil {
			return err
		}
		if c.State != device.CommandFailed {
			return nil
		}
		_, err = tx.exec(ctx, `INSERT INTO device_alerts (id, gate, device, kind, plate, trip_id, message, reading, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			newAlertID(), d.Gate, d.ID, device.AlertBarrierNoAck, c.Plate, c.TripID,
			fmt.Sprintf("barrier %s could not %s: %s", d.ID, c.Action, c.Note), string(s.Body), formatTime(now))
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// PendingCommands answers barrier id's signed poll (device.ParsePoll),
// checked as a reading is (signature, clock, replay), with its commands
// not yet answered and still within device.AckTimeout, oldest first, each
// sealed as the MQTT envelope is: the way a barrier without MQTT gets its
// commands. A command past AckTimeout is not handed out: a barrier that
// opens late opens for a truck that is no longer there.
func (db *DB) PendingCommands(ctx context.Context, id string, s device.Signed) (_ [][]byte, err error) {
	defer markFault(&err)
	d, secret, now, err := db.signedBy(ctx, id, s)
	if err != nil {
		return nil, err
	}
	if d.Kind != device.KindBarrier {
		return nil, cuakhau.Errorf(cuakhau.EFORBIDDEN, "device %s is a %s: only a barrier polls for commands", d.ID, d.Kind)
	}
	if err := device.ParsePoll(s.Body, now); err != nil {
		return nil, err
	}
	err = db.update(ctx, func(ctx context.Context, tx *wtx) error { return rememberSignature(ctx, tx, d, s, now) })
	if err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT `+commandColumns+` FROM barrier_commands
		WHERE device = ? AND state = ? AND issued_at >= ? ORDER BY issued_at, id`), d.ID, device.CommandSent, formatTime(now.Add(-device.AckTimeout)))
	if err != nil {
		return nil, unavailable(fmt.Errorf("pending commands: %w", err))
	}
	defer rows.Close()
	out := [][]byte{}
	for rows.Next() {
		c, err := scanCommand(rows)
		if err != nil {
			return nil, fmt.Errorf("pending commands: %w", err)
		}
		out = append(out, device.SealCommand(secret, c, now))
	}
	return out, rows.Err()
}

// BarrierCommands lists the commands of a gate's barriers ("" every gate),
// or of one device, newest first, at most limit (0: 100; at most 1000).
// Who may see them is who may see the gate's devices (device.CanWatch).
func (db *DB) BarrierCommands(ctx context.Context, p cuakhau.Principal, gate, deviceID string, limit int) (_ []*device.Command, err error) {
	defer markFault(&err)
	if deviceID != "" {
		d, err := db.Device(ctx, deviceID)
		if err != nil {
			return nil, err
		}
		gate = d.Gate
	}
	if err := device.Check(device.CanWatch(p, gate), p, "see the barriers of gate "+gate); err != nil {
		return nil, err
	}
	switch {
	case limit == 0:
		limit = 100
	case limit < 0 || limit > 1000:
		return nil, cuakhau.Invalid("limit", "from 1 to 1000")
	}
	q := `SELECT ` + commandColumns + ` FROM barrier_commands`
	var args []any
	switch {
	case deviceID != "":
		q += ` WHERE device = ?`
		args = append(args, deviceID)
	case gate != "":
		q += ` WHERE gate = ?`
		args = append(args, gate)
	}
	args = append(args, limit)
	rows, err := db.read.QueryContext(ctx, db.q(q+` ORDER BY issued_at DESC, id DESC LIMIT ?`), args...)
	if err != nil {
		return nil, fmt.Errorf("list barrier commands: %w", err)
	}
	defer rows.Close()
	out := []*device.Command{}
	for rows.Next() {
		c, err := scanCommand(rows)
		if err != nil {
			return nil, fmt.Errorf("list barrier commands: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SweepUnacked gives up on the commands left unacknowledged for longer
// than timeout (device.AckTimeout; longer on an accelerated clock) at the
// store's clock: each becomes unacked and raises an operator alert
// (device.AlertBarrierNoAck), which it returns. A late answer is still
// recorded.
func (db *DB) SweepUnacked(ctx context.Context, timeout time.Duration) (_ []*device.Alert, err error) {
	defer markFault(&err)
	now := db.now()
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT `+commandColumns+` FROM barrier_commands WHERE state = ? AND issued_at < ? ORDER BY issued_at LIMIT 1000`),
		device.CommandSent, formatTime(now.Add(-timeout)))
	if err != nil {
		return nil, fmt.Errorf("sweep unacknowledged commands: %w", err)
	}
	var late []*device.Command
	for rows.Next() {
		c, err := scanCommand(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("sweep unacknowledged commands: %w", err)
		}
		late = append(late, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sweep unacknowledged commands: %w", err)
	}
	out := []*device.Alert{}
	for _, c := range late {
		al := &device.Alert{ID: newAlertID(), Gate: c.Gate, Device: c.Device, Kind: device.AlertBarrierNoAck, Plate: c.Plate, TripID: c.TripID,
			Message: fmt.Sprintf("barrier %s has not acknowledged the command to %s given %s (%s)", c.Device, c.Action, c.IssuedAt.UTC().Format(time.RFC3339), c.Reason), At: now}
		raised := false
		err := db.update(ctx, func(ctx context.Context, tx *wtx) error {
			r, err := tx.exec(ctx, `UPDATE barrier_commands SET state = ? WHERE id = ? AND state = ?`, device.CommandUnacked, c.ID, device.CommandSent)
			if err != nil {
				return err
			}
			if n, err := r.RowsAffected(); err != nil || n == 0 {
				return err // answered meanwhile
			}
			raised = true
			_, err = tx.exec(ctx, `INSERT INTO device_alerts (id, gate, device, kind, plate, trip_id, message, reading, at) VALUES (?, ?, ?, ?, ?, ?, ?, '', ?)`,
				al.ID, al.Gate, al.Device, al.Kind, al.Plate, al.TripID, al.Message, formatTime(al.At))
			return err
		})
		if err != nil {
			return out, fmt.Errorf("raise unacknowledged-command alert: %w", err)
		}
		if raised {
			out = append(out, al)
		}
	}
	return out, nil
}

// sent dispatches the committed commands and returns them (nil for none).
func (db *DB) sent(ctx context.Context, cmds []*device.Command) []*device.Command {
	if len(cmds) == 0 {
		return nil
	}
	db.dispatch(ctx, cmds)
	return cmds
}
