// Package fee computes the infrastructure fee a trip pays at the border
// gate: versioned tariffs, effective by date, as data.
//
// A tariff gives a base amount per vehicle class and cargo class; the
// trip's customs regime and its cargo class scale it by a percentage (an
// import for the domestic market 130 %, a transfer at the yard only 30 %,
// ores 500 %); a mixed load pays at its highest line's rate; no trip pays
// more than the cap. A trip pays the tariff in force on the day it crosses;
// two tariffs in force on one day are refused.
//
// The structure is Lạng Sơn People's Council Resolution 09/2025/NQ-HĐND on
// the fee for using infrastructure works in the border-gate areas (in force
// from 8 May 2025): per trip, from 100,000 VND (fresh vegetables for
// export, a vehicle under 2 t) to 4,000,000 VND (a 40-ft container
// temporarily imported for re-export), at most 5,000,000 VND; imports going
// inland pay 130 %, transshipment at the yard only 30 %, ores five times,
// a mixed load the highest rate. The full table of tiers is the
// resolution's to publish; the platform keeps it as editable data.
package fee

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Tariff is one version of the fee's table, in force from From to To
// (inclusive dates, gate-local; a zero To is open-ended).
type Tariff struct {
	Version string `json:"version"`
	// Note says where the figures come from, and which are examples.
	Note string `json:"note,omitempty"`
	From Date   `json:"from"`
	To   Date   `json:"to,omitzero"`
	// Rates are the base amounts, one per vehicle class and cargo class.
	Rates []Rate `json:"rates"`
	// RegimePercent scales the base by the trip's customs regime (130 for
	// import_domestic); a regime not listed pays 100 %.
	RegimePercent map[string]int `json:"regime_percent"`
	// CargoPercent scales the base by the cargo class (500 for ore).
	CargoPercent map[string]int `json:"cargo_percent"`
	// Chapters gives the cargo class of each HS chapter ("07", "08":
	// fresh_produce); any other chapter is DefaultCargo.
	Chapters     map[string]string `json:"chapters"`
	DefaultCargo string            `json:"default_cargo"`
	// CapVND is the most a trip pays (0: no cap).
	CapVND int64 `json:"cap_vnd"`
}

// Rate is a base amount in whole đồng.
type Rate struct {
	Vehicle   string `json:"vehicle"`
	Cargo     string `json:"cargo"`
	AmountVND int64  `json:"amount_vnd"`
}

// Date is a calendar day, written 2025-05-08.
type Date struct{ time.Time }

// ParseDate reads 2025-05-08.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	return Date{t}, err
}

func (d Date) MarshalJSON() ([]byte, error) { return []byte(`"` + d.Format(time.DateOnly) + `"`), nil }

func (d *Date) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	d.Time = t
	return nil
}

// FieldError is a field of a tariff schedule that breaks its rule, by its
// path (tariffs[1].rates[0].amount_vnd).
type FieldError struct{ Field, Rule string }

func (e *FieldError) Error() string { return e.Field + ": " + e.Rule }

// Schedule is every tariff version, the fee's whole history.
type Schedule []Tariff

// Validate reports every field that breaks its rule: a version without a
// name or a start, a period ending before it starts, two tariffs in force on
// one day, a negative amount or percentage, a vehicle and cargo class given
// twice, a cargo class with no rate.
func (s Schedule) Validate() []*FieldError {
	var errs []*FieldError
	bad := func(field, rule string, args ...any) {
		errs = append(errs, &FieldError{field, fmt.Sprintf(rule, args...)})
	}
	for i, t := range s {
		at := fmt.Sprintf("tariffs[%d]", i)
		if strings.TrimSpace(t.Version) == "" {
			bad(at+".version", "must not be empty")
		}
		if t.From.IsZero() {
			bad(at+".from", "must be a date")
		}
		if !t.To.IsZero() && t.To.Before(t.From.Time) {
			bad(at+".to", "must not be before from (%s)", t.From.Format(time.DateOnly))
		}
		for j, u := range s[:i] {
			if overlaps(t, u) {
				bad(at+".from", "in force on the same days as tariffs[%d] (%s)", j, u.Version)
			}
		}
		if t.CapVND < 0 {
			bad(at+".cap_vnd", "must not be negative")
		}
		if len(t.Rates) == 0 {
			bad(at+".rates", "must have at least one rate")
		}
		seen := map[[2]string]bool{}
		cargo := map[string]bool{}
		for k, r := range t.Rates {
			rt := fmt.Sprintf("%s.rates[%d]", at, k)
			switch {
			case r.Vehicle == "":
				bad(rt+".vehicle", "must not be empty")
			case r.Cargo == "":
				bad(rt+".cargo", "must not be empty")
			case seen[[2]string{r.Vehicle, r.Cargo}]:
				bad(rt, "vehicle %s with cargo %s is given twice", r.Vehicle, r.Cargo)
			}
			if r.AmountVND < 0 {
				bad(rt+".amount_vnd", "must not be negative")
			}
			seen[[2]string{r.Vehicle, r.Cargo}], cargo[r.Cargo] = true, true
		}
		for _, m := range []struct {
			name string
			pct  map[string]int
		}{{"regime_percent", t.RegimePercent}, {"cargo_percent", t.CargoPercent}} {
			for _, k := range sortedKeys(m.pct) {
				if m.pct[k] < 0 {
					bad(fmt.Sprintf("%s.%s.%s", at, m.name, k), "must not be negative")
				}
			}
		}
		for _, ch := range sortedKeys(t.Chapters) {
			if len(ch) != 2 || ch[0] < '0' || ch[0] > '9' || ch[1] < '0' || ch[1] > '9' {
				bad(fmt.Sprintf("%s.chapters.%s", at, ch), "must be a two-digit HS chapter")
			} else if !cargo[t.Chapters[ch]] {
				bad(fmt.Sprintf("%s.chapters.%s", at, ch), "cargo class %q has no rate", t.Chapters[ch])
			}
		}
		if !cargo[t.DefaultCargo] {
			bad(at+".default_cargo", "cargo class %q has no rate", t.DefaultCargo)
		}
	}
	return errs
}

