package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/cuakhau/cuakhau/internal/pgtest"
)

// TestBackupUnderLoad runs `cuakhau backup` while clients declare trips
// through a running server, then checks that the copy verifies — chain and
// projections — and serves every trip acknowledged before the backup began.
func TestBackupUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "live.db")
	cli(t, "migrate", "--db", dsn)
	admin, addr, srv := serveWithAdmin(t, dsn)
	client := newClient()
	var (
		mu    sync.Mutex
		acked []string
		stop  atomic.Bool
		wg    sync.WaitGroup
	)
	errs := make(chan error, 4)
	for c := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; !stop.Load(); n++ {
				var trip struct{ ID string }
				r := request{key: fmt.Sprintf("c%d-%d", c, n), path: "/api/v1/trips", token: admin, body: fmt.Appendf(nil, declarationJSON, c, n%100)}
				if err := send(client, "http://"+addr, r, &trip); err != nil {
					errs <- err
					return
				}
				mu.Lock()
				acked = append(acked, trip.ID)
				mu.Unlock()
			}
		}()
	}
	// Some trips first, then the backup while the clients go on.
	for n := 0; n < 50 && len(errs) == 0; {
		mu.Lock()
		n = len(acked)
		mu.Unlock()
	}
	mu.Lock()
	before := append([]string(nil), acked...)
	mu.Unlock()
	// A checkpoint kept before the backup: the copy must extend the log it
	// signed.
	kept := filepath.Join(dir, "kept-checkpoint")
	if err := os.WriteFile(kept, fetchCheckpoint(t, client, addr, "huu-nghi"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "copy.db")
	if msg := cli(t, "backup", "--db", dsn, "--out", out); !strings.Contains(msg, "backup written to "+out) {
		t.Errorf("backup printed %q", msg)
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("load during the backup: %v", err)
	}
	srv.Process.Signal(syscall.SIGTERM)
	srv.Wait()

	copyDSN := "sqlite:" + out
	if v := cli(t, "verify", "--db", copyDSN); !strings.Contains(v, "projections: ok") || strings.Contains(v, "BROKEN") {
		t.Fatalf("verify of the copy:\n%s", v)
	}
	if v, code := verifyOut(t, "--db", copyDSN, "--log-key", filepath.Join(dir, "live.db.log-key"), "--checkpoint", kept); code != 0 || strings.Contains(v, "BROKEN") || !keptOK(v, "kept-checkpoint") {
		t.Fatalf("verify of the copy against the checkpoint kept before it: exit %d\n%s", code, v)
	}
	addr2, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	// The log's key is kept outside the database, so not in the copy.
	t.Setenv("CUAKHAU_LOG_KEY", filepath.Join(dir, "live.db.log-key"))
	startServer(t, copyDSN, addr2)
	for _, id := range before {
		var trip struct{ ID, Status string }
		if err := get(client, "http://"+addr2+"/api/v1/trips/"+id, admin, &trip); err != nil || trip.ID != id {
			t.Fatalf("trip %s, acknowledged before the backup, from the copy: %+v, %v", id, trip, err)
		}
	}
	// A refused backup writes nothing: the file exists already.
	if b, err := exec.Command(binary(t), "backup", "--db", dsn, "--out", out).CombinedOutput(); err == nil || !strings.Contains(string(b), "out") {
		t.Errorf("backup over an existing file: %v, %q; want a refusal naming out", err, b)
	}
}

// TestBackupOfPostgresSaysPgDump: on PostgreSQL the command prints the
// pg_dump command (without the password) and writes nothing.
func TestBackupOfPostgresSaysPgDump(t *testing.T) {
	dsn := pgtest.DSN(t)
	t.Setenv("CUAKHAU_LOG_KEY", filepath.Join(t.TempDir(), "log-key"))
	cli(t, "migrate", "--db", dsn)
	out := filepath.Join(t.TempDir(), "pg.dump")
	b, err := exec.Command(binary(t), "backup", "--db", dsn, "--out", out).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("backup of PostgreSQL: %v, want exit status 1\n%s", err, b)
	}
	if !strings.Contains(string(b), "pg_dump --format=custom --file "+out) {
		t.Errorf("backup of PostgreSQL does not say how with pg_dump:\n%s", b)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("backup of PostgreSQL wrote %s", out)
	}
}

// keptOK reports whether verify's output has the line of the kept
// checkpoint file name, ending ok.
func keptOK(out, name string) bool {
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) >= 2 && filepath.Base(f[0]) == name && f[len(f)-1] == "ok" {
			return true
		}
	}
	return false
}
