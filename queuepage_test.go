package cuakhau_test

import (
	"fmt"
	"testing"

	"github.com/cuakhau/cuakhau"
)

func queueOf(n int) []*cuakhau.QueueEntry {
	out := make([]*cuakhau.QueueEntry, n)
	for i := range out {
		out[i] = &cuakhau.QueueEntry{TripID: fmt.Sprintf("t%d", i+1), Position: i + 1, Direction: cuakhau.Export, Class: cuakhau.ClassLive}
	}
	return out
}

// FuzzQueueCursor feeds the cursor parser anything: a cursor is either
// refused as one, naming cursor, or pages without panicking; every cursor a
// page gives is accepted.
func FuzzQueueCursor(f *testing.F) {
	_, _, next := cuakhau.QueueFilter{Limit: 2}.Page(queueOf(5))
	f.Add(next)
	f.Add("")
	f.Add("cTE6MDp4")
	f.Fuzz(func(t *testing.T, cursor string) {
		q := cuakhau.QueueFilter{Cursor: cursor, Limit: 2}
		if err := q.Validate(); err != nil {
			if cuakhau.ErrorFields(err)["cursor"] == "" {
				t.Fatalf("cursor %q refused without naming cursor: %v", cursor, err)
			}
			return
		}
		page, _, next := q.Page(queueOf(5))
		if next != "" {
			if err := (cuakhau.QueueFilter{Cursor: next}).Validate(); err != nil {
				t.Fatalf("the page's own next %q is refused: %v", next, err)
			}
			if len(page) != 2 {
				t.Fatalf("a page of %d with a next page", len(page))
			}
		}
	})
}
