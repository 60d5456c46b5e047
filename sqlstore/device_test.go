package sqlstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/catalog"
	"github.com/cuakhau/cuakhau/device"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// camera is a registered device with its secret, which signs its readings.
type camera struct {
	t      *testing.T
	db     *sqlstore.DB
	clock  *cuakhau.FixedClock
	id     string
	secret string
}

func addDevice(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock, id string, kind device.Kind, pos device.Position) *camera {
	t.Helper()
	secret, d, err := db.AddDevice(context.Background(), admin, device.Device{ID: id, Kind: kind, Gate: "huu-nghi", Position: pos})
	if err != nil {
		t.Fatalf("AddDevice %s: %v", id, err)
	}
	if !d.Enabled || d.ID != id {
		t.Fatalf("added %+v", d)
	}
	return &camera{t, db, clock, id, secret}
}

// signed signs body now.
func (c *camera) signed(body string) device.Signed {
	ts := c.clock.Now().Unix()
	return device.Signed{Timestamp: strconv.FormatInt(ts, 10), Signature: device.Sign(c.secret, ts, []byte(body)), Body: []byte(body)}
}

func (c *camera) plateBody(plate string, conf float64) string {
	return fmt.Sprintf(`{"plate":%q,"confidence":%g,"at":%q}`, plate, conf, c.clock.Now().Format(time.RFC3339))
}

// read sends a plate read and fails the test if it is refused.
func (c *camera) read(plate string, conf float64) *device.Result {
	c.t.Helper()
	res, err := c.db.Ingest(context.Background(), c.id, c.signed(c.plateBody(plate, conf)))
	if err != nil {
		c.t.Fatalf("%s reads %s: %v", c.id, plate, err)
	}
	return res
}

func (c *camera) weigh(kg int64) *device.Result {
	c.t.Helper()
	body := fmt.Sprintf(`{"gross_kg":%d,"at":%q}`, kg, c.clock.Now().Format(time.RFC3339))
	res, err := c.db.Ingest(context.Background(), c.id, c.signed(body))
	if err != nil {
		c.t.Fatalf("%s weighs %d: %v", c.id, kg, err)
	}
	return res
}

func withPlate(d cuakhau.Declaration, plate string) cuakhau.Declaration {
	d.Vehicle.Plate = plate
	return d
}

func status(t *testing.T, db *sqlstore.DB, id string) cuakhau.Status {
	t.Helper()
	tr, err := db.Trip(context.Background(), admin, id)
	if err != nil {
		t.Fatal(err)
	}
	return tr.Status
}

