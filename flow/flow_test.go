package flow

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/catalog"
	"github.com/google/go-cmp/cmp"
)

var now = time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)

var (
	admin      = cuakhau.Principal{TokenID: "a", Role: cuakhau.RoleAdmin}
	operator   = cuakhau.Principal{TokenID: "o", Role: cuakhau.RoleOperator}
	medical    = cuakhau.Principal{TokenID: "m", Role: cuakhau.RoleMedical}
	customs    = cuakhau.Principal{TokenID: "c", Role: cuakhau.RoleCustoms}
	quarantine = cuakhau.Principal{TokenID: "q", Role: cuakhau.RoleQuarantine}
	guard      = cuakhau.Principal{TokenID: "b", Role: cuakhau.RoleBorderGuard}
	company    = cuakhau.Principal{TokenID: "e", Role: cuakhau.RoleEnterprise, TaxCode: "0100109106"}
)

func gate(t *testing.T, code string) *cuakhau.Gate {
	t.Helper()
	gates, err := catalog.Gates()
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gates {
		if g.Code == code {
			return g
		}
	}
	t.Fatalf("no gate %s", code)
	return nil
}

func durianExport() cuakhau.Declaration {
	arrive := now.Add(2 * time.Hour)
	return cuakhau.Declaration{
		Gate: "huu-nghi", Direction: cuakhau.Export,
		Vehicle:    cuakhau.Vehicle{Plate: "12c12345", TrailerPlate: "12R-001.23"},
		Driver:     cuakhau.Driver{Name: "Nguyễn Văn A", IDNumber: "020123456789"},
		Enterprise: cuakhau.Enterprise{TaxCode: "0100109106", Name: "Công ty TNHH Nông sản Xứ Lạng"},
		Containers: []string{"csqu3054383"},
		Cargo: []cuakhau.CargoLine{{HSCode: "081060", Description: "Sầu riêng tươi", Packages: 1200,
			GrossKg: 18000, ValueUSDCents: 5400000, Perishable: true, ShelfLifeHours: 240}},
		CustomsDeclarations: []string{"304001234520"},
		PlannedArrival:      &arrive,
	}
}

func declare(t *testing.T, d cuakhau.Declaration) *cuakhau.Trip {
	t.Helper()
	g := gate(t, d.Gate)
	trip, ev, err := Declare(g, d, company, "id-1", "HN-ABCDEF", now)
	if err != nil {
		t.Fatalf("Declare: %v", err)
	}
	if ev.Type != cuakhau.EventDeclared || ev.Status != cuakhau.StatusDeclared || ev.TripID != "id-1" {
		t.Fatalf("declared event = %+v", ev)
	}
	var data DeclaredData
	if err := json.Unmarshal(ev.Data, &data); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(trip.Declaration, data.Declaration); diff != "" {
		t.Errorf("event data differs from the trip's declaration (-trip +event):\n%s", diff)
	}
	return trip
}

func TestDeclareNormalises(t *testing.T) {
	trip := declare(t, durianExport())
	got := []string{trip.Vehicle.Plate, trip.Vehicle.Country, trip.Vehicle.TrailerPlate, trip.Containers[0], trip.Cargo[0].HSCode}
	want := []string{"12C-123.45", "VN", "12R-001.23", "CSQU3054383", "0810.60"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("normalised fields (-want +got):\n%s", diff)
	}
	var route []string
	for _, c := range trip.Checkpoints {
		route = append(route, c.Code+"="+c.State)
	}
	wantRoute := []string{"entry=pending", "weighbridge=pending", "medical=pending", "customs=pending",
		"quarantine=pending", "border_guard=pending", "fee=pending", "exit=pending"}
	if diff := cmp.Diff(wantRoute, route); diff != "" {
		t.Errorf("route (-want +got):\n%s", diff)
	}
}

