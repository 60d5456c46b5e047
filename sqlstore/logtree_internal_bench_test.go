package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
)

// BenchmarkAppendLeaf measures an append's share of the tree in a batch of
// its own, the case that reads the most from the store: inserting the
// entry, its Merkle hashes from those before the batch, and writing those
// log_hashes holds — in one transaction for all of them, so that the
// commit, the same with or without the tree, is left out. The gate's log
// has 100,000 synthetic entries first, its tree built by Migrate's fill.
//
//	go test -run '^$' -bench AppendLeaf -benchtime 20000x -count 5 ./sqlstore/
func BenchmarkAppendLeaf(b *testing.B) {
	const n, gate = 100_000, "huu-nghi"
	ctx := context.Background()
	db, err := Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "b.db"), cuakhau.NewFixedClock(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	leaf := func(seq int64) []byte {
		h := sha256.Sum256(binary.BigEndian.AppendUint64(nil, uint64(seq)))
		return h[:]
	}
	const insert = `INSERT INTO events (gate, seq, trip_id, type, actor, at, status, hash) VALUES `
	const row = `(?, ?, 't', 'decision', 'bench', '2026-12-01T00:00:00.000000Z', 'declared', ?)`
	for seq := int64(1); seq <= n; seq += 500 {
		var args []any
		for s := seq; s < seq+500; s++ {
			args = append(args, gate, s, leaf(s))
		}
		if _, err := db.write.ExecContext(ctx, insert+strings.Repeat(row+", ", 499)+row, args...); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.write.ExecContext(ctx, `INSERT INTO log_heads (gate, seq, hash) VALUES (?, ?, ?)`, gate, n, hex.EncodeToString(leaf(n))); err != nil {
		b.Fatal(err)
	}
	if err := db.fillLogTrees(ctx); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	err = db.update(ctx, func(ctx context.Context, tx *wtx) error {
		for i := range int64(b.N) {
			seq := n + 1 + i
			if _, err := tx.exec(ctx, insert+row, gate, seq, leaf(seq)); err != nil {
				return err
			}
			if err := db.appendLeaf(ctx, tx, gate, seq, hex.EncodeToString(leaf(seq))); err != nil {
				return err
			}
			tx.heads[gate] = logHead{seq: seq}
			if err := tx.flushTrees(ctx); err != nil {
				return err
			}
			delete(tx.trees, gate) // the next append is a batch of its own
		}
		return nil
	})
	if err != nil {
		b.Fatal(fmt.Errorf("append: %w", err))
	}
}