func TestDeviceRegistry(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		cam := addDevice(t, db, clock, "hn-yard-1", device.KindANPR, device.PositionYardIn)
		addDevice(t, db, clock, "hn-wb-1", device.KindWeighbridge, device.PositionWeighing)
		_, _, err := db.AddDevice(ctx, admin, device.Device{ID: "hn-yard-1", Kind: device.KindANPR, Gate: "huu-nghi", Position: device.PositionYardIn})
		wantCode(t, err, cuakhau.ECONFLICT)
		_, _, err = db.AddDevice(ctx, admin, device.Device{ID: "x", Kind: device.KindANPR, Gate: "nowhere", Position: device.PositionYardIn})
		wantCode(t, err, cuakhau.EINVALID)
		if _, ok := cuakhau.ErrorFields(err)["gate"]; !ok {
			t.Errorf("unknown gate: %v", err)
		}
		_, _, err = db.AddDevice(ctx, admin, device.Device{ID: "x", Kind: "radar", Gate: "huu-nghi", Position: device.PositionYardIn})
		wantCode(t, err, cuakhau.EINVALID)
		devs, err := db.Devices(ctx, admin, "huu-nghi")
		if err != nil || len(devs) != 2 || devs[0].ID != "hn-wb-1" || devs[1].Kind != device.KindANPR {
			t.Fatalf("Devices: %v %v", devs, err)
		}
		if devs, _ := db.Devices(ctx, admin, "tan-thanh"); len(devs) != 0 {
			t.Errorf("tan-thanh has %v", devs)
		}

		declare(t, db, company, withPlate(durian(), "12C45678"))
		if res := cam.read("12C45678", 0.9); res.Effect != device.EffectArrive {
			t.Fatalf("read: %+v", res)
		}
		if d, _ := db.Device(ctx, cam.id); d.LastSeen == nil || !d.LastSeen.Equal(start) {
			t.Errorf("last seen %v, want %v", d.LastSeen, start)
		}

		// Rotation: the old secret stops verifying at once.
		old := cam.secret
		secret, _, err := db.RotateDevice(ctx, admin, cam.id)
		if err != nil || secret == old {
			t.Fatalf("RotateDevice: %v", err)
		}
		clock.Add(time.Second)
		_, err = db.Ingest(ctx, cam.id, cam.signed(cam.plateBody("29C11111", 0.9)))
		wantCode(t, err, cuakhau.EUNAUTHORIZED)
		cam.secret = secret
		cam.read("29C11111", 0.9)

		if _, err := db.DisableDevice(ctx, admin, cam.id); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Second)
		_, err = db.Ingest(ctx, cam.id, cam.signed(cam.plateBody("29C11112", 0.9)))
		wantCode(t, err, cuakhau.EFORBIDDEN)
		_, err = db.DisableDevice(ctx, operator, cam.id)
		wantCode(t, err, cuakhau.EFORBIDDEN)
		_, _, err = db.AddDevice(ctx, operator, device.Device{ID: "y", Kind: device.KindANPR, Gate: "huu-nghi", Position: device.PositionYardIn})
		wantCode(t, err, cuakhau.EFORBIDDEN)
		_, err = db.Devices(ctx, operator, "tan-thanh")
		wantCode(t, err, cuakhau.EFORBIDDEN)
		_, err = db.Alerts(ctx, company, "huu-nghi", 0)
		wantCode(t, err, cuakhau.EFORBIDDEN)
		_, err = db.DisableDevice(ctx, admin, "nope")
		wantCode(t, err, cuakhau.ENOTFOUND)
		_, _, err = db.RotateDevice(ctx, admin, "nope")
		wantCode(t, err, cuakhau.ENOTFOUND)
	})
}

