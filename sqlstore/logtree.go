package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/translog"
)

// pendingTree is a gate's Merkle hashes made by a write batch's appends,
// written once before the commit (flushTrees) rather than per append.
// hashes[i] is the stored hash at index base+i.
type pendingTree struct {
	base   int64
	hashes []tlog.Hash
}

// appendLeaf adds entry seq of gate, whose chain hash is hash, to the
// gate's Merkle tree inside tx.
func (db *DB) appendLeaf(ctx context.Context, tx *wtx, gate string, seq int64, hash string) error {
	leaf, err := translog.Leaf(hash)
	if err != nil {
		return err
	}
	n := seq - 1 // tlog numbers records from 0
	first := tlog.StoredHashIndex(0, n)
	p := tx.trees[gate]
	if p == nil {
		p = &pendingTree{base: first}
		tx.trees[gate] = p
	}
	// An op that failed left its appends' hashes behind; its entries were
	// rolled back and the next entry takes their place.
	p.hashes = p.hashes[:first-p.base]
	hs, err := tlog.StoredHashes(n, leaf, tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			if x >= p.base {
				out[i] = p.hashes[x-p.base]
				continue
			}
			var b []byte
			if err := tx.queryRow(ctx, `SELECT hash FROM log_hashes WHERE gate = ? AND idx = ?`, gate, x).Scan(&b); err != nil {
				return nil, fmt.Errorf("read Merkle hash %d: %w", x, err)
			}
			if out[i], err = merkleHash(x, b); err != nil {
				return nil, err
			}
		}
		return out, nil
	}))
	if err != nil {
		return fmt.Errorf("Merkle hashes of %s/%d: %w", gate, seq, err)
	}
	p.hashes = append(p.hashes, hs...)
	return nil
}

// hashRows is how many stored hashes one INSERT writes.
const hashRows = 64

// flushTrees writes the Merkle hashes of the batch's appends that stand:
// those of entries up to each gate's head.
func (t *wtx) flushTrees(ctx context.Context) error {
	for g, p := range t.trees {
		h, ok := t.heads[g]
		if !ok {
			continue
		}
		keep := max(tlog.StoredHashIndex(0, h.seq)-p.base, 0)
		hs := p.hashes[:min(keep, int64(len(p.hashes)))]
		for i := 0; i < len(hs); i += hashRows {
			chunk := hs[i:min(i+hashRows, len(hs))]
			q := `INSERT INTO log_hashes (gate, idx, hash) VALUES ` + strings.Repeat(`(?, ?, ?), `, len(chunk)-1) + `(?, ?, ?)`
			args := make([]any, 0, 3*len(chunk))
			for j, x := range chunk {
				args = append(args, g, p.base+int64(i+j), x[:])
			}
			if _, err := t.exec(ctx, q, args...); err != nil {
				return fmt.Errorf("write Merkle hashes of gate %s: %w", g, err)
			}
		}
	}
	return nil
}

// merkleHash is the stored Merkle hash at index x, b, which must be the
// hash's 32 bytes.
func merkleHash(x int64, b []byte) (tlog.Hash, error) {
	var h tlog.Hash
	if len(b) != len(h) {
		return h, fmt.Errorf("stored Merkle hash %d is %d bytes, not %d", x, len(b), len(h))
	}
	copy(h[:], b)
	return h, nil
}

// LogSize returns the number of entries in gate's log: its head's seq.
func (db *DB) LogSize(ctx context.Context, gate string) (_ int64, err error) {
	defer markFault(&err)
	var n sql.NullInt64
	err = db.read.QueryRowContext(ctx, db.q(`SELECT h.seq FROM gates g LEFT JOIN log_heads h ON h.gate = g.code WHERE g.code = ?`), gate).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, cuakhau.Errorf(cuakhau.ENOTFOUND, "gate %q not found", gate)
	}
	if err != nil {
		return 0, fmt.Errorf("log size of %s: %w", gate, err)
	}
	return n.Int64, nil
}