func TestQuarantineSkippedForElectronics(t *testing.T) {
	d := durianExport()
	d.Cargo[0] = cuakhau.CargoLine{HSCode: "8517.13", Description: "Điện thoại", Packages: 400, GrossKg: 5000, ValueUSDCents: 90000000}
	trip := declare(t, d)
	if c := trip.Checkpoints[index(trip, "quarantine")]; c.State != cuakhau.CheckpointSkipped {
		t.Errorf("quarantine state = %s, want skipped", c.State)
	}
	_, _, err := Apply(gate(t, "huu-nghi"), trip, quarantine, cuakhau.Decision{Checkpoint: "quarantine", Outcome: cuakhau.OutcomePass}, now)
	wantCode(t, err, cuakhau.ECONFLICT)
}

func TestDeclareInvalid(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(d *cuakhau.Declaration)
		field string
	}{
		{"unknown gate", func(d *cuakhau.Declaration) { d.Gate = "nowhere" }, "gate"},
		{"unknown direction", func(d *cuakhau.Declaration) { d.Direction = "sideways" }, "direction"},
		{"bad plate", func(d *cuakhau.Declaration) { d.Vehicle.Plate = "ABC" }, "vehicle.plate"},
		{"country mismatch", func(d *cuakhau.Declaration) { d.Vehicle.Country = "CN" }, "vehicle.country"},
		{"container check digit", func(d *cuakhau.Declaration) { d.Containers = []string{"CSQU3054384"} }, "containers[0]"},
		{"container twice", func(d *cuakhau.Declaration) { d.Containers = []string{"CSQU3054383", "CSQU3054383"} }, "containers[1]"},
		{"hs code", func(d *cuakhau.Declaration) { d.Cargo[0].HSCode = "7701.10" }, "cargo[0].hs_code"},
		{"zero weight", func(d *cuakhau.Declaration) { d.Cargo[0].GrossKg = 0 }, "cargo[0].gross_kg"},
		{"negative value", func(d *cuakhau.Declaration) { d.Cargo[0].ValueUSDCents = -1 }, "cargo[0].value_usd_cents"},
		{"no cargo", func(d *cuakhau.Declaration) { d.Cargo = nil }, "cargo"},
		{"customs check", func(d *cuakhau.Declaration) { d.CustomsDeclarations = []string{"101234567830"} }, "customs_declarations[0]"},
		{"import declaration on export", func(d *cuakhau.Declaration) { d.CustomsDeclarations = []string{"101234567820"} }, "customs_declarations[0]"},
		{"tax code", func(d *cuakhau.Declaration) { d.Enterprise.TaxCode = "0100109107" }, "enterprise.tax_code"},
		{"no driver", func(d *cuakhau.Declaration) { d.Driver.Name = " " }, "driver.name"},
		{"arrival far ahead", func(d *cuakhau.Declaration) { a := now.Add(40 * 24 * time.Hour); d.PlannedArrival = &a }, "planned_arrival"},
		// A shelf life this long once overflowed into a spoil time 25
		// minutes away.
		{"shelf life of 5,124,096 hours", func(d *cuakhau.Declaration) { d.Cargo[0].ShelfLifeHours = 5_124_096 }, "cargo[0].shelf_life_hours"},
		{"shelf life over 90 days", func(d *cuakhau.Declaration) { d.Cargo[0].ShelfLifeHours = cuakhau.MaxShelfLifeHours + 1 }, "cargo[0].shelf_life_hours"},
		{"packages near the int64 limit", func(d *cuakhau.Declaration) { d.Cargo[0].Packages = 9_200_000_000_000_000_000 }, "cargo[0].packages"},
		{"packages over the limit", func(d *cuakhau.Declaration) { d.Cargo[0].Packages = cuakhau.MaxPackages + 1 }, "cargo[0].packages"},
		{"weight near the int64 limit", func(d *cuakhau.Declaration) { d.Cargo[0].GrossKg = 9_200_000_000_000_000_000 }, "cargo[0].gross_kg"},
		{"weight over 100 t", func(d *cuakhau.Declaration) { d.Cargo[0].GrossKg = cuakhau.MaxWeightKg + 1 }, "cargo[0].gross_kg"},
		{"value near the int64 limit", func(d *cuakhau.Declaration) { d.Cargo[0].ValueUSDCents = 9_200_000_000_000_000_000 }, "cargo[0].value_usd_cents"},
		{"value over the limit", func(d *cuakhau.Declaration) { d.Cargo[0].ValueUSDCents = cuakhau.MaxValueUSDCents + 1 }, "cargo[0].value_usd_cents"},
		{"NUL in the driver's name", func(d *cuakhau.Declaration) { d.Driver.Name = "Nguyễn\x00Văn A" }, "driver.name"},
		{"line break in the driver's name", func(d *cuakhau.Declaration) { d.Driver.Name = "Nguyễn\r\nVăn A" }, "driver.name"},
		{"right-to-left override in the enterprise's name", func(d *cuakhau.Declaration) { d.Enterprise.Name = "Công ty \u202Egnp.exe" }, "enterprise.name"},
		{"zero-width space in the enterprise's name", func(d *cuakhau.Declaration) { d.Enterprise.Name = "Công\u200Bty" }, "enterprise.name"},
		{"byte order mark in a description", func(d *cuakhau.Declaration) { d.Cargo[0].Description = "\uFEFFSầu riêng" }, "cargo[0].description"},
		{"invalid UTF-8 in a description", func(d *cuakhau.Declaration) { d.Cargo[0].Description = "S\xe1u" }, "cargo[0].description"},
		{"name over 200 characters", func(d *cuakhau.Declaration) { d.Driver.Name = strings.Repeat("ễ", 201) }, "driver.name"},
		{"phone over 32 characters", func(d *cuakhau.Declaration) { d.Driver.Phone = strings.Repeat("9", 33) }, "driver.phone"},
		{"control character in the phone", func(d *cuakhau.Declaration) { d.Driver.Phone = "0912\x00345678" }, "driver.phone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := durianExport()
			tt.edit(&d)
			g := gate(t, "huu-nghi")
			if d.Gate != "huu-nghi" {
				g = nil
			}
			_, _, err := Declare(g, d, company, "id", "code", now)
			wantCode(t, err, cuakhau.EINVALID)
			fields := cuakhau.ErrorFields(err)
			if fields[tt.field] == "" {
				t.Errorf("fields = %v, want a rule for %s", fields, tt.field)
			}
			if !strings.Contains(cuakhau.ErrorMessage(err), tt.field+": ") {
				t.Errorf("message %q does not name %s", cuakhau.ErrorMessage(err), tt.field)
			}
		})
	}
}

