package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/google/go-cmp/cmp"
)

// TestConcurrentWrites drives the group-commit writer from many goroutines,
// each declaring a trip and then recording decisions, some of which fail,
// and checks that every acknowledged event — and no other — is in the log.
func TestConcurrentWrites(t *testing.T) {
	const workers, perWorker = 16, 50
	gates := []string{"huu-nghi", "tan-thanh", "chi-ma", "coc-nam"}
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		var wg sync.WaitGroup
		var failed atomic.Int64
		errs := make(chan error, workers)
		ids := make([]string, workers)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- func() error {
					d := durian()
					d.Gate = gates[w%len(gates)]
					trip, err := db.DeclareTrip(ctx, company, d)
					if err != nil {
						return err
					}
					ids[w] = trip.ID
					op := cuakhau.Principal{TokenID: "op", Role: cuakhau.RoleOperator}
					cus := cuakhau.Principal{TokenID: "cus", Role: cuakhau.RoleCustoms}
					med := cuakhau.Principal{TokenID: "med", Role: cuakhau.RoleMedical}
					steps := []struct {
						p cuakhau.Principal
						d cuakhau.Decision
					}{
						{op, cuakhau.Decision{Checkpoint: "entry", Outcome: cuakhau.OutcomePass}},
						{med, cuakhau.Decision{Checkpoint: "medical", Outcome: cuakhau.OutcomePass}},
					}
					// Then customs holds and releases the truck until the
					// worker has written perWorker events.
					for i := len(steps) + 1; i < perWorker; i++ {
						o := cuakhau.OutcomeHold
						if i%2 == 0 {
							o = cuakhau.OutcomeRelease
						}
						steps = append(steps, struct {
							p cuakhau.Principal
							d cuakhau.Decision
						}{cus, cuakhau.Decision{Checkpoint: "customs", Outcome: o, Note: fmt.Sprintf("w%d step %d", w, i)}})
					}
					for i, s := range steps {
						if _, err := db.Decide(ctx, s.p, trip.ID, s.d); err != nil {
							return fmt.Errorf("worker %d step %d: %w", w, i, err)
						}
						// Every tenth step, a request that must fail, batched
						// with the others' good ones.
						if i%10 == 0 {
							_, err := db.Decide(ctx, s.p, trip.ID, cuakhau.Decision{Checkpoint: "exit", Outcome: cuakhau.OutcomePass})
							if code := cuakhau.ErrorCode(err); code != cuakhau.ECONFLICT && code != cuakhau.EFORBIDDEN {
								return fmt.Errorf("worker %d: bad request: %v, want a conflict or forbidden", w, err)
							}
							failed.Add(1)
						}
					}
					return nil
				}()
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}

		perGate := wantWhole(t, db)
		var total int64
		for _, g := range gates {
			want := int64(workers / len(gates) * perWorker)
			if perGate[g] != want {
				t.Errorf("gate %s: %d events, want %d", g, perGate[g], want)
			}
			total += perGate[g]
		}
		if total != workers*perWorker {
			t.Errorf("%d events in all, want %d", total, workers*perWorker)
		}
		for w, id := range ids {
			events, err := db.TripEvents(ctx, admin, id)
			if err != nil {
				t.Fatal(err)
			}
			trip, err := db.Trip(ctx, admin, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(events) != perWorker || trip.Version != perWorker {
				t.Errorf("worker %d: %d events, version %d; want %d", w, len(events), trip.Version, perWorker)
			}
		}
		stats := db.WriteStats()
		ops := int64(workers*perWorker) + failed.Load() + 1 // + the seed
		if stats.Ops != ops {
			t.Errorf("writer ran %d ops, want %d", stats.Ops, ops)
		}
		// Under this load requests share commits; one commit per request
		// would mean group commit is not happening.
		if stats.Batches >= stats.Ops {
			t.Errorf("%d batches for %d ops: no batching", stats.Batches, stats.Ops)
		}
		t.Logf("%d ops in %d batches (%.1f per commit)", stats.Ops, stats.Batches, float64(stats.Ops)/float64(stats.Batches))
	})
}

// insertToken is a write op that stores a token row with the given id and
// secret hash.
func insertToken(db *sqlstore.DB, id, hash string) sqlstore.WriteFunc {
	return func(ctx context.Context, tx *sqlstore.WriteTx) error {
		return tx.Exec(ctx, `INSERT INTO tokens (id, secret_hash, name, role, created_at) VALUES (?, ?, 'x', 'viewer', '')`, id, hash)
	}
}

// TestBatchIsolation runs one batch in which some ops fail in different ways
// after writing, and checks that only their writes are undone.
func TestBatchIsolation(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		errBad := errors.New("a bad request")
		errs := db.RunBatch(
			insertToken(db, "a", "ha"),
			func(ctx context.Context, tx *sqlstore.WriteTx) error { // writes, then fails
				if err := insertToken(db, "b", "hb")(ctx, tx); err != nil {
					return err
				}
				return errBad
			},
			insertToken(db, "c", "ha"), // a unique violation: aborts the statement (and, on PostgreSQL, the transaction up to the savepoint)
			func(ctx context.Context, tx *sqlstore.WriteTx) error { // writes, then panics
				insertToken(db, "d", "hd")(ctx, tx)
				panic("boom")
			},
			insertToken(db, "e", "he"),
		)
		if errs[0] != nil || errs[4] != nil {
			t.Errorf("good ops failed: %v, %v", errs[0], errs[4])
		}
		if !errors.Is(errs[1], errBad) {
			t.Errorf("op 1: %v, want its own error", errs[1])
		}
		if errs[2] == nil {
			t.Error("op 2 (duplicate secret hash) succeeded")
		}
		if errs[3] == nil || !strings.Contains(errs[3].Error(), "boom") {
			t.Errorf("op 3: %v, want the panic as its error", errs[3])
		}
		rows := []string{}
		for _, id := range []string{"a", "b", "c", "d", "e"} {
			if count(t, db, `SELECT count(*) FROM tokens WHERE id = ?`, id) == 1 {
				rows = append(rows, id)
			}
		}
		if strings.Join(rows, ",") != "a,e" {
			t.Errorf("stored tokens %v, want [a e]", rows)
		}
		// The writer still works.
		if _, err := db.DeclareTrip(ctx, company, durian()); err != nil {
			t.Errorf("DeclareTrip after the batch: %v", err)
		}
	})
}

