package device

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
)

func TestCandidates(t *testing.T) {
	cases := []struct {
		raw  string
		conf float64
		best string // "" when nothing parses
		also string // another candidate expected in the list
	}{
		{"12C45678", 0.93, "12C-456.78", ""},
		{"12c-456.78", 0.9, "12C-456.78", ""},
		{"12C4S678", 0.93, "12C-456.78", ""}, // S read for 5
		{"I2C45678", 0.93, "12C-456.78", ""}, // I read for 1
		{"12C4567B", 0.93, "12C-456.78", ""}, // B read for 8
		{"12CO5678", 0.9, "12C-056.78", ""},  // O read for 0
		{"12C-1234", 0.9, "12C-1234", ""},    // four-digit number
		{"8IC45678", 0.9, "81C-456.78", ""},  // letter in the series slot of a digit
		{"12D45678", 0.9, "12D-456.78", "12D-456.78"},
		{"12045678", 0.9, "12D-456.78", ""}, // 0 read for the series' D
		{"桂F12345", 0.9, "桂F12345", ""},
		{"桂F·I2345", 0.9, "桂F12345", ""},
		{"桂Ｆ１２３４５", 0.9, "桂F12345", ""}, // full-width
		{"", 0.9, "", ""},
		{"---", 0.9, "", ""},
		{"HELLO", 0.9, "", ""},
		{"12C4SS6S8", 0.9, "", ""}, // three swaps: too far
	}
	for _, c := range cases {
		got := Candidates(c.raw, c.conf)
		if c.best == "" {
			if len(got) != 0 {
				t.Errorf("Candidates(%q) = %v, want none", c.raw, got)
			}
			continue
		}
		if len(got) == 0 || got[0].Plate != c.best {
			t.Errorf("Candidates(%q)[0] = %v, want %s", c.raw, got, c.best)
		}
		if c.also != "" && !strings.Contains(strings.Join(Plates(got), " "), c.also) {
			t.Errorf("Candidates(%q) = %v, want %s among them", c.raw, got, c.also)
		}
	}
	// A read that parses as it stands outranks its look-alikes, and the
	// camera's confidence scales every score.
	got := Candidates("桂F1234S", 0.9)
	if len(got) < 2 || got[0] != (Candidate{"桂F1234S", 0.9}) || got[1].Score != 0.45 {
		t.Errorf("scores of 桂F1234S at 0.9: %v", got)
	}
}

func TestMatch(t *testing.T) {
	known := func(ps ...string) func(string) bool {
		return func(p string) bool {
			for _, x := range ps {
				if x == p {
					return true
				}
			}
			return false
		}
	}
	// As read, when that trip exists, even if a look-alike's does too.
	if p, ok := Match(Candidates("12C45678", 0.9), known("12C-456.78", "12C-456.7B")); !ok || p != "12C-456.78" {
		t.Errorf("exact read: %q %v", p, ok)
	}
	// A look-alike when only its trip exists.
	if p, ok := Match(Candidates("12C45678", 0.9), known("12C-456.18")); ok {
		t.Errorf("8→1 is no confusion, matched %q", p)
	}
	if p, ok := Match(Candidates("12C4567B", 0.9), known("12C-456.78")); !ok || p != "12C-456.78" {
		t.Errorf("B for 8: %q %v", p, ok)
	}
	// An unsure camera's look-alikes fall under MinScore.
	if p, ok := Match(Candidates("12C4S67B", 0.5), known("12C-456.78")); ok {
		t.Errorf("two swaps at confidence 0.5 matched %q", p)
	}
	// Two look-alikes equally likely: an operator decides.
	if p, ok := Match([]Candidate{{"桂F12345", 0.45}, {"桂F1234S", 0.45}}, known("桂F12345", "桂F1234S")); ok {
		t.Errorf("tie matched %q", p)
	}
	if _, ok := Match(Candidates("12C45678", 0.9), known()); ok {
		t.Error("unknown plate matched")
	}
}

