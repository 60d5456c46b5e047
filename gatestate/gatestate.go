// Package gatestate holds one gate's queue state in memory as a projection
// of the gate's log: the waiting area, the control zone's occupancy per
// direction, the controls, the active bookings per window, the recent
// crossings and ended bookings the measured rates come from, and the
// advisory's episode with the trips it told to hold, and the call time
// each waiting truck was told at check-in with the error of those told to
// the trucks called in the last day (see PredictionError).
//
// A State is at a known Seq of its gate's log and moves on by Apply, one
// committed event at a time, which is the only way it changes after it is
// built. The same code keeps a live state current and rebuilds one from the
// log, so a state built from scratch equals the one that followed the log.
// A State is not safe for concurrent use; its owner locks it.
package gatestate

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/flow"
	"github.com/cuakhau/cuakhau/sched"
)

// RateWindow is how far back crossings are kept for the measured rate.
const RateWindow = time.Hour

// EndedWindow is how far back ended bookings are kept for the measured
// no-show rate.
const EndedWindow = sched.NoShowWindow

// AdvisoryData is an advisory event's data: the record, and the trips the
// event told to hold at origin — those on their way without a booking when
// it came into force, or perishables whose own shelf life would not last
// their wait (ShelfLifeHold). An inactive record that is not a shelf-life
// hold ends the episode. Needs holds, for a shelf-life hold, the wait and
// crossing its notice told each trip (by id), so that the notice can be
// rebuilt from the log; holds logged before it was kept have none.
type AdvisoryData struct {
	cuakhau.AdvisoryRecord
	Told          []string                 `json:"told,omitempty"`
	ShelfLifeHold bool                     `json:"shelf_life_hold,omitempty"`
	Needs         map[string]time.Duration `json:"needs,omitempty"`
}

// Trip is what the state keeps of a trip that has not reached a final
// status: enough to place it in the waiting area, the zone or a window.
type Trip struct {
	ID        string
	Code      string
	Plate     string
	Direction cuakhau.Direction
	Status    cuakhau.Status
	// Booking is the trip's active booking; nil when it has none.
	Booking *sched.Window
}

// Ended is a booking that ended, used or not shown, at At.
type Ended = sched.EndedBooking

type windowKey struct {
	dir   cuakhau.Direction
	start int64 // Unix microseconds
}

// State is one gate's queue state at Seq.
type State struct {
	gate string
	seq  int64

	trips map[string]*Trip
	// waiting is the waiting area by Seq. An arrival has the log's next Seq,
	// so it is appended; a departure is found by binary search on its Seq.
	waiting []sched.Truck
	// lines[i] is waiting[i]'s line of the waiting area's digest
	// (cuakhau.AppendWaitingLine), made once at its arrival: a call logs
	// the digest of the whole area.
	lines [][]byte
	// area is the waiting area indexed for placing a check-in (nil on a
	// clone until Area builds it).
	area    *sched.Area
	waitSeq map[string]int64
	zone    map[cuakhau.Direction]int

	controls *cuakhau.GateControls
	booked   map[windowKey]int

	crossings []time.Time
	ended     sched.EndedBookings

	advisory *cuakhau.AdvisoryRecord
	told     map[string]time.Time

	// predicted is the call time each waiting truck was told at check-in
	// (those told one); errors the calls of the ErrorWindow per direction.
	predicted map[string]time.Time
	errors    map[cuakhau.Direction]*errorWindow
}

// New returns the state of gate before the first entry of its log.
func New(gate string) *State {
	return &State{gate: gate, trips: map[string]*Trip{}, area: sched.NewArea(), waitSeq: map[string]int64{}, zone: map[cuakhau.Direction]int{},
		booked: map[windowKey]int{}, told: map[string]time.Time{}, predicted: map[string]time.Time{}, errors: map[cuakhau.Direction]*errorWindow{}}
}

// Gate is the gate's code.
func (s *State) Gate() string { return s.gate }

