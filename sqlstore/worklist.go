package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/flow"
)

// Worklist limits.
const (
	defaultWorklistLimit = 50
	maxWorklistLimit     = 500
)

// Worklist is a page, in order of declaration, of the trips at f.Gate whose turn it is at its
// checkpoint of f.Kind (flow.Awaiting), narrowed by f.Find
// (flow.ParseFind). It reads the gate's trips in the control zone — in
// zone or held, a number the zone's room bounds, by the gate-and-status
// index — and keeps those awaiting the checkpoint, so that the list, its
// total and its pages agree with what Decide will accept.
func (db *DB) Worklist(ctx context.Context, p cuakhau.Principal, f cuakhau.WorklistFilter) (_ *cuakhau.Worklist, err error) {
	defer markFault(&err)
	bad := cuakhau.FieldErrors{}
	if _, ok, err := db.cachedGate(ctx, f.Gate); err != nil {
		return nil, err
	} else if !ok {
		bad.Add("gate", fmt.Sprintf("unknown gate %q", f.Gate))
	}
	switch f.Kind {
	case cuakhau.KindGate, cuakhau.KindMedical, cuakhau.KindCustoms, cuakhau.KindQuarantine, cuakhau.KindBorderGuard:
	default:
		bad.Add("kind", fmt.Sprintf("unknown checkpoint kind %q", f.Kind))
	}
	switch {
	case f.Limit < 0:
		bad.Add("limit", "must not be negative")
	case f.Limit == 0:
		f.Limit = defaultWorklistLimit
	case f.Limit > maxWorklistLimit:
		f.Limit = maxWorklistLimit
	}
	bad.Note("find", f.Find, false)
	if err := bad.Err(); err != nil {
		return nil, err
	}
	if !p.CanDecide(f.Kind, f.Gate) {
		return nil, cuakhau.Errorf(cuakhau.EFORBIDDEN, "role %s may not decide at %s checkpoints at gate %s", p.Role, f.Kind, f.Gate)
	}
	find := flow.ParseFind(f.Find)
	var after string // the declared_at of the previous page's last trip
	if f.After != "" {
		err := db.read.QueryRowContext(ctx, db.q(`SELECT declared_at FROM trips WHERE id = ?`), f.After).Scan(&after)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, cuakhau.Invalid("after", fmt.Sprintf("no trip %q", f.After))
		} else if err != nil {
			return nil, fmt.Errorf("worklist: %w", err)
		}
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT declared_at, id, body FROM trips WHERE gate = ? AND status IN (?, ?) ORDER BY declared_at, id`),
		f.Gate, string(cuakhau.StatusInZone), string(cuakhau.StatusHeld))
	if err != nil {
		return nil, fmt.Errorf("worklist: %w", err)
	}
	defer rows.Close()
	w := &cuakhau.Worklist{Trips: []*cuakhau.Trip{}}
	for rows.Next() {
		var declared, id string
		var body storedJSON
		if err := rows.Scan(&declared, &id, &body); err != nil {
			return nil, fmt.Errorf("worklist: %w", err)
		}
		// What the list is chosen by, decoded alone (a trip's cargo
		// and driver are most of its body); the whole trip only for a row
		// of the page.
		var slim worklistTrip
		if err := json.Unmarshal(body.doc, &slim); err != nil {
			return nil, fmt.Errorf("worklist: decode: %w", err)
		}
		t := &cuakhau.Trip{ID: id, Code: slim.Code, Status: slim.Status, Checkpoints: slim.Checkpoints,
			Declaration: cuakhau.Declaration{Vehicle: slim.Vehicle, Containers: slim.Containers, CustomsDeclarations: slim.CustomsDeclarations}}
		if flow.Awaiting(t, f.Kind) == nil || !find.Matches(t) {
			continue
		}
		w.Total++
		switch {
		case f.After != "" && (declared < after || declared == after && id <= f.After):
		case len(w.Trips) < f.Limit:
			t := new(cuakhau.Trip)
			if err := json.Unmarshal(body.doc, t); err != nil {
				return nil, fmt.Errorf("worklist: decode: %w", err)
			}
			w.Trips = append(w.Trips, t)
		case w.Next == "":
			w.Next = w.Trips[len(w.Trips)-1].ID
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("worklist: %w", err)
	}
	return w, nil
}

// worklistTrip is the part of a trip's body a worklist is chosen by:
// what flow.Awaiting and flow.Find read.
type worklistTrip struct {
	Code                string                    `json:"code"`
	Status              cuakhau.Status            `json:"status"`
	Vehicle             cuakhau.Vehicle           `json:"vehicle"`
	Containers          []string                  `json:"containers"`
	CustomsDeclarations []string                  `json:"customs_declarations"`
	Checkpoints         []cuakhau.CheckpointState `json:"checkpoints"`
}
