package sqlstore

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cuakhau/cuakhau"
)

// packSamples are a document of each kind the store packs, and of some it
// does not: the first line of each dictionary is such a document.
func packSamples(t testing.TB) map[string][]byte {
	t.Helper()
	first := func(d *packDict) []byte {
		line, _, _ := bytes.Cut(d.data, []byte("\n"))
		return line
	}
	return map[string][]byte{
		"trip":     first(tripDict),
		"declared": first(declaredDict),
		"called":   first(calledDict),
		"arrived":  first(arrivedDict),
		"bill":     first(billDict),
		"decision": []byte(`{"reading":"ok"}`),
		"controls": []byte(`{"gate":"huu-nghi","lanes":{"border_guard":2,"customs":2,"entry":2,"exit":2,"fee":2,"medical":2,"quarantine":2,"weighbridge":2},"room":201,"policy":"adaptive","hours":{"open":"07:00","close":"20:00"}}`),
		"escapes":  []byte(`{"note":"a \"quoted\" back\\slash \u00e9 tab\t and \\u0000"}`),
	}
}

func TestPackRoundTrip(t *testing.T) {
	for name, doc := range packSamples(t) {
		for _, tt := range []struct {
			kind   string
			stored []byte
			packed bool
		}{
			{"final trip", packTrip(&cuakhau.Trip{Status: cuakhau.StatusCrossed}, doc), true},
			{"trip under way", packTrip(&cuakhau.Trip{Status: cuakhau.StatusInZone}, doc), false},
			{"declared", packEventData(cuakhau.EventDeclared, doc), len(doc) >= minPacked},
			{"called", packEventData(cuakhau.EventCalled, doc), len(doc) >= minPacked},
			{"arrived", packEventData(cuakhau.EventArrived, doc), len(doc) >= minPacked},
			{"decision", packEventData(cuakhau.EventDecision, doc), false},
			{"controls", packEventData(cuakhau.EventControls, doc), false},
		} {
			if isPacked(tt.stored) != tt.packed {
				t.Errorf("%s as %s: packed %v, want %v", name, tt.kind, isPacked(tt.stored), tt.packed)
			}
			if !tt.packed && !bytes.Equal(tt.stored, doc) {
				t.Errorf("%s as %s: stored plain as %q, want it as it is", name, tt.kind, tt.stored)
			}
			got, err := unpack(tt.stored)
			if err != nil || !bytes.Equal(got, doc) {
				t.Errorf("%s as %s: unpack = %q, %v; want %q", name, tt.kind, got, err, doc)
			}
		}
	}
}

// TestPackSaves checks that each dictionary earns its place: a document of
// its kind (not one of the dictionary's) packs to under a third of itself.
func TestPackSaves(t *testing.T) {
	trip := `{"id":"019cb0c1-1e1f-7a5e-9d61-3f0e2b7f10aa","code":"HN-Q4T7K2","gate":"huu-nghi","direction":"export","vehicle":{"plate":"12C-456.78","country":"VN"},"driver":{"name":"Hoàng Văn Bình","id_number":"020198765432"},"enterprise":{"tax_code":"4900123456","name":"Công ty TNHH Nông sản Lạng Sơn"},"containers":["TGHU8812345"],"cargo":[{"hs_code":"0810.60","description":"Sầu riêng tươi","packages":1100,"gross_kg":17600,"value_usd_cents":5280000,"perishable":true,"shelf_life_hours":240}],"customs_declarations":["304123456789"],"planned_arrival":"2026-05-02T03:10:00Z","status":"crossed","channel":"green","checkpoints":[{"code":"entry","kind":"gate","mandatory":true,"state":"passed","at":"2026-05-02T03:12:00Z"},{"code":"border_guard","kind":"border_guard","mandatory":true,"state":"passed","at":"2026-05-02T03:14:00Z"},{"code":"medical","kind":"medical","mandatory":true,"state":"passed","at":"2026-05-02T03:16:00Z"},{"code":"quarantine","kind":"quarantine","mandatory":true,"state":"passed","at":"2026-05-02T03:40:00Z"},{"code":"customs","kind":"customs","mandatory":true,"state":"passed","channel":"green","at":"2026-05-02T03:45:00Z"},{"code":"weighbridge","kind":"gate","mandatory":false,"state":"pending"},{"code":"transshipment","kind":"gate","mandatory":true,"state":"passed","at":"2026-05-02T04:30:00Z"},{"code":"fee","kind":"gate","mandatory":true,"state":"passed","at":"2026-05-02T04:31:00Z"},{"code":"exit","kind":"gate","mandatory":true,"state":"passed","at":"2026-05-02T04:33:00Z"}],"declared_at":"2026-05-02T01:00:00Z","updated_at":"2026-05-02T04:33:00Z","crossed_at":"2026-05-02T04:33:00Z","version":11}`
	packed := packTrip(&cuakhau.Trip{Status: cuakhau.StatusCrossed}, []byte(trip))
	if len(packed)*3 > len(trip) {
		t.Errorf("a crossed trip of %d bytes packs to %d, want under a third", len(trip), len(packed))
	}
}

