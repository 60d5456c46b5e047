package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/translog"
)

// storedLevel is the lowest level of a gate's Merkle tree that log_hashes
// holds. A hash below it covers fewer than 2^storedLevel entries and is
// computed when needed from their chain hashes, which events holds anyway
// (a leaf hash is tlog.RecordHash of those 32 bytes, translog.Leaf): the
// table keeps about 2/2^storedLevel hashes an entry rather than two, and a
// proof reads, in the same query as its stored hashes, the hashes of up to
// 2^storedLevel entries in place of the levels below.
const storedLevel = 4

// isStored reports whether log_hashes holds the tree's hash at index x
// (numbered by tlog.StoredHashIndex).
func isStored(x int64) bool {
	level, _ := tlog.SplitStoredHashIndex(x)
	return level >= storedLevel
}

// storedEnd is one past the highest index log_hashes holds for a tree of
// n entries: that of the top hash of its last whole block of
// 2^storedLevel entries (0 when it has none).
func storedEnd(n int64) int64 {
	return tlog.StoredHashCount(n >> storedLevel << storedLevel)
}

// pendingTree is a gate's Merkle hashes made by a write batch's appends,
// written once before the commit (flushTrees) rather than per append.
// hashes[i] is the hash at index base+i, at every level: those below
// storedLevel are kept for the batch's later appends, not written.
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
		var before []int64 // made by earlier batches
		for _, x := range indexes {
			if x < p.base {
				before = append(before, x)
			}
		}
		read, err := readTree(ctx, preparedQ{tx}, gate, before)
		if err != nil {
			return nil, err
		}
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			if x >= p.base {
				out[i] = p.hashes[x-p.base]
				continue
			}
			out[i], read = read[0], read[1:]
		}
		return out, nil
	}))
	if err != nil {
		return fmt.Errorf("Merkle hashes of %s/%d: %w", gate, seq, err)
	}
	p.hashes = append(p.hashes, hs...)
	return nil
}

// readTree returns gate's Merkle hashes at indexes, in order, as q sees
// them: those at storedLevel and above from log_hashes, those below from
// the chain hashes of the entries they cover, all in one query, so that
// they come from one snapshot. Every reader of the tree goes through it:
// the appends inside the write, the proofs and checkpoints, the audit.
func readTree(ctx context.Context, q querier, gate string, indexes []int64) ([]tlog.Hash, error) {
	if len(indexes) == 0 {
		return nil, nil
	}
	var stored []any
	var spans []seqSpan
	for _, x := range indexes {
		level, n := tlog.SplitStoredHashIndex(x)
		if level >= storedLevel {
			stored = append(stored, x)
			continue
		}
		spans = append(spans, seqSpan{from: n<<level + 1, to: (n + 1) << level})
	}
	var parts []string
	var args []any
	if len(stored) > 0 {
		parts = append(parts, `SELECT 0, idx, hash FROM log_hashes WHERE gate = ? AND idx IN (?`+strings.Repeat(`, ?`, len(stored)-1)+`)`)
		args = append(append(args, gate), stored...)
	}
	for _, s := range mergeSpans(spans) {
		parts = append(parts, `SELECT 1, seq, hash FROM events WHERE gate = ? AND seq BETWEEN ? AND ?`)
		args = append(args, gate, s.from, s.to)
	}
	rows, err := q.query(ctx, strings.Join(parts, ` UNION ALL `), args...)
	if err != nil {
		return nil, fmt.Errorf("read Merkle hashes: %w", err)
	}
	defer rows.Close()
	found := make(map[int64]tlog.Hash, len(stored)) // by index
	leaves := map[int64]tlog.Hash{}                 // by seq
	for rows.Next() {
		var entry int
		var key int64
		var b []byte
		if err := rows.Scan(&entry, &key, &b); err != nil {
			return nil, fmt.Errorf("read Merkle hashes: %w", err)
		}
		if entry == 0 {
			if found[key], err = merkleHash(key, b); err != nil {
				return nil, err
			}
			continue
		}
		if len(b) != tlog.HashSize {
			return nil, fmt.Errorf("entry %d's stored hash is %d bytes, not %d", key, len(b), tlog.HashSize)
		}
		leaves[key] = tlog.RecordHash(b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read Merkle hashes: %w", err)
	}
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		level, n := tlog.SplitStoredHashIndex(x)
		if level < storedLevel {
			h, missing := subtreeHash(leaves, level, n)
			if missing != 0 {
				return nil, fmt.Errorf("no entry %d, under Merkle hash %d", missing, x)
			}
			out[i] = h
			continue
		}
		h, ok := found[x]
		if !ok {
			return nil, fmt.Errorf("no Merkle hash %d", x)
		}
		out[i] = h
	}
	return out, nil
}

// preparedQ reads inside the write through the writer's prepared
// statements (SQLite; pgx keeps its own): an append's reads of the tree
// come in few shapes — at most a few dozen stored hashes and one range of
// entries — so preparing each once is worth it, which wtx.query, serving
// any shape, does not do.
type preparedQ struct{ t *wtx }

func (q preparedQ) queryRow(ctx context.Context, query string, args ...any) scanner {
	return q.t.queryRow(ctx, query, args...)
}

func (q preparedQ) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if q.t.stmts == nil {
		return q.t.query(ctx, query, args...)
	}
	st, err := q.t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// seqSpan is the entries from seq from to seq to, both included.
