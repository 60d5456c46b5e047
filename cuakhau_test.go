package cuakhau_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
)

// TestEventHashIsStable pins the canonical bytes and hash of one event: a
// change to either breaks every stored chain, so it must be deliberate.
func TestEventHashIsStable(t *testing.T) {
	e := &cuakhau.Event{
		Gate: "huu-nghi", Seq: 7, TripID: "0a223aba-b64d-4c5d-b331-f7f65dc62677",
		Type: cuakhau.EventDecision, Checkpoint: "customs", Outcome: cuakhau.OutcomePass,
		Channel: cuakhau.ChannelGreen, Note: "Luồng xanh", Actor: "customs:tok1",
		At: time.Date(2026, 12, 1, 1, 2, 3, 456789000, time.FixedZone("ICT", 7*3600)), Status: cuakhau.StatusInZone,
		PrevHash: cuakhau.GenesisHash,
	}
	wantCanonical := `{"gate":"huu-nghi","seq":7,"trip_id":"0a223aba-b64d-4c5d-b331-f7f65dc62677","type":"decision","checkpoint":"customs","outcome":"pass","channel":"green","note":"Luồng xanh","device":"","actor":"customs:tok1","at":"2026-11-30T18:02:03.456789Z","status":"in_zone","data":null,"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000"}`
	if got := string(e.Canonical()); got != wantCanonical {
		t.Errorf("Canonical() =\n%s\nwant\n%s", got, wantCanonical)
	}
	h := e.ComputeHash()
	if len(h) != 64 {
		t.Fatalf("hash %q is not hex SHA-256", h)
	}
	// Every field the hash covers changes it.
	for name, edit := range map[string]func(e *cuakhau.Event){
		"seq":       func(e *cuakhau.Event) { e.Seq++ },
		"note":      func(e *cuakhau.Event) { e.Note += "." },
		"actor":     func(e *cuakhau.Event) { e.Actor = "customs:tok2" },
		"at":        func(e *cuakhau.Event) { e.At = e.At.Add(time.Microsecond) },
		"status":    func(e *cuakhau.Event) { e.Status = cuakhau.StatusHeld },
		"data":      func(e *cuakhau.Event) { e.Data = json.RawMessage(`{"plate":"12C-123.45"}`) },
		"prev_hash": func(e *cuakhau.Event) { e.PrevHash = h },
	} {
		c := *e
		edit(&c)
		if c.ComputeHash() == h {
			t.Errorf("changing %s left the hash as it was", name)
		}
	}
	// Hash is not a covered field, and nanoseconds below the stored precision do not count.
	c := *e
	c.Hash = "anything"
	c.At = c.At.Add(300 * time.Nanosecond)
	if c.ComputeHash() != h {
		t.Error("the hash depends on Hash itself or on sub-microsecond time")
	}
}

func TestFieldErrors(t *testing.T) {
	f := cuakhau.FieldErrors{}
	if f.Err() != nil {
		t.Fatal("empty FieldErrors gave an error")
	}
	f.Add("vehicle.plate", "not a Vietnamese or Chinese plate")
	f.Add("cargo", "at least one cargo line is required")
	f.Add("cargo", "a second rule for the same field is dropped")
	err := fmt.Errorf("declare: %w", f.Err())
	if got, want := cuakhau.ErrorCode(err), cuakhau.EINVALID; got != want {
		t.Errorf("code = %q, want %q", got, want)
	}
	if got, want := cuakhau.ErrorMessage(err), "cargo: at least one cargo line is required; vehicle.plate: not a Vietnamese or Chinese plate"; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	if got := cuakhau.ErrorFields(err)["cargo"]; got != "at least one cargo line is required" {
		t.Errorf("fields[cargo] = %q", got)
	}
}

func TestInternalErrorsStayInternal(t *testing.T) {
	err := errors.New("pq: password authentication failed for user root")
	if cuakhau.ErrorCode(err) != cuakhau.EINTERNAL || cuakhau.ErrorMessage(err) != "Internal error." {
		t.Errorf("a non-domain error leaks: code %q message %q", cuakhau.ErrorCode(err), cuakhau.ErrorMessage(err))
	}
}

func TestPrincipalRights(t *testing.T) {
	company := cuakhau.Principal{Role: cuakhau.RoleEnterprise, TaxCode: "0100109106"}
	customsHN := cuakhau.Principal{Role: cuakhau.RoleCustoms, Gate: "huu-nghi"}
	operatorTT := cuakhau.Principal{Role: cuakhau.RoleOperator, Gate: "tan-thanh"}
	tests := []struct {
		name string
		got  bool
		want bool
	}{
		{"enterprise sees own", company.CanSeeTrip("0100109106", "huu-nghi"), true},
		{"enterprise sees other", company.CanSeeTrip("0300588569", "huu-nghi"), false},
		{"enterprise without tax code", cuakhau.Principal{Role: cuakhau.RoleEnterprise}.CanSeeTrip("", "huu-nghi"), false},
		{"enterprise declares own", company.CanDeclare("0100109106", "huu-nghi"), true},
		{"enterprise declares other", company.CanDeclare("0300588569", "huu-nghi"), false},
		{"operator declares at own gate", operatorTT.CanDeclare("0100109106", "tan-thanh"), true},
		{"operator declares at another gate", operatorTT.CanDeclare("0100109106", "huu-nghi"), false},
		{"unbound operator declares anywhere", cuakhau.Principal{Role: cuakhau.RoleOperator}.CanDeclare("0100109106", "chi-ma"), true},
		{"customs decides customs at own gate", customsHN.CanDecide(cuakhau.KindCustoms, "huu-nghi"), true},
		{"customs decides at another gate", customsHN.CanDecide(cuakhau.KindCustoms, "tan-thanh"), false},
		{"customs decides border guard", customsHN.CanDecide(cuakhau.KindBorderGuard, "huu-nghi"), false},
		{"operator decides gate checkpoints", cuakhau.Principal{Role: cuakhau.RoleOperator}.CanDecide(cuakhau.KindGate, "chi-ma"), true},
		{"viewer declares", cuakhau.Principal{Role: cuakhau.RoleViewer}.CanDeclare("0100109106", "huu-nghi"), false},
		{"viewer sees", cuakhau.Principal{Role: cuakhau.RoleViewer}.CanSeeTrip("0100109106", "coc-nam"), true},
		{"admin decides anything", cuakhau.Principal{Role: cuakhau.RoleAdmin}.CanDecide(cuakhau.KindQuarantine, "coc-nam"), true},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestScaledClock(t *testing.T) {
	origin := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	c := cuakhau.ScaledClock{Origin: origin, Start: time.Now().Add(-time.Second), Speed: 60}
	got := c.Now().Sub(origin)
	if got < 59*time.Second || got > 2*time.Minute {
		t.Errorf("one wall second at 60× moved the clock %v, want about a minute", got)
	}
}
