package cuakhau

import "context"

// Direction is the way a trip crosses the border.
type Direction string

// Directions a trip can take.
const (
	Export      Direction = "export"
	Import      Direction = "import"
	Reexport    Direction = "reexport" // temporary import for re-export
	Transit     Direction = "transit"
	EmptyReturn Direction = "empty_return"
)

// Directions lists every direction in a stable order.
var Directions = []Direction{Export, Import, Reexport, Transit, EmptyReturn}

// Valid reports whether d is a known direction.
func (d Direction) Valid() bool {
	for _, x := range Directions {
		if d == x {
			return true
		}
	}
	return false
}

// CheckpointKind says which authority decides at a checkpoint.
type CheckpointKind string

// Checkpoint kinds. Each is decided by the role of the same name, except
// KindGate, which the gate/yard operator and its devices decide.
const (
	KindGate        CheckpointKind = "gate"
	KindMedical     CheckpointKind = "medical"
	KindCustoms     CheckpointKind = "customs"
	KindQuarantine  CheckpointKind = "quarantine"
	KindBorderGuard CheckpointKind = "border_guard"
)

// Role returns the officer role that decides at checkpoints of this kind.
func (k CheckpointKind) Role() Role {
	switch k {
	case KindMedical:
		return RoleMedical
	case KindCustoms:
		return RoleCustoms
	case KindQuarantine:
		return RoleQuarantine
	case KindBorderGuard:
		return RoleBorderGuard
	default:
		return RoleOperator
	}
}

// Applicability rules for checkpoints that only some trips visit.
const (
	// WhenAlways: every trip on the route visits the checkpoint.
	WhenAlways = ""
	// WhenQuarantineCargo: only trips with a cargo line whose HS chapter is
	// under plant or animal quarantine (chapters 01–14) visit the checkpoint.
	WhenQuarantineCargo = "quarantine_cargo"
)

// Checkpoint is one step of a gate's route for a direction. The order of a
// route's checkpoints is the order a trip goes through them.
type Checkpoint struct {
	Code   string         `json:"code"`
	Kind   CheckpointKind `json:"kind"`
	Name   string         `json:"name"`
	NameEN string         `json:"name_en"`
	// Mandatory checkpoints must pass before any later checkpoint may decide;
	// optional ones (a weighbridge, say) may be skipped.
	Mandatory bool `json:"mandatory"`
	// When is an applicability rule (WhenAlways, WhenQuarantineCargo).
	When string `json:"when,omitempty"`
}

// Route is a freight route of a gate pair, by its border markers.
type Route struct {
	Name        string `json:"name"`
	Markers     string `json:"markers"`
	Counterpart string `json:"counterpart"`
}

// Hours are a gate's daily opening hours in its local time zone, "HH:MM".
// A Close at or before Open runs past midnight; "24:00" closes at midnight.
type Hours struct {
	Open  string `json:"open"`
	Close string `json:"close"`
}

// String is the hours as the gate posts them, "07:00–20:00".
func (h Hours) String() string { return h.Open + "–" + h.Close }

// IsZero reports whether no hours are set.
func (h Hours) IsZero() bool { return h == Hours{} }

// Check adds to f what breaks the rules of hours, field naming them
// ("hours" gives "hours.open" and "hours.close"): each a time of day as
// HH:MM, 00:00–23:59, and a close of 24:00 too.
func (h Hours) Check(f FieldErrors, field string) {
	if !hhmm(h.Open, false) {
		f.Add(field+".open", "must be a time of day, HH:MM from 00:00 to 23:59")
	}
	if !hhmm(h.Close, true) {
		f.Add(field+".close", "must be a time of day, HH:MM from 00:00 to 24:00")
	}
}

func hhmm(s string, closing bool) bool {
	if len(s) != 5 || s[2] != ':' {
		return false
	}
	for i, c := range []byte(s) {
		if i != 2 && (c < '0' || c > '9') {
			return false
		}
	}
	h, m := int(s[0]-'0')*10+int(s[1]-'0'), int(s[3]-'0')*10+int(s[4]-'0')
	return h <= 23 && m <= 59 || closing && h == 24 && m == 0
}

// Gate is a border crossing: its routes, hours, capacity and, per direction,
// the ordered checkpoints a trip passes.
type Gate struct {
	Code     string  `json:"code"`
	Name     string  `json:"name"`
	NameEN   string  `json:"name_en"`
	NameZH   string  `json:"name_zh,omitempty"`
	Province string  `json:"province"`
	TimeZone string  `json:"time_zone"`
	Hours    Hours   `json:"hours"`
	Routes   []Route `json:"routes"`
	// YardCapacity is the trucks the waiting yard holds; OverflowCapacity the
	// extra trucks its overflow space takes.
	YardCapacity     int `json:"yard_capacity"`
	OverflowCapacity int `json:"overflow_capacity"`
	// ControlZoneRoom is how many trucks the control zone holds at once.
	ControlZoneRoom int `json:"control_zone_room"`
	// DesignCapacityPerDay is the trucks a day the gate is built to clear.
	DesignCapacityPerDay int `json:"design_capacity_per_day"`
	// LevelScale scales the national congestion thresholds (500 / 1,000 /
	// 5,000 trucks waiting, figures for a whole province) to this gate; 0
	// means by the gate's share of the yard space of all gates in the store.
	LevelScale float64 `json:"level_scale,omitempty"`
	// Checkpoints holds the route of checkpoints for each direction served.
	Checkpoints map[Direction][]Checkpoint `json:"checkpoints"`
}

// Route returns the checkpoints of direction d, or nil when the gate does not
// serve it.
func (g *Gate) Route(d Direction) []Checkpoint { return g.Checkpoints[d] }

// GateService reads the gate catalogue.
type GateService interface {
	Gates(ctx context.Context) ([]*Gate, error)
	// Gate returns ENOTFOUND for an unknown code.
	Gate(ctx context.Context, code string) (*Gate, error)
}
