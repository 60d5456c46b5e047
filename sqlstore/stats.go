package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/flow"
	"github.com/cuakhau/cuakhau/stats"
)

// Sources of daily_stats rows.
const (
	statsLive    = "live"
	statsHistory = "history"
)

// countCrossing adds trip t, which has just crossed, to the statistics in
// the crossing's transaction: its day's row (stats.Crossing, on the
// gate-local day) and its clearance times, its arrival read from its log.
func (db *DB) countCrossing(ctx context.Context, tx *wtx, t *cuakhau.Trip, loc *time.Location) error {
	if t.CrossedAt == nil {
		return nil
	}
	d := stats.Crossing(t, stats.DayOf(*t.CrossedAt, loc))
	if _, err := tx.exec(ctx, `INSERT INTO daily_stats (day, gate, direction, hs_chapter, source, trucks, value_usd_cents, gross_kg)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (day, gate, direction, hs_chapter, source) DO UPDATE SET
			trucks = daily_stats.trucks + excluded.trucks,
			value_usd_cents = daily_stats.value_usd_cents + excluded.value_usd_cents,
			gross_kg = daily_stats.gross_kg + excluded.gross_kg`,
		d.Day.String(), d.Gate, string(d.Direction), d.Chapter, statsLive, d.Trucks, d.ValueUSDCents, d.GrossKg); err != nil {
		return fmt.Errorf("count crossing: %w", err)
	}
	var arrived sql.NullString
	err := tx.queryRow(ctx, `SELECT min(at) FROM events WHERE trip_id = ? AND type = ?`, lookupKey(t.ID), string(cuakhau.EventArrived)).Scan(&arrived)
	if err != nil {
		return fmt.Errorf("count crossing: %w", err)
	}
	ct, err := crossingTimes(t, arrived)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO crossing_times (trip_id, day, gate, direction, declared_s, arrived_s, spoiled) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		t.ID, d.Day.String(), t.Gate, string(t.Direction), ct.Declared, nullSeconds(ct.Arrived), spoiledFlag(t))
	if err != nil {
		return fmt.Errorf("count crossing: %w", err)
	}
	return nil
}

// countSoldOff adds trip t, which has just been cancelled with its load
// sold off, to the sold-off loads in the cancellation's transaction, on
// the gate-local day of the cancellation (t.UpdatedAt: a cancelled trip
// takes no later event).
func (db *DB) countSoldOff(ctx context.Context, tx *wtx, t *cuakhau.Trip, loc *time.Location) error {
	s := stats.SoldOffLoad(t, stats.DayOf(t.UpdatedAt, loc))
	if _, err := tx.exec(ctx, `INSERT INTO sold_off_loads (trip_id, day, gate, direction, value_usd_cents, gross_kg) VALUES (?, ?, ?, ?, ?, ?)`,
		t.ID, s.Day.String(), s.Gate, string(s.Direction), s.ValueUSDCents, s.GrossKg); err != nil {
		return fmt.Errorf("count sold-off load: %w", err)
	}
	return nil
}

// crossingTimes are trip t's clearance times given its first arrival.
func crossingTimes(t *cuakhau.Trip, arrived sql.NullString) (stats.Times, error) {
	ct := stats.Times{Declared: int64(t.CrossedAt.Sub(t.DeclaredAt) / time.Second), Arrived: -1}
	if arrived.Valid {
		at, err := parseTime(arrived.String)
		if err != nil {
			return ct, err
		}
		ct.Arrived = int64(t.CrossedAt.Sub(at) / time.Second)
	}
	return ct, nil
}

// spoiledFlag is crossing_times.spoiled for crossed trip t.
func spoiledFlag(t *cuakhau.Trip) int {
	if flow.CrossedSpoiled(t) {
		return 1
	}
	return 0
}

func nullSeconds(s int64) any {
	if s < 0 {
		return nil
	}
	return s
}

