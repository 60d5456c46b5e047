package httpapi_test

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cuakhau/cuakhau"
)

// TestIdempotentDeclare retries a declaration with the same key: the second
// answer is the first one, byte for byte, and one trip is stored. The same
// key with another body is a conflict and stores nothing.
func TestIdempotentDeclare(t *testing.T) {
	e := newEnv(t)
	const key = "decl-7f3c2a10-1"
	first := e.do(t, "POST", "/api/v1/trips", "enterprise", exampleJSON, "Idempotency-Key", key)
	trip := decode[*cuakhau.Trip](t, first, http.StatusCreated)
	// Time passes between a request and its retry; the answer must not.
	e.clock.Add(90 * time.Second)
	second := e.do(t, "POST", "/api/v1/trips", "enterprise", exampleJSON, "Idempotency-Key", key)

	if second.Status != first.Status {
		t.Errorf("retry status %d, want %d", second.Status, first.Status)
	}
	if !bytes.Equal(first.Body, second.Body) {
		t.Errorf("retry body differs:\nfirst:  %s\nsecond: %s", first.Body, second.Body)
	}
	if got, want := second.Header.Get("Location"), first.Header.Get("Location"); got != want {
		t.Errorf("retry Location %q, want %q", got, want)
	}
	if diff := cmp.Diff([]string{trip.ID}, e.tripIDs(t)); diff != "" {
		t.Errorf("trips (-want +got):\n%s", diff)
	}

	other := example(t, "vehicle.plate", "12C-543.21")
	r := e.do(t, "POST", "/api/v1/trips", "enterprise", other, "Idempotency-Key", key)
	wantError(t, r, http.StatusConflict, cuakhau.ECONFLICT)
	if diff := cmp.Diff([]string{trip.ID}, e.tripIDs(t)); diff != "" {
		t.Errorf("after conflicting reuse, trips (-want +got):\n%s", diff)
	}

	// Without a key, the same body is a new trip: retries are only safe
	// with a key.
	again := e.declare(t, "enterprise", exampleJSON)
	if again.ID == trip.ID {
		t.Errorf("a request without a key was answered from the keyed one")
	}
}

// TestIdempotentDecide retries a checkpoint decision: one event is appended,
// and both answers are the same.
func TestIdempotentDecide(t *testing.T) {
	e := newEnv(t)
	trip := e.declare(t, "enterprise", example(t))
	d := cuakhau.Decision{Checkpoint: "entry", Outcome: cuakhau.OutcomePass, Device: "anpr-hn-1"}
	first := e.do(t, "POST", "/api/v1/trips/"+trip.ID+"/events", "operator", d, "Idempotency-Key", "entry-1")
	res := decode[*cuakhau.DecisionResult](t, first, http.StatusCreated)
	second := e.do(t, "POST", "/api/v1/trips/"+trip.ID+"/events", "operator", d, "Idempotency-Key", "entry-1")
	if second.Status != http.StatusCreated || !bytes.Equal(first.Body, second.Body) {
		t.Errorf("retry answered %d %s, want %d %s", second.Status, second.Body, first.Status, first.Body)
	}
	events := e.events(t, trip.ID)
	if len(events) != 2 || events[1].Hash != res.Event.Hash {
		t.Errorf("events after a retried decision: %d (last %+v), want 2 ending with %s", len(events), events[len(events)-1], res.Event.Hash)
	}
	// The same key on another trip's path is another request.
	other := e.declare(t, "enterprise", example(t))
	r := e.do(t, "POST", "/api/v1/trips/"+other.ID+"/events", "operator", d, "Idempotency-Key", "entry-1")
	wantError(t, r, http.StatusConflict, cuakhau.ECONFLICT)
	if n := len(e.events(t, other.ID)); n != 1 {
		t.Errorf("other trip has %d events, want 1", n)
	}
}
