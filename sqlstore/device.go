package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/device"
)

// deviceSecretPrefix marks device secrets, as secretPrefix marks tokens.
const deviceSecretPrefix = "ckd_"

// DeviceConfig tunes what readings do.
type DeviceConfig struct {
	// Dedup is how long the same plate from the same device counts once.
	Dedup time.Duration
	// Weigh are the weighing's bounds.
	Weigh device.WeighRules
	// WeighWindow is how long after a camera at a gate's weighing read a
	// plate a weighbridge's reading without a plate is taken for that truck.
	WeighWindow time.Duration
}

// DefaultDeviceConfig: a minute's de-duplication, device.DefaultWeighRules,
// and two minutes between the weighing's plate read and its weight.
var DefaultDeviceConfig = DeviceConfig{Dedup: time.Minute, Weigh: device.DefaultWeighRules, WeighWindow: 2 * time.Minute}

// deviceState is what the store keeps in memory of devices: their records
// and secrets for a short while (as tokens are kept), the barriers of each
// gate's positions, the recent plates of each camera (de-duplication), the
// signatures accepted lately (replays are refused here; see sightings.go),
// the last sightings not yet written, and the plate last read at each
// gate's weighing.
type deviceState struct {
	once  sync.Once
	cfg   atomic.Pointer[DeviceConfig]
	mu    sync.Mutex
	cache map[string]cachedDevice
	// barriers are the enabled barriers per gate and position, as the
	// devices table held them at the changes count noted.
	barriers map[barrierSpot]cachedBarriers
	// changes counts additions, rotations and disablings: a record read
	// before one is not cached after it.
	changes uint64
	dedup   *device.Deduper
	weighMu sync.Mutex
	weigh   map[string]plateSeen
	// seen is the replay protection and the last sightings (sightings.go).
	seen sightings
	// sink sends barrier commands (barrier.go).
	sinkMu sync.Mutex
	sink   CommandSink
}

type cachedDevice struct {
	d       device.Device
	secret  string
	expires time.Time
}

type barrierSpot struct {
	gate string
	pos  device.Position
}

type cachedBarriers struct {
	ids     []string
	expires time.Time
}

type plateSeen struct {
	plate string
	at    time.Time
}

const (
	deviceCacheTTL = time.Minute
	deviceCacheMax = 10000
)

func (db *DB) devState() *deviceState {
	s := &db.devs
	s.once.Do(func() {
		if s.cfg.Load() == nil {
			c := DefaultDeviceConfig
			s.cfg.Store(&c)
		}
		s.cache = map[string]cachedDevice{}
		s.barriers = map[barrierSpot]cachedBarriers{}
		s.dedup = device.NewDeduper(s.cfg.Load().Dedup, 100_000)
		s.weigh = map[string]plateSeen{}
		s.seen.init()
	})
	return s
}

func newDeviceSecret() string {
	var raw [32]byte
	rand.Read(raw[:])
	return deviceSecretPrefix + secretEncoding.EncodeToString(raw[:])
}

