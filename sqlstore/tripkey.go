package sqlstore

import (
	"encoding/hex"
	"fmt"
)

// A log entry names its trip by the trip's id, a UUID, stored in
// events.trip_id as its 16 bytes rather than its 36 characters: the column
// and its index (events_trip) hold one per entry, ten or so a trip, and the
// bytes save about 0.4 KB of every trip a year keeps. An entry of the gate's
// own (controls, advisories, barriers) has no trip: an empty value. The
// entry's hash covers the id as text (cuakhau.Event.Canonical), which
// TripIDOf gives back exactly.

// TripKey is trip id id as events.trip_id stores it: its 16 bytes, or no
// bytes for "". An id that is not a UUID in its canonical form (lower-case
// hex, 8-4-4-4-12) is an error: the store makes every trip id, and no such
// id can have an entry.
func TripKey(id string) ([]byte, error) {
	if id == "" {
		return []byte{}, nil
	}
	var b [16]byte
	if len(id) != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-' {
		return nil, fmt.Errorf("trip id %q is not a UUID", id)
	}
	src := []byte(id[0:8] + id[9:13] + id[14:18] + id[19:23] + id[24:36])
	if _, err := hex.Decode(b[:], src); err != nil || hex.EncodeToString(b[:]) != string(src) {
		return nil, fmt.Errorf("trip id %q is not a UUID in lower-case hex", id)
	}
	return b[:], nil
}

// lookupKey is TripKey for a query's argument: an id that cannot be a
// trip's matches no entry, rather than failing the read.
func lookupKey(id string) []byte {
	k, err := TripKey(id)
	if err != nil {
		return []byte(id) // not 16 bytes: no stored key equals it
	}
	return k
}

// TripIDOf is the trip id of stored key b (TripKey's inverse).
func TripIDOf(b []byte) (string, error) {
	switch len(b) {
	case 0:
		return "", nil
	case 16:
		h := hex.EncodeToString(b)
		return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], nil
	}
	return "", fmt.Errorf("stored trip key of %d bytes, not 16", len(b))
}

// storedTripID scans events.trip_id into the trip's id.
type storedTripID struct{ id *string }

func (s storedTripID) Scan(v any) error {
	var b []byte
	switch x := v.(type) {
	case []byte:
		b = x
	case string:
		b = []byte(x)
	case nil:
	default:
		return fmt.Errorf("stored trip key: unexpected %T", v)
	}
	id, err := TripIDOf(b)
	if err != nil {
		return err
	}
	*s.id = id
	return nil
}
