package sqlstore_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/catalog"
	"github.com/cuakhau/cuakhau/translog"
)

// TestMigrateHashesToBytes writes a log as the store kept it before its
// hashes were stored as bytes — every hash in hex, each entry with the
// previous one's — migrates it, and checks that nothing a reader or an
// auditor relies on moved: the chain verifies, the API serves the same
// events, byte for byte, the stored tree gives the root a checkpoint kept
// from before signed, the log grows on from where it was, and a change
// made after the migration is still found.
func TestMigrateHashesToBytes(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			clock := cuakhau.NewFixedClock(start)

			// What an older release wrote: made by this one, in a store of
			// its own, and stored in the old format in one that is as the
			// older release left it.
			src := openStore(t, engine, clock)
			first := declare(t, src, company, durian())
			decide(t, src, operator, first.ID, cuakhau.Decision{Checkpoint: "entry", Outcome: cuakhau.OutcomePass})
			second := declare(t, src, company, durian())
			decide(t, src, medical, first.ID, cuakhau.Decision{Checkpoint: "medical", Outcome: cuakhau.OutcomePass, Note: "ổn"})
			var entries []*cuakhau.Event
			if err := src.ScanLog(ctx, "huu-nghi", func(ev *cuakhau.Event) error { entries = append(entries, ev); return nil }); err != nil {
				t.Fatal(err)
			}
			l, skey := newLog(t, src, clock)
			kept, err := l.Checkpoint(ctx, "huu-nghi")
			if err != nil {
				t.Fatal(err)
			}
			served, err := src.TripEvents(ctx, admin, first.ID)
			if err != nil {
				t.Fatal(err)
			}
			want, err := json.Marshal(served)
			if err != nil {
				t.Fatal(err)
			}

			db := openRaw(t, dsnFor(t, engine), clock)
			if err := db.MigrateThrough(ctx, 16); err != nil {
				t.Fatal(err)
			}
			gates, err := catalog.Gates()
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Seed(ctx, gates); err != nil {
				t.Fatal(err)
			}
			if err := src.CopyRows(ctx, db, "trips"); err != nil {
				t.Fatal(err)
			}
			for _, ev := range entries {
				var data any
				if ev.Data != nil {
					data = string(ev.Data)
				}
				if err := db.ExecRaw(ctx, `INSERT INTO events (gate, seq, trip_id, type, checkpoint, outcome, channel, note, device, actor, at, status, data, prev_hash, hash)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					ev.Gate, ev.Seq, ev.TripID, string(ev.Type), ev.Checkpoint, string(ev.Outcome), string(ev.Channel), ev.Note, ev.Device,
					ev.Actor, ev.At.Format(cuakhau.TimeFormat), string(ev.Status), data, ev.PrevHash, ev.Hash); err != nil {
					t.Fatal(err)
				}
			}
			n := int64(len(entries))
			indexes := make([]int64, tlog.StoredHashCount(n))
			for i := range indexes {
				indexes[i] = int64(i)
			}
			hashes, err := src.ReadLogHashes(ctx, "huu-nghi", indexes)
			if err != nil {
				t.Fatal(err)
			}
			for i, h := range hashes {
				// Not the store's own statement text: PostgreSQL's driver
				// would keep its prepared form, with a text hash, for the
				// store's appends after the migration.
				if err := db.ExecRaw(ctx, `INSERT INTO log_hashes (idx, gate, hash) VALUES (?, ?, ?)`, i, "huu-nghi", hex.EncodeToString(h[:])); err != nil {
					t.Fatal(err)
				}
			}
			if err := db.ExecRaw(ctx, `UPDATE log_heads SET seq = ?, hash = ? WHERE gate = ?`, n, entries[n-1].Hash, "huu-nghi"); err != nil {
				t.Fatal(err)
			}

			applied, err := db.Migrate(ctx)
			if err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			if len(applied) < 2 || applied[0] != "0017_log_hashes_bytes" || applied[1] != "0018_event_hash_bytes" {
				t.Errorf("applied %v, want 0017_log_hashes_bytes and 0018_event_hash_bytes first", applied)
			}

			if got := wantWhole(t, db); got["huu-nghi"] != n {
				t.Errorf("after the migration the chain holds %d entries, want %d", got["huu-nghi"], n)
			}
			events, err := db.TripEvents(ctx, admin, first.ID)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(events)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("events served after the migration:\n%s\nwant, as before it:\n%s", got, want)
			}
			var scanned []*cuakhau.Event
			if err := db.ScanLog(ctx, "huu-nghi", func(ev *cuakhau.Event) error { scanned = append(scanned, ev); return nil }); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(entries, scanned); diff != "" {
				t.Errorf("the log read in order after the migration (-before +after):\n%s", diff)
			}
			l2, err := translog.New(db, skey, clock)
			if err != nil {
				t.Fatal(err)
			}
			if fs := audit(t, l2, db, translog.Kept{Name: "kept", Note: kept.Note}); len(fs) != 1 || !fs[0].OK() {
				t.Errorf("audit against the checkpoint kept from before: %+v, want it clean", fs)
			}
			cp, err := l2.Checkpoint(ctx, "huu-nghi")
			if err != nil {
				t.Fatal(err)
			}
			if cp.Size != kept.Size || cp.Root != kept.Root {
				t.Errorf("checkpoint after the migration %d %v, want the one before, %d %v", cp.Size, cp.Root, kept.Size, kept.Root)
			}

			// The log grows on from its last entry in the old format.
			decide(t, db, operator, second.ID, cuakhau.Decision{Checkpoint: "entry", Outcome: cuakhau.OutcomePass})
			if got := wantWhole(t, db); got["huu-nghi"] != n+1 {
				t.Errorf("after an append the chain holds %d entries, want %d", got["huu-nghi"], n+1)
			}
			events, err = db.TripEvents(ctx, admin, second.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(events) != 2 || events[1].PrevHash != entries[n-1].Hash {
				t.Fatalf("the new entry follows %q, want the last migrated entry's hash %s", events[len(events)-1].PrevHash, entries[n-1].Hash)
			}
			clock.Add(time.Minute) // past the last checkpoint's MinInterval
			proof, err := l2.ProveInclusion(ctx, "huu-nghi", 2, n+1)
			if err != nil {
				t.Fatal(err)
			}
			cp, err = l2.Checkpoint(ctx, "huu-nghi")
			if err != nil {
				t.Fatal(err)
			}
			leaf, err := translog.LeafHash(entries[1])
			if err != nil {
				t.Fatal(err)
			}
			if cp.Size != n+1 {
				t.Fatalf("checkpoint size %d, want %d", cp.Size, n+1)
			}
			if err := tlog.CheckRecord(proof, n+1, cp.Root, 1, leaf); err != nil {
				t.Errorf("a migrated entry's inclusion in the grown tree: %v", err)
			}

			// A change after the migration is found where it was made.
			if err := db.ExecRaw(ctx, `UPDATE events SET note = 'không có gì' WHERE gate = ? AND seq = ?`, "huu-nghi", 2); err != nil {
				t.Fatal(err)
			}
			if r := verify(t, db)["huu-nghi"]; r.BrokenAt != 2 || !strings.Contains(r.Reason, "does not match its hash") {
				t.Errorf("a note changed after the migration: broken at %d (%s), want 2", r.BrokenAt, r.Reason)
			}
		})
	}
}

// TestMigrateRefusesBadHash: a stored hash that is not hex stops the
// migration, which leaves the log as it was, rather than losing it.
func TestMigrateRefusesBadHash(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := openRaw(t, dsnFor(t, engine), cuakhau.NewFixedClock(start))
			if err := db.MigrateThrough(ctx, 16); err != nil {
				t.Fatal(err)
			}
			if err := db.ExecRaw(ctx, `INSERT INTO events (gate, seq, trip_id, type, actor, at, status, prev_hash, hash)
				VALUES ('huu-nghi', 1, '', 'controls', 'admin', '2026-12-01T00:00:00.000000Z', '', ?, 'not hex')`, cuakhau.GenesisHash); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Migrate(ctx); err == nil || !strings.Contains(err.Error(), "0018_event_hash_bytes") {
				t.Fatalf("Migrate = %v, want 0018_event_hash_bytes refused", err)
			}
			if n := count(t, db, `SELECT count(*) FROM events WHERE hash = 'not hex' AND prev_hash = ?`, cuakhau.GenesisHash); n != 1 {
				t.Errorf("after the refused migration %d such entries, want the one as it was", n)
			}
		})
	}
}
