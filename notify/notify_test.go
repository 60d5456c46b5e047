package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/notify"
)

// memOutbox is an outbox in memory, on a fixed clock.
type memOutbox struct {
	mu        sync.Mutex
	clock     *cuakhau.FixedClock
	msgs      []*cuakhau.Notification
	next      map[string]time.Time
	delivered map[string]bool
}

func (o *memOutbox) DueNotifications(ctx context.Context, limit int) ([]*cuakhau.Notification, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []*cuakhau.Notification
	for _, m := range o.msgs {
		if !o.delivered[m.ID] && !o.next[m.ID].After(o.clock.Now()) {
			c := *m
			out = append(out, &c)
		}
	}
	return out, nil
}

func (o *memOutbox) MarkDelivered(ctx context.Context, ids ...string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, id := range ids {
		o.delivered[id] = true
	}
	return nil
}

func (o *memOutbox) MarkFailed(ctx context.Context, id string, next time.Time, reason string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.next[id] = next
	for _, m := range o.msgs {
		if m.ID == id {
			m.Attempts++
		}
	}
	return nil
}

// TestWebhookRetriesAndSigns runs a webhook on loopback that fails twice:
// the message arrives three times with the same id and a valid signature,
// retried only after the backoff, and is then delivered.
func TestWebhookRetriesAndSigns(t *testing.T) {
	secret := []byte("s3cret")
	var mu sync.Mutex
	var ids []string
	fails := 2
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if got, want := r.Header.Get(notify.HeaderSignature), notify.Sign(secret, body); got != want {
			t.Errorf("signature %q, want %q", got, want)
		}
		var n cuakhau.Notification
		if err := json.Unmarshal(body, &n); err != nil {
			t.Errorf("body: %v", err)
		}
		mu.Lock()
		defer mu.Unlock()
		ids = append(ids, r.Header.Get(notify.HeaderMessageID))
		if fails > 0 {
			fails--
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	clock := cuakhau.NewFixedClock(time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC))
	ob := &memOutbox{clock: clock, next: map[string]time.Time{}, delivered: map[string]bool{},
		msgs: []*cuakhau.Notification{{ID: "huu-nghi-7-called-t1", Kind: cuakhau.NotifyCalled, Gate: "huu-nghi", Text: "mời vào"}}}
	d := notify.NewDispatcher(ob, clock, time.Hour, nil, &notify.Webhook{URL: srv.URL, Secret: secret, Client: srv.Client()})
	d.Backoff = time.Minute
	ctx := context.Background()

	if del, fail := d.Round(ctx); del != 0 || fail != 1 {
		t.Fatalf("round 1: %d delivered, %d failed", del, fail)
	}
	if del, fail := d.Round(ctx); del != 0 || fail != 0 {
		t.Fatalf("round before the backoff: %d delivered, %d failed; want nothing tried", del, fail)
	}
	clock.Add(time.Minute)
	if _, fail := d.Round(ctx); fail != 1 {
		t.Fatalf("round 2: %d failed, want 1", fail)
	}
	clock.Add(time.Minute) // the backoff doubled: not yet
	if del, fail := d.Round(ctx); del+fail != 0 {
		t.Fatalf("round inside the doubled backoff tried %d", del+fail)
	}
	clock.Add(time.Minute)
	if del, _ := d.Round(ctx); del != 1 {
		t.Fatalf("round 3: %d delivered, want 1", del)
	}
	if del, fail := d.Round(ctx); del+fail != 0 {
		t.Errorf("a delivered message was sent again")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(ids) != 3 || ids[0] != ids[1] || ids[1] != ids[2] || ids[0] != "huu-nghi-7-called-t1" {
		t.Errorf("message ids %v, want the same stable id three times", ids)
	}
}

// TestDispatcherStartStop runs the loop on loopback until it delivers.
func TestDispatcherStartStop(t *testing.T) {
	got := make(chan string, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get(notify.HeaderMessageID)
	}))
	defer srv.Close()
	clock := cuakhau.NewFixedClock(time.Now())
	ob := &memOutbox{clock: clock, next: map[string]time.Time{}, delivered: map[string]bool{},
		msgs: []*cuakhau.Notification{{ID: "m1", Text: "x"}}}
	d := notify.NewDispatcher(ob, clock, 10*time.Millisecond, nil, &notify.Webhook{URL: srv.URL, Secret: []byte("k")})
	d.Start(context.Background())
	defer d.Stop()
	select {
	case id := <-got:
		if id != "m1" {
			t.Errorf("id %q", id)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("nothing delivered")
	}
}
