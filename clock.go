package cuakhau

import (
	"sync"
	"time"
)

// Clock is the source of time for everything that decides or records. The
// server runs on wall time, the demo on accelerated time and the simulator on
// virtual time; none of them reads time.Now directly.
type Clock interface {
	Now() time.Time
}

// SystemClock is wall time, in UTC.
type SystemClock struct{}

// Now returns the current wall time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// ScaledClock runs Speed times faster than wall time from Origin: at wall time
// Start it reads Origin. The demo uses it to show a border day in minutes.
type ScaledClock struct {
	Origin time.Time
	Start  time.Time
	Speed  float64
}

// Now returns the accelerated time in UTC.
func (c ScaledClock) Now() time.Time {
	elapsed := time.Since(c.Start)
	return c.Origin.Add(time.Duration(float64(elapsed) * c.Speed)).UTC()
}

// FixedClock is a clock that only moves when told; tests use it.
type FixedClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewFixedClock returns a clock standing at t.
func NewFixedClock(t time.Time) *FixedClock { return &FixedClock{t: t.UTC()} }

// Now returns the clock's time.
func (c *FixedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock forward by d.
func (c *FixedClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Set moves the clock to t.
func (c *FixedClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t.UTC()
	c.mu.Unlock()
}
