package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/flow"
	"github.com/cuakhau/cuakhau/gatestate"
	"github.com/cuakhau/cuakhau/sched"
)

// QueueConfig tunes the electronic queue. Zero fields take the defaults of
// DefaultQueueConfig.
type QueueConfig struct {
	// Window is the windows' length, horizon and utilization; Open, Close
	// and Location come from each gate.
	Window sched.WindowConfig
	// Sched holds the aging bound and the booking tolerance.
	Sched sched.Config
	// Policy is the call-forward policy of a gate whose operator set none.
	Policy string
	// Lanes is the lanes open per checkpoint until an operator says otherwise.
	Lanes int
	// RatePerLaneHour is the configured service rate, used until enough
	// crossings have been measured.
	RatePerLaneHour float64
	// NoShowRate is the configured no-show share, used until enough bookings
	// have ended.
	NoShowRate float64
	// CrossingTime is the predicted time from call to crossed.
	CrossingTime time.Duration
	// TypicalShelfLife is the shelf life of the typical perishable arrival
	// the advisory and the public feed consider.
	TypicalShelfLife time.Duration
}

// DefaultQueueConfig returns 60 min windows booked 14 days ahead at 85%
// utilization, adaptive call-forward with a 2 h aging bound and ±60 min
// tolerance, 2 lanes of 12 trucks an hour each, 5% no-shows, 2 h to cross
// once called and a 48 h typical shelf life.
func DefaultQueueConfig() QueueConfig {
	return QueueConfig{Window: sched.DefaultWindowConfig(), Sched: sched.DefaultConfig(), Policy: sched.Adaptive,
		Lanes: 2, RatePerLaneHour: 12, NoShowRate: 0.05, CrossingTime: 2 * time.Hour, TypicalShelfLife: 48 * time.Hour}
}

// SetQueueConfig replaces the queue's configuration; call it before serving.
func (db *DB) SetQueueConfig(c QueueConfig) error {
	d := DefaultQueueConfig()
	if c.Window.Length == 0 {
		c.Window.Length = d.Window.Length
	}
	if c.Window.HorizonDays == 0 {
		c.Window.HorizonDays = d.Window.HorizonDays
	}
	if c.Window.Utilization == 0 {
		c.Window.Utilization = d.Window.Utilization
	}
	if c.Sched.AgingBound == 0 {
		c.Sched.AgingBound = d.Sched.AgingBound
	}
	if c.Sched.Tolerance == 0 {
		c.Sched.Tolerance = d.Sched.Tolerance
	}
	if c.Policy == "" {
		c.Policy = d.Policy
	}
	if c.Lanes == 0 {
		c.Lanes = d.Lanes
	}
	if c.RatePerLaneHour == 0 {
		c.RatePerLaneHour = d.RatePerLaneHour
	}
	if c.CrossingTime == 0 {
		c.CrossingTime = d.CrossingTime
	}
	if c.TypicalShelfLife == 0 {
		c.TypicalShelfLife = d.TypicalShelfLife
	}
	if _, err := sched.New(c.Policy, c.Sched); err != nil {
		return fmt.Errorf("queue config: %w", err)
	}
	db.queueCfg = c
	return nil
}

// querier reads inside the write (wtx) or from the read pool.
type querier interface {
	queryRow(ctx context.Context, query string, args ...any) scanner
	query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (t *wtx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.dialect.rebind(query), args...)
}

type readQ struct{ db *DB }

func (r readQ) queryRow(ctx context.Context, query string, args ...any) scanner {
	return faultRow{r.db.read.QueryRowContext(ctx, r.db.q(query), args...)}
}

func (r readQ) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := r.db.read.QueryContext(ctx, r.db.q(query), args...)
	return rows, unavailable(err)
}

// faultRow marks a storage fault met by a read row as EUNAVAILABLE.
type faultRow struct{ row *sql.Row }

func (r faultRow) Scan(dest ...any) error { return unavailable(r.row.Scan(dest...)) }

