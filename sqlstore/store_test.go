package sqlstore_test

import (
	"context"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/catalog"
	"github.com/cuakhau/cuakhau/internal/pgtest"
	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/google/go-cmp/cmp"
)

// The conformance suite: every test runs against SQLite and PostgreSQL, each
// on a fresh database, because PostgreSQL promises the same behaviour as the
// default SQLite ("embedded by default, real at scale", docs/principles.md).

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

// start is 08:00 in Lạng Sơn on 1 December 2026.
var start = time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)

// Principals used across the suite.
var (
	admin     = cuakhau.Principal{TokenID: "adm", Name: "admin", Role: cuakhau.RoleAdmin}
	viewer    = cuakhau.Principal{TokenID: "view", Role: cuakhau.RoleViewer}
	company   = cuakhau.Principal{TokenID: "ent1", Role: cuakhau.RoleEnterprise, TaxCode: "0100109106"}
	company2  = cuakhau.Principal{TokenID: "ent2", Role: cuakhau.RoleEnterprise, TaxCode: "0300588569"}
	operator  = cuakhau.Principal{TokenID: "op", Role: cuakhau.RoleOperator, Gate: "huu-nghi"}
	medical   = cuakhau.Principal{TokenID: "med", Role: cuakhau.RoleMedical, Gate: "huu-nghi"}
	customs   = cuakhau.Principal{TokenID: "cus", Role: cuakhau.RoleCustoms, Gate: "huu-nghi"}
	plantQ    = cuakhau.Principal{TokenID: "qua", Role: cuakhau.RoleQuarantine, Gate: "huu-nghi"}
	guard     = cuakhau.Principal{TokenID: "bg", Role: cuakhau.RoleBorderGuard, Gate: "huu-nghi"}
	customsTT = cuakhau.Principal{TokenID: "cus-tt", Role: cuakhau.RoleCustoms, Gate: "tan-thanh"}
)

// forEachStore runs fn as a subtest on a migrated and seeded SQLite store and
// on a migrated and seeded PostgreSQL store, each new and each with its own
// fixed clock standing at start.
func forEachStore(t *testing.T, fn func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock)) {
	t.Helper()
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			clock := cuakhau.NewFixedClock(start)
			db := openStore(t, engine, clock)
			fn(t, db, clock)
		})
	}
}

// dsnFor returns a new, empty database of engine.
func dsnFor(t testing.TB, engine string) string {
	t.Helper()
	if engine == "postgres" {
		return pgtest.DSN(t)
	}
	return "sqlite:" + filepath.Join(t.TempDir(), "cuakhau.db")
}

// openRaw opens a store on a new database without migrating it.
func openRaw(t testing.TB, dsn string, clock cuakhau.Clock) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), dsn, clock)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

// openStore opens, migrates and seeds a new store.
func openStore(t testing.TB, engine string, clock cuakhau.Clock) *sqlstore.DB {
	t.Helper()
	db := openRaw(t, dsnFor(t, engine), clock)
	ctx := context.Background()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	gates, err := catalog.Gates()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Seed(ctx, gates); err != nil {
		t.Fatalf("Seed: %v", err)
	}
	return db
}

// durian is a valid export declaration at Hữu Nghị of fresh durian, which
// goes through plant quarantine.
func durian() cuakhau.Declaration {
	return cuakhau.Declaration{
		Gate: "huu-nghi", Direction: cuakhau.Export,
		Vehicle:    cuakhau.Vehicle{Plate: "12c12345"},
		Driver:     cuakhau.Driver{Name: "Nguyễn Văn A", IDNumber: "020123456789"},
		Enterprise: cuakhau.Enterprise{TaxCode: "0100109106", Name: "Công ty TNHH Nông sản Xứ Lạng"},
		Containers: []string{"csqu3054383"},
		Cargo: []cuakhau.CargoLine{{HSCode: "081060", Description: "Sầu riêng tươi", Packages: 1200,
			GrossKg: 18000, ValueUSDCents: 5400000, Perishable: true, ShelfLifeHours: 240}},
		CustomsDeclarations: []string{"304001234520"},
	}
}

// declare declares d as p and fails the test on error.
func declare(t *testing.T, db *sqlstore.DB, p cuakhau.Principal, d cuakhau.Declaration) *cuakhau.Trip {
	t.Helper()
	trip, err := db.DeclareTrip(context.Background(), p, d)
	if err != nil {
		t.Fatalf("DeclareTrip: %v", err)
	}
	return trip
}

// decide records d as p and fails the test on error.
func decide(t *testing.T, db *sqlstore.DB, p cuakhau.Principal, id string, d cuakhau.Decision) *cuakhau.DecisionResult {
	t.Helper()
	res, err := db.Decide(context.Background(), p, id, d)
	if err != nil {
		t.Fatalf("Decide %s %s: %v", d.Checkpoint, d.Outcome, err)
	}
	return res
}

// wantCode fails the test unless err is a domain error of code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := cuakhau.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