// Seq is the last entry of the log applied.
func (s *State) Seq() int64 { return s.seq }

func inZone(st cuakhau.Status) bool {
	return st == cuakhau.StatusCalled || st == cuakhau.StatusInZone || st == cuakhau.StatusHeld
}

// Apply moves the state on by ev, the next entry of the gate's log. An
// entry out of order or of another gate is refused and changes nothing.
func (s *State) Apply(ev *cuakhau.Event) error {
	if ev.Gate != s.gate {
		return fmt.Errorf("gate state of %s: entry %d is of gate %s", s.gate, ev.Seq, ev.Gate)
	}
	if ev.Seq != s.seq+1 {
		return fmt.Errorf("gate state of %s: entry %d follows entry %d", s.gate, ev.Seq, s.seq)
	}
	if ev.TripID == "" {
		if err := s.applyGate(ev); err != nil {
			return err
		}
		s.seq = ev.Seq
		return nil
	}
	if err := s.applyTrip(ev); err != nil {
		return err
	}
	s.seq = ev.Seq
	return nil
}

func (s *State) applyGate(ev *cuakhau.Event) error {
	switch ev.Type {
	case cuakhau.EventControls:
		c := new(cuakhau.GateControls)
		if err := json.Unmarshal(ev.Data, c); err != nil {
			return fmt.Errorf("gate state of %s: controls %d: %w", s.gate, ev.Seq, err)
		}
		s.controls = c
	case cuakhau.EventAdvisory:
		var d AdvisoryData
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			return fmt.Errorf("gate state of %s: advisory %d: %w", s.gate, ev.Seq, err)
		}
		rec := d.AdvisoryRecord
		s.advisory = &rec
		if !d.Active && !d.ShelfLifeHold {
			clear(s.told) // the episode ended
		}
		for _, id := range d.Told {
			s.told[id] = ev.At
		}
	}
	return nil
}

func (s *State) applyTrip(ev *cuakhau.Event) error {
	t := s.trips[ev.TripID]
	if ev.Type == cuakhau.EventDeclared {
		var d flow.DeclaredData
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			return fmt.Errorf("gate state of %s: declaration %d: %w", s.gate, ev.Seq, err)
		}
		t = &Trip{ID: ev.TripID, Code: d.Code, Plate: d.Declaration.Vehicle.Plate, Direction: d.Declaration.Direction}
		s.trips[ev.TripID] = t
	}
	if t == nil {
		return nil // a trip that ended before the state's start
	}
	prev, next := t.Status, ev.Status
	switch {
	case ev.Type == cuakhau.EventArrived:
		w, _, err := flow.ArrivedTruck(ev)
		if err != nil {
			return fmt.Errorf("gate state of %s: %w", s.gate, err)
		}
		s.leave(t.ID)
		s.join(flow.SchedTruck(w))
		if at := expectedCall(ev); !at.IsZero() {
			s.predicted[t.ID] = at
		}
	case next != cuakhau.StatusArrived:
		if ev.Type == cuakhau.EventCalled {
			s.called(t.Direction, ev.At.UTC(), s.predicted[t.ID])
		}
		s.leave(t.ID)
	}
	if inZone(prev) != inZone(next) {
		if inZone(next) {
			s.zone[t.Direction]++
		} else {
			s.zone[t.Direction]--
		}
	}
	switch {
	case ev.Type == cuakhau.EventBooked || ev.Type == cuakhau.EventBookingMoved:
		var d flow.BookingData
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			return fmt.Errorf("gate state of %s: booking %d: %w", s.gate, ev.Seq, err)
		}
		s.unbook(t)
		s.book(t, sched.Window{Start: d.WindowStart.UTC(), End: d.WindowEnd.UTC()})
	case t.Booking != nil && next != cuakhau.StatusBooked:
		s.unbook(t)
		// As the store ends the booking row: used on arrival or on entering
		// the zone directly, a no-show when the trip became one; any other
		// change (a cancellation, a release by a hold at origin) deletes it
		// or ends it as released: neither counts for the no-show rate.
		switch {
		case ev.Type == cuakhau.EventArrived || next == cuakhau.StatusInZone || next == cuakhau.StatusCrossed || next == cuakhau.StatusHeld:
			s.end(ev.At, false)
		case next == cuakhau.StatusNoShow:
			s.end(ev.At, true)
		}
	}
	if next == cuakhau.StatusCrossed && prev != cuakhau.StatusCrossed {
		s.crossed(ev.At)
	}
	t.Status = next
	if next.Final() {
		delete(s.trips, t.ID)
	}
	return nil
}

