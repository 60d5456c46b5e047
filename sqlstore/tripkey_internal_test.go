package sqlstore

import "testing"

// TestTripKey: a store-made id is its 16 bytes and back, byte for byte;
// no trip is no bytes; anything else is refused, and as a lookup matches
// no stored key.
func TestTripKey(t *testing.T) {
	for _, id := range []string{"", "019ca7ee-5d8c-7093-9904-5d1f21db2293", "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-7fff-bfff-ffffffffffff"} {
		k, err := TripKey(id)
		if err != nil {
			t.Fatalf("TripKey(%q): %v", id, err)
		}
		if want := 16; id != "" && len(k) != want || id == "" && (k == nil || len(k) != 0) {
			t.Errorf("TripKey(%q) = %x", id, k)
		}
		if back, err := TripIDOf(k); err != nil || back != id {
			t.Errorf("TripIDOf(TripKey(%q)) = %q, %v", id, back, err)
		}
	}
	for _, id := range []string{"t", "trip-1", "019CA7EE-5D8C-7093-9904-5D1F21DB2293", "019ca7ee5d8c709399045d1f21db2293", "019ca7ee-5d8c-7093-9904-5d1f21db229g", "019ca7ee-5d8c-7093-99045-d1f21db2293"} {
		if k, err := TripKey(id); err == nil {
			t.Errorf("TripKey(%q) = %x, want refused", id, k)
		}
		if k := lookupKey(id); len(k) == 16 || len(k) == 0 {
			t.Errorf("lookupKey(%q) = %x: could match a stored key", id, k)
		}
	}
	if _, err := TripIDOf(make([]byte, 15)); err == nil {
		t.Error("a 15-byte key was read")
	}
}
