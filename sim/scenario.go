package sim

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Scenario is a simulation experiment as written in a YAML file. Every field
// is documented in docs/simulation.md; Parse checks them all and reports each
// broken rule with its line and field path.
type Scenario struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// Days is the simulated length of one replication, warm-up included.
	Days         float64 `yaml:"days"`
	Seed         uint64  `yaml:"seed"`
	Replications int     `yaml:"replications"`
	// WarmupDays are simulated but not measured.
	WarmupDays float64 `yaml:"warmup_days"`
	// Policy is fifo, fixed-slot, adaptive or all.
	Policy string `yaml:"policy"`
	// Start is the calendar date of day 0 (gate local time), YYYY-MM-DD.
	Start string `yaml:"start"`
	// SampleMin is how often the queue length is sampled for charts.
	SampleMin float64 `yaml:"sample_min"`
	// Lifecycle says which trucks also go through the server's trip state
	// machine (flow.Apply) at every stage: all, sample (one in 16, the
	// default) or off. It checks the model against the real lifecycle and
	// changes no figure; it is the simulator's largest cost (see
	// docs/simulation.md).
	Lifecycle string   `yaml:"lifecycle"`
	Sched     Sched    `yaml:"sched"`
	Booking   Booking  `yaml:"booking"`
	Advisory  Advisory `yaml:"advisory"`
	Gates     []Gate   `yaml:"gates"`
	Arrivals  []Class  `yaml:"arrivals"`
	// Definitions is free-form: a place for YAML anchors (&name) that the
	// rest of the file reuses (*name). The simulator ignores it.
	Definitions yaml.Node `yaml:"definitions"`

	file string
	pos  map[string]int // field path → line, for errors found after parsing
}

// Sched tunes the scheduler (sched.Config); absent fields keep
// sched.DefaultConfig.
type Sched struct {
	AgingBoundMin *float64 `yaml:"aging_bound_min"`
	ToleranceMin  *float64 `yaml:"tolerance_min"`
}

// Booking configures slot windows, used by fixed-slot and adaptive.
type Booking struct {
	// WindowMin is the length of a bookable window (default 60).
	WindowMin float64 `yaml:"window_min"`
	// Utilization is the share of a window's clearing capacity offered for
	// booking (default: sched's, 0.85); the no-show margin is added on top
	// (sched.Capacities, sched.AcceptsEachOn).
	Utilization *float64 `yaml:"utilization"`
}

// Advisory configures the inflow advisory (sched.Advise), used by adaptive.
type Advisory struct {
	// Disabled turns the advisory off for adaptive too.
	Disabled bool `yaml:"disabled"`
	// Compliance is the share of live trucks that hold at origin when the
	// advisory is in force (default 1).
	Compliance *float64 `yaml:"compliance"`
	// EveryMin is how often the gate re-evaluates the advisory and lets held
	// trucks book (default 60).
	EveryMin float64 `yaml:"every_min"`
}

// Gate is one queue: a waiting area feeding a control zone through the
// policy, and the zone's stages in series.
type Gate struct {
	Code string `yaml:"code"`
	Name string `yaml:"name"`
	// Hours are the gate's opening hours, "HH:MM-HH:MM[,HH:MM-HH:MM…]".
	Hours string `yaml:"hours"`
	// Yard is the waiting area's capacity; trucks beyond it wait on the road.
	// 0 means unlimited.
	Yard int `yaml:"yard"`
	// ControlZone is how many trucks the zone holds; default: the sum of the
	// stages' servers.
	ControlZone int `yaml:"control_zone"`
	// CallIntervalMin batches call-forward decisions: at most one per
	// interval (default 0, a call whenever the zone has room).
	CallIntervalMin float64 `yaml:"call_interval_min"`
	Stages          []Stage `yaml:"stages"`
	// OtherSide is the other side's capacity, trucks per day, from a day on.
	// Empty means unlimited.
	OtherSide []Capacity `yaml:"other_side"`
	// Closed periods: no calls, no crossings.
	Closed []Period `yaml:"closed"`
	// RegisteredOnly periods: only pre-registered trucks are called.
	RegisteredOnly []Period `yaml:"registered_only"`
}

