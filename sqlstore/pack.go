package sqlstore

import (
	"bytes"
	"compress/flate"
	"embed"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/cuakhau/cuakhau"
)

// A trip's body and an entry's data are JSON, stored either as the JSON text
// itself or packed: one marker byte, then the JSON compressed with raw
// DEFLATE (RFC 1951) against a preset dictionary that the marker names. No
// JSON text starts with a byte below 0x09 (it starts with '{', '[', a
// letter, a digit, '"', '-' or white space), so the marker tells the two
// apart and rows stored before packing read as they are. Unpacking gives back
// exactly the bytes that were packed: an entry's hash covers its data as
// hashed, and so does every reader's copy.
//
// A dictionary is fixed data: a value packed with it must read for as long
// as the store is kept, so a shipped dictionary is never changed (the
// test's SHA-256 of each holds it still). A better dictionary comes with a new
// marker, and packing then uses it while the old one goes on reading the rows
// packed before.
//
// The dictionaries are sample documents of their kind, one a line
// (dictionaries/NN-kind.jsonl, NN the marker in hex): DEFLATE finds in
// them the keys, the catalogue's names and the shape that every document of
// the kind repeats, so that what is left to store is mostly what is this
// document's own. Each is at most 16 KiB, half of DEFLATE's 32 KiB window.

//go:embed dictionaries/*.jsonl
var dictionaryFiles embed.FS

// packDict is one dictionary with its pools: a flate.Writer keeps its
// dictionary across Reset, and a reader is reset with it.
type packDict struct {
	marker  byte
	file    string
	data    []byte
	writers sync.Pool // *flate.Writer
	readers sync.Pool // io.ReadCloser that is a flate.Resetter
}

func newPackDict(marker byte, file string) *packDict {
	data, err := dictionaryFiles.ReadFile("dictionaries/" + file)
	if err != nil {
		panic(fmt.Sprintf("packing dictionary %s: %v", file, err)) // embedded: cannot happen in a built binary
	}
	return &packDict{marker: marker, file: file, data: data}
}

var (
	tripDict     = newPackDict(0x01, "01-trip.jsonl")
	declaredDict = newPackDict(0x02, "02-declared.jsonl")
	calledDict   = newPackDict(0x03, "03-called.jsonl")
	arrivedDict  = newPackDict(0x04, "04-arrived.jsonl")
	billDict     = newPackDict(0x05, "05-bill.jsonl")
)

// packDicts are the dictionaries by marker, the ones packing no longer
// uses included: every marker ever shipped stays here.
var packDicts = map[byte]*packDict{
	tripDict.marker:     tripDict,
	declaredDict.marker: declaredDict,
	calledDict.marker:   calledDict,
	arrivedDict.marker:  arrivedDict,
	billDict.marker:     billDict,
}

// eventDicts are the dictionaries an entry's data is packed with, by the
// entry's type; the data of other types is stored as it is (a decision's
// is a few bytes, a gate's controls and advisories are rare).
var eventDicts = map[cuakhau.EventType]*packDict{
	cuakhau.EventDeclared: declaredDict,
	cuakhau.EventCalled:   calledDict,
	cuakhau.EventArrived:  arrivedDict,
}

// minPacked is the shortest data worth packing: below it the marker and
// DEFLATE's block header save too little to pay for the work.
const minPacked = 64

// packTrip is a trip's body as it is stored. A final trip's is packed: no
// event changes it any more, and a store a year old holds almost only
// those. A trip under way keeps its JSON text, so that the device readings
// that read and rewrite it pay no compression.
func packTrip(t *cuakhau.Trip, body []byte) []byte {
	if !t.Status.Final() {
		return body
	}
	return tripDict.pack(body)
}

// packEventData is an entry's data as it is stored: packed with its type's
// dictionary when it has one and the data is long enough.
func packEventData(typ cuakhau.EventType, data []byte) []byte {
	d := eventDicts[typ]
	if d == nil || len(data) < minPacked {
		return data
	}
	return d.pack(data)
}

// packBill is a receipt's bill as it is stored (receipts.bill): packed,
// since it never changes and a year keeps one a crossing; a receipt not
// made (no tariff bills the trip) has none.
func packBill(bill string) []byte {
	if bill == "" {
		return []byte{}
	}
	return billDict.pack([]byte(bill))
}

