package stats

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cuakhau/cuakhau"
)

// Indicator kinds: how a target reads.
const (
	// KindGrowth is a growth in percent a year (exports +10–11 %).
	KindGrowth = "growth"
	// KindShare is a share in percent of a whole (the digital economy
	// over 30 % of GRDP).
	KindShare = "share"
	// KindLevel is a level to reach (2,000 trucks a day).
	KindLevel = "level"
)

// Measures the platform computes from its own data; an indicator without
// one is entered or imported.
const (
	// MeasureTrucksPerDay is the year's average trucks a day, all gates
	// and directions.
	MeasureTrucksPerDay = "trucks_per_day"
	// MeasureExportValueGrowth is the growth of the year's export value
	// against the year before, in percent.
	MeasureExportValueGrowth = "export_value_growth"
	// MeasureTradeValueGrowth is the same for exports and imports together.
	MeasureTradeValueGrowth = "trade_value_growth"
)

// Indicator is a target the province tracks from From to To (years): at
// least Min, and Max the top of the range it was given as (0: none).
type Indicator struct {
	Code string `json:"code"`
	// Name is the indicator's name in vi, en and zh.
	Name    map[string]string `json:"name"`
	Kind    string            `json:"kind"`
	Unit    string            `json:"unit"`
	Min     float64           `json:"min"`
	Max     float64           `json:"max,omitempty"`
	From    int               `json:"from"`
	To      int               `json:"to"`
	Measure string            `json:"measure,omitempty"`
	// Gate narrows a measure to one gate ("" all gates).
	Gate string `json:"gate,omitempty"`
	// Source says where the target comes from.
	Source string `json:"source"`
}

// Actual is an indicator's value for a year, measured by the platform
// (Origin "platform") or entered by a person or imported ("entered").
type Actual struct {
	Code   string  `json:"code"`
	Year   int     `json:"year"`
	Value  float64 `json:"value"`
	Origin string  `json:"origin"`
}

// Actual origins.
const (
	OriginPlatform = "platform"
	OriginEntered  = "entered"
)

// Progress is where an indicator stands in a year.
type Progress struct {
	Indicator Indicator `json:"indicator"`
	Year      int       `json:"year"`
	// Actual is nil when there is no value for the year.
	Actual *Actual `json:"actual"`
	// PercentOfTarget is the actual over the target's minimum, in percent
	// (100: the target is met); nil without an actual.
	PercentOfTarget *float64 `json:"percent_of_target"`
	// Status is on_track (at least the minimum), off_track, or no_data.
	Status string `json:"status"`
}

// Progress statuses.
const (
	OnTrack  = "on_track"
	OffTrack = "off_track"
	NoData   = "no_data"
)

var langs = []string{"vi", "en", "zh"}