func TestSignature(t *testing.T) {
	now := time.Unix(1_780_000_000, 0)
	body := []byte(`{"plate":"12C45678","confidence":0.93,"at":"2026-05-28T20:26:40Z"}`)
	ts := now.Unix()
	good := Signed{Timestamp: "1780000000", Signature: Sign("s3cret", ts, body), Body: body}
	if err := CheckSignature("s3cret", good, now); err != nil {
		t.Fatalf("good signature refused: %v", err)
	}
	upper := good
	upper.Signature = "sha256=" + strings.ToUpper(strings.TrimPrefix(good.Signature, "sha256="))
	if err := CheckSignature("s3cret", upper, now); err != nil {
		t.Errorf("upper-case hex refused: %v", err)
	}
	bad := map[string]Signed{
		"no timestamp": {Signature: good.Signature, Body: body},
		"no signature": {Timestamp: good.Timestamp, Body: body},
		"not a number": {Timestamp: "soon", Signature: good.Signature, Body: body},
		"other secret": {Timestamp: good.Timestamp, Signature: Sign("other", ts, body), Body: body},
		"other body":   {Timestamp: good.Timestamp, Signature: good.Signature, Body: append([]byte(" "), body...)},
		"other time":   {Timestamp: "1780000001", Signature: good.Signature, Body: body},
		"no prefix":    {Timestamp: good.Timestamp, Signature: strings.TrimPrefix(good.Signature, "sha256="), Body: body},
		"stale":        {Timestamp: "1779999699", Signature: Sign("s3cret", ts-301, body), Body: body},
		"future":       {Timestamp: "1780000301", Signature: Sign("s3cret", ts+301, body), Body: body},
		"truncated":    {Timestamp: good.Timestamp, Signature: good.Signature[:40], Body: body},
	}
	for name, s := range bad {
		if err := CheckSignature("s3cret", s, now); cuakhau.ErrorCode(err) != cuakhau.EUNAUTHORIZED {
			t.Errorf("%s: %v, want unauthorized", name, err)
		}
	}
	edge := Signed{Timestamp: "1779999700", Signature: Sign("s3cret", ts-300, body), Body: body}
	if err := CheckSignature("s3cret", edge, now); err != nil {
		t.Errorf("5 minutes old refused: %v", err)
	}
}

func TestParseReading(t *testing.T) {
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	if p, err := ParseReading(KindANPR, []byte(`{"plate":"12C45678","confidence":0.93,"at":"2026-12-01T15:00:00+07:00","image":"cam1/0001.jpg"}`), now); err != nil {
		t.Fatal(err)
	} else if p.Candidates[0].Plate != "12C-456.78" || !p.At.Equal(now) {
		t.Errorf("parsed %+v", p)
	}
	if p, err := ParseReading(KindWeighbridge, []byte(`{"gross_kg":24150,"at":"2026-12-01T08:00:00Z"}`), now); err != nil || *p.GrossKg != 24150 {
		t.Errorf("weighing: %+v %v", p, err)
	}
	bad := []struct {
		kind  Kind
		body  string
		field string
	}{
		{KindANPR, ``, "body"},
		{KindANPR, `[]`, "body"},
		{KindANPR, `{"plate":"12C45678","confidence":0.9,"at":"2026-12-01T08:00:00Z"} {}`, "body"},
		{KindANPR, `{"plate":"12C45678","confidence":0.9}`, "at"},
		{KindANPR, `{"plate":"12C45678","confidence":0.9,"at":"yesterday"}`, "at"},
		{KindANPR, `{"plate":"12C45678","confidence":0.9,"at":"2026-12-01T08:06:00Z"}`, "at"},
		{KindANPR, `{"confidence":0.9,"at":"2026-12-01T08:00:00Z"}`, "plate"},
		{KindANPR, `{"plate":"HELLO","confidence":0.9,"at":"2026-12-01T08:00:00Z"}`, "plate"},
		{KindANPR, `{"plate":12,"confidence":0.9,"at":"2026-12-01T08:00:00Z"}`, "plate"},
		{KindANPR, `{"plate":"12C45678","at":"2026-12-01T08:00:00Z"}`, "confidence"},
		{KindANPR, `{"plate":"12C45678","confidence":1.5,"at":"2026-12-01T08:00:00Z"}`, "confidence"},
		{KindANPR, `{"plate":"12C45678","confidence":"high","at":"2026-12-01T08:00:00Z"}`, "confidence"},
		{KindANPR, `{"plate":"12C45678","confidence":0.9,"gross_kg":20000,"at":"2026-12-01T08:00:00Z"}`, "gross_kg"},
		{KindANPR, `{"plate":"12C45678","confidence":0.9,"speed":3,"at":"2026-12-01T08:00:00Z"}`, "speed"},
		{KindWeighbridge, `{"at":"2026-12-01T08:00:00Z"}`, "gross_kg"},
		{KindWeighbridge, `{"gross_kg":0,"at":"2026-12-01T08:00:00Z"}`, "gross_kg"},
		{KindWeighbridge, `{"gross_kg":-5,"at":"2026-12-01T08:00:00Z"}`, "gross_kg"},
		{KindWeighbridge, `{"gross_kg":900000,"at":"2026-12-01T08:00:00Z"}`, "gross_kg"},
		{KindWeighbridge, `{"gross_kg":2.5e4,"at":"2026-12-01T08:00:00Z"}`, "gross_kg"},
		{KindBarrier, `{"at":"2026-12-01T08:00:00Z"}`, "body"},
	}
	for _, c := range bad {
		_, err := ParseReading(c.kind, []byte(c.body), now)
		if _, ok := cuakhau.ErrorFields(err)[c.field]; !ok || cuakhau.ErrorCode(err) != cuakhau.EINVALID {
			t.Errorf("%s %s: %v, want %s named", c.kind, c.body, err, c.field)
		}
	}
}

