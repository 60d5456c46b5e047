package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// TestVerifyLogDetects changes the stored log behind the store's back, as an
// insider with database access might, and checks that VerifyLog names the
// first entry that no longer holds, on that gate only.
func TestVerifyLogDetects(t *testing.T) {
	tests := []struct {
		name   string
		tamper string
		args   []any
		at     int64
		reason string
	}{
		{"note rewritten", `UPDATE events SET note = 'nothing to see' WHERE gate = ? AND seq = ?`, []any{"huu-nghi", 3}, 3, "does not match its hash"},
		{"status rewritten", `UPDATE events SET status = 'crossed' WHERE gate = ? AND seq = ?`, []any{"huu-nghi", 2}, 2, "does not match its hash"},
		{"actor rewritten", `UPDATE events SET actor = 'admin' WHERE gate = ? AND seq = ?`, []any{"huu-nghi", 4}, 4, "does not match its hash"},
		{"time rewritten", `UPDATE events SET at = '2026-11-30T00:00:00.000000Z' WHERE gate = ? AND seq = ?`, []any{"huu-nghi", 1}, 1, "does not match its hash"},
		{"entry deleted", `DELETE FROM events WHERE gate = ? AND seq = ?`, []any{"huu-nghi", 2}, 2, "missing"},
		{"first entry deleted", `DELETE FROM events WHERE gate = ? AND seq = ?`, []any{"huu-nghi", 1}, 1, "missing"},
		{"last entry deleted", `DELETE FROM events WHERE gate = ? AND seq = ?`, []any{"huu-nghi", 5}, 5, "log head"},
		{"hash replaced by the previous one", `UPDATE events SET hash = (SELECT p.hash FROM events p WHERE p.gate = 'huu-nghi' AND p.seq = 2) WHERE gate = ? AND seq = ?`, []any{"huu-nghi", 3}, 3, "does not match its hash"},
		{"hash of another length", `UPDATE events SET hash = ? WHERE gate = ? AND seq = ?`, []any{[]byte{1, 2, 3}, "huu-nghi", 3}, 3, "does not match its hash"},
		{"time in another format", `UPDATE events SET at = '2026-12-01 01:00:00' WHERE gate = ? AND seq = ?`, []any{"huu-nghi", 2}, 2, "did not write"},
		{"data made invalid", `UPDATE events SET data = '{' WHERE gate = ? AND seq = ?`, []any{"huu-nghi", 1}, 1, "not JSON"},
		{"data rewritten", `UPDATE events SET data = '{}' WHERE gate = ? AND seq = ?`, []any{"huu-nghi", 1}, 1, "does not match its hash"},
		{"packed data's bytes", `UPDATE events SET data = ? WHERE gate = ? AND seq = ?`, []any{[]byte{0x02, 0xff, 0xff, 0xff}, "huu-nghi", 1}, 1, "not JSON"},
		{"packed data cut short", `UPDATE events SET data = substr(data, 1, 40) WHERE gate = ? AND seq = ?`, []any{"huu-nghi", 1}, 1, "not JSON"},
		{"head moved", `UPDATE log_heads SET seq = 4 WHERE gate = ? AND seq = ?`, []any{"huu-nghi", 5}, 5, "log head"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
				ctx := context.Background()
				fiveEntries(t, db)
				if n := wantWhole(t, db); n["huu-nghi"] != 5 || n["tan-thanh"] != 1 {
					t.Fatalf("before tampering: %v", n)
				}

				if err := db.ExecRaw(ctx, tt.tamper, tt.args...); err != nil {
					t.Fatalf("tamper: %v", err)
				}
				reports := verify(t, db)
				r := reports["huu-nghi"]
				if r.BrokenAt != tt.at || !strings.Contains(r.Reason, tt.reason) {
					t.Errorf("huu-nghi: broken at %d (%s), want %d (%s)", r.BrokenAt, r.Reason, tt.at, tt.reason)
				}
				for _, g := range []string{"tan-thanh", "chi-ma", "coc-nam"} {
					if reports[g].BrokenAt != 0 {
						t.Errorf("gate %s reported broken at %d: %s", g, reports[g].BrokenAt, reports[g].Reason)
					}
				}
				if reports["tan-thanh"].Events != 1 {
					t.Errorf("tan-thanh: %d events, want 1", reports["tan-thanh"].Events)
				}
			})
		})
	}
}

// TestVerifyLogRelinked checks the case of a forger who rewrites an entry and
// recomputes its hash: the next entry, whose hash covers the old one, gives
// it away.
func TestVerifyLogRelinked(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		trip := declare(t, db, company, durian())
		decide(t, db, operator, trip.ID, cuakhau.Decision{Checkpoint: "entry", Outcome: cuakhau.OutcomePass})
		decide(t, db, medical, trip.ID, cuakhau.Decision{Checkpoint: "medical", Outcome: cuakhau.OutcomePass})
		events, err := db.TripEvents(ctx, admin, trip.ID)
		if err != nil {
			t.Fatal(err)
		}
		forged := *events[1]
		forged.Actor = "medical:someone-else"
		forged.Hash = forged.ComputeHash()
		if err := db.ExecRaw(ctx, `UPDATE events SET actor = ?, hash = ? WHERE gate = ? AND seq = ?`, forged.Actor, hashBytes(t, forged.Hash), "huu-nghi", 2); err != nil {
			t.Fatal(err)
		}
		r := verify(t, db)["huu-nghi"]
		if r.BrokenAt != 3 || !strings.Contains(r.Reason, "covers the hash of entry 2") {
			t.Errorf("broken at %d (%s), want 3 (covers the hash of entry 2)", r.BrokenAt, r.Reason)
		}
		// The API serves the forged entry's hash as the next one's prev_hash:
		// a client checking the chain sees the break at the same place.
		events, err = db.TripEvents(ctx, admin, trip.ID)
		if err != nil {
			t.Fatal(err)
		}
		if events[2].PrevHash != forged.Hash || events[2].ComputeHash() == events[2].Hash {
			t.Errorf("entry 3 as served: prev_hash %s (forged %s), its hash holds %v; want the forged one and a hash that does not hold",
				events[2].PrevHash, forged.Hash, events[2].ComputeHash() == events[2].Hash)
		}
	})
}

// TestLastEventAt checks that the newest entry is found over every gate's
// log, whichever gate wrote last, and that empty logs give zero.
func TestLastEventAt(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		if got, err := db.LastEventAt(ctx); err != nil || !got.IsZero() {
			t.Fatalf("empty logs: %v, %v; want zero", got, err)
		}
		trip := declare(t, db, company, durian())
		clock.Add(2 * time.Hour)
		other := durian()
		other.Gate = "tan-thanh"
		declare(t, db, company, other)
		newest := clock.Now()
		// Hữu Nghị writes last, but at an earlier time: a clock set back.
		clock.Add(-time.Hour)
		decide(t, db, operator, trip.ID, cuakhau.Decision{Checkpoint: "entry", Outcome: cuakhau.OutcomePass})
		got, err := db.LastEventAt(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(newest) {
			t.Errorf("LastEventAt = %s, want %s", got, newest)
		}
	})
}
