package fee

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

func schedule(t *testing.T) Schedule {
	t.Helper()
	b, err := os.ReadFile("testdata/example-schedule.json")
	if err != nil {
		t.Fatal(err)
	}
	var s Schedule
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if errs := s.Validate(); len(errs) > 0 {
		t.Fatalf("the example schedule does not validate: %v", errs)
	}
	return s
}

func day(t *testing.T, s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestResolutionFigures: the resolution's published points come out of the
// example tariff: the floor, the 40-ft temporary import, the import going
// inland at 130 %, the yard transfer at 30 %, ores five times, a mixed
// load at its highest line and the cap.
func TestResolutionFigures(t *testing.T) {
	s := schedule(t)
	tr, ok := s.InForce(day(t, "2025-05-08"))
	if !ok {
		t.Fatal("no tariff in force on 8 May 2025")
	}
	if _, ok := s.InForce(day(t, "2025-05-07")); ok {
		t.Error("a tariff in force before the resolution")
	}
	for _, tc := range []struct {
		name string
		trip Trip
		want int64
		cap  bool
	}{
		{"fresh vegetables for export, under 2 t", Trip{"under_2t", "export", []string{"0709.99"}}, 100_000, false},
		{"40-ft container, temporary import for re-export", Trip{"container_40ft", "temporary_import", []string{"8471.30"}}, 4_000_000, false},
		{"import going inland, 130 %", Trip{"container_20ft", "import_domestic", []string{"8471.30"}}, 1_950_000, false},
		{"transfer at the yard only, 30 %", Trip{"container_20ft", "yard_transfer", []string{"0810.60"}}, 300_000, false},
		{"ore, five times", Trip{"under_2t", "export", []string{"2601.11"}}, 1_000_000, false},
		{"mixed load at its highest rate", Trip{"container_20ft", "export", []string{"0810.60", "8471.30"}}, 1_500_000, false},
		{"ore in a 40-ft container, capped", Trip{"container_40ft", "import_domestic", []string{"2601.11"}}, 5_000_000, true},
	} {
		b, err := tr.Bill(tc.trip)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if b.AmountVND != tc.want || b.Capped != tc.cap {
			t.Errorf("%s: %d VND (capped %v), want %d (capped %v); lines %+v", tc.name, b.AmountVND, b.Capped, tc.want, tc.cap, b.Lines)
		}
		if n := slices.IndexFunc(b.Lines, func(l Line) bool { return l.Charged }); n < 0 || (!b.Capped && b.Lines[n].AmountVND != b.AmountVND) {
			t.Errorf("%s: the charged line is not the amount: %+v", tc.name, b)
		}
	}
	if _, err := tr.Bill(Trip{"bicycle", "export", []string{"0810.60"}}); err == nil || !strings.Contains(err.Error(), "bicycle") {
		t.Errorf("an unknown vehicle class: %v", err)
	}
	if _, err := tr.Bill(Trip{"under_2t", "export", nil}); err == nil || !strings.Contains(err.Error(), "cargo") {
		t.Errorf("no cargo: %v", err)
	}
}

// TestScheduleRefuses: overlapping periods, negative amounts and the like
// are refused, each error naming its field.
func TestScheduleRefuses(t *testing.T) {
	base := schedule(t)[0]
	next := base
	next.Version, next.From = "next", day(t, "2026-01-01")
	ended := base
	ended.To = day(t, "2025-12-31")
	if errs := (Schedule{ended, next}).Validate(); len(errs) > 0 {
		t.Fatalf("consecutive tariffs refused: %v", errs)
	}
	s := Schedule{ended, next}
	if tr, _ := s.InForce(day(t, "2026-03-01")); tr.Version != "next" {
		t.Errorf("in force on 1 Mar 2026: %s, want next", tr.Version)
	}
	if tr, _ := s.InForce(day(t, "2025-12-31")); tr.Version != base.Version {
		t.Errorf("in force on 31 Dec 2025: %s, want %s", tr.Version, base.Version)
	}

	negative := base
	negative.Rates = slices.Clone(base.Rates)
	negative.Rates[2].AmountVND = -1
	negative.CargoPercent = map[string]int{"ore": -5}
	backwards := ended
	backwards.From, backwards.To = day(t, "2025-06-01"), day(t, "2025-05-31")
	dup := base
	dup.Rates = append(slices.Clone(base.Rates), base.Rates[0])
	nameless := base
	nameless.Version, nameless.Chapters = " ", map[string]string{"7": "fresh_produce", "27": "fuel"}
	for _, tc := range []struct {
		name   string
		s      Schedule
		fields []string
	}{
		{"overlapping periods", Schedule{base, next}, []string{"tariffs[1].from"}},
		{"negative amounts", Schedule{negative}, []string{"tariffs[0].rates[2].amount_vnd", "tariffs[0].cargo_percent.ore"}},
		{"ends before it starts", Schedule{backwards}, []string{"tariffs[0].to"}},
		{"a rate given twice", Schedule{dup}, []string{"tariffs[0].rates[9]"}},
		{"no name, bad chapters", Schedule{nameless}, []string{"tariffs[0].version", "tariffs[0].chapters.27", "tariffs[0].chapters.7"}},
	} {
		var got []string
		for _, e := range tc.s.Validate() {
			got = append(got, e.Field)
		}
		if !slices.Equal(got, tc.fields) {
			t.Errorf("%s: errors on %v, want %v", tc.name, got, tc.fields)
		}
	}
}

// TestExample: the embedded example is the test schedule, and valid.
func TestExample(t *testing.T) {
	s, err := Example()
	if err != nil {
		t.Fatal(err)
	}
	if errs := s.Validate(); len(errs) > 0 || len(s) != len(schedule(t)) || s[0].Version != schedule(t)[0].Version {
		t.Errorf("Example() = %d tariffs (%v), want the test schedule's", len(s), errs)
	}
}
