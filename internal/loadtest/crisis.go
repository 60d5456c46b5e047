package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// CrisisConfig is a crisis day at one gate (Hữu Nghị): Waiting trucks
// declared, then checked in by Clients concurrent operators until they all
// wait, then Calls calls out of turn and Feeds reads of the public feed,
// one at a time, with every truck still waiting.
type CrisisConfig struct {
	BaseURL string
	// Tokens by role name: enterprise (bound to TaxCode) and operator.
	Tokens  map[string]string
	TaxCode string
	Clients int
	Waiting int
	Calls   int
	Feeds   int
}

// Block is the check-ins from the From-th to the To-th (in the order they
// were answered): their rate and latency.
type Block struct {
	From, To int
	PerSec   float64
	P50, P99 time.Duration
}

// CrisisResult is what a crisis run measured.
type CrisisResult struct {
	Waiting int
	// CheckInPerSec is all check-ins over the time they took; Blocks the
	// same per thousand, so that a slowdown as the queue grows shows.
	CheckInPerSec        float64
	CheckInP50           time.Duration
	CheckInP99           time.Duration
	Blocks               []Block
	CallP50, CallP99     time.Duration
	CallMax              time.Duration
	FeedP50, FeedP99     time.Duration
	FeedBytes            int
	DeclareTime, Elapsed time.Duration
}

// Crisis runs cfg. Any request that fails ends the run with its error.
func Crisis(ctx context.Context, cfg CrisisConfig) (CrisisResult, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Clients * 2}, Timeout: 60 * time.Second}
	res := CrisisResult{Waiting: cfg.Waiting}
	t0 := time.Now()
	ids := make([]string, cfg.Waiting)
	err := parallel(cfg.Clients, cfg.Waiting, func(i int) error {
		var trip struct {
			ID string `json:"id"`
		}
		if err := post(ctx, client, cfg.BaseURL+"/api/v1/trips", cfg.Tokens["enterprise"], declaration(cfg.TaxCode, i%1000, i/1000), &trip, nop); err != nil {
			return fmt.Errorf("declare %d: %w", i, err)
		}
		ids[i] = trip.ID
		return nil
	})
	if err != nil {
		return res, err
	}
	res.DeclareTime = time.Since(t0)

	// Check-ins, each timed, in the order they were answered.
	var mu sync.Mutex
	type done struct {
		at  time.Time
		lat time.Duration
	}
	var dones []done
	t1 := time.Now()
	err = parallel(cfg.Clients, cfg.Waiting, func(i int) error {
		return post(ctx, client, cfg.BaseURL+"/api/v1/trips/"+ids[i]+"/arrival", cfg.Tokens["operator"], []byte(`{}`), nil,
			func(d time.Duration, at time.Time) {
				mu.Lock()
				dones = append(dones, done{at, d})
				mu.Unlock()
			})
	})
	if err != nil {
		return res, err
	}
	slices.SortFunc(dones, func(a, b done) int { return a.at.Compare(b.at) })
	lats := make([]time.Duration, len(dones))
	for i, d := range dones {
		lats[i] = d.lat
	}
	res.CheckInPerSec = float64(len(dones)) / dones[len(dones)-1].at.Sub(t1).Seconds()
	res.CheckInP50, res.CheckInP99, _ = quantiles(lats)
	const block = 1000
	for from := 0; from < len(dones); from += block {
		to := min(from+block, len(dones))
		start := t1
		if from > 0 {
			start = dones[from-1].at
		}
		b := Block{From: from + 1, To: to, PerSec: float64(to-from) / dones[to-1].at.Sub(start).Seconds()}
		b.P50, b.P99, _ = quantiles(lats[from:to])
		res.Blocks = append(res.Blocks, b)
	}

	// Calls out of turn, newest arrivals first, one at a time: each is a
	// whole decision — the policy's choice recorded beside the override.
	var calls []time.Duration
	for i := range min(cfg.Calls, len(ids)) {
		id := ids[len(ids)-1-i]
		body, _ := json.Marshal(map[string]string{"trip_id": id, "reason": "benchmark"})
		if err := post(ctx, client, cfg.BaseURL+"/api/v1/gates/huu-nghi/call", cfg.Tokens["operator"], body, nil,
			func(d time.Duration, _ time.Time) { calls = append(calls, d) }); err != nil {
			return res, fmt.Errorf("call %s: %w", id, err)
		}
	}
	res.CallP50, res.CallP99, res.CallMax = quantiles(calls)

	var feeds []time.Duration
	for range cfg.Feeds {
		t := time.Now()
		n, err := get(ctx, client, cfg.BaseURL+"/api/v1/public/waits")
		if err != nil {
			return res, fmt.Errorf("public feed: %w", err)
		}
		feeds = append(feeds, time.Since(t))
		res.FeedBytes = n
	}
	res.FeedP50, res.FeedP99, _ = quantiles(feeds)
	res.Elapsed = time.Since(t0)
	return res, nil
}

func nop(time.Duration, time.Time) {}

// parallel runs fn(0) … fn(n−1) on k workers and returns the first error.
func parallel(k, n int, fn func(i int) error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for range k {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
					next.Store(int64(n))
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

func get(ctx context.Context, client *http.Client, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("%s: %s", resp.Status, b)
	}
	return len(b), nil
}

// quantiles returns the median, the 99th percentile and the maximum of ds.
func quantiles(ds []time.Duration) (p50, p99, maxD time.Duration) {
	if len(ds) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2], s[len(s)*99/100], s[len(s)-1]
}
