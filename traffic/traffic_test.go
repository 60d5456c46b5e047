package traffic

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/callforward"
	"github.com/cuakhau/cuakhau/catalog"
	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/cuakhau/cuakhau/stats"
)

// TestTrafficCrossesTrucks runs a busy day at Hữu Nghị on a real store, through
// the electronic queue (bookings, check-in, the call-forward loop), at
// very high speed and checks that trucks are declared and cross, through
// every checkpoint, without a single refused request, and that the log
// verifies.
func TestTrafficCrossesTrucks(t *testing.T) {
	ctx := context.Background()
	const speed = 10000
	clock := cuakhau.ScaledClock{Origin: gateMorning, Start: time.Now(), Speed: speed}
	db := openStore(t, filepath.Join(t.TempDir(), "t.db"), clock, true)
	loop := callforward.New(db, 30*time.Millisecond, nil)
	loop.Start(ctx)
	defer loop.Stop()
	gen := New(Config{Gates: db, Trips: db, Queue: db, Clock: clock, Speed: speed, Seed: 7, Volumes: busyHuuNghi})
	// At least 3 s (~8 gate hours), then until enough trucks have gone
	// through the queue and crossed, or 30 s on a machine that is very
	// busy (the race detector, other packages' tests in parallel).
	run, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- gen.Run(run) }()
	began := time.Now()
	for {
		time.Sleep(100 * time.Millisecond)
		st := gen.Stats()
		el := time.Since(began)
		if el > 30*time.Second || el > 3*time.Second && st.Declared >= 50 && st.Crossed >= 10 {
			break
		}
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	st := gen.Stats()
	if st.Errors != 0 {
		t.Errorf("%d requests refused: %+v", st.Errors, st)
	}
	if st.Declared < 50 || st.Crossed < 10 || st.Decisions < 5*st.Crossed || st.Arrived < st.Crossed || st.Booked == 0 {
		t.Errorf("too little traffic: %+v", st)
	}
	verifyLog(t, db)
}

