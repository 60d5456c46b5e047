package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/device"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// sunk collects what the store sends to the barriers.
type sunk struct {
	mu   sync.Mutex
	msgs map[string][]device.Signed // by topic
}

func (s *sunk) sink(topic string, payload []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sg, err := device.ParseEnvelope("", payload)
	if err != nil {
		panic(err)
	}
	s.msgs[topic] = append(s.msgs[topic], sg)
}

func (s *sunk) take(topic string) []device.Signed {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.msgs[topic]
	delete(s.msgs, topic)
	return out
}

// ack has barrier b answer command id.
func (b *camera) ack(id, state, note string) (*device.Command, error) {
	body := fmt.Sprintf(`{"command":%q,"state":%q,"note":%q,"at":%q}`, id, state, note, b.clock.Now().Format(time.RFC3339))
	return b.db.Acknowledge(context.Background(), b.id, b.signed(body))
}

// TestBarriers: a barrier opens, in the write of the reading, only for a
// truck the reading lets through; the command reaches it signed with its
// secret; its answer is recorded; silence past the timeout and a failure
// alert an operator; an operator opens and closes it by hand with the
// reason, and no one else may.
func TestBarriers(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		out := &sunk{msgs: map[string][]device.Signed{}}
		db.SetCommandSink(out.sink)
		yard := addDevice(t, db, clock, "hn-yard", device.KindANPR, device.PositionYardIn)
		zone := addDevice(t, db, clock, "hn-zone", device.KindANPR, device.PositionZoneIn)
		bar := addDevice(t, db, clock, "hn-zone-bar", device.KindBarrier, device.PositionZoneIn)
		topic := device.Topic("huu-nghi", bar.id, device.TopicCommands)
		tr := declare(t, db, company, withPlate(durian(), "12C45678"))

		// No barrier at yard_in: a check-in commands nothing.
		if res := yard.read("12C45678", 0.9); res.Effect != device.EffectArrive || len(res.Commands) != 0 {
			t.Fatalf("yard read: %+v", res)
		}
		// Not called: the barrier stays shut.
		clock.Add(time.Minute)
		if res := zone.read("12C45678", 0.9); res.Effect != device.EffectAlert || len(res.Commands) != 0 {
			t.Fatalf("uncalled truck at the zone: %+v", res)
		}
		if got := out.take(topic); len(got) != 0 {
			t.Fatalf("the barrier was sent %d commands for an uncalled truck", len(got))
		}
		if _, err := db.Call(ctx, operator, "huu-nghi", cuakhau.CallRequest{TripID: tr.ID, Reason: "test"}); err != nil {
			t.Fatal(err)
		}
		clock.Add(2 * time.Minute)
		res := zone.read("12C45678", 0.9)
		if res.Effect != device.EffectDecide || len(res.Commands) != 1 {
			t.Fatalf("called truck at the zone: %+v", res)
		}
		c := res.Commands[0]
		if c.Device != bar.id || c.Action != device.Open || c.TripID != tr.ID || c.State != device.CommandSent || c.Manual || c.Actor != "operator:device:hn-zone" {
			t.Fatalf("command %+v", c)
		}
		sent := out.take(topic)
		if len(sent) != 1 {
			t.Fatalf("the barrier was sent %d messages, want 1", len(sent))
		}
		if err := device.CheckSignature(bar.secret, sent[0], clock.Now()); err != nil {
			t.Fatalf("the command is not signed with the barrier's secret: %v", err)
		}
		if err := device.CheckSignature(zone.secret, sent[0], clock.Now()); err == nil {
			t.Fatal("the command verifies under another device's secret")
		}
		if want := fmt.Sprintf(`"id":%q,"action":"open"`, c.ID); !strings.Contains(string(sent[0].Body), want) {
			t.Errorf("command body %s lacks %s", sent[0].Body, want)
		}

		// The answer: recorded once; the same again changes nothing; a
		// different one is a conflict; a camera cannot answer.
		clock.Add(time.Second)
		got, err := bar.ack(c.ID, device.CommandDone, "")
		if err != nil || got.State != device.CommandDone || got.AckedAt == nil {
			t.Fatalf("ack: %+v %v", got, err)
		}
		clock.Add(time.Second)
		if got, err := bar.ack(c.ID, device.CommandDone, ""); err != nil || got.State != device.CommandDone {
			t.Errorf("the same ack again: %+v %v", got, err)
		}
		clock.Add(time.Second)
		_, err = bar.ack(c.ID, device.CommandFailed, "jammed")
		wantCode(t, err, cuakhau.ECONFLICT)
		_, err = zone.ack(c.ID, device.CommandDone, "")
		wantCode(t, err, cuakhau.EFORBIDDEN)
		_, err = bar.ack("nope", device.CommandDone, "")
		wantCode(t, err, cuakhau.ENOTFOUND)
		_, err = bar.ack(c.ID, "maybe", "")
		wantCode(t, err, cuakhau.EINVALID)
		if _, ok := cuakhau.ErrorFields(err)["state"]; !ok {
			t.Errorf("a bad state names no field: %v", err)
		}
		// A replayed answer is refused.
		body := fmt.Sprintf(`{"command":%q,"state":"done","at":%q}`, c.ID, clock.Now().Format(time.RFC3339))
		s := bar.signed(body)
		if _, err := db.Acknowledge(ctx, bar.id, s); err != nil {
			t.Fatal(err)
		}
		_, err = db.Acknowledge(ctx, bar.id, s)
		wantCode(t, err, cuakhau.EUNAUTHORIZED)

		// By hand: a reason is required; an operator of another gate, an
		// officer and a camera are refused.
		_, err = db.OperateBarrier(ctx, operator, bar.id, device.ManualCommand{Action: device.Close})
		wantCode(t, err, cuakhau.EINVALID)
		if _, ok := cuakhau.ErrorFields(err)["reason"]; !ok {
			t.Errorf("a missing reason names no field: %v", err)
		}
		_, err = db.OperateBarrier(ctx, operator, bar.id, device.ManualCommand{Action: "lift", Reason: "x"})
		wantCode(t, err, cuakhau.EINVALID)
		other := cuakhau.Principal{TokenID: "op-tt", Name: "op", Role: cuakhau.RoleOperator, Gate: "tan-thanh"}
		_, err = db.OperateBarrier(ctx, other, bar.id, device.ManualCommand{Action: device.Open, Reason: "x"})
		wantCode(t, err, cuakhau.EFORBIDDEN)
		_, err = db.OperateBarrier(ctx, customs, bar.id, device.ManualCommand{Action: device.Open, Reason: "x"})
		wantCode(t, err, cuakhau.EFORBIDDEN)
		_, err = db.OperateBarrier(ctx, operator, zone.id, device.ManualCommand{Action: device.Open, Reason: "x"})
		wantCode(t, err, cuakhau.ECONFLICT)
		m, err := db.OperateBarrier(ctx, operator, bar.id, device.ManualCommand{Action: device.Close, Reason: "a truck stopped under it"})
		if err != nil || !m.Manual || m.Actor != operator.Actor() || m.Reason != "a truck stopped under it" || m.Action != device.Close {
			t.Fatalf("manual close: %+v %v", m, err)
		}
		if got := out.take(topic); len(got) != 1 {
			t.Fatalf("the manual close was sent %d times", len(got))
		}
		// The gate's log accounts for it: who, why and what, once, and
		// refusals above left no entry.
		var actor, note, data string
		if err := db.QueryRowRaw(ctx, `SELECT actor, note, data FROM events WHERE gate = 'huu-nghi' AND type = 'barrier' AND length(trip_id) = 0`, &actor, &note, &data); err != nil {
			t.Fatalf("the manual close's log entry: %v", err)
		}
		if actor != operator.Actor() || note != "a truck stopped under it" ||
			!strings.Contains(data, `"command":"`+m.ID+`"`) || !strings.Contains(data, `"action":"close"`) || !strings.Contains(data, `"device":"`+bar.id+`"`) {
			t.Errorf("the log entry: actor %q note %q data %s", actor, note, data)
		}
		if n := count(t, db, `SELECT count(*) FROM events WHERE type = 'barrier'`); n != 1 {
			t.Errorf("%d barrier entries after one manual command and five refused, want 1", n)
		}
		wantWhole(t, db)

		// Left unanswered past the timeout: unacked, and an alert.
		if as, err := db.SweepUnacked(ctx, device.AckTimeout); err != nil || len(as) != 0 {
			t.Fatalf("sweep before the timeout: %v %v", as, err)
		}
		clock.Add(device.AckTimeout + time.Second)
		as, err := db.SweepUnacked(ctx, device.AckTimeout)
		if err != nil || len(as) != 1 || as[0].Kind != device.AlertBarrierNoAck || as[0].Device != bar.id {
			t.Fatalf("sweep after the timeout: %v %v", as, err)
		}
		if as, _ := db.SweepUnacked(ctx, device.AckTimeout); len(as) != 0 {
			t.Errorf("a second sweep raised %d alerts again", len(as))
		}
		// A late answer is still taken; a failure alerts.
		clock.Add(time.Second)
		if got, err := bar.ack(m.ID, device.CommandFailed, "obstacle"); err != nil || got.State != device.CommandFailed || got.Note != "obstacle" {
			t.Fatalf("late failed ack: %+v %v", got, err)
		}
		alerts, err := db.Alerts(ctx, operator, "huu-nghi", 0)
		if err != nil || len(alerts) < 3 || alerts[0].Kind != device.AlertBarrierNoAck || !strings.Contains(alerts[0].Message, "obstacle") {
			t.Fatalf("alerts: %v %v", alerts, err)
		}

		cmds, err := db.BarrierCommands(ctx, operator, "", bar.id, 0)
		if err != nil || len(cmds) != 2 || cmds[0].ID != m.ID || cmds[0].State != device.CommandFailed || cmds[1].ID != c.ID || cmds[1].State != device.CommandDone {
			t.Fatalf("commands: %+v %v", cmds, err)
		}
		if _, err := db.BarrierCommands(ctx, other, "", bar.id, 0); cuakhau.ErrorCode(err) != cuakhau.EFORBIDDEN {
			t.Errorf("another gate's operator lists the barrier: %v", err)
		}
		wantWhole(t, db)
	})
}

