package sqlstore

import (
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// TestStoredHashRule checks the rule of what log_hashes holds against the
// tree's own numbering: tlog.SplitStoredHashIndex inverts StoredHashIndex,
// isStored holds for the levels from storedLevel up, and storedEnd is one
// past the highest index held for every size, as fillLogTrees relies on.
func TestStoredHashRule(t *testing.T) {
	for level := range 12 {
		for n := range int64(3000) {
			x := tlog.StoredHashIndex(level, n)
			if l, m := tlog.SplitStoredHashIndex(x); l != level || m != n {
				t.Fatalf("SplitStoredHashIndex(StoredHashIndex(%d, %d) = %d) = %d, %d", level, n, x, l, m)
			}
			if got := isStored(x); got != (level >= storedLevel) {
				t.Fatalf("isStored(%d), level %d: %v", x, level, got)
			}
		}
	}
	// For 2^storedLevel entries or more, the highest index held is that of
	// the block's top hash; below, nothing is held.
	var end int64
	for n := range int64(5000) {
		if got := storedEnd(n); got != end {
			t.Fatalf("storedEnd(%d) = %d, want %d", n, got, end)
		}
		for x := tlog.StoredHashCount(n); x < tlog.StoredHashCount(n+1); x++ {
			if isStored(x) {
				end = x + 1
			}
		}
	}
}

// TestMergeSpans: spans are joined when they overlap or lie less than a
// block apart, and kept apart otherwise.
func TestMergeSpans(t *testing.T) {
	block := int64(1) << storedLevel
	got := mergeSpans([]seqSpan{{from: 100, to: 100}, {from: 1, to: 2}, {from: 4, to: 4}, {from: 3 + block, to: 3 + block}, {from: 2, to: 3}})
	want := []seqSpan{{from: 1, to: 3 + block}, {from: 100, to: 100}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("mergeSpans = %v, want %v", got, want)
	}
}
