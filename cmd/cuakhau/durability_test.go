package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds cuakhau once per test run, so that tests can start it as a
// separate process and kill it.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "cuakhau-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "cuakhau")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func cli(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(binary(t), args...).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("cuakhau %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return strings.TrimSpace(string(out))
}

// startServer starts `cuakhau serve` on addr and waits until it is ready.
func startServer(t *testing.T, dsn, addr string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(binary(t), "serve", "--db", dsn, "--addr", addr, "--log-level", "error")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	if err := waitReady(context.Background(), "http://"+addr); err != nil {
		t.Fatal(err)
	}
	return cmd
}

type request struct {
	key, path string
	token     string
	body      []byte
}

type ack struct {
	trip, checkpoint string
}

// TestKillDuringLoad SIGKILLs the server while 16 clients declare trips and
// post checkpoint decisions, restarts it, and checks that every request that
// got a 2xx is stored exactly once, that retrying the requests in flight at
// the kill with their idempotency keys applies none of them twice, and that
// the log still verifies.
func TestKillDuringLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills server processes")
	}
	stores := map[string]func(t *testing.T) string{
		"sqlite": func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "cuakhau.db") },
		"postgres": func(t *testing.T) string {
			// The log key has no default place beside a PostgreSQL database.
			t.Setenv("CUAKHAU_LOG_KEY", filepath.Join(t.TempDir(), "log-key"))
			return pgtest.DSN(t)
		},
	}
	for name, dsnOf := range stores {
		t.Run(name, func(t *testing.T) {
			dsn := dsnOf(t)
			cli(t, "migrate", "--db", dsn)
			admin := cli(t, "token", "create", "--role", "admin", "--db", dsn)
			company := cli(t, "token", "create", "--role", "enterprise", "--enterprise", "0100109106", "--db", dsn)
			addr, err := freeAddr()
			if err != nil {
				t.Fatal(err)
			}
			srv := startServer(t, dsn, addr)
			base := "http://" + addr

			var (
				mu       sync.Mutex
				acked    []ack
				trips    = map[string]bool{}
				inflight []request
				total    atomic.Int64
			)
			client := newClient()
			var wg sync.WaitGroup
			for c := range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for n := 0; ; n++ {
						decl := request{key: fmt.Sprintf("c%d-t%d", c, n), path: "/api/v1/trips", token: company,
							body: fmt.Appendf(nil, declarationJSON, c%100, n%100)}
						var trip struct{ ID string }
						if err := send(client, base, decl, &trip); err != nil {
							mu.Lock()
							inflight = append(inflight, decl)
							mu.Unlock()
							return
						}
						mu.Lock()
						trips[trip.ID] = true
						mu.Unlock()
						total.Add(1)
						for _, cp := range []string{"entry", "medical", "customs", "quarantine", "border_guard", "fee", "exit"} {
							body := fmt.Sprintf(`{"checkpoint":%q,"outcome":"pass"}`, cp)
							if cp == "customs" {
								body = `{"checkpoint":"customs","outcome":"pass","channel":"green"}`
							}
							r := request{key: trip.ID + "/" + cp, path: "/api/v1/trips/" + trip.ID + "/events", token: admin, body: []byte(body)}
							if err := send(client, base, r, nil); err != nil {
								mu.Lock()
								inflight = append(inflight, r)
								mu.Unlock()
								return
							}
							mu.Lock()
							acked = append(acked, ack{trip.ID, cp})
							mu.Unlock()
							total.Add(1)
						}
					}
				}()
			}
			// Let the load build up, then pull the plug.
			deadline := time.Now().Add(20 * time.Second)
			for total.Load() < 400 && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if err := srv.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			srv.Wait()
			wg.Wait()
			if len(acked) < 100 {
				t.Fatalf("only %d decisions acknowledged before the kill; the test needs load", len(acked))
			}

			startServer(t, dsn, addr)
			// Retrying what was in flight, with the same keys, must succeed: it
			// applies now, or replays the first answer if it had committed
			// before the kill; a second retry gets the same answer.
			for _, r := range inflight {
				var first, second json.RawMessage
				if err := send(client, base, r, &first); err != nil {
					t.Errorf("retry %s %s: %v", r.path, r.key, err)
				}
				if err := send(client, base, r, &second); err != nil {
					t.Errorf("second retry %s %s: %v", r.path, r.key, err)
				} else if !bytes.Equal(first, second) {
					t.Errorf("retry %s %s answered differently the second time:\n%s\n%s", r.path, r.key, first, second)
				}
			}
			want := map[string]map[string]int{}
			for _, a := range acked {
				if want[a.trip] == nil {
					want[a.trip] = map[string]int{}
				}
				want[a.trip][a.checkpoint]++
			}
			for id := range trips {
				var got struct {
					Events []struct {
						Type       string `json:"type"`
						Checkpoint string `json:"checkpoint"`
					} `json:"events"`
				}
				if err := get(client, base+"/api/v1/trips/"+id+"/events", admin, &got); err != nil {
					t.Fatalf("trip %s acknowledged but not readable after restart: %v", id, err)
				}
				seen := map[string]int{}
				for _, e := range got.Events {
					seen[e.Type+"/"+e.Checkpoint]++
				}
				if seen["declared/"] != 1 {
					t.Errorf("trip %s: %d declared events, want 1", id, seen["declared/"])
				}
				for cp := range want[id] {
					if n := seen["decision/"+cp]; n != 1 {
						t.Errorf("trip %s: acknowledged %s decision stored %d times, want 1", id, cp, n)
					}
				}
				for k, n := range seen {
					if n > 1 {
						t.Errorf("trip %s: %s stored %d times", id, k, n)
					}
				}
			}
			out, err := exec.Command(binary(t), "verify", "--db", dsn).CombinedOutput()
			if err != nil {
				t.Fatalf("verify after the kill: %v\n%s", err, out)
			}
			t.Logf("%d trips, %d decisions acknowledged before SIGKILL; %d requests in flight retried", len(trips), len(acked), len(inflight))
		})
	}
}