// Stats returns q's statistics (stats.Build): the daily rows of the range
// and of the same period a year earlier, live and imported, with the fees
// of the receipts; the clearance times of the trucks that crossed in the
// range (neither fees nor clearance with q.TotalsOnly), each day's waits
// with q.WaitsByDay, and for a week or less the crossings per hour. Who may read them is Principal.CanSeeStats; a range longer than
// stats.MaxRangeYears or upside down is EINVALID naming the field.
func (db *DB) Stats(ctx context.Context, p cuakhau.Principal, q stats.Query) (_ *stats.Period, err error) {
	defer markFault(&err)
	if err := q.Range.Check(); err != nil {
		return nil, err
	}
	bad := cuakhau.FieldErrors{}
	if q.Gate != "" {
		if _, ok, err := db.cachedGate(ctx, q.Gate); err != nil {
			return nil, err
		} else if !ok {
			bad.Add("gate", fmt.Sprintf("unknown gate %q", q.Gate))
		}
	}
	switch q.Direction {
	case "", cuakhau.Export, cuakhau.Import:
	default:
		bad.Add("direction", "export or import")
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	if !p.CanSeeStats(q.Gate) {
		return nil, cuakhau.Errorf(cuakhau.EFORBIDDEN, "role %s may not read the statistics of %s", p.Role, orAll(q.Gate))
	}
	var daily []stats.Daily
	for _, r := range readRanges(q.Range) {
		if daily, err = db.readDaily(ctx, daily, r, q); err != nil {
			return nil, err
		}
	}
	declared, arrived := stats.Minutes{}, stats.Minutes{}
	var waits map[stats.Date]stats.Minutes
	if !q.TotalsOnly {
		if declared, err = db.minutes(ctx, "declared_s", q); err != nil {
			return nil, err
		}
		if q.WaitsByDay {
			if waits, err = db.minutesByDay(ctx, "arrived_s", q); err != nil {
				return nil, err
			}
			for _, m := range waits {
				for k, n := range m {
					arrived[k] += n
				}
			}
		} else if arrived, err = db.minutes(ctx, "arrived_s", q); err != nil {
			return nil, err
		}
	}
	clearance := stats.ClearanceOf(declared, arrived)
	var spoiled map[stats.Key]int
	if !q.TotalsOnly {
		if spoiled, err = db.spoiledDays(ctx, q); err != nil {
			return nil, err
		}
		for _, n := range spoiled {
			clearance.Spoiled += n
		}
	}
	period := stats.Build(q.Range, q.Gate, q.Direction, daily, clearance)
	period.SpoiledDays = spoiled
	if !q.TotalsOnly {
		sold, err := db.soldOffDays(ctx, q)
		if err != nil {
			return nil, err
		}
		period.AddSoldOff(sold)
	}
	if waits != nil {
		period.WaitsByDay = stats.WaitsOf(waits)
	}
	if q.Range.Days() <= stats.MaxHourlyDays {
		if period.Hours, err = db.crossingHours(ctx, q); err != nil {
			return nil, err
		}
	}
	return &period, nil
}

// spoiledDays counts the spoiled loads of q's range by day, gate and
// direction.
func (db *DB) spoiledDays(ctx context.Context, q stats.Query) (map[stats.Key]int, error) {
	where, args := statsWhere("day", q.Range.From.String(), q.Range.To.String(), q.Gate, q.Direction)
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT day, gate, direction, count(*) FROM crossing_times WHERE spoiled = 1 AND `+where+` GROUP BY day, gate, direction`), args...)
	if err != nil {
		return nil, unavailable(fmt.Errorf("read spoiled loads: %w", err))
	}
	defer rows.Close()
	out := map[stats.Key]int{}
	for rows.Next() {
		var day, gate, dir string
		var n int
		if err := rows.Scan(&day, &gate, &dir, &n); err != nil {
			return nil, fmt.Errorf("read spoiled loads: %w", err)
		}
		d, err := stats.ParseDate(day)
		if err != nil {
			return nil, fmt.Errorf("read spoiled loads: %w", err)
		}
		out[stats.Key{Day: d, Gate: gate, Direction: cuakhau.Direction(dir)}] = n
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(fmt.Errorf("read spoiled loads: %w", err))
	}
	return out, nil
}

// soldOffDays sums the loads sold off in q's range by day, gate and
// direction.
func (db *DB) soldOffDays(ctx context.Context, q stats.Query) ([]stats.SoldOff, error) {
	where, args := statsWhere("day", q.Range.From.String(), q.Range.To.String(), q.Gate, q.Direction)
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT day, gate, direction, count(*), sum(value_usd_cents), sum(gross_kg)
		FROM sold_off_loads WHERE `+where+` GROUP BY day, gate, direction`), args...)
	if err != nil {
		return nil, unavailable(fmt.Errorf("read sold-off loads: %w", err))
	}
	defer rows.Close()
	var out []stats.SoldOff
	for rows.Next() {
		var s stats.SoldOff
		var day, dir string
		if err := rows.Scan(&day, &s.Gate, &dir, &s.Loads, &s.ValueUSDCents, &s.GrossKg); err != nil {
			return nil, fmt.Errorf("read sold-off loads: %w", err)
		}
		if s.Day, err = stats.ParseDate(day); err != nil {
			return nil, fmt.Errorf("read sold-off loads: %w", err)
		}
		s.Direction = cuakhau.Direction(dir)
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(fmt.Errorf("read sold-off loads: %w", err))
	}
	return out, nil
}

