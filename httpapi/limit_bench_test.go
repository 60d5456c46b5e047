package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/catalog"
	"github.com/cuakhau/cuakhau/httpapi"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// BenchmarkThrottling measures what the throttling and the headers add to a
// request, through the whole handler on a real store (no network, so that
// the difference is not lost in a connection's cost):
//
//   - open: GET /healthz, the cheapest open route, so that the limit's
//     share shows: without limits, with one client, and with clients from
//     2,000 addresses cycling through a table of 1,000, so that every
//     request forgets one client and adds one (the work does not depend
//     on the table's size);
//   - trip: an authenticated GET of a trip, which only looks at the
//     failed-authentication table;
//   - bad-token: a 401 each time without limits, against the 429 that
//     refuses it once the budget is spent.
func BenchmarkThrottling(b *testing.B) {
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "cuakhau.db"), cuakhau.NewFixedClock(testNow))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	gates, err := catalog.Gates()
	if err != nil {
		b.Fatal(err)
	}
	if err := db.Seed(ctx, gates); err != nil {
		b.Fatal(err)
	}
	admin, _, err := db.CreateToken(ctx, cuakhau.Token{Name: "admin", Role: cuakhau.RoleAdmin})
	if err != nil {
		b.Fatal(err)
	}
	var d cuakhau.Declaration
	if err := json.Unmarshal([]byte(exampleJSON), &d); err != nil {
		b.Fatal(err)
	}
	trip, err := db.DeclareTrip(ctx, cuakhau.Principal{Role: cuakhau.RoleAdmin}, d)
	if err != nil {
		b.Fatal(err)
	}
	api := func(lim httpapi.Limits) http.Handler {
		return httpapi.New(httpapi.Config{Gates: db, Trips: db, Tokens: db, Queue: db, Limits: lim})
	}
	// Budgets no benchmark exhausts, and that take days to refill, so that
	// only the table's bound forgets a client.
	roomy := httpapi.Limits{OpenRate: 1e3, OpenBurst: 1 << 30, AuthFailRate: 1e3, AuthFailBurst: 1 << 30, MaxClients: 1000}
	spent := httpapi.Limits{AuthFailRate: rate.Every(time.Hour), AuthFailBurst: 1}

	run := func(b *testing.B, h http.Handler, path, token string, want int, clients int) {
		addrs := make([]string, clients)
		for i := range addrs {
			addrs[i] = fmt.Sprintf("10.%d.%d.%d:40000", i>>16&255, i>>8&255, i&255)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			req := httptest.NewRequest("GET", path, nil)
			req.RemoteAddr = addrs[i%clients]
			i++
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != want {
				b.Fatalf("%s: %d, want %d: %s", path, w.Code, want, w.Body)
			}
		}
	}
	b.Run("open/limits=off", func(b *testing.B) { run(b, api(httpapi.Limits{}), "/healthz", "", 200, 1) })
	b.Run("open/limits=on/1-client", func(b *testing.B) { run(b, api(roomy), "/healthz", "", 200, 1) })
	b.Run("open/limits=on/churn", func(b *testing.B) { run(b, api(roomy), "/healthz", "", 200, 2000) })
	tripPath := "/api/v1/trips/" + trip.ID
	b.Run("trip/limits=off", func(b *testing.B) { run(b, api(httpapi.Limits{}), tripPath, admin, 200, 1) })
	b.Run("trip/limits=on", func(b *testing.B) { run(b, api(roomy), tripPath, admin, 200, 1) })
	b.Run("bad-token/limits=off", func(b *testing.B) { run(b, api(httpapi.Limits{}), tripPath, "ck_guess", 401, 1) })
	b.Run("bad-token/limits=spent", func(b *testing.B) {
		h := api(spent)
		req := httptest.NewRequest("GET", tripPath, nil)
		req.Header.Set("Authorization", "Bearer ck_guess")
		req.RemoteAddr = "10.0.0.0:40000"
		h.ServeHTTP(httptest.NewRecorder(), req) // spends the one failure
		run(b, h, tripPath, "ck_guess", 429, 1)
	})
}
