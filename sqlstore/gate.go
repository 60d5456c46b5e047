package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sched"
)

// gateCache holds the gate catalogue in memory: every declaration and
// decision needs its gate's route, and the catalogue changes only when a
// release seeds a new gate.
type gateCache struct {
	mu     sync.RWMutex
	loaded bool
	order  []string
	byCode map[string]cachedGate
}

// cachedGate keeps the decoded gate for the store's own use (flow only reads
// it) and the JSON to give callers a copy they may change.
type cachedGate struct {
	gate *cuakhau.Gate
	body []byte
	loc  *time.Location
	// thresholds are the gate's congestion levels (see levelThresholds).
	thresholds sched.Thresholds
}

// Seed inserts the gates that are not yet stored, with an empty log head for
// each, and leaves stored gates as they are; seeding twice changes nothing.
func (db *DB) Seed(ctx context.Context, gates []*cuakhau.Gate) error {
	err := db.update(ctx, func(ctx context.Context, tx *wtx) error {
		for i, g := range gates {
			if g == nil || g.Code == "" {
				return fmt.Errorf("gate %d has no code", i)
			}
			body, err := json.Marshal(g)
			if err != nil {
				return fmt.Errorf("encode gate %s: %w", g.Code, err)
			}
			if _, err := tx.exec(ctx, `INSERT INTO gates (code, position, body) VALUES (?, ?, ?) ON CONFLICT (code) DO NOTHING`,
				g.Code, i, string(body)); err != nil {
				return fmt.Errorf("insert gate %s: %w", g.Code, err)
			}
			// The head exists before the first append, so that appends on
			// several PostgreSQL nodes always find a row to lock.
			if _, err := tx.exec(ctx, `INSERT INTO log_heads (gate, seq, hash) VALUES (?, 0, ?) ON CONFLICT (gate) DO NOTHING`,
				g.Code, cuakhau.GenesisHash); err != nil {
				return fmt.Errorf("insert log head of gate %s: %w", g.Code, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("seed gates: %w", err)
	}
	db.gates.mu.Lock()
	db.gates.loaded = false // reload on next use
	db.gates.mu.Unlock()
	return nil
}

// loadGates fills the cache from the database once.
func (db *DB) loadGates(ctx context.Context) error {
	db.gates.mu.RLock()
	loaded := db.gates.loaded
	db.gates.mu.RUnlock()
	if loaded {
		return nil
	}
	db.gates.mu.Lock()
	defer db.gates.mu.Unlock()
	if db.gates.loaded {
		return nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT code, body FROM gates ORDER BY position, code`)
	if err != nil {
		return fmt.Errorf("load gates: %w", err)
	}
	defer rows.Close()
	var order []string
	byCode := map[string]cachedGate{}
	for rows.Next() {
		var code, body string
		if err := rows.Scan(&code, &body); err != nil {
			return fmt.Errorf("load gates: %w", err)
		}
		g := new(cuakhau.Gate)
		if err := json.Unmarshal([]byte(body), g); err != nil {
			return fmt.Errorf("load gate %s: %w", code, err)
		}
		order = append(order, code)
		byCode[code] = cachedGate{gate: g, body: []byte(body), loc: gateLocation(g)}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load gates: %w", err)
	}
	levelThresholds(byCode)
	db.gates.order, db.gates.byCode, db.gates.loaded = order, byCode, true
	return nil
}

// levelThresholds sets each gate's congestion thresholds: the national
// levels count the trucks waiting at a whole province's gates, so a gate
// uses them scaled by its catalogue's level_scale, or, when that is 0, by its
// share of the yard space (yard + overflow) of all the gates.
func levelThresholds(gates map[string]cachedGate) {
	total := 0
	for _, cg := range gates {
		total += cg.gate.YardCapacity + cg.gate.OverflowCapacity
	}
	for code, cg := range gates {
		scale := cg.gate.LevelScale
		if scale == 0 && total > 0 {
			scale = float64(cg.gate.YardCapacity+cg.gate.OverflowCapacity) / float64(total)
		}
		cg.thresholds = sched.DefaultThresholds()
		if scale > 0 {
			cg.thresholds = cg.thresholds.Scaled(scale)
		}
		gates[code] = cg
	}
}

// cachedGate returns the cached gate of code; ok is false for an unknown code.
func (db *DB) cachedGate(ctx context.Context, code string) (cachedGate, bool, error) {
	if err := db.loadGates(ctx); err != nil {
		return cachedGate{}, false, err
	}
	db.gates.mu.RLock()
	defer db.gates.mu.RUnlock()
	g, ok := db.gates.byCode[code]
	return g, ok, nil
}

// Gates returns the catalogue in its order, each gate with the hours in
// force (its controls'). Each call returns fresh copies.
func (db *DB) Gates(ctx context.Context) (_ []*cuakhau.Gate, err error) {
	defer markFault(&err)
	if err := db.loadGates(ctx); err != nil {
		return nil, err
	}
	db.gates.mu.RLock()
	gates := make([]cachedGate, 0, len(db.gates.order))
	for _, code := range db.gates.order {
		gates = append(gates, db.gates.byCode[code])
	}
	db.gates.mu.RUnlock()
	out := make([]*cuakhau.Gate, 0, len(gates))
	for _, cg := range gates {
		g, err := db.inForce(ctx, cg)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

// inForce is a copy of gate cg with the hours in force: the catalogue's
// until an operator changes them (GateControls.Hours).
func (db *DB) inForce(ctx context.Context, cg cachedGate) (*cuakhau.Gate, error) {
	g, err := cg.copy()
	if err != nil {
		return nil, err
	}
	c, err := db.controls(ctx, readQ{db}, cg)
	if err != nil {
		return nil, err
	}
	g.Hours = c.Hours
	return g, nil
}

// Gate returns the gate of code with the hours in force, or ENOTFOUND.
func (db *DB) Gate(ctx context.Context, code string) (_ *cuakhau.Gate, err error) {
	defer markFault(&err)
	g, ok, err := db.cachedGate(ctx, code)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, cuakhau.Errorf(cuakhau.ENOTFOUND, "gate %q not found", code)
	}
	return db.inForce(ctx, g)
}

func (c cachedGate) copy() (*cuakhau.Gate, error) {
	g := new(cuakhau.Gate)
	if err := json.Unmarshal(c.body, g); err != nil {
		return nil, fmt.Errorf("decode gate: %w", err)
	}
	return g, nil
}

// vietnam is the zone of every Lạng Sơn gate; Vietnam has kept UTC+7 without
// daylight saving since 1975, so the fixed zone is exact where the system has
// no time zone database.
var vietnam = time.FixedZone("ICT", 7*60*60)

// gateLocation is the zone in which a gate's days are counted.
func gateLocation(g *cuakhau.Gate) *time.Location {
	if g.TimeZone != "" {
		if loc, err := time.LoadLocation(g.TimeZone); err == nil {
			return loc
		}
	}
	return vietnam
}
