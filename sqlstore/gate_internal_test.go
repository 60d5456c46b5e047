package sqlstore

import (
	"testing"

	"github.com/cuakhau/cuakhau"
)

func TestLevelThresholds(t *testing.T) {
	gates := map[string]cachedGate{
		"big":   {gate: &cuakhau.Gate{Code: "big", YardCapacity: 600, OverflowCapacity: 200}},
		"small": {gate: &cuakhau.Gate{Code: "small", YardCapacity: 150, OverflowCapacity: 50}},
		"set":   {gate: &cuakhau.Gate{Code: "set", YardCapacity: 1, LevelScale: 0.5}},
	}
	levelThresholds(gates)
	// Shares of yard space: 800/1001 and 200/1001; level_scale wins where set.
	if got := gates["set"].thresholds; got.Yellow != 250 || got.Orange != 500 || got.Red != 2500 {
		t.Errorf("level_scale 0.5: thresholds %+v, want 250/500/2500", got)
	}
	big, small := gates["big"].thresholds, gates["small"].thresholds
	if big.Yellow <= small.Yellow || big.Red >= 5000 || small.Yellow <= 0 {
		t.Errorf("shares: big %+v, small %+v; want both below national, big above small", big, small)
	}
}
