package flow

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
)

// TestAwaitingAgreesWithApply walks trips through random decisions on
// every route of Hữu Nghị and checks, at each state, that a checkpoint is
// awaiting its officer exactly when Apply would take that officer's
// decision there: the worklist never shows a truck its officer may not
// decide on, and never hides one they may.
func TestAwaitingAgreesWithApply(t *testing.T) {
	g := gate(t, "huu-nghi")
	officers := map[cuakhau.CheckpointKind]cuakhau.Principal{cuakhau.KindMedical: medical, cuakhau.KindCustoms: customs,
		cuakhau.KindQuarantine: quarantine, cuakhau.KindBorderGuard: guard, cuakhau.KindGate: operator}
	rng := rand.New(rand.NewPCG(1, 2))
	at := now
	checked := 0
	for walk := range 200 {
		d := durianExport()
		d.Direction = cuakhau.Directions[walk%len(cuakhau.Directions)]
		switch d.Direction {
		case cuakhau.Import:
			d.CustomsDeclarations = []string{"104001234520"}
		case cuakhau.EmptyReturn:
			d.Cargo, d.Containers, d.CustomsDeclarations = nil, nil, nil
		}
		if walk%3 == 0 && d.Cargo != nil {
			d.Cargo[0].HSCode = "8517.13" // phones: no plant quarantine
			d.Cargo[0].Perishable, d.Cargo[0].ShelfLifeHours = false, 0
		}
		trip, _, err := Declare(g, d, company, "id", "HN-ABCDEF", now)
		if err != nil {
			t.Fatal(err)
		}
		for range 20 {
			for kind, p := range officers {
				cp := Awaiting(trip, kind)
				for i := range trip.Checkpoints {
					c := trip.Checkpoints[i]
					if c.Kind != kind {
						continue
					}
					outcome := cuakhau.OutcomePass
					if c.State == cuakhau.CheckpointHeld {
						outcome = cuakhau.OutcomeRelease
					}
					_, _, err := Apply(g, trip, p, cuakhau.Decision{Checkpoint: c.Code, Outcome: outcome, Channel: cuakhau.ChannelGreen}, at)
					if kind != cuakhau.KindCustoms {
						_, _, err = Apply(g, trip, p, cuakhau.Decision{Checkpoint: c.Code, Outcome: outcome}, at)
					}
					awaiting := cp != nil && cp.Code == c.Code
					accepted := err == nil
					if kind == cuakhau.KindGate {
						// A gate checkpoint may act before the zone (entry);
						// Awaiting is of the officers' zone only.
						if awaiting && !accepted {
							t.Fatalf("%s awaits %s on %s (%s) but Apply refuses: %v", trip.Direction, c.Code, trip.Status, c.State, err)
						}
						continue
					}
					if awaiting != accepted {
						t.Fatalf("%s trip %s: Awaiting(%s) = %v, Apply at %s (%s): %v", trip.Direction, trip.Status, kind, cp, c.Code, c.State, err)
					}
					checked++
				}
			}
			// A random decision that Apply takes moves the trip on.
			c := trip.Checkpoints[rng.IntN(len(trip.Checkpoints))]
			dec := cuakhau.Decision{Checkpoint: c.Code, Outcome: []cuakhau.Outcome{cuakhau.OutcomePass, cuakhau.OutcomePass, cuakhau.OutcomeHold, cuakhau.OutcomeRelease}[rng.IntN(4)], Note: "lý do"}
			if c.Kind == cuakhau.KindCustoms {
				dec.Channel = cuakhau.ChannelYellow
			}
			at = at.Add(time.Minute)
			if next, _, err := Apply(g, trip, admin, dec, at); err == nil {
				trip = next
			}
			if trip.Status.Final() {
				break
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d states checked", checked)
	}
}

func TestParseFind(t *testing.T) {
	trip := &cuakhau.Trip{Code: "HN-7K3Q9P", Declaration: cuakhau.Declaration{
		Vehicle:             cuakhau.Vehicle{Plate: "12C-123.45", TrailerPlate: "12R-001.23"},
		Containers:          []string{"CSQU3054383"},
		CustomsDeclarations: []string{"304001234520"}}}
	for _, tc := range []struct {
		find string
		want bool
	}{
		{"", true},
		{"hn7k3q9p", true},
		{"HN-7K3Q9P", true},
		{"12c12345", true},
		{"12R00123", true},
		{"csqu 305438-3", true},
		{"304001234520", true},
		{"https://cuakhau.example/trip?code=HN-7K3Q9P&plate=12C-123.45", true},
		{"/trip?code=hn7k3q9p&plate=12c12345&lang=en", true},
		{"https://cuakhau.example/trip?code=HN-2222222&plate=12C-123.45", false}, // another trip's page, though the plate is this one's
		{"HN-2222AB", false},
		{"29C-999.99", false},
		{"CSQU3054384", false}, // wrong check digit: not a container number
		{"durian", false},
	} {
		if got := ParseFind(tc.find).Matches(trip); got != tc.want {
			t.Errorf("find %q matches = %v, want %v", tc.find, got, tc.want)
		}
	}
}
