// Package devsim simulates a gate's plate cameras and weighbridges: for
// each truck it makes the readings the devices along its way would send —
// a camera at yard_in, zone_in and gate_out, a weighbridge at weighing —
// with a share of misread plates (a character cameras confuse, at a lower
// confidence), duplicate frames and overweight loads, signs them with each
// device's secret and sends them over HTTP or MQTT, as real devices do. It
// talks to the server only as a device would.
package devsim

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/cuakhau/cuakhau/device"
)

// Device is a simulated device: its id, position and secret, and whether
// it is a barrier (which reads nothing, and obeys commands).
type Device struct {
	ID       string
	Position device.Position
	Secret   string
	Barrier  bool
}

// ParseDevices reads devices one a line, "ID POSITION SECRET [barrier]"
// (blank lines and lines starting with # skipped): a device marked barrier
// is one; otherwise a device at weighing is a weighbridge, any other a
// plate camera.
func ParseDevices(r io.Reader) ([]Device, error) {
	var out []Device
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 && (len(f) != 4 || f[3] != string(device.KindBarrier)) {
			return nil, fmt.Errorf("devices line %d: want ID POSITION SECRET [barrier]", n)
		}
		if !device.ValidID(f[0]) {
			return nil, fmt.Errorf("devices line %d: %q is no device id", n, f[0])
		}
		pos := device.Position(f[1])
		ok := false
		for _, p := range device.Positions {
			ok = ok || p == pos
		}
		if !ok {
			return nil, fmt.Errorf("devices line %d: unknown position %q", n, f[1])
		}
		out = append(out, Device{ID: f[0], Position: pos, Secret: f[2], Barrier: len(f) == 4})
	}
	return out, sc.Err()
}

// Sender delivers a device's signed reading: over HTTP (HTTP) or MQTT
// (MQTT).
type Sender interface {
	Send(ctx context.Context, gate string, d Device, s device.Signed) error
}

// Shares are how often things go wrong, as fractions.
type Shares struct {
	Misread    float64 // a plate read with one confusable character swapped
	Duplicate  float64 // the same read sent again (the next frame)
	Overweight float64 // a load over the legal limit
}

// DefaultShares: 5 % misreads, 20 % duplicate frames, 3 % overweight
// loads. Assumptions, not measurements: a plate camera's read rate in good
// conditions is commonly quoted at 95 % or better.
var DefaultShares = Shares{Misread: 0.05, Duplicate: 0.20, Overweight: 0.03}

// Sim sends the readings of trucks through a gate's devices.
type Sim struct {
	Gate    string
	Devices []Device
	Send    Sender
	Shares  Shares
	Rand    *rand.Rand
	Now     func() time.Time
	// Stats counts what was sent.
	Stats Stats
}

// Stats counts the readings sent.
type Stats struct {
	Sent, Misread, Duplicate, Overweight, Failed int
}

// confusable are the characters cameras confuse, both ways.
var confusable = map[byte]byte{'O': '0', '0': 'O', 'I': '1', '1': 'I', 'B': '8', '8': 'B', 'D': '0', 'S': '5', '5': 'S'}

// Truck sends the readings of one truck with plate, declared cargo of
// cargoKg, through every device in the order of their positions.
func (s *Sim) Truck(ctx context.Context, plate string, cargoKg int64) error {
	for _, pos := range device.Positions {
		for _, d := range s.Devices {
			if d.Position != pos || d.Barrier {
				continue
			}
			if err := s.Read(ctx, d, plate, cargoKg); err != nil {
				return err
			}
		}
	}
	return nil
}

// Read sends what device d makes of truck plate with cargoKg: a weight
// from a weighbridge, a plate read (perhaps misread) from a camera, perhaps
// twice.
func (s *Sim) Read(ctx context.Context, d Device, plate string, cargoKg int64) error {
	now := s.Now()
	var body string
	if d.Position == device.PositionWeighing {
		gross := cargoKg + device.DefaultWeighRules.TareKg + int64(s.Rand.IntN(600)) - 300
		if s.Rand.Float64() < s.Shares.Overweight {
			gross = device.DefaultWeighRules.LimitKg + 500 + int64(s.Rand.IntN(6000))
			s.Stats.Overweight++
		}
		gross = max(gross, device.MinGrossKg)
		body = fmt.Sprintf(`{"plate":%q,"confidence":0.97,"gross_kg":%d,"at":%q}`, plate, gross, now.Format(time.RFC3339))
	} else {
		read, conf := plate, 0.88+0.1*s.Rand.Float64()
		if s.Rand.Float64() < s.Shares.Misread {
			read, conf = misread(s.Rand, plate), 0.55+0.2*s.Rand.Float64()
			s.Stats.Misread++
		}
		body = fmt.Sprintf(`{"plate":%q,"confidence":%.2f,"at":%q,"image":"%s-%d.jpg"}`, read, conf, now.Format(time.RFC3339), d.ID, now.UnixNano())
	}
	frames := 1
	if s.Rand.Float64() < s.Shares.Duplicate {
		frames = 2
		s.Stats.Duplicate++
	}
	for f := range frames {
		b := body
		if f > 0 { // the next frame: another picture, the same read
			b = strings.Replace(body, ".jpg", "-2.jpg", 1)
		}
		ts := now.Unix()
		signed := device.Signed{Timestamp: fmt.Sprint(ts), Signature: device.Sign(d.Secret, ts, []byte(b)), Body: []byte(b), Gate: s.Gate}
		if err := s.Send.Send(ctx, s.Gate, d, signed); err != nil {
			s.Stats.Failed++
			if ctx.Err() != nil {
				return ctx.Err()
			}
			continue
		}
		s.Stats.Sent++
	}
	return nil
}

// misread swaps one confusable character of plate, if it has one.
func misread(r *rand.Rand, plate string) string {
	var at []int
	for i := range len(plate) {
		if _, ok := confusable[plate[i]]; ok {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return plate
	}
	i := at[r.IntN(len(at))]
	b := []byte(plate)
	b[i] = confusable[b[i]]
	return string(b)
}