// TestDeclareAtTheLimits declares a load with every number at its bound and
// the longest names: all accepted, and the spoil time is 90 days on.
func TestDeclareAtTheLimits(t *testing.T) {
	d := durianExport()
	d.Driver.Name = strings.Repeat("ễ", cuakhau.MaxNameLen)
	d.Driver.Phone = "+84 912 345 678"
	d.Enterprise.Name = "广西凭祥进出口贸易有限公司"
	d.Cargo[0].Packages = cuakhau.MaxPackages
	d.Cargo[0].GrossKg = cuakhau.MaxWeightKg
	d.Cargo[0].ValueUSDCents = cuakhau.MaxValueUSDCents
	d.Cargo[0].ShelfLifeHours = cuakhau.MaxShelfLifeHours
	trip := declare(t, d)
	if got, want := SpoilsAt(trip), trip.DeclaredAt.Add(90*24*time.Hour); !got.Equal(want) {
		t.Errorf("SpoilsAt = %v, want %v", got, want)
	}
}

// TestDeclareAtAnotherGate: an operator's token bound to a gate declares
// trips there and nowhere else.
func TestDeclareAtAnotherGate(t *testing.T) {
	tanThanh := cuakhau.Principal{TokenID: "o", Role: cuakhau.RoleOperator, Gate: "tan-thanh"}
	_, _, err := Declare(gate(t, "huu-nghi"), durianExport(), tanThanh, "id", "code", now)
	wantCode(t, err, cuakhau.EFORBIDDEN)
	if !strings.Contains(cuakhau.ErrorMessage(err), "bound to gate tan-thanh") {
		t.Errorf("message %q does not say which gate the token is bound to", cuakhau.ErrorMessage(err))
	}
	d := durianExport()
	d.Gate = "tan-thanh"
	if _, _, err := Declare(gate(t, "tan-thanh"), d, tanThanh, "id", "code", now); err != nil {
		t.Errorf("declare at the token's own gate: %v", err)
	}
}

