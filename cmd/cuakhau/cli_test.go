package main

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
)

func TestServeRefusesPendingMigrations(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "new.db")
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(binary(t), "serve", "--db", dsn, "--addr", addr).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "pending") || !strings.Contains(string(out), "cuakhau migrate") {
		t.Fatalf("serve on an unmigrated database: err %v, output %q; want a refusal naming the pending migrations", err, out)
	}
}

func TestTokenCreatePrintsTokenAlone(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "t.db")
	cli(t, "migrate", "--db", dsn)
	tok := cli(t, "token", "create", "--role", "customs", "--gate", "huu-nghi", "--db", dsn)
	if !strings.HasPrefix(tok, "ck_") || strings.ContainsAny(tok, " \n") {
		t.Errorf("token create printed %q, want the token alone", tok)
	}
	for _, args := range [][]string{
		{"token", "create", "--role", "pilot", "--db", dsn},
		{"token", "create", "--role", "enterprise", "--db", dsn},
		{"token", "create", "--role", "enterprise", "--enterprise", "0100109107", "--db", dsn},
	} {
		out, err := exec.Command(binary(t), args...).CombinedOutput()
		if err == nil {
			t.Errorf("cuakhau %s succeeded with %q, want a refusal", strings.Join(args, " "), out)
		}
	}
}

// TestTokenListAndRevoke: list shows every token and no secret; a revoked
// token is marked so and no longer authenticates; an unknown id is refused.
func TestTokenListAndRevoke(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "t.db")
	cli(t, "migrate", "--db", dsn)
	customs := cli(t, "token", "create", "--role", "customs", "--name", "Hải quan Hữu Nghị", "--db", dsn)
	admin := cli(t, "token", "create", "--role", "admin", "--db", dsn)

	list := cli(t, "token", "list", "--db", dsn)
	if strings.Contains(list, customs) || strings.Contains(list, admin) {
		t.Fatalf("token list shows a secret:\n%s", list)
	}
	var id string
	for _, line := range strings.Split(list, "\n") {
		if strings.Contains(line, "Hải quan Hữu Nghị") {
			id = strings.Fields(line)[0]
		}
	}
	if id == "" || !strings.Contains(list, "admin") {
		t.Fatalf("token list does not show both tokens:\n%s", list)
	}

	if out := cli(t, "token", "revoke", "--db", dsn, id); !strings.Contains(out, "revoked token "+id) {
		t.Errorf("token revoke printed %q", out)
	}
	for _, line := range strings.Split(cli(t, "token", "list", "--db", dsn), "\n") {
		if strings.HasPrefix(line, id) && strings.Fields(line)[5] == "-" {
			t.Errorf("the revoked token is listed as not revoked: %q", line)
		}
	}
	if out, err := exec.Command(binary(t), "token", "revoke", "--db", dsn, "0000").CombinedOutput(); err == nil || !strings.Contains(string(out), "no token") {
		t.Errorf("revoking an unknown id: %v, %q; want a refusal", err, out)
	}

	db, err := openDB(context.Background(), dsn, cuakhau.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Authenticate(context.Background(), customs); cuakhau.ErrorCode(err) != cuakhau.EUNAUTHORIZED {
		t.Errorf("the revoked token authenticates: %v", err)
	}
	if _, err := db.Authenticate(context.Background(), admin); err != nil {
		t.Errorf("the other token: %v", err)
	}
}

// TestVerifyFindsTampering changes a trip's stored row, then one stored
// event, behind the store's back and expects verify to name the row and
// field, then the event's gate and sequence number, and exit 1.
func TestVerifyFindsTampering(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v.db")
	dsn := "sqlite:" + path
	cli(t, "migrate", "--db", dsn)
	admin, addr, srv := serveWithAdmin(t, dsn)
	ids := declareTrips(t, newClient(), addr, admin, 3)
	trip := struct{ ID string }{ids[len(ids)-1]}
	srv.Process.Signal(syscall.SIGTERM)
	srv.Wait()
	if out := cli(t, "verify", "--db", dsn); !strings.Contains(out, "huu-nghi") || !strings.Contains(out, "projections: ok") {
		t.Fatalf("verify of an intact log printed %q", out)
	}
	db, err := sql.Open("sqlite", sqlstore.SQLiteDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	// A projection changed, the log intact: verify names the row and field.
	if _, err := db.Exec(`UPDATE trips SET status = 'crossed' WHERE id = ?`, trip.ID); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(binary(t), "verify", "--db", dsn).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("verify of a changed trip: %v, want exit status 1\n%s", err, out)
	}
	if want := "trips " + trip.ID + ": status is crossed, the log gives declared"; !strings.Contains(string(out), want) {
		t.Errorf("verify output %q does not say %q", out, want)
	}
	if _, err := db.Exec(`UPDATE events SET actor = 'admin:someone-else' WHERE gate = 'huu-nghi' AND seq = 2`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	out, err = exec.Command(binary(t), "verify", "--db", dsn).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("verify of a tampered log: %v, want exit status 1\n%s", err, out)
	}
	if !strings.Contains(string(out), "BROKEN at seq 2") {
		t.Errorf("verify output %q does not name seq 2", out)
	}
}

