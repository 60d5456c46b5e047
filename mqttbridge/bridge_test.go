package mqttbridge_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/catalog"
	"github.com/cuakhau/cuakhau/device"
	"github.com/cuakhau/cuakhau/internal/pgtest"
	"github.com/cuakhau/cuakhau/mqttbridge"
	"github.com/cuakhau/cuakhau/sqlstore"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

var admin = cuakhau.Principal{TokenID: "adm", Name: "admin", Role: cuakhau.RoleAdmin}

type outcome struct {
	topic string
	res   *device.Result
	err   error
}

type rig struct {
	db     *sqlstore.DB
	reg    *prometheus.Registry
	broker *mqttbridge.Broker
	pub    paho.Client
	done   chan outcome
}

// newRig starts a migrated, seeded PostgreSQL store, an embedded broker
// feeding it, and a real MQTT client connected to the broker.
func newRig(t *testing.T) *rig {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, pgtest.DSN(t), cuakhau.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	gates, err := catalog.Gates()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Seed(ctx, gates); err != nil {
		t.Fatal(err)
	}
	r := &rig{db: db, reg: prometheus.NewRegistry(), done: make(chan outcome, 16)}
	b := mqttbridge.New(db, nil, r.reg)
	b.Done = func(topic string, _ []byte, res *device.Result, err error) { r.done <- outcome{topic, res, err} }
	r.broker, err = mqttbridge.Listen("127.0.0.1:0", b, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.broker.Close() })
	r.pub = paho.NewClient(paho.NewClientOptions().AddBroker("tcp://" + r.broker.Addr).SetClientID("test-camera"))
	if tok := r.pub.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("connect: %v", tok.Error())
	}
	t.Cleanup(func() { r.pub.Disconnect(0) })
	return r
}

// publish sends payload on topic and waits for the bridge to have taken it.
func (r *rig) publish(t *testing.T, topic string, payload []byte) outcome {
	t.Helper()
	if tok := r.pub.Publish(topic, 1, false, payload); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("publish: %v", tok.Error())
	}
	select {
	case o := <-r.done:
		return o
	case <-time.After(30 * time.Second):
		t.Fatalf("no outcome for %s", topic)
	}
	return outcome{}
}

func body(plate string) []byte {
	return fmt.Appendf(nil, `{"plate":%q,"confidence":0.93,"at":%q}`, plate, time.Now().UTC().Format(time.RFC3339))
}