// ParseIndicators reads a list of indicators as JSON, checking each: a
// unique code, a name in every language, a known kind and measure, a
// minimum below the maximum, a share from 0 to 100, years in order. Every
// broken rule is named by its field, as indicators[i].field (EINVALID).
func ParseIndicators(b []byte) ([]Indicator, error) {
	var inds []Indicator
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&inds); err != nil {
		return nil, cuakhau.Invalid("indicators", "must be a JSON list of indicators: "+err.Error())
	}
	f := cuakhau.FieldErrors{}
	seen := map[string]bool{}
	for i, ind := range inds {
		at := fmt.Sprintf("indicators[%d].", i)
		switch {
		case ind.Code == "":
			f.Add(at+"code", "required")
		case seen[ind.Code]:
			f.Add(at+"code", fmt.Sprintf("%q is given twice", ind.Code))
		}
		seen[ind.Code] = true
		for _, l := range langs {
			if ind.Name[l] == "" {
				f.Add(at+"name."+l, "required")
			}
		}
		switch ind.Kind {
		case KindGrowth, KindShare, KindLevel:
		default:
			f.Add(at+"kind", fmt.Sprintf("one of %s, %s, %s", KindGrowth, KindShare, KindLevel))
		}
		switch ind.Measure {
		case "", MeasureTrucksPerDay, MeasureExportValueGrowth, MeasureTradeValueGrowth:
		default:
			f.Add(at+"measure", fmt.Sprintf("one of %s, %s, %s, or none (entered)", MeasureTrucksPerDay, MeasureExportValueGrowth, MeasureTradeValueGrowth))
		}
		if math.IsNaN(ind.Min) || math.IsNaN(ind.Max) || (ind.Max != 0 && ind.Max < ind.Min) {
			f.Add(at+"max", "must be at least min, or 0 for none")
		}
		if ind.Kind == KindShare && (ind.Min < 0 || ind.Min > 100 || ind.Max > 100) {
			f.Add(at+"min", "a share is from 0 to 100 %")
		}
		if ind.Kind == KindLevel && ind.Min <= 0 {
			f.Add(at+"min", "a level to reach must be above 0")
		}
		if ind.From < 2000 || ind.To < ind.From || ind.To > 2100 {
			f.Add(at+"to", "years from 2000 to 2100, from no later than to")
		}
		if ind.Source == "" {
			f.Add(at+"source", "required: where the target comes from")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return inds, nil
}

// CheckActual checks an entered value for ind in year: a year of the
// target's range or the one before it (the baseline the dashboard shows
// before the range begins), a number, a share from 0 to 100, a level not
// negative.
func CheckActual(ind Indicator, a Actual) error {
	f := cuakhau.FieldErrors{}
	if a.Year < ind.From-1 || a.Year > ind.To {
		f.Add("year", fmt.Sprintf("the target %s runs from %d to %d: a year from %d to %d", ind.Code, ind.From, ind.To, ind.From-1, ind.To))
	}
	switch {
	case math.IsNaN(a.Value) || math.IsInf(a.Value, 0):
		f.Add("value", "must be a number")
	case ind.Kind == KindShare && (a.Value < 0 || a.Value > 100):
		f.Add("value", "a share is from 0 to 100 %")
	case ind.Kind == KindLevel && a.Value < 0:
		f.Add("value", "must not be negative")
	}
	return f.Err()
}

// Track says where ind stands in year with actual a (nil: none): the
// actual against the target's minimum. A growth target is met at its
// minimum growth; a share or a level at its minimum value.
func Track(ind Indicator, year int, a *Actual) Progress {
	p := Progress{Indicator: ind, Year: year, Actual: a, Status: NoData}
	if a == nil {
		return p
	}
	p.Status = OffTrack
	if a.Value >= ind.Min {
		p.Status = OnTrack
	}
	if ind.Min != 0 {
		pct := 100 * a.Value / ind.Min
		p.PercentOfTarget = &pct
	}
	return p
}

// MeasureQuery is the query that measures ind in year as of today: the
// year to date (the whole year once it has ended) at the indicator's gate,
// exports alone for export growth, totals only. False when ind is not
// measured by the platform or year has not begun.
func MeasureQuery(ind Indicator, year int, today Date) (Query, bool) {
	r := Range{NewDate(year, time.January, 1), NewDate(year, time.December, 31)}
	if today.Before(r.From) {
		return Query{}, false
	}
	if today.Before(r.To) {
		r.To = today
	}
	q := Query{Range: r, Gate: ind.Gate, TotalsOnly: true}
	switch ind.Measure {
	case MeasureTrucksPerDay, MeasureTradeValueGrowth:
	case MeasureExportValueGrowth:
		q.Direction = cuakhau.Export
	default:
		return Query{}, false
	}
	return q, true
}

// MeasureOf is ind's actual for year from p, the answer to its
// MeasureQuery: the average trucks a day over the days so far, or the
// growth of the value against the same days a year earlier. False when p
// holds nothing to measure (no truck, or none the year before to grow
// from).
func MeasureOf(ind Indicator, year int, p *Period) (Actual, bool) {
	c := p.Totals
	var v float64
	switch ind.Measure {
	case MeasureTrucksPerDay:
		if c.Now.Trucks == 0 {
			return Actual{}, false
		}
		v = c.Now.AvgTrucksPerDay
	case MeasureExportValueGrowth, MeasureTradeValueGrowth:
		if c.ValueGrowth == nil || c.Now.ValueUSDCents == 0 {
			return Actual{}, false
		}
		v = *c.ValueGrowth
	default:
		return Actual{}, false
	}
	return Actual{Code: ind.Code, Year: year, Value: v, Origin: OriginPlatform}, true
}

// ActualSource gives the values entered for the indicators the platform
// cannot measure.
type ActualSource interface {
	// EnteredActuals are the values entered for year, by indicator code.
	EnteredActuals(ctx context.Context, p cuakhau.Principal, year int) (map[string]Actual, error)
}

// Lookup returns the indicator with code among inds.
func Lookup(inds []Indicator, code string) (Indicator, bool) {
	for _, ind := range inds {
		if ind.Code == code {
			return ind, true
		}
	}
	return Indicator{}, false
}

// CheckEntry checks a value entered by hand for an indicator of inds: an
// indicator there is, not one the platform measures (its value is the
// platform's), and a value CheckActual accepts. Each broken rule is named
// by its field: indicator, year or value.
func CheckEntry(inds []Indicator, a Actual) error {
	ind, ok := Lookup(inds, a.Code)
	if !ok {
		codes := make([]string, len(inds))
		for i, x := range inds {
			codes[i] = x.Code
		}
		return cuakhau.Invalid("indicator", fmt.Sprintf("unknown indicator %q (one of %s)", a.Code, strings.Join(codes, ", ")))
	}
	if ind.Measure != "" {
		return cuakhau.Invalid("indicator", fmt.Sprintf("%s is measured by the platform (%s), not entered", ind.Code, ind.Measure))
	}
	return CheckActual(ind, a)
}

// ActualsHeader is the header line of a file of entered indicator values.
const ActualsHeader = "indicator,year,value"

// ParseActuals reads a file of entered indicator values under
// ActualsHeader, one indicator and year a line, the value with a dot
// decimal (18.5). It is all or nothing: a wrong header, an unknown or
// measured indicator, a year outside its target's range or not a number,
// a value not a number or out of its range, or an indicator and year given
// twice, and it returns no values and an EINVALID error naming every bad
// line and field (the first MaxHistoryErrors), such as "line 3, value: …".
func ParseActuals(r io.Reader, inds []Indicator) ([]Actual, error) {
	var (
		out   []Actual
		errs  historyErrors
		first = map[[2]string]int{}
	)
	err := eachRecord(r, ActualsHeader, 3, &errs, func(line int, rec []string) {
		a := Actual{Code: strings.TrimSpace(rec[0]), Origin: OriginEntered}
		year, yerr := strconv.Atoi(strings.TrimSpace(rec[1]))
		value, verr := strconv.ParseFloat(strings.TrimSpace(rec[2]), 64)
		if yerr != nil {
			errs.add(line, "year", fmt.Sprintf("must be a year, not %q", rec[1]))
		}
		if verr != nil {
			errs.add(line, "value", fmt.Sprintf("must be a number with a dot decimal, not %q", rec[2]))
		}
		if yerr != nil || verr != nil {
			return
		}
		a.Year, a.Value = year, value
		if err := CheckEntry(inds, a); err != nil {
			fields := cuakhau.ErrorFields(err)
			for _, field := range slices.Sorted(maps.Keys(fields)) {
				errs.add(line, field, fields[field])
			}
			return
		}
		key := [2]string{a.Code, rec[1]}
		if at, ok := first[key]; ok {
			errs.add(line, "year", fmt.Sprintf("%s %d is given on line %d too", a.Code, a.Year, at))
			return
		}
		first[key] = line
		out = append(out, a)
	})
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, errs.err()
	}
	return out, nil
}

// Progresses is where each of inds stands in year as of today, for p: the
// indicators whose range holds year or starts the year after (their
// baseline), each measured from src where the platform measures it
// (MeasureQuery, MeasureOf; a gate p may not read shows no data), and
// otherwise the value entered for it (entered may be nil: none).
func Progresses(ctx context.Context, src Source, entered ActualSource, p cuakhau.Principal, inds []Indicator, year int, today Date) ([]Progress, error) {
	var values map[string]Actual
	if entered != nil && p.CanSeeStats("") {
		var err error
		if values, err = entered.EnteredActuals(ctx, p, year); err != nil {
			return nil, err
		}
	}
	var out []Progress
	for _, ind := range inds {
		if year < ind.From-1 || year > ind.To {
			continue
		}
		var actual *Actual
		if ind.Measure != "" {
			if q, ok := MeasureQuery(ind, year, today); ok && p.CanSeeStats(q.Gate) {
				pd, err := src.Stats(ctx, p, q)
				if err != nil {
					return nil, err
				}
				if a, ok := MeasureOf(ind, year, pd); ok {
					actual = &a
				}
			}
		} else if a, ok := values[ind.Code]; ok {
			actual = &a
		}
		out = append(out, Track(ind, year, actual))
	}
	return out, nil
}