func (s *State) find(seq int64) (int, bool) {
	return slices.BinarySearchFunc(s.waiting, seq, func(t sched.Truck, q int64) int { return cmp.Compare(t.Seq, q) })
}

func (s *State) join(t sched.Truck) {
	i, _ := s.find(t.Seq)
	s.waiting = slices.Insert(s.waiting, i, t)
	s.lines = slices.Insert(s.lines, i, cuakhau.AppendWaitingLine(nil, flow.LoggedTruck(t)))
	s.waitSeq[t.ID] = t.Seq
	if s.area != nil {
		s.area.Add(t)
	}
}

func (s *State) leave(id string) {
	seq, ok := s.waitSeq[id]
	if !ok {
		return
	}
	delete(s.waitSeq, id)
	if s.area != nil {
		s.area.Remove(seq)
	}
	delete(s.predicted, id)
	if i, ok := s.find(seq); ok {
		s.waiting = slices.Delete(s.waiting, i, i+1)
		s.lines = slices.Delete(s.lines, i, i+1)
	}
}

func (s *State) book(t *Trip, w sched.Window) {
	t.Booking = &w
	s.booked[windowKey{t.Direction, w.Start.UnixMicro()}]++
}

func (s *State) unbook(t *Trip) {
	if t.Booking == nil {
		return
	}
	k := windowKey{t.Direction, t.Booking.Start.UnixMicro()}
	if s.booked[k]--; s.booked[k] <= 0 {
		delete(s.booked, k)
	}
	t.Booking = nil
}

// crossed keeps the crossings of the last RateWindow before the latest.
func (s *State) crossed(at time.Time) {
	s.crossings = append(s.crossings, at)
	cut := at.Add(-RateWindow)
	i := 0
	for i < len(s.crossings) && !s.crossings[i].After(cut) {
		i++
	}
	if i > 0 {
		s.crossings = slices.Delete(s.crossings, 0, i)
	}
}

// end keeps the bookings ended in the last EndedWindow before the latest.
func (s *State) end(at time.Time, noShow bool) { s.ended.End(at, noShow) }

// Waiting is the waiting area in arrival order (by Seq). The slice is the
// state's own: read it, do not keep it past the next Apply.
func (s *State) Waiting() []sched.Truck { return s.waiting }

// Area is the waiting area indexed for sched's Area.Place, holding the
// trucks of Waiting; like it, the state's own. A clone builds it on first
// use, so that readers that do not place a check-in do not copy it.
func (s *State) Area() *sched.Area {
	if s.area == nil {
		s.area = sched.NewArea(s.waiting...)
	}
	return s.area
}

