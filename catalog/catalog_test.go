package catalog

import (
	"strings"
	"testing"

	"github.com/cuakhau/cuakhau"
)

func TestGates(t *testing.T) {
	gates, err := Gates()
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, g := range gates {
		codes = append(codes, g.Code)
		for _, d := range cuakhau.Directions {
			r := g.Route(d)
			if len(r) == 0 {
				t.Errorf("%s: no %s route", g.Code, d)
				continue
			}
			if first, last := r[0].Code, r[len(r)-1].Code; first != "entry" || last != "exit" {
				t.Errorf("%s %s: route runs %s…%s, want entry…exit", g.Code, d, first, last)
			}
		}
		if g.YardCapacity <= 0 || g.ControlZoneRoom <= 0 || g.DesignCapacityPerDay <= 0 {
			t.Errorf("%s: capacities must be positive: %+v", g.Code, g)
		}
	}
	if got, want := strings.Join(codes, ","), "huu-nghi,tan-thanh,chi-ma,coc-nam"; got != want {
		t.Errorf("gate codes = %s, want %s", got, want)
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct{ name, json, want string }{
		{"repeated code", `{"gates":[{"code":"a","hours":{"open":"07:00","close":"20:00"},"checkpoints":{"export":[]}},{"code":"a"}]}`, "repeated"},
		{"bad hours", `{"gates":[{"code":"a","hours":{"open":"7","close":"20:00"},"checkpoints":{"export":[]}}]}`, "hours"},
		{"bad direction", `{"gates":[{"code":"a","hours":{"open":"07:00","close":"20:00"},"checkpoints":{"sideways":[]}}]}`, "unknown direction"},
		{"bad kind", `{"gates":[{"code":"a","hours":{"open":"07:00","close":"20:00"},"checkpoints":{"export":[{"code":"x","kind":"police"}]}}]}`, "unknown kind"},
		{"no route", `{"gates":[{"code":"a","hours":{"open":"07:00","close":"20:00"}}]}`, "no checkpoint route"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse() error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestIndicators: the province's targets parse, and every measured one
// narrowed to a gate names a gate of the catalogue.
func TestIndicators(t *testing.T) {
	inds, err := Indicators()
	if err != nil {
		t.Fatal(err)
	}
	gates, err := Gates()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, g := range gates {
		known[g.Code] = true
	}
	measured := 0
	for _, ind := range inds {
		if ind.Gate != "" && !known[ind.Gate] {
			t.Errorf("%s is measured at unknown gate %q", ind.Code, ind.Gate)
		}
		if ind.Measure != "" {
			measured++
		}
	}
	if len(inds) < 4 || measured == 0 {
		t.Errorf("%d indicators, %d measured by the platform", len(inds), measured)
	}
}