// crossingHours counts the trucks that crossed in q's range per hour of
// their gate's time (stats.Hours): each crossed trip's first event in
// the crossed state, through the trips of the range's crossing_times.
func (db *DB) crossingHours(ctx context.Context, q stats.Query) ([]stats.HourCount, error) {
	where, args := statsWhere("c.day", q.Range.From.String(), q.Range.To.String(), "", "")
	if q.Gate != "" {
		where += " AND c.gate = ?"
		args = append(args, q.Gate)
	}
	if q.Direction != "" {
		where += " AND c.direction = ?"
		args = append(args, string(q.Direction))
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT c.gate, min(e.at) FROM crossing_times c
		JOIN events e ON e.trip_id = `+db.dialect.tripKeyOf("c.trip_id")+` AND e.status = ?
		WHERE `+where+` GROUP BY c.trip_id, c.gate`), append([]any{string(cuakhau.StatusCrossed)}, args...)...)
	if err != nil {
		return nil, unavailable(fmt.Errorf("read crossing hours: %w", err))
	}
	defer rows.Close()
	var times []time.Time
	var zones []*time.Location
	for rows.Next() {
		var gate, at string
		if err := rows.Scan(&gate, &at); err != nil {
			return nil, fmt.Errorf("read crossing hours: %w", err)
		}
		t, err := parseTime(at)
		if err != nil {
			return nil, err
		}
		cg, ok, err := db.cachedGate(ctx, gate)
		if err != nil {
			return nil, err
		}
		var loc *time.Location
		if ok {
			loc = cg.loc
		}
		times, zones = append(times, t), append(zones, loc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read crossing hours: %w", err)
	}
	return stats.Hours(q.Range, times, zones, db.statsZone(ctx, q.Gate)), nil
}

// statsZone is the zone a range's hours are laid out in: the gate's, or
// for every gate the first gate's (a border's gates share one).
func (db *DB) statsZone(ctx context.Context, gate string) *time.Location {
	if gate == "" {
		if codes, err := db.GateCodes(ctx); err == nil && len(codes) > 0 {
			gate = codes[0]
		}
	}
	if cg, ok, err := db.cachedGate(ctx, gate); err == nil && ok && cg.loc != nil {
		return cg.loc
	}
	return time.UTC
}

// readRanges are the ranges of days a comparison of r reads: r and the
// same days a year earlier, or the one range from the year earlier's start
// to r's end when the two overlap (r longer than a year). Reading the two
// apart keeps a month's query to its two months, not the thirteen between.
func readRanges(r stats.Range) []stats.Range {
	before := r.YearEarlier()
	if !before.To.Before(r.From) {
		return []stats.Range{r.Span()}
	}
	return []stats.Range{before, r}
}

// readDaily appends to daily the daily rows of range r at q's gate and
// direction, and the fees of the receipts numbered in it (a row per day,
// gate and direction, without trucks).
func (db *DB) readDaily(ctx context.Context, daily []stats.Daily, r stats.Range, q stats.Query) ([]stats.Daily, error) {
	where, args := statsWhere("day", r.From.String(), r.To.String(), q.Gate, q.Direction)
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT day, gate, direction, hs_chapter, sum(trucks), sum(value_usd_cents), sum(gross_kg)
		FROM daily_stats WHERE `+where+` GROUP BY day, gate, direction, hs_chapter`), args...)
	if err != nil {
		return nil, unavailable(fmt.Errorf("read statistics: %w", err))
	}
	for rows.Next() {
		var d stats.Daily
		var day string
		if err := rows.Scan(&day, &d.Gate, &d.Direction, &d.Chapter, &d.Trucks, &d.ValueUSDCents, &d.GrossKg); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read statistics: %w", err)
		}
		if d.Day, err = stats.ParseDate(day); err != nil {
			rows.Close()
			return nil, err
		}
		daily = append(daily, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read statistics: %w", err)
	}
	if q.TotalsOnly {
		return daily, nil
	}
	// The fees: one row per day, gate and direction, without trucks.
	where, args = statsWhere("crossed_day", r.From.String(), r.To.String(), q.Gate, q.Direction)
	rows, err = db.read.QueryContext(ctx, db.q(`SELECT crossed_day, gate, direction, sum(amount_vnd) FROM receipts
		WHERE number IS NOT NULL AND `+where+` GROUP BY crossed_day, gate, direction`), args...)
	if err != nil {
		return nil, unavailable(fmt.Errorf("read fees: %w", err))
	}
	for rows.Next() {
		var d stats.Daily
		var day string
		if err := rows.Scan(&day, &d.Gate, &d.Direction, &d.FeesVND); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read fees: %w", err)
		}
		if d.Day, err = stats.ParseDate(day); err != nil {
			rows.Close()
			return nil, err
		}
		daily = append(daily, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read fees: %w", err)
	}
	return daily, nil
}

