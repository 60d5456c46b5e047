package sqlstore_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// TestBackupWhileWriting takes backups of a SQLite store while callers
// declare and decide trips, then opens each copy as a store: its chain is
// whole, every projection is what its log rebuilds, and it takes new writes.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	clock := cuakhau.NewFixedClock(start)
	db := openStore(t, "sqlite", clock)
	var stop atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				trip, err := db.DeclareTrip(ctx, company, durian())
				if err != nil {
					errs <- err
					return
				}
				for _, s := range route[:3] {
					if _, err := db.Decide(ctx, s.p, trip.ID, cuakhau.Decision{Checkpoint: s.checkpoint, Outcome: cuakhau.OutcomePass, Channel: s.channel}); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	dir := t.TempDir()
	var copies []string
	for i := range 3 {
		// Each backup begins once more trips are written.
		for n := 0; n < 20*(i+1) && len(errs) == 0; n = count(t, db, `SELECT count(*) FROM trips`) {
		}
		out := filepath.Join(dir, "copy"+string(rune('a'+i))+".db")
		if err := db.Backup(ctx, out); err != nil {
			t.Fatalf("Backup: %v", err)
		}
		copies = append(copies, out)
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("writes during the backups: %v", err)
	}

	for _, out := range copies {
		restored := openRaw(t, "sqlite:"+out, clock)
		if p, err := restored.Pending(ctx); err != nil || len(p) > 0 {
			t.Fatalf("%s: pending migrations %v, %v", out, p, err)
		}
		n := wantWhole(t, restored)
		if n["huu-nghi"] == 0 {
			t.Fatalf("%s holds no events", out)
		}
		trip := declare(t, restored, company, durian())
		if got, err := restored.Trip(ctx, admin, trip.ID); err != nil || got.Status != cuakhau.StatusDeclared {
			t.Errorf("%s: a trip declared on the copy reads back as %v, %v", out, got, err)
		}
		if m := wantWhole(t, restored); m["huu-nghi"] != n["huu-nghi"]+1 {
			t.Errorf("%s: %d events after one more declaration, want %d", out, m["huu-nghi"], n["huu-nghi"]+1)
		}
	}
	if trips := count(t, db, `SELECT count(*) FROM trips`); trips < 60 {
		t.Errorf("only %d trips written around the backups", trips)
	}
}

func TestBackupRefuses(t *testing.T) {
	ctx := context.Background()
	db := openStore(t, "sqlite", cuakhau.NewFixedClock(start))
	taken := filepath.Join(t.TempDir(), "taken.db")
	if err := os.WriteFile(taken, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{"", taken, filepath.Join(t.TempDir(), "no", "such", "dir.db")} {
		err := db.Backup(ctx, out)
		wantCode(t, err, cuakhau.EINVALID)
		if err != nil && !strings.Contains(err.Error(), "out") {
			t.Errorf("Backup to %q: %v does not name the field out", out, err)
		}
	}
	if b, _ := os.ReadFile(taken); string(b) != "keep me" {
		t.Errorf("a refused backup changed the file at --out: %q", b)
	}
	pg := openStore(t, "postgres", cuakhau.NewFixedClock(start))
	if err := pg.Backup(ctx, filepath.Join(t.TempDir(), "pg.db")); !errors.Is(err, sqlstore.ErrBackupIsPgDump) {
		t.Errorf("Backup on PostgreSQL: %v, want ErrBackupIsPgDump", err)
	}
}