func overlaps(a, b Tariff) bool {
	end := func(t Tariff) time.Time {
		if t.To.IsZero() {
			return time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
		}
		return t.To.Time
	}
	return !a.From.After(end(b)) && !b.From.After(end(a))
}

// InForce is the tariff in force on day (gate-local date); false if none.
func (s Schedule) InForce(day Date) (*Tariff, bool) {
	for i := range s {
		t := &s[i]
		if !day.Before(t.From.Time) && (t.To.IsZero() || !day.After(t.To.Time)) {
			return t, true
		}
	}
	return nil, false
}

// Trip is what the fee depends on: the vehicle's class, the customs regime
// (export, import_domestic, temporary_import, transit, yard_transfer …, as
// the tariff names them) and the HS codes of its cargo lines.
type Trip struct {
	Vehicle string
	Regime  string
	HSCodes []string
}

// Bill is a trip's fee and how it was reached.
type Bill struct {
	Version   string `json:"tariff_version"`
	AmountVND int64  `json:"amount_vnd"`
	Lines     []Line `json:"lines"`
	Capped    bool   `json:"capped"`
}

// Line is one cargo line's rate; Charged marks the one the trip pays.
type Line struct {
	HSCode        string `json:"hs_code"`
	Cargo         string `json:"cargo"`
	BaseVND       int64  `json:"base_vnd"`
	RegimePercent int    `json:"regime_percent"`
	CargoPercent  int    `json:"cargo_percent"`
	AmountVND     int64  `json:"amount_vnd"`
	Charged       bool   `json:"charged"`
}

// Bill computes trip's fee under t: each cargo line's base for the vehicle
// and the line's cargo class, scaled by the regime's and the cargo's
// percentages (rounded to the nearest đồng); the trip pays its highest
// line, at most the cap. A vehicle class or cargo class the tariff has no
// rate for is an error naming it.
func (t *Tariff) Bill(trip Trip) (Bill, error) {
	if len(trip.HSCodes) == 0 {
		return Bill{}, &FieldError{"cargo", "must have at least one line"}
	}
	b := Bill{Version: t.Version}
	regime := pct(t.RegimePercent, trip.Regime)
	best := -1
	for _, hs := range trip.HSCodes {
		class := t.DefaultCargo
		if ch := chapter(hs); ch != "" {
			if c, ok := t.Chapters[ch]; ok {
				class = c
			}
		}
		i := slices.IndexFunc(t.Rates, func(r Rate) bool { return r.Vehicle == trip.Vehicle && r.Cargo == class })
		if i < 0 {
			return Bill{}, &FieldError{"vehicle", fmt.Sprintf("tariff %s has no rate for vehicle %q with cargo %q", t.Version, trip.Vehicle, class)}
		}
		cargo := pct(t.CargoPercent, class)
		l := Line{HSCode: hs, Cargo: class, BaseVND: t.Rates[i].AmountVND, RegimePercent: regime, CargoPercent: cargo,
			AmountVND: scale(t.Rates[i].AmountVND, regime, cargo)}
		b.Lines = append(b.Lines, l)
		if best < 0 || l.AmountVND > b.Lines[best].AmountVND {
			best = len(b.Lines) - 1
		}
	}
	b.Lines[best].Charged = true
	b.AmountVND = b.Lines[best].AmountVND
	if t.CapVND > 0 && b.AmountVND > t.CapVND {
		b.AmountVND, b.Capped = t.CapVND, true
	}
	return b, nil
}

func pct(m map[string]int, k string) int {
	if v, ok := m[k]; ok {
		return v
	}
	return 100
}

// scale is base × a % × b %, rounded half up to a whole đồng.
func scale(base int64, a, b int) int64 {
	return (base*int64(a)*int64(b) + 5000) / 10000
}

// chapter is an HS code's first two digits, dotted or not.
func chapter(hs string) string {
	hs = strings.ReplaceAll(hs, ".", "")
	if len(hs) < 2 {
		return ""
	}
	return hs[:2]
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, cmp.Compare)
	return keys
}