// AddDevice registers a device and returns its secret, which is shown
// this once (rotate it to get a new one).
func (db *DB) AddDevice(ctx context.Context, p cuakhau.Principal, d device.Device) (string, *device.Device, error) {
	if err := device.Check(device.CanManage(p), p, "add devices"); err != nil {
		return "", nil, err
	}
	d.Enabled = true
	d.LastSeen = nil
	if err := device.ValidateNew(d); err != nil {
		return "", nil, err
	}
	if _, ok, err := db.cachedGate(ctx, d.Gate); err != nil {
		return "", nil, err
	} else if !ok {
		return "", nil, cuakhau.Invalid("gate", fmt.Sprintf("unknown gate %q", d.Gate))
	}
	secret := newDeviceSecret()
	d.Created = db.now()
	err := db.update(ctx, func(ctx context.Context, tx *wtx) error {
		var one int
		err := tx.queryRow(ctx, `SELECT 1 FROM devices WHERE id = ?`, d.ID).Scan(&one)
		if err == nil {
			return cuakhau.Errorf(cuakhau.ECONFLICT, "device %q exists", d.ID)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO devices (id, kind, gate, position, enabled, secret, created_at, interval_s) VALUES (?, ?, ?, ?, 1, ?, ?, ?)`,
			d.ID, string(d.Kind), d.Gate, string(d.Position), secret, formatTime(d.Created), d.Interval)
		return err
	})
	if err != nil {
		return "", nil, fmt.Errorf("add device: %w", err)
	}
	db.deviceChanged(d.ID)
	return secret, &d, nil
}

const deviceColumns = `id, kind, gate, position, enabled, created_at, last_seen, secret, interval_s`

func scanDevice(sc scanner) (*device.Device, string, error) {
	var d device.Device
	var kind, pos, created, secret string
	var enabled int
	var seen sql.NullString
	if err := sc.Scan(&d.ID, &kind, &d.Gate, &pos, &enabled, &created, &seen, &secret, &d.Interval); err != nil {
		return nil, "", err
	}
	d.Kind, d.Position, d.Enabled = device.Kind(kind), device.Position(pos), enabled == 1
	var err error
	if d.Created, err = parseTime(created); err != nil {
		return nil, "", err
	}
	if seen.Valid {
		at, err := parseTime(seen.String)
		if err != nil {
			return nil, "", err
		}
		d.LastSeen = &at
	}
	return &d, secret, nil
}

// Devices lists the devices of a gate ("" for every gate), by gate and id.
// Secrets are not shown.
func (db *DB) Devices(ctx context.Context, p cuakhau.Principal, gate string) (_ []*device.Device, err error) {
	defer markFault(&err)
	if gate == "" && p.Role == cuakhau.RoleOperator {
		gate = p.Gate
	}
	if err := device.Check(device.CanWatch(p, gate), p, "see the devices of gate "+gate); err != nil {
		return nil, err
	}
	q := `SELECT ` + deviceColumns + ` FROM devices`
	var args []any
	if gate != "" {
		q += ` WHERE gate = ?`
		args = append(args, gate)
	}
	rows, err := db.read.QueryContext(ctx, db.q(q+` ORDER BY gate, id`), args...)
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	defer rows.Close()
	out := []*device.Device{}
	for rows.Next() {
		d, _, err := scanDevice(rows)
		if err != nil {
			return nil, fmt.Errorf("list devices: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	db.withSightings(out...)
	return out, nil
}

// Device returns one device's record.
func (db *DB) Device(ctx context.Context, id string) (_ *device.Device, err error) {
	defer markFault(&err)
	d, _, err := scanDevice(db.read.QueryRowContext(ctx, db.q(`SELECT `+deviceColumns+` FROM devices WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cuakhau.Errorf(cuakhau.ENOTFOUND, "no device %q", id)
	} else if err != nil {
		return nil, err
	}
	db.withSightings(d)
	return d, nil
}

// RotateDevice gives a device a new secret and returns it; the old one
// stops verifying at once in this process and within a minute in others.
func (db *DB) RotateDevice(ctx context.Context, p cuakhau.Principal, id string) (string, *device.Device, error) {
	if err := device.Check(device.CanManage(p), p, "rotate device secrets"); err != nil {
		return "", nil, err
	}
	secret := newDeviceSecret()
	d, err := db.changeDevice(ctx, id, `UPDATE devices SET secret = ?, rotated_at = ? WHERE id = ?`, secret, formatTime(db.now()), id)
	if err != nil {
		return "", nil, fmt.Errorf("rotate device: %w", err)
	}
	return secret, d, nil
}

// DisableDevice stops a device's readings from being accepted (403); its
// record stays, for the log names it.
func (db *DB) DisableDevice(ctx context.Context, p cuakhau.Principal, id string) (*device.Device, error) {
	if err := device.Check(device.CanManage(p), p, "disable devices"); err != nil {
		return nil, err
	}
	d, err := db.changeDevice(ctx, id, `UPDATE devices SET enabled = 0 WHERE id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("disable device: %w", err)
	}
	return d, nil
}

func (db *DB) changeDevice(ctx context.Context, id, update string, args ...any) (*device.Device, error) {
	var d *device.Device
	err := db.update(ctx, func(ctx context.Context, tx *wtx) error {
		if _, err := tx.exec(ctx, update, args...); err != nil {
			return err
		}
		var err error
		d, _, err = scanDevice(tx.queryRow(ctx, `SELECT `+deviceColumns+` FROM devices WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return cuakhau.Errorf(cuakhau.ENOTFOUND, "no device %q", id)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	db.deviceChanged(id)
	db.withSightings(d)
	return d, nil
}

// deviceChanged drops what is cached of device id, and of the barriers,
// after it was added, rotated or disabled.
func (db *DB) deviceChanged(id string) {
	s := db.devState()
	s.mu.Lock()
	s.changes++
	delete(s.cache, id)
	clear(s.barriers)
	s.mu.Unlock()
}

// deviceSecret returns a device's record and secret, from the cache when
// read within deviceCacheTTL.
func (db *DB) deviceSecret(ctx context.Context, id string) (device.Device, string, error) {
	s := db.devState()
	now := time.Now() // cache expiry is about wall time, not the domain clock
	s.mu.Lock()
	c, ok := s.cache[id]
	changes := s.changes
	s.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.d, c.secret, nil
	}
	if !device.ValidID(id) {
		return device.Device{}, "", cuakhau.Errorf(cuakhau.ENOTFOUND, "no device %q", id)
	}
	d, secret, err := scanDevice(db.read.QueryRowContext(ctx, db.q(`SELECT `+deviceColumns+` FROM devices WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return device.Device{}, "", cuakhau.Errorf(cuakhau.ENOTFOUND, "no device %q", id)
	} else if err != nil {
		return device.Device{}, "", unavailable(fmt.Errorf("read device: %w", err))
	}
	s.mu.Lock()
	if len(s.cache) >= deviceCacheMax {
		clear(s.cache)
	}
	if s.changes == changes {
		s.cache[id] = cachedDevice{d: *d, secret: secret, expires: now.Add(deviceCacheTTL)}
	}
	s.mu.Unlock()
	return *d, secret, nil
}

// Ingest takes a signed reading from device id: it checks the device (404
// unknown), the signature (401 unsigned, stale, wrong, or replayed), that
// the device is enabled and, when the transport names a gate (s.Gate, an
// MQTT topic's), that it is the device's (403) and the body (422 naming the field), then
// does what the reading means (device.PlateRead, device.Weighing) through
// the services an officer's action goes through — Arrive, Decide — with the
// device as its gate's operator. The signature of a reading that does
// something is stored in the same transaction as its effect, so a replay
// changes nothing, even sent to another node; replays are refused from
// memory first, and the signatures of the readings that change nothing, and
// the devices' last sightings, are stored once a second (sightings.go). A
// plate no trip matches, or a reading its position cannot act on, is an
// operator alert: stored, and answered as accepted. The same plate from the
// same camera within the de-duplication interval is answered as a
// duplicate and does nothing; so is a truck seen again where it already is
// (effect none), without a write.
//
// signedBy checks that s is signed by device id and may act: its
// signature under the device's secret at the store's now (401), the device
// enabled and, when s was addressed to a gate, of that gate (403). It
// returns the device, its secret and the now it checked at.
func (db *DB) signedBy(ctx context.Context, id string, s device.Signed) (device.Device, string, time.Time, error) {
	d, secret, err := db.deviceSecret(ctx, id)
	if err != nil {
		return device.Device{}, "", time.Time{}, err
	}
	now := db.now()
	if err := device.CheckSignature(secret, s, now); err != nil {
		return device.Device{}, "", now, err
	}
	if !d.Enabled {
		return device.Device{}, "", now, cuakhau.Errorf(cuakhau.EFORBIDDEN, "device %s is disabled", d.ID)
	}
	if s.Gate != "" && s.Gate != d.Gate {
		return device.Device{}, "", now, cuakhau.Errorf(cuakhau.EFORBIDDEN, "device %s belongs to gate %s, not %s", d.ID, d.Gate, s.Gate)
	}
	return d, secret, now, nil
}

// rememberSignature stores s's signature for device d in tx, refusing a
// replay (401): the authority for another node, which has not seen it.
func rememberSignature(ctx context.Context, tx *wtx, d device.Device, s device.Signed, now time.Time) error {
	ins, err := tx.exec(ctx, `INSERT INTO device_signatures (device, signature, seen_at) VALUES (?, ?, ?) ON CONFLICT (device, signature) DO NOTHING`,
		d.ID, device.ReplayKey(s), formatTime(now))
	if err != nil {
		return err
	}
	if n, err := ins.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return cuakhau.Errorf(cuakhau.EUNAUTHORIZED, "replayed: this signature was already received")
	}
	return nil
}

func (db *DB) Ingest(ctx context.Context, id string, s device.Signed) (_ *device.Result, err error) {
	defer markFault(&err)
	d, _, now, err := db.signedBy(ctx, id, s)
	if err != nil {
		return nil, err
	}
	if err := db.replaysReady(ctx); err != nil {
		return nil, err
	}
	st := db.devState()
	cfg := st.cfg.Load()
	if !st.seen.replays.Add(s.Signature, device.StaleAt(s), now) {
		return nil, cuakhau.Errorf(cuakhau.EUNAUTHORIZED, "replayed: this signature was already received")
	}
	ok := false
	defer func() {
		if !ok {
			st.seen.replays.Forget(s.Signature)
		}
	}()
	r, err := device.ParseReading(d.Kind, s.Body, now)
	if err != nil {
		return nil, err
	}
	res := &device.Result{Device: d.ID}
	if len(r.Candidates) > 0 {
		res.Plate = r.Candidates[0].Plate
		if d.Kind != device.KindWeighbridge && st.dedup.Seen(d.ID, res.Plate, r.At) {
			res.Effect, res.Duplicate, res.Reason = device.EffectNone, true, "the same plate from this device within "+cfg.Dedup.String()
			st.seen.accepted(d.ID, s, now)
			ok = true
			return res, nil
		}
	}
	res, err = db.ingest(ctx, d, s, r, now, cfg, res)
	if err != nil {
		if res != nil && res.Plate != "" {
			st.dedup.Forget(d.ID, res.Plate)
		}
		return nil, err
	}
	// A reading that did something wrote its signature with it.
	if res.Effect != device.EffectNone {
		st.seen.seenAt(d.ID, now)
	} else {
		st.seen.accepted(d.ID, s, now)
	}
	ok = true
	return res, nil
}

func (db *DB) ingest(ctx context.Context, d device.Device, s device.Signed, r *device.Parsed, now time.Time, cfg *DeviceConfig, res *device.Result) (*device.Result, error) {
	st := db.devState()
	cands := r.Candidates
	if d.Kind == device.KindWeighbridge && len(cands) == 0 {
		st.weighMu.Lock()
		seen, ok := st.weigh[d.Gate]
		st.weighMu.Unlock()
		if ok && now.Sub(seen.at) <= cfg.WeighWindow {
			cands = []device.Candidate{{Plate: seen.plate, Score: 1}}
		}
	}
	also := func(ctx context.Context, tx *wtx) error {
		return rememberSignature(ctx, tx, d, s, now)
	}
	record := func(a device.Action, t *cuakhau.Trip) (*device.Result, error) {
		res.Effect, res.Reason = a.Effect, a.Reason
		var al *device.Alert
		if a.Effect == device.EffectAlert {
			al = &device.Alert{ID: newAlertID(), Gate: d.Gate, Device: d.ID, Kind: a.Alert, Plate: res.Plate,
				Message: a.Reason, Reading: string(s.Body), At: now}
			if t != nil {
				al.TripID = t.ID
			}
		}
		if t != nil {
			res.TripID, res.Status = t.ID, t.Status
		}
		if a.Effect == device.EffectNone {
			// Nothing to write: its signature and sighting are stored
			// with the others' (sightings.go).
			return res, nil
		}
		err := db.update(ctx, func(ctx context.Context, tx *wtx) error {
			if err := also(ctx, tx); err != nil {
				return err
			}
			if al == nil {
				return nil
			}
			_, err := tx.exec(ctx, `INSERT INTO device_alerts (id, gate, device, kind, plate, trip_id, message, reading, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				al.ID, al.Gate, al.Device, al.Kind, al.Plate, al.TripID, al.Message, al.Reading, formatTime(al.At))
			return err
		})
		if err != nil {
			return res, fmt.Errorf("record reading of device %s: %w", d.ID, err)
		}
		res.Alert = al
		return res, nil
	}
	if len(cands) == 0 {
		return record(device.Action{Effect: device.EffectAlert, Alert: device.AlertWeighingNoTruck,
			Reason: "a weight with no plate, and no plate read at the weighing within " + cfg.WeighWindow.String()}, nil)
	}
	trips, err := db.activeTripsByPlate(ctx, d.Gate, device.Plates(cands))
	if err != nil {
		return res, err
	}
	plate, found := device.Match(cands, func(p string) bool { return len(trips[p]) > 0 })
	if !found {
		return record(device.Action{Effect: device.EffectAlert, Alert: device.AlertUnknownPlate,
			Reason: fmt.Sprintf("no trip under way at %s matches the plate read %q (%s)", d.Gate, r.Plate, strings.Join(device.Plates(cands), ", "))}, nil)
	}
	res.Plate = plate
	if d.Position == device.PositionWeighing && d.Kind != device.KindWeighbridge {
		st.weighMu.Lock()
		if len(st.weigh) > 10_000 {
			clear(st.weigh)
		}
		st.weigh[d.Gate] = plateSeen{plate, now}
		st.weighMu.Unlock()
	}
	// The trip the read means: of the plate's trips under way, oldest
	// first, the first the reading acts on, else the first.
	var t *cuakhau.Trip
	var a device.Action
	for i, tr := range trips[plate] {
		var ai device.Action
		if r.GrossKg != nil {
			ai = device.Weighing(d, tr, plate, *r.GrossKg, cfg.Weigh)
		} else {
			ai = device.PlateRead(d, tr, plate)
		}
		if i == 0 || ai.Effect == device.EffectArrive || ai.Effect == device.EffectDecide {
			t, a = tr, ai
		}
		if ai.Effect == device.EffectArrive || ai.Effect == device.EffectDecide {
			break
		}
	}
	p := device.Principal(d)
	// The barriers at the reading's position open for a truck it lets
	// through, in the same write as its effect: the truck passes only
	// when its passing is recorded.
	var cmds []*device.Command
	if device.Opens(d.Position, a) {
		barriers, err := db.barriersAt(ctx, d.Gate, d.Position)
		if err != nil {
			return res, err
		}
		cmds = openings(barriers, d, t, plate, a, now)
	}
	wctx := withAlso(ctx, func(ctx context.Context, tx *wtx) error {
		if err := also(ctx, tx); err != nil {
			return err
		}
		for _, c := range cmds {
			if err := insertCommand(ctx, tx, c); err != nil {
				return err
			}
		}
		return nil
	})
	switch a.Effect {
	case device.EffectArrive:
		ar, err := db.Arrive(wctx, p, t.ID)
		if err == nil {
			res.Effect, res.TripID, res.Status, res.Event = a.Effect, t.ID, ar.Trip.Status, ar.Event
			res.Commands = db.sent(ctx, cmds)
			return res, nil
		}
		return db.refused(err, a, t, record)
	case device.EffectDecide:
		dr, err := db.Decide(wctx, p, t.ID, a.Decision)
		if err == nil {
			res.Effect, res.TripID, res.Status, res.Event = a.Effect, t.ID, dr.Trip.Status, dr.Event
			res.Commands = db.sent(ctx, cmds)
			return res, nil
		}
		return db.refused(err, a, t, record)
	}
	return record(a, t)
}

// refused turns the refusal of a reading's effect by the trip's rules (the
// trip changed since it was read, say) into an operator alert; any other
// failure is the reading's.
func (db *DB) refused(err error, a device.Action, t *cuakhau.Trip, record func(device.Action, *cuakhau.Trip) (*device.Result, error)) (*device.Result, error) {
	switch cuakhau.ErrorCode(err) {
	case cuakhau.ECONFLICT, cuakhau.EFORBIDDEN, cuakhau.EINVALID:
		kind := device.AlertNotCalled
		switch {
		case a.Effect == device.EffectArrive:
			kind = device.AlertWrongGate
		case a.Decision.Checkpoint != "" && len(t.Checkpoints) > 0 && a.Decision.Checkpoint == t.Checkpoints[len(t.Checkpoints)-1].Code:
			kind = device.AlertPendingCheck
		}
		return record(device.Action{Effect: device.EffectAlert, Alert: kind, Reason: cuakhau.ErrorMessage(err)}, t)
	}
	return nil, err
}

func newAlertID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// activeTripsByPlate returns the trips under way (not final) at gate whose
// vehicle has one of plates, per plate, oldest declaration first.
func (db *DB) activeTripsByPlate(ctx context.Context, gate string, plates []string) (map[string][]*cuakhau.Trip, error) {
	if len(plates) > 64 {
		plates = plates[:64]
	}
	args := []any{gate}
	marks := make([]string, len(plates))
	for i, p := range plates {
		marks[i] = "?"
		args = append(args, p)
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT id, version, body FROM trips WHERE gate = ? AND plate IN (`+strings.Join(marks, ", ")+`)
		AND status NOT IN ('crossed', 'cancelled', 'no_show', 'rejected') ORDER BY declared_at, id`), args...)
	if err != nil {
		return nil, unavailable(fmt.Errorf("find trips by plate: %w", err))
	}
	defer rows.Close()
	out := map[string][]*cuakhau.Trip{}
	for rows.Next() {
		var id string
		var body storedJSON
		var version int
		if err := rows.Scan(&id, &version, &body); err != nil {
			return nil, fmt.Errorf("find trips by plate: %w", err)
		}
		// The trip as recently written when it is that version, else
		// decoded and kept for the write that follows (Arrive, Decide
		// start from the cache: tripCache).
		t := db.recent.get(id)
		if t == nil || t.Version != version {
			if t, err = decodeTrip(id, body.doc, nil); err != nil {
				return nil, err
			}
			db.recent.store(t)
		}
		out[t.Vehicle.Plate] = append(out[t.Vehicle.Plate], t)
	}
	return out, rows.Err()
}

// Alerts lists a gate's operator alerts ("" every gate), newest first, at
// most limit (0: 100; at most 1000).
func (db *DB) Alerts(ctx context.Context, p cuakhau.Principal, gate string, limit int) (_ []*device.Alert, err error) {
	defer markFault(&err)
	if err := device.Check(device.CanWatch(p, gate), p, "see the alerts of gate "+gate); err != nil {
		return nil, err
	}
	switch {
	case limit == 0:
		limit = 100
	case limit < 0 || limit > 1000:
		return nil, cuakhau.Invalid("limit", "from 1 to 1000")
	}
	f := struct {
		Gate  string
		Limit int
	}{gate, limit}
	q := `SELECT id, gate, device, kind, plate, trip_id, message, reading, at FROM device_alerts`
	var args []any
	if f.Gate != "" {
		q += ` WHERE gate = ?`
		args = append(args, f.Gate)
	}
	args = append(args, f.Limit)
	rows, err := db.read.QueryContext(ctx, db.q(q+` ORDER BY at DESC, id DESC LIMIT ?`), args...)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	defer rows.Close()
	out := []*device.Alert{}
	for rows.Next() {
		var a device.Alert
		var at string
		if err := rows.Scan(&a.ID, &a.Gate, &a.Device, &a.Kind, &a.Plate, &a.TripID, &a.Message, &a.Reading, &at); err != nil {
			return nil, fmt.Errorf("list alerts: %w", err)
		}
		if a.At, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, &a)
	}
	return out, rows.Err()
}

// SetDeviceInterval sets how long device id may be silent, in seconds,
// before an operator is alerted (0: not watched).
func (db *DB) SetDeviceInterval(ctx context.Context, p cuakhau.Principal, id string, seconds int64) (_ *device.Device, err error) {
	defer markFault(&err)
	if err := device.Check(device.CanManage(p), p, "change devices"); err != nil {
		return nil, err
	}
	if msg := device.CheckInterval(seconds); msg != "" {
		return nil, cuakhau.Invalid("interval_s", msg)
	}
	var d *device.Device
	err = db.update(ctx, func(ctx context.Context, tx *wtx) error {
		r, err := tx.exec(ctx, `UPDATE devices SET interval_s = ?, silent_since = NULL WHERE id = ?`, seconds, id)
		if err != nil {
			return err
		}
		if n, err := r.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return cuakhau.Errorf(cuakhau.ENOTFOUND, "device %q not found", id)
		}
		d, _, err = scanDevice(tx.queryRow(ctx, `SELECT `+deviceColumns+` FROM devices WHERE id = ?`, id))
		return err
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// SweepSilent raises an operator alert (device.AlertSilent) for each
// device silent past its interval at the store's clock (device.Silent)
// that has none for its current silence, and returns them. A device's next
// reading ends its silence, so the next silence raises a new alert.
func (db *DB) SweepSilent(ctx context.Context) (_ []*device.Alert, err error) {
	defer markFault(&err)
	// The sightings kept in memory first: a device heard within the last
	// second is not silent.
	if err := db.writeSightings(ctx); err != nil {
		return nil, err
	}
	now := db.now()
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT `+deviceColumns+` FROM devices WHERE enabled = 1 AND interval_s > 0 AND silent_since IS NULL`))
	if err != nil {
		return nil, fmt.Errorf("sweep silent devices: %w", err)
	}
	var silent []*device.Alert
	var intervals []time.Duration
	for rows.Next() {
		d, _, err := scanDevice(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("sweep silent devices: %w", err)
		}
		if ok, msg := device.Silent(*d, now); ok {
			silent = append(silent, &device.Alert{ID: newAlertID(), Gate: d.Gate, Device: d.ID, Kind: device.AlertSilent, Message: msg, At: now})
			intervals = append(intervals, time.Duration(d.Interval)*time.Second)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sweep silent devices: %w", err)
	}
	out := []*device.Alert{}
	for i, al := range silent {
		raised := false
		err := db.update(ctx, func(ctx context.Context, tx *wtx) error {
			// Still silent, still without an alert: a reading may have come.
			r, err := tx.exec(ctx, `UPDATE devices SET silent_since = ? WHERE id = ? AND silent_since IS NULL AND (last_seen IS NULL OR last_seen < ?)`,
				formatTime(al.At), al.Device, formatTime(al.At.Add(-intervals[i])))
			if err != nil {
				return err
			}
			if n, err := r.RowsAffected(); err != nil || n == 0 {
				return err
			}
			raised = true
			_, err = tx.exec(ctx, `INSERT INTO device_alerts (id, gate, device, kind, plate, trip_id, message, reading, at) VALUES (?, ?, ?, ?, '', '', ?, '', ?)`,
				al.ID, al.Gate, al.Device, al.Kind, al.Message, formatTime(al.At))
			return err
		})
		if err != nil {
			return out, fmt.Errorf("raise silent-device alert: %w", err)
		}
		if raised {
			out = append(out, al)
		}
	}
	return out, nil
}