// windowConfig is the queue's window config for gate cg under its controls
// c (defaults filled in): its hours are c's.
func (db *DB) windowConfig(cg cachedGate, c *cuakhau.GateControls) sched.WindowConfig {
	w := db.queueCfg.Window
	w.Open, w.Close, w.Location = c.Hours.Open, c.Hours.Close, cg.loc
	return w
}

// controls reads a gate's controls, with the defaults for what no operator set.
func (db *DB) controls(ctx context.Context, q querier, cg cachedGate) (*cuakhau.GateControls, error) {
	c := &cuakhau.GateControls{Gate: cg.gate.Code}
	var body string
	err := q.queryRow(ctx, `SELECT body FROM gate_controls WHERE gate = ?`, cg.gate.Code).Scan(&body)
	switch {
	case err == nil:
		if err := json.Unmarshal([]byte(body), c); err != nil {
			return nil, fmt.Errorf("decode controls of gate %s: %w", cg.gate.Code, err)
		}
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("read controls of gate %s: %w", cg.gate.Code, err)
	}
	return db.withDefaults(cg, c), nil
}

// withDefaults is c with the defaults for what no operator set, in a copy:
// c is not modified.
func (db *DB) withDefaults(cg cachedGate, c *cuakhau.GateControls) *cuakhau.GateControls {
	if c == nil {
		c = &cuakhau.GateControls{Gate: cg.gate.Code}
	}
	cc := *c
	cc.Lanes = make(map[string]int, len(c.Lanes))
	for k, v := range c.Lanes {
		cc.Lanes[k] = v
	}
	c = &cc
	for _, d := range cuakhau.Directions {
		for _, cp := range cg.gate.Route(d) {
			if _, ok := c.Lanes[cp.Code]; !ok {
				c.Lanes[cp.Code] = db.queueCfg.Lanes
			}
		}
	}
	if c.Room == 0 {
		c.Room = cg.gate.ControlZoneRoom
	}
	if c.Policy == "" {
		c.Policy = db.queueCfg.Policy
	}
	if c.Hours.IsZero() {
		c.Hours = cg.gate.Hours
	}
	return c
}

// lanesFor is the lanes open at the first checkpoint of direction d, which
// is where the control zone takes trucks in.
func lanesFor(c *cuakhau.GateControls, g *cuakhau.Gate, d cuakhau.Direction) int {
	r := g.Route(d)
	if len(r) == 0 {
		return 0
	}
	return c.Lanes[r[0].Code]
}

// gateLanes is the lanes open at the control zone's entries (each distinct
// first checkpoint counted once).
func gateLanes(c *cuakhau.GateControls, g *cuakhau.Gate) int {
	seen := map[string]bool{}
	n := 0
	for _, d := range cuakhau.Directions {
		if r := g.Route(d); len(r) > 0 && !seen[r[0].Code] {
			seen[r[0].Code] = true
			n += c.Lanes[r[0].Code]
		}
	}
	return n
}

// waitingTruck is a row of the waiting area with the trip's code and plate.
type waitingTruck struct {
	truck     sched.Truck
	direction cuakhau.Direction
	code      string
	plate     string
}

func optTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return parseTime(s)
}

func fmtOpt(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return formatTime(t)
}

