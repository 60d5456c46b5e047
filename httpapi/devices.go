package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/device"
)

// DeviceService registers the gate's devices and takes their signed
// readings (sqlstore.DB is one). Every method but Ingest checks the
// principal's rights; Ingest's principal is the device, by its signature.
type DeviceService interface {
	Ingest(ctx context.Context, id string, s device.Signed) (*device.Result, error)
	AddDevice(ctx context.Context, p cuakhau.Principal, d device.Device) (string, *device.Device, error)
	Devices(ctx context.Context, p cuakhau.Principal, gate string) ([]*device.Device, error)
	RotateDevice(ctx context.Context, p cuakhau.Principal, id string) (string, *device.Device, error)
	DisableDevice(ctx context.Context, p cuakhau.Principal, id string) (*device.Device, error)
	Alerts(ctx context.Context, p cuakhau.Principal, gate string, limit int) ([]*device.Alert, error)
	Acknowledge(ctx context.Context, id string, s device.Signed) (*device.Command, error)
	PendingCommands(ctx context.Context, id string, s device.Signed) ([][]byte, error)
	OperateBarrier(ctx context.Context, p cuakhau.Principal, id string, m device.ManualCommand) (*device.Command, error)
	BarrierCommands(ctx context.Context, p cuakhau.Principal, gate, deviceID string, limit int) ([]*device.Command, error)
}

// readingsRoute, acksRoute and pollRoute are signed by the device, not authenticated
// by a token, and not throttled as the open routes are: a gate's cameras
// post many times a second from one address.
const (
	readingsRoute = "POST /api/v1/devices/{id}/readings"
	acksRoute     = "POST /api/v1/devices/{id}/acks"
	pollRoute     = "POST /api/v1/devices/{id}/poll"
)

// unprocessable marks a reading's bad body: 422, as devices expect, where
// the rest of the API answers a bad body 400.
type unprocessable struct{ error }

func (u unprocessable) Unwrap() error { return u.error }

func (a *API) devices() (DeviceService, error) {
	if a.deviceSvc == nil {
		return nil, errors.New("httpapi: no DeviceService configured")
	}
	return a.deviceSvc, nil
}

// postReading takes a signed reading. 200 when it did something or was
// already done (a duplicate, a truck seen again), 202 when it raised an
// operator alert: both are accepted, so a camera never retries a reading
// the server understood.
func (a *API) postReading(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.devices()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	s, err := signedBody(w, r)
	if err != nil {
		a.metrics.readings.WithLabelValues(deviceLabel(id), "too_large").Inc()
		return err
	}
	res, err := svc.Ingest(r.Context(), id, s)
	if err != nil {
		code := cuakhau.ErrorCode(err)
		if code == cuakhau.ENOTFOUND {
			id = "unknown" // any string can be sent as an id: keep the label set bounded
		}
		a.metrics.readings.WithLabelValues(deviceLabel(id), "refused_"+code).Inc()
		return deviceRefusal(err)
	}
	outcome := string(res.Effect)
	if res.Duplicate {
		outcome = "duplicate"
	}
	a.metrics.readings.WithLabelValues(id, outcome).Inc()
	a.metrics.lastSeen.WithLabelValues(id).SetToCurrentTime()
	st := http.StatusOK
	if res.Effect == device.EffectAlert {
		st = http.StatusAccepted
	}
	return writeJSON(w, st, res)
}

// signedBody reads a device's signed body: the headers and at most
// device.MaxBodyBytes.
func signedBody(w http.ResponseWriter, r *http.Request) (device.Signed, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, device.MaxBodyBytes))
	if err != nil {
		return device.Signed{}, unprocessable{cuakhau.Invalid("body", "at most "+strconv.Itoa(device.MaxBodyBytes)+" bytes")}
	}
	return device.Signed{Timestamp: r.Header.Get(device.HeaderTimestamp), Signature: r.Header.Get(device.HeaderSignature), Body: body}, nil
}

// signedRequest is the device service and a barrier's signed request,
// for the routes a device signs.
func (a *API) signedRequest(w http.ResponseWriter, r *http.Request) (DeviceService, device.Signed, error) {
	svc, err := a.devices()
	if err != nil {
		return nil, device.Signed{}, err
	}
	s, err := signedBody(w, r)
	return svc, s, err
}

// deviceRefusal is err as a device's route answers it: a broken rule of
// the body 422, as devices expect.
func deviceRefusal(err error) error {
	if cuakhau.ErrorCode(err) == cuakhau.EINVALID {
		return unprocessable{err}
	}
	return err
}

