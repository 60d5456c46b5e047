package translog

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/cuakhau/cuakhau"
)

// Scanner streams a gate's log in order.
type Scanner interface {
	ScanLog(ctx context.Context, gate string, fn func(*cuakhau.Event) error) error
}

// Kept is a checkpoint kept elsewhere, as given to Audit: Name says where
// it came from (a file name), Note is its signed note.
type Kept struct {
	Name string
	Note []byte
}

// Finding is Audit's verdict on one kept checkpoint, or on a gate's stored
// tree (Name empty).
type Finding struct {
	Name string
	Gate string
	Size int64
	// Refused is set when the checkpoint itself is not one of this log's:
	// its signature, its format or its origin. Problem says why.
	Refused bool
	// Problem is empty when the log holds what the checkpoint says.
	Problem string
}

// OK reports whether the finding is clean.
func (f Finding) OK() bool { return f.Problem == "" }

// Audit checks the store's logs against checkpoints kept elsewhere. Each
// gate named by a checkpoint is read once, its leaves recomputed from the
// entries' fields (not from their stored hashes), and the root of its first
// Size entries compared with the checkpoint's: a rewritten entry gives
// another root, even when the chain after it was hashed again; a log
// shorter than a checkpoint lost its tail, even when its head was moved
// back to match. It also compares each such gate's stored Merkle hashes,
// which the proofs are made from, with the recomputed tree.
func (l *Log) Audit(ctx context.Context, scan Scanner, kept []Kept) ([]Finding, error) {
	return Audit(ctx, l.store, scan, l.Verifier(), kept)
}

// Audit is Log.Audit for an auditor who holds only the log's verifier key:
// checkpoints must be signed by v, and their origins are v's name followed
// by /<gate>.
func Audit(ctx context.Context, store Store, scan Scanner, v note.Verifier, kept []Kept) ([]Finding, error) {
	out := make([]Finding, len(kept))
	byGate := map[string][]int{} // gate → indexes into kept
	var gates []string
	prefix := v.Name() + "/"
	for i, k := range kept {
		out[i] = Finding{Name: k.Name}
		c, err := OpenCheckpoint(k.Note, v)
		if err != nil {
			out[i].Refused, out[i].Problem = true, "refused: "+err.Error()
			continue
		}
		out[i].Size = c.Size
		gate, ok := strings.CutPrefix(c.Origin, prefix)
		if !ok || gate == "" || strings.Contains(gate, "/") {
			out[i].Refused = true
			out[i].Problem = fmt.Sprintf("refused: origin %q is not this log's (%s<gate>)", c.Origin, prefix)
			continue
		}
		out[i].Gate = gate
		if _, err := store.LogSize(ctx, gate); err != nil {
			if cuakhau.ErrorCode(err) != cuakhau.ENOTFOUND {
				return nil, err
			}
			out[i].Refused = true
			out[i].Problem = fmt.Sprintf("refused: origin %q names gate %q, which this store does not have", c.Origin, gate)
			continue
		}
		if _, seen := byGate[gate]; !seen {
			gates = append(gates, gate)
		}
		byGate[gate] = append(byGate[gate], i)
	}
	for _, gate := range gates {
		want := map[int64]bool{}
		for _, i := range byGate[gate] {
			want[out[i].Size] = true
		}
		roots, n, err := recompute(ctx, scan, gate, want)
		if err != nil {
			return nil, err
		}
		for _, i := range byGate[gate] {
			c, _ := OpenCheckpoint(kept[i].Note, v)
			switch root, ok := roots[c.Size]; {
			case !ok:
				out[i].Problem = fmt.Sprintf("the log has %d entries but this checkpoint, signed by the log, has %d: entries after %d were removed", n, c.Size, n)
			case root != c.Root:
				out[i].Problem = fmt.Sprintf("the log's first %d entries hash to %s but the checkpoint says %s: an entry among them was changed", c.Size, b64(root), b64(c.Root))
			}
		}
		if f := checkStored(ctx, store, gate, n, roots[n]); !f.OK() {
			out = append(out, f)
		}
	}
	return out, nil
}

// checkStored compares the stored tree of gate at its head with the root
// recomputed from its n entries.
func checkStored(ctx context.Context, store Store, gate string, n int64, root tlog.Hash) Finding {
	f := Finding{Gate: gate, Size: n}
	size, err := store.LogSize(ctx, gate)
	if err != nil {
		f.Problem = "read the log size: " + err.Error()
		return f
	}
	if size != n {
		f.Problem = fmt.Sprintf("the log head names entry %d but the log has %d entries", size, n)
		return f
	}
	stored, err := tlog.TreeHash(n, storeReader(ctx, store, gate))
	switch {
	case err != nil:
		f.Problem = "the stored Merkle hashes are incomplete: " + err.Error()
	case stored != root:
		f.Problem = fmt.Sprintf("the stored Merkle hashes give root %s but the entries give %s: proofs served from them would not verify", b64(stored), b64(root))
	}
	return f
}

// recompute streams gate's log and returns the tree's root at each size in
// want that the log reaches, and at its full size n. It keeps only the
// hashes a later leaf or root needs, so its memory stays logarithmic.
func recompute(ctx context.Context, scan Scanner, gate string, want map[int64]bool) (map[int64]tlog.Hash, int64, error) {
	t := &memTree{hashes: map[int64]tlog.Hash{}}
	roots := map[int64]tlog.Hash{}
	if want[0] {
		roots[0], _ = tlog.TreeHash(0, t)
	}
	err := scan.ScanLog(ctx, gate, func(ev *cuakhau.Event) error {
		if ev.Seq != t.n+1 {
			return fmt.Errorf("gate %s: entry %d follows entry %d (run verify without --checkpoint to see the chain)", gate, ev.Seq, t.n)
		}
		h, err := LeafHash(ev)
		if err != nil {
			return err
		}
		if err := t.add(h); err != nil {
			return err
		}
		if want[t.n] {
			r, err := tlog.TreeHash(t.n, t)
			if err != nil {
				return err
			}
			roots[t.n] = r
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("recompute the tree of %s: %w", gate, err)
	}
	r, err := tlog.TreeHash(t.n, t)
	if err != nil {
		return nil, 0, err
	}
	roots[t.n] = r
	return roots, t.n, nil
}

// memTree is a tree being built leaf by leaf in memory, keeping only the
// roots of its complete subtrees (at most one per level).
type memTree struct {
	n      int64
	hashes map[int64]tlog.Hash
}

func (t *memTree) add(leaf tlog.Hash) error {
	hs, err := tlog.StoredHashesForRecordHash(t.n, leaf, t)
	if err != nil {
		return err
	}
	base := tlog.StoredHashIndex(0, t.n)
	for i, h := range hs {
		t.hashes[base+int64(i)] = h
	}
	t.n++
	if len(t.hashes) > 1024 {
		keep := make(map[int64]tlog.Hash, 64)
		for l := 0; t.n>>l > 0; l++ {
			if t.n>>l&1 == 1 {
				x := tlog.StoredHashIndex(l, t.n>>l-1)
				keep[x] = t.hashes[x]
			}
		}
		t.hashes = keep
	}
	return nil
}

func (t *memTree) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		h, ok := t.hashes[x]
		if !ok {
			return nil, fmt.Errorf("tree of %d leaves: hash %d not kept", t.n, x)
		}
		out[i] = h
	}
	return out, nil
}

func b64(h tlog.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }
