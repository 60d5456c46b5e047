package sqlstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
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
				ev := &cuakhau.Event{Gate: "chi-ma", TripID: testTripID, Type: cuakhau.EventDecision, Note: note,
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
		// Ten entries, past the tree's first stored level, each followed
		// by an op that fails.
		var ops []sqlstore.WriteFunc
		for i := range 20 {
			ops = append(ops, appendOne(fmt.Sprint(i), i%2 == 1))
		}
		for i, err := range db.RunBatch(ops...) {
			if (err != nil) != (i%2 == 1) {
				t.Fatalf("batch op %d: %v", i, err)
			}
		}
		cp, err := l.Checkpoint(ctx, "chi-ma")
		if err != nil {
			t.Fatal(err)
		}
		if cp.Size != 10 {
			t.Fatalf("size %d, want 10", cp.Size)
		}
		want := tlog.StoredHashCount(10 >> sqlstore.StoredLevel) // the levels from StoredLevel up
		if n := count(t, db, `SELECT count(*) FROM log_hashes WHERE gate = 'chi-ma'`); int64(n) != want {
			t.Errorf("%d stored hashes, want %d", n, want)
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

// growLog appends n entries to gate's log, in write batches of size
// entries each (the last maybe fewer).
func growLog(t *testing.T, db *sqlstore.DB, gate string, n, size int) {
	t.Helper()
	for n > 0 {
		var ops []sqlstore.WriteFunc
		for range min(n, size) {
			ops = append(ops, func(ctx context.Context, tx *sqlstore.WriteTx) error {
				return tx.AppendEvent(ctx, db, &cuakhau.Event{Gate: gate, TripID: testTripID, Type: cuakhau.EventDecision,
					Note: fmt.Sprint(n), Actor: "test", At: start, Status: cuakhau.StatusDeclared})
			})
		}
		for _, err := range db.RunBatch(ops...) {
			if err != nil {
				t.Fatalf("append to %s: %v", gate, err)
			}
		}
		n -= len(ops)
	}
}

// leafHashes returns the leaf hashes of gate's entries, from their fields.
func leafHashes(t *testing.T, db *sqlstore.DB, gate string) []tlog.Hash {
	t.Helper()
	var leaves []tlog.Hash
	err := db.ScanLog(context.Background(), gate, func(ev *cuakhau.Event) error {
		h, err := translog.LeafHash(ev)
		leaves = append(leaves, h)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return leaves
}

// TestAuditStoredTreeChanged checks that the hashes proofs are made from,
// changed behind the store's back, are reported: a hash log_hashes holds,
// and an entry's own hash, from which the levels below it are computed.
func TestAuditStoredTreeChanged(t *testing.T) {
	// With three blocks and one entry, the root is made of the hash over
	// the first two blocks, the one over the third, and the last entry's:
	// top is the second, which log_hashes holds.
	size := 3<<sqlstore.StoredLevel + 1
	top := tlog.StoredHashIndex(sqlstore.StoredLevel, 2)
	tests := []struct {
		name, tamper string
		keptOK       bool // the checkpoint kept from before still matches
		problem      string
		brokenAt     int64 // where verify finds the chain broken
	}{
		{"a stored hash changed", fmt.Sprintf(`UPDATE log_hashes SET hash = ? WHERE gate = 'huu-nghi' AND idx = %d`, top), true, "stored Merkle hashes give root", 0},
		{"a stored hash removed", fmt.Sprintf(`DELETE FROM log_hashes WHERE gate = 'huu-nghi' AND idx = %d AND hash <> ?`, top), true, "stored Merkle hashes are incomplete", 0},
		{"an entry's hash changed", `UPDATE events SET hash = ? WHERE gate = 'huu-nghi' AND seq = 11`, false, "stored Merkle hashes give root", 11},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
				ctx := context.Background()
				l, _ := newLog(t, db, clock)
				fiveEntries(t, db)
				growLog(t, db, "huu-nghi", size-5, 3)
				cp, err := l.Checkpoint(ctx, "huu-nghi")
				if err != nil {
					t.Fatal(err)
				}
				if fs := audit(t, l, db, translog.Kept{Name: "kept", Note: cp.Note}); len(fs) != 1 || !fs[0].OK() {
					t.Fatalf("findings before tampering %+v, want the kept checkpoint ok", fs)
				}
				if err := db.ExecRaw(ctx, tt.tamper, bytes.Repeat([]byte{0xab}, 32)); err != nil {
					t.Fatal(err)
				}
				clock.Add(time.Minute)
				fs := audit(t, l, db, translog.Kept{Name: "kept", Note: cp.Note})
				if len(fs) != 2 || fs[0].OK() != tt.keptOK || !strings.Contains(fs[1].Problem, tt.problem) {
					t.Errorf("findings %+v, want the kept checkpoint ok=%v and the stored tree reported: %q", fs, tt.keptOK, tt.problem)
				}
				if r := verify(t, db)["huu-nghi"]; r.BrokenAt != tt.brokenAt {
					t.Errorf("verify: broken at %d (%s), want %d", r.BrokenAt, r.Reason, tt.brokenAt)
				}
			})
		})
	}
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

// memRoot is the root of the tree of leaves, built in memory with tlog.
func memRoot(t *testing.T, leaves []tlog.Hash) tlog.Hash {
	t.Helper()
	var mem []tlog.Hash
	r := tlog.HashReaderFunc(func(x []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(x))
		for i, j := range x {
			out[i] = mem[j]
		}
		return out, nil
	})
	for i, leaf := range leaves {
		hs, err := tlog.StoredHashesForRecordHash(int64(i), leaf, r)
		if err != nil {
			t.Fatal(err)
		}
		mem = append(mem, hs...)
	}
	root, err := tlog.TreeHash(int64(len(leaves)), r)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestLogTreeProvesAtEverySize grows a log one entry at a time past
// several blocks of the levels that are not stored, then by batches to a
// few hundred, and at each size checks the signed checkpoint against the
// tree built in memory from the entries' fields, every entry's inclusion
// proof against it, and the consistency proof from every smaller size kept
// on the way.
func TestLogTreeProvesAtEverySize(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		l, _ := newLog(t, db, clock)
		var kept []*translog.Signed
		check := func(size int64) {
			t.Helper()
			clock.Add(translog.MinInterval)
			cp, err := l.Checkpoint(ctx, "chi-ma")
			if err != nil {
				t.Fatal(err)
			}
			leaves := leafHashes(t, db, "chi-ma")
			if cp.Size != size || int64(len(leaves)) != size || cp.Root != memRoot(t, leaves) {
				t.Fatalf("checkpoint of %d entries (%d read), want %d and the root of the entries", cp.Size, len(leaves), size)
			}
			for seq := int64(1); seq <= size; seq++ {
				p, err := l.ProveInclusion(ctx, "chi-ma", seq, size)
				if err != nil {
					t.Fatal(err)
				}
				if err := tlog.CheckRecord(p, size, cp.Root, seq-1, leaves[seq-1]); err != nil {
					t.Errorf("entry %d in tree %d: %v", seq, size, err)
				}
			}
			for _, old := range kept {
				p, err := l.ProveConsistency(ctx, "chi-ma", old.Size, size)
				if err != nil {
					t.Fatal(err)
				}
				if err := tlog.CheckTree(p, size, cp.Root, old.Size, old.Root); err != nil {
					t.Errorf("tree %d → %d: %v", old.Size, size, err)
				}
			}
			kept = append(kept, cp)
		}
		size := int64(0)
		for size < 40 {
			growLog(t, db, "chi-ma", 1, 1)
			size++
			check(size)
		}
		for _, batch := range []int{7, 64, 1, 150, 33} { // to 295, over batches and blocks
			growLog(t, db, "chi-ma", batch, batch)
			size += int64(batch)
			check(size)
		}
		if n, want := count(t, db, `SELECT count(*) FROM log_hashes WHERE gate = 'chi-ma'`), tlog.StoredHashCount(size>>sqlstore.StoredLevel); int64(n) != want {
			t.Errorf("log_hashes holds %d hashes of %d entries, want %d", n, size, want)
		}
	})
}

