package main

import (
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/cuakhau/cuakhau/translog"
)

// verifyOut runs `cuakhau verify` and returns its output and exit status.
func verifyOut(t *testing.T, args ...string) (string, int) {
	t.Helper()
	out, err := exec.Command(binary(t), append([]string{"verify"}, args...)...).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}

// TestVerifyCheckpoints keeps a checkpoint fetched from a running server,
// then cuts the log's tail and mends its head so that the chain holds, and
// checks that `verify --checkpoint` reports it; forged and truncated
// checkpoints are refused. Each finding exits 1.
func TestVerifyCheckpoints(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.db")
	dsn := "sqlite:" + path
	if out := cli(t, "migrate", "--db", dsn); !strings.Contains(out, "made log key "+path+".log-key") {
		t.Errorf("migrate printed %q, want the key it made", out)
	}
	vkey := cli(t, "log", "key", "--db", dsn)
	if _, err := note.NewVerifier(vkey); err != nil || !strings.HasPrefix(vkey, "cuakhau.example+") {
		t.Fatalf("log key printed %q: %v", vkey, err)
	}
	admin, addr, srv := serveWithAdmin(t, dsn)
	client := newClient()
	declareTrips(t, client, addr, admin, 3)
	cp := fetchCheckpoint(t, client, addr, "huu-nghi")
	srv.Process.Signal(syscall.SIGTERM)
	srv.Wait()

	write := func(name string, b []byte) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	kept := write("kept", cp)
	if out, code := verifyOut(t, "--db", dsn, "--checkpoint", kept); code != 0 || !strings.Contains(out, "kept  huu-nghi  3     ok") {
		t.Fatalf("verify of a whole log against its checkpoint: exit %d\n%s", code, out)
	}
	// An auditor with the public key only.
	if out, code := verifyOut(t, "--db", dsn, "--log-key", filepath.Join(dir, "absent"), "--log-verifier", vkey, kept); code != 0 {
		t.Fatalf("verify with --log-verifier: exit %d\n%s", code, out)
	}

	skey, _ := translog.GenerateKey("cuakhau.example")
	s, _ := note.NewSigner(skey)
	text := string(cp[:strings.Index(string(cp), "\n\n")+1])
	forgedNote, err := note.Sign(&note.Note{Text: strings.Replace(text, "\n3\n", "\n4\n", 1)}, s)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ file, want string }{
		{write("forged", forgedNote), "refused: not signed by this log's key"},
		{write("truncated", []byte(text)), "refused: not a signed note: it has no signature block"},
	} {
		if out, code := verifyOut(t, "--db", dsn, "--checkpoint", tt.file); code != 1 || !strings.Contains(out, tt.want) {
			t.Errorf("verify --checkpoint %s: exit %d, want 1 and %q\n%s", filepath.Base(tt.file), code, tt.want, out)
		}
	}

	// Cut the last entry and mend the head and the tree: the chain holds.
	db, err := sql.Open("sqlite", sqlstore.SQLiteDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DELETE FROM events WHERE gate = 'huu-nghi' AND seq = 3`,
		`UPDATE log_heads SET seq = 2, hash = (SELECT lower(hex(hash)) FROM events WHERE gate = 'huu-nghi' AND seq = 2) WHERE gate = 'huu-nghi'`,
		`DELETE FROM log_hashes WHERE gate = 'huu-nghi' AND idx >= 3`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	// The chain holds; the tables, rebuilt from the shorter log, give the
	// cut away unless they were mended too, which only the checkpoint
	// catches whatever else was changed.
	if out, code := verifyOut(t, "--db", dsn); code != 1 || strings.Contains(out, "BROKEN") || !strings.Contains(out, "projections:") {
		t.Fatalf("after the cut the chain should hold and the tables differ: exit %d\n%s", code, out)
	}
	out, code := verifyOut(t, "--db", dsn, "--checkpoint", kept)
	if code != 1 || !strings.Contains(out, "BROKEN: the log has 2 entries but this checkpoint, signed by the log, has 3") {
		t.Errorf("verify of a cut log: exit %d\n%s", code, out)
	}
}

// TestServeNeedsLogKey: a server without its key refuses to start and
// says how to make one; PostgreSQL needs the key named.
func TestServeNeedsLogKey(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "k.db")
	cli(t, "migrate", "--db", dsn)
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(binary(t), "serve", "--db", dsn, "--addr", addr, "--log-key", filepath.Join(t.TempDir(), "none")).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "no log key at") || !strings.Contains(string(out), "cuakhau migrate") {
		t.Errorf("serve without its key: %v %q", err, out)
	}
	if _, err := logKeyPath("postgres://u@h/db", ""); err == nil || !strings.Contains(err.Error(), "--log-key") {
		t.Errorf("PostgreSQL without --log-key: %v", err)
	}
}
