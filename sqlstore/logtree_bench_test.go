package sqlstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/cuakhau/cuakhau/translog"
)

// BenchmarkInclusionProof measures one inclusion proof for a random entry,
// then one consistency proof from a random size, read from the tree of a
// SQLite store whose gate has n entries (CUAKHAU_BENCH_LOG_SIZE, default
// 1,000,000). The entries and the tree's hashes are built directly from
// synthetic leaves, as appends would have written them, rather than by
// appending n events; each proof is checked.
//
//	CUAKHAU_BENCH_LOG_SIZE=10000000 go test -run '^$' -bench InclusionProof -benchtime 2000x -timeout 30m ./sqlstore/
func BenchmarkInclusionProof(b *testing.B) {
	n := int64(1_000_000)
	if s := os.Getenv("CUAKHAU_BENCH_LOG_SIZE"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v < 1 {
			b.Fatalf("CUAKHAU_BENCH_LOG_SIZE=%q: want a positive number", s)
		}
		n = v
	}
	// One store for every run: building it is most of the time.
	clock := cuakhau.NewFixedClock(start)
	db := openStore(b, "sqlite", clock)
	ctx := context.Background()
	root := fillTree(b, db, "huu-nghi", n)
	skey, err := translog.GenerateKey("cuakhau.example")
	if err != nil {
		b.Fatal(err)
	}
	l, err := translog.New(db, skey, clock)
	if err != nil {
		b.Fatal(err)
	}
	cp, err := l.Checkpoint(ctx, "huu-nghi")
	if err != nil {
		b.Fatal(err)
	}
	if cp.Size != n || cp.Root != root {
		b.Fatalf("checkpoint %d, want %d entries and the built root", cp.Size, n)
	}
	// Five runs, each over other random entries, give the median.
	for run := range uint64(5) {
		b.Run(fmt.Sprintf("sqlite/entries=%d/run=%d", n, run+1), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(run, 2))
			for range b.N {
				seq := 1 + rng.Int64N(n)
				p, err := l.ProveInclusion(ctx, "huu-nghi", seq, n)
				if err != nil {
					b.Fatal(err)
				}
				if err := tlog.CheckRecord(p, n, root, seq-1, tlog.RecordHash(syntheticLeaf(seq))); err != nil {
					b.Fatalf("entry %d: %v", seq, err)
				}
			}
		})
	}
	// And five of a consistency proof from a random smaller tree, checked
	// against that tree's root, read outside the timing.
	stored := tlog.HashReaderFunc(func(x []int64) ([]tlog.Hash, error) { return db.ReadLogHashes(ctx, "huu-nghi", x) })
	for run := range uint64(5) {
		b.Run(fmt.Sprintf("sqlite/entries=%d/consistency/run=%d", n, run+1), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(run, 3))
			for range b.N {
				from := 1 + rng.Int64N(n-1)
				p, err := l.ProveConsistency(ctx, "huu-nghi", from, n)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				old, err := tlog.TreeHash(from, stored)
				if err != nil {
					b.Fatal(err)
				}
				if err := tlog.CheckTree(p, n, root, from, old); err != nil {
					b.Fatalf("tree %d → %d: %v", from, n, err)
				}
				b.StartTimer()
			}
		})
	}
}

func syntheticLeaf(seq int64) []byte {
	h := sha256.Sum256(binary.BigEndian.AppendUint64(nil, uint64(seq)))
	return h[:]
}

// fillTree writes a gate log of n synthetic entries — each entry's row,
// with its hash, and the tree's hashes that log_hashes holds — and moves
// its head to n, in transactions of half a million entries, and returns
// the tree's root.
func fillTree(b *testing.B, db *sqlstore.DB, gate string, n int64) tlog.Hash {
	b.Helper()
	ctx := context.Background()
	frontier := map[int64]tlog.Hash{}
	read := tlog.HashReaderFunc(func(x []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(x))
		for i, j := range x {
			out[i] = frontier[j]
		}
		return out, nil
	})
	const rowsPerStmt = 500
	var pending, entries []any
	insert := func(tx *sqlstore.WriteTx, rows *[]any, table string, cols int) error {
		row := `(?` + strings.Repeat(`, ?`, cols-1) + `)`
		for len(*rows) > 0 {
			k := min(len(*rows), cols*rowsPerStmt)
			q := `INSERT INTO ` + table + ` VALUES ` + strings.Repeat(row+`, `, k/cols-1) + row
			if err := tx.Exec(ctx, q, (*rows)[:k]...); err != nil {
				return err
			}
			*rows = (*rows)[k:]
		}
		return nil
	}
	flush := func(tx *sqlstore.WriteTx) error {
		if err := insert(tx, &entries, `events (gate, seq, trip_id, type, actor, at, status, hash)`, 8); err != nil {
			return err
		}
		return insert(tx, &pending, `log_hashes (gate, idx, hash)`, 3)
	}
	var rec int64
	for rec < n {
		err := db.Update(ctx, func(ctx context.Context, tx *sqlstore.WriteTx) error {
			for end := min(n, rec+500_000); rec < end; rec++ {
				hs, err := tlog.StoredHashes(rec, syntheticLeaf(rec+1), read)
				if err != nil {
					return err
				}
				base := tlog.StoredHashIndex(0, rec)
				for i, h := range hs {
					frontier[base+int64(i)] = h
					if i >= sqlstore.StoredLevel { // hs[i] is at level i
						pending = append(pending, gate, base+int64(i), h[:])
					}
				}
				entries = append(entries, gate, rec+1, "t", "decision", "bench", "2026-12-01T00:00:00.000000Z", "declared", syntheticLeaf(rec+1))
				if len(entries) >= 8*rowsPerStmt {
					if err := flush(tx); err != nil {
						return err
					}
				}
				if len(frontier) > 4096 { // keep the complete subtrees' roots only
					keep := map[int64]tlog.Hash{}
					size := rec + 1
					for l := 0; size>>l > 0; l++ {
						if size>>l&1 == 1 {
							x := tlog.StoredHashIndex(l, size>>l-1)
							keep[x] = frontier[x]
						}
					}
					frontier = keep
				}
			}
			return flush(tx)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := db.ExecRaw(ctx, `UPDATE log_heads SET seq = ? WHERE gate = ?`, n, gate); err != nil {
		b.Fatal(err)
	}
	root, err := tlog.TreeHash(n, read)
	if err != nil {
		b.Fatal(err)
	}
	return root
}