type seqSpan struct{ from, to int64 }

// mergeSpans returns spans sorted and joined where they overlap or lie
// less than a block apart: reading the few entries between costs less than
// a query of their own (an inclusion proof's lower levels are its entry's
// block less the entry itself).
func mergeSpans(spans []seqSpan) []seqSpan {
	slices.SortFunc(spans, func(a, b seqSpan) int { return cmp.Compare(a.from, b.from) })
	var out []seqSpan
	for _, s := range spans {
		if k := len(out) - 1; k >= 0 && s.from <= out[k].to+(1<<storedLevel) {
			out[k].to = max(out[k].to, s.to)
			continue
		}
		out = append(out, s)
	}
	return out
}

// subtreeHash is the tree's hash at level, number n, from the leaf hashes
// of its entries, by seq; or the seq of an entry it lacks.
func subtreeHash(leaves map[int64]tlog.Hash, level int, n int64) (tlog.Hash, int64) {
	if level == 0 {
		h, ok := leaves[n+1]
		if !ok {
			return h, n + 1
		}
		return h, 0
	}
	left, missing := subtreeHash(leaves, level-1, 2*n)
	if missing != 0 {
		return left, missing
	}
	right, missing := subtreeHash(leaves, level-1, 2*n+1)
	if missing != 0 {
		return right, missing
	}
	return tlog.NodeHash(left, right), 0
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
		if err := t.writeTree(ctx, g, p, h.seq); err != nil {
			return err
		}
	}
	return nil
}

// writeTree writes the hashes of p that log_hashes holds (isStored), of
// the entries of gate up to seq.
func (t *wtx) writeTree(ctx context.Context, gate string, p *pendingTree, seq int64) error {
	end := min(tlog.StoredHashIndex(0, seq), p.base+int64(len(p.hashes)))
	var rows []int64
	for x := p.base; x < end; x++ {
		if isStored(x) {
			rows = append(rows, x)
		}
	}
	for i := 0; i < len(rows); i += hashRows {
		chunk := rows[i:min(i+hashRows, len(rows))]
		q := `INSERT INTO log_hashes (gate, idx, hash) VALUES ` + strings.Repeat(`(?, ?, ?), `, len(chunk)-1) + `(?, ?, ?)`
		args := make([]any, 0, 3*len(chunk))
		for _, x := range chunk {
			args = append(args, gate, x, p.hashes[x-p.base][:])
		}
		if _, err := t.exec(ctx, q, args...); err != nil {
			return fmt.Errorf("write Merkle hashes of gate %s: %w", gate, err)
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

// ReadLogHashes returns gate's Merkle hashes at indexes, in order
// (readTree).
func (db *DB) ReadLogHashes(ctx context.Context, gate string, indexes []int64) (_ []tlog.Hash, err error) {
	defer markFault(&err)
	hs, err := readTree(ctx, readQ{db}, gate, indexes)
	if err != nil {
		return nil, fmt.Errorf("gate %s: %w", gate, err)
	}
	return hs, nil
}

// fillLogTrees builds the Merkle hashes of the gates whose log grew before
// log_hashes existed, or whose stored hashes are not those the rule
// (storedLevel) keeps: the entries' chain hashes, read in order, become
// the leaves. Each gate is filled in one transaction holding its log head,
// so no append interleaves.
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
		if have != storedEnd(seq) {
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
			if have == storedEnd(h.seq) {
				return nil
			}
			if _, err := tx.exec(ctx, `DELETE FROM log_hashes WHERE gate = ?`, g); err != nil {
				return err
			}
			return db.fillTree(ctx, tx, g, h)
		})
		if err != nil {
			return fmt.Errorf("fill Merkle tree of gate %s: %w", g, err)
		}
	}
	return nil
}

// fillChunk is how many entries fillTree reads, hashes and writes at a
// time: PostgreSQL cannot read the tree while a query's rows are still
// coming, and a year's log need not be held in memory at once.
const fillChunk = 16384

// fillTree appends gate's entries up to its head h to its empty tree
// inside tx, chunk by chunk; the hashes a chunk needs from the ones before
// are read back from the transaction. The leaves stop at a missing entry:
// no tree has the entries after it as its next leaves, and verify reports
// the gap.
func (db *DB) fillTree(ctx context.Context, tx *wtx, gate string, h logHead) error {
	for done := int64(0); done < h.seq; {
		rs, err := tx.query(ctx, `SELECT seq, hash FROM events WHERE gate = ? AND seq > ? AND seq <= ? ORDER BY seq`, gate, done, min(done+fillChunk, h.seq))
		if err != nil {
			return err
		}
		var hashes []string
		for rs.Next() {
			var seq int64
			var s storedHash
			if err := rs.Scan(&seq, &s); err != nil {
				rs.Close()
				return err
			}
			if seq != done+int64(len(hashes))+1 {
				break
			}
			hashes = append(hashes, s.hex)
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return err
		}
		for i, s := range hashes {
			if err := db.appendLeaf(ctx, tx, gate, done+int64(i+1), s); err != nil {
				return err
			}
		}
		done += int64(len(hashes))
		if p := tx.trees[gate]; p != nil {
			if err := tx.writeTree(ctx, gate, p, done); err != nil {
				return err
			}
			delete(tx.trees, gate)
		}
		if len(hashes) < fillChunk {
			break // the entries end here, at the head or at a gap
		}
	}
	return nil
}
