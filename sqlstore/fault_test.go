package sqlstore_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// fillDisk caps the SQLite file at the pages it has and room more, as a
// disk that fills does: a write that needs a page beyond fails with
// SQLITE_FULL. The cap is the
// writer connection's (PRAGMA max_page_count), so the store and every
// reader carry on as they would on a full disk; unfillDisk lifts it.
func fillDisk(t *testing.T, db *sqlstore.DB, room int) {
	t.Helper()
	ctx := context.Background()
	pages, err := db.Pragma(ctx, "page_count")
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(pages)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ExecRaw(ctx, "PRAGMA max_page_count = "+strconv.Itoa(n+room)); err != nil {
		t.Fatal(err)
	}
}

func unfillDisk(t *testing.T, db *sqlstore.DB) {
	t.Helper()
	if err := db.ExecRaw(context.Background(), "PRAGMA max_page_count = 1073741823"); err != nil {
		t.Fatal(err)
	}
}

// A batch that meets a full disk is rolled back whole and every op in it is
// told the store is unavailable, the ones that wrote nothing big too; the
// next batch, once there is room, commits.
func TestDiskFullRollsBackTheBatch(t *testing.T) {
	clock := cuakhau.NewFixedClock(start)
	db := openStore(t, "sqlite", clock)
	ctx := context.Background()
	if err := db.ExecRaw(ctx, "CREATE TABLE fill (x BLOB)"); err != nil {
		t.Fatal(err)
	}
	small := func(ctx context.Context, tx *sqlstore.WriteTx) error {
		return tx.Exec(ctx, "INSERT INTO fill (x) VALUES ('small')")
	}
	big := func(ctx context.Context, tx *sqlstore.WriteTx) error {
		return tx.Exec(ctx, "INSERT INTO fill (x) VALUES (randomblob(1 << 20))")
	}
	fillDisk(t, db, 0)
	for i, err := range db.RunBatch(small, big, small) {
		if code := cuakhau.ErrorCode(err); code != cuakhau.EUNAVAILABLE {
			t.Errorf("op %d on a full disk: code %q (%v), want %q", i, code, err, cuakhau.EUNAVAILABLE)
		}
	}
	if n := count(t, db, "SELECT count(*) FROM fill"); n != 0 {
		t.Errorf("after the failed batch fill has %d rows, want 0", n)
	}
	unfillDisk(t, db)
	for i, err := range db.RunBatch(small, big, small) {
		if err != nil {
			t.Errorf("op %d with room again: %v", i, err)
		}
	}
	if n := count(t, db, "SELECT count(*) FROM fill"); n != 3 {
		t.Errorf("after the batch with room fill has %d rows, want 3", n)
	}
}

// Trucks declared and decided from many clients while the disk fills: each
// request either succeeds, and is then stored whole, or is refused as
// unavailable, and then nothing of it is stored. When room returns, the
// same store (not reopened) takes writes again.
func TestDiskFullUnderLoad(t *testing.T) {
	const workers = 8
	clock := cuakhau.NewFixedClock(start)
	db := openStore(t, "sqlite", clock)
	ctx := context.Background()
	op := cuakhau.Principal{TokenID: "op", Role: cuakhau.RoleOperator}
	med := cuakhau.Principal{TokenID: "med", Role: cuakhau.RoleMedical}
	cus := cuakhau.Principal{TokenID: "cus", Role: cuakhau.RoleCustoms}

	// Each worker has a trip through entry and medical, which customs then
	// holds and releases.
	trips := make([]string, workers)
	for w := range trips {
		trip := declare(t, db, company, durian())
		decide(t, db, op, trip.ID, cuakhau.Decision{Checkpoint: "entry", Outcome: cuakhau.OutcomePass})
		decide(t, db, med, trip.ID, cuakhau.Decision{Checkpoint: "medical", Outcome: cuakhau.OutcomePass})
		trips[w] = trip.ID
	}
	tripsBefore := count(t, db, "SELECT count(*) FROM trips")

	// Room for a few dozen writes: the disk fills under load.
	fillDisk(t, db, 40)
	var (
		mu          sync.Mutex
		declared    []string
		decisions   = map[string]int{} // acknowledged, by trip
		unavailable int
	)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- func() error {
				refused := 0
				hold := true
				for i := 0; i < 2000 && refused < 5; i++ {
					var err error
					if i%2 == 0 {
						var trip *cuakhau.Trip
						if trip, err = db.DeclareTrip(ctx, company, durian()); err == nil {
							mu.Lock()
							declared = append(declared, trip.ID)
							mu.Unlock()
						}
					} else {
						o := cuakhau.OutcomeRelease
						if hold {
							o = cuakhau.OutcomeHold
						}
						note := fmt.Sprintf("worker %d step %d %s", w, i, strings.Repeat("x", 400))
						if _, err = db.Decide(ctx, cus, trips[w], cuakhau.Decision{Checkpoint: "customs", Outcome: o, Note: note}); err == nil {
							hold = !hold
							mu.Lock()
							decisions[trips[w]]++
							mu.Unlock()
						}
					}
					switch code := cuakhau.ErrorCode(err); {
					case err == nil:
					case code == cuakhau.EUNAVAILABLE:
						refused++
						mu.Lock()
						unavailable++
						mu.Unlock()
					default:
						return fmt.Errorf("worker %d step %d: %w (code %q), want success or %q", w, i, err, code, cuakhau.EUNAVAILABLE)
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
			t.Error(err)
		}
	}
	if unavailable == 0 {
		t.Fatal("no write was refused: the disk never filled")
	}
	t.Logf("%d trips and %d decisions acknowledged, %d writes refused", len(declared), sum(decisions), unavailable)

	// Reads still work on a full disk, and find every acknowledged write
	// and nothing else.
	check := func() {
		t.Helper()
		wantWhole(t, db)
		if n := count(t, db, "SELECT count(*) FROM trips"); n != tripsBefore+len(declared) {
			t.Errorf("%d trips stored, want %d (%d before and %d acknowledged)", n, tripsBefore+len(declared), tripsBefore, len(declared))
		}
		for _, id := range declared {
			if _, err := db.Trip(ctx, admin, id); err != nil {
				t.Errorf("acknowledged trip %s: %v", id, err)
			}
		}
		for _, id := range trips {
			events, err := db.TripEvents(ctx, admin, id)
			if err != nil {
				t.Fatalf("events of %s: %v", id, err)
			}
			if want := 3 + decisions[id]; len(events) != want {
				t.Errorf("trip %s has %d events, want %d (declared, entry, medical and %d acknowledged)", id, len(events), want, decisions[id])
			}
		}
	}
	check()

	unfillDisk(t, db)
	for w, id := range trips {
		trip := declare(t, db, company, durian())
		declared = append(declared, trip.ID)
		// The trip's next outcome is whichever its last acknowledged one
		// was not.
		events, err := db.TripEvents(ctx, admin, id)
		if err != nil {
			t.Fatal(err)
		}
		o := cuakhau.OutcomeHold
		if last := events[len(events)-1]; last.Outcome == cuakhau.OutcomeHold {
			o = cuakhau.OutcomeRelease
		}
		decide(t, db, cus, id, cuakhau.Decision{Checkpoint: "customs", Outcome: o, Note: fmt.Sprintf("worker %d after", w)})
		decisions[id]++
	}
	check()
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
