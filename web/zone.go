package web

import (
	"sync"
	"time"
)

var zones sync.Map // name → *time.Location

// loadZone is time.LoadLocation, cached: pages show every time in its
// gate's zone.
func loadZone(name string) (*time.Location, error) {
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		if name != "Asia/Ho_Chi_Minh" {
			return nil, err
		}
		// Vietnam has kept UTC+7 without daylight saving since 1975: a
		// host without tzdata still shows the gates' time.
		l = time.FixedZone("ICT", 7*3600)
	}
	zones.Store(name, l)
	return l, nil
}