// TestMigrateDropsLowLevels writes a log as the store kept it before the
// tree's lowest levels were left to the entries — every stored hash a row
// — migrates it, and checks that those rows are gone, that the chain, the
// stored tree and a checkpoint signed before the migration still agree,
// that a second start does not rebuild the tree, and that the log grows
// on with proofs that tie it to the checkpoint from before.
func TestMigrateDropsLowLevels(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		l, skey := newLog(t, db, clock)
		fiveEntries(t, db)
		// 48 entries, three blocks of 16: the highest index of the old tree is also
		// the highest the new one holds, so only the migration tells them
		// apart.
		growLog(t, db, "huu-nghi", 43, 5)
		kept, err := l.Checkpoint(ctx, "huu-nghi")
		if err != nil {
			t.Fatal(err)
		}
		sizes := map[string]int64{"huu-nghi": 48, "tan-thanh": 1}
		var all int64
		for gate, n := range sizes {
			indexes := make([]int64, tlog.StoredHashCount(n))
			for i := range indexes {
				indexes[i] = int64(i)
			}
			hashes, err := db.ReadLogHashes(ctx, gate, indexes)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.ExecRaw(ctx, `DELETE FROM log_hashes WHERE gate = ?`, gate); err != nil {
				t.Fatal(err)
			}
			for i, h := range hashes {
				if err := db.ExecRaw(ctx, `INSERT INTO log_hashes (gate, idx, hash) VALUES (?, ?, ?)`, gate, i, h[:]); err != nil {
					t.Fatal(err)
				}
			}
			all += int64(len(hashes))
		}
		if err := db.ExecRaw(ctx, `DELETE FROM schema_migrations WHERE version IN (22, 29)`); err != nil {
			t.Fatal(err)
		}

		applied, err := db.Migrate(ctx)
		if err != nil {
			t.Fatalf("Migrate: %v", err)
		}
		if want := []string{"0022_log_hashes_upper", "0029_log_hashes_level4"}; !slices.Equal(applied, want) {
			t.Errorf("applied %v, want %v", applied, want)
		}
		if n, want := count(t, db, `SELECT count(*) FROM log_hashes`), tlog.StoredHashCount(48>>sqlstore.StoredLevel); int64(n) != want {
			t.Errorf("after the migration log_hashes holds %d hashes of %d before, want %d", n, all, want)
		}
		if n := count(t, db, `SELECT count(*) FROM log_hashes WHERE gate = 'tan-thanh'`); n != 0 {
			t.Errorf("a log of one entry keeps %d hashes, want none", n)
		}
		if r := verify(t, db)["huu-nghi"]; r.BrokenAt != 0 || r.Events != 48 {
			t.Errorf("after the migration the chain of %d entries is broken at %d (%s), want 48 whole", r.Events, r.BrokenAt, r.Reason)
		}
		clock.Add(time.Minute)
		l2, err := translog.New(db, skey, clock)
		if err != nil {
			t.Fatal(err)
		}
		if fs := audit(t, l2, db, translog.Kept{Name: "kept", Note: kept.Note}); len(fs) != 1 || !fs[0].OK() {
			t.Errorf("audit against the checkpoint kept from before: %+v, want it clean", fs)
		}
		if cp, err := l2.Checkpoint(ctx, "huu-nghi"); err != nil || cp.Size != kept.Size || cp.Root != kept.Root {
			t.Errorf("checkpoint after the migration %d %v (%v), want the one before, %d %v", cp.Size, cp.Root, err, kept.Size, kept.Root)
		}

		// A second start finds the tree whole and leaves it: a stored hash
		// changed meanwhile is still there after it.
		top := tlog.StoredHashIndex(5, 0) // over entries 1 to 32, a level the table keeps
		if err := db.ExecRaw(ctx, `UPDATE log_hashes SET hash = ? WHERE gate = 'huu-nghi' AND idx = ?`, bytes.Repeat([]byte{0xab}, 32), top); err != nil {
			t.Fatal(err)
		}
		if applied, err := db.Migrate(ctx); err != nil || len(applied) != 0 {
			t.Fatalf("second Migrate: %v, %v", applied, err)
		}
		if n := count(t, db, `SELECT count(*) FROM log_hashes WHERE gate = 'huu-nghi' AND idx = ? AND hash = ?`, top, bytes.Repeat([]byte{0xab}, 32)); n != 1 {
			t.Errorf("a second Migrate rebuilt the tree (%d changed hashes left, want 1)", n)
		}
		// Removed, it is rebuilt from the entries.
		if err := db.ExecRaw(ctx, `DELETE FROM log_hashes WHERE gate = 'huu-nghi'`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}

		// The log grows on, and proves that it extends the one from before.
		growLog(t, db, "huu-nghi", 9, 4)
		clock.Add(time.Minute)
		cp, err := l2.Checkpoint(ctx, "huu-nghi")
		if err != nil {
			t.Fatal(err)
		}
		if cp.Size != 57 {
			t.Fatalf("size %d after growing, want 57", cp.Size)
		}
		leaves := leafHashes(t, db, "huu-nghi")
		p, err := l2.ProveInclusion(ctx, "huu-nghi", 2, cp.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckRecord(p, cp.Size, cp.Root, 1, leaves[1]); err != nil {
			t.Errorf("a migrated entry's inclusion in the grown tree: %v", err)
		}
		tp, err := l2.ProveConsistency(ctx, "huu-nghi", kept.Size, cp.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckTree(tp, cp.Size, cp.Root, kept.Size, kept.Root); err != nil {
			t.Errorf("the grown tree extends the one from before: %v", err)
		}
		if fs := audit(t, l2, db, translog.Kept{Name: "kept", Note: kept.Note}, translog.Kept{Name: "new", Note: cp.Note}); len(fs) != 2 || !fs[0].OK() || !fs[1].OK() {
			t.Errorf("audit of the grown log: %+v, want both clean", fs)
		}
	})
}

// testTripID is the trip of the entries appended straight to a log: an id
// as the store makes them (a UUID), which no trip row needs to hold.
const testTripID = "019ca7ee-5d8c-7093-9904-5d1f21db2293"