func TestDeclareForeignTaxCode(t *testing.T) {
	other := cuakhau.Principal{Role: cuakhau.RoleEnterprise, TaxCode: "0300588569"}
	_, _, err := Declare(gate(t, "huu-nghi"), durianExport(), other, "id", "code", now)
	wantCode(t, err, cuakhau.EFORBIDDEN)
}

type step struct {
	who cuakhau.Principal
	d   cuakhau.Decision
}

func run(t *testing.T, trip *cuakhau.Trip, steps []step) *cuakhau.Trip {
	t.Helper()
	g := gate(t, trip.Gate)
	at := now
	for _, s := range steps {
		at = at.Add(10 * time.Minute)
		next, ev, err := Apply(g, trip, s.who, s.d, at)
		if err != nil {
			t.Fatalf("%s %s by %s: %v", s.d.Checkpoint, s.d.Outcome, s.who.Role, err)
		}
		if ev.Status != next.Status || ev.Checkpoint != s.d.Checkpoint || next.Version != trip.Version+1 {
			t.Fatalf("event %+v does not match trip %s v%d", ev, next.Status, next.Version)
		}
		trip = next
	}
	return trip
}

func TestExportToCrossed(t *testing.T) {
	trip := declare(t, durianExport())
	trip = run(t, trip, []step{
		{operator, cuakhau.Decision{Checkpoint: "entry", Outcome: "pass", Device: "anpr-1", Reading: &cuakhau.Reading{Plate: "12C12345"}}},
		{medical, cuakhau.Decision{Checkpoint: "medical", Outcome: "pass"}},
		{customs, cuakhau.Decision{Checkpoint: "customs", Outcome: "pass", Channel: "green"}},
		{quarantine, cuakhau.Decision{Checkpoint: "quarantine", Outcome: "pass"}},
		{guard, cuakhau.Decision{Checkpoint: "border_guard", Outcome: "pass"}},
		{operator, cuakhau.Decision{Checkpoint: "fee", Outcome: "pass"}},
	})
	if trip.Status != cuakhau.StatusInZone {
		t.Fatalf("before exit status = %s, want in_zone", trip.Status)
	}
	trip = run(t, trip, []step{{operator, cuakhau.Decision{Checkpoint: "exit", Outcome: "pass"}}})
	if trip.Status != cuakhau.StatusCrossed || trip.CrossedAt == nil || trip.Channel != cuakhau.ChannelGreen {
		t.Errorf("after exit: status %s, crossed_at %v, channel %s; want crossed with a time and green", trip.Status, trip.CrossedAt, trip.Channel)
	}
	// The optional weighbridge was never visited and did not block.
	if c := trip.Checkpoints[index(trip, "weighbridge")]; c.State != cuakhau.CheckpointPending {
		t.Errorf("weighbridge = %s, want pending", c.State)
	}
	_, _, err := Apply(gate(t, "huu-nghi"), trip, operator, cuakhau.Decision{Checkpoint: "exit", Outcome: "pass"}, now)
	wantCode(t, err, cuakhau.ECONFLICT)
}

