package mqttbridge

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// Client subscribes to the readings and acks topics of an existing broker and hands
// them to a Bridge, reconnecting (and subscribing again) when the broker
// goes away.
type Client struct {
	c paho.Client
}

// Dial connects to the broker at url (tcp://host:1883, ssl://host:8883,
// ws://…) as clientID and subscribes to every device's readings and every
// barrier's acknowledgements with QoS 1.
func Dial(url, clientID string, b *Bridge, log *slog.Logger) (*Client, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	handle := func(_ paho.Client, m paho.Message) {
		b.Handle(context.Background(), m.Topic(), m.Payload())
	}
	opts := paho.NewClientOptions().AddBroker(url).SetClientID(clientID).
		SetAutoReconnect(true).SetConnectRetry(false).SetCleanSession(true).
		SetOrderMatters(false). // readings from different devices are taken in parallel
		SetConnectTimeout(10 * time.Second).
		SetConnectionLostHandler(func(_ paho.Client, err error) {
			log.Warn("mqtt connection lost", "broker", url, "err", err)
		}).
		SetOnConnectHandler(func(c paho.Client) {
			t := c.SubscribeMultiple(map[string]byte{ReadingsFilter: 1, AcksFilter: 1}, handle)
			if t.WaitTimeout(10*time.Second) && t.Error() != nil {
				log.Error("mqtt subscribe", "broker", url, "err", t.Error())
				return
			}
			log.Info("mqtt subscribed", "broker", url, "filters", ReadingsFilter+" "+AcksFilter)
		})
	c := paho.NewClient(opts)
	t := c.Connect()
	if !t.WaitTimeout(15 * time.Second) {
		c.Disconnect(0)
		return nil, fmt.Errorf("mqtt connect to %s: timed out", url)
	}
	if err := t.Error(); err != nil {
		return nil, fmt.Errorf("mqtt connect to %s: %w", url, err)
	}
	return &Client{c: c}, nil
}

// Publish sends payload on topic with QoS 1.
func (k *Client) Publish(topic string, payload []byte) error {
	t := k.c.Publish(topic, 1, false, payload)
	if !t.WaitTimeout(10 * time.Second) {
		return fmt.Errorf("mqtt publish on %s: timed out", topic)
	}
	return t.Error()
}

// Subscribe calls fn with each message on the topics filter matches.
func (k *Client) Subscribe(filter string, fn func(topic string, payload []byte)) error {
	t := k.c.Subscribe(filter, 1, func(_ paho.Client, m paho.Message) { fn(m.Topic(), m.Payload()) })
	if !t.WaitTimeout(10 * time.Second) {
		return fmt.Errorf("mqtt subscribe to %s: timed out", filter)
	}
	return t.Error()
}

// Close disconnects, letting in-flight work end for up to a quarter second.
func (k *Client) Close() { k.c.Disconnect(250) }
