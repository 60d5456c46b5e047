package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/device"
	"github.com/cuakhau/cuakhau/devsim"
)

// demoCameras are the demo's plate cameras: one at each of yard_in,
// zone_in and gate_out of every gate, simulated by devsim and publishing
// over the embedded broker, so that the demo's check-ins, zone entries and
// crossings come from signed readings as at a gate with cameras; and its
// barriers at zone_in and gate_out, which obey the server's commands and
// acknowledge them.
type demoCameras struct {
	mu    sync.Mutex // one reading at a time: the sim's draws are not shared
	sims  map[string]*devsim.Sim
	devs  map[string]devsim.Device // by gate and position
	waits sync.Map                 // envelope → chan outcome
	// barriers counts what the demo's barriers obeyed.
	barriers devsim.BarrierStats
}

type demoOutcome struct {
	res *device.Result
	err error
}

var (
	demoCameraPositions  = []device.Position{device.PositionYardIn, device.PositionZoneIn, device.PositionGateOut}
	demoBarrierPositions = []device.Position{device.PositionZoneIn, device.PositionGateOut}
)

// startDemoCameras registers the cameras (rotating their secrets when they
// exist from an earlier run) and connects their simulator to the broker.
// The cameras' clocks are the demo's, as a real device keeps the gate's time.
func startDemoCameras(ctx context.Context, s *server, clock cuakhau.Clock, seed uint64) (*demoCameras, func(), error) {
	if s.Broker == nil {
		return nil, nil, fmt.Errorf("demo cameras: no MQTT broker")
	}
	gates, err := s.DB.Gates(ctx)
	if err != nil {
		return nil, nil, err
	}
	c := &demoCameras{sims: map[string]*devsim.Sim{}, devs: map[string]devsim.Device{}}
	m, err := devsim.DialMQTT("tcp://"+s.Broker.Addr, "cuakhau-demo-cameras")
	if err != nil {
		return nil, nil, err
	}
	sender := waitingSender{c: c, m: m}
	for i, g := range gates {
		var devs []devsim.Device
		for _, pos := range demoCameraPositions {
			id := fmt.Sprintf("%s-%s-cam", g.Code, pos)
			secret, _, err := s.DB.AddDevice(ctx, cliAdmin, device.Device{ID: id, Kind: device.KindANPR, Gate: g.Code, Position: pos})
			if cuakhau.ErrorCode(err) == cuakhau.ECONFLICT {
				secret, _, err = s.DB.RotateDevice(ctx, cliAdmin, id)
			}
			if err != nil {
				m.Close()
				return nil, nil, fmt.Errorf("demo camera %s: %w", id, err)
			}
			d := devsim.Device{ID: id, Position: pos, Secret: secret}
			devs = append(devs, d)
			c.devs[g.Code+"/"+string(pos)] = d
		}
		// A barrier at the control zone's entry and one at the zero line,
		// opened by the server for the trucks the cameras let through.
		for _, pos := range demoBarrierPositions {
			id := fmt.Sprintf("%s-%s-bar", g.Code, pos)
			secret, _, err := s.DB.AddDevice(ctx, cliAdmin, device.Device{ID: id, Kind: device.KindBarrier, Gate: g.Code, Position: pos})
			if cuakhau.ErrorCode(err) == cuakhau.ECONFLICT {
				secret, _, err = s.DB.RotateDevice(ctx, cliAdmin, id)
			}
			if err == nil {
				err = m.Barrier(g.Code, devsim.Device{ID: id, Position: pos, Secret: secret, Barrier: true}, clock.Now, &c.barriers)
			}
			if err != nil {
				m.Close()
				return nil, nil, fmt.Errorf("demo barrier %s: %w", id, err)
			}
		}
		// Misreads and duplicate frames at the shares a real gate sees;
		// overweight loads are the weighbridge's, which the traffic keeps.
		c.sims[g.Code] = &devsim.Sim{Gate: g.Code, Devices: devs, Send: sender, Now: clock.Now,
			Rand: rand.New(rand.NewPCG(seed, uint64(i))), Shares: devsim.Shares{Misread: devsim.DefaultShares.Misread, Duplicate: devsim.DefaultShares.Duplicate}}
	}
	return c, m.Close, nil
}

// done is the bridge's Done: it hands each outcome to the reading waiting
// for it.
func (c *demoCameras) done(_ string, payload []byte, res *device.Result, err error) {
	if ch, ok := c.waits.LoadAndDelete(string(payload)); ok {
		ch.(chan demoOutcome) <- demoOutcome{res, err}
	}
}

// read has the camera at gate's pos read plate and returns the effect of
// its first frame.
func (c *demoCameras) read(ctx context.Context, gate string, pos device.Position, plate string) (device.Effect, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	sim, d := c.sims[gate], c.devs[gate+"/"+string(pos)]
	if sim == nil || d.ID == "" {
		return "", fmt.Errorf("no demo camera at %s %s", gate, pos)
	}
	first := make(chan demoOutcome, 2)
	sender := sim.Send.(waitingSender)
	sender.first = &first
	sim.Send = sender
	if err := sim.Read(ctx, d, plate, 0); err != nil {
		return "", err
	}
	select {
	case o := <-first:
		if o.err != nil {
			return "", o.err
		}
		return o.res.Effect, nil
	default:
		return "", fmt.Errorf("no answer")
	}
}

// waitingSender publishes a reading and waits for the bridge to have taken
// it (the broker acknowledges a QoS 1 publication before handing it on).
type waitingSender struct {
	c     *demoCameras
	m     *devsim.MQTT
	first *chan demoOutcome
}

func (w waitingSender) Send(ctx context.Context, gate string, d devsim.Device, s device.Signed) error {
	ch := make(chan demoOutcome, 1)
	w.c.waits.Store(string(device.EnvelopeOf(s)), ch)
	if err := w.m.Send(ctx, gate, d, s); err != nil {
		w.c.waits.Delete(string(device.EnvelopeOf(s)))
		return err
	}
	select {
	case o := <-ch:
		if w.first != nil {
			select {
			case *w.first <- o:
			default:
			}
		}
		return nil
	case <-time.After(10 * time.Second):
		w.c.waits.Delete(string(device.EnvelopeOf(s)))
		return fmt.Errorf("device %s: no answer from the server within 10 s", d.ID)
	case <-ctx.Done():
		return ctx.Err()
	}
}
