package sqlstore

import (
	"context"
	"fmt"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/stats"
)

// SetIndicators gives the store the province's indicators (the catalogue's
// targets), against which entered values are checked. Call it before
// serving.
func (db *DB) SetIndicators(inds []stats.Indicator) {
	db.indicatorsMu.Lock()
	db.indicators = inds
	db.indicatorsMu.Unlock()
}

func (db *DB) indicatorList() []stats.Indicator {
	db.indicatorsMu.Lock()
	defer db.indicatorsMu.Unlock()
	return db.indicators
}

// SetIndicatorActuals stores values entered by hand for the indicators
// the platform cannot measure, each replacing the one entered before for
// its indicator and year. Only an admin may enter them. All or nothing:
// every entry is checked first (stats.CheckEntry: an indicator of the
// catalogue not measured by the platform, a year of its target's range, a
// number in range), and a refusal names each bad field (with one entry,
// as indicator, year or value; with more, as entries[i].field) and stores
// none.
func (db *DB) SetIndicatorActuals(ctx context.Context, p cuakhau.Principal, entries []stats.Actual) (err error) {
	defer markFault(&err)
	if p.Role != cuakhau.RoleAdmin {
		return cuakhau.Errorf(cuakhau.EFORBIDDEN, "role %s may not enter the indicators' values", p.Role)
	}
	inds := db.indicatorList()
	if len(entries) == 0 {
		return cuakhau.Invalid("entries", "at least one value")
	}
	bad := cuakhau.FieldErrors{}
	for i, a := range entries {
		for field, rule := range cuakhau.ErrorFields(stats.CheckEntry(inds, a)) {
			if len(entries) > 1 {
				field = fmt.Sprintf("entries[%d].%s", i, field)
			}
			bad.Add(field, rule)
		}
	}
	if err := bad.Err(); err != nil {
		return err
	}
	now := formatTime(db.now())
	return db.update(ctx, func(ctx context.Context, tx *wtx) error {
		for _, a := range entries {
			if _, err := tx.exec(ctx, `INSERT INTO indicator_actuals (code, year, value, entered_by, entered_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (code, year) DO UPDATE SET value = excluded.value, entered_by = excluded.entered_by, entered_at = excluded.entered_at`,
				a.Code, a.Year, a.Value, p.Actor(), now); err != nil {
				return fmt.Errorf("store indicator %s %d: %w", a.Code, a.Year, err)
			}
		}
		return nil
	})
}

// EnteredActuals returns the values entered for year, by indicator code
// (stats.ActualSource). Those who may read every gate's statistics may
// read them (admins and viewers).
func (db *DB) EnteredActuals(ctx context.Context, p cuakhau.Principal, year int) (_ map[string]stats.Actual, err error) {
	defer markFault(&err)
	if !p.CanSeeStats("") {
		return nil, cuakhau.Errorf(cuakhau.EFORBIDDEN, "role %s may not read the province's indicators", p.Role)
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT code, value FROM indicator_actuals WHERE year = ?`), year)
	if err != nil {
		return nil, unavailable(fmt.Errorf("read indicators: %w", err))
	}
	defer rows.Close()
	out := map[string]stats.Actual{}
	for rows.Next() {
		a := stats.Actual{Year: year, Origin: stats.OriginEntered}
		if err := rows.Scan(&a.Code, &a.Value); err != nil {
			return nil, fmt.Errorf("read indicators: %w", err)
		}
		out[a.Code] = a
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(fmt.Errorf("read indicators: %w", err))
	}
	return out, nil
}