func TestHoldBlocksLaterCheckpoints(t *testing.T) {
	g := gate(t, "huu-nghi")
	trip := run(t, declare(t, durianExport()), []step{
		{operator, cuakhau.Decision{Checkpoint: "entry", Outcome: "pass"}},
		{medical, cuakhau.Decision{Checkpoint: "medical", Outcome: "pass"}},
		{customs, cuakhau.Decision{Checkpoint: "customs", Outcome: "hold", Channel: "red", Note: "kiểm tra thực tế"}},
	})
	if trip.Status != cuakhau.StatusHeld {
		t.Fatalf("status = %s, want held", trip.Status)
	}
	_, _, err := Apply(g, trip, quarantine, cuakhau.Decision{Checkpoint: "quarantine", Outcome: "pass"}, now)
	wantCode(t, err, cuakhau.ECONFLICT)
	if !strings.Contains(cuakhau.ErrorMessage(err), "customs holds") {
		t.Errorf("message %q should say customs holds the trip", cuakhau.ErrorMessage(err))
	}
	// Release, then the channel already assigned lets customs pass without repeating it.
	trip = run(t, trip, []step{
		{customs, cuakhau.Decision{Checkpoint: "customs", Outcome: "release"}},
		{customs, cuakhau.Decision{Checkpoint: "customs", Outcome: "pass"}},
		{quarantine, cuakhau.Decision{Checkpoint: "quarantine", Outcome: "pass"}},
	})
	if trip.Status != cuakhau.StatusInZone || trip.Channel != cuakhau.ChannelRed {
		t.Errorf("status %s channel %s, want in_zone red", trip.Status, trip.Channel)
	}
}

func TestApplyRefuses(t *testing.T) {
	g := gate(t, "huu-nghi")
	fresh := declare(t, durianExport())
	entered := run(t, fresh, []step{{operator, cuakhau.Decision{Checkpoint: "entry", Outcome: "pass"}}})
	tests := []struct {
		name  string
		trip  *cuakhau.Trip
		who   cuakhau.Principal
		d     cuakhau.Decision
		code  string
		field string
	}{
		{"out of order", entered, guard, cuakhau.Decision{Checkpoint: "border_guard", Outcome: "pass"}, cuakhau.ECONFLICT, ""},
		{"wrong role", entered, customs, cuakhau.Decision{Checkpoint: "medical", Outcome: "pass"}, cuakhau.EFORBIDDEN, ""},
		{"other gate", entered, cuakhau.Principal{Role: cuakhau.RoleMedical, Gate: "tan-thanh"}, cuakhau.Decision{Checkpoint: "medical", Outcome: "pass"}, cuakhau.EFORBIDDEN, ""},
		{"unknown checkpoint", entered, admin, cuakhau.Decision{Checkpoint: "toll", Outcome: "pass"}, cuakhau.EINVALID, "checkpoint"},
		{"unknown outcome", entered, admin, cuakhau.Decision{Checkpoint: "medical", Outcome: "maybe"}, cuakhau.EINVALID, "outcome"},
		{"missing checkpoint", entered, admin, cuakhau.Decision{Outcome: "pass"}, cuakhau.EINVALID, "checkpoint"},
		{"channel outside customs", entered, medical, cuakhau.Decision{Checkpoint: "medical", Outcome: "pass", Channel: "green"}, cuakhau.EINVALID, "channel"},
		{"hold without reason", entered, medical, cuakhau.Decision{Checkpoint: "medical", Outcome: "hold"}, cuakhau.EINVALID, "note"},
		{"release not held", entered, medical, cuakhau.Decision{Checkpoint: "medical", Outcome: "release"}, cuakhau.ECONFLICT, ""},
		{"plate mismatch", fresh, operator, cuakhau.Decision{Checkpoint: "entry", Outcome: "pass", Device: "anpr-1", Reading: &cuakhau.Reading{Plate: "12C-999.99"}}, cuakhau.ECONFLICT, ""},
		{"enterprise decides", entered, company, cuakhau.Decision{Checkpoint: "medical", Outcome: "pass"}, cuakhau.EFORBIDDEN, ""},
		{"viewer cancels", fresh, cuakhau.Principal{Role: cuakhau.RoleViewer}, cuakhau.Decision{Outcome: "cancel"}, cuakhau.EFORBIDDEN, ""},
		{"cancel in zone", entered, company, cuakhau.Decision{Outcome: "cancel"}, cuakhau.ECONFLICT, ""},
		{"officer cancel without reason", fresh, operator, cuakhau.Decision{Outcome: "cancel"}, cuakhau.EINVALID, "note"},
		{"no-show in zone", entered, operator, cuakhau.Decision{Outcome: "no_show"}, cuakhau.ECONFLICT, ""},
		{"note over 1000 characters", entered, medical, cuakhau.Decision{Checkpoint: "medical", Outcome: "hold", Note: strings.Repeat("ờ", 1001)}, cuakhau.EINVALID, "note"},
		{"note with a bidi override", entered, medical, cuakhau.Decision{Checkpoint: "medical", Outcome: "hold", Note: "thiếu\u202Egiấy"}, cuakhau.EINVALID, "note"},
		{"note with NUL", entered, medical, cuakhau.Decision{Checkpoint: "medical", Outcome: "hold", Note: "a\x00b"}, cuakhau.EINVALID, "note"},
		{"device with a zero-width space", fresh, operator, cuakhau.Decision{Checkpoint: "entry", Outcome: "pass", Device: "anpr\u200B1", Reading: &cuakhau.Reading{Plate: "12C-123.45"}}, cuakhau.EINVALID, "device"},
		{"reading over 100 t", fresh, operator, cuakhau.Decision{Checkpoint: "entry", Outcome: "pass", Device: "wb-1", Reading: &cuakhau.Reading{WeightKg: cuakhau.MaxWeightKg + 1}}, cuakhau.EINVALID, "reading.weight_kg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := json.Marshal(tt.trip)
			_, _, err := Apply(g, tt.trip, tt.who, tt.d, now)
			wantCode(t, err, tt.code)
			if tt.field != "" && cuakhau.ErrorFields(err)[tt.field] == "" {
				t.Errorf("fields = %v, want a rule for %s", cuakhau.ErrorFields(err), tt.field)
			}
			if after, _ := json.Marshal(tt.trip); string(after) != string(before) {
				t.Error("a refused decision changed the trip")
			}
		})
	}
}