// ReadLogHashes returns gate's stored Merkle hashes at indexes, in order.
func (db *DB) ReadLogHashes(ctx context.Context, gate string, indexes []int64) (_ []tlog.Hash, err error) {
	defer markFault(&err)
	if len(indexes) == 0 {
		return nil, nil
	}
	args := make([]any, 0, 1+len(indexes))
	args = append(args, gate)
	for _, x := range indexes {
		args = append(args, x)
	}
	q := `SELECT idx, hash FROM log_hashes WHERE gate = ? AND idx IN (?` + strings.Repeat(`, ?`, len(indexes)-1) + `)`
	rows, err := db.read.QueryContext(ctx, db.q(q), args...)
	if err != nil {
		return nil, fmt.Errorf("read Merkle hashes of %s: %w", gate, err)
	}
	defer rows.Close()
	found := make(map[int64]tlog.Hash, len(indexes))
	for rows.Next() {
		var x int64
		var b []byte
		if err := rows.Scan(&x, &b); err != nil {
			return nil, fmt.Errorf("read Merkle hashes of %s: %w", gate, err)
		}
		h, err := merkleHash(x, b)
		if err != nil {
			return nil, fmt.Errorf("gate %s: %w", gate, err)
		}
		found[x] = h
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read Merkle hashes of %s: %w", gate, err)
	}
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		h, ok := found[x]
		if !ok {
			return nil, fmt.Errorf("gate %s has no Merkle hash %d", gate, x)
		}
		out[i] = h
	}
	return out, nil
}

// fillLogTrees builds the Merkle hashes of the gates whose log grew before
// log_hashes existed (or whose hashes are incomplete): the entries' chain
// hashes, read in order, become the leaves. Each gate is filled in one
// transaction holding its log head, so no append interleaves.
func (db *DB) fillLogTrees(ctx context.Context) error {
	// The highest index, not a count: the primary key answers it without
	// reading the table, and Migrate runs at every start with --migrate.
	rows, err := db.read.QueryContext(ctx, `SELECT h.gate, h.seq, (SELECT coalesce(max(x.idx), -1) + 1 FROM log_hashes x WHERE x.gate = h.gate) FROM log_heads h`)
	if err != nil {
		return fmt.Errorf("fill Merkle trees: %w", err)
	}
	var gates []string
	for rows.Next() {
		var g string
		var seq, have int64
		if err := rows.Scan(&g, &seq, &have); err != nil {
			rows.Close()
			return fmt.Errorf("fill Merkle trees: %w", err)
		}
		if have != tlog.StoredHashCount(seq) {
			gates = append(gates, g)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("fill Merkle trees: %w", err)
	}
	for _, g := range gates {
		err := db.update(ctx, func(ctx context.Context, tx *wtx) error {
			// The head first: it locks the gate, and another node that
			// migrated meanwhile has filled the tree already.
			h, err := db.readHead(ctx, tx, g)
			if err != nil {
				return err
			}
			var have int64
			if err := tx.queryRow(ctx, `SELECT coalesce(max(idx), -1) + 1 FROM log_hashes WHERE gate = ?`, g).Scan(&have); err != nil {
				return err
			}
			if have == tlog.StoredHashCount(h.seq) {
				return nil
			}
			if _, err := tx.exec(ctx, `DELETE FROM log_hashes WHERE gate = ?`, g); err != nil {
				return err
			}
			var hashes []string
			rs, err := tx.tx.QueryContext(ctx, db.q(`SELECT hash FROM events WHERE gate = ? AND seq <= ? ORDER BY seq`), g, h.seq)
			if err != nil {
				return err
			}
			for rs.Next() {
				var s storedHash
				if err := rs.Scan(&s); err != nil {
					rs.Close()
					return err
				}
				hashes = append(hashes, s.hex)
			}
			rs.Close()
			if err := rs.Err(); err != nil {
				return err
			}
			for i, s := range hashes {
				if err := db.appendLeaf(ctx, tx, g, int64(i+1), s); err != nil {
					return err
				}
			}
			tx.heads[g] = h // flushTrees writes up to the head; the head is unchanged
			return nil
		})
		if err != nil {
			return fmt.Errorf("fill Merkle tree of gate %s: %w", g, err)
		}
	}
	return nil
}
