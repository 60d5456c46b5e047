package sqlstore

import (
	"sync"

	"github.com/cuakhau/cuakhau"
)

// tripCache keeps the projections of recently written trips for the
// optimistic first step of a decision: Decide applies the decision to the
// cached trip before queueing its write, and the write checks the stored
// version and starts again from the stored trip when they differ. A stale
// entry (another server node wrote the trip) therefore costs a redo, never a
// wrong answer, and reads that users see (Trip, Trips) never use the cache.
//
// It saves a query and a JSON decode of the trip on every decision: about a
// fifth of the server's CPU time under load. The trips in it are shared and
// must not be modified.
//
// Two generations bound its size without per-entry bookkeeping: when the
// current map is full it becomes the old one, and the old one is dropped.
type tripCache struct {
	mu       sync.Mutex
	cur, old map[string]*cuakhau.Trip
	max      int
}

func newTripCache(max int) *tripCache {
	return &tripCache{cur: make(map[string]*cuakhau.Trip), max: max}
}

func (c *tripCache) get(id string) *cuakhau.Trip {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.cur[id]; ok {
		return t
	}
	if t, ok := c.old[id]; ok {
		c.put(t)
		return t
	}
	return nil
}

// put records t, unless a newer version of it is already there (answers of
// concurrent writes may arrive out of order). The caller holds mu, or
// calls store.
func (c *tripCache) put(t *cuakhau.Trip) {
	if have, ok := c.cur[t.ID]; ok && have.Version > t.Version {
		return
	}
	if len(c.cur) >= c.max {
		c.old, c.cur = c.cur, make(map[string]*cuakhau.Trip, c.max)
	}
	c.cur[t.ID] = t
}

func (c *tripCache) store(t *cuakhau.Trip) {
	c.mu.Lock()
	c.put(t)
	c.mu.Unlock()
}