func TestUnpackRefuses(t *testing.T) {
	doc := packSamples(t)["trip"]
	packed := tripDict.pack(doc)
	for _, tt := range []struct {
		name   string
		stored []byte
		want   string
	}{
		{"unknown marker", append([]byte{0x08}, packed[1:]...), "neither JSON nor"},
		{"bytes after the end", append(bytes.Clone(packed), 0), "after the end"},
		{"cut short", packed[:len(packed)/2], "unexpected EOF"},
		{"another dictionary", append([]byte{declaredDict.marker}, packed[1:]...), ""},
		{"garbage", []byte{0x01, 0xff, 0xff, 0xff}, "corrupt"},
	} {
		got, err := unpack(tt.stored)
		if err == nil {
			if tt.want == "" && !bytes.Equal(got, doc) {
				continue // inflated, to other bytes: a verifier finds them changed
			}
			t.Errorf("%s: unpack = %q, want an error", tt.name, got)
		} else if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: unpack: %v, want …%s…", tt.name, err, tt.want)
		}
	}
}

func TestStoredJSONScan(t *testing.T) {
	doc := packSamples(t)["declared"]
	for _, tt := range []struct {
		name string
		v    any
		want []byte
	}{
		{"old text row", string(doc), doc},
		{"text as bytes", bytes.Clone(doc), doc},
		{"packed", declaredDict.pack(doc), doc},
		{"NULL", nil, nil},
	} {
		var s storedJSON
		if err := s.Scan(tt.v); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !bytes.Equal(s.doc, tt.want) || s.valid != (tt.v != nil) {
			t.Errorf("%s: scanned %q (valid %v), want %q", tt.name, s.doc, s.valid, tt.want)
		}
	}
	var s storedJSON
	if err := s.Scan([]byte{0x03, 0xff}); err == nil {
		t.Error("a packed value that does not inflate scans")
	}
}

// FuzzPack checks that whatever is packed reads back as it was, and that
// unpack never panics on stored bytes.
func FuzzPack(f *testing.F) {
	for _, doc := range packSamples(f) {
		f.Add(doc)
		f.Add(tripDict.pack(doc))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		unpack(b)
		for _, d := range packDicts {
			if got, err := unpack(d.pack(b)); err != nil || !bytes.Equal(got, b) {
				t.Fatalf("packed with %s: unpack = %q, %v; want %q", d.file, got, err, b)
			}
		}
	})
}

// BenchmarkPack measures packing and unpacking one document of each
// kind: the cost a write and a read pay.
func BenchmarkPack(b *testing.B) {
	samples := packSamples(b)
	for _, k := range []struct {
		name string
		dict *packDict
	}{{"trip", tripDict}, {"declared", declaredDict}, {"called", calledDict}, {"arrived", arrivedDict}} {
		doc := samples[k.name]
		packed := k.dict.pack(doc)
		b.Run(k.name+"/pack", func(b *testing.B) {
			for b.Loop() {
				k.dict.pack(doc)
			}
			b.ReportMetric(float64(len(packed)), "bytes")
		})
		b.Run(k.name+"/unpack", func(b *testing.B) {
			for b.Loop() {
				if _, err := unpack(packed); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
