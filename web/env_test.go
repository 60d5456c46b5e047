package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/catalog"
	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/cuakhau/cuakhau/web"
)

var (
	admin    = cuakhau.Principal{Role: cuakhau.RoleAdmin, TokenID: "test"}
	testNow  = time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC) // 10:00 at the gates
	testDecl = cuakhau.Declaration{Gate: "huu-nghi", Direction: cuakhau.Export,
		Vehicle:    cuakhau.Vehicle{Plate: "20C-456.78", Country: "VN"},
		Driver:     cuakhau.Driver{Name: "Nguyễn Văn A", IDNumber: "020123456789"},
		Enterprise: cuakhau.Enterprise{TaxCode: "0100109106", Name: "Công ty TNHH Nông sản Xứ Lạng"},
		Containers: []string{"CSQU3054383"},
		Cargo: []cuakhau.CargoLine{{HSCode: "0810.60", Description: "Sầu riêng tươi", Packages: 1200,
			GrossKg: 18000, ValueUSDCents: 5400000, Perishable: true, ShelfLifeHours: 240}},
		CustomsDeclarations: []string{"304001234520"}}
)

// openStore is a migrated, seeded SQLite store in t.TempDir().
func openStore(t testing.TB, clock cuakhau.Clock) *sqlstore.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "cuakhau.db"), clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	gates, err := catalog.Gates()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Seed(ctx, gates); err != nil {
		t.Fatal(err)
	}
	return db
}

// newPages is the pages over db.
func newPages(t testing.TB, db *sqlstore.DB, opts ...func(*web.Config)) *web.Web {
	t.Helper()
	cfg := web.Config{Gates: db, Queue: db, Lookup: db, Trips: db, Worklist: db, Stats: db, Admin: db.Admin(), Notices: db, Devices: db, BoardInterval: 50 * time.Millisecond}
	for _, o := range opts {
		o(&cfg)
	}
	w, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	return w
}

// page is one answer of the pages, parsed.
type page struct {
	status int
	header http.Header
	doc    *goquery.Document
	body   string
}

// get asks h for target with the header lines (name, value, …).
func get(t testing.TB, h http.Handler, target string, header ...string) page {
	t.Helper()
	r := httptest.NewRequest("GET", target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	body := rec.Body.String()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return page{rec.Code, rec.Header(), doc, body}
}

// text is the trimmed text of the selection sel.
func (p page) text(sel string) string { return strings.TrimSpace(p.doc.Find(sel).Text()) }

func declare(t testing.TB, db *sqlstore.DB, d cuakhau.Declaration) *cuakhau.Trip {
	t.Helper()
	trip, err := db.DeclareTrip(context.Background(), admin, d)
	if err != nil {
		t.Fatal(err)
	}
	return trip
}

func arrive(t testing.TB, db *sqlstore.DB, id string) {
	t.Helper()
	if _, err := db.Arrive(context.Background(), admin, id); err != nil {
		t.Fatal(err)
	}
}
