package flow

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/ident"
)

// Limits on a declaration's lists, so one request cannot bloat the log; the
// bounds of its text and numbers are cuakhau's (limits.go).
const (
	maxContainers   = 8
	maxCargoLines   = 100
	maxDeclarations = 20
	// A planned arrival may be at most this far ahead or behind.
	maxPlanAhead  = 30 * 24 * time.Hour
	maxPlanBehind = 24 * time.Hour
)

// DeclaredData is the payload of a trip's declared event: enough to rebuild
// the trip's projection from the log alone.
type DeclaredData struct {
	Code        string              `json:"code"`
	Declaration cuakhau.Declaration `json:"declaration"`
}

// Declare validates and normalises d for gate g (nil when d.Gate names no
// known gate), checks that p may declare it, and returns the new trip and its
// declared event. The event's Seq, PrevHash and Hash are left to the store.
func Declare(g *cuakhau.Gate, d cuakhau.Declaration, p cuakhau.Principal, id, code string, now time.Time) (*cuakhau.Trip, *cuakhau.Event, error) {
	if err := Validate(g, &d, now); err != nil {
		return nil, nil, err
	}
	if !p.CanDeclare(d.Enterprise.TaxCode, d.Gate) {
		switch p.Role {
		case cuakhau.RoleEnterprise:
			return nil, nil, cuakhau.Errorf(cuakhau.EFORBIDDEN, "this token may only declare trips of tax code %s", p.TaxCode)
		case cuakhau.RoleOperator:
			return nil, nil, cuakhau.Errorf(cuakhau.EFORBIDDEN, "this token is bound to gate %s; it may not declare trips at gate %s", p.Gate, d.Gate)
		}
		return nil, nil, cuakhau.Errorf(cuakhau.EFORBIDDEN, "role %s may not declare trips", p.Role)
	}
	now = now.UTC().Truncate(time.Microsecond)
	t := declaredTrip(g, d, id, code, now)
	data, err := json.Marshal(DeclaredData{Code: code, Declaration: d})
	if err != nil {
		return nil, nil, fmt.Errorf("encode declaration: %w", err)
	}
	ev := &cuakhau.Event{
		Gate:   g.Code,
		TripID: id,
		Type:   cuakhau.EventDeclared,
		Actor:  p.Actor(),
		At:     now,
		Status: t.Status,
		Data:   data,
	}
	return t, ev, nil
}

// declaredTrip is the projection of a trip just declared: d is already
// validated and normalised. Declare and Project both build it here.
func declaredTrip(g *cuakhau.Gate, d cuakhau.Declaration, id, code string, now time.Time) *cuakhau.Trip {
	return &cuakhau.Trip{
		ID:          id,
		Code:        code,
		Declaration: d,
		Status:      cuakhau.StatusDeclared,
		Checkpoints: route(g, &d),
		DeclaredAt:  now,
		UpdatedAt:   now,
		Version:     1,
	}
}

// route lists the checkpoints of d's direction at g, marking those that do
// not apply to this cargo as skipped.
func route(g *cuakhau.Gate, d *cuakhau.Declaration) []cuakhau.CheckpointState {
	cps := g.Route(d.Direction)
	out := make([]cuakhau.CheckpointState, len(cps))
	for i, c := range cps {
		state := cuakhau.CheckpointPending
		if !applies(c, d) {
			state = cuakhau.CheckpointSkipped
		}
		out[i] = cuakhau.CheckpointState{Code: c.Code, Kind: c.Kind, Mandatory: c.Mandatory, State: state}
	}
	return out
}

func applies(c cuakhau.Checkpoint, d *cuakhau.Declaration) bool {
	switch c.When {
	case cuakhau.WhenQuarantineCargo:
		for _, l := range d.Cargo {
			if hs, err := ident.ParseHSCode(l.HSCode); err == nil && hs.NeedsQuarantine() {
				return true
			}
		}
		return false
	default:
		return true
	}
}

