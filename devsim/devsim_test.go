package devsim_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/catalog"
	"github.com/cuakhau/cuakhau/device"
	"github.com/cuakhau/cuakhau/devsim"
	"github.com/cuakhau/cuakhau/internal/pgtest"
	"github.com/cuakhau/cuakhau/mqttbridge"
	"github.com/cuakhau/cuakhau/sqlstore"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

var admin = cuakhau.Principal{TokenID: "adm", Name: "admin", Role: cuakhau.RoleAdmin}

// TestSimOverMQTT: a simulated yard camera, with a third of its reads
// misread and a third sent twice, checks every declared truck in through
// the embedded broker; the misreads are recovered from the confusable
// characters and the duplicates do nothing.
func TestSimOverMQTT(t *testing.T) {
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, pgtest.DSN(t), cuakhau.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
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
	secret, _, err := db.AddDevice(ctx, admin, device.Device{ID: "hn-yard-1", Kind: device.KindANPR, Gate: "huu-nghi", Position: device.PositionYardIn})
	if err != nil {
		t.Fatal(err)
	}
	devs, err := devsim.ParseDevices(strings.NewReader("# the yard camera\nhn-yard-1 yard_in " + secret + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	const trucks = 12
	var ids []string
	for i := range trucks {
		trip, err := db.DeclareTrip(ctx, admin, declaration(fmt.Sprintf("12C%05d", 10080+i)))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, trip.ID)
	}
	var mu sync.Mutex
	var effects []device.Effect
	var refused []error
	b := mqttbridge.New(db, nil, nil)
	b.Done = func(_ string, _ []byte, res *device.Result, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			refused = append(refused, err)
			return
		}
		effects = append(effects, res.Effect)
	}
	broker, err := mqttbridge.Listen("127.0.0.1:0", b, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer broker.Close()
	m, err := devsim.DialMQTT("tcp://"+broker.Addr, "sim")
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	sim := &devsim.Sim{Gate: "huu-nghi", Devices: devs, Send: m, Rand: rand.New(rand.NewPCG(1, 2)), Now: time.Now,
		Shares: devsim.Shares{Misread: 0.34, Duplicate: 0.34}}
	for i := range trucks {
		if err := sim.Truck(ctx, fmt.Sprintf("12C%05d", 10080+i), 18000); err != nil {
			t.Fatal(err)
		}
	}
	if sim.Stats.Misread == 0 || sim.Stats.Duplicate == 0 || sim.Stats.Failed != 0 {
		t.Fatalf("stats %+v: want misreads and duplicates, no failure", sim.Stats)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := len(effects) + len(refused)
		mu.Unlock()
		if n >= sim.Stats.Sent || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(refused) > 0 {
		t.Errorf("refused: %v", refused)
	}
	for _, id := range ids {
		if tr, err := db.Trip(ctx, admin, id); err != nil || tr.Status != cuakhau.StatusArrived {
			t.Errorf("trip %s (%s) is %v (%v), want arrived", id, tr.Vehicle.Plate, tr.Status, err)
		}
	}
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

// TestParseDevicesBarrier: a line marked barrier is one, and the
// simulated trucks send it no readings; another fourth word is refused.
func TestParseDevicesBarrier(t *testing.T) {
	devs, err := devsim.ParseDevices(strings.NewReader("hn-zone-cam zone_in s1\nhn-zone-bar zone_in s2 barrier\n"))
	if err != nil || len(devs) != 2 || devs[0].Barrier || !devs[1].Barrier {
		t.Fatalf("ParseDevices: %+v %v", devs, err)
	}
	if _, err := devsim.ParseDevices(strings.NewReader("hn-zone-bar zone_in s2 gate\n")); err == nil {
		t.Error("a fourth word that is not barrier was taken")
	}
}