// waitingTrucks lists a gate's waiting area in arrival order.
func (db *DB) waitingTrucks(ctx context.Context, q querier, gate string) ([]waitingTruck, error) {
	rows, err := q.query(ctx, `SELECT w.trip_id, w.direction, w.seq, w.arrived_at, w.booked, w.window_start, w.window_end, w.spoils_at, w.priority, w.fifo_turn, t.code, t.plate
		FROM waiting w JOIN trips t ON t.id = w.trip_id WHERE w.gate = ? ORDER BY w.seq`, gate)
	if err != nil {
		return nil, fmt.Errorf("read waiting area of %s: %w", gate, err)
	}
	defer rows.Close()
	var out []waitingTruck
	for rows.Next() {
		var w waitingTruck
		var dir, arrived, ws, we, spoils, turn string
		var booked int
		if err := rows.Scan(&w.truck.ID, &dir, &w.truck.Seq, &arrived, &booked, &ws, &we, &spoils, &w.truck.Priority, &turn, &w.code, &w.plate); err != nil {
			return nil, fmt.Errorf("read waiting area of %s: %w", gate, err)
		}
		w.direction = cuakhau.Direction(dir)
		w.truck.Booked = booked != 0
		for _, p := range []struct {
			s string
			t *time.Time
		}{{arrived, &w.truck.ArrivedAt}, {ws, &w.truck.WindowStart}, {we, &w.truck.WindowEnd}, {spoils, &w.truck.SpoilsAt}, {turn, &w.truck.FIFOTurn}} {
			if *p.t, err = optTime(p.s); err != nil {
				return nil, err
			}
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// crossingsQuery reads a gate's crossings in a time range; its status term
// is the predicate of the partial index events_crossed, written the same
// way so that the planner uses it.
const crossingsQuery = `SELECT at FROM events WHERE gate = ? AND status = 'crossed' AND at > ? AND at <= ?`

// noShowRate is the share of a gate's bookings ended in the last 30 days
// that were not used.
func (db *DB) noShowRate(ctx context.Context, q querier, gate string, now time.Time) (float64, error) {
	var noShows, used int
	err := q.queryRow(ctx, `SELECT coalesce(sum(CASE WHEN state = 'no_show' THEN 1 ELSE 0 END), 0), coalesce(sum(CASE WHEN state = 'used' THEN 1 ELSE 0 END), 0)
		FROM bookings WHERE gate = ? AND state IN ('used', 'no_show') AND ended_at > ?`, gate, formatTime(now.Add(-sched.NoShowWindow))).Scan(&noShows, &used)
	if err != nil {
		return 0, fmt.Errorf("no-show rate of %s: %w", gate, err)
	}
	return sched.NoShowRate(noShows, used, db.queueCfg.NoShowRate), nil
}

// gateState is everything the policies and the windows need of a gate now:
// a view of the gate's in-memory state (st) at now. Inside a write, st is
// the live state, held by the write's batch, and the view is valid until
// the write changes it (refresh); outside, st is a reader's own copy.
type gateState struct {
	cg       cachedGate
	st       *gatestate.State
	controls *cuakhau.GateControls
	zone     int
	perLane  float64
	lanes    int
	policy   sched.Policy
	input    sched.Input
	// bookedAhead is the active bookings whose window starts in the next
	// sched.BookedAheadSpan, for the advisory, and noShow the gate's
	// measured no-show rate (the configured one until enough bookings have
	// ended).
	bookedAhead int
	noShow      float64
	// told is the trips the advisory told to hold at origin in its current
	// episode (within the booking horizon: a trip that has neither come
	// nor booked by then has given up), and held those of them still on
	// their way. They are demand the gate has not served; sched.Advise
	// keeps the advisory in force while there are any (AdviceInput.Held).
	told map[string]bool
	held int
}

// gateState returns the view of gate cg at now. Inside a write (q is the
// batch's *wtx) it is the live state, caught up with the log under the
// gate's lock; outside, a copy of the committed state.
func (db *DB) gateState(ctx context.Context, q querier, cg cachedGate, now time.Time) (*gateState, error) {
	if tx, ok := q.(*wtx); ok {
		st, err := db.heldState(ctx, tx, cg.gate.Code)
		if err != nil {
			return nil, err
		}
		return db.view(cg, st, now)
	}
	var s *gateState
	err := db.withState(ctx, cg, func(st *gatestate.State) error {
		var err error
		s, err = db.view(cg, st.Clone(), now)
		return err
	})
	return s, err
}

// view computes the policies' input and the windows' figures from st.
func (db *DB) view(cg cachedGate, st *gatestate.State, now time.Time) (*gateState, error) {
	c := db.withDefaults(cg, st.Controls())
	s := &gateState{cg: cg, st: st, controls: c, lanes: gateLanes(c, cg.gate), zone: st.Zone()}
	var err error
	if s.policy, err = sched.New(c.Policy, db.queueCfg.Sched); err != nil {
		return nil, fmt.Errorf("policy of gate %s: %w", cg.gate.Code, err)
	}
	now = now.UTC().Truncate(time.Microsecond)
	waiting := st.Waiting()
	// The service rate is measured from the crossings since the oldest
	// truck still waiting (the first by arrival) came (sched.ServiceRatePerLane).
	s.perLane = db.queueCfg.RatePerLaneHour
	if len(waiting) > 0 {
		s.perLane = sched.ServiceRatePerLane(st.Crossings(now.Add(-sched.RateWindow), now), s.lanes, waiting[0].ArrivedAt, now, s.perLane)
	}
	s.bookedAhead = st.BookedBetween(now, now.Add(sched.BookedAheadSpan), true)
	s.noShow = st.NoShowRate(now, db.queueCfg.NoShowRate)
	s.told, s.held = st.Told(now.AddDate(0, 0, -db.queueCfg.Window.HorizonDays))
	// The zone takes no more trucks than the other side, when it has
	// announced its capacity, takes within the call horizon: more would
	// wait at the zero line, out of the policy's reach, longer than a
	// perishable lasts (sched.ZoneBudget). Free is logged with every call,
	// so a replay sees the budget as the call did.
	other := sched.NotAnnounced
	if c.OtherSidePerDay != nil {
		other = float64(*c.OtherSidePerDay)
	}
	s.input = sched.Input{
		Now: now, Waiting: waiting,
		Free:         sched.ZoneBudget(c.Room, s.zone, other, db.openHours(cg, c, now), db.queueCfg.Sched.CallHorizon),
		CrossingTime: db.queueCfg.CrossingTime, ServiceRate: s.perLane * float64(s.lanes),
	}
	return s, nil
}

// calling is gate cg's calling period under its controls c: its hours less
// the last call, one crossing time before closing.
func (db *DB) calling(cg cachedGate, c *cuakhau.GateControls) sched.CallingPeriod {
	return sched.Calling(db.windowConfig(cg, c), db.queueCfg.CrossingTime)
}

// openHours is the hours gate cg's windows span on the local day of now.
func (db *DB) openHours(cg cachedGate, c *cuakhau.GateControls, now time.Time) float64 {
	if ws := sched.Windows(now, db.windowConfig(cg, c)); len(ws) > 0 {
		return ws[len(ws)-1].End.Sub(ws[0].Start).Hours()
	}
	return 0
}

// record is the logged form of a call on s.input choosing r: the waiting
// area by count and digest only (see cuakhau.CallInput), the digest kept by
// the gate's state, whose waiting area s.input's is.
func (db *DB) record(s *gateState, r sched.Ranked) cuakhau.CallRecord {
	return cuakhau.CallRecord{Policy: s.policy.Name(), Version: s.policy.Version(), AgingBoundNS: int64(db.queueCfg.Sched.AgingBound),
		ToleranceNS: int64(db.queueCfg.Sched.Tolerance), N: 1, Input: flow.LoggedInputWith(s.input, s.st.Digest()), Chosen: r.ID, Rank: r.Rank, Class: r.Class, Reason: r.Reason}
}

// called follows a call the write made through s's live state: the truck
// has left the waiting area and entered the zone, and the call's budget has
// one place less.
func (s *gateState) called() {
	s.input.Waiting = s.st.Waiting()
	s.input.Free = max(0, s.input.Free-1)
	s.zone = s.st.Zone()
}

// advice is the gate's inflow advisory now, on the facts s holds
// (sched.AdviceFor).
func (db *DB) advice(s *gateState) sched.Advice {
	f := sched.GateFacts{
		Policy: s.policy, Input: s.input, OpenHours: db.openHours(s.cg, s.controls, s.input.Now),
		BookedAhead: s.bookedAhead, NoShowRate: s.noShow, Held: s.held,
		ShelfLife: db.queueCfg.TypicalShelfLife, Thresholds: s.cg.thresholds,
	}
	if s.controls.OtherSidePerDay != nil {
		f.OtherAnnounced, f.OtherPerDay = true, float64(*s.controls.OtherSidePerDay)
	}
	return sched.Advise(sched.AdviceFor(f))
}

// waitMinutes is a wait in whole minutes, rounded up; −1 when unknown.
func waitMinutes(d time.Duration) int {
	if d < 0 {
		return -1
	}
	return int(math.Ceil(d.Minutes()))
}