// TestDeviceReadingsDriveTrips follows a truck through the gate on its
// devices alone, but for the officers' decisions: the yard camera checks it
// in, the zone camera refuses it until it is called and then admits it,
// the weighbridge holds it for its weight until released, the zero line
// raises an alarm while a checkpoint is pending and records the crossing
// once all have passed.
func TestDeviceReadingsDriveTrips(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		yard := addDevice(t, db, clock, "hn-yard", device.KindANPR, device.PositionYardIn)
		zone := addDevice(t, db, clock, "hn-zone", device.KindANPR, device.PositionZoneIn)
		wcam := addDevice(t, db, clock, "hn-wcam", device.KindANPR, device.PositionWeighing)
		wb := addDevice(t, db, clock, "hn-wb", device.KindWeighbridge, device.PositionWeighing)
		out := addDevice(t, db, clock, "hn-out", device.KindANPR, device.PositionGateOut)
		tr := declare(t, db, company, withPlate(durian(), "12C45678"))

		if res := yard.read("I2C4S678", 0.9); res.Effect != device.EffectArrive || res.Plate != "12C-456.78" ||
			res.Status != cuakhau.StatusArrived || res.Event == nil || res.Event.Actor != "operator:device:hn-yard" {
			t.Fatalf("yard read: %+v", res)
		}
		// The same plate again within the interval: once.
		clock.Add(10 * time.Second)
		if res := yard.read("12C45678", 0.95); !res.Duplicate {
			t.Errorf("second read within the interval: %+v", res)
		}
		// Seen again after it: nothing to do, nothing logged.
		n := count(t, db, `SELECT count(*) FROM events WHERE trip_id = ?`, sqlstore.LookupKey(tr.ID))
		clock.Add(2 * time.Minute)
		if res := yard.read("12C45678", 0.95); res.Effect != device.EffectNone {
			t.Errorf("read of a waiting truck: %+v", res)
		}
		if got := count(t, db, `SELECT count(*) FROM events WHERE trip_id = ?`, sqlstore.LookupKey(tr.ID)); got != n {
			t.Errorf("a read that does nothing logged %d events", got-n)
		}

		// At the zone before its call: an alert, and it stays waiting.
		res := zone.read("12C45678", 0.9)
		if res.Effect != device.EffectAlert || res.Alert == nil || res.Alert.Kind != device.AlertNotCalled || res.Alert.TripID != tr.ID {
			t.Fatalf("zone read before the call: %+v", res)
		}
		if s := status(t, db, tr.ID); s != cuakhau.StatusArrived {
			t.Fatalf("status %s after the refused zone read", s)
		}
		if _, err := db.Call(ctx, operator, "huu-nghi", cuakhau.CallRequest{TripID: tr.ID, Reason: "test"}); err != nil {
			t.Fatal(err)
		}
		clock.Add(2 * time.Minute)
		if res := zone.read("12C45678", 0.9); res.Effect != device.EffectDecide || res.Status != cuakhau.StatusInZone ||
			res.Event.Checkpoint != "entry" || res.Event.Device != "hn-zone" {
			t.Fatalf("zone read after the call: %+v", res)
		}

		// Weighed: 48.5 t is over the limit, a hold with the reason.
		wcam.read("12C45678", 0.9)
		res = wb.weigh(48_500)
		if res.Effect != device.EffectDecide || res.Status != cuakhau.StatusHeld || res.Event.Checkpoint != "weighbridge" || res.Event.Outcome != cuakhau.OutcomeHold {
			t.Fatalf("overweight: %+v", res)
		}
		var reading cuakhau.Reading
		if err := json.Unmarshal(res.Event.Data, &reading); err != nil || reading.WeightKg != 48_500 {
			t.Errorf("the event does not carry the weight: %s", res.Event.Data)
		}
		decide(t, db, operator, tr.ID, cuakhau.Decision{Checkpoint: "weighbridge", Outcome: cuakhau.OutcomeRelease})
		clock.Add(time.Minute)
		if res := wb.weigh(33_500); res.Event == nil || res.Event.Outcome != cuakhau.OutcomePass {
			t.Fatalf("weighed again within tolerance: %+v", res)
		}

		// At the zero line with checkpoints pending: an alarm.
		decide(t, db, medical, tr.ID, cuakhau.Decision{Checkpoint: "medical", Outcome: cuakhau.OutcomePass})
		res = out.read("12C45678", 0.9)
		if res.Effect != device.EffectAlert || res.Alert.Kind != device.AlertPendingCheck || status(t, db, tr.ID) != cuakhau.StatusInZone {
			t.Fatalf("gate out with customs pending: %+v", res)
		}
		decide(t, db, customs, tr.ID, cuakhau.Decision{Checkpoint: "customs", Outcome: cuakhau.OutcomePass, Channel: cuakhau.ChannelGreen})
		decide(t, db, plantQ, tr.ID, cuakhau.Decision{Checkpoint: "quarantine", Outcome: cuakhau.OutcomePass})
		decide(t, db, guard, tr.ID, cuakhau.Decision{Checkpoint: "border_guard", Outcome: cuakhau.OutcomePass})
		decide(t, db, operator, tr.ID, cuakhau.Decision{Checkpoint: "fee", Outcome: cuakhau.OutcomePass})
		clock.Add(2 * time.Minute)
		if res := out.read("12C45678", 0.9); res.Effect != device.EffectDecide || res.Status != cuakhau.StatusCrossed || res.Event.Checkpoint != "exit" {
			t.Fatalf("gate out: %+v", res)
		}

		// An unknown plate: an alert, never an error.
		res = yard.read("29C99999", 0.9)
		if res.Effect != device.EffectAlert || res.Alert.Kind != device.AlertUnknownPlate {
			t.Fatalf("unknown plate: %+v", res)
		}
		alerts, err := db.Alerts(ctx, operator, "huu-nghi", 0)
		if err != nil || len(alerts) != 3 || alerts[0].Kind != device.AlertUnknownPlate {
			t.Fatalf("alerts: %v %v", alerts, err)
		}
		if alerts, _ := db.Alerts(ctx, admin, "tan-thanh", 0); len(alerts) != 0 {
			t.Errorf("tan-thanh alerts: %v", alerts)
		}
		wantWhole(t, db)
	})
}

