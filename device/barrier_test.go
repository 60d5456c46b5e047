package device_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/device"
)

func TestOpens(t *testing.T) {
	pass := device.Action{Effect: device.EffectDecide, Decision: cuakhau.Decision{Outcome: cuakhau.OutcomePass}}
	hold := device.Action{Effect: device.EffectDecide, Decision: cuakhau.Decision{Outcome: cuakhau.OutcomeHold}}
	arrive := device.Action{Effect: device.EffectArrive}
	alert := device.Action{Effect: device.EffectAlert, Alert: device.AlertNotCalled}
	none := device.Action{Effect: device.EffectNone}
	for _, c := range []struct {
		pos  device.Position
		a    device.Action
		want bool
	}{
		{device.PositionYardIn, arrive, true},
		{device.PositionYardIn, alert, false},
		{device.PositionYardIn, none, false},
		{device.PositionZoneIn, pass, true},
		{device.PositionZoneIn, alert, false},
		{device.PositionZoneIn, none, false},
		{device.PositionWeighing, pass, true},
		{device.PositionWeighing, hold, false},
		{device.PositionGateOut, pass, true},
		{device.PositionGateOut, alert, false},
		{device.PositionReturnIn, pass, false},
	} {
		if got := device.Opens(c.pos, c.a); got != c.want {
			t.Errorf("Opens(%s, %s %s) = %v, want %v", c.pos, c.a.Effect, c.a.Decision.Outcome, got, c.want)
		}
	}
}

func TestManualCommand(t *testing.T) {
	if err := (device.ManualCommand{Action: device.Open, Reason: "ambulance"}).Validate(); err != nil {
		t.Errorf("a good command: %v", err)
	}
	err := device.ManualCommand{Action: "up"}.Validate()
	f := cuakhau.ErrorFields(err)
	if _, ok := f["action"]; !ok {
		t.Errorf("a bad action names no field: %v", err)
	}
	if _, ok := f["reason"]; !ok {
		t.Errorf("a missing reason names no field: %v", err)
	}
}

func TestCanOperate(t *testing.T) {
	for _, c := range []struct {
		p    cuakhau.Principal
		want bool
	}{
		{cuakhau.Principal{Role: cuakhau.RoleAdmin}, true},
		{cuakhau.Principal{Role: cuakhau.RoleOperator}, true},
		{cuakhau.Principal{Role: cuakhau.RoleOperator, Gate: "huu-nghi"}, true},
		{cuakhau.Principal{Role: cuakhau.RoleOperator, Gate: "tan-thanh"}, false},
		{cuakhau.Principal{Role: cuakhau.RoleViewer}, false},
		{cuakhau.Principal{Role: cuakhau.RoleCustoms, Gate: "huu-nghi"}, false},
		{cuakhau.Principal{Role: cuakhau.RoleEnterprise}, false},
	} {
		if got := device.CanOperate(c.p, "huu-nghi"); got != c.want {
			t.Errorf("CanOperate(%s at %q) = %v, want %v", c.p.Role, c.p.Gate, got, c.want)
		}
	}
}

func TestParseAck(t *testing.T) {
	now := time.Date(2026, 12, 1, 1, 30, 0, 0, time.UTC)
	a, err := device.ParseAck([]byte(`{"command":"c1","state":"done","at":"2026-12-01T08:30:00+07:00"}`), now)
	if err != nil || a.Command != "c1" || a.State != device.CommandDone || !a.At.Equal(now) {
		t.Fatalf("ParseAck: %+v %v", a, err)
	}
	for body, field := range map[string]string{
		`{"state":"done","at":"2026-12-01T08:30:00+07:00"}`:                          "command",
		`{"command":"c1","state":"open","at":"2026-12-01T08:30:00+07:00"}`:           "state",
		`{"command":"c1","state":"failed","at":"2026-12-01T08:30:00+07:00"}`:         "note",
		`{"command":"c1","state":"done","at":"yesterday"}`:                           "at",
		`{"command":"c1","state":"done","at":"2026-12-01T09:30:00+07:00"}`:           "at",
		`{"command":"c1","state":"done","at":"2026-12-01T08:30:00+07:00","x":1}`:     "x",
		`{"command":1,"state":"done","at":"2026-12-01T08:30:00+07:00"}`:              "command",
		`{"command":"c1","state":"done","at":"2026-12-01T08:30:00+07:00"} {"a":"b"}`: "body",
	} {
		_, err := device.ParseAck([]byte(body), now)
		if _, ok := cuakhau.ErrorFields(err)[field]; !ok || cuakhau.ErrorCode(err) != cuakhau.EINVALID {
			t.Errorf("ParseAck(%s) = %v, want %s named", body, err, field)
		}
	}
}

func TestAcknowledge(t *testing.T) {
	at := time.Date(2026, 12, 1, 1, 30, 0, 0, time.UTC)
	done := &device.ParsedAck{Ack: device.Ack{State: device.CommandDone}, At: at}
	failed := &device.ParsedAck{Ack: device.Ack{State: device.CommandFailed, Note: "jammed"}, At: at}
	for _, from := range []string{device.CommandSent, device.CommandUnacked} {
		c := &device.Command{ID: "c", State: from}
		if changed, err := device.Acknowledge(c, failed); !changed || err != nil || c.State != device.CommandFailed || c.Note != "jammed" || !c.AckedAt.Equal(at) {
			t.Errorf("ack of a %s command: %+v %v %v", from, c, changed, err)
		}
	}
	c := &device.Command{ID: "c", State: device.CommandDone}
	if changed, err := device.Acknowledge(c, done); changed || err != nil {
		t.Errorf("the same answer again: %v %v", changed, err)
	}
	if _, err := device.Acknowledge(c, failed); cuakhau.ErrorCode(err) != cuakhau.ECONFLICT {
		t.Errorf("another answer to an answered command: %v", err)
	}
}

func TestSealCommand(t *testing.T) {
	now := time.Date(2026, 12, 1, 1, 30, 0, 0, time.UTC)
	c := &device.Command{ID: "c1", Action: device.Open, TripID: "t1", Plate: "12C45678", IssuedAt: now}
	s, err := device.ParseEnvelope("huu-nghi", device.SealCommand("secret", c, now))
	if err != nil {
		t.Fatal(err)
	}
	if err := device.CheckSignature("secret", s, now); err != nil {
		t.Errorf("the command does not verify under the barrier's secret: %v", err)
	}
	if err := device.CheckSignature("other", s, now); err == nil {
		t.Error("the command verifies under another secret")
	}
	var b device.CommandBody
	if err := json.Unmarshal(s.Body, &b); err != nil || b.ID != "c1" || b.Action != device.Open || b.TripID != "t1" || !strings.HasPrefix(b.At, "2026-12-01T01:30:00") {
		t.Errorf("body %s: %+v %v", s.Body, b, err)
	}
}
