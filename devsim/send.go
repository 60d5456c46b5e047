package devsim

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/cuakhau/cuakhau/device"
)

// HTTP posts readings to a server's /api/v1/devices/{id}/readings.
type HTTP struct {
	Server string // as http://localhost:8080
	Client *http.Client
}

// Send posts s as device d.
func (h HTTP) Send(ctx context.Context, _ string, d Device, s device.Signed) error {
	req, err := http.NewRequestWithContext(ctx, "POST", strings.TrimRight(h.Server, "/")+"/api/v1/devices/"+d.ID+"/readings", bytes.NewReader(s.Body))
	if err != nil {
		return err
	}
	req.Header.Set(device.HeaderTimestamp, s.Timestamp)
	req.Header.Set(device.HeaderSignature, s.Signature)
	req.Header.Set("Content-Type", "application/json")
	c := h.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("device %s: %d %s", d.ID, resp.StatusCode, bytes.TrimSpace(b))
	}
	return nil
}

// MQTT publishes readings as envelopes on cuakhau/{gate}/{device}/readings.
type MQTT struct {
	c paho.Client
}

// DialMQTT connects to the broker at url (tcp://host:1883) as clientID.
func DialMQTT(url, clientID string) (*MQTT, error) {
	c := paho.NewClient(paho.NewClientOptions().AddBroker(url).SetClientID(clientID).SetAutoReconnect(true))
	t := c.Connect()
	if !t.WaitTimeout(15 * time.Second) {
		return nil, fmt.Errorf("mqtt connect to %s: timed out", url)
	}
	if err := t.Error(); err != nil {
		return nil, fmt.Errorf("mqtt connect to %s: %w", url, err)
	}
	return &MQTT{c: c}, nil
}

// Send publishes s as device d with QoS 1 and waits for the broker's
// acknowledgement.
func (m *MQTT) Send(ctx context.Context, gate string, d Device, s device.Signed) error {
	payload := device.EnvelopeOf(s)
	t := m.c.Publish(device.Topic(gate, d.ID, device.TopicReadings), 1, false, payload)
	select {
	case <-t.Done():
		return t.Error()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close disconnects.
func (m *MQTT) Close() { m.c.Disconnect(250) }