// Stage is a checkpoint of the control zone, a multi-server FIFO queue.
type Stage struct {
	Name string `yaml:"name"`
	// Kind is the checkpoint kind used for the trip lifecycle: gate, medical,
	// customs, quarantine, border_guard (default gate).
	Kind    string `yaml:"kind"`
	Servers int    `yaml:"servers"`
	Service Dist   `yaml:"service"`
	// Share is the probability that a truck (among those the filters below
	// admit) visits the stage; default 1.
	Share *float64 `yaml:"share"`
	// Directions limits the stage to trucks of these directions.
	Directions []string `yaml:"directions"`
	// PerishableOnly limits the stage to perishable cargo.
	PerishableOnly bool `yaml:"perishable_only"`
	// Channels assigns each truck a customs channel by these shares (green,
	// yellow, red); at most one stage per gate.
	Channels map[string]float64 `yaml:"channels"`
	// Channel limits the stage to trucks of that customs channel.
	Channel string `yaml:"channel"`
}

// Dist is a distribution: exponential, deterministic, lognormal or empirical.
type Dist struct {
	Dist      string    `yaml:"dist"`
	MeanMin   *float64  `yaml:"mean_min"`
	MeanH     *float64  `yaml:"mean_h"`
	CV        *float64  `yaml:"cv"`
	ValuesMin []float64 `yaml:"values_min"`
	ValuesH   []float64 `yaml:"values_h"`
	Weights   []float64 `yaml:"weights"`
}

// Capacity is the other side's trucks per day from FromDay on.
type Capacity struct {
	FromDay float64 `yaml:"from_day"`
	PerDay  float64 `yaml:"per_day"`
}

// Period is [FromDay, ToDay) in scenario days.
type Period struct {
	FromDay float64 `yaml:"from_day"`
	ToDay   float64 `yaml:"to_day"`
}

// Factor multiplies a class's rate from FromDay on.
type Factor struct {
	FromDay float64 `yaml:"from_day"`
	Factor  float64 `yaml:"factor"`
}

// Class is a stream of trucks of one kind to one gate.
type Class struct {
	Class     string   `yaml:"class"`
	Gate      string   `yaml:"gate"`
	Direction string   `yaml:"direction"`
	PerHour   *float64 `yaml:"per_hour"`
	PerDay    *float64 `yaml:"per_day"`
	// Profile weighs the 24 hours of the day (per_day only).
	Profile    []float64 `yaml:"profile"`
	RateFactor []Factor  `yaml:"rate_factor"`
	// Booked is the share of trucks that book a window (fixed-slot and
	// adaptive; under fifo nobody books).
	Booked float64 `yaml:"booked"`
	// PunctualityMin is the standard deviation of a booked truck's arrival
	// around its planned time.
	PunctualityMin float64 `yaml:"punctuality_min"`
	// NoShow is the share of bookings not used.
	NoShow float64 `yaml:"no_show"`
	// Registered is the share of trucks pre-registered (default 1), which
	// matters only in a gate's registered_only periods.
	Registered *float64 `yaml:"registered"`
	Perishable bool     `yaml:"perishable"`
	// ShelfLife is the remaining shelf life when the truck reaches the
	// border (perishable only).
	ShelfLife *Dist `yaml:"shelf_life"`
	// Priority is a statutory priority, 0 for none, higher first.
	Priority int `yaml:"priority"`
}

// Policies the simulator compares.
var Policies = []string{"fifo", "fixed-slot", "adaptive"}

// Load reads and checks a scenario file.
func Load(path string) (*Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, b)
}

// ScenarioError lists every rule a scenario breaks, each with its line and
// field.
type ScenarioError struct {
	Problems []Problem
}

