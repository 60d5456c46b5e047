package sqlstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/cuakhau/cuakhau/translog"
)

// newLog returns a transparency log over db with a new key.
func newLog(t *testing.T, db *sqlstore.DB, clock cuakhau.Clock) (*translog.Log, string) {
	t.Helper()
	skey, err := translog.GenerateKey("cuakhau.example")
	if err != nil {
		t.Fatal(err)
	}
	l, err := translog.New(db, skey, clock)
	if err != nil {
		t.Fatal(err)
	}
	return l, skey
}

// fiveEntries writes five entries at Hữu Nghị and one at Tân Thanh.
func fiveEntries(t *testing.T, db *sqlstore.DB) {
	t.Helper()
	trip := declare(t, db, company, durian())
	decide(t, db, operator, trip.ID, cuakhau.Decision{Checkpoint: "entry", Outcome: cuakhau.OutcomePass})
	decide(t, db, medical, trip.ID, cuakhau.Decision{Checkpoint: "medical", Outcome: cuakhau.OutcomePass, Note: "ok"})
	decide(t, db, customs, trip.ID, cuakhau.Decision{Checkpoint: "customs", Outcome: cuakhau.OutcomeHold, Note: "kiểm tra"})
	decide(t, db, customs, trip.ID, cuakhau.Decision{Checkpoint: "customs", Outcome: cuakhau.OutcomeRelease})
	other := durian()
	other.Gate = "tan-thanh"
	declare(t, db, company, other)
}

// audit runs Audit and fails the test on error.
func audit(t *testing.T, l *translog.Log, db *sqlstore.DB, kept ...translog.Kept) []translog.Finding {
	t.Helper()
	fs, err := l.Audit(context.Background(), db, kept)
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	return fs
}

// TestLogTreeProves checks the stored tree against the entries: every
// entry's inclusion proof verifies against the checkpoint's root, the tree
// of each smaller size is proved consistent with it, and an audit of the
// checkpoint finds nothing.
func TestLogTreeProves(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		l, _ := newLog(t, db, clock)
		fiveEntries(t, db)
		// More than one batch's worth at once, so that appends share batches.
		var wg sync.WaitGroup
		for i := range 41 {
			wg.Go(func() {
				d := durian()
				d.Vehicle.Plate = fmt.Sprintf("12c%05d", i)
				if _, err := db.DeclareTrip(ctx, company, d); err != nil {
					t.Errorf("DeclareTrip: %v", err)
				}
			})
		}
		wg.Wait()
		cp, err := l.Checkpoint(ctx, "huu-nghi")
		if err != nil {
			t.Fatal(err)
		}
		if cp.Size != 46 || cp.Origin != "cuakhau.example/huu-nghi" {
			t.Fatalf("checkpoint %q/%d, want cuakhau.example/huu-nghi/46", cp.Origin, cp.Size)
		}
		var events []*cuakhau.Event
		if err := db.ScanLog(ctx, "huu-nghi", func(ev *cuakhau.Event) error { events = append(events, ev); return nil }); err != nil {
			t.Fatal(err)
		}
		for _, ev := range events {
			p, err := l.ProveInclusion(ctx, "huu-nghi", ev.Seq, cp.Size)
			if err != nil {
				t.Fatal(err)
			}
			leaf, _ := translog.LeafHash(ev)
			if err := tlog.CheckRecord(p, cp.Size, cp.Root, ev.Seq-1, leaf); err != nil {
				t.Errorf("entry %d: %v", ev.Seq, err)
			}
		}
		for from := int64(1); from < cp.Size; from += 7 {
			p, err := l.ProveConsistency(ctx, "huu-nghi", from, cp.Size)
			if err != nil {
				t.Fatal(err)
			}
			old, err := tlog.TreeHash(from, tlog.HashReaderFunc(func(x []int64) ([]tlog.Hash, error) {
				return db.ReadLogHashes(ctx, "huu-nghi", x)
			}))
			if err != nil {
				t.Fatal(err)
			}
			if err := tlog.CheckTree(p, cp.Size, cp.Root, from, old); err != nil {
				t.Errorf("consistency %d→%d: %v", from, cp.Size, err)
			}
		}
		for _, f := range audit(t, l, db, translog.Kept{Name: "cp", Note: cp.Note}) {
			if !f.OK() {
				t.Errorf("audit of a whole log: %+v", f)
			}
		}
	})
}

