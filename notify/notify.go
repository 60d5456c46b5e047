// Package notify delivers the outbox's messages — called forward, booking
// moved or lost, inflow advisory — at least once, through channels: a
// webhook (HMAC-SHA256 signed, retried with backoff), the log (the default),
// and any SMS or Zalo gateway that implements Channel.
//
// At least once: a message is marked delivered only after every channel took
// it; a failure schedules a retry with exponential backoff. A receiver may
// therefore see a message twice and drops the duplicate by its stable ID
// (header X-Cuakhau-Message-Id on the webhook).
package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/cuakhau/cuakhau"
)

// Channel sends one message. An SMS or Zalo gateway is a Channel: it sends
// n.Text to n.Phone and returns an error when the gateway did not accept it.
type Channel interface {
	Name() string
	Send(ctx context.Context, n *cuakhau.Notification) error
}

// LogChannel writes each message to a logger; it is the default channel, so
// that a server without a gateway still shows whom it would have told.
type LogChannel struct{ Logger *slog.Logger }

// Name is "log".
func (LogChannel) Name() string { return "log" }

// Send logs n.
func (c LogChannel) Send(ctx context.Context, n *cuakhau.Notification) error {
	c.Logger.InfoContext(ctx, "notification", "id", n.ID, "kind", n.Kind, "gate", n.Gate, "trip_id", n.TripID, "text", n.Text)
	return nil
}

// Signature headers of the webhook.
const (
	HeaderSignature = "X-Cuakhau-Signature" // "sha256=" + hex HMAC-SHA256 of the body
	HeaderMessageID = "X-Cuakhau-Message-Id"
)

// Sign returns the signature header value of body under secret.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Webhook POSTs each message as JSON to URL, signed with Secret. Any answer
// other than 2xx is a failure, to be retried.
type Webhook struct {
	URL    string
	Secret []byte
	Client *http.Client
}

// Name is "webhook".
func (w *Webhook) Name() string { return "webhook" }

// Send posts n.
func (w *Webhook) Send(ctx context.Context, n *cuakhau.Notification) error {
	body, err := json.Marshal(n)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderMessageID, n.ID)
	req.Header.Set(HeaderSignature, Sign(w.Secret, body))
	c := w.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook: answered %d", resp.StatusCode)
	}
	return nil
}

// Dispatcher polls the outbox and delivers. Start it once; Stop on shutdown.
type Dispatcher struct {
	outbox   cuakhau.Outbox
	channels []Channel
	clock    cuakhau.Clock
	interval time.Duration
	logger   *slog.Logger
	// Backoff is the wait after the first failure, doubled after each
	// further one up to MaxBackoff.
	Backoff, MaxBackoff time.Duration

	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

// NewDispatcher returns a dispatcher over outbox that sends every message
// through each channel (a LogChannel when none), looking every interval of
// wall time. Retry times are read from clock, the store's.
func NewDispatcher(outbox cuakhau.Outbox, clock cuakhau.Clock, interval time.Duration, logger *slog.Logger, channels ...Channel) *Dispatcher {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if len(channels) == 0 {
		channels = []Channel{LogChannel{Logger: logger}}
	}
	if interval <= 0 {
		interval = time.Second
	}
	return &Dispatcher{outbox: outbox, channels: channels, clock: clock, interval: interval, logger: logger,
		Backoff: 10 * time.Second, MaxBackoff: time.Hour, done: make(chan struct{})}
}

// Start runs the dispatcher until ctx ends or Stop is called.
func (d *Dispatcher) Start(ctx context.Context) {
	d.once.Do(func() {
		ctx, d.cancel = context.WithCancel(ctx)
		go d.run(ctx)
	})
}

// Stop ends the dispatcher and waits for the round in progress.
func (d *Dispatcher) Stop() {
	if d.cancel == nil {
		return
	}
	d.cancel()
	<-d.done
}

func (d *Dispatcher) run(ctx context.Context) {
	defer close(d.done)
	t := time.NewTicker(d.interval)
	defer t.Stop()
	for {
		d.Round(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Round delivers the messages due now and returns how many were delivered
// and how many failed.
func (d *Dispatcher) Round(ctx context.Context) (delivered, failed int) {
	due, err := d.outbox.DueNotifications(ctx, 100)
	if err != nil {
		if ctx.Err() == nil {
			d.logger.Error("notify: read outbox", "err", err)
		}
		return 0, 0
	}
	for _, n := range due {
		var errs []error
		for _, c := range d.channels {
			if err := c.Send(ctx, n); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", c.Name(), err))
			}
		}
		if err := errors.Join(errs...); err != nil {
			failed++
			wait := d.backoff(n.Attempts)
			d.logger.Warn("notify: delivery failed", "id", n.ID, "attempt", n.Attempts+1, "retry_in", wait, "err", err)
			if err := d.outbox.MarkFailed(ctx, n.ID, d.clock.Now().Add(wait), err.Error()); err != nil && ctx.Err() == nil {
				d.logger.Error("notify: mark failed", "id", n.ID, "err", err)
			}
			continue
		}
		if err := d.outbox.MarkDelivered(ctx, n.ID); err != nil {
			// Sent but not marked: it will be sent again, which at least
			// once allows.
			if ctx.Err() == nil {
				d.logger.Error("notify: mark delivered", "id", n.ID, "err", err)
			}
			continue
		}
		delivered++
	}
	return delivered, failed
}

func (d *Dispatcher) backoff(attempts int) time.Duration {
	w := d.Backoff
	for i := 0; i < attempts && w < d.MaxBackoff; i++ {
		w *= 2
	}
	return min(w, d.MaxBackoff)
}