// minutes counts the trucks that crossed in q's range by col (declared_s
// or arrived_s) in whole minutes, grouped in the database: a period reads
// its distinct minutes, not a row per truck.
func (db *DB) minutes(ctx context.Context, col string, q stats.Query) (stats.Minutes, error) {
	where, args := statsWhere("day", q.Range.From.String(), q.Range.To.String(), q.Gate, q.Direction)
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT `+col+` / 60, count(*) FROM crossing_times WHERE `+col+` IS NOT NULL AND `+where+` GROUP BY `+col+` / 60`), args...)
	if err != nil {
		return nil, unavailable(fmt.Errorf("read clearance times: %w", err))
	}
	defer rows.Close()
	m := stats.Minutes{}
	for rows.Next() {
		var minute, n int64
		if err := rows.Scan(&minute, &n); err != nil {
			return nil, fmt.Errorf("read clearance times: %w", err)
		}
		m[minute] += n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read clearance times: %w", err)
	}
	return m, nil
}

// minutesByDay is minutes for each day of q's range apart.
func (db *DB) minutesByDay(ctx context.Context, col string, q stats.Query) (map[stats.Date]stats.Minutes, error) {
	where, args := statsWhere("day", q.Range.From.String(), q.Range.To.String(), q.Gate, q.Direction)
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT day, `+col+` / 60, count(*) FROM crossing_times WHERE `+col+` IS NOT NULL AND `+where+` GROUP BY day, `+col+` / 60`), args...)
	if err != nil {
		return nil, unavailable(fmt.Errorf("read clearance times: %w", err))
	}
	defer rows.Close()
	out := map[stats.Date]stats.Minutes{}
	for rows.Next() {
		var day string
		var minute, n int64
		if err := rows.Scan(&day, &minute, &n); err != nil {
			return nil, fmt.Errorf("read clearance times: %w", err)
		}
		d, err := stats.ParseDate(day)
		if err != nil {
			return nil, err
		}
		if out[d] == nil {
			out[d] = stats.Minutes{}
		}
		out[d][minute] += n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read clearance times: %w", err)
	}
	return out, nil
}

func orAll(gate string) string {
	if gate == "" {
		return "every gate"
	}
	return "gate " + gate
}

// statsWhere is the condition on a day column from from to to (inclusive)
// and, when given, a gate and a direction.
func statsWhere(dayCol, from, to, gate string, dir cuakhau.Direction) (string, []any) {
	conds := []string{dayCol + " >= ?", dayCol + " <= ?"}
	args := []any{from, to}
	if gate != "" {
		conds = append(conds, "gate = ?")
		args = append(args, gate)
	}
	if dir != "" {
		conds = append(conds, "direction = ?")
		args = append(args, string(dir))
	}
	return strings.Join(conds, " AND "), args
}