func TestCancelAndNoShow(t *testing.T) {
	g := gate(t, "huu-nghi")
	trip := declare(t, durianExport())
	got, ev, err := Apply(g, trip, company, cuakhau.Decision{Outcome: cuakhau.OutcomeCancel}, now)
	if err != nil || got.Status != cuakhau.StatusCancelled || ev.Type != cuakhau.EventCancelled {
		t.Fatalf("cancel: %v, status %v, event %v", err, got, ev)
	}
	got, ev, err = Apply(g, trip, operator, cuakhau.Decision{Outcome: cuakhau.OutcomeNoShow}, now)
	if err != nil || got.Status != cuakhau.StatusNoShow || ev.Type != cuakhau.EventNoShow {
		t.Fatalf("no-show: %v, status %v, event %v", err, got, ev)
	}
	_, _, err = Apply(g, got, operator, cuakhau.Decision{Checkpoint: "entry", Outcome: "pass"}, now)
	wantCode(t, err, cuakhau.ECONFLICT)
}

func TestNewCode(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		c := NewCode("tan-thanh")
		if !strings.HasPrefix(c, "TT-") || len(c) != 9 || strings.ContainsAny(c[3:], "01ILOU") {
			t.Fatalf("code %q: want TT- and six unambiguous characters", c)
		}
		seen[c] = true
	}
	if len(seen) < 999 {
		t.Errorf("%d distinct codes of 1000", len(seen))
	}
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	id := NewID(at)
	if len(id) != 36 || id[14] != '7' || !strings.ContainsRune("89ab", rune(id[19])) {
		t.Errorf("id %q is not a v7 UUID", id)
	}
	// The first 48 bits are the Unix milliseconds: 2026-12-01T08:00Z is
	// 1796112000000 ms = 0x01a2309e2400.
	if got, want := id[:8]+id[9:13], "01a2309e2400"; got != want {
		t.Errorf("id %q starts %s, want the time %s", id, got, want)
	}
	if a, b := NewID(at), NewID(at.Add(time.Millisecond)); a >= b {
		t.Errorf("ids do not sort by time: %s then %s", a, b)
	}
	if a, b := NewID(at), NewID(at); a == b {
		t.Errorf("two ids in one millisecond are equal: %s", a)
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := cuakhau.ErrorCode(err); got != code {
		t.Errorf("error = %v (code %q), want code %q", err, got, code)
	}
}
