package fee

import "github.com/cuakhau/cuakhau"

// The classes TripOf gives. The declaration carries no vehicle class, so
// the fee classes a truck by the gross weight it declares: under 2 t, up to
// 20 t (what a 20-ft container's load usually weighs), or above (a 40-ft
// container). This is the platform's assumption, not the resolution's
// wording: a gate whose tariff names other classes needs its declarations
// to carry them.
const (
	VehicleUnder2t       = "under_2t"
	VehicleContainer20ft = "container_20ft"
	VehicleContainer40ft = "container_40ft"
)

// regimes gives the customs regime of each direction as tariffs name it:
// an import is for the domestic market, a re-export trip was temporarily
// imported.
var regimes = map[cuakhau.Direction]string{
	cuakhau.Export:      "export",
	cuakhau.Import:      "import_domestic",
	cuakhau.Reexport:    "temporary_import",
	cuakhau.Transit:     "transit",
	cuakhau.EmptyReturn: "empty_return",
}

// TripOf is what the fee of trip t depends on: its vehicle class by the
// gross weight declared, its regime by its direction, the HS codes of its
// cargo lines.
func TripOf(t *cuakhau.Trip) Trip {
	var kg int64
	hs := make([]string, 0, len(t.Cargo))
	for _, c := range t.Cargo {
		kg += c.GrossKg
		hs = append(hs, c.HSCode)
	}
	vehicle := VehicleContainer40ft
	switch {
	case kg < 2_000:
		vehicle = VehicleUnder2t
	case kg <= 20_000:
		vehicle = VehicleContainer20ft
	}
	regime, ok := regimes[t.Direction]
	if !ok {
		regime = string(t.Direction)
	}
	return Trip{Vehicle: vehicle, Regime: regime, HSCodes: hs}
}
