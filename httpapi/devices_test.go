package httpapi_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/device"
)

type deviceSecret struct {
	Device *device.Device `json:"device"`
	Secret string         `json:"secret"`
}

// post sends a reading signed with secret at the env's clock.
func (e *env) reading(t *testing.T, id, secret, body string) response {
	t.Helper()
	ts := e.clock.Now().Unix()
	return e.do(t, "POST", "/api/v1/devices/"+id+"/readings", "", body,
		device.HeaderTimestamp, strconv.FormatInt(ts, 10), device.HeaderSignature, device.Sign(secret, ts, []byte(body)))
}

func (e *env) plateBody(plate string) string {
	return fmt.Sprintf(`{"plate":%q,"confidence":0.92,"at":%q}`, plate, e.clock.Now().Format(time.RFC3339))
}

// TestDeviceRoutes: an admin registers a camera, which checks a truck in by
// its plate over signed HTTP; an unknown plate is an alert (202) the
// operator lists; the bad readings of the spec are refused with their
// statuses, changing nothing; rotation and disabling take effect.
func TestDeviceRoutes(t *testing.T) {
	e := newEnv(t)
	add := func(token string, body any) response {
		return e.do(t, "POST", "/api/v1/devices", token, body)
	}
	cam := decode[deviceSecret](t, add("admin", map[string]any{"id": "hn-yard-1", "kind": "anpr", "gate": "huu-nghi", "position": "yard_in"}), http.StatusCreated)
	if !strings.HasPrefix(cam.Secret, "ckd_") || !cam.Device.Enabled {
		t.Fatalf("added %+v", cam)
	}
	if r := add("operator", map[string]any{"id": "x", "kind": "anpr", "gate": "huu-nghi", "position": "yard_in"}); r.Status != http.StatusForbidden {
		t.Errorf("an operator adds a device: %d", r.Status)
	}
	if r := add("admin", map[string]any{"id": "hn-yard-1", "kind": "anpr", "gate": "huu-nghi", "position": "yard_in"}); r.Status != http.StatusConflict {
		t.Errorf("the same id again: %d", r.Status)
	}
	if r := add("admin", map[string]any{"id": "x", "kind": "radar", "gate": "huu-nghi", "position": "yard_in"}); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), `"kind"`) {
		t.Errorf("an unknown kind: %d %s", r.Status, r.Body)
	}

	trip := e.declare(t, "enterprise", example(t, "vehicle.plate", "12C45678"))
	before := len(e.events(t, trip.ID))
	wrong := e.clock.Now().Unix()
	for _, c := range []struct {
		name   string
		id     string
		header []string
		body   string
		status int
	}{
		{"unsigned", "hn-yard-1", nil, e.plateBody("12C45678"), http.StatusUnauthorized},
		{"stale", "hn-yard-1", []string{device.HeaderTimestamp, strconv.FormatInt(wrong-400, 10), device.HeaderSignature, device.Sign(cam.Secret, wrong-400, []byte(e.plateBody("12C45678")))}, e.plateBody("12C45678"), http.StatusUnauthorized},
		{"wrongly signed", "hn-yard-1", []string{device.HeaderTimestamp, strconv.FormatInt(wrong, 10), device.HeaderSignature, device.Sign("ckd_guess", wrong, []byte(e.plateBody("12C45678")))}, e.plateBody("12C45678"), http.StatusUnauthorized},
		{"unknown device", "hn-nobody", []string{device.HeaderTimestamp, strconv.FormatInt(wrong, 10), device.HeaderSignature, device.Sign(cam.Secret, wrong, []byte(e.plateBody("12C45678")))}, e.plateBody("12C45678"), http.StatusNotFound},
	} {
		r := e.do(t, "POST", "/api/v1/devices/"+c.id+"/readings", "", c.body, c.header...)
		if r.Status != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, r.Status, r.Body, c.status)
		}
	}
	for _, c := range []struct{ body, field string }{
		{`{"plate":"12C45678","at":"2026-11-30T01:00:00Z"}`, "confidence"},
		{`{"plate":"!!","confidence":0.9,"at":"2026-11-30T01:00:00Z"}`, "plate"},
		{`{"plate":"12C45678","confidence":0.9,"at":"2026-11-30T01:00:00Z","x":1}`, "x"},
		{`not json`, "body"},
	} {
		r := e.reading(t, "hn-yard-1", cam.Secret, c.body)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"`+c.field+`"`) {
			t.Errorf("%s: %d %s, want 422 naming %s", c.body, r.Status, r.Body, c.field)
		}
	}
	if n := len(e.events(t, trip.ID)); n != before {
		t.Fatalf("refused readings appended %d events", n-before)
	}

	// A good read checks the truck in, misread as it is.
	body := e.plateBody("I2C4567B")
	ts := strconv.FormatInt(e.clock.Now().Unix(), 10)
	sig := device.Sign(cam.Secret, e.clock.Now().Unix(), []byte(body))
	r := e.do(t, "POST", "/api/v1/devices/hn-yard-1/readings", "", body, device.HeaderTimestamp, ts, device.HeaderSignature, sig)
	res := decode[device.Result](t, r, http.StatusOK)
	if res.Effect != device.EffectArrive || res.TripID != trip.ID || res.Status != cuakhau.StatusArrived {
		t.Fatalf("read: %+v", res)
	}
	// Its replay is refused and changes nothing.
	n := len(e.events(t, trip.ID))
	if r := e.do(t, "POST", "/api/v1/devices/hn-yard-1/readings", "", body, device.HeaderTimestamp, ts, device.HeaderSignature, sig); r.Status != http.StatusUnauthorized {
		t.Errorf("replay: %d %s", r.Status, r.Body)
	}
	if len(e.events(t, trip.ID)) != n {
		t.Error("the replay appended an event")
	}

	// An unknown plate: 202 and an alert the gate's operator sees.
	e.clock.Add(time.Second)
	res = decode[device.Result](t, e.reading(t, "hn-yard-1", cam.Secret, e.plateBody("29C99999")), http.StatusAccepted)
	if res.Alert == nil || res.Alert.Kind != device.AlertUnknownPlate {
		t.Fatalf("unknown plate: %+v", res)
	}
	type alerts struct {
		Alerts []*device.Alert `json:"alerts"`
	}
	if got := decode[alerts](t, e.do(t, "GET", "/api/v1/gates/huu-nghi/alerts?limit=10", "operator", nil), http.StatusOK); len(got.Alerts) != 1 || got.Alerts[0].Plate != "29C-999.99" {
		t.Errorf("alerts: %+v", got)
	}
	if r := e.do(t, "GET", "/api/v1/gates/huu-nghi/alerts", "operator-tan-thanh", nil); r.Status != http.StatusForbidden {
		t.Errorf("another gate's operator reads the alerts: %d", r.Status)
	}

	type devices struct {
		Devices []*device.Device `json:"devices"`
	}
	list := decode[devices](t, e.do(t, "GET", "/api/v1/devices?gate=huu-nghi", "viewer", nil), http.StatusOK)
	if len(list.Devices) != 1 || list.Devices[0].LastSeen == nil || strings.Contains(fmt.Sprint(list), cam.Secret) {
		t.Errorf("devices: %+v", list.Devices)
	}

	// Rotated, the old secret is refused; disabled, the device is.
	rot := decode[deviceSecret](t, e.do(t, "POST", "/api/v1/devices/hn-yard-1/rotate", "admin", nil), http.StatusOK)
	e.clock.Add(time.Second)
	if r := e.reading(t, "hn-yard-1", cam.Secret, e.plateBody("29C99998")); r.Status != http.StatusUnauthorized {
		t.Errorf("old secret after rotation: %d", r.Status)
	}
	if r := e.do(t, "POST", "/api/v1/devices/hn-yard-1/disable", "operator", nil); r.Status != http.StatusForbidden {
		t.Errorf("an operator disables: %d", r.Status)
	}
	if d := decode[device.Device](t, e.do(t, "POST", "/api/v1/devices/hn-yard-1/disable", "admin", nil), http.StatusOK); d.Enabled {
		t.Errorf("disabled: %+v", d)
	}
	if r := e.reading(t, "hn-yard-1", rot.Secret, e.plateBody("29C99998")); r.Status != http.StatusForbidden {
		t.Errorf("disabled device: %d", r.Status)
	}
	if r := e.do(t, "POST", "/api/v1/devices/hn-nobody/rotate", "admin", nil); r.Status != http.StatusNotFound {
		t.Errorf("rotate an unknown device: %d", r.Status)
	}
	m := string(e.do(t, "GET", "/metrics", "", nil).Body)
	for _, want := range []string{`cuakhau_device_readings_total{device="hn-yard-1",outcome="arrive"} 1`,
		`cuakhau_device_readings_total{device="hn-yard-1",outcome="refused_unauthorized"}`,
		`cuakhau_device_readings_total{device="unknown",outcome="refused_not_found"} 1`,
		`cuakhau_device_last_seen_seconds{device="hn-yard-1"}`} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