// ImportHistory stores daily history for the years before the platform
// (stats.ParseHistory's rows), all or nothing: a day already imported for
// a gate and direction, or one the platform counted trucks crossing on, is
// refused (ECONFLICT, naming the first such rows) and nothing is stored.
// Only an admin may import.
func (db *DB) ImportHistory(ctx context.Context, p cuakhau.Principal, rows []stats.Daily) (err error) {
	defer markFault(&err)
	if p.Role != cuakhau.RoleAdmin {
		return cuakhau.Errorf(cuakhau.EFORBIDDEN, "role %s may not import statistics", p.Role)
	}
	return db.update(ctx, func(ctx context.Context, tx *wtx) error {
		var clash []string
		for _, d := range rows {
			var n int
			err := tx.queryRow(ctx, `SELECT count(*) FROM daily_stats WHERE day = ? AND gate = ? AND direction = ?`,
				d.Day.String(), d.Gate, string(d.Direction)).Scan(&n)
			if err != nil {
				return err
			}
			if n > 0 && len(clash) < 10 {
				clash = append(clash, fmt.Sprintf("%s %s %s", d.Day, d.Gate, d.Direction))
			}
			if n > 0 {
				continue
			}
			if _, err := tx.exec(ctx, `INSERT INTO daily_stats (day, gate, direction, hs_chapter, source, trucks, value_usd_cents, gross_kg) VALUES (?, ?, ?, '', ?, ?, ?, 0)`,
				d.Day.String(), d.Gate, string(d.Direction), statsHistory, d.Trucks, d.ValueUSDCents); err != nil {
				return err
			}
		}
		if len(clash) > 0 {
			return cuakhau.Errorf(cuakhau.ECONFLICT, "nothing imported: the statistics already hold %s", strings.Join(clash, "; "))
		}
		return nil
	})
}