// TestLogTreeFailedOp checks that an op that fails in a batch after
// appending leaves no Merkle hashes behind: the next entry takes its place
// in the tree as in the log.
func TestLogTreeFailedOp(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		l, _ := newLog(t, db, clock)
		appendOne := func(note string, fail bool) sqlstore.WriteFunc {
			return func(ctx context.Context, tx *sqlstore.WriteTx) error {
				ev := &cuakhau.Event{Gate: "chi-ma", TripID: "t", Type: cuakhau.EventDecision, Note: note,
					Actor: "test", At: start, Status: cuakhau.StatusDeclared}
				if err := db.AppendEvent(ctx, tx, ev); err != nil {
					return err
				}
				if fail {
					return errors.New("fails after appending")
				}
				return nil
			}
		}
		errs := db.RunBatch(appendOne("a", false), appendOne("b", true), appendOne("c", false), appendOne("d", true))
		if errs[0] != nil || errs[1] == nil || errs[2] != nil || errs[3] == nil {
			t.Fatalf("batch: %v", errs)
		}
		cp, err := l.Checkpoint(ctx, "chi-ma")
		if err != nil {
			t.Fatal(err)
		}
		if cp.Size != 2 {
			t.Fatalf("size %d, want 2", cp.Size)
		}
		if n := count(t, db, `SELECT count(*) FROM log_hashes WHERE gate = 'chi-ma'`); int64(n) != tlog.StoredHashCount(2) {
			t.Errorf("%d stored hashes, want %d", n, tlog.StoredHashCount(2))
		}
		for _, f := range audit(t, l, db, translog.Kept{Name: "cp", Note: cp.Note}) {
			if !f.OK() {
				t.Errorf("audit: %+v", f)
			}
		}
	})
}

// rehash recomputes the chain of gate's log from entry from on and moves
// the head to match, as a forger with database access and this program's
// source would, then rebuilds the Merkle hashes with Migrate.
func rehash(t *testing.T, db *sqlstore.DB, gate string) {
	t.Helper()
	ctx := context.Background()
	var events []*cuakhau.Event
	if err := db.ScanLog(ctx, gate, func(ev *cuakhau.Event) error { events = append(events, ev); return nil }); err != nil {
		t.Fatal(err)
	}
	prev := cuakhau.GenesisHash
	for _, ev := range events {
		ev.PrevHash = prev
		ev.Hash = ev.ComputeHash()
		prev = ev.Hash
		if err := db.ExecRaw(ctx, `UPDATE events SET hash = ? WHERE gate = ? AND seq = ?`, hashBytes(t, ev.Hash), gate, ev.Seq); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.ExecRaw(ctx, `UPDATE log_heads SET seq = ?, hash = ? WHERE gate = ?`, len(events), prev, gate); err != nil {
		t.Fatal(err)
	}
	if err := db.ExecRaw(ctx, `DELETE FROM log_hashes WHERE gate = ?`, gate); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestAuditDetects tampers with the stored log so that the chain holds
// again — what `verify` alone cannot see — and checks that a checkpoint
// kept from before gives it away; and that checkpoints not made by this
// log are refused.
func TestAuditDetects(t *testing.T) {
	forged := func(t *testing.T, skey string, cp *translog.Signed) []byte {
		skey, err := translog.GenerateKey("cuakhau.example") // same name, other key
		if err != nil {
			t.Fatal(err)
		}
		s, _ := note.NewSigner(skey)
		c := cp.Checkpoint
		c.Size++
		msg, err := note.Sign(&note.Note{Text: c.Body()}, s)
		if err != nil {
			t.Fatal(err)
		}
		return msg
	}
	tests := []struct {
		name    string
		tamper  func(t *testing.T, db *sqlstore.DB)
		kept    func(t *testing.T, skey string, cp *translog.Signed) []byte
		refused bool
		problem string
	}{
		{name: "entry rewritten, chain re-hashed", tamper: func(t *testing.T, db *sqlstore.DB) {
			if err := db.ExecRaw(context.Background(), `UPDATE events SET note = 'nothing to see' WHERE gate = 'huu-nghi' AND seq = 4`); err != nil {
				t.Fatal(err)
			}
			rehash(t, db, "huu-nghi")
		}, problem: "an entry among them was changed"},
		{name: "tail cut, head mended", tamper: func(t *testing.T, db *sqlstore.DB) {
			if err := db.ExecRaw(context.Background(), `DELETE FROM events WHERE gate = 'huu-nghi' AND seq > 3`); err != nil {
				t.Fatal(err)
			}
			rehash(t, db, "huu-nghi")
		}, problem: "entries after 3 were removed"},
		{name: "checkpoint forged with another key", kept: forged, refused: true, problem: "not signed by this log's key"},
		{name: "checkpoint text changed", kept: func(t *testing.T, skey string, cp *translog.Signed) []byte {
			return []byte(strings.Replace(string(cp.Note), "\n5\n", "\n4\n", 1))
		}, refused: true, problem: "does not match the text"},
		{name: "checkpoint truncated", kept: func(t *testing.T, skey string, cp *translog.Signed) []byte {
			return cp.Note[:strings.Index(string(cp.Note), "\n\n")+1]
		}, refused: true, problem: "no signature block"},
		{name: "foreign origin", kept: func(t *testing.T, skey string, cp *translog.Signed) []byte {
			return signWith(t, skey, "other.example/huu-nghi\n5\n"+strings.Split(string(cp.Note), "\n")[2]+"\n")
		}, refused: true, problem: `origin "other.example/huu-nghi" is not this log's`},
		{name: "unknown gate", kept: func(t *testing.T, skey string, cp *translog.Signed) []byte {
			return signWith(t, skey, "cuakhau.example/nowhere\n5\n"+strings.Split(string(cp.Note), "\n")[2]+"\n")
		}, refused: true, problem: "which this store does not have"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
				ctx := context.Background()
				l, skey := newLog(t, db, clock)
				fiveEntries(t, db)
				cp, err := l.Checkpoint(ctx, "huu-nghi")
				if err != nil {
					t.Fatal(err)
				}
				kept := cp.Note
				if tt.kept != nil {
					kept = tt.kept(t, skey, cp)
				}
				if tt.tamper != nil {
					tt.tamper(t, db)
					wantChain(t, db) // the chain alone does not see it
				}
				fs := audit(t, l, db, translog.Kept{Name: "kept", Note: kept})
				if len(fs) != 1 {
					t.Fatalf("findings %+v, want one", fs)
				}
				f := fs[0]
				if f.OK() || f.Refused != tt.refused || !strings.Contains(f.Problem, tt.problem) {
					t.Errorf("finding %+v, want refused=%v and %q", f, tt.refused, tt.problem)
				}
			})
		})
	}
}

