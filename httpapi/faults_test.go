package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/internal/pgtest"
)

// post sends a declaration with an Idempotency-Key through the
// contract-checking transport, from any goroutine: unlike do it reports a
// failure to send as an error rather than ending the test.
func (e *env) post(t *testing.T, key string) (int, http.Header, []byte, error) {
	req, err := http.NewRequest("POST", e.srv.URL+"/api/v1/trips", bytes.NewReader([]byte(exampleJSON)))
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.tokens["enterprise"])
	req.Header.Set("Idempotency-Key", key)
	client := &http.Client{Transport: contractTransport{t: t, next: e.srv.Client().Transport}}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, body, err
}

// readyStatus is /readyz's status; a 429 (the open routes' budget) is
// asked again.
func (e *env) readyStatus(t *testing.T) int {
	t.Helper()
	for {
		r := e.do(t, "GET", "/readyz", "", nil)
		if r.Status != http.StatusTooManyRequests {
			return r.Status
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// PostgreSQL stopped and restarted while clients declare trucks: each
// request is answered 201 or a clean 503 unavailable with Retry-After
// (never a 500), /readyz answers 503 while the server is down, and once it
// is back the same API, not restarted, takes writes again. A client that
// retries a 503 with the same Idempotency-Key ends up with exactly one
// trip: every trip acknowledged is stored, and no request is stored twice.
func TestPostgresRestartUnderLoad(t *testing.T) {
	cluster := pgtest.Private(t)
	ctx := context.Background()
	dsn, err := cluster.CreateDB(ctx, "faults")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvOn(t, dsn)

	const workers = 4
	var (
		stop     atomic.Bool
		answered atomic.Int64 // 201s
		refused  atomic.Int64 // 503s
		mu       sync.Mutex
		trips    = map[string]string{} // Idempotency-Key → trip id
	)
	var wg sync.WaitGroup
	var failed atomic.Int64 // workers that stopped on a wrong answer
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- func() (err error) {
				defer func() {
					if err != nil {
						failed.Add(1)
					}
				}()
				for k := 0; !stop.Load(); k++ {
					key := fmt.Sprintf("restart-w%d-k%d", w, k)
					// The same request until it is answered, as a client
					// that honours Retry-After does (without the wait,
					// to press the server).
					for {
						st, h, body, err := e.post(t, key)
						if err != nil {
							return fmt.Errorf("%s: %w", key, err)
						}
						if st == http.StatusCreated {
							var trip cuakhau.Trip
							if err := json.Unmarshal(body, &trip); err != nil {
								return fmt.Errorf("%s: %w", key, err)
							}
							mu.Lock()
							trips[key] = trip.ID
							mu.Unlock()
							answered.Add(1)
							break
						}
						var ae apiError
						if st != http.StatusServiceUnavailable || json.Unmarshal(body, &ae) != nil || ae.Error.Code != cuakhau.EUNAVAILABLE {
							return fmt.Errorf("%s: status %d %s, want 201 or 503 unavailable", key, st, body)
						}
						if h.Get("Retry-After") == "" {
							return fmt.Errorf("%s: 503 without Retry-After", key)
						}
						refused.Add(1)
						time.Sleep(20 * time.Millisecond)
					}
				}
				return nil
			}()
		}()
	}
	// finish stops the workers and reports their failures.
	finish := func() {
		t.Helper()
		stop.Store(true)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
	}
	// waitFor waits until cond holds; the bound only keeps a broken server
	// from hanging the test.
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(20 * time.Millisecond) {
			if n := failed.Load(); n > 0 || time.Now().After(deadline) {
				finish()
				t.Fatalf("waiting for %s: %d workers failed, or a minute passed", what, n)
			}
		}
	}

	waitFor("writes before the fault", func() bool { return answered.Load() >= 20 })
	if err := cluster.Halt(); err != nil {
		t.Fatal(err)
	}
	if st := e.readyStatus(t); st != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the server down: %d, want 503", st)
	}
	waitFor("503 while the server is down", func() bool { return refused.Load() >= 10 })
	// Reads are refused the same way.
	mu.Lock()
	var someTrip string
	for _, id := range trips {
		someTrip = id
		break
	}
	mu.Unlock()
	r := e.do(t, "GET", "/api/v1/trips/"+someTrip, "admin", nil)
	wantError(t, r, http.StatusServiceUnavailable, cuakhau.EUNAVAILABLE)
	if r.Header.Get("Retry-After") == "" {
		t.Errorf("GET a trip with the server down: 503 without Retry-After")
	}
	if err := cluster.Resume(); err != nil {
		t.Fatal(err)
	}
	waitFor("/readyz 200 after the server is back", func() bool { return e.readyStatus(t) == http.StatusOK })
	n := answered.Load()
	waitFor("writes after the server is back", func() bool { return answered.Load() >= n+20 })

	// A restart (pg_ctl restart -m fast) with the writes going on.
	n = answered.Load()
	if err := cluster.Restart(); err != nil {
		t.Fatal(err)
	}
	waitFor("writes after the restart", func() bool { return answered.Load() >= n+20 })
	finish()
	t.Logf("%d trips acknowledged, %d requests answered 503", answered.Load(), refused.Load())
	// Every fault was classified: none reached the log as an internal error.
	for _, line := range strings.Split(e.logs.String(), "\n") {
		if strings.Contains(line, `"msg":"internal error"`) {
			t.Errorf("logged: %s", line)
		}
	}

	stored := map[string]bool{}
	for _, id := range e.tripIDs(t) {
		stored[id] = true
	}
	for key, id := range trips {
		if !stored[id] {
			t.Errorf("trip %s (%s) was acknowledged but is not stored", id, key)
		}
	}
	if len(stored) != len(trips) {
		t.Errorf("%d trips stored, want %d: one per key answered 201", len(stored), len(trips))
	}
	reports, err := e.db.VerifyLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reports {
		if r.BrokenAt != 0 {
			t.Errorf("gate %s: chain broken at %d: %s", r.Gate, r.BrokenAt, r.Reason)
		}
	}
	diffs, err := e.db.VerifyProjections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Errorf("projection differs from the log: %s", d)
	}
}