// count returns a SELECT count(*) result.
func count(t *testing.T, db *sqlstore.DB, query string, args ...any) int {
	t.Helper()
	n, err := db.Count(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// verify runs VerifyLog and returns the reports by gate.
func verify(t *testing.T, db *sqlstore.DB) map[string]cuakhau.ChainReport {
	t.Helper()
	reports, err := db.VerifyLog(context.Background())
	if err != nil {
		t.Fatalf("VerifyLog: %v", err)
	}
	m := map[string]cuakhau.ChainReport{}
	for _, r := range reports {
		m[r.Gate] = r
	}
	return m
}

// wantWhole fails the test unless every gate's chain holds and every
// projection is what the log rebuilds, and returns the number of entries
// per gate.
func wantWhole(t *testing.T, db *sqlstore.DB) map[string]int64 {
	t.Helper()
	n := map[string]int64{}
	for g, r := range verify(t, db) {
		if r.BrokenAt != 0 {
			t.Errorf("gate %s: chain broken at %d: %s", g, r.BrokenAt, r.Reason)
		}
		n[g] = r.Events
	}
	for _, d := range verifyRows(t, db) {
		t.Errorf("projection differs from the log: %s", d)
	}
	return n
}

// hashBytes is a hash in hex as the store keeps it, its 32 bytes.
func hashBytes(t testing.TB, h string) []byte {
	t.Helper()
	b, err := hex.DecodeString(h)
	if err != nil {
		t.Fatalf("hash %q: %v", h, err)
	}
	return b
}

// wantChain is wantWhole without the projections: a log rewritten with its
// chain re-hashed holds as a chain, whatever the tables say.
func wantChain(t *testing.T, db *sqlstore.DB) {
	t.Helper()
	for g, r := range verify(t, db) {
		if r.BrokenAt != 0 {
			t.Errorf("gate %s: chain broken at %d: %s", g, r.BrokenAt, r.Reason)
		}
	}
}

func TestMigrate(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			clock := cuakhau.NewFixedClock(start)
			dsn := dsnFor(t, engine)
			db := openRaw(t, dsn, clock)

			pending, err := db.Pending(ctx)
			if err != nil {
				t.Fatalf("Pending on an empty database: %v", err)
			}
			if diff := cmp.Diff([]string{"0001_init", "0002_queue", "0003_crossings_index", "0004_token_revocation", "0005_log_tree", "0006_calls_index", "0007_devices", "0008_accounts", "0009_stats", "0010_fees", "0011_device_health", "0012_barriers", "0013_stats_indexes", "0014_outbox_gate", "0015_spoiled", "0016_spoiled_unfilled", "0017_log_hashes_bytes", "0018_event_hash_bytes", "0020_indicator_actuals", "0021_packed_json", "0022_log_hashes_upper", "0023_outbox_pruned", "0024_sold_off", "0025_event_trip_key", "0026_packed_bill", "0027_pg_bloat", "0029_log_hashes_level4", "0030_trips_fillfactor"}, pending); diff != "" {
				t.Errorf("Pending before Migrate (-want +got):\n%s", diff)
			}
			applied, err := db.Migrate(ctx)
			if err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			if diff := cmp.Diff(pending, applied); diff != "" {
				t.Errorf("Migrate applied (-want +got):\n%s", diff)
			}
			if pending, err := db.Pending(ctx); err != nil || len(pending) != 0 {
				t.Errorf("Pending after Migrate = %v, %v; want none", pending, err)
			}
			again, err := db.Migrate(ctx)
			if err != nil || len(again) != 0 {
				t.Errorf("second Migrate = %v, %v; want nothing applied", again, err)
			}
			if n := count(t, db, `SELECT count(*) FROM schema_migrations`); n != len(applied) {
				t.Errorf("schema_migrations has %d rows, want %d", n, len(applied))
			}
			if err := db.Ping(ctx); err != nil {
				t.Errorf("Ping: %v", err)
			}

			// The schema stays applied for the next process.
			db2 := openRaw(t, dsn, clock)
			if pending, err := db2.Pending(ctx); err != nil || len(pending) != 0 {
				t.Errorf("Pending after reopening = %v, %v; want none", pending, err)
			}
		})
	}
}

func TestOpenRefuses(t *testing.T) {
	ctx := context.Background()
	clock := cuakhau.NewFixedClock(start)
	for _, dsn := range []string{
		"mysql://root:hunter2@localhost/x",
		"sqlite:" + filepath.Join(t.TempDir(), "x.db") + "?_pragma=synchronous(OFF)",
		"sqlite::memory:",
		"",
	} {
		db, err := sqlstore.Open(ctx, dsn, clock)
		if err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded, want an error", dsn)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Open error shows the password: %v", err)
		}
	}
}

func TestOpenForms(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, dsn := range []string{
		"sqlite:" + filepath.Join(dir, "a", "one.db"),
		"sqlite://" + filepath.Join(dir, "b", "two.db"),
		"file:" + filepath.Join(dir, "three.db"),
	} {
		db, err := sqlstore.Open(ctx, dsn, cuakhau.SystemClock{})
		if err != nil {
			t.Errorf("Open(%q): %v", dsn, err)
			continue
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Errorf("Migrate %q: %v", dsn, err)
		}
		if db.Engine() != "sqlite" {
			t.Errorf("Engine = %q", db.Engine())
		}
		db.Close()
	}
	for _, f := range []string{"a/one.db", "b/two.db", "three.db"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("database file: %v", err)
		}
	}
}

