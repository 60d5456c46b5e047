package mqttbridge

import (
	"log/slog"
	"sync"
)

// outboxSize bounds the commands waiting to be published: a gate's
// barriers get a few a minute, so a full outbox means the broker is gone.
const outboxSize = 1024

// Outbox publishes barrier commands in the background, in order, so that
// the write that gave a command never waits on the broker. A command that
// cannot be published (the outbox full, the broker refusing) is logged
// and dropped: it stays unacknowledged in the store, which alerts an
// operator.
type Outbox struct {
	publish func(topic string, payload []byte) error
	log     *slog.Logger
	ch      chan outMsg
	once    sync.Once
	done    chan struct{}
}

type outMsg struct {
	topic   string
	payload []byte
}

// NewOutbox starts publishing what it is sent with publish (a Broker's or
// a Client's Publish).
func NewOutbox(publish func(topic string, payload []byte) error, log *slog.Logger) *Outbox {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	o := &Outbox{publish: publish, log: log, ch: make(chan outMsg, outboxSize), done: make(chan struct{})}
	go o.run()
	return o
}

func (o *Outbox) run() {
	defer close(o.done)
	for m := range o.ch {
		if err := o.publish(m.topic, m.payload); err != nil {
			o.log.Warn("barrier command not published", "topic", m.topic, "err", err)
		}
	}
}

// Send queues payload for topic; it never blocks.
func (o *Outbox) Send(topic string, payload []byte) {
	select {
	case o.ch <- outMsg{topic, payload}:
	default:
		o.log.Warn("barrier command dropped: the outbox is full", "topic", topic)
	}
}

// Close publishes what is queued and stops. Send must not be called after.
func (o *Outbox) Close() {
	o.once.Do(func() { close(o.ch) })
	<-o.done
}
