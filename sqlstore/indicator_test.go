package sqlstore_test

import (
	"context"
	"math"
	"testing"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/catalog"
	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/cuakhau/cuakhau/stats"
)

// TestIndicatorActuals: an admin enters the values the platform cannot
// measure, a later value for the same year replaces the first, viewers read
// them and may not enter them; a batch with one bad entry stores none and
// names the entry and field; an unknown or measured indicator, a year
// outside the target's range and a value that is no number are refused by
// field.
func TestIndicatorActuals(t *testing.T) {
	inds, err := catalog.Indicators()
	if err != nil {
		t.Fatal(err)
	}
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		db.SetIndicators(inds)
		entry := func(code string, year int, v float64) stats.Actual {
			return stats.Actual{Code: code, Year: year, Value: v, Origin: stats.OriginEntered}
		}
		if err := db.SetIndicatorActuals(ctx, admin, []stats.Actual{entry("digital_economy_share", 2026, 17), entry("grdp_growth", 2026, 8.2)}); err != nil {
			t.Fatal(err)
		}
		if err := db.SetIndicatorActuals(ctx, admin, []stats.Actual{entry("digital_economy_share", 2026, 18.5)}); err != nil {
			t.Fatal(err)
		}
		got, err := db.EnteredActuals(ctx, viewer, 2026)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got["digital_economy_share"].Value != 18.5 || got["grdp_growth"].Value != 8.2 || got["grdp_growth"].Origin != stats.OriginEntered {
			t.Errorf("entered 2026: %+v", got)
		}
		if other, err := db.EnteredActuals(ctx, viewer, 2027); err != nil || len(other) != 0 {
			t.Errorf("2027: %v, %v", other, err)
		}
		if err := db.SetIndicatorActuals(ctx, viewer, []stats.Actual{entry("grdp_growth", 2027, 9)}); cuakhau.ErrorCode(err) != cuakhau.EFORBIDDEN {
			t.Errorf("a viewer entering: %v, want forbidden", err)
		}
		if _, err := db.EnteredActuals(ctx, cuakhau.Principal{Role: cuakhau.RoleEnterprise, TaxCode: "0100109106"}, 2026); cuakhau.ErrorCode(err) != cuakhau.EFORBIDDEN {
			t.Errorf("an enterprise reading: %v, want forbidden", err)
		}
		// One bad entry of two: nothing stored.
		err = db.SetIndicatorActuals(ctx, admin, []stats.Actual{entry("grdp_growth", 2027, 9), entry("grdp_growth", 2031, 9)})
		if _, ok := cuakhau.ErrorFields(err)["entries[1].year"]; !ok {
			t.Errorf("a year after the target's range: %v, want entries[1].year", err)
		}
		if after, _ := db.EnteredActuals(ctx, viewer, 2027); len(after) != 0 {
			t.Errorf("a refused batch stored %+v", after)
		}
		for _, c := range []struct {
			a     stats.Actual
			field string
		}{
			{entry("no_such_target", 2026, 1), "indicator"},
			{entry("smart_gate_huu_nghi_trucks", 2026, 1500), "indicator"},
			{entry("digital_economy_share", 2024, 20), "year"},
			{entry("digital_economy_share", 2026, math.NaN()), "value"},
			{entry("digital_economy_share", 2026, 130), "value"},
		} {
			if _, ok := cuakhau.ErrorFields(db.SetIndicatorActuals(ctx, admin, []stats.Actual{c.a}))[c.field]; !ok {
				t.Errorf("%+v: want %s named", c.a, c.field)
			}
		}
	})
}
