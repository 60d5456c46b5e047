package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/cuakhau/cuakhau"
)

// The shipped dictionaries, held still: a value packed with one must read
// for as long as a store is kept. Never change a line here; a new
// dictionary takes a new marker (and a new line).
var shippedDicts = []struct {
	dict   *packDict
	sha256 string
}{
	{tripDict, "ba2c75a96350e86784dad749f91e8956caac828279a4122066b24f3dfaebfe82"},
	{declaredDict, "4fa8b808b31ec8ac53bb5e1cd61afc6d6bdc3c0afe9c49dca2482d481862f733"},
	{calledDict, "831777d3aa986f2448e0e4344b8f082e2cf66b0831012cf404756f034d53d91c"},
	{arrivedDict, "dc496797e623230b8843a5d66ed69dc06375d1eb3c9f2a45863d5a39388e1bff"},
	{billDict, "04c107ffac3d82913882b70452bcf863a5f76a03c33c51e4a0022b42fa2b7937"},
}

func TestDictionariesAreShipped(t *testing.T) {
	seen := map[byte]bool{}
	for _, s := range shippedDicts {
		d := s.dict
		sum := sha256.Sum256(d.data)
		if got := hex.EncodeToString(sum[:]); got != s.sha256 {
			t.Errorf("dictionary %s (0x%02x) has SHA-256 %s, want %s: a shipped dictionary never changes", d.file, d.marker, got, s.sha256)
		}
		if len(d.data) > 16<<10 {
			t.Errorf("dictionary %s is %d bytes, more than 16 KiB", d.file, len(d.data))
		}
		if d.marker == 0 || d.marker >= 0x09 {
			t.Errorf("dictionary %s has marker 0x%02x; a marker is 0x01 to 0x08, below any JSON text", d.file, d.marker)
		}
		if packDicts[d.marker] != d {
			t.Errorf("dictionary %s is not packDicts' 0x%02x", d.file, d.marker)
		}
		seen[d.marker] = true
	}
	if len(seen) != len(packDicts) {
		t.Errorf("%d dictionaries are shipped, packDicts holds %d", len(seen), len(packDicts))
	}
}

var dictionariesFrom = flag.String("dictionaries-from", "", "build candidate packing dictionaries from the store at this DSN (see TestBuildDictionaries)")

// dictionarySamples are the documents each dictionary is built from: a
// query of one stored JSON column, in an order the store keeps, and the
// dictionary's size.
var dictionarySamples = []struct {
	file  string
	query string
	size  int
}{
	{"trip", `SELECT body FROM trips WHERE status IN ('crossed', 'cancelled', 'no_show', 'rejected') ORDER BY declared_at, id`, 16 << 10},
	{"declared", `SELECT data FROM events WHERE type = 'declared' ORDER BY gate, seq`, 16 << 10},
	{"called", `SELECT data FROM events WHERE type = 'called' ORDER BY gate, seq`, 4 << 10},
	{"arrived", `SELECT data FROM events WHERE type = 'arrived' AND data IS NOT NULL ORDER BY gate, seq`, 8 << 10},
	{"bill", `SELECT bill FROM receipts WHERE number IS NOT NULL ORDER BY crossed_at, trip_id`, 4 << 10},
}

// TestBuildDictionaries writes candidate dictionaries, which a new marker
// may ship, built from realistic documents: those of a seeded store,
//
//	cuakhau migrate --db sqlite:/tmp/dict.db
//	cuakhau seed --days 1 --from 2026-03-01 --db sqlite:/tmp/dict.db --quiet
//	go test ./sqlstore/ -run TestBuildDictionaries -dictionaries-from sqlite:/tmp/dict.db
//
// into the test's log folder. The shipped 0x01 to 0x05 were built so.
func TestBuildDictionaries(t *testing.T) {
	if *dictionariesFrom == "" {
		t.Skip("no -dictionaries-from")
	}
	ctx := context.Background()
	db, err := Open(ctx, *dictionariesFrom, cuakhau.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dir := t.TempDir()
	if out := os.Getenv("DICTIONARIES_OUT"); out != "" {
		dir = out
	}
	for _, s := range dictionarySamples {
		rows, err := db.read.QueryContext(ctx, s.query)
		if err != nil {
			t.Fatal(err)
		}
		var docs [][]byte
		for rows.Next() {
			var doc storedJSON
			if err := rows.Scan(&doc); err != nil {
				t.Fatal(err)
			}
			docs = append(docs, doc.doc)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		dict := buildDictionary(docs, s.size)
		name := filepath.Join(dir, s.file+".jsonl")
		if err := os.WriteFile(name, dict, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d bytes from %d documents", name, len(dict), len(docs))
	}
}

// buildDictionary takes documents spread evenly over docs, one a line,
// until the next would pass size: as many as fit of the kinds the documents
// hold, in the proportions they hold them.
func buildDictionary(docs [][]byte, size int) []byte {
	if len(docs) == 0 {
		return nil
	}
	total := 0
	for _, d := range docs {
		total += len(d) + 1
	}
	fit := max(1, size*len(docs)/total)
	var dict []byte
	for i := range fit {
		d := docs[i*len(docs)/fit]
		if len(dict)+len(d)+1 > size {
			break
		}
		dict = append(append(dict, d...), '\n')
	}
	return dict
}
