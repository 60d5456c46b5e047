// Package mqttbridge carries the gate's devices over MQTT: their signed
// readings in, on cuakhau/{gate}/{device}/readings, through the very Ingest
// the HTTP route calls; barrier commands out, on
// cuakhau/{gate}/{device}/commands. It runs an embedded broker (Broker, for
// the single-binary set-up) or subscribes to an existing one (Client).
//
// A refused message has no one to answer over MQTT: it is logged and
// counted by reason, and changes nothing.
package mqttbridge

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/device"
)

// Ingester takes a device's signed reading and a barrier's signed
// acknowledgement of a command (sqlstore.DB is one; these are the HTTP
// routes' DeviceService.Ingest and Acknowledge).
type Ingester interface {
	Ingest(ctx context.Context, id string, s device.Signed) (*device.Result, error)
	Acknowledge(ctx context.Context, id string, s device.Signed) (*device.Command, error)
}

// ReadingsFilter subscribes to every device's readings, AcksFilter to
// every barrier's acknowledgements.
const (
	ReadingsFilter = device.TopicRoot + "/+/+/" + device.TopicReadings
	AcksFilter     = device.TopicRoot + "/+/+/" + device.TopicAcks
)

// Bridge turns MQTT messages into readings.
type Bridge struct {
	ingest   Ingester
	log      *slog.Logger
	messages *prometheus.CounterVec
	acks     *prometheus.CounterVec
	latency  prometheus.Histogram
	// Timeout bounds one reading's ingestion.
	Timeout time.Duration
	// Done, when set, is called after each message with what came of it.
	Done func(topic string, payload []byte, res *device.Result, err error)
}

// New returns a bridge to in, logging to log and counting in reg (nil: a
// registry of its own).
func New(in Ingester, log *slog.Logger, reg prometheus.Registerer) *Bridge {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &Bridge{ingest: in, log: log, Timeout: 10 * time.Second,
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cuakhau_mqtt_readings_total",
			Help: "MQTT messages on the readings topics, by outcome: arrive, decide, alert, none, duplicate, or refused_<reason> (topic, envelope, unauthorized, forbidden, not_found, invalid, unavailable, internal).",
		}, []string{"outcome"}),
		acks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cuakhau_mqtt_acks_total",
			Help: "MQTT messages on the barriers' acks topics, by outcome: done, failed, or refused_<reason>.",
		}, []string{"outcome"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "cuakhau_mqtt_reading_duration_seconds",
			Help:    "Time from an MQTT reading's receipt to its effect being stored.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}),
	}
	for i, c := range []prometheus.Collector{b.messages, b.acks, b.latency} {
		if err := reg.Register(c); err != nil {
			if are, ok := err.(prometheus.AlreadyRegisteredError); ok {
				switch e := are.ExistingCollector.(type) {
				case *prometheus.CounterVec:
					if i == 0 {
						b.messages = e
					} else {
						b.acks = e
					}
				case prometheus.Histogram:
					b.latency = e
				}
				continue
			}
			panic("mqttbridge: register metrics: " + err.Error())
		}
	}
	return b
}

// Handle takes one message published on topic: it checks the topic and
// the envelope, then ingests the reading as the HTTP route does, the
// topic's gate required to be the device's. A refusal is logged, counted
// and returned; it changes nothing.
func (b *Bridge) Handle(ctx context.Context, topic string, payload []byte) (res *device.Result, err error) {
	if b.Done != nil {
		defer func() { b.Done(topic, payload, res, err) }()
	}
	return b.handle(ctx, topic, payload)
}

func (b *Bridge) handle(ctx context.Context, topic string, payload []byte) (*device.Result, error) {
	start := time.Now()
	gate, id, kind, err := device.ParseTopic(topic)
	if err == nil && kind == device.TopicAcks {
		return nil, b.ack(ctx, gate, id, topic, payload)
	}
	if err == nil && kind != device.TopicReadings {
		err = cuakhau.Invalid("topic", "readings go on "+device.Topic(gate, id, device.TopicReadings))
	}
	if err != nil {
		return nil, b.refuse("topic", topic, err)
	}
	s, err := device.ParseEnvelope(gate, payload)
	if err != nil {
		return nil, b.refuse("envelope", topic, err)
	}
	ctx, cancel := context.WithTimeout(ctx, b.Timeout)
	defer cancel()
	res, err := b.ingest.Ingest(ctx, id, s)
	if err != nil {
		return nil, b.refuse(cuakhau.ErrorCode(err), topic, err)
	}
	b.latency.Observe(time.Since(start).Seconds())
	outcome := string(res.Effect)
	if res.Duplicate {
		outcome = "duplicate"
	}
	b.messages.WithLabelValues(outcome).Inc()
	if res.Alert != nil {
		b.log.Info("mqtt reading raised an alert", "topic", topic, "alert", res.Alert.Kind, "message", res.Alert.Message)
	}
	return res, nil
}

// ack takes a barrier's acknowledgement of a command.
func (b *Bridge) ack(ctx context.Context, gate, id, topic string, payload []byte) error {
	s, err := device.ParseEnvelope(gate, payload)
	if err != nil {
		b.acks.WithLabelValues("refused_envelope").Inc()
		return b.logRefusal("envelope", topic, err)
	}
	ctx, cancel := context.WithTimeout(ctx, b.Timeout)
	defer cancel()
	c, err := b.ingest.Acknowledge(ctx, id, s)
	if err != nil {
		reason := refusalReason(cuakhau.ErrorCode(err))
		b.acks.WithLabelValues("refused_" + reason).Inc()
		return b.logRefusal(reason, topic, err)
	}
	b.acks.WithLabelValues(c.State).Inc()
	if c.State == device.CommandFailed {
		b.log.Warn("barrier command failed", "device", c.Device, "action", c.Action, "note", c.Note)
	}
	return nil
}

func refusalReason(reason string) string {
	switch reason {
	case "topic", "envelope", cuakhau.EUNAUTHORIZED, cuakhau.EFORBIDDEN, cuakhau.ENOTFOUND, cuakhau.EINVALID, cuakhau.ECONFLICT, cuakhau.EUNAVAILABLE:
		return reason
	}
	return "internal"
}

func (b *Bridge) refuse(reason, topic string, err error) error {
	reason = refusalReason(reason)
	b.messages.WithLabelValues("refused_" + reason).Inc()
	return b.logRefusal(reason, topic, err)
}

func (b *Bridge) logRefusal(reason, topic string, err error) error {
	lvl := slog.LevelWarn
	if reason == "internal" || reason == cuakhau.EUNAVAILABLE {
		lvl = slog.LevelError
	}
	if len(topic) > 200 {
		topic = topic[:200] + "…"
	}
	b.log.Log(context.Background(), lvl, "mqtt message refused", "topic", topic, "reason", reason, "err", err)
	return err
}