// TestTrafficSellsOffWaitingFruit: with nothing called forward, the yard
// fills and perishable trucks wait for hours; some of them are sold off at
// the border, without a refused request, each one cancelled with the
// sold-off mark, counted in the statistics and rebuilt by verify.
func TestTrafficSellsOffWaitingFruit(t *testing.T) {
	ctx := context.Background()
	const speed = 10000
	clock := cuakhau.ScaledClock{Origin: gateMorning, Start: time.Now(), Speed: speed}
	db := openStore(t, filepath.Join(t.TempDir(), "t.db"), clock, true)
	gen := New(Config{Gates: db, Trips: db, Queue: db, Clock: clock, Speed: speed, Seed: 7, Volumes: busyHuuNghi})
	run, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- gen.Run(run) }()
	for began := time.Now(); time.Since(began) < 30*time.Second && gen.Stats().SoldOff < 3; {
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	st := gen.Stats()
	if st.SoldOff < 3 || st.Errors != 0 {
		t.Fatalf("%d loads sold off, %d requests refused: %+v", st.SoldOff, st.Errors, st)
	}
	sold := 0
	for _, tr := range tripsIn(t, db, cuakhau.StatusCancelled) {
		if tr.SoldOff {
			sold++
			if !tr.Cargo[0].Perishable {
				t.Errorf("trip %s sold off a load of %s", tr.Code, tr.Cargo[0].Description)
			}
		}
	}
	if sold != st.SoldOff {
		t.Errorf("%d trips marked sold off, the generator counted %d", sold, st.SoldOff)
	}
	day := stats.DayOf(clock.Now(), time.FixedZone("ICT", 7*3600))
	p, err := db.Stats(ctx, cuakhau.Principal{Role: cuakhau.RoleViewer}, stats.Query{Range: stats.Range{From: day.AddDays(-1), To: day}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Clearance.SoldOff != sold || p.Clearance.SoldOffValueUSDCents == 0 {
		t.Errorf("the statistics count %d sold off (%d cents), the trips %d", p.Clearance.SoldOff, p.Clearance.SoldOffValueUSDCents, sold)
	}
	verifyLog(t, db)
	diffs, err := db.VerifyProjections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Errorf("projection differs from the log: %s", d)
	}
}

// TestSellsOff: a perishable truck waiting past its shelf life is always
// sold off, one just checked in or carrying no perishable cargo never.
func TestSellsOff(t *testing.T) {
	g := New(Config{Seed: 1})
	now := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	fruit := func(declared, arrived time.Time) *cuakhau.Trip {
		return &cuakhau.Trip{Status: cuakhau.StatusArrived, DeclaredAt: declared, UpdatedAt: arrived,
			Declaration: cuakhau.Declaration{Cargo: []cuakhau.CargoLine{{Perishable: true, ShelfLifeHours: 120}}}}
	}
	for range 100 {
		if !g.sellsOff(fruit(now.Add(-121*time.Hour), now.Add(-100*time.Hour)), now) {
			t.Fatal("a load past its shelf life is not sold off")
		}
		if g.sellsOff(fruit(now.Add(-2*time.Hour), now.Add(-10*time.Minute)), now) {
			t.Fatal("a load checked in 10 minutes ago is sold off")
		}
		timber := fruit(now.Add(-500*time.Hour), now.Add(-400*time.Hour))
		timber.Cargo[0].Perishable = false
		if g.sellsOff(timber, now) {
			t.Fatal("timber is sold off")
		}
	}
}

// TestTrafficResumesTrucksUnderWay stops the demo's traffic mid-morning, with
// trucks on their way, in the waiting area, called forward, in the control
// zone and held by customs, and runs it again on the same store from where
// its clock stopped, as `cuakhau demo` does when run again: every one of
// those trucks must be decided (crossed, or rejected, cancelled, a no-show)
// by the second run, and no request of it refused.
func TestTrafficResumesTrucksUnderWay(t *testing.T) {
	ctx := context.Background()
	const speed = 10000
	path := filepath.Join(t.TempDir(), "t.db")

	// First run: the demo's traffic at Hữu Nghị from 07:00 gate time until
	// customs holds two trucks. Then the server stops (its call-forward loop
	// with it) and the traffic a little later, as in the demo, once five
	// trucks have checked in uncalled. A minute for each, on a machine too
	// busy to get there.
	clock := cuakhau.ScaledClock{Origin: gateMorning, Start: time.Now(), Speed: speed}
	db := openStore(t, path, clock, true)
	loop := callforward.New(db, 30*time.Millisecond, nil)
	loop.Start(ctx)
	gen := New(Config{Gates: db, Trips: db, Queue: db, Clock: clock, Speed: speed, Seed: 7, Volumes: demoHuuNghi})
	run, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- gen.Run(run) }()
	until := func(status cuakhau.Status, n int) {
		for began := time.Now(); time.Since(began) < time.Minute; time.Sleep(20 * time.Millisecond) {
			if len(tripsIn(t, db, status)) >= n {
				return
			}
		}
	}
	until(cuakhau.StatusHeld, 2)
	loop.Stop()
	until(cuakhau.StatusArrived, 5)
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// An operator called two trucks out of turn just before the stop: they
	// are on their way from the waiting area to entry.
	waiting := tripsIn(t, db, cuakhau.StatusArrived)
	if len(waiting) < 3 {
		t.Fatalf("%d trucks waiting at the stop; want 3 or more", len(waiting))
	}
	op := cuakhau.Principal{TokenID: "test", Role: cuakhau.RoleOperator}
	for _, tr := range waiting[:2] {
		if _, err := db.Call(ctx, op, tr.Gate, cuakhau.CallRequest{TripID: tr.ID, Reason: "xe ưu tiên"}); err != nil {
			t.Fatal(err)
		}
	}
	stoppedAt := clock.Now()
	under := map[string]cuakhau.Status{}
	for _, st := range cuakhau.Statuses {
		if st.Final() {
			continue
		}
		for _, tr := range tripsIn(t, db, st) {
			under[tr.ID] = st
		}
	}
	for _, st := range []cuakhau.Status{cuakhau.StatusArrived, cuakhau.StatusCalled, cuakhau.StatusInZone, cuakhau.StatusHeld} {
		if len(tripsIn(t, db, st)) == 0 {
			t.Fatalf("no trip %s at the stop: the test would not resume one", st)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// Second run: the store reopened, the clock from where it stopped, a
	// new generator that knows only what the store tells it, and new
	// traffic arriving meanwhile.
	clock = cuakhau.ScaledClock{Origin: stoppedAt, Start: time.Now(), Speed: speed}
	db = openStore(t, path, clock, false)
	loop = callforward.New(db, 30*time.Millisecond, nil)
	loop.Start(ctx)
	defer loop.Stop()
	gen = New(Config{Gates: db, Trips: db, Queue: db, Clock: clock, Speed: speed, Seed: 8, Volumes: demoHuuNghi})
	run, stop = context.WithCancel(ctx)
	defer stop()
	go func() { done <- gen.Run(run) }()
	admin := cuakhau.Principal{TokenID: "test", Role: cuakhau.RoleAdmin}
	left := map[string]*cuakhau.Trip{}
	for began := time.Now(); time.Since(began) < 2*time.Minute; {
		time.Sleep(200 * time.Millisecond)
		clear(left)
		for id := range under {
			tr, err := db.Trip(ctx, admin, id)
			if err != nil {
				t.Fatal(err)
			}
			if !tr.Status.Final() {
				left[id] = tr
			}
		}
		if len(left) == 0 {
			t.Logf("%d trips under way at the stop (%s gate time) decided by %s", len(under),
				stoppedAt.In(ict).Format("15:04"), clock.Now().In(ict).Format("15:04 Jan 2"))
			break
		}
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for id, tr := range left {
		var cps []string
		for _, c := range tr.Checkpoints {
			cps = append(cps, c.Code+"="+c.State)
		}
		t.Errorf("trip %s, %s at the stop, is still %s at %s gate time (%s)",
			tr.Code, under[id], tr.Status, clock.Now().In(ict).Format("15:04 Jan 2"), strings.Join(cps, " "))
	}
	for id, was := range under {
		tr, err := db.Trip(ctx, admin, id)
		if err != nil {
			t.Fatal(err)
		}
		inside := was != cuakhau.StatusDeclared && was != cuakhau.StatusBooked
		// A perishable load still waiting in the yard may be sold off
		// there, as the traffic does with loads that wait too long.
		soldOff := was == cuakhau.StatusArrived && tr.Status == cuakhau.StatusCancelled && tr.SoldOff
		if inside && tr.Status.Final() && tr.Status != cuakhau.StatusCrossed && tr.Status != cuakhau.StatusRejected && !soldOff {
			t.Errorf("trip %s, %s at the stop, ended %s (sold off: %v); want crossed or rejected, or sold off from the yard", tr.Code, was, tr.Status, tr.SoldOff)
		}
	}
	if st := gen.Stats(); st.Errors != 0 {
		t.Errorf("%d requests of the resumed run refused: %+v", st.Errors, st)
	}
	verifyLog(t, db)
}

// gateMorning is 07:00 at the Lạng Sơn gates (UTC+7), when they open.
var gateMorning = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

var ict = time.FixedZone("ICT", 7*3600)

// busyHuuNghi is 4,000 trucks a day at Hữu Nghị, enough that a test of a
// few seconds sees every step of the lifecycle.
var busyHuuNghi = []Volume{{"huu-nghi", cuakhau.Export, 2000}, {"huu-nghi", cuakhau.Import, 2000}}

// demoHuuNghi is the demo's traffic at Hữu Nghị.
var demoHuuNghi = LangSon2025[:2]

// openStore opens the SQLite store at path on clock; fresh seeds it with the
// catalogue's gates and lanes for busyHuuNghi, so that bookings find places.
func openStore(t *testing.T, path string, clock cuakhau.Clock, fresh bool) *sqlstore.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, "sqlite:"+path, clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if !fresh {
		return db
	}
	gates, err := catalog.Gates()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Seed(ctx, gates); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetControls(ctx, cuakhau.Principal{Role: cuakhau.RoleAdmin}, "huu-nghi",
		cuakhau.ControlsUpdate{Lanes: map[string]int{"entry": 10}}); err != nil {
		t.Fatal(err)
	}
	return db
}

// tripsIn lists every trip with status st.
func tripsIn(t *testing.T, db *sqlstore.DB, st cuakhau.Status) []*cuakhau.Trip {
	t.Helper()
	var out []*cuakhau.Trip
	admin := cuakhau.Principal{TokenID: "test", Role: cuakhau.RoleAdmin}
	for after := ""; ; {
		page, err := db.Trips(context.Background(), admin, cuakhau.TripFilter{Status: st, Limit: 1000, After: after})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page...)
		if len(page) < 1000 {
			return out
		}
		after = page[len(page)-1].ID
	}
}

func verifyLog(t *testing.T, db *sqlstore.DB) {
	t.Helper()
	reports, err := db.VerifyLog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reports {
		if r.BrokenAt != 0 {
			t.Errorf("gate %s log broken at %d: %s", r.Gate, r.BrokenAt, r.Reason)
		}
	}
}

func TestTaxCodesAreValid(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range TaxCodes() {
		if seen[c] {
			t.Errorf("tax code %s repeated", c)
		}
		seen[c] = true
	}
	if len(seen) != len(companies) {
		t.Errorf("%d tax codes for %d companies", len(seen), len(companies))
	}
}
