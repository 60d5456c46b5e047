package httpapi_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/cuakhau/cuakhau"
)

// clientCheckpoint is a checkpoint as a client reads it: the note's
// signature checked with the log's published verifier key, the body split
// into its three lines, without the server's code.
func clientCheckpoint(t *testing.T, e *env, msg []byte) (origin string, size int64, root tlog.Hash) {
	t.Helper()
	v, err := note.NewVerifier(e.tlog.VerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		t.Fatalf("open checkpoint %q: %v", msg, err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) != 4 || lines[3] != "" {
		t.Fatalf("checkpoint text %q: want three lines", n.Text)
	}
	size, err = strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		t.Fatalf("checkpoint size %q: %v", lines[1], err)
	}
	b, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(b) != len(root) {
		t.Fatalf("checkpoint root %q: %v", lines[2], err)
	}
	copy(root[:], b)
	return lines[0], size, root
}

func (e *env) checkpoint(t *testing.T, gate string) (int64, tlog.Hash) {
	t.Helper()
	r := e.do(t, "GET", "/api/v1/log/"+gate+"/checkpoint", "", nil)
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("checkpoint: %d %s: %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	origin, size, root := clientCheckpoint(t, e, r.Body)
	if origin != "cuakhau.example/"+gate {
		t.Errorf("origin %q", origin)
	}
	return size, root
}

type tripProof struct {
	Checkpoint string    `json:"checkpoint"`
	TreeSize   int64     `json:"tree_size"`
	RootHash   tlog.Hash `json:"root_hash"`
	Events     []struct {
		Event     *cuakhau.Event   `json:"event"`
		LeafIndex int64            `json:"leaf_index"`
		Proof     tlog.RecordProof `json:"proof"`
		Pending   bool             `json:"pending"`
	} `json:"events"`
}

// TestTripProof proves a trip's history from the client's side: each
// event's leaf is recomputed from the event as served, and its inclusion
// proof checked against the signed checkpoint with tlog.CheckRecord.
func TestTripProof(t *testing.T) {
	e := newEnv(t)
	trip := e.declare(t, "enterprise", example(t))
	e.declare(t, "enterprise-b", example(t, "enterprise.tax_code", taxB, "vehicle.plate", "12C-999.99"))
	e.decide(t, "operator", trip.ID, cuakhau.Decision{Checkpoint: "entry", Outcome: cuakhau.OutcomePass})
	e.decide(t, "medical", trip.ID, cuakhau.Decision{Checkpoint: "medical", Outcome: cuakhau.OutcomePass})

	p := decode[tripProof](t, e.do(t, "GET", "/api/v1/trips/"+trip.ID+"/proof", "enterprise", nil), http.StatusOK)
	_, size, root := clientCheckpoint(t, e, []byte(p.Checkpoint))
	if size != 4 || p.TreeSize != size || p.RootHash != root {
		t.Fatalf("tree %d %v, checkpoint %d %v", p.TreeSize, p.RootHash, size, root)
	}
	if len(p.Events) != 3 {
		t.Fatalf("%d events, want 3", len(p.Events))
	}
	for _, ev := range p.Events {
		if ev.Event.ComputeHash() != ev.Event.Hash {
			t.Errorf("event %d: hash does not cover it", ev.Event.Seq)
		}
		b, err := hex.DecodeString(ev.Event.Hash)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckRecord(ev.Proof, size, root, ev.LeafIndex, tlog.RecordHash(b)); err != nil || ev.LeafIndex != ev.Event.Seq-1 {
			t.Errorf("event %d (leaf %d): %v", ev.Event.Seq, ev.LeafIndex, err)
		}
		// A changed event does not verify.
		ev.Event.Note = "changed"
		b, _ = hex.DecodeString(ev.Event.ComputeHash())
		if tlog.CheckRecord(ev.Proof, size, root, ev.LeafIndex, tlog.RecordHash(b)) == nil {
			t.Errorf("event %d verifies after a change", ev.Event.Seq)
		}
	}

	// Within a second the checkpoint stays; a newer event is pending.
	e.decide(t, "customs", trip.ID, cuakhau.Decision{Checkpoint: "customs", Outcome: cuakhau.OutcomeHold, Note: "kiểm tra"})
	p = decode[tripProof](t, e.do(t, "GET", "/api/v1/trips/"+trip.ID+"/proof", "enterprise", nil), http.StatusOK)
	if p.TreeSize != 4 || len(p.Events) != 4 || !p.Events[3].Pending || p.Events[3].Proof != nil {
		t.Errorf("a second later: tree %d, events %+v", p.TreeSize, p.Events)
	}
	e.clock.Add(time.Second)
	p = decode[tripProof](t, e.do(t, "GET", "/api/v1/trips/"+trip.ID+"/proof", "enterprise", nil), http.StatusOK)
	if p.TreeSize != 5 || p.Events[3].Pending {
		t.Errorf("after a second: tree %d, events %+v", p.TreeSize, p.Events)
	}

	// Same access as the trip's events.
	wantError(t, e.do(t, "GET", "/api/v1/trips/"+trip.ID+"/proof", "enterprise-b", nil), http.StatusForbidden, cuakhau.EFORBIDDEN)
	wantError(t, e.do(t, "GET", "/api/v1/trips/"+trip.ID+"/proof", "", nil), http.StatusUnauthorized, cuakhau.EUNAUTHORIZED)
	wantError(t, e.do(t, "GET", "/api/v1/trips/no-such-trip/proof", "admin", nil), http.StatusNotFound, cuakhau.ENOTFOUND)
}

// TestCheckpointConsistency keeps a checkpoint, lets the log grow, and
// checks from the client's side that the newer one extends it.
func TestCheckpointConsistency(t *testing.T) {
	e := newEnv(t)
	// RFC 6962: the empty tree's hash is SHA-256 of nothing.
	if size, root := e.checkpoint(t, "huu-nghi"); size != 0 || root != tlog.Hash(sha256.Sum256(nil)) {
		t.Errorf("empty log: size %d, root %v", size, root)
	}
	var sizes []int64
	var roots []tlog.Hash
	for i := range 6 {
		e.declare(t, "enterprise", example(t, "vehicle.plate", fmt.Sprintf("12C-123.%02d", i)))
		e.clock.Add(time.Second)
		n, r := e.checkpoint(t, "huu-nghi")
		sizes, roots = append(sizes, n), append(roots, r)
	}
	if sizes[5] != 6 {
		t.Fatalf("sizes %v", sizes)
	}
	type proof struct {
		From, To int64
		Proof    tlog.TreeProof
	}
	for i := range sizes {
		p := decode[proof](t, e.do(t, "GET", fmt.Sprintf("/api/v1/log/huu-nghi/consistency?from=%d&to=%d", sizes[i], sizes[5]), "", nil), http.StatusOK)
		if err := tlog.CheckTree(p.Proof, sizes[5], roots[5], sizes[i], roots[i]); err != nil {
			t.Errorf("%d→%d: %v", sizes[i], sizes[5], err)
		}
		if i < 5 && tlog.CheckTree(p.Proof, sizes[5], roots[5], sizes[i], roots[i+1]) == nil {
			t.Errorf("%d→%d verifies against another root", sizes[i], sizes[5])
		}
	}

	// Another gate's log is its own.
	if n, _ := e.checkpoint(t, "tan-thanh"); n != 0 {
		t.Errorf("tan-thanh has %d entries", n)
	}
	wantError(t, e.do(t, "GET", "/api/v1/log/nowhere/checkpoint", "", nil), http.StatusNotFound, cuakhau.ENOTFOUND)
	for _, tt := range []struct{ query, field string }{
		{"from=0&to=3", "from"},
		{"from=4&to=3", "to"},
		{"from=1&to=7", "to"},
		{"from=x&to=3", "from"},
		{"to=3", "from"},
		{"from=1", "to"},
	} {
		wantError(t, e.do(t, "GET", "/api/v1/log/huu-nghi/consistency?"+tt.query, "", nil), http.StatusBadRequest, cuakhau.EINVALID, tt.field)
	}
}

// TestFeedCarriesCheckpoints checks that the open feed carries every
// gate's signed checkpoint.
func TestFeedCarriesCheckpoints(t *testing.T) {
	e := newEnv(t)
	e.declare(t, "enterprise", example(t))
	feed := decode[struct {
		Checkpoints []struct{ Gate, Checkpoint string }
	}](t, e.do(t, "GET", "/api/v1/public/waits", "", nil), http.StatusOK)
	got := map[string]int64{}
	for _, c := range feed.Checkpoints {
		origin, size, _ := clientCheckpoint(t, e, []byte(c.Checkpoint))
		if origin != "cuakhau.example/"+c.Gate {
			t.Errorf("gate %s: origin %q", c.Gate, origin)
		}
		got[c.Gate] = size
	}
	if len(got) != 4 || got["huu-nghi"] != 1 || got["tan-thanh"] != 0 {
		t.Errorf("feed checkpoints %v", got)
	}
}
