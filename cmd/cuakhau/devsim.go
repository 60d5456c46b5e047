package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cuakhau/cuakhau/devsim"
)

// runDeviceSim sends the readings of simulated cameras and weighbridges
// for a gate's trucks to a server, over HTTP or MQTT.
func runDeviceSim(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("device sim", "device sim --gate GATE (--server URL | --mqtt URL) --devices FILE [--plates FILE] [--trucks N] [--every D]", stderr)
	gate := fs.String("gate", "", "the gate whose devices are simulated")
	server := fs.String("server", "", "post the readings to this server over HTTP, as http://localhost:8080")
	broker := fs.String("mqtt", "", "publish the readings on this MQTT broker instead, as tcp://localhost:1883")
	devFile := fs.String("devices", "", `file of the devices, one a line: "ID POSITION SECRET [barrier]" (a device at weighing is a weighbridge; barriers obey their commands over --mqtt)`)
	plateFile := fs.String("plates", "", `file of the trucks, one a line: "PLATE [CARGO_KG]"; without it, random Vietnamese plates`)
	trucks := fs.Int("trucks", 100, "how many trucks to send through (0: until interrupted)")
	every := fs.Duration("every", time.Second, "time between two trucks")
	seed := fs.Uint64("seed", 1, "seed of the random draws")
	misread := fs.Float64("misread", devsim.DefaultShares.Misread, "share of plate reads with a confusable character swapped")
	dup := fs.Float64("duplicate", devsim.DefaultShares.Duplicate, "share of reads sent twice (the next frame)")
	over := fs.Float64("overweight", devsim.DefaultShares.Overweight, "share of loads over the legal limit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case *gate == "":
		return errors.New("device sim: --gate is required")
	case (*server == "") == (*broker == ""):
		return errors.New("device sim: give --server URL or --mqtt URL, one of them")
	case *devFile == "":
		return errors.New("device sim: --devices FILE is required")
	case *every < 0 || *trucks < 0:
		return errors.New("device sim: --every and --trucks must not be negative")
	}
	for name, v := range map[string]float64{"misread": *misread, "duplicate": *dup, "overweight": *over} {
		if v < 0 || v > 1 {
			return fmt.Errorf("device sim: --%s must be from 0 to 1", name)
		}
	}
	f, err := os.Open(*devFile)
	if err != nil {
		return err
	}
	devs, err := devsim.ParseDevices(f)
	f.Close()
	if err != nil {
		return err
	}
	type truck struct {
		plate string
		kg    int64
	}
	rng := rand.New(rand.NewPCG(*seed, 0x5eed))
	var list []truck
	if *plateFile != "" {
		pf, err := os.Open(*plateFile)
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(pf)
		for sc.Scan() {
			fl := strings.Fields(sc.Text())
			if len(fl) == 0 {
				continue
			}
			t := truck{plate: fl[0], kg: 18000}
			if len(fl) > 1 {
				if t.kg, err = strconv.ParseInt(fl[1], 10, 64); err != nil {
					pf.Close()
					return fmt.Errorf("--plates: %q is not a weight in kg", fl[1])
				}
			}
			list = append(list, t)
		}
		pf.Close()
		if err := sc.Err(); err != nil {
			return err
		}
	}
	var send devsim.Sender
	var bars devsim.BarrierStats
	if *server != "" {
		send = devsim.HTTP{Server: *server}
	} else {
		m, err := devsim.DialMQTT(*broker, "cuakhau-sim-"+*gate+"-"+strconv.Itoa(os.Getpid()))
		if err != nil {
			return err
		}
		defer m.Close()
		for _, d := range devs {
			if d.Barrier {
				if err := m.Barrier(*gate, d, time.Now, &bars); err != nil {
					return err
				}
			}
		}
		send = m
	}
	sim := &devsim.Sim{Gate: *gate, Devices: devs, Send: send, Rand: rng, Now: time.Now,
		Shares: devsim.Shares{Misread: *misread, Duplicate: *dup, Overweight: *over}}
	for i := 0; *trucks == 0 || i < *trucks; i++ {
		t := truck{plate: fmt.Sprintf("%02dC%05d", 11+rng.IntN(89), rng.IntN(100000)), kg: 10000 + rng.Int64N(20000)}
		if len(list) > 0 {
			t = list[i%len(list)]
		}
		if err := sim.Truck(ctx, t.plate, t.kg); err != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(*every):
			continue
		}
		break
	}
	st := sim.Stats
	fmt.Fprintf(stdout, "sent %d readings (%d misread, %d duplicate frames, %d overweight), %d failed\n",
		st.Sent, st.Misread, st.Duplicate, st.Overweight, st.Failed)
	if n := bars.Opened.Load() + bars.Closed.Load() + bars.Refused.Load(); n > 0 {
		fmt.Fprintf(stdout, "barriers: %d opened, %d closed, %d commands refused (bad signature), %d answers not sent\n",
			bars.Opened.Load(), bars.Closed.Load(), bars.Refused.Load(), bars.Failed.Load())
	}
	return nil
}