// Problem is one broken rule.
type Problem struct {
	File  string
	Line  int
	Field string
	Rule  string
}

func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc += ":" + strconv.Itoa(p.Line)
	}
	if p.Field == "" {
		return loc + ": " + p.Rule
	}
	return loc + ": " + p.Field + ": " + p.Rule
}

func (e *ScenarioError) Error() string {
	s := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		s[i] = p.String()
	}
	return strings.Join(s, "\n")
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
var unknownField = regexp.MustCompile(`^field (\S+) not found in type`)
var quotedValue = regexp.MustCompile("`([^`]*)`")

// Parse checks a scenario. file names it in errors.
func Parse(file string, b []byte) (*Scenario, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, syntaxError(file, err)
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, &ScenarioError{[]Problem{{File: file, Rule: "empty scenario"}}}
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return nil, &ScenarioError{[]Problem{{File: file, Line: doc.Line, Rule: "a scenario is a mapping of fields (name, days, gates, arrivals, …)"}}}
	}
	s := &Scenario{file: file, pos: map[string]int{}}
	index(doc, "", s.pos)
	s.pos[""] = doc.Line
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(s); err != nil && !errors.Is(err, io.EOF) {
		derr := decodeError(file, doc, err)
		// Report the other broken rules too, from a lenient reading, so
		// that one run shows everything to fix.
		var lenient Scenario
		if yaml.Unmarshal(b, &lenient) == nil {
			lenient.file, lenient.pos = file, s.pos
			var more *ScenarioError
			if errors.As(lenient.check(), &more) {
				var se *ScenarioError
				if errors.As(derr, &se) {
					se.Problems = append(se.Problems, more.Problems...)
				}
			}
		}
		return nil, derr
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	return s, nil
}

func syntaxError(file string, err error) error {
	p := Problem{File: file, Rule: strings.TrimPrefix(err.Error(), "yaml: ")}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		p.Rule = m[2]
	}
	return &ScenarioError{[]Problem{p}}
}

// decodeError turns yaml's type and unknown-field errors into problems that
// name the field path as well as the line.
func decodeError(file string, doc *yaml.Node, err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return syntaxError(file, err)
	}
	var out []Problem
	for _, msg := range te.Errors {
		p := Problem{File: file, Rule: msg}
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			p.Line, _ = strconv.Atoi(m[1])
			p.Rule = m[2]
			// Several fields may share a line ({a: 1, b: 2}): prefer the
			// key or value the message names.
			want := func(k, v *yaml.Node) bool { return true }
			if u := unknownField.FindStringSubmatch(p.Rule); u != nil {
				want = func(k, v *yaml.Node) bool { return k != nil && k.Value == u[1] }
			} else if q := quotedValue.FindStringSubmatch(p.Rule); q != nil {
				want = func(k, v *yaml.Node) bool { return v.Kind == yaml.ScalarNode && v.Value == q[1] }
			}
			p.Field = pathAtLine(doc, "", p.Line, want)
			if p.Field == "" {
				p.Field = pathAtLine(doc, "", p.Line, func(k, v *yaml.Node) bool { return true })
			}
		}
		if m := unknownField.FindStringSubmatch(p.Rule); m != nil {
			p.Rule = "unknown field " + strconv.Quote(m[1])
		} else {
			p.Rule = strings.Replace(p.Rule, "cannot unmarshal", "cannot read", 1)
		}
		out = append(out, p)
	}
	return &ScenarioError{out}
}

// index records the line of every field path in the document: "gates[0].stages[1].servers".
func index(n *yaml.Node, path string, pos map[string]int) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			pos[p] = k.Line
			index(v, p, pos)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			pos[p] = c.Line
			index(c, p, pos)
		}
	}
}