// TestDemoRunsAndResumes starts the demo, sees live traffic through the API
// and its barriers obeying the server, stops it with Ctrl-C (SIGINT), and
// starts it again: the same tokens work, the clock goes on from where it
// stopped, and traffic continues.
func TestDemoRunsAndResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo")
	}
	data := t.TempDir()
	// run waits for traffic: five trips past declared and more than after trips.
	run := func(after int) (trips int, clock time.Time) {
		addr, err := freeAddr()
		if err != nil {
			t.Fatal(err)
		}
		mqttAddr, err := freeAddr()
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(binary(t), "demo", "--data", data, "--addr", addr, "--mqtt-listen", mqttAddr, "--speed", "1200", "--log-level", "warn")
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Process.Kill()
		if err := waitReady(t.Context(), "http://"+addr); err != nil {
			t.Fatal(err)
		}
		tokens, err := os.ReadFile(filepath.Join(data, "tokens.txt"))
		if err != nil {
			t.Fatal(err)
		}
		admin := strings.Fields(strings.Split(string(tokens), "\n")[0])[1]
		client := newClient()
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			var list struct {
				Trips []struct{ Status string } `json:"trips"`
			}
			if err := get(client, "http://"+addr+"/api/v1/trips?limit=1000", admin, &list); err != nil {
				t.Fatal(err)
			}
			moved := 0
			for _, tr := range list.Trips {
				if tr.Status != "declared" {
					moved++
				}
			}
			if moved >= 5 && len(list.Trips) > after {
				trips = len(list.Trips)
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if trips == 0 {
			t.Fatal("no trip moved past declared within 60 s of demo traffic")
		}
		// The barrier at the control zone's entry opens for the called
		// trucks its camera lets in, and acknowledges over MQTT.
		acked := false
		for deadline := time.Now().Add(60 * time.Second); !acked && time.Now().Before(deadline); {
			var cmds struct {
				Commands []struct{ Action, State string } `json:"commands"`
			}
			if err := get(client, "http://"+addr+"/api/v1/devices/huu-nghi-zone_in-bar/commands?limit=50", admin, &cmds); err != nil {
				t.Fatal(err)
			}
			for _, c := range cmds.Commands {
				acked = acked || (c.Action == "open" && c.State == "done")
			}
			if !acked {
				time.Sleep(200 * time.Millisecond)
			}
		}
		if !acked {
			t.Error("no opening of huu-nghi's zone barrier was acknowledged within 60 s of demo traffic")
		}
		cmd.Process.Signal(syscall.SIGINT)
		if err := cmd.Wait(); err != nil {
			t.Fatalf("demo did not stop cleanly on Ctrl-C: %v; its log:\n%s", err, stderr.String())
		}
		if !strings.Contains(stdout.String(), admin) {
			t.Errorf("demo did not print the admin token; printed:\n%s", stdout.String())
		}
		b, err := os.ReadFile(filepath.Join(data, "demo-clock.txt"))
		if err != nil {
			t.Fatal(err)
		}
		clock, err = time.Parse(time.RFC3339Nano, strings.TrimSpace(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		return trips, clock
	}
	trips1, clock1 := run(0)
	trips2, clock2 := run(trips1)
	if !clock2.After(clock1) {
		t.Errorf("second run's clock %v is not after the first's %v", clock2, clock1)
	}
	if trips2 <= trips1 {
		t.Errorf("second run saw %d trips, first %d: traffic did not go on", trips2, trips1)
	}
	out := cli(t, "verify", "--db", "sqlite:"+filepath.Join(data, "cuakhau.db"))
	if strings.Contains(out, "BROKEN") {
		t.Errorf("verify after two demo runs:\n%s", out)
	}
}