// TestReadingsOverMQTT: a camera publishing a signed envelope on its
// readings topic checks its truck in, through the same Ingest as HTTP; a
// replay, a bad signature, a reading on another gate's topic, a malformed
// envelope and a malformed topic are refused and counted, the trip
// unchanged.
func TestReadingsOverMQTT(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	secret, _, err := r.db.AddDevice(ctx, admin, device.Device{ID: "hn-yard-1", Kind: device.KindANPR, Gate: "huu-nghi", Position: device.PositionYardIn})
	if err != nil {
		t.Fatal(err)
	}
	trip, err := r.db.DeclareTrip(ctx, cuakhau.Principal{TokenID: "e", Role: cuakhau.RoleEnterprise, TaxCode: "0100109106"}, cuakhau.Declaration{
		Gate: "huu-nghi", Direction: cuakhau.Export,
		Vehicle:    cuakhau.Vehicle{Plate: "12C45678"},
		Driver:     cuakhau.Driver{Name: "Nguyễn Văn A", IDNumber: "020123456789"},
		Enterprise: cuakhau.Enterprise{TaxCode: "0100109106", Name: "Công ty TNHH Nông sản Xứ Lạng"},
		Containers: []string{"csqu3054383"},
		Cargo: []cuakhau.CargoLine{{HSCode: "081060", Description: "Sầu riêng tươi", Packages: 1200,
			GrossKg: 18000, ValueUSDCents: 5400000, Perishable: true, ShelfLifeHours: 240}},
		CustomsDeclarations: []string{"304001234520"},
	})
	if err != nil {
		t.Fatal(err)
	}
	topic := device.Topic("huu-nghi", "hn-yard-1", device.TopicReadings)
	ts := time.Now().Unix()

	// Refusals first: none may check the truck in.
	other := device.Seal(secret, ts, body("12C45678"))
	for _, c := range []struct {
		name, topic string
		payload     []byte
		reason      string
	}{
		{"another gate's topic", device.Topic("tan-thanh", "hn-yard-1", device.TopicReadings), other, cuakhau.EFORBIDDEN},
		{"wrongly signed", topic, device.Seal("ckd_guess", ts, body("12C45678")), cuakhau.EUNAUTHORIZED},
		{"stale", topic, device.Seal(secret, ts-600, body("12C45678")), cuakhau.EUNAUTHORIZED},
		{"unknown device", device.Topic("huu-nghi", "hn-nobody", device.TopicReadings), other, cuakhau.ENOTFOUND},
		{"malformed envelope", topic, []byte(`{"timestamp":1}`), "envelope"},
		{"not JSON", topic, []byte(`plate 12C45678`), "envelope"},
		{"a plate reading as nothing", topic, device.Seal(secret, ts, body("!!")), cuakhau.EINVALID},
		{"malformed topic", "cuakhau/huu-nghi/HN YARD/readings", other, "topic"},
	} {
		o := r.publish(t, c.topic, c.payload)
		if o.err == nil {
			t.Errorf("%s: accepted: %+v", c.name, o.res)
			continue
		}
		if got := counted(t, r.reg, "refused_"+c.reason); got < 1 {
			t.Errorf("%s: %v; refused_%s counted %v", c.name, o.err, c.reason, got)
		}
	}
	if got, err := r.db.Trip(ctx, admin, trip.ID); err != nil || got.Status != trip.Status {
		t.Fatalf("after the refusals the trip is %v (%v), want %s", got.Status, err, trip.Status)
	}

	o := r.publish(t, topic, other)
	if o.err != nil || o.res.Effect != device.EffectArrive || o.res.TripID != trip.ID {
		t.Fatalf("the camera's reading: %+v, %v", o.res, o.err)
	}
	if got, _ := r.db.Trip(ctx, admin, trip.ID); got.Status != cuakhau.StatusArrived {
		t.Errorf("after the reading the trip is %s, want arrived", got.Status)
	}
	if o := r.publish(t, topic, other); o.err == nil || !strings.Contains(o.err.Error(), "replayed") {
		t.Errorf("the same envelope again: %+v, %v", o.res, o.err)
	}
	if got := counted(t, r.reg, "arrive"); got != 1 {
		t.Errorf("arrive counted %v, want 1", got)
	}
}

// counted is how many readings cuakhau_mqtt_readings_total counts with outcome.
func counted(t *testing.T, reg *prometheus.Registry, outcome string) float64 {
	t.Helper()
	return countedAs(t, reg, "cuakhau_mqtt_readings_total", outcome)
}