// TestDeviceRefusals sends each bad reading of the spec and checks the
// refusal and that nothing changed: no event, no trip change, no alert, no
// signature kept, the device's last sighting where it was.
func TestDeviceRefusals(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		cam := addDevice(t, db, clock, "hn-yard", device.KindANPR, device.PositionYardIn)
		wb := addDevice(t, db, clock, "hn-wb", device.KindWeighbridge, device.PositionWeighing)
		off := addDevice(t, db, clock, "hn-off", device.KindANPR, device.PositionYardIn)
		if _, err := db.DisableDevice(ctx, admin, off.id); err != nil {
			t.Fatal(err)
		}
		tr := declare(t, db, company, withPlate(durian(), "12C45678"))
		good := cam.signed(cam.plateBody("12C45678", 0.9))
		now := clock.Now().Unix()
		body := []byte(cam.plateBody("12C45678", 0.9))
		at := func(ts int64) device.Signed {
			return device.Signed{Timestamp: strconv.FormatInt(ts, 10), Signature: device.Sign(cam.secret, ts, body), Body: body}
		}
		snapshot := func() string {
			return fmt.Sprint(count(t, db, `SELECT count(*) FROM events`), count(t, db, `SELECT count(*) FROM device_alerts`),
				count(t, db, `SELECT count(*) FROM device_signatures`), count(t, db, `SELECT count(*) FROM devices WHERE last_seen IS NOT NULL`),
				status(t, db, tr.ID))
		}
		before := snapshot()
		wrong := good
		wrong.Signature = device.Sign("ckd_other", now, body)
		for _, c := range []struct {
			name  string
			dev   string
			s     device.Signed
			code  string
			field string
		}{
			{"unsigned", cam.id, device.Signed{Body: body}, cuakhau.EUNAUTHORIZED, ""},
			{"stale", cam.id, at(now - 301), cuakhau.EUNAUTHORIZED, ""},
			{"from the future", cam.id, at(now + 301), cuakhau.EUNAUTHORIZED, ""},
			{"wrongly signed", cam.id, wrong, cuakhau.EUNAUTHORIZED, ""},
			{"unknown device", "hn-nobody", good, cuakhau.ENOTFOUND, ""},
			{"disabled device", off.id, off.signed(cam.plateBody("12C45678", 0.9)), cuakhau.EFORBIDDEN, ""},
			{"zero weight", wb.id, wb.signed(`{"gross_kg":0,"at":"2026-12-01T01:00:00Z"}`), cuakhau.EINVALID, "gross_kg"},
			{"absurd weight", wb.id, wb.signed(`{"gross_kg":4000000,"at":"2026-12-01T01:00:00Z"}`), cuakhau.EINVALID, "gross_kg"},
			{"plate of nothing", cam.id, cam.signed(`{"plate":"?!","confidence":0.9,"at":"2026-12-01T01:00:00Z"}`), cuakhau.EINVALID, "plate"},
			{"no time", cam.id, cam.signed(`{"plate":"12C45678","confidence":0.9}`), cuakhau.EINVALID, "at"},
			{"not JSON", cam.id, cam.signed(`plate=12C45678`), cuakhau.EINVALID, "body"},
		} {
			_, err := db.Ingest(ctx, c.dev, c.s)
			if cuakhau.ErrorCode(err) != c.code {
				t.Errorf("%s: %v, want %s", c.name, err, c.code)
			}
			if _, ok := cuakhau.ErrorFields(err)[c.field]; c.field != "" && !ok {
				t.Errorf("%s: %v does not name %s", c.name, err, c.field)
			}
			if after := snapshot(); after != before {
				t.Errorf("%s changed the store: %s → %s", c.name, before, after)
			}
		}
		// A replay: the first is taken, the second refused.
		if _, err := db.Ingest(ctx, cam.id, good); err != nil {
			t.Fatal(err)
		}
		mid := snapshot()
		_, err := db.Ingest(ctx, cam.id, good)
		wantCode(t, err, cuakhau.EUNAUTHORIZED)
		if after := snapshot(); after != mid {
			t.Errorf("a replay changed the store: %s → %s", mid, after)
		}
		// Also by a node that has not seen it in memory: the stored
		// signatures are the authority.
		db.ForgetDeviceMemory()
		_, err = db.Ingest(ctx, cam.id, good)
		wantCode(t, err, cuakhau.EUNAUTHORIZED)
		if after := snapshot(); after != mid {
			t.Errorf("a replay to another node changed the store: %s → %s", mid, after)
		}
	})
}

