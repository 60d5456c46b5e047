// Package catalog holds the seed catalogue of gates: the Lạng Sơn freight
// crossings with their routes, hours, capacities and checkpoint routes per
// direction, as data (lang-son.json) rather than code, so that another border
// is a new file, not a new program; and the province's targets
// (indicators.json).
package catalog

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/stats"
)

//go:embed lang-son.json
var langSon []byte

//go:embed indicators.json
var indicators []byte

// Indicators returns the province's targets tracked on the dashboard and
// in reports (indicators.json; docs/sources.md says where each comes from),
// freshly decoded.
func Indicators() ([]stats.Indicator, error) {
	return stats.ParseIndicators(indicators)
}

// Reference is the Lạng Sơn gates' published trucks a day in 2025: on
// average over 1,600, peak over 2,000 (docs/sources.md).
func Reference() *stats.Reference {
	return &stats.Reference{Year: 2025, AvgTrucksPerDay: 1600, PeakTrucksPerDay: 2000}
}

// Gates returns the seed gates, freshly decoded so callers may keep them.
func Gates() ([]*cuakhau.Gate, error) {
	return Parse(langSon)
}

// Parse decodes and checks a catalogue: known directions and checkpoint
// kinds, unique codes, hours in HH:MM, and a route for at least one direction.
func Parse(b []byte) ([]*cuakhau.Gate, error) {
	var file struct {
		Gates []*cuakhau.Gate `json:"gates"`
	}
	if err := json.Unmarshal(b, &file); err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	seen := map[string]bool{}
	for _, g := range file.Gates {
		if g.Code == "" || seen[g.Code] {
			return nil, fmt.Errorf("catalog: gate code %q is empty or repeated", g.Code)
		}
		seen[g.Code] = true
		if err := check(g); err != nil {
			return nil, fmt.Errorf("catalog: gate %s: %w", g.Code, err)
		}
	}
	return file.Gates, nil
}

func check(g *cuakhau.Gate) error {
	f := cuakhau.FieldErrors{}
	g.Hours.Check(f, "hours")
	if err := f.Err(); err != nil {
		return err
	}
	if g.LevelScale < 0 {
		return fmt.Errorf("level_scale %g: must not be negative", g.LevelScale)
	}
	if len(g.Checkpoints) == 0 {
		return fmt.Errorf("no checkpoint route")
	}
	for dir, cps := range g.Checkpoints {
		if !dir.Valid() {
			return fmt.Errorf("unknown direction %q", dir)
		}
		codes := map[string]bool{}
		for _, c := range cps {
			switch c.Kind {
			case cuakhau.KindGate, cuakhau.KindMedical, cuakhau.KindCustoms, cuakhau.KindQuarantine, cuakhau.KindBorderGuard:
			default:
				return fmt.Errorf("%s route: checkpoint %s: unknown kind %q", dir, c.Code, c.Kind)
			}
			switch c.When {
			case cuakhau.WhenAlways, cuakhau.WhenQuarantineCargo:
			default:
				return fmt.Errorf("%s route: checkpoint %s: unknown rule %q", dir, c.Code, c.When)
			}
			if c.Code == "" || codes[c.Code] {
				return fmt.Errorf("%s route: checkpoint code %q is empty or repeated", dir, c.Code)
			}
			codes[c.Code] = true
		}
	}
	return nil
}