// countedAs is how many messages the counter name counts with outcome.
func countedAs(t *testing.T, reg *prometheus.Registry, name, outcome string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if m.GetLabel()[0].GetValue() == outcome {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// TestBarrierOverMQTT: a truck checked in by the yard camera opens the yard
// barrier: the command reaches the barrier on its commands topic signed
// with its secret, and its acknowledgement on its acks topic is recorded;
// a wrongly signed acknowledgement is refused and counted.
func TestBarrierOverMQTT(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	out := mqttbridge.NewOutbox(r.broker.Publish, nil)
	r.db.SetCommandSink(out.Send)
	t.Cleanup(func() { r.db.SetCommandSink(nil); out.Close() })
	camSecret, _, err := r.db.AddDevice(ctx, admin, device.Device{ID: "hn-yard-1", Kind: device.KindANPR, Gate: "huu-nghi", Position: device.PositionYardIn})
	if err != nil {
		t.Fatal(err)
	}
	barSecret, _, err := r.db.AddDevice(ctx, admin, device.Device{ID: "hn-yard-bar", Kind: device.KindBarrier, Gate: "huu-nghi", Position: device.PositionYardIn})
	if err != nil {
		t.Fatal(err)
	}
	commands := make(chan []byte, 4)
	cmdTopic := device.Topic("huu-nghi", "hn-yard-bar", device.TopicCommands)
	if tok := r.pub.Subscribe(cmdTopic, 1, func(_ paho.Client, m paho.Message) { commands <- m.Payload() }); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("subscribe: %v", tok.Error())
	}
	trip, err := r.db.DeclareTrip(ctx, cuakhau.Principal{TokenID: "e", Role: cuakhau.RoleEnterprise, TaxCode: "0100109106"}, cuakhau.Declaration{
		Gate: "huu-nghi", Direction: cuakhau.Export,
		Vehicle:    cuakhau.Vehicle{Plate: "12C45678"},
		Driver:     cuakhau.Driver{Name: "Nguyễn Văn A", IDNumber: "020123456789"},
		Enterprise: cuakhau.Enterprise{TaxCode: "0100109106", Name: "Công ty TNHH Nông sản Xứ Lạng"},
		Containers: []string{"csqu3054383"},
		Cargo: []cuakhau.CargoLine{{HSCode: "081060", Description: "Sầu riêng tươi", Packages: 1200,
			GrossKg: 18000, ValueUSDCents: 5400000, Perishable: true, ShelfLifeHours: 240}},
		CustomsDeclarations: []string{"304001234520"},
	})
	if err != nil {
		t.Fatal(err)
	}
	o := r.publish(t, device.Topic("huu-nghi", "hn-yard-1", device.TopicReadings), device.Seal(camSecret, time.Now().Unix(), body("12C45678")))
	if o.err != nil || o.res.Effect != device.EffectArrive || len(o.res.Commands) != 1 {
		t.Fatalf("the camera's reading: %+v, %v", o.res, o.err)
	}
	var payload []byte
	select {
	case payload = <-commands:
	case <-time.After(30 * time.Second):
		t.Fatal("the barrier got no command")
	}
	s, err := device.ParseEnvelope("huu-nghi", payload)
	if err != nil {
		t.Fatal(err)
	}
	if err := device.CheckSignature(barSecret, s, time.Now()); err != nil {
		t.Fatalf("the command does not verify under the barrier's secret: %v", err)
	}
	if !strings.Contains(string(s.Body), `"action":"open"`) || !strings.Contains(string(s.Body), trip.ID) {
		t.Errorf("command %s", s.Body)
	}
	id := o.res.Commands[0].ID
	ack := fmt.Appendf(nil, `{"command":%q,"state":"done","at":%q}`, id, time.Now().UTC().Format(time.RFC3339))
	ackTopic := device.Topic("huu-nghi", "hn-yard-bar", device.TopicAcks)
	if o := r.publish(t, ackTopic, device.Seal("ckd_guess", time.Now().Unix(), ack)); o.err == nil {
		t.Error("a wrongly signed ack was taken")
	}
	if o := r.publish(t, ackTopic, device.Seal(barSecret, time.Now().Unix(), ack)); o.err != nil {
		t.Fatalf("the barrier's ack: %v", o.err)
	}
	cmds, err := r.db.BarrierCommands(ctx, admin, "", "hn-yard-bar", 0)
	if err != nil || len(cmds) != 1 || cmds[0].State != device.CommandDone {
		t.Fatalf("commands after the ack: %+v %v", cmds, err)
	}
	if got := countedAs(t, r.reg, "cuakhau_mqtt_acks_total", "done"); got != 1 {
		t.Errorf("acks done counted %v, want 1", got)
	}
	if got := countedAs(t, r.reg, "cuakhau_mqtt_acks_total", "refused_unauthorized"); got != 1 {
		t.Errorf("acks refused_unauthorized counted %v, want 1", got)
	}
}
