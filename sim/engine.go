package sim

// Event kinds.
const (
	evGenerate  uint8 = iota // the next truck of a class is known (lead ahead of its arrival)
	evArrive                 // a truck reaches the waiting area
	evHoldStart              // a truck that would have arrived now stays at origin
	evCall                   // try to call trucks forward
	evStageDone              // a truck finishes a stage
	evCross                  // the other side takes a truck
	evCapacity               // the other side's capacity changes
	evSample                 // record queue lengths
	evDay                    // day boundary bookkeeping
	evAdvise                 // re-evaluate a gate's advisory; let held trucks book
	evNoShow                 // a booking unused by its window's end plus the tolerance ends as a no-show
	evMeasure                // re-measure each gate's no-show rate
)

// event is one entry of the future event list. Events at the same instant
// run in the order they were scheduled (seq), so a run is deterministic.
type event struct {
	t     float64
	seq   uint64
	slot  int32  // the truck's slot in model.trucks, -1 for none; no pointer, so the heap costs the GC nothing
	gen   uint32 // the truck's generation when scheduled; stale events are dropped
	index int32  // class, gate or stage index
	kind  uint8
}

// eventHeap is a binary min-heap on (t, seq), written out rather than
// through container/heap to avoid an interface call per comparison.
type eventHeap []event

func (h eventHeap) less(i, j int) bool {
	if h[i].t != h[j].t {
		return h[i].t < h[j].t
	}
	return h[i].seq < h[j].seq
}

func (h *eventHeap) push(e event) {
	*h = append(*h, e)
	s := *h
	i := len(s) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !s.less(i, p) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (h *eventHeap) pop() event {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s[last] = event{}
	s = s[:last]
	*h = s
	i := 0
	for {
		l := 2*i + 1
		if l >= len(s) {
			break
		}
		m := l
		if r := l + 1; r < len(s) && s.less(r, l) {
			m = r
		}
		if !s.less(m, i) {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	return top
}
