package sqlstore

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
)

// The idempotency answer of a decision is spliced from the trip's encoding
// and the event's: it must be exactly json.Marshal of the result.
func TestDecisionJSONIsMarshal(t *testing.T) {
	at := time.Date(2026, 3, 1, 8, 30, 0, 123456000, time.UTC)
	trip := &cuakhau.Trip{ID: "t<1>&", Code: "ABC123", Declaration: cuakhau.Declaration{Gate: "huu-nghi"}, Status: cuakhau.StatusInZone, Version: 3, DeclaredAt: at, UpdatedAt: at}
	for _, ev := range []*cuakhau.Event{
		{Gate: "huu-nghi", Seq: 7, TripID: trip.ID, Type: "decision", Checkpoint: "customs", Outcome: cuakhau.OutcomePass,
			Note: "a <note> & \u2028 é", Actor: "tok", At: at, Status: cuakhau.StatusInZone, PrevHash: "ab", Hash: "cd"},
		{Gate: "huu-nghi", Seq: 8, TripID: trip.ID, Type: "reading", Device: "scale-1", Actor: "dev", At: at,
			Data: json.RawMessage(`{"weight_kg":1200}`), PrevHash: "cd", Hash: "ef"},
	} {
		body, err := json.Marshal(trip)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(&cuakhau.DecisionResult{Event: ev, Trip: trip})
		if err != nil {
			t.Fatal(err)
		}
		if got := decisionJSON(ev, body); string(got) != string(want) {
			t.Errorf("decisionJSON =\n%s\nwant\n%s", got, want)
		}
	}
}