// Digest is cuakhau.WaitingDigest of the waiting area, from the lines kept
// since each truck's arrival: the hashing alone, with no encoding.
func (s *State) Digest() string {
	h := sha256.New()
	for _, l := range s.lines {
		h.Write(l)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Trip is a trip of the gate not yet at a final status; nil when there is
// none. It is the state's own: do not modify it.
func (s *State) Trip(id string) *Trip { return s.trips[id] }

// InZone counts the trips of direction d between their call and their
// crossing.
func (s *State) InZone(d cuakhau.Direction) int { return s.zone[d] }

// Zone counts the trips of every direction between their call and their
// crossing.
func (s *State) Zone() int {
	n := 0
	for _, k := range s.zone {
		n += k
	}
	return n
}

// Controls is the gate's controls as last logged; nil when no operator has
// set any.
func (s *State) Controls() *cuakhau.GateControls { return s.controls }

// BookedIn counts the active bookings of direction d whose window starts in
// window w: those of w itself and, after a change of the gate's hours moved
// the windows' grid, those of the old windows the new hours still cover.
func (s *State) BookedIn(d cuakhau.Direction, w sched.Window) int {
	f, t := w.Start.UnixMicro(), w.End.UnixMicro()
	n := 0
	for k, c := range s.booked {
		if k.dir == d && k.start >= f && k.start < t {
			n += c
		}
	}
	return n
}

// BookedBetween counts the active bookings of every direction whose window
// starts in [from, to) — or (from, to] when openFrom.
func (s *State) BookedBetween(from, to time.Time, openFrom bool) int {
	f, t := from.UnixMicro(), to.UnixMicro()
	n := 0
	for k, c := range s.booked {
		if openFrom && k.start > f && k.start <= t || !openFrom && k.start >= f && k.start < t {
			n += c
		}
	}
	return n
}

// Crossings lists the crossings in (from, to], oldest first, of those kept
// (the last RateWindow before the latest).
func (s *State) Crossings(from, to time.Time) []time.Time {
	var out []time.Time
	for _, at := range s.crossings {
		if at.After(from) && !at.After(to) {
			out = append(out, at)
		}
	}
	return out
}

// EndedSince counts the bookings ended after since: not shown and used.
func (s *State) EndedSince(since time.Time) (noShows, used int) { return s.ended.Since(since) }

// NoShowRate is the gate's no-show rate measured at now over the
// EndedWindow, configured until enough bookings ended
// (sched.EndedBookings.Rate, which the simulator measures by too).
func (s *State) NoShowRate(now time.Time, configured float64) float64 {
	return s.ended.Rate(now, configured)
}

// Advisory is the record of the gate's latest advisory event; nil when there
// is none.
func (s *State) Advisory() *cuakhau.AdvisoryRecord { return s.advisory }

// Told returns the trips the current advisory episode told to hold at
// origin in events after since, and how many of them are still on their way
// (declared or booked).
func (s *State) Told(since time.Time) (told map[string]bool, held int) {
	told = map[string]bool{}
	for id, at := range s.told {
		if !at.After(since) {
			continue
		}
		told[id] = true
		if t := s.trips[id]; t != nil && (t.Status == cuakhau.StatusDeclared || t.Status == cuakhau.StatusBooked) {
			held++
		}
	}
	return told, held
}

// Projection is a state written out: what the store's projection tables
// hold of the gate at Seq, or what a state exports to be compared.
type Projection struct {
	Seq int64
	// Trips are those not at a final status, by ID, each with its active
	// booking.
	Trips []Trip
	// Waiting is the waiting area by Seq.
	Waiting  []sched.Truck
	Controls *cuakhau.GateControls
	// Crossings are those in the RateWindow before the latest, oldest
	// first; Ended the bookings ended in the EndedWindow before the
	// latest, in the order they ended.
	Crossings []time.Time
	Ended     []Ended
	Advisory  *cuakhau.AdvisoryRecord
	// Told is the current episode's told trips with the time of the latest
	// advisory event that told each.
	Told map[string]time.Time
	// Predicted is the call time each waiting truck was told at check-in,
	// by trip, for those told one; Calls the calls of the ErrorWindow
	// before the gate's latest call whose trucks were told one, by time.
	Predicted map[string]time.Time
	Calls     []Call
}

// FromProjection builds gate's state at p.Seq from its projection, which
// is then moved on by Apply like any other.
func FromProjection(gate string, p Projection) *State {
	s := New(gate)
	s.seq = p.Seq
	for _, t := range p.Trips {
		t.Booking = nil
		tc := t
		s.trips[t.ID] = &tc
		if inZone(t.Status) {
			s.zone[t.Direction]++
		}
	}
	for _, t := range p.Trips {
		if t.Booking != nil && s.trips[t.ID] != nil {
			s.book(s.trips[t.ID], *t.Booking)
		}
	}
	waiting := slices.Clone(p.Waiting)
	slices.SortFunc(waiting, func(a, b sched.Truck) int { return cmp.Compare(a.Seq, b.Seq) })
	for _, t := range waiting {
		s.join(t)
	}
	s.controls = p.Controls
	for _, at := range p.Crossings {
		s.crossed(at)
	}
	for _, e := range p.Ended {
		s.end(e.At, e.NoShow)
	}
	s.advisory = p.Advisory
	for id, at := range p.Told {
		s.told[id] = at
	}
	for id, at := range p.Predicted {
		if _, ok := s.waitSeq[id]; ok {
			s.predicted[id] = at.UTC()
		}
	}
	calls := slices.Clone(p.Calls)
	slices.SortStableFunc(calls, func(a, b Call) int { return a.At.Compare(b.At) })
	for _, c := range calls {
		s.called(c.Direction, c.At.UTC(), c.At.UTC().Add(-c.Error))
	}
	return s
}

// Export writes the state out, in the canonical form two states at the same
// Seq of the same log compare equal in.
func (s *State) Export() Projection {
	p := Projection{Seq: s.seq, Waiting: slices.Clone(s.waiting), Controls: s.controls, Advisory: s.advisory,
		Crossings: slices.Clone(s.crossings), Told: map[string]time.Time{}}
	for _, t := range s.trips {
		tc := *t
		if t.Booking != nil {
			b := *t.Booking
			tc.Booking = &b
		}
		p.Trips = append(p.Trips, tc)
	}
	slices.SortFunc(p.Trips, func(a, b Trip) int { return cmp.Compare(a.ID, b.ID) })
	p.Ended = s.ended.Recent()
	for id, at := range s.told {
		p.Told[id] = at
	}
	p.Predicted = make(map[string]time.Time, len(s.predicted))
	for id, at := range s.predicted {
		p.Predicted[id] = at
	}
	for _, w := range s.errors {
		p.Calls = append(p.Calls, w.calls...)
	}
	slices.SortFunc(p.Calls, func(a, b Call) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Direction, b.Direction), cmp.Compare(a.Error, b.Error))
	})
	return p
}

