package sqlstore

import (
	"context"
	"fmt"
)

// churned are the tables whose rows are rewritten or deleted as trips go
// on: a trip's row at each step, the notifications as they are delivered
// and pruned, the bookings and the waiting area as trucks come and go.
// The log and the other tables only grow.
var churned = []string{"trips", "outbox", "bookings", "waiting", "idempotency"}

// Vacuum does on PostgreSQL what its autovacuum does in a day of a gate's
// traffic (migration 0027 sets trips to be vacuumed after 500 trips
// declared): it frees the dead row versions of the churned tables and
// records their pages' free space for the next rows. `cuakhau seed`, which
// writes a virtual day in seconds, calls it once a virtual day, so that a
// seeded store holds what a served one would; the server leaves it to
// autovacuum. On SQLite it does nothing: SQLite reuses a page's free space
// as it goes.
func (db *DB) Vacuum(ctx context.Context) error {
	if db.dialect != dialectPostgres {
		return nil
	}
	for _, t := range churned {
		if _, err := db.read.ExecContext(ctx, "VACUUM "+t); err != nil {
			return fmt.Errorf("vacuum %s: %w", t, err)
		}
	}
	return nil
}
