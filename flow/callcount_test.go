package flow

import (
	"testing"

	"github.com/cuakhau/cuakhau"
)

func TestCallCount(t *testing.T) {
	for _, c := range []struct {
		name string
		req  cuakhau.CallRequest
		free int
		want int
		code string // "" when it calls
	}{
		{"default fills the room", cuakhau.CallRequest{}, 3, 3, ""},
		{"default with no room", cuakhau.CallRequest{}, 0, 0, ""},
		{"within the room", cuakhau.CallRequest{Count: 2}, 3, 2, ""},
		{"the whole room", cuakhau.CallRequest{Count: 3}, 3, 3, ""},
		{"beyond the room", cuakhau.CallRequest{Count: 4}, 3, 0, cuakhau.ECONFLICT},
		{"no room at all", cuakhau.CallRequest{Count: 1}, 0, 0, cuakhau.ECONFLICT},
		{"a blank reason is none", cuakhau.CallRequest{Count: 4, Reason: "  "}, 3, 0, cuakhau.ECONFLICT},
		{"beyond the room with a reason", cuakhau.CallRequest{Count: 5, Reason: "đoàn xe cứu trợ"}, 3, 5, ""},
		{"an override of one truck", cuakhau.CallRequest{TripID: "t1", Reason: "cứu trợ"}, 0, 1, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			n, err := CallCount(c.req, c.free)
			if got := cuakhau.ErrorCode(err); got != c.code {
				t.Fatalf("CallCount: %v; want code %q", err, c.code)
			}
			if err != nil {
				if cuakhau.ErrorFields(err)["count"] == "" {
					t.Errorf("error %v does not name count", err)
				}
				return
			}
			if n != c.want {
				t.Errorf("CallCount = %d, want %d", n, c.want)
			}
		})
	}
}
