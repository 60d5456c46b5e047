package devsim

import (
	"encoding/json"
	"fmt"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/cuakhau/cuakhau/device"
)

// BarrierStats counts what simulated barriers were sent and answered.
type BarrierStats struct {
	// Opened and Closed count the commands obeyed, Refused those that
	// did not verify under the barrier's secret (never obeyed, never
	// answered), Failed the answers that could not be published.
	Opened, Closed, Refused, Failed atomic.Int64
}

// Barrier plays barrier d of gate: it subscribes to the barrier's commands
// topic and obeys each command that verifies under its secret — as a real
// barrier must, for anyone may publish on a broker — answering it on its
// acks topic as done, signed and timed by now.
func (m *MQTT) Barrier(gate string, d Device, now func() time.Time, st *BarrierStats) error {
	acks := device.Topic(gate, d.ID, device.TopicAcks)
	obey := func(_ paho.Client, msg paho.Message) {
		at := now()
		s, err := device.ParseEnvelope(gate, msg.Payload())
		if err == nil {
			err = device.CheckSignature(d.Secret, s, at)
		}
		var c device.CommandBody
		if err == nil {
			err = json.Unmarshal(s.Body, &c)
		}
		if err != nil || c.ID == "" {
			st.Refused.Add(1)
			return
		}
		if c.Action == device.Close {
			st.Closed.Add(1)
		} else {
			st.Opened.Add(1)
		}
		body, _ := json.Marshal(device.Ack{Command: c.ID, State: device.CommandDone, At: at.Format(time.RFC3339Nano)})
		// Not waited for: this runs on the client's message goroutine.
		go func() {
			t := m.c.Publish(acks, 1, false, device.Seal(d.Secret, at.Unix(), body))
			if !t.WaitTimeout(10*time.Second) || t.Error() != nil {
				st.Failed.Add(1)
			}
		}()
	}
	t := m.c.Subscribe(device.Topic(gate, d.ID, device.TopicCommands), 1, obey)
	if !t.WaitTimeout(10 * time.Second) {
		return fmt.Errorf("barrier %s: subscribe timed out", d.ID)
	}
	return t.Error()
}
