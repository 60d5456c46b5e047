package sqlstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// TestPackedJSON runs a gate's day and checks what is packed and that
// every reader reads back the very bytes that were packed: the trips, the
// log's entries and their hashes, the verifiers; and that a store written
// before packing reads the same.
func TestPackedJSON(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		if err := db.AddTariffs(ctx, exampleTariffs(t)); err != nil {
			t.Fatal(err)
		}
		trips := realisticRun(t, db, clock)
		crossed := crossTrip(t, db)
		trips["crossed through its route"] = crossed
		want, err := json.Marshal(crossed)
		if err != nil {
			t.Fatal(err)
		}
		check := func(t *testing.T, plain bool) {
			got, err := db.Trip(ctx, admin, crossed.ID)
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := json.Marshal(got); !bytes.Equal(b, want) {
				t.Errorf("the crossed trip reads back as\n%s\nwant\n%s", b, want)
			}
			for name, trip := range trips {
				stored, packed, err := db.StoredJSON(ctx, `SELECT body FROM trips WHERE id = ?`, trip.ID)
				if err != nil {
					t.Fatal(err)
				}
				got, err := db.Trip(ctx, admin, trip.ID)
				if err != nil {
					t.Fatal(err)
				}
				if packed != (got.Status.Final() && !plain) {
					t.Errorf("trip %s (%s, %s): packed %v", name, trip.Code, got.Status, packed)
				}
				doc, err := sqlstore.Unpack(stored)
				if err != nil {
					t.Fatalf("trip %s: %v", name, err)
				}
				if b, _ := json.Marshal(got); !bytes.Equal(doc, b) {
					t.Errorf("trip %s: stored\n%s\nreads back as\n%s", name, doc, b)
				}
				events, err := db.TripEvents(ctx, admin, trip.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, ev := range events {
					if ev.ComputeHash() != ev.Hash {
						t.Errorf("trip %s: entry %s/%d does not read back as it was hashed", name, ev.Gate, ev.Seq)
					}
					if ev.Data == nil {
						continue
					}
					stored, packed, err := db.StoredJSON(ctx, `SELECT data FROM events WHERE gate = ? AND seq = ?`, ev.Gate, ev.Seq)
					if err != nil {
						t.Fatal(err)
					}
					wantPacked := !plain && (ev.Type == cuakhau.EventDeclared || ev.Type == cuakhau.EventCalled || ev.Type == cuakhau.EventArrived)
					if packed != wantPacked {
						t.Errorf("trip %s: entry %s/%d (%s, %d bytes): packed %v, want %v", name, ev.Gate, ev.Seq, ev.Type, len(ev.Data), packed, wantPacked)
					}
					if doc, err := sqlstore.Unpack(stored); err != nil || !bytes.Equal(doc, ev.Data) {
						t.Errorf("trip %s: entry %s/%d stored as %q (%v), read as %q", name, ev.Gate, ev.Seq, doc, err, ev.Data)
					}
				}
			}
			// The crossed trip's receipt: its bill packed, read back whole.
			bill, packed, err := db.StoredJSON(ctx, `SELECT bill FROM receipts WHERE trip_id = ?`, crossed.ID)
			if err != nil {
				t.Fatal(err)
			}
			if packed == plain {
				t.Errorf("the crossed trip's bill: packed %v", packed)
			}
			if doc, err := sqlstore.Unpack(bill); err != nil || !json.Valid(doc) || !bytes.Contains(doc, []byte(`"lines"`)) {
				t.Errorf("the crossed trip's bill stored as %q (%v)", doc, err)
			}
			if rc, err := db.Receipt(ctx, admin, crossed.ID); err != nil || len(rc.Lines) == 0 || rc.AmountVND <= 0 {
				t.Errorf("the crossed trip's receipt: %+v, %v", rc, err)
			}
			for g, r := range verify(t, db) {
				if r.BrokenAt != 0 {
					t.Errorf("gate %s: broken at %d: %s", g, r.BrokenAt, r.Reason)
				}
			}
			for _, d := range verifyRows(t, db) {
				t.Errorf("verify projections: %s", d)
			}
		}
		t.Run("packed", func(t *testing.T) { check(t, false) })
		t.Run("a packed bill changed", func(t *testing.T) {
			stored, _, err := db.StoredJSON(ctx, `SELECT bill FROM receipts WHERE trip_id = ?`, crossed.ID)
			if err != nil {
				t.Fatal(err)
			}
			bad := append([]byte{}, stored...)
			bad[len(bad)/2] ^= 0xff
			if err := db.ExecRaw(ctx, `UPDATE receipts SET bill = ? WHERE trip_id = ?`, bad, crossed.ID); err != nil {
				t.Fatal(err)
			}
			diffs := verifyRows(t, db)
			if len(diffs) != 1 || diffs[0].Table != "receipts" || diffs[0].Field != "bill" {
				t.Errorf("a changed packed bill: verify found %v", diffs)
			}
			if err := db.ExecRaw(ctx, `UPDATE receipts SET bill = ? WHERE trip_id = ?`, stored, crossed.ID); err != nil {
				t.Fatal(err)
			}
		})
		if err := db.StorePlain(ctx); err != nil {
			t.Fatal(err)
		}
		t.Run("stored before packing", func(t *testing.T) { check(t, true) })
	})
}

// TestPackedDataRewritten changes a packed entry's data and stores it
// packed again, hash untouched: the log's verification finds it.
func TestPackedDataRewritten(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		fiveEntries(t, db)
		if _, packed, err := db.StoredJSON(ctx, `SELECT data FROM events WHERE gate = 'huu-nghi' AND seq = 1`); err != nil || !packed {
			t.Fatalf("the declaration's data: packed %v, %v; want packed", packed, err)
		}
		if err := db.EditEventData(ctx, "huu-nghi", 1, func(b []byte) []byte {
			return bytes.Replace(b, []byte("18000"), []byte("1800"), 1)
		}); err != nil {
			t.Fatal(err)
		}
		if r := verify(t, db)["huu-nghi"]; r.BrokenAt != 1 {
			t.Errorf("huu-nghi: broken at %d (%s), want 1", r.BrokenAt, r.Reason)
		}
	})
}