// Waits reports whether trip id is in the waiting area, and its truck.
func (s *State) Waits(id string) (sched.Truck, bool) {
	seq, ok := s.waitSeq[id]
	if !ok {
		return sched.Truck{}, false
	}
	i, ok := s.find(seq)
	if !ok {
		return sched.Truck{}, false
	}
	return s.waiting[i], true
}

// Clone returns a copy that shares nothing the next Apply changes, for a
// reader that works on it without the owner's lock.
func (s *State) Clone() *State {
	c := &State{gate: s.gate, seq: s.seq, waiting: slices.Clone(s.waiting), lines: slices.Clone(s.lines), waitSeq: make(map[string]int64, len(s.waitSeq)),
		trips: make(map[string]*Trip, len(s.trips)), zone: map[cuakhau.Direction]int{}, controls: s.controls,
		booked: make(map[windowKey]int, len(s.booked)), crossings: slices.Clone(s.crossings), ended: s.ended.Clone(),
		advisory: s.advisory, told: make(map[string]time.Time, len(s.told)),
		predicted: make(map[string]time.Time, len(s.predicted)), errors: make(map[cuakhau.Direction]*errorWindow, len(s.errors))}
	for id, q := range s.waitSeq {
		c.waitSeq[id] = q
	}
	for id, t := range s.trips {
		tc := *t
		c.trips[id] = &tc
	}
	for d, n := range s.zone {
		c.zone[d] = n
	}
	for k, n := range s.booked {
		c.booked[k] = n
	}
	for id, at := range s.told {
		c.told[id] = at
	}
	for id, at := range s.predicted {
		c.predicted[id] = at
	}
	for d, w := range s.errors {
		c.errors[d] = w.clone()
	}
	return c
}
