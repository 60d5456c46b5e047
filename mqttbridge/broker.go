package mqttbridge

import (
	"context"
	"fmt"
	"log/slog"
	"net"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"
)

// maxWritesPending bounds the messages waiting to be written to one client.
const maxWritesPending = 256

// Broker is an embedded MQTT broker whose readings topics feed a Bridge.
// Any client may connect and publish: a reading is trusted for its
// signature, not for its connection (put the broker behind TLS or a
// private network as the devices' HTTP route is).
type Broker struct {
	srv  *mqtt.Server
	Addr string // the address listened on (port 0 resolved)
}

// Listen starts a broker on addr (host:port; port 0 picks one) handing the
// readings to b.
func Listen(addr string, b *Bridge, log *slog.Logger) (*Broker, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// The broker's own chatter (each connection) is debug-level.
	// A device is sent little (a barrier its commands): a short queue of
	// pending writes per client, where the default of 8,192 costs 64 KiB
	// a connection.
	caps := mqtt.NewDefaultServerCapabilities()
	caps.MaximumClientWritesPending = maxWritesPending
	srv := mqtt.New(&mqtt.Options{InlineClient: true, Capabilities: caps, Logger: log.With("component", "mqtt-broker")})
	if err := srv.AddHook(new(auth.AllowHook), nil); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("mqtt listen: %w", err)
	}
	tcp := listeners.NewNet("mqtt", ln)
	if err := srv.AddListener(tcp); err != nil {
		ln.Close()
		return nil, fmt.Errorf("mqtt listen: %w", err)
	}
	for i, filter := range []string{ReadingsFilter, AcksFilter} {
		err = srv.Subscribe(filter, 1+i, func(_ *mqtt.Client, _ packets.Subscription, pk packets.Packet) {
			b.Handle(context.Background(), pk.TopicName, pk.Payload)
		})
		if err != nil {
			srv.Close()
			return nil, err
		}
	}
	if err := srv.Serve(); err != nil {
		srv.Close()
		return nil, err
	}
	return &Broker{srv: srv, Addr: ln.Addr().String()}, nil
}

// Publish sends payload on topic to the broker's subscribers.
func (k *Broker) Publish(topic string, payload []byte) error {
	return k.srv.Publish(topic, payload, false, 1)
}

// Subscribe calls fn with each message on the topics filter matches.
func (k *Broker) Subscribe(filter string, id int, fn func(topic string, payload []byte)) error {
	return k.srv.Subscribe(filter, id, func(_ *mqtt.Client, _ packets.Subscription, pk packets.Packet) {
		fn(pk.TopicName, pk.Payload)
	})
}

// Clients is how many clients are connected (the inline client not counted).
func (k *Broker) Clients() int { return k.srv.Clients.Len() - 1 }

// Close disconnects every client and stops listening.
func (k *Broker) Close() error { return k.srv.Close() }