// TestSilentDevices: a device with an interval that sends nothing for
// longer raises one silent-device alert in the alerts list, however often
// the sweep runs; its next reading ends the silence, and the next silence
// raises another. A device without an interval, or disabled, is not
// watched; an interval out of bounds is refused naming interval_s.
func TestSilentDevices(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		cam := addDevice(t, db, clock, "hn-yard-1", device.KindANPR, device.PositionYardIn)
		addDevice(t, db, clock, "hn-yard-2", device.KindANPR, device.PositionYardIn) // not watched
		if _, err := db.SetDeviceInterval(ctx, admin, "hn-yard-1", 5); err == nil || cuakhau.ErrorFields(err)["interval_s"] == "" {
			t.Errorf("an interval of 5 s: %v", err)
		}
		if _, err := db.SetDeviceInterval(ctx, operator, "hn-yard-1", 300); err == nil {
			t.Error("an operator set an interval")
		}
		if d, err := db.SetDeviceInterval(ctx, admin, "hn-yard-1", 300); err != nil || d.Interval != 300 {
			t.Fatalf("SetDeviceInterval: %+v, %v", d, err)
		}
		sweep := func() []*device.Alert {
			t.Helper()
			as, err := db.SweepSilent(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return as
		}
		clock.Add(299 * time.Second)
		if as := sweep(); len(as) != 0 {
			t.Fatalf("within its interval: %+v", as)
		}
		clock.Add(2 * time.Second)
		as := sweep()
		if len(as) != 1 || as[0].Device != "hn-yard-1" || as[0].Kind != device.AlertSilent {
			t.Fatalf("past its interval: %+v", as)
		}
		clock.Add(time.Hour)
		if as := sweep(); len(as) != 0 {
			t.Fatalf("the same silence alerted again: %+v", as)
		}
		listed, err := db.Alerts(ctx, operator, "huu-nghi", 0)
		if err != nil || len(listed) != 1 || listed[0].Kind != device.AlertSilent {
			t.Fatalf("alerts listed: %+v, %v", listed, err)
		}
		cam.read("29C99999", 0.9) // an unknown plate: an alert, and a sign of life
		if as := sweep(); len(as) != 0 {
			t.Fatalf("just after a reading: %+v", as)
		}
		clock.Add(301 * time.Second)
		if as := sweep(); len(as) != 1 {
			t.Fatalf("the next silence: %+v", as)
		}
	})
}