// TestBarrierShutForHold: a weighing that holds the truck opens nothing;
// the pass after the release opens the barrier after the weighbridge.
func TestBarrierShutForHold(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		out := &sunk{msgs: map[string][]device.Signed{}}
		db.SetCommandSink(out.sink)
		yard := addDevice(t, db, clock, "hn-yard", device.KindANPR, device.PositionYardIn)
		zone := addDevice(t, db, clock, "hn-zone", device.KindANPR, device.PositionZoneIn)
		wcam := addDevice(t, db, clock, "hn-wcam", device.KindANPR, device.PositionWeighing)
		wb := addDevice(t, db, clock, "hn-wb", device.KindWeighbridge, device.PositionWeighing)
		bar := addDevice(t, db, clock, "hn-wb-bar", device.KindBarrier, device.PositionWeighing)
		tr := declare(t, db, company, withPlate(durian(), "12C45678"))
		yard.read("12C45678", 0.9)
		if _, err := db.Call(ctx, operator, "huu-nghi", cuakhau.CallRequest{TripID: tr.ID, Reason: "test"}); err != nil {
			t.Fatal(err)
		}
		clock.Add(2 * time.Minute)
		zone.read("12C45678", 0.9)
		wcam.read("12C45678", 0.9)
		// Overweight: held, the barrier after the weighbridge stays shut.
		if res := wb.weigh(48_500); res.Status != cuakhau.StatusHeld || len(res.Commands) != 0 {
			t.Fatalf("overweight: %+v", res)
		}
		decide(t, db, operator, tr.ID, cuakhau.Decision{Checkpoint: "weighbridge", Outcome: cuakhau.OutcomeRelease})
		clock.Add(time.Minute)
		res := wb.weigh(33_500)
		if res.Event == nil || res.Event.Outcome != cuakhau.OutcomePass || len(res.Commands) != 1 || res.Commands[0].Device != bar.id {
			t.Fatalf("weighed within tolerance: %+v", res)
		}
		if n := count(t, db, `SELECT count(*) FROM barrier_commands`); n != 1 {
			t.Errorf("%d commands recorded, want 1", n)
		}
		if got := out.take(device.Topic("huu-nghi", bar.id, device.TopicCommands)); len(got) != 1 {
			t.Errorf("%d sent, want 1", len(got))
		}
	})
}
