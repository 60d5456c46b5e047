package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau/device"
)

type commandList struct {
	Commands []*device.Command `json:"commands"`
}

// TestBarrierRoutes: a check-in by the yard camera opens the yard barrier;
// the barrier acknowledges over signed HTTP; an operator of the gate
// closes it by hand with a reason, which an officer and another gate's
// operator may not; the commands list shows both with their answers.
func TestBarrierRoutes(t *testing.T) {
	e := newEnv(t)
	add := func(body any) deviceSecret {
		return decode[deviceSecret](t, e.do(t, "POST", "/api/v1/devices", "admin", body), http.StatusCreated)
	}
	cam := add(map[string]any{"id": "hn-yard-1", "kind": "anpr", "gate": "huu-nghi", "position": "yard_in"})
	bar := add(map[string]any{"id": "hn-yard-bar", "kind": "barrier", "gate": "huu-nghi", "position": "yard_in"})
	trip := e.declare(t, "enterprise", example(t, "vehicle.plate", "12C45678"))
	res := decode[device.Result](t, e.reading(t, "hn-yard-1", cam.Secret, e.plateBody("12C45678")), http.StatusOK)
	if res.Effect != device.EffectArrive || len(res.Commands) != 1 || res.Commands[0].Device != "hn-yard-bar" || res.Commands[0].TripID != trip.ID {
		t.Fatalf("the reading's commands: %+v", res)
	}
	id := res.Commands[0].ID

	ack := func(secret, body string) response {
		ts := e.clock.Now().Unix()
		return e.do(t, "POST", "/api/v1/devices/hn-yard-bar/acks", "", body,
			device.HeaderTimestamp, strconv.FormatInt(ts, 10), device.HeaderSignature, device.Sign(secret, ts, []byte(body)))
	}
	good := fmt.Sprintf(`{"command":%q,"state":"done","at":%q}`, id, e.clock.Now().Format(time.RFC3339))
	if r := ack(cam.Secret, good); r.Status != http.StatusUnauthorized {
		t.Errorf("an ack signed with another secret: %d %s", r.Status, r.Body)
	}
	if r := ack(bar.Secret, `{"command":"x","state":"done"}`); r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"at"`) {
		t.Errorf("an ack without at: %d %s", r.Status, r.Body)
	}
	if c := decode[device.Command](t, ack(bar.Secret, good), http.StatusOK); c.State != device.CommandDone || c.AckedAt == nil {
		t.Fatalf("ack: %+v", c)
	}
	e.clock.Add(time.Second)
	if r := ack(bar.Secret, fmt.Sprintf(`{"command":%q,"state":"failed","note":"x","at":%q}`, id, e.clock.Now().Format(time.RFC3339))); r.Status != http.StatusConflict {
		t.Errorf("another answer: %d %s", r.Status, r.Body)
	}

	close := map[string]any{"action": "close", "reason": "a truck broke down under it"}
	if r := e.do(t, "POST", "/api/v1/devices/hn-yard-bar/commands", "operator", map[string]any{"action": "close"}); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), `"reason"`) {
		t.Errorf("no reason: %d %s", r.Status, r.Body)
	}
	for _, who := range []string{"operator-tan-thanh", "customs", "viewer"} {
		if r := e.do(t, "POST", "/api/v1/devices/hn-yard-bar/commands", who, close); r.Status != http.StatusForbidden {
			t.Errorf("%s closes the barrier: %d", who, r.Status)
		}
	}
	if r := e.do(t, "POST", "/api/v1/devices/hn-yard-1/commands", "operator", close); r.Status != http.StatusConflict {
		t.Errorf("a camera commanded: %d %s", r.Status, r.Body)
	}
	m := decode[device.Command](t, e.do(t, "POST", "/api/v1/devices/hn-yard-bar/commands", "operator", close), http.StatusCreated)
	if !m.Manual || m.Action != device.Close || m.Reason != "a truck broke down under it" || m.Actor == "" {
		t.Fatalf("manual close: %+v", m)
	}
	list := decode[commandList](t, e.do(t, "GET", "/api/v1/devices/hn-yard-bar/commands?limit=10", "operator", nil), http.StatusOK)
	if len(list.Commands) != 2 || list.Commands[0].ID != m.ID || list.Commands[1].State != device.CommandDone {
		t.Fatalf("commands: %+v", list.Commands)
	}
	if r := e.do(t, "GET", "/api/v1/devices/hn-yard-bar/commands?page=2", "operator", nil); r.Status != http.StatusBadRequest {
		t.Errorf("an unknown parameter: %d", r.Status)
	}
	if r := e.do(t, "GET", "/api/v1/devices/hn-yard-bar/commands", "operator-tan-thanh", nil); r.Status != http.StatusForbidden {
		t.Errorf("another gate's operator lists: %d", r.Status)
	}
}

// TestBarrierPoll: a barrier without MQTT polls over signed HTTP and gets
// its unanswered command as the signed envelope MQTT carries; a replayed,
// wrongly signed or badly timed poll is refused, a camera may not poll,
// and a command answered or past its acknowledgement time is not handed out.
func TestBarrierPoll(t *testing.T) {
	e := newEnv(t)
	add := func(body any) deviceSecret {
		return decode[deviceSecret](t, e.do(t, "POST", "/api/v1/devices", "admin", body), http.StatusCreated)
	}
	cam := add(map[string]any{"id": "hn-yard-1", "kind": "anpr", "gate": "huu-nghi", "position": "yard_in"})
	bar := add(map[string]any{"id": "hn-yard-bar", "kind": "barrier", "gate": "huu-nghi", "position": "yard_in"})
	e.declare(t, "enterprise", example(t, "vehicle.plate", "12C45678"))
	res := decode[device.Result](t, e.reading(t, "hn-yard-1", cam.Secret, e.plateBody("12C45678")), http.StatusOK)
	if len(res.Commands) != 1 {
		t.Fatalf("the reading's commands: %+v", res.Commands)
	}
	poll := func(id, secret, body string) response {
		ts := e.clock.Now().Unix()
		return e.do(t, "POST", "/api/v1/devices/"+id+"/poll", "", body,
			device.HeaderTimestamp, strconv.FormatInt(ts, 10), device.HeaderSignature, device.Sign(secret, ts, []byte(body)))
	}
	at := func() string { return fmt.Sprintf(`{"at":%q}`, e.clock.Now().Format(time.RFC3339Nano)) }
	type envelopes struct {
		Commands []json.RawMessage `json:"commands"`
	}
	body := at()
	got := decode[envelopes](t, poll("hn-yard-bar", bar.Secret, body), http.StatusOK)
	if len(got.Commands) != 1 {
		t.Fatalf("poll: %+v", got)
	}
	s, err := device.ParseEnvelope("huu-nghi", got.Commands[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := device.CheckSignature(bar.Secret, s, e.clock.Now()); err != nil || !strings.Contains(string(s.Body), res.Commands[0].ID) {
		t.Errorf("the envelope %s: %v", s.Body, err)
	}
	if r := poll("hn-yard-bar", bar.Secret, body); r.Status != http.StatusUnauthorized {
		t.Errorf("a replayed poll: %d %s", r.Status, r.Body)
	}
	e.clock.Add(time.Second)
	if r := poll("hn-yard-bar", cam.Secret, at()); r.Status != http.StatusUnauthorized {
		t.Errorf("a poll signed with another secret: %d", r.Status)
	}
	if r := poll("hn-yard-1", cam.Secret, at()); r.Status != http.StatusForbidden {
		t.Errorf("a camera polls: %d %s", r.Status, r.Body)
	}
	if r := poll("hn-yard-bar", bar.Secret, `{"at":"yesterday"}`); r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"at"`) {
		t.Errorf("a bad at: %d %s", r.Status, r.Body)
	}
	e.clock.Add(device.AckTimeout)
	if got := decode[envelopes](t, poll("hn-yard-bar", bar.Secret, at()), http.StatusOK); len(got.Commands) != 0 {
		t.Errorf("a command past its acknowledgement time handed out: %d", len(got.Commands))
	}
}