func TestSeed(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *sqlstore.DB, clock *cuakhau.FixedClock) {
		ctx := context.Background()
		want, err := catalog.Gates()
		if err != nil {
			t.Fatal(err)
		}
		// A second seed, with a changed gate, changes nothing.
		changed, _ := catalog.Gates()
		changed[0].Name = "renamed"
		if err := db.Seed(ctx, changed); err != nil {
			t.Fatalf("second Seed: %v", err)
		}
		got, err := db.Gates(ctx)
		if err != nil {
			t.Fatalf("Gates: %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Gates (-want +got):\n%s", diff)
		}
		if n := count(t, db, `SELECT count(*) FROM gates`); n != len(want) {
			t.Errorf("%d gate rows, want %d", n, len(want))
		}

		g, err := db.Gate(ctx, "tan-thanh")
		if err != nil {
			t.Fatalf("Gate: %v", err)
		}
		if diff := cmp.Diff(want[1], g); diff != "" {
			t.Errorf("Gate(tan-thanh) (-want +got):\n%s", diff)
		}
		// Callers get copies: changing one does not change the store's.
		g.Checkpoints[cuakhau.Export][0].Code = "mutated"
		g2, _ := db.Gate(ctx, "tan-thanh")
		if g2.Checkpoints[cuakhau.Export][0].Code == "mutated" {
			t.Error("Gate returned the cached gate itself")
		}
		_, err = db.Gate(ctx, "mong-cai")
		wantCode(t, err, cuakhau.ENOTFOUND)

		// Every gate has an empty, whole log.
		reports := verify(t, db)
		if len(reports) != len(want) {
			t.Errorf("VerifyLog reported %d gates, want %d", len(reports), len(want))
		}
		for _, g := range want {
			wantReport := cuakhau.ChainReport{Gate: g.Code, Head: cuakhau.GenesisHash}
			if diff := cmp.Diff(wantReport, reports[g.Code]); diff != "" {
				t.Errorf("gate %s report (-want +got):\n%s", g.Code, diff)
			}
		}
	})
}

// TestSQLiteDurableSettings checks the pragmas that make an acknowledged write
// survive a power cut.
func TestSQLiteDurableSettings(t *testing.T) {
	db := openStore(t, "sqlite", cuakhau.NewFixedClock(start))
	ctx := context.Background()
	for _, c := range []struct{ pragma, want string }{
		{"journal_mode", "wal"},
		{"synchronous", "2"}, // FULL
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
	} {
		got, err := db.Pragma(ctx, c.pragma)
		if err != nil {
			t.Fatalf("pragma %s: %v", c.pragma, err)
		}
		if got != c.want {
			t.Errorf("pragma %s = %q, want %q", c.pragma, got, c.want)
		}
	}
	// Readers are read-only: a write through them fails.
	if err := db.ReadExec(ctx, `DELETE FROM gates`); err == nil {
		t.Error("a write through the read pool succeeded")
	}
}

func TestReopenKeepsData(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			clock := cuakhau.NewFixedClock(start)
			dsn := dsnFor(t, engine)
			db, err := sqlstore.Open(ctx, dsn, clock)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			gates, _ := catalog.Gates()
			if err := db.Seed(ctx, gates); err != nil {
				t.Fatal(err)
			}
			trip := declare(t, db, company, durian())
			if err := db.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			// Writes after Close are refused, not lost silently.
			if _, err := db.DeclareTrip(ctx, company, durian()); !errors.Is(err, sqlstore.ErrClosed) {
				t.Errorf("DeclareTrip after Close: %v, want ErrClosed", err)
			}

			db2 := openRaw(t, dsn, clock)
			got, err := db2.Trip(ctx, company, trip.ID)
			if err != nil {
				t.Fatalf("Trip after reopening: %v", err)
			}
			if diff := cmp.Diff(trip, got); diff != "" {
				t.Errorf("trip after reopening (-want +got):\n%s", diff)
			}
			if n := wantWhole(t, db2); n["huu-nghi"] != 1 {
				t.Errorf("huu-nghi log has %d entries, want 1", n["huu-nghi"])
			}
		})
	}
}

// The service rate reads a gate's crossings in the last hour, under every
// arrival: it must use the partial index of crossings, not scan the log.
func TestCrossingsQueryUsesIndex(t *testing.T) {
	db := openStore(t, "sqlite", cuakhau.NewFixedClock(start))
	plan, err := db.QueryPlan(context.Background(), sqlstore.CrossingsQuery, "huu-nghi", "2026-12-01T00:00:00Z", "2026-12-01T01:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	if s := strings.Join(plan, "\n"); !strings.Contains(s, "INDEX events_crossed") {
		t.Errorf("plan of the crossings query does not use events_crossed:\n%s", s)
	}
}
