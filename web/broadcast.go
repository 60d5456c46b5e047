package web

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"time"
)

// broadcaster renders a live part of a page once a tick, in every
// language, while anyone watches, and hands each watcher its language's
// rendering when it changed: a thousand open boards cost one read of the
// feed a tick, not a thousand.
type broadcaster struct {
	interval time.Duration
	render   func(context.Context) ([nLangs][]byte, error)
	logger   *slog.Logger

	mu      sync.Mutex
	subs    map[chan []byte]Lang
	last    [nLangs][]byte
	running bool
	closed  bool
	stop    chan struct{}
}

func newBroadcaster(interval time.Duration, render func(context.Context) ([nLangs][]byte, error), logger *slog.Logger) *broadcaster {
	return &broadcaster{interval: interval, render: render, logger: logger, subs: map[chan []byte]Lang{}, stop: make(chan struct{})}
}

// subscribe returns the channel of renderings in l (the last one first,
// when there is one) and the function that ends the subscription; false
// once the broadcaster is closed. A watcher that falls behind gets the
// newest rendering, never a queue of old ones.
func (b *broadcaster) subscribe(l Lang) (<-chan []byte, func(), bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, nil, false
	}
	ch := make(chan []byte, 1)
	b.subs[ch] = l
	if b.last[l] != nil {
		ch <- b.last[l]
	}
	if !b.running {
		b.running = true
		go b.loop()
	}
	return ch, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if _, ok := b.subs[ch]; ok {
			delete(b.subs, ch)
			close(ch)
		}
	}, true
}

// loop renders now and then every interval until no one watches or the
// broadcaster closes.
func (b *broadcaster) loop() {
	t := time.NewTicker(b.interval)
	defer t.Stop()
	for {
		b.tick()
		select {
		case <-b.stop:
			return
		case <-t.C:
		}
		b.mu.Lock()
		if len(b.subs) == 0 {
			b.running = false
			b.last = [nLangs][]byte{} // stale by the time anyone comes back
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()
	}
}

func (b *broadcaster) tick() {
	ctx, cancel := context.WithTimeout(context.Background(), max(b.interval, 5*time.Second))
	defer cancel()
	out, err := b.render(ctx)
	if err != nil {
		b.logger.Warn("live page render", "err", err)
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for l := range nLangs {
		if bytes.Equal(out[l], b.last[l]) {
			out[l] = nil
			continue
		}
		b.last[l] = out[l]
	}
	for ch, l := range b.subs {
		if out[l] == nil {
			continue
		}
		select { // replace what the watcher has not read yet
		case <-ch:
		default:
		}
		ch <- out[l]
	}
}

// close ends every subscription and the loop.
func (b *broadcaster) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	close(b.stop)
	for ch := range b.subs {
		delete(b.subs, ch)
		close(ch)
	}
}
