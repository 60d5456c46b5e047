package mqttbridge_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/catalog"
	"github.com/cuakhau/cuakhau/device"
	"github.com/cuakhau/cuakhau/mqttbridge"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// timed is the store with the time from each reading's publication to its
// effect being stored noted, by signature.
type timed struct {
	*sqlstore.DB
	sent sync.Map // signature → time.Time
	mu   sync.Mutex
	lat  []time.Duration
	arr  int
}

func (t *timed) Ingest(ctx context.Context, id string, s device.Signed) (*device.Result, error) {
	res, err := t.DB.Ingest(ctx, id, s)
	if v, ok := t.sent.Load(s.Signature); ok {
		d := time.Since(v.(time.Time))
		t.mu.Lock()
		t.lat = append(t.lat, d)
		if err == nil && res.Effect == device.EffectArrive {
			t.arr++
		}
		t.mu.Unlock()
	}
	return res, err
}

// BenchmarkMQTTReadings is BenchmarkDeviceReadings (httpapi) over MQTT:
// the same SQLite store and workload — four yard cameras each see every
// truck in three frames, so one read in three checks a truck in and two
// are duplicates — published as signed envelopes with QoS 1 by 64 MQTT
// connections to the embedded broker. It reports readings a second,
// check-ins a second, and the median and 99th percentile of the time from
// publishing a reading to its effect being committed: for a check-in,
// receipt to the trip's state changing.
//
//	go test -run '^$' -bench MQTTReadings -benchtime 30000x ./mqttbridge/
//
// READINGS_PROF=FILE writes a CPU profile of the readings alone to FILE.
func BenchmarkMQTTReadings(b *testing.B) {
	ctx := context.Background()
	clock := cuakhau.NewFixedClock(time.Now().UTC().Truncate(time.Second))
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
	const cameras, conns = 4, 64
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
				if _, err := db.DeclareTrip(ctx, admin, declaration(plates[i])); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	store := &timed{DB: db}
	broker, err := mqttbridge.Listen("127.0.0.1:0", mqttbridge.New(store, nil, nil), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer broker.Close()
	clients := make([]paho.Client, conns)
	for i := range clients {
		clients[i] = paho.NewClient(paho.NewClientOptions().AddBroker("tcp://" + broker.Addr).SetClientID("bench-" + strconv.Itoa(i)).SetMaxResumePubInFlight(1))
		if tok := clients[i].Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
			b.Fatalf("connect: %v", tok.Error())
		}
		defer clients[i].Disconnect(0)
	}

	at := clock.Now().Format(time.RFC3339)
	reads := make(chan int, b.N)
	for i := range b.N {
		reads <- i
	}
	close(reads)
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
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range reads {
				truck, cam := i/3, (i/3)%cameras
				body := fmt.Appendf(nil, `{"plate":%q,"confidence":0.9,"at":%q,"image":"f%d"}`, plates[truck], at, i)
				ts := clock.Now().Unix()
				payload := device.Seal(secrets[cam], ts, body)
				store.sent.Store(device.Sign(secrets[cam], ts, body), time.Now())
				tok := clients[w].Publish(device.Topic("huu-nghi", "yard-"+strconv.Itoa(cam), device.TopicReadings), 1, false, payload)
				if !tok.WaitTimeout(30*time.Second) || tok.Error() != nil {
					b.Errorf("publish %d: %v", i, tok.Error())
					return
				}
			}
		}()
	}
	wg.Wait()
	// The broker acknowledges a QoS 1 publication before handing it to
	// its subscribers: wait for every reading to be stored.
	for {
		store.mu.Lock()
		n := len(store.lat)
		store.mu.Unlock()
		if n >= b.N {
			break
		}
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(t0)
	b.StopTimer()
	all := slices.Clone(store.lat)
	slices.Sort(all)
	if store.arr < trucks-1 {
		b.Errorf("%d of %d trucks checked in", store.arr, trucks)
	}
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "readings/s")
	b.ReportMetric(float64(store.arr)/elapsed.Seconds(), "checkins/s")
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
}

func declaration(plate string) cuakhau.Declaration {
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
