package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/flow"
)

var _ cuakhau.LookupService = (*DB)(nil)

// LookupTrip finds a trip by its code and plate, as its driver types them
// (flow.ParseLookup), and tells where it stands (flow.Lookup): while it
// waits, its place in the gate's call order and its expected call on the
// gate's clock, as the queue shows them. An unknown code and a plate that is
// not the trip's are the same ENOTFOUND.
func (db *DB) LookupTrip(ctx context.Context, code, plate string) (_ *cuakhau.TripLookup, err error) {
	defer markFault(&err)
	code, plate, err = flow.ParseLookup(code, plate)
	if err != nil {
		return nil, err
	}
	var id string
	var body storedJSON
	err = db.read.QueryRowContext(ctx, db.q(`SELECT id, body FROM trips WHERE code = ?`), code).Scan(&id, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, flow.LookupNotFound
	}
	t, err := decodeTrip(id, body.doc, err)
	if err != nil {
		return nil, err
	}
	if t.Vehicle.Plate != plate {
		return nil, flow.LookupNotFound
	}
	events, err := db.tripEvents(ctx, t.ID)
	if err != nil {
		return nil, fmt.Errorf("events of trip %s: %w", t.ID, err)
	}
	now := db.now()
	var entry *cuakhau.QueueEntry
	waiting := 0
	if t.Status == cuakhau.StatusArrived {
		cg, err := db.gateOf(ctx, t.Gate)
		if err != nil {
			return nil, err
		}
		s, err := db.gateState(ctx, readQ{db}, cg, now)
		if err != nil {
			return nil, err
		}
		all := entries(s)
		waiting = len(all)
		for _, e := range all {
			if e.TripID == t.ID {
				entry = e
				if e.ExpectedCall != nil {
					entry.ExpectedCall = db.onClock(s, *e.ExpectedCall)
				}
				break
			}
		}
	}
	return flow.Lookup(t, events, entry, waiting, now), nil
}
