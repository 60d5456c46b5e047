package sqlstore

import (
	"testing"

	"github.com/cuakhau/cuakhau"
)

func TestTripCache(t *testing.T) {
	c := newTripCache(2)
	c.store(&cuakhau.Trip{ID: "a", Version: 2})
	c.store(&cuakhau.Trip{ID: "a", Version: 1}) // a late answer of an older write
	if got := c.get("a"); got == nil || got.Version != 2 {
		t.Fatalf("get(a) = %v, want version 2", got)
	}
	c.store(&cuakhau.Trip{ID: "b", Version: 1})
	c.store(&cuakhau.Trip{ID: "c", Version: 1}) // a and b move to the old generation
	if c.get("a") == nil || c.get("c") == nil {
		t.Error("entries of the last two generations must be found")
	}
	for _, id := range []string{"d", "e", "f"} {
		c.store(&cuakhau.Trip{ID: id, Version: 1})
	}
	if len(c.cur)+len(c.old) > 4 {
		t.Errorf("cache holds %d trips, want at most 2 generations of 2", len(c.cur)+len(c.old))
	}
	if c.get("nope") != nil {
		t.Error("get of an unknown id found something")
	}
}
