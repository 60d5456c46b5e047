// Package translog makes each gate's event log a transparency log, the way
// Certificate Transparency and the Go checksum database do: the gate's
// entries are the leaves of a Merkle tree (RFC 6962 hashing, through
// golang.org/x/mod/sumdb/tlog), and the server signs checkpoints of the
// tree — C2SP tlog-checkpoint signed notes, Ed25519, through
// golang.org/x/mod/sumdb/note. Anyone who keeps a checkpoint can later ask
// for a proof that an entry is in the log (inclusion) or that the log they
// see now extends the one they signed for (consistency), and `cuakhau
// verify` checks the stored log against checkpoints kept elsewhere.
//
// The package is pure over Store: the tree's stored hashes are written by
// the store in the transaction that appends the entry; this package reads
// them, signs and proves.
package translog

import (
	"context"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/cuakhau/cuakhau"
)

// Leaf returns the data of the Merkle leaf of the entry whose chain hash is
// hash: the hash's 32 bytes. The chain hash already covers every stored
// field of the entry and the entry before it, so a client holding an event
// as the API serves it recomputes its leaf with Event.ComputeHash.
func Leaf(hash string) ([]byte, error) {
	b, err := hex.DecodeString(hash)
	if err != nil || len(b) != 32 {
		return nil, fmt.Errorf("chain hash %q is not 64 hex digits", hash)
	}
	return b, nil
}

// LeafHash returns the Merkle leaf hash of ev, from its fields: it does not
// trust ev.Hash, so that a rewritten entry gives another leaf.
func LeafHash(ev *cuakhau.Event) (tlog.Hash, error) {
	b, err := Leaf(ev.ComputeHash())
	if err != nil {
		return tlog.Hash{}, err
	}
	return tlog.RecordHash(b), nil
}

// Store is what the log reads from the event store.
type Store interface {
	// LogSize returns the number of entries in gate's log, or ENOTFOUND
	// for a gate the store does not have.
	LogSize(ctx context.Context, gate string) (int64, error)
	// ReadLogHashes returns gate's stored hashes at indexes (numbered by
	// tlog.StoredHashIndex), in that order, whether the store keeps them
	// or computes them from the entries.
	ReadLogHashes(ctx context.Context, gate string, indexes []int64) ([]tlog.Hash, error)
}

// MinInterval is the least time between two checkpoints of one gate: under
// load the log grows every few milliseconds, and a checkpoint per request
// would give every reader a different one; a second keeps copies of the
// same checkpoint spreading while still trailing the log by at most that.
const MinInterval = time.Second

// Log signs checkpoints of the gates' trees and proves against them.
type Log struct {
	store  Store
	signer note.Signer
	vkey   string
	clock  cuakhau.Clock

	mu     sync.Mutex
	latest map[string]*Signed
}

// Signed is a signed checkpoint: its parsed body and the note as served.
type Signed struct {
	Checkpoint
	Note []byte
	at   time.Time // when it was made, by the log's clock
}

// New returns the log over store, signing with skey (a note signer key, see
// GenerateKey). The key's name is the origin prefix: gate G's checkpoints
// have the origin "<name>/G".
func New(store Store, skey string, clock cuakhau.Clock) (*Log, error) {
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("log key: %w", err)
	}
	vkey, err := VerifierKey(skey)
	if err != nil {
		return nil, err
	}
	if clock == nil {
		clock = cuakhau.SystemClock{}
	}
	return &Log{store: store, signer: s, vkey: vkey, clock: clock, latest: map[string]*Signed{}}, nil
}

// VerifierKey returns the public verifier key of the log, to give to
// whoever checks its checkpoints (`cuakhau log key`).
func (l *Log) VerifierKey() string { return l.vkey }

// Verifier returns the log's note verifier.
func (l *Log) Verifier() note.Verifier {
	v, err := note.NewVerifier(l.vkey)
	if err != nil {
		panic("translog: own verifier key: " + err.Error()) // made by VerifierKey
	}
	return v
}

// Origin returns the origin line of gate's checkpoints.
func (l *Log) Origin(gate string) string { return l.signer.Name() + "/" + gate }

// Checkpoint returns the latest signed checkpoint of gate's log. A new one
// is signed when the log has grown and the last is MinInterval old;
// Ed25519 signatures are deterministic, so a checkpoint of a given size is
// the same bytes whenever it is made.
func (l *Log) Checkpoint(ctx context.Context, gate string) (*Signed, error) {
	now := l.clock.Now()
	l.mu.Lock()
	last := l.latest[gate]
	l.mu.Unlock()
	if last != nil && now.Sub(last.at) < MinInterval && now.Sub(last.at) >= 0 {
		return last, nil
	}
	n, err := l.store.LogSize(ctx, gate)
	if err != nil {
		return nil, err
	}
	if last != nil && last.Size == n {
		last = &Signed{Checkpoint: last.Checkpoint, Note: last.Note, at: now}
	} else {
		root, err := tlog.TreeHash(n, l.reader(ctx, gate))
		if err != nil {
			return nil, fmt.Errorf("checkpoint of %s: %w", gate, err)
		}
		c := Checkpoint{Origin: l.Origin(gate), Size: n, Root: root}
		msg, err := note.Sign(&note.Note{Text: c.Body()}, l.signer)
		if err != nil {
			return nil, fmt.Errorf("sign checkpoint of %s: %w", gate, err)
		}
		last = &Signed{Checkpoint: c, Note: msg, at: now}
	}
	l.mu.Lock()
	if cur := l.latest[gate]; cur == nil || cur.Size <= last.Size {
		l.latest[gate] = last
	}
	l.mu.Unlock()
	return last, nil
}

// ProveInclusion returns the proof that entry seq of gate's log is in the
// tree of size entries.
func (l *Log) ProveInclusion(ctx context.Context, gate string, seq, size int64) (tlog.RecordProof, error) {
	if seq < 1 || seq > size {
		return nil, cuakhau.Errorf(cuakhau.EINVALID, "entry %d is not in a tree of %d entries", seq, size)
	}
	p, err := tlog.ProveRecord(size, seq-1, l.reader(ctx, gate))
	if err != nil {
		return nil, fmt.Errorf("prove entry %s/%d in tree %d: %w", gate, seq, size, err)
	}
	return p, nil
}

// ProveConsistency returns the proof that gate's tree of to entries
// extends its tree of from entries, after checking both sizes against the
// log: 1 ≤ from ≤ to ≤ its size.
func (l *Log) ProveConsistency(ctx context.Context, gate string, from, to int64) (tlog.TreeProof, error) {
	n, err := l.store.LogSize(ctx, gate)
	if err != nil {
		return nil, err
	}
	switch {
	case from < 1:
		return nil, cuakhau.Invalid("from", "must be at least 1")
	case to < from:
		return nil, cuakhau.Invalid("to", fmt.Sprintf("must be at least from (%d)", from))
	case to > n:
		return nil, cuakhau.Invalid("to", fmt.Sprintf("must be at most the log's size, %d", n))
	}
	p, err := tlog.ProveTree(to, from, l.reader(ctx, gate))
	if err != nil {
		return nil, fmt.Errorf("prove tree %s %d→%d: %w", gate, from, to, err)
	}
	return p, nil
}

func (l *Log) reader(ctx context.Context, gate string) tlog.HashReader {
	return storeReader(ctx, l.store, gate)
}

func storeReader(ctx context.Context, s Store, gate string) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		return s.ReadLogHashes(ctx, gate, indexes)
	})
}
