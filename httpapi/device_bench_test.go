package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/catalog"
	"github.com/cuakhau/cuakhau/device"
	"github.com/cuakhau/cuakhau/httpapi"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// BenchmarkDeviceReadings measures signed plate reads over HTTP, through
// the real API and SQLite store: four yard cameras each see every truck in
// three frames, so one read in three checks a truck in (an arrived event,
// the waiting area, the signature, all in one write) and two are dropped
// as duplicates. 64 clients post at once. It reports readings a second,
// check-ins a second, and the median and 99th percentile of the time from
// sending a reading to its answer, which comes after the commit: for a
// check-in, receipt to the trip's state changing.
//
//	go test -run '^$' -bench DeviceReadings -benchtime 30000x ./httpapi/
//
// READINGS_PROF=FILE writes a CPU profile of the readings alone to FILE.
func BenchmarkDeviceReadings(b *testing.B) {
	ctx := context.Background()
	clock := cuakhau.NewFixedClock(testNow)
	db, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "cuakhau.db"), clock)
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
	admin := cuakhau.Principal{Role: cuakhau.RoleAdmin, Name: "bench"}
	const cameras = 4
	secrets := make([]string, cameras)
	for i := range cameras {
		if secrets[i], _, err = db.AddDevice(ctx, admin, device.Device{ID: fmt.Sprintf("yard-%d", i), Kind: device.KindANPR, Gate: "huu-nghi", Position: device.PositionYardIn}); err != nil {
			b.Fatal(err)
		}
	}
	trucks := b.N/3 + 1
	plates := make([]string, trucks)
	work := make(chan int, trucks)
	for i := range trucks {
		plates[i] = fmt.Sprintf("29C%05d", 10000+i)
		work <- i
	}
	close(work)
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				d := benchDeclaration(plates[i])
				if _, err := db.DeclareTrip(ctx, admin, d); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	srv := httptest.NewServer(httpapi.New(httpapi.Config{Gates: db, Trips: db, Tokens: db, Queue: db, Devices: db}))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

	at := testNow.Format(time.RFC3339)
	reads := make(chan int, b.N)
	for i := range b.N {
		reads <- i
	}
	close(reads)
	lat := make([][]time.Duration, 64)
	var arrived, dups sync.Map
	b.ResetTimer()
	if p := os.Getenv("READINGS_PROF"); p != "" { // a CPU profile of the readings alone, not the set-up
		pf, err := os.Create(p)
		if err != nil {
			b.Fatal(err)
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			b.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	t0 := time.Now()
	for w := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range reads {
				truck, cam := i/3, (i/3)%cameras
				body := []byte(fmt.Sprintf(`{"plate":%q,"confidence":0.9,"at":%q,"image":"f%d"}`, plates[truck], at, i))
				ts := clock.Now().Unix()
				req, _ := http.NewRequest("POST", srv.URL+"/api/v1/devices/yard-"+strconv.Itoa(cam)+"/readings", bytes.NewReader(body))
				req.Header.Set(device.HeaderTimestamp, strconv.FormatInt(ts, 10))
				req.Header.Set(device.HeaderSignature, device.Sign(secrets[cam], ts, body))
				start := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				var buf bytes.Buffer
				buf.ReadFrom(resp.Body)
				resp.Body.Close()
				lat[w] = append(lat[w], time.Since(start))
				if resp.StatusCode != http.StatusOK {
					b.Errorf("reading %d: %d %s", i, resp.StatusCode, buf.Bytes())
					return
				}
				if bytes.Contains(buf.Bytes(), []byte(`"duplicate":true`)) {
					dups.Store(i, true)
				} else if bytes.Contains(buf.Bytes(), []byte(`"effect":"arrive"`)) {
					arrived.Store(truck, true)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(t0)
	b.StopTimer()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	n := 0
	arrived.Range(func(any, any) bool { n++; return true })
	if n < trucks-1 {
		b.Errorf("%d of %d trucks checked in", n, trucks)
	}
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "readings/s")
	b.ReportMetric(float64(n)/elapsed.Seconds(), "checkins/s")
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
}

func benchDeclaration(plate string) cuakhau.Declaration {
	return cuakhau.Declaration{
		Gate: "huu-nghi", Direction: cuakhau.Export,
		Vehicle:    cuakhau.Vehicle{Plate: plate},
		Driver:     cuakhau.Driver{Name: "Nguyễn Văn A", IDNumber: "020123456789"},
		Enterprise: cuakhau.Enterprise{TaxCode: "0100109106", Name: "Công ty TNHH Nông sản Xứ Lạng"},
		Containers: []string{"csqu3054383"},
		Cargo: []cuakhau.CargoLine{{HSCode: "081060", Description: "Sầu riêng tươi", Packages: 1200,
			GrossKg: 18000, ValueUSDCents: 5400000, Perishable: true, ShelfLifeHours: 240}},
		CustomsDeclarations: []string{"304001234520"},
	}
}