// signWith signs text with the signer key skey.
func signWith(t *testing.T, skey, text string) []byte {
	t.Helper()
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := note.Sign(&note.Note{Text: text}, s)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

// TestAuditStoredTreeChanged checks that Merkle hashes changed behind the
// store's back, from which proofs are made, are reported.
func TestAuditStoredTreeChanged(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		l, _ := newLog(t, db, clock)
		fiveEntries(t, db)
		cp, err := l.Checkpoint(ctx, "huu-nghi")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.ExecRaw(ctx, `UPDATE log_hashes SET hash = ? WHERE gate = 'huu-nghi' AND idx = 7`, bytes.Repeat([]byte{0xab}, 32)); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Minute)
		fs := audit(t, l, db, translog.Kept{Name: "kept", Note: cp.Note})
		if len(fs) != 2 || !fs[0].OK() || !strings.Contains(fs[1].Problem, "stored Merkle hashes give root") {
			t.Errorf("findings %+v, want the kept checkpoint ok and the stored tree reported", fs)
		}
	})
}

// TestMigrateFillsLogTree checks that a log written before the tree was
// kept gets one from Migrate, the same as if it had been kept all along.
func TestMigrateFillsLogTree(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		l, _ := newLog(t, db, clock)
		fiveEntries(t, db)
		before, err := l.Checkpoint(ctx, "huu-nghi")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.ExecRaw(ctx, `DELETE FROM log_hashes`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Minute)
		l2, _ := newLog(t, db, clock)
		after, err := l2.Checkpoint(ctx, "huu-nghi")
		if err != nil {
			t.Fatal(err)
		}
		if after.Size != before.Size || after.Root != before.Root {
			t.Errorf("after Migrate: %d %v, want %d %v", after.Size, after.Root, before.Size, before.Root)
		}
	})
}
