// Package loadtest drives full trip lifecycles through the HTTP API with
// concurrent clients and measures acknowledged events per second and request
// latency, and measures the raw write rate of the database engine underneath,
// so that the API's cost shows as a ratio. `cuakhau bench` runs it.
package loadtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Config says where and how hard to drive.
type Config struct {
	BaseURL string
	// Tokens by role name: enterprise (bound to TaxCode), operator, medical,
	// customs, quarantine, border_guard.
	Tokens   map[string]string
	TaxCode  string
	Clients  int
	Warmup   time.Duration // requests during warm-up are not counted
	Duration time.Duration // measured time after warm-up
}

// Result is what a run measured.
type Result struct {
	Clients      int
	Events       int64 // acknowledged (2xx) events in the measured window
	Trips        int64 // lifecycles completed to crossed in the window
	Errors       int64
	Elapsed      time.Duration
	EventsPerSec float64
	P50, P99     time.Duration
	Max          time.Duration
}

// step is one request of a lifecycle: the role that makes it, the decision
// and its body, encoded once.
type step struct {
	role, checkpoint, channel string
	body                      []byte
}

// exportRoute is the Hữu Nghị export route of a durian truck: every
// checkpoint applies (quarantine too), the weighbridge is optional and skipped.
var exportRoute = []step{
	{"operator", "entry", "", nil}, {"medical", "medical", "", nil}, {"customs", "customs", "green", nil},
	{"quarantine", "quarantine", "", nil}, {"border_guard", "border_guard", "", nil},
	{"operator", "fee", "", nil}, {"operator", "exit", "", nil},
}

func init() {
	for i, s := range exportRoute {
		d := map[string]string{"checkpoint": s.checkpoint, "outcome": "pass"}
		if s.channel != "" {
			d["channel"] = s.channel
		}
		exportRoute[i].body, _ = json.Marshal(d)
	}
}

// Run drives cfg.Clients concurrent clients, each declaring trips and taking
// them through every checkpoint to crossed, until warm-up plus duration end.
func Run(ctx context.Context, cfg Config) (Result, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Clients * 2}, Timeout: 30 * time.Second}
	start := time.Now()
	measureFrom := start.Add(cfg.Warmup)
	end := measureFrom.Add(cfg.Duration)
	var (
		events, trips, errs atomic.Int64
		mu                  sync.Mutex
		lat                 []time.Duration
		firstErr            error
	)
	var wg sync.WaitGroup
	for c := range cfg.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for n := 0; time.Now().Before(end) && ctx.Err() == nil; n++ {
				err := lifecycle(ctx, client, cfg, c, n, func(d time.Duration, at time.Time) {
					if at.After(measureFrom) && at.Before(end) {
						events.Add(1)
						mine = append(mine, d)
					}
				})
				if err != nil {
					errs.Add(1)
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					continue
				}
				if now := time.Now(); now.After(measureFrom) && now.Before(end) {
					trips.Add(1)
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	r := Result{Clients: cfg.Clients, Events: events.Load(), Trips: trips.Load(), Errors: errs.Load(), Elapsed: cfg.Duration}
	r.EventsPerSec = float64(r.Events) / cfg.Duration.Seconds()
	if len(lat) > 0 {
		slices.Sort(lat)
		r.P50 = lat[len(lat)/2]
		r.P99 = lat[len(lat)*99/100]
		r.Max = lat[len(lat)-1]
	}
	if r.Events == 0 && firstErr != nil {
		return r, firstErr
	}
	return r, nil
}

// lifecycle declares one trip and takes it to crossed; done is called for
// each acknowledged request with its latency and completion time.
func lifecycle(ctx context.Context, client *http.Client, cfg Config, c, n int, done func(time.Duration, time.Time)) error {
	body := declaration(cfg.TaxCode, c, n)
	var trip struct {
		ID string `json:"id"`
	}
	if err := post(ctx, client, cfg.BaseURL+"/api/v1/trips", cfg.Tokens["enterprise"], body, &trip, done); err != nil {
		return fmt.Errorf("declare: %w", err)
	}
	for _, s := range exportRoute {
		if err := post(ctx, client, cfg.BaseURL+"/api/v1/trips/"+trip.ID+"/events", cfg.Tokens[s.role], s.body, nil, done); err != nil {
			return fmt.Errorf("%s: %w", s.checkpoint, err)
		}
	}
	return nil
}

func post(ctx context.Context, client *http.Client, url, token string, body []byte, out any, done func(time.Duration, time.Time)) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", newKey())
	t0 := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s: %s", resp.Status, b)
	}
	now := time.Now()
	done(now.Sub(t0), now)
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

func newKey() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// declaration is the body of a durian export declaration; the plate varies
// by client and trip so that the trips are distinct.
func declaration(taxCode string, c, n int) []byte {
	return fmt.Appendf(nil, `{"gate":"huu-nghi","direction":"export",
 "vehicle":{"plate":"12C-%03d.%02d","country":"VN"},
 "driver":{"name":"Nguyễn Văn A","id_number":"020123456789"},
 "enterprise":{"tax_code":%q,"name":"Công ty TNHH Nông sản Xứ Lạng"},
 "containers":["CSQU3054383"],
 "cargo":[{"hs_code":"0810.60","description":"Sầu riêng tươi","packages":1200,
           "gross_kg":18000,"value_usd_cents":5400000,"perishable":true,"shelf_life_hours":240}],
 "customs_declarations":["304001234520"]}`, c%1000, n%100, taxCode)
}