// pathAtLine returns the deepest field path on line whose key and value
// want accepts (key is nil for sequence items).
func pathAtLine(n *yaml.Node, path string, line int, want func(k, v *yaml.Node) bool) string {
	best := ""
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			if k.Line == line && want(k, v) {
				best = p
			}
			if d := pathAtLine(v, p, line, want); d != "" {
				best = d
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			if c.Line == line && c.Kind == yaml.ScalarNode && want(nil, c) {
				best = p
			}
			if d := pathAtLine(c, p, line, want); d != "" {
				best = d
			}
		}
	}
	return best
}

// checker collects problems, each placed at its field's line or, for a
// missing field, at its parent's.
type checker struct {
	s     *Scenario
	probs []Problem
}

func (c *checker) add(field, rule string, args ...any) {
	line := c.s.pos[""]
	for p := field; p != ""; p = parent(p) {
		if l, ok := c.s.pos[p]; ok {
			line = l
			break
		}
	}
	c.probs = append(c.probs, Problem{File: c.s.file, Line: line, Field: field, Rule: fmt.Sprintf(rule, args...)})
}

func (c *checker) has(field string) bool { _, ok := c.s.pos[field]; return ok }

func parent(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

func (s *Scenario) check() error {
	c := &checker{s: s}
	if strings.TrimSpace(s.Name) == "" {
		c.add("name", "required")
	}
	if !c.has("days") {
		c.add("days", "required")
	} else if s.Days <= 0 {
		c.add("days", "must be greater than 0")
	} else if s.Days > 3660 {
		c.add("days", "at most 3660 (ten years)")
	}
	if s.Replications < 0 {
		c.add("replications", "must not be negative")
	} else if s.Replications > 1000 {
		c.add("replications", "at most 1000")
	}
	if s.WarmupDays < 0 {
		c.add("warmup_days", "must not be negative")
	} else if s.Days > 0 && s.WarmupDays >= s.Days {
		c.add("warmup_days", "must be less than days (%g)", s.Days)
	}
	if s.Policy != "" && s.Policy != "all" && !contains(Policies, s.Policy) {
		c.add("policy", "unknown policy %q; one of fifo, fixed-slot, adaptive, all", s.Policy)
	}
	if s.Start != "" {
		if _, err := time.Parse("2006-01-02", s.Start); err != nil {
			c.add("start", "want a date YYYY-MM-DD")
		}
	}
	switch s.Lifecycle {
	case "", "all", "sample", "off":
	default:
		c.add("lifecycle", "unknown value %q; one of all, sample, off", s.Lifecycle)
	}
	if s.SampleMin < 0 {
		c.add("sample_min", "must not be negative")
	}
	if v := s.Sched.AgingBoundMin; v != nil && *v <= 0 {
		c.add("sched.aging_bound_min", "must be greater than 0")
	}
	if v := s.Sched.ToleranceMin; v != nil && *v < 0 {
		c.add("sched.tolerance_min", "must not be negative")
	}
	if s.Booking.WindowMin < 0 || s.Booking.WindowMin > 0 && (s.Booking.WindowMin < 5 || 1440/s.Booking.WindowMin != float64(int(1440/s.Booking.WindowMin))) {
		c.add("booking.window_min", "must divide a day into whole windows of at least 5 minutes (15, 30, 60, 120 …)")
	}
	if v := s.Booking.Utilization; v != nil && (*v <= 0 || *v > 1) {
		c.add("booking.utilization", "must be in (0, 1]")
	}
	if v := s.Advisory.Compliance; v != nil && (*v < 0 || *v > 1) {
		c.add("advisory.compliance", "must be between 0 and 1")
	}
	if s.Advisory.EveryMin < 0 {
		c.add("advisory.every_min", "must not be negative")
	}
	gates := map[string]bool{}
	if len(s.Gates) == 0 {
		c.add("gates", "at least one gate is required")
	}
	for i := range s.Gates {
		g := &s.Gates[i]
		at := fmt.Sprintf("gates[%d]", i)
		if g.Code == "" {
			c.add(at+".code", "required")
		} else if gates[g.Code] {
			c.add(at+".code", "gate %q is listed twice", g.Code)
		}
		gates[g.Code] = true
		if g.Hours == "" {
			c.add(at+".hours", "required (\"00:00-24:00\" for a gate that never closes)")
		} else if _, err := parseHours(g.Hours); err != nil {
			c.add(at+".hours", "%v", err)
		}
		if g.Yard < 0 {
			c.add(at+".yard", "must not be negative (0 means unlimited)")
		}
		if g.ControlZone < 0 {
			c.add(at+".control_zone", "must not be negative (0 means the sum of the stages' servers)")
		}
		if g.CallIntervalMin < 0 {
			c.add(at+".call_interval_min", "must not be negative")
		}
		if len(g.Stages) == 0 {
			c.add(at+".stages", "at least one stage is required")
		}
		names := map[string]bool{}
		mixes := 0
		for j := range g.Stages {
			st := &g.Stages[j]
			sat := fmt.Sprintf("%s.stages[%d]", at, j)
			switch {
			case st.Name == "":
				c.add(sat+".name", "required")
			case names[st.Name]:
				c.add(sat+".name", "stage %q is listed twice", st.Name)
			case st.Name == exitCheckpoint:
				c.add(sat+".name", "%q is reserved for the crossing", exitCheckpoint)
			}
			names[st.Name] = true
			switch st.Kind {
			case "", "gate", "medical", "customs", "quarantine", "border_guard":
			default:
				c.add(sat+".kind", "unknown kind %q; one of gate, medical, customs, quarantine, border_guard", st.Kind)
			}
			if !c.has(sat + ".servers") {
				c.add(sat+".servers", "required")
			} else if st.Servers < 1 {
				c.add(sat+".servers", "must be at least 1")
			}
			if !c.has(sat + ".service") {
				c.add(sat+".service", "required")
			} else {
				c.dist(sat+".service", &st.Service, "min")
			}
			if st.Share != nil && (*st.Share < 0 || *st.Share > 1) {
				c.add(sat+".share", "must be between 0 and 1")
			}
			for k, d := range st.Directions {
				if !contains(directions, d) {
					c.add(fmt.Sprintf("%s.directions[%d]", sat, k), "unknown direction %q; one of %s", d, strings.Join(directions, ", "))
				}
			}
			if len(st.Channels) > 0 {
				mixes++
				sum := 0.0
				keys := make([]string, 0, len(st.Channels))
				for k := range st.Channels {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, k := range keys {
					v := st.Channels[k]
					if !contains(channels, k) {
						c.add(sat+".channels."+k, "unknown channel; one of green, yellow, red")
					}
					if v < 0 {
						c.add(sat+".channels."+k, "must not be negative")
					}
					sum += v
				}
				if sum < 0.999 || sum > 1.001 {
					c.add(sat+".channels", "shares add up to %g, not 1", sum)
				}
				if mixes > 1 {
					c.add(sat+".channels", "only one stage of a gate assigns channels")
				}
			}
			if st.Channel != "" && !contains(channels, st.Channel) {
				c.add(sat+".channel", "unknown channel %q; one of green, yellow, red", st.Channel)
			}
		}
		last := -1.0
		for j, cp := range g.OtherSide {
			cat := fmt.Sprintf("%s.other_side[%d]", at, j)
			if cp.FromDay < 0 || cp.FromDay <= last {
				c.add(cat+".from_day", "must not be negative and must increase")
			}
			last = cp.FromDay
			if cp.PerDay < 0 {
				c.add(cat+".per_day", "must not be negative")
			}
		}
		c.periods(at+".closed", g.Closed)
		c.periods(at+".registered_only", g.RegisteredOnly)
	}
	if len(s.Arrivals) == 0 {
		c.add("arrivals", "at least one arrival class is required")
	}
	classes := map[string]bool{}
	for i := range s.Arrivals {
		a := &s.Arrivals[i]
		at := fmt.Sprintf("arrivals[%d]", i)
		switch {
		case a.Class == "":
			c.add(at+".class", "required")
		case classes[a.Class+"\x00"+a.Gate]:
			c.add(at+".class", "class %q is listed twice for gate %q", a.Class, a.Gate)
		}
		classes[a.Class+"\x00"+a.Gate] = true
		if a.Gate == "" {
			c.add(at+".gate", "required")
		} else if !gates[a.Gate] {
			c.add(at+".gate", "no gate %q in gates", a.Gate)
		}
		if a.Direction != "" && !contains(directions, a.Direction) {
			c.add(at+".direction", "unknown direction %q; one of %s", a.Direction, strings.Join(directions, ", "))
		}
		switch {
		case a.PerHour == nil && a.PerDay == nil:
			c.add(at+".per_hour", "required: per_hour, or per_day (with an optional 24-value profile)")
		case a.PerHour != nil && a.PerDay != nil:
			c.add(at+".per_day", "give per_hour or per_day, not both")
		case a.PerHour != nil && *a.PerHour < 0:
			c.add(at+".per_hour", "must not be negative")
		case a.PerDay != nil && *a.PerDay < 0:
			c.add(at+".per_day", "must not be negative")
		}
		if c.has(at + ".profile") {
			switch {
			case a.PerDay == nil:
				c.add(at+".profile", "only with per_day")
			case len(a.Profile) != 24:
				c.add(at+".profile", "must have 24 values (one per hour), not %d", len(a.Profile))
			default:
				sum := 0.0
				for k, v := range a.Profile {
					if v < 0 {
						c.add(fmt.Sprintf("%s.profile[%d]", at, k), "must not be negative")
					}
					sum += v
				}
				if sum <= 0 {
					c.add(at+".profile", "at least one hour must have a positive weight")
				}
			}
		}
		last := -1.0
		for j, f := range a.RateFactor {
			fat := fmt.Sprintf("%s.rate_factor[%d]", at, j)
			if f.FromDay < 0 || f.FromDay <= last {
				c.add(fat+".from_day", "must not be negative and must increase")
			}
			last = f.FromDay
			if f.Factor < 0 {
				c.add(fat+".factor", "must not be negative")
			}
		}
		share := func(field string, v float64) {
			if v < 0 || v > 1 {
				c.add(at+"."+field, "must be between 0 and 1")
			}
		}
		share("booked", a.Booked)
		share("no_show", a.NoShow)
		if a.NoShow >= 1 {
			c.add(at+".no_show", "must be less than 1")
		}
		if a.Registered != nil {
			share("registered", *a.Registered)
		}
		if a.PunctualityMin < 0 {
			c.add(at+".punctuality_min", "must not be negative")
		}
		switch {
		case a.Perishable && a.ShelfLife == nil:
			c.add(at+".shelf_life", "required for perishable cargo")
		case !a.Perishable && a.ShelfLife != nil:
			c.add(at+".shelf_life", "only for perishable cargo (set perishable: true)")
		case a.ShelfLife != nil:
			c.dist(at+".shelf_life", a.ShelfLife, "h")
		}
		if a.Priority < 0 {
			c.add(at+".priority", "must not be negative")
		}
	}
	if len(c.probs) > 0 {
		return &ScenarioError{c.probs}
	}
	return nil
}

func (c *checker) periods(at string, ps []Period) {
	for j, p := range ps {
		pat := fmt.Sprintf("%s[%d]", at, j)
		if p.FromDay < 0 {
			c.add(pat+".from_day", "must not be negative")
		}
		if p.ToDay <= p.FromDay {
			c.add(pat+".to_day", "must be after from_day")
		}
	}
}

// dist checks a distribution; unit is the unit its mean is expected in
// ("min" for service times, "h" for shelf lives).
func (c *checker) dist(at string, d *Dist, unit string) {
	mean, values := d.MeanMin, d.ValuesMin
	other := "mean_h"
	if unit == "h" {
		mean, values, other = d.MeanH, d.ValuesH, "mean_min"
	}
	if (unit == "min" && (d.MeanH != nil || d.ValuesH != nil)) || (unit == "h" && (d.MeanMin != nil || d.ValuesMin != nil)) {
		c.add(at+"."+other, "use %s here", map[string]string{"min": "mean_min / values_min", "h": "mean_h / values_h"}[unit])
	}
	if d.CV != nil && *d.CV < 0 {
		c.add(at+".cv", "must not be negative")
	}
	switch d.Dist {
	case "":
		c.add(at+".dist", "required: exponential, deterministic, lognormal or empirical")
	case "exponential", "deterministic", "lognormal":
		if mean == nil {
			c.add(at+".mean_"+unit, "required for %s", d.Dist)
		} else if *mean <= 0 {
			c.add(at+".mean_"+unit, "must be greater than 0")
		}
		if d.Dist == "exponential" && d.CV != nil && *d.CV != 1 {
			c.add(at+".cv", "an exponential distribution has cv 1")
		}
		if d.Dist == "deterministic" && d.CV != nil && *d.CV != 0 {
			c.add(at+".cv", "a deterministic distribution has cv 0")
		}
		if d.Dist == "lognormal" && d.CV == nil {
			c.add(at+".cv", "required for lognormal")
		}
		if len(values) > 0 || len(d.Weights) > 0 {
			c.add(at+".values_"+unit, "only for empirical")
		}
	case "empirical":
		if len(values) == 0 {
			c.add(at+".values_"+unit, "required for empirical: the observed values")
		}
		for k, v := range values {
			if v < 0 {
				c.add(fmt.Sprintf("%s.values_%s[%d]", at, unit, k), "must not be negative")
			}
		}
		if len(d.Weights) > 0 && len(d.Weights) != len(values) {
			c.add(at+".weights", "must have one weight per value (%d), not %d", len(values), len(d.Weights))
		}
		sum := 0.0
		for k, w := range d.Weights {
			if w < 0 {
				c.add(fmt.Sprintf("%s.weights[%d]", at, k), "must not be negative")
			}
			sum += w
		}
		if len(d.Weights) > 0 && sum <= 0 {
			c.add(at+".weights", "at least one weight must be positive")
		}
		if mean != nil || d.CV != nil {
			c.add(at+".dist", "empirical takes values_%s (and weights), not a mean or cv", unit)
		}
	default:
		c.add(at+".dist", "unknown distribution %q; one of exponential, deterministic, lognormal, empirical", d.Dist)
	}
}

var (
	directions = []string{"export", "import", "reexport", "transit", "empty_return"}
	channels   = []string{"green", "yellow", "red"}
)

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// interval is [from, to) minutes after local midnight.
type interval struct{ from, to float64 }

// parseHours reads "HH:MM-HH:MM[,HH:MM-HH:MM…]" into sorted, disjoint
// intervals within one day.
func parseHours(s string) ([]interval, error) {
	var out []interval
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		a, b, ok := strings.Cut(part, "-")
		if !ok {
			return nil, fmt.Errorf("%q: want HH:MM-HH:MM", part)
		}
		from, err := clockMinutes(a)
		if err != nil {
			return nil, err
		}
		to, err := clockMinutes(b)
		if err != nil {
			return nil, err
		}
		if to <= from {
			return nil, fmt.Errorf("%q: the end must be after the start within one day", part)
		}
		out = append(out, interval{from, to})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].from < out[j].from })
	for i := 1; i < len(out); i++ {
		if out[i].from < out[i-1].to {
			return nil, fmt.Errorf("%q: intervals overlap", s)
		}
	}
	return out, nil
}

func clockMinutes(s string) (float64, error) {
	s = strings.TrimSpace(s)
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(h) != 2 || len(m) != 2 {
		return 0, fmt.Errorf("%q: want HH:MM", s)
	}
	if hh < 0 || hh > 24 || mm < 0 || mm > 59 || hh == 24 && mm != 0 {
		return 0, fmt.Errorf("%q: out of range 00:00–24:00", s)
	}
	return float64(hh*60 + mm), nil
}