// Validate checks every field of d against the rules of gate g (nil when
// unknown) and normalises identifiers to their canonical forms in place. All
// broken rules are reported at once, each under its field path.
func Validate(g *cuakhau.Gate, d *cuakhau.Declaration, now time.Time) error {
	// Normalising writes into the slices: copy them so the caller's stay as given.
	d.Containers = slices.Clone(d.Containers)
	d.Cargo = slices.Clone(d.Cargo)
	d.CustomsDeclarations = slices.Clone(d.CustomsDeclarations)
	f := cuakhau.FieldErrors{}
	switch {
	case d.Gate == "":
		f.Add("gate", "required")
	case g == nil:
		f.Add("gate", fmt.Sprintf("unknown gate %q", d.Gate))
	}
	switch {
	case d.Direction == "":
		f.Add("direction", "required")
	case !d.Direction.Valid():
		f.Add("direction", fmt.Sprintf("unknown direction %q; one of %s", d.Direction, joinDirections()))
	case g != nil && len(g.Route(d.Direction)) == 0:
		f.Add("direction", fmt.Sprintf("%s is not served at gate %s", d.Direction, g.Code))
	}
	validateVehicle(f, &d.Vehicle)
	f.Name("driver.name", d.Driver.Name, true)
	if d.Driver.IDNumber == "" {
		f.Add("driver.id_number", "required")
	} else if id, err := ident.ParseIDNumber(d.Driver.IDNumber); err != nil {
		f.Add("driver.id_number", err.Error())
	} else {
		d.Driver.IDNumber = id
	}
	f.Phone("driver.phone", d.Driver.Phone)
	if d.Enterprise.TaxCode == "" {
		f.Add("enterprise.tax_code", "required")
	} else if tc, err := ident.ParseTaxCode(d.Enterprise.TaxCode); err != nil {
		f.Add("enterprise.tax_code", err.Error())
	} else {
		d.Enterprise.TaxCode = tc
	}
	f.Name("enterprise.name", d.Enterprise.Name, true)
	validateContainers(f, d)
	validateCargo(f, d)
	validateDeclarations(f, d)
	if d.PlannedArrival != nil {
		pa := d.PlannedArrival.UTC().Truncate(time.Microsecond)
		switch {
		case pa.Before(now.Add(-maxPlanBehind)):
			f.Add("planned_arrival", "more than a day in the past")
		case pa.After(now.Add(maxPlanAhead)):
			f.Add("planned_arrival", "more than 30 days ahead")
		}
		d.PlannedArrival = &pa
	}
	return f.Err()
}

func validateVehicle(f cuakhau.FieldErrors, v *cuakhau.Vehicle) {
	if v.Plate == "" {
		f.Add("vehicle.plate", "required")
	} else if pl, err := ident.ParsePlate(v.Plate); err != nil {
		f.Add("vehicle.plate", err.Error())
	} else if pl.Trailer {
		f.Add("vehicle.plate", "a trailer plate cannot be the vehicle's plate; put it in trailer_plate")
	} else {
		v.Plate = pl.Canonical
		switch {
		case v.Country == "":
			v.Country = pl.Country
		case v.Country != "VN" && v.Country != "CN":
			f.Add("vehicle.country", "one of VN, CN")
		case v.Country != pl.Country:
			f.Add("vehicle.country", fmt.Sprintf("the plate is registered in %s", pl.Country))
		}
	}
	if v.TrailerPlate != "" {
		if pl, err := ident.ParsePlate(v.TrailerPlate); err != nil {
			f.Add("vehicle.trailer_plate", err.Error())
		} else {
			v.TrailerPlate = pl.Canonical
		}
	}
}

func validateContainers(f cuakhau.FieldErrors, d *cuakhau.Declaration) {
	if len(d.Containers) > maxContainers {
		f.Add("containers", fmt.Sprintf("at most %d containers", maxContainers))
		return
	}
	seen := map[string]bool{}
	for i, c := range d.Containers {
		field := fmt.Sprintf("containers[%d]", i)
		cn, err := ident.ParseContainer(c)
		if err != nil {
			f.Add(field, err.Error())
			continue
		}
		if seen[cn] {
			f.Add(field, fmt.Sprintf("%s is listed twice", cn))
		}
		seen[cn] = true
		d.Containers[i] = cn
	}
}