func TestValidateNew(t *testing.T) {
	ok := Device{ID: "hn-cam-1", Kind: KindANPR, Gate: "huu-nghi", Position: PositionYardIn}
	if err := ValidateNew(ok); err != nil {
		t.Fatal(err)
	}
	for field, d := range map[string]Device{
		"id":       {ID: "Cam 1", Kind: KindANPR, Gate: "g", Position: PositionYardIn},
		"kind":     {ID: "c", Kind: "radar", Gate: "g", Position: PositionYardIn},
		"position": {ID: "c", Kind: KindWeighbridge, Gate: "g", Position: PositionGateOut},
		"gate":     {ID: "c", Kind: KindANPR, Position: PositionYardIn},
	} {
		if _, bad := cuakhau.ErrorFields(ValidateNew(d))[field]; !bad {
			t.Errorf("%+v: want %s refused", d, field)
		}
	}
}

func trip(status cuakhau.Status, states ...string) *cuakhau.Trip {
	codes := []string{"entry", "weighbridge", "medical", "customs", "fee", "exit"}
	t := &cuakhau.Trip{ID: "t1", Code: "ABC123", Status: status}
	t.Cargo = []cuakhau.CargoLine{{GrossKg: 20000}}
	for i, c := range codes {
		st := cuakhau.CheckpointPending
		if i < len(states) {
			st = states[i]
		}
		t.Checkpoints = append(t.Checkpoints, cuakhau.CheckpointState{Code: c, Mandatory: c != "weighbridge", State: st})
	}
	return t
}

func TestPlateRead(t *testing.T) {
	at := func(pos Position) Device { return Device{ID: "cam", Kind: KindANPR, Position: pos} }
	P, S, Pe := cuakhau.CheckpointPassed, cuakhau.CheckpointSkipped, cuakhau.CheckpointPending
	cases := []struct {
		pos    Position
		t      *cuakhau.Trip
		effect Effect
		cp     string
		alert  string
	}{
		{PositionYardIn, trip(cuakhau.StatusDeclared), EffectArrive, "", ""},
		{PositionYardIn, trip(cuakhau.StatusBooked), EffectArrive, "", ""},
		{PositionYardIn, trip(cuakhau.StatusArrived), EffectNone, "", ""},
		{PositionZoneIn, trip(cuakhau.StatusCalled), EffectDecide, "entry", ""},
		{PositionZoneIn, trip(cuakhau.StatusArrived), EffectAlert, "", AlertNotCalled},
		{PositionZoneIn, trip(cuakhau.StatusDeclared), EffectAlert, "", AlertNotCalled},
		{PositionZoneIn, trip(cuakhau.StatusInZone, P), EffectNone, "", ""},
		{PositionGateOut, trip(cuakhau.StatusInZone, P, Pe, P, P, P), EffectDecide, "exit", ""},
		{PositionGateOut, trip(cuakhau.StatusInZone, P, S, P, P, P), EffectDecide, "exit", ""},
		{PositionGateOut, trip(cuakhau.StatusInZone, P, P, P, Pe, P), EffectAlert, "", AlertPendingCheck},
		{PositionGateOut, trip(cuakhau.StatusHeld, P, cuakhau.CheckpointHeld), EffectAlert, "", AlertPendingCheck},
		{PositionGateOut, trip(cuakhau.StatusArrived), EffectAlert, "", AlertPendingCheck},
		{PositionGateOut, trip(cuakhau.StatusCrossed, P, P, P, P, P, P), EffectNone, "", ""},
	}
	for _, c := range cases {
		a := PlateRead(at(c.pos), c.t, "12C-456.78")
		if a.Effect != c.effect || a.Decision.Checkpoint != c.cp || a.Alert != c.alert {
			t.Errorf("%s, %s %v: %+v", c.pos, c.t.Status, c.t.Checkpoints, a)
		}
		if a.Effect == EffectDecide && (a.Decision.Outcome != cuakhau.OutcomePass || a.Decision.Device != "cam" || a.Decision.Reading.Plate != "12C-456.78") {
			t.Errorf("%s: decision %+v", c.pos, a.Decision)
		}
	}
	if a := PlateRead(at(PositionGateOut), trip(cuakhau.StatusInZone, P, P, P, Pe, P), "12C-456.78"); !strings.Contains(a.Reason, "customs") {
		t.Errorf("alarm does not name the pending checkpoint: %s", a.Reason)
	}
}

