package fee

import (
	_ "embed"
	"encoding/json"
)

//go:embed testdata/example-schedule.json
var exampleSchedule []byte

// Example is the example schedule (testdata/example-schedule.json): the
// resolution's published points, every other amount an example, as its
// note says. The demo bills with it; a real gate enters its own.
func Example() (Schedule, error) {
	var s Schedule
	err := json.Unmarshal(exampleSchedule, &s)
	return s, err
}
