package sqlstore

import (
	"context"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/gatestate"
)

// GateState is a gate's live state written out, caught up with the
// committed log.
func (db *DB) GateState(ctx context.Context, gate string) (gatestate.Projection, error) {
	cg, err := db.gateOf(ctx, gate)
	if err != nil {
		return gatestate.Projection{}, err
	}
	var p gatestate.Projection
	err = db.withState(ctx, cg, func(st *gatestate.State) error {
		p = st.Export()
		return nil
	})
	return p, err
}

// RebuiltState builds a gate's state from the committed projection tables,
// as a restart does, leaving the live one alone.
func (db *DB) RebuiltState(ctx context.Context, gate string) (gatestate.Projection, error) {
	ls := &liveState{}
	if err := db.buildCommitted(ctx, ls, gate); err != nil {
		return gatestate.Projection{}, err
	}
	return ls.st.Export(), nil
}

// AppendEvent appends ev to its gate's log in the batch, as every write does.
func (t *wtx) AppendEvent(ctx context.Context, db *DB, ev *cuakhau.Event) error {
	return db.appendEvent(ctx, t, ev)
}