func validateCargo(f cuakhau.FieldErrors, d *cuakhau.Declaration) {
	if d.Direction == cuakhau.EmptyReturn {
		if len(d.Cargo) > 0 {
			f.Add("cargo", "an empty return carries no cargo")
		}
		return
	}
	switch {
	case len(d.Cargo) == 0:
		f.Add("cargo", "at least one cargo line is required")
		return
	case len(d.Cargo) > maxCargoLines:
		f.Add("cargo", fmt.Sprintf("at most %d cargo lines", maxCargoLines))
		return
	}
	for i := range d.Cargo {
		l := &d.Cargo[i]
		at := func(name string) string { return fmt.Sprintf("cargo[%d].%s", i, name) }
		hs, err := ident.ParseHSCode(l.HSCode)
		if l.HSCode == "" {
			f.Add(at("hs_code"), "required")
		} else if err != nil {
			f.Add(at("hs_code"), err.Error())
		} else {
			l.HSCode = hs.String()
		}
		f.Name(at("description"), l.Description, true)
		f.Range(at("packages"), int64(l.Packages), 1, cuakhau.MaxPackages, "packages")
		f.Range(at("gross_kg"), l.GrossKg, 1, cuakhau.MaxWeightKg, "kg on one truck")
		f.Range(at("value_usd_cents"), l.ValueUSDCents, 1, cuakhau.MaxValueUSDCents, "US cents")
		switch {
		case l.ShelfLifeHours < 0 || l.ShelfLifeHours > cuakhau.MaxShelfLifeHours:
			f.Range(at("shelf_life_hours"), int64(l.ShelfLifeHours), 0, cuakhau.MaxShelfLifeHours, "hours (90 days)")
		case l.ShelfLifeHours > 0 && !l.Perishable:
			f.Add(at("shelf_life_hours"), "only for perishable cargo")
		case l.Perishable && l.ShelfLifeHours == 0 && err == nil:
			// Undeclared shelf life: the HS heading's conservative default, so
			// that the queue can still protect the load.
			l.ShelfLifeHours = hs.DefaultShelfLifeHours()
			if l.ShelfLifeHours == 0 {
				l.ShelfLifeHours = defaultPerishableHours
			}
		}
	}
}

// defaultPerishableHours is the shelf life assumed for cargo declared
// perishable whose HS heading has no default: the shortest ambient figure in
// the reference (dragon fruit, ~2.5 days).
const defaultPerishableHours = 60

func validateDeclarations(f cuakhau.FieldErrors, d *cuakhau.Declaration) {
	needs := d.Direction == cuakhau.Export || d.Direction == cuakhau.Import || d.Direction == cuakhau.Reexport
	switch {
	case len(d.CustomsDeclarations) == 0 && needs:
		f.Add("customs_declarations", "at least one customs declaration is required")
		return
	case len(d.CustomsDeclarations) > maxDeclarations:
		f.Add("customs_declarations", fmt.Sprintf("at most %d declarations", maxDeclarations))
		return
	}
	for i, s := range d.CustomsDeclarations {
		field := fmt.Sprintf("customs_declarations[%d]", i)
		n, err := ident.ParseCustomsDeclaration(s)
		if err != nil {
			f.Add(field, err.Error())
			continue
		}
		d.CustomsDeclarations[i] = n
		want := map[cuakhau.Direction]string{cuakhau.Export: "export", cuakhau.Import: "import"}[d.Direction]
		if got := ident.DeclarationType(n); want != "" && got != want {
			f.Add(field, fmt.Sprintf("an %s declaration on an %s trip", got, d.Direction))
		}
	}
}

func joinDirections() string {
	s := make([]string, len(cuakhau.Directions))
	for i, d := range cuakhau.Directions {
		s[i] = string(d)
	}
	return strings.Join(s, ", ")
}
