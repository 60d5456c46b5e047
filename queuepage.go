package cuakhau

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// Page sizes of a gate's queue listing (GET /api/v1/gates/{gate}/queue).
// At 10,000 trucks waiting the whole area is megabytes; an operator's screen
// shows a page of it.
const (
	QueuePageDefault = 100
	QueuePageMax     = 500
)

// QueueFilter selects one page of a gate's waiting area in call order. Zero
// fields do not filter; Limit 0 is QueuePageDefault.
type QueueFilter struct {
	Direction Direction
	// Class is ClassBooked or ClassLive.
	Class string
	Limit int
	// Cursor is the Next of the previous page.
	Cursor string
}

// Validate checks f, naming each field that breaks a rule.
func (f QueueFilter) Validate() error {
	fe := FieldErrors{}
	if f.Direction != "" && !f.Direction.Valid() {
		fe.Add("direction", "one of export, import, reexport, transit, empty_return")
	}
	if f.Class != "" && f.Class != ClassBooked && f.Class != ClassLive {
		fe.Add("class", "one of booked, live")
	}
	if f.Limit < 0 || f.Limit > QueuePageMax {
		fe.Add("limit", fmt.Sprintf("must be a whole number from 1 to %d", QueuePageMax))
	}
	if f.Cursor != "" {
		if _, _, ok := decodeQueueCursor(f.Cursor); !ok {
			fe.Add("cursor", "not a cursor this server gave: pass the next of the previous page")
		}
	}
	return fe.Err()
}

// Page returns the entries of all (a whole waiting area in call order) that
// f selects, from after its cursor, at most its limit; how many entries f's
// filters select in all; and the cursor of the next page ("" on the last).
// Positions stay those of the whole area.
//
// The call order moves between two requests (trucks are called, arrive,
// age), so a cursor names the last entry given and its position: the next
// page goes on after that truck if it still waits, and from its position if
// it has left (called, most often, with the trucks behind it moving up one
// place). A truck that overtakes the cursor between two pages is not shown
// again; the next first page shows it.
func (f QueueFilter) Page(all []*QueueEntry) (page []*QueueEntry, matched int, next string) {
	limit := f.Limit
	if limit == 0 {
		limit = QueuePageDefault
	}
	start := 0
	if pos, id, ok := decodeQueueCursor(f.Cursor); ok {
		start = len(all)
		for i, e := range all {
			if e.TripID == id {
				start = i + 1
				break
			}
			if e.Position >= pos && start == len(all) {
				start = i
			}
		}
	}
	page = []*QueueEntry{}
	for i, e := range all {
		if f.Direction != "" && e.Direction != f.Direction || f.Class != "" && e.Class != f.Class {
			continue
		}
		matched++
		if i < start {
			continue
		}
		if len(page) == limit {
			if next == "" {
				last := page[len(page)-1]
				next = encodeQueueCursor(last.Position, last.TripID)
			}
			continue
		}
		page = append(page, e)
	}
	return page, matched, next
}

// A queue cursor is opaque to clients: base64url of "q1:position:trip id".
func encodeQueueCursor(pos int, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("q1:" + strconv.Itoa(pos) + ":" + id))
}

func decodeQueueCursor(c string) (pos int, id string, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, "", false
	}
	rest, ok := strings.CutPrefix(string(b), "q1:")
	if !ok {
		return 0, "", false
	}
	p, id, ok := strings.Cut(rest, ":")
	if !ok || id == "" {
		return 0, "", false
	}
	pos, err = strconv.Atoi(p)
	if err != nil || pos < 1 {
		return 0, "", false
	}
	return pos, id, true
}