// TestReplaysAcrossRestart: every accepted reading's signature is refused
// a second time within its five minutes — one that checked a truck in, a
// duplicate, a truck seen again (answered without a write) and an unknown
// plate's alert — and still after the store is closed and opened again,
// or after the batch of signatures is stored and another node that has
// not seen them takes the replay. The device's last sighting is the last
// reading's, at once and after the restart.
func TestReplaysAcrossRestart(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			clock := cuakhau.NewFixedClock(start)
			dsn := dsnFor(t, engine)
			db, err := sqlstore.Open(ctx, dsn, clock)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			gates, _ := catalog.Gates()
			if err := db.Seed(ctx, gates); err != nil {
				t.Fatal(err)
			}
			cam := addDevice(t, db, clock, "hn-yard", device.KindANPR, device.PositionYardIn)
			declare(t, db, company, withPlate(durian(), "12C45678"))
			var sent []device.Signed
			take := func(body string, want device.Effect, dup bool) {
				t.Helper()
				s := cam.signed(body)
				ops := db.WriteStats().Ops
				res, err := db.Ingest(ctx, cam.id, s)
				if err != nil || res.Effect != want || res.Duplicate != dup {
					t.Fatalf("reading %s: %+v, %v; want %s (duplicate %v)", body, res, err, want, dup)
				}
				if wrote := db.WriteStats().Ops - ops; want == device.EffectNone && wrote != 0 {
					t.Errorf("reading %s (%s) wrote %d times, want none", body, want, wrote)
				}
				sent = append(sent, s)
			}
			take(cam.plateBody("12C45678", 0.9), device.EffectArrive, false)
			take(cam.plateBody("12C45678", 0.8), device.EffectNone, true)
			clock.Add(time.Second)
			take(cam.plateBody("29C99999", 0.9), device.EffectAlert, false)
			clock.Add(2 * time.Minute) // past the de-duplication
			take(cam.plateBody("12C45678", 0.9), device.EffectNone, false)
			last := clock.Now()
			if d, err := db.Device(ctx, cam.id); err != nil || d.LastSeen == nil || !d.LastSeen.Equal(last) {
				t.Fatalf("last seen %v (%v), want %v", d.LastSeen, err, last)
			}
			events := count(t, db, `SELECT count(*) FROM events`)
			alerts := count(t, db, `SELECT count(*) FROM device_alerts`)
			replays := func(db *sqlstore.DB, when string) {
				t.Helper()
				for i, s := range sent {
					_, err := db.Ingest(ctx, cam.id, s)
					if cuakhau.ErrorCode(err) != cuakhau.EUNAUTHORIZED {
						t.Errorf("%s: replay of reading %d: %v, want %s", when, i, err, cuakhau.EUNAUTHORIZED)
					}
				}
				if e, a := count(t, db, `SELECT count(*) FROM events`), count(t, db, `SELECT count(*) FROM device_alerts`); e != events || a != alerts {
					t.Errorf("%s: replays changed the store: %d events, %d alerts; want %d, %d", when, e, a, events, alerts)
				}
			}
			replays(db, "before the restart")
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}

			db = openRaw(t, dsn, clock)
			cam.db = db
			replays(db, "after the restart")
			if d, err := db.Device(ctx, cam.id); err != nil || d.LastSeen == nil || !d.LastSeen.Equal(last) {
				t.Errorf("after the restart: last seen %v (%v), want %v", d.LastSeen, err, last)
			}

			// Stored in the second's batch, a duplicate's signature is
			// refused by a node that never had it in memory.
			clock.Add(time.Minute)
			take(cam.plateBody("12C45678", 0.9), device.EffectNone, false)
			take(cam.plateBody("12C45678", 0.7), device.EffectNone, true)
			if err := db.WriteSightings(ctx); err != nil {
				t.Fatal(err)
			}
			if n := count(t, db, `SELECT count(*) FROM devices WHERE last_seen = ?`, clock.Now().UTC().Format(cuakhau.TimeFormat)); n != 1 {
				t.Errorf("the stored last sighting is not the last reading's (%d rows)", n)
			}
			db.ForgetDeviceMemory()
			replays(db, "on a node that has not seen them")
		})
	}
}