// postAck takes a barrier's signed acknowledgement of a command: 200 with
// the command as recorded.
func (a *API) postAck(w http.ResponseWriter, r *http.Request) error {
	svc, s, err := a.signedRequest(w, r)
	if err != nil {
		return err
	}
	c, err := svc.Acknowledge(r.Context(), r.PathValue("id"), s)
	if err != nil {
		return deviceRefusal(err)
	}
	return writeJSON(w, http.StatusOK, c)
}

// postPoll answers a barrier's signed poll with its pending commands, each
// the signed envelope MQTT would carry.
func (a *API) postPoll(w http.ResponseWriter, r *http.Request) error {
	svc, s, err := a.signedRequest(w, r)
	if err != nil {
		return err
	}
	envs, err := svc.PendingCommands(r.Context(), r.PathValue("id"), s)
	if err != nil {
		return deviceRefusal(err)
	}
	out := struct {
		Commands []json.RawMessage `json:"commands"`
	}{Commands: []json.RawMessage{}}
	for _, e := range envs {
		out.Commands = append(out.Commands, e)
	}
	return writeJSON(w, http.StatusOK, out)
}

type commandList struct {
	Commands []*device.Command `json:"commands"`
}

// operateBarrier opens or closes a barrier by hand, with the reason.
func (a *API) operateBarrier(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.devices()
	if err != nil {
		return err
	}
	var m device.ManualCommand
	ctx, err := readJSON(w, r, &m)
	if err != nil {
		return err
	}
	c, err := svc.OperateBarrier(ctx, principalFrom(ctx), r.PathValue("id"), m)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, c)
}

func (a *API) listCommands(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.devices()
	if err != nil {
		return err
	}
	ctx := r.Context()
	cs, err := svc.BarrierCommands(ctx, principalFrom(ctx), "", r.PathValue("id"), queryLimit(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, commandList{cs})
}

// queryLimit is the limit parameter: 0 when absent, -1 (which the service
// refuses, naming the rule) when it is no page size.
func queryLimit(r *http.Request) int {
	q := r.URL.Query()
	if !q.Has("limit") {
		return 0
	}
	n, err := strconv.Atoi(q.Get("limit"))
	if err != nil || n == 0 {
		return -1
	}
	return n
}

func deviceLabel(id string) string {
	if !device.ValidID(id) {
		return "invalid"
	}
	return id
}

type deviceList struct {
	Devices []*device.Device `json:"devices"`
}

// deviceSecret is the answer of a device's creation or rotation: the record
// and its secret, shown this once.
type deviceSecret struct {
	Device *device.Device `json:"device"`
	Secret string         `json:"secret"`
}

type alertList struct {
	Alerts []*device.Alert `json:"alerts"`
}

func (a *API) listDevices(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.devices()
	if err != nil {
		return err
	}
	ctx := r.Context()
	ds, err := svc.Devices(ctx, principalFrom(ctx), r.URL.Query().Get("gate"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, deviceList{ds})
}

func (a *API) addDevice(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.devices()
	if err != nil {
		return err
	}
	var d device.Device
	var in struct {
		ID       string          `json:"id"`
		Kind     device.Kind     `json:"kind"`
		Gate     string          `json:"gate"`
		Position device.Position `json:"position"`
		Interval int64           `json:"interval_s"`
	}
	ctx, err := readJSON(w, r, &in)
	if err != nil {
		return err
	}
	d.ID, d.Kind, d.Gate, d.Position, d.Interval = in.ID, in.Kind, in.Gate, in.Position, in.Interval
	secret, dev, err := svc.AddDevice(ctx, principalFrom(ctx), d)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, deviceSecret{dev, secret})
}

func (a *API) rotateDevice(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.devices()
	if err != nil {
		return err
	}
	ctx := r.Context()
	secret, dev, err := svc.RotateDevice(ctx, principalFrom(ctx), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, deviceSecret{dev, secret})
}

func (a *API) disableDevice(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.devices()
	if err != nil {
		return err
	}
	ctx := r.Context()
	dev, err := svc.DisableDevice(ctx, principalFrom(ctx), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, dev)
}

func (a *API) listAlerts(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.devices()
	if err != nil {
		return err
	}
	ctx := r.Context()
	as, err := svc.Alerts(ctx, principalFrom(ctx), r.PathValue("gate"), queryLimit(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, alertList{as})
}

// deviceMetrics are the per-device series.
func deviceMetrics(reg *prometheus.Registry) (*prometheus.CounterVec, *prometheus.GaugeVec) {
	return register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cuakhau_device_readings_total",
			Help: "Device readings received, by device and outcome: arrive, decide, alert, none, duplicate, or refused_<code> (unauthorized, forbidden, not_found, invalid).",
		}, []string{"device", "outcome"})),
		register(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "cuakhau_device_last_seen_seconds",
			Help: "Unix time of each device's last accepted reading on this server.",
		}, []string{"device"}))
}