// isPacked reports whether a stored value is packed rather than JSON text.
func isPacked(stored []byte) bool {
	return len(stored) > 0 && stored[0] < 0x09
}

func (d *packDict) pack(doc []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(doc)/3 + 16)
	buf.WriteByte(d.marker)
	w, _ := d.writers.Get().(*flate.Writer)
	if w == nil {
		var err error
		if w, err = flate.NewWriterDict(&buf, flate.DefaultCompression, d.data); err != nil {
			panic(err) // only for a level out of range
		}
	} else {
		w.Reset(&buf)
	}
	// Writes to a bytes.Buffer do not fail.
	w.Write(doc)
	w.Close()
	w.Reset(io.Discard) // let go of buf
	d.writers.Put(w)
	return buf.Bytes()
}

// errNotPacked is unpack's answer for a value whose marker names no
// dictionary.
var errNotPacked = errors.New("it starts with a byte that is neither JSON nor a packing dictionary's marker")

// Unpack returns the JSON text of a trip's body or an entry's data as
// stored (trips.body, events.data): for tools that read the tables
// themselves.
func Unpack(stored []byte) ([]byte, error) { return unpack(stored) }

// unpack returns the JSON text of a stored value: the value itself when it
// is not packed, a new slice otherwise. A packed value that does not inflate
// whole with its dictionary, or that has bytes after its end, is an error:
// it was not written by pack.
func unpack(stored []byte) ([]byte, error) {
	if !isPacked(stored) {
		return stored, nil
	}
	d := packDicts[stored[0]]
	if d == nil {
		return nil, fmt.Errorf("stored JSON: %w (0x%02x)", errNotPacked, stored[0])
	}
	return d.unpack(stored[1:])
}

func (d *packDict) unpack(packed []byte) ([]byte, error) {
	// A bytes.Reader is an io.ByteReader: inflate reads no further than the
	// stream's end, so that bytes after it are seen.
	src := bytes.NewReader(packed)
	r, _ := d.readers.Get().(io.ReadCloser)
	if r == nil {
		r = flate.NewReaderDict(src, d.data)
	} else if err := r.(flate.Resetter).Reset(src, d.data); err != nil {
		return nil, fmt.Errorf("stored JSON packed with dictionary %s: %w", d.file, err)
	}
	defer d.readers.Put(r)
	out := make([]byte, 0, 4*len(packed))
	out, err := readAll(r, out)
	if err != nil {
		return nil, fmt.Errorf("stored JSON packed with dictionary %s: %w", d.file, err)
	}
	if src.Len() != 0 {
		return nil, fmt.Errorf("stored JSON packed with dictionary %s: %d bytes after the end of its stream", d.file, src.Len())
	}
	return out, nil
}

// readAll is io.ReadAll into b.
func readAll(r io.Reader, b []byte) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// storedJSON scans a column of JSON that may be packed (a trip's body, an
// entry's data) into its JSON text; NULL leaves doc nil and valid false.
// A value that does not unpack fails the scan.
type storedJSON struct {
	doc   []byte
	valid bool
}

func (s *storedJSON) Scan(v any) error {
	var b []byte
	switch v := v.(type) {
	case nil:
		*s = storedJSON{}
		return nil
	case []byte:
		if !isPacked(v) {
			// The driver's bytes are its own only until the next Scan.
			*s = storedJSON{doc: bytes.Clone(v), valid: true}
			return nil
		}
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("stored JSON is %T, not text or bytes", v)
	}
	doc, err := unpack(b)
	if err != nil {
		return err
	}
	*s = storedJSON{doc: doc, valid: true}
	return nil
}

// storedValue is a JSON column's value as it is stored, for the verifiers,
// which report a value that does not unpack rather than stop at it.
type storedValue struct {
	b     []byte
	valid bool
}

func (s *storedValue) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*s = storedValue{}
	case []byte:
		*s = storedValue{b: bytes.Clone(v), valid: true}
	case string:
		*s = storedValue{b: []byte(v), valid: true}
	default:
		return fmt.Errorf("stored JSON is %T, not text or bytes", v)
	}
	return nil
}