// TestCancelWhileQueued checks that a request whose context ends while it
// waits for the writer is answered with the context's error and never runs.
func TestCancelWhileQueued(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		release := make(chan struct{})
		busy := make(chan struct{})
		blocked := make(chan error, 1)
		go func() {
			// Occupies the writer until released.
			blocked <- db.Update(ctx, func(ctx context.Context, tx *sqlstore.WriteTx) error {
				close(busy)
				<-release
				return nil
			})
		}()
		<-busy

		var ran atomic.Bool
		qctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		err := db.Update(qctx, func(ctx context.Context, tx *sqlstore.WriteTx) error {
			ran.Store(true)
			return nil
		})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("queued request: %v, want its context's deadline", err)
		}
		close(release)
		if err := <-blocked; err != nil {
			t.Fatal(err)
		}
		// A later write runs in a later batch; the abandoned one never does.
		if _, err := db.DeclareTrip(ctx, company, durian()); err != nil {
			t.Fatal(err)
		}
		if ran.Load() {
			t.Error("the abandoned request ran")
		}
	})
}

// TestRacingDecisions has many officers record the same decision on one trip
// at once: exactly one wins, the others get a conflict, and the log holds one
// event for it. It exercises Decide's path where the trip changed between the
// early read and the write.
func TestRacingDecisions(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		trip := declare(t, db, company, durian())
		const n = 12
		var wg sync.WaitGroup
		codes := make([]string, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := db.Decide(ctx, operator, trip.ID, cuakhau.Decision{Checkpoint: "entry", Outcome: cuakhau.OutcomePass, Note: fmt.Sprint(i)})
				codes[i] = cuakhau.ErrorCode(err)
			}()
		}
		wg.Wait()
		got := map[string]int{}
		for _, c := range codes {
			got[c]++
		}
		if want := map[string]int{"": 1, cuakhau.ECONFLICT: n - 1}; !cmp.Equal(want, got) {
			t.Errorf("outcomes %v, want one success and %d conflicts", got, n-1)
		}
		if n := wantWhole(t, db); n["huu-nghi"] != 2 {
			t.Errorf("%d events, want 2", n["huu-nghi"])
		}
		read, err := db.Trip(ctx, admin, trip.ID)
		if err != nil || read.Version != 2 || read.Checkpoints[0].State != cuakhau.CheckpointPassed {
			t.Errorf("trip after the race: version %d, entry %s, %v", read.Version, read.Checkpoints[0].State, err)
		}
	})
}

// TestCloseAnswersQueued closes the store while a write runs and another
// waits in the queue: the running one commits, the queued one gets
// ErrClosed and never runs, and nobody is left waiting.
func TestCloseAnswersQueued(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		release := make(chan struct{})
		busy := make(chan struct{})
		running := make(chan error, 1)
		go func() {
			running <- db.Update(ctx, func(ctx context.Context, tx *sqlstore.WriteTx) error {
				close(busy)
				<-release
				return nil
			})
		}()
		<-busy

		var ran atomic.Bool
		queued := make(chan error, 1)
		go func() {
			queued <- db.Update(ctx, func(ctx context.Context, tx *sqlstore.WriteTx) error {
				ran.Store(true)
				return nil
			})
		}()
		// Wait until the second write is in the queue.
		for db.Queued() == 0 {
			time.Sleep(time.Millisecond)
		}
		closed := make(chan error, 1)
		go func() { closed <- db.Close() }()
		time.Sleep(20 * time.Millisecond) // let Close reach the writer
		close(release)

		if err := <-running; err != nil {
			t.Errorf("the running write: %v, want committed", err)
		}
		if err := <-queued; !errors.Is(err, sqlstore.ErrClosed) {
			t.Errorf("the queued write: %v, want ErrClosed", err)
		}
		if err := <-closed; err != nil {
			t.Errorf("Close: %v", err)
		}
		if ran.Load() {
			t.Error("the queued write ran after Close")
		}
	})
}

// TestCheckpointer: on SQLite the WAL is copied back into the database file
// by the store's checkpointer, not in a request's commit: the writer's own
// automatic checkpoint is only a backstop, and after a burst of writes the
// checkpointer leaves nothing behind in the WAL.
func TestCheckpointer(t *testing.T) {
	ctx := context.Background()
	db := openStore(t, "sqlite", cuakhau.NewFixedClock(start))
	if v, err := db.Pragma(ctx, "wal_autocheckpoint"); err != nil || v != "10000" {
		t.Errorf("writer's wal_autocheckpoint = %q, %v; want the 10000-page backstop", v, err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 10 {
				if _, err := db.DeclareTrip(ctx, company, durian()); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := db.WriteStats()
		if s.Checkpoints > 0 && s.CheckpointedFrames > 0 && s.WALBehind == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("checkpointer after 80 declarations: %+v; want frames copied and none behind", s)
		}
		// Each commit nudges the checkpointer; one more makes it look again
		// after its pause.
		if _, err := db.DeclareTrip(ctx, company, durian()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