// fillSpoiled records, for the trucks counted before it was kept, whether
// each crossed with its load spoiled (crossing_times.spoiled NULL).
func (db *DB) fillSpoiled(ctx context.Context) error {
	rows, err := db.read.QueryContext(ctx, `SELECT t.id, t.body FROM crossing_times c JOIN trips t ON t.id = c.trip_id WHERE c.spoiled IS NULL`)
	if err != nil {
		return fmt.Errorf("fill spoiled loads: %w", err)
	}
	flags := map[string]int{}
	for rows.Next() {
		var id string
		var body storedJSON
		if err := rows.Scan(&id, &body); err != nil {
			rows.Close()
			return fmt.Errorf("fill spoiled loads: %w", err)
		}
		t, err := decodeTrip(id, body.doc, nil)
		if err != nil {
			rows.Close()
			return err
		}
		flags[id] = spoiledFlag(t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("fill spoiled loads: %w", err)
	}
	ids := slices.Sorted(maps.Keys(flags))
	for len(ids) > 0 {
		batch := ids[:min(len(ids), 500)]
		ids = ids[len(batch):]
		err := db.update(ctx, func(ctx context.Context, tx *wtx) error {
			for _, id := range batch {
				if _, err := tx.exec(ctx, `UPDATE crossing_times SET spoiled = ? WHERE trip_id = ?`, flags[id], id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("fill spoiled loads: %w", err)
		}
	}
	return nil
}

// fillStats counts every crossed trip without clearance times in the
// statistics (a store that crossed trucks before statistics were kept).
func (db *DB) fillStats(ctx context.Context) error {
	rows, err := db.read.QueryContext(ctx, `SELECT id, body FROM trips WHERE status = 'crossed'
		AND NOT EXISTS (SELECT 1 FROM crossing_times c WHERE c.trip_id = trips.id) ORDER BY declared_at, id`)
	if err != nil {
		return fmt.Errorf("fill statistics: %w", err)
	}
	var trips []*cuakhau.Trip
	for rows.Next() {
		var id string
		var body storedJSON
		if err := rows.Scan(&id, &body); err != nil {
			rows.Close()
			return fmt.Errorf("fill statistics: %w", err)
		}
		t, err := decodeTrip(id, body.doc, nil)
		if err != nil {
			rows.Close()
			return err
		}
		trips = append(trips, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("fill statistics: %w", err)
	}
	for len(trips) > 0 {
		batch := trips[:min(len(trips), 500)]
		trips = trips[len(batch):]
		err := db.update(ctx, func(ctx context.Context, tx *wtx) error {
			for _, t := range batch {
				cg, _, err := db.cachedGate(ctx, t.Gate)
				if err != nil {
					return err
				}
				if err := db.countCrossing(ctx, tx, t, cg.loc); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("fill statistics: %w", err)
		}
	}
	return nil
}

// checkStats compares the live statistics and the clearance times with
// what the rebuilt crossed trips give (imported history has no log to be
// checked against).
func (r *rebuild) checkStats(ctx context.Context, tx *sql.Tx) error {
	wantDays := map[string]stats.Daily{}
	wantTimes := map[string]string{}
	wantSold := map[string]string{}
	for id, t := range r.trips {
		var loc *time.Location
		if cg, ok := r.gates[t.Gate]; ok {
			loc = cg.loc
		}
		if t.Status == cuakhau.StatusCancelled && t.SoldOff {
			wantSold[id] = soldOffRow(stats.SoldOffLoad(t, stats.DayOf(t.UpdatedAt, loc)))
		}
		if t.Status != cuakhau.StatusCrossed || t.CrossedAt == nil {
			continue
		}
		d := stats.Crossing(t, stats.DayOf(*t.CrossedAt, loc))
		k := statsKey(d.Day.String(), d.Gate, string(d.Direction), d.Chapter)
		w := wantDays[k]
		w.Add(d)
		wantDays[k] = w
		arrived := sql.NullString{}
		if at, ok := r.arrived[id]; ok {
			arrived = sql.NullString{String: formatTime(at), Valid: true}
		}
		ct, err := crossingTimes(t, arrived)
		if err != nil {
			return err
		}
		wantTimes[id] = fmt.Sprintf("%s %s %s %d %d %d", d.Day, t.Gate, t.Direction, ct.Declared, ct.Arrived, spoiledFlag(t))
	}
	err := compareTable(ctx, tx, r, "daily_stats", `SELECT day, gate, direction, hs_chapter, trucks, value_usd_cents, gross_kg FROM daily_stats WHERE source = 'live'`, wantDays,
		func(rows *sql.Rows) (string, stats.Daily, error) {
			var d stats.Daily
			var day, gate, dir, ch string
			err := rows.Scan(&day, &gate, &dir, &ch, &d.Trucks, &d.ValueUSDCents, &d.GrossKg)
			return statsKey(day, gate, dir, ch), d, err
		}, func(key string, s, w stats.Daily) error {
			r.fields("daily_stats", key, []string{"trucks", "value_usd_cents", "gross_kg"},
				[]string{fmt.Sprint(s.Trucks), fmt.Sprint(s.ValueUSDCents), fmt.Sprint(s.GrossKg)},
				[]string{fmt.Sprint(w.Trucks), fmt.Sprint(w.ValueUSDCents), fmt.Sprint(w.GrossKg)})
			return nil
		})
	if err != nil {
		return err
	}
	err = compareTable(ctx, tx, r, "sold_off_loads", `SELECT trip_id, day, gate, direction, value_usd_cents, gross_kg FROM sold_off_loads`, wantSold,
		func(rows *sql.Rows) (string, string, error) {
			var s stats.SoldOff
			var id, day, dir string
			err := rows.Scan(&id, &day, &s.Gate, &dir, &s.ValueUSDCents, &s.GrossKg)
			if err == nil {
				s.Day, err = stats.ParseDate(day)
			}
			s.Direction = cuakhau.Direction(dir)
			return id, soldOffRow(s), err
		}, func(key, s, w string) error {
			if s != w {
				r.differ("sold_off_loads", key, "day gate direction value_usd_cents gross_kg", s, w)
			}
			return nil
		})
	if err != nil {
		return err
	}
	return compareTable(ctx, tx, r, "crossing_times", `SELECT trip_id, day, gate, direction, declared_s, arrived_s, spoiled FROM crossing_times`, wantTimes,
		func(rows *sql.Rows) (string, string, error) {
			var id, day, gate, dir string
			var declared int64
			var arrived, spoiled sql.NullInt64
			err := rows.Scan(&id, &day, &gate, &dir, &declared, &arrived, &spoiled)
			a, sp := int64(-1), int64(-1)
			if arrived.Valid {
				a = arrived.Int64
			}
			if spoiled.Valid {
				sp = spoiled.Int64
			}
			return id, fmt.Sprintf("%s %s %s %d %d %d", day, gate, dir, declared, a, sp), err
		}, func(key, s, w string) error {
			if s != w {
				r.differ("crossing_times", key, "day gate direction declared_s arrived_s spoiled", s, w)
			}
			return nil
		})
}

// soldOffRow is a sold_off_loads row as verify compares it.
func soldOffRow(s stats.SoldOff) string {
	return fmt.Sprintf("%s %s %s %d %d", s.Day, s.Gate, s.Direction, s.ValueUSDCents, s.GrossKg)
}

func statsKey(day, gate, dir, chapter string) string {
	return day + "/" + gate + "/" + dir + "/" + chapter
}