const declarationJSON = `{"gate":"huu-nghi","direction":"export",
 "vehicle":{"plate":"12C-%03d.%02d","country":"VN"},
 "driver":{"name":"Nguyễn Văn A","id_number":"020123456789"},
 "enterprise":{"tax_code":"0100109106","name":"Công ty TNHH Nông sản Xứ Lạng"},
 "cargo":[{"hs_code":"0810.60","description":"Sầu riêng tươi","packages":1200,
           "gross_kg":18000,"value_usd_cents":5400000,"perishable":true,"shelf_life_hours":240}],
 "customs_declarations":["304001234520"]}`

func newClient() *http.Client { return &http.Client{Timeout: 10 * time.Second} }

// serveWithAdmin makes an admin token on the migrated store dsn and starts
// `cuakhau serve` on it at a free address.
func serveWithAdmin(t *testing.T, dsn string) (admin, addr string, srv *exec.Cmd) {
	t.Helper()
	admin = cli(t, "token", "create", "--role", "admin", "--db", dsn)
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	return admin, addr, startServer(t, dsn, addr)
}

// declareTrips declares n trips through the server at addr (plates
// 12C-123.45, 12C-123.46, …) and returns their ids in order.
func declareTrips(t *testing.T, client *http.Client, addr, admin string, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		var trip struct{ ID string }
		r := request{key: "k" + string(rune('a'+i)), path: "/api/v1/trips", token: admin, body: []byte(strings.Replace(declarationJSON, "%03d.%02d", "123.4"+string(rune('5'+i)), 1))}
		if err := send(client, "http://"+addr, r, &trip); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, trip.ID)
	}
	return ids
}

// fetchCheckpoint is the latest signed checkpoint of gate's log, from the
// server at addr.
func fetchCheckpoint(t *testing.T, client *http.Client, addr, gate string) []byte {
	t.Helper()
	resp, err := client.Get("http://" + addr + "/api/v1/log/" + gate + "/checkpoint")
	if err != nil {
		t.Fatal(err)
	}
	cp, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("checkpoint of %s: %d %v", gate, resp.StatusCode, err)
	}
	return cp
}

func send(client *http.Client, base string, r request, out any) error {
	req, err := http.NewRequest(http.MethodPost, base+r.path, bytes.NewReader(r.body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+r.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", r.key)
	return do(client, req, out)
}

func get(client *http.Client, url, token string, out any) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return do(client, req, out)
}

func do(client *http.Client, req *http.Request, out any) error {
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
		return fmt.Errorf("%d: %s", resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}