func TestWeighing(t *testing.T) {
	wb := Device{ID: "wb", Kind: KindWeighbridge, Position: PositionWeighing}
	r := WeighRules{Tolerance: 0.1, TareKg: 15000, LimitKg: 48000}
	in := func() *cuakhau.Trip { return trip(cuakhau.StatusInZone, cuakhau.CheckpointPassed) } // 20 t declared
	for _, c := range []struct {
		gross   int64
		outcome cuakhau.Outcome
		note    string
	}{
		{35000, cuakhau.OutcomePass, ""},
		{37000, cuakhau.OutcomePass, ""}, // 22 t of cargo: 10 %
		{37001, cuakhau.OutcomeHold, "differs"},
		{32999, cuakhau.OutcomeHold, "differs"},
		{48001, cuakhau.OutcomeHold, "overweight"},
	} {
		a := Weighing(wb, in(), "12C-456.78", c.gross, r)
		if a.Effect != EffectDecide || a.Decision.Checkpoint != "weighbridge" || a.Decision.Outcome != c.outcome ||
			!strings.Contains(a.Decision.Note, c.note) || a.Decision.Reading.WeightKg != c.gross {
			t.Errorf("%d kg: %+v", c.gross, a.Decision)
		}
	}
	if a := Weighing(wb, trip(cuakhau.StatusArrived), "p", 35000, r); a.Effect != EffectAlert {
		t.Errorf("weighing in the yard: %+v", a)
	}
	if a := Weighing(wb, trip(cuakhau.StatusInZone, cuakhau.CheckpointPassed, cuakhau.CheckpointPassed), "p", 35000, r); a.Effect != EffectNone {
		t.Errorf("weighed twice: %+v", a)
	}
}

func TestDeduper(t *testing.T) {
	d := NewDeduper(time.Minute, 3)
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	if d.Seen("cam", "A", t0) {
		t.Fatal("first read a duplicate")
	}
	if !d.Seen("cam", "A", t0.Add(59*time.Second)) {
		t.Error("same plate, same camera, within a minute: not a duplicate")
	}
	if d.Seen("cam2", "A", t0.Add(time.Second)) || d.Seen("cam", "B", t0.Add(time.Second)) {
		t.Error("another camera or plate counted as a duplicate")
	}
	if d.Seen("cam", "A", t0.Add(2*time.Minute)) {
		t.Error("a read after the interval counted as a duplicate")
	}
	d.Forget("cam", "A")
	if d.Seen("cam", "A", t0.Add(2*time.Minute+time.Second)) {
		t.Error("a forgotten read counted")
	}
	for i := range 10 { // bounded
		d.Seen("cam", string(rune('C'+i)), t0.Add(time.Hour))
	}
	if len(d.seen) > 3 {
		t.Errorf("deduper holds %d entries, bound 3", len(d.seen))
	}
}

// TestReplays: a signature is refused a second time for as long as its
// timestamp is accepted, and forgotten after; Forget lets it in again.
func TestReplays(t *testing.T) {
	r := NewReplays()
	now := time.Date(2026, 12, 1, 8, 0, 30, 0, time.UTC)
	body := []byte(`{"plate":"12C45678","confidence":0.9,"at":"2026-12-01T08:00:30Z"}`)
	ts := now.Unix()
	s := Signed{Timestamp: strconv.FormatInt(ts, 10), Signature: Sign("ckd_a", ts, body), Body: body}
	until := StaleAt(s)
	if !until.Equal(now.Add(MaxSkew)) {
		t.Fatalf("StaleAt = %v, want %v", until, now.Add(MaxSkew))
	}
	if !r.Add(s.Signature, until, now) {
		t.Fatal("first sight refused")
	}
	if r.Add(strings.ToUpper(s.Signature[:7])+strings.ToUpper(s.Signature[7:]), until, now.Add(time.Second)) {
		t.Error("the replay in upper case taken")
	}
	// Until the timestamp is stale, whenever the replay comes.
	if r.Add(s.Signature, until, until) {
		t.Error("a replay at the last accepted second taken")
	}
	other := Sign("ckd_b", ts, body) // another device's secret: another signature
	if !r.Add(other, until, now) {
		t.Error("another signature refused")
	}
	if r.Len() != 2 {
		t.Errorf("Len = %d, want 2", r.Len())
	}
	r.Forget(other)
	if !r.Add(other, until, now) {
		t.Error("a forgotten signature refused")
	}
	// Past MaxSkew the timestamp is refused anyway, and the set lets go.
	later := until.Add(time.Minute)
	if !r.Add(Sign("ckd_a", later.Unix(), body), StaleAt(Signed{Timestamp: strconv.FormatInt(later.Unix(), 10)}), later) {
		t.Error("a new signature refused")
	}
	if r.Len() != 1 {
		t.Errorf("Len = %d after the window, want 1 (the stale ones dropped)", r.Len())
	}
	if !StaleAt(Signed{Timestamp: "x"}).IsZero() {
		t.Error("StaleAt of no timestamp")
	}
}
