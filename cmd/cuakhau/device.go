package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/device"
	"github.com/cuakhau/cuakhau/sqlstore"
)

// cliAdmin is who the CLI acts as: whoever may run it holds the database.
var cliAdmin = cuakhau.Principal{Name: "cli", Role: cuakhau.RoleAdmin}

const deviceUsage = `Usage:
  cuakhau device add --id ID --kind KIND --gate GATE --position POSITION [--interval D] [--db DSN]
  cuakhau device interval [--db DSN] ID DURATION
  cuakhau device sim --gate GATE (--server URL | --mqtt URL) --devices FILE [--plates FILE] [--trucks N]
  cuakhau device list [--gate GATE] [--db DSN]
  cuakhau device rotate [--db DSN] ID
  cuakhau device disable [--db DSN] ID`

func runDevice(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, deviceUsage)
		return exitError(2)
	}
	switch args[0] {
	case "add":
		return runDeviceAdd(ctx, args[1:], stdout, stderr)
	case "list":
		return runDeviceList(ctx, args[1:], stdout, stderr)
	case "interval":
		return runDeviceInterval(ctx, args[1:], stdout, stderr)
	case "sim":
		return runDeviceSim(ctx, args[1:], stdout, stderr)
	case "rotate":
		return runDeviceChange(ctx, "rotate", args[1:], stdout, stderr)
	case "disable":
		return runDeviceChange(ctx, "disable", args[1:], stdout, stderr)
	}
	fmt.Fprintln(stderr, deviceUsage)
	return exitError(2)
}

// openMigrated opens the store and refuses one with pending migrations.
func openMigrated(ctx context.Context, db *sqlstore.DB) error {
	if p, err := db.Pending(ctx); err != nil {
		return err
	} else if len(p) > 0 {
		return fmt.Errorf("the database has pending migrations: run 'cuakhau migrate' first")
	}
	return seed(ctx, db)
}

// runDeviceAdd registers a device and prints its secret alone on stdout,
// so that a script can hand it to the device; it is not shown again.
func runDeviceAdd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("device add", "device add --id ID --kind KIND --gate GATE --position POSITION [--db DSN]", stderr)
	id := fs.String("id", "", "the device's id: lower-case letters, digits, '-' and '_'")
	kind := fs.String("kind", "", "anpr, weighbridge, barrier or qr_reader")
	gate := fs.String("gate", "", "the gate it stands at")
	pos := fs.String("position", "", "yard_in, zone_in, weighing, gate_out or return_in")
	interval := fs.Duration("interval", 0, "alert an operator when the device sends nothing for longer than this (as 5m; 0: not watched)")
	dsn := dbFlag(fs)
	db, err := parseAndOpen(ctx, fs, args, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := openMigrated(ctx, db); err != nil {
		return err
	}
	secret, _, err := db.AddDevice(ctx, cliAdmin, device.Device{ID: *id, Kind: device.Kind(*kind), Gate: *gate, Position: device.Position(*pos), Interval: int64(interval.Seconds())})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, secret)
	return nil
}

// runDeviceList prints every device, disabled ones too; secrets are not
// shown.
func runDeviceList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("device list", "device list [--gate GATE] [--db DSN]", stderr)
	gate := fs.String("gate", "", "only the devices of this gate")
	dsn := dbFlag(fs)
	db, err := parseAndOpen(ctx, fs, args, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	devs, err := db.Devices(ctx, cliAdmin, *gate)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tKIND\tGATE\tPOSITION\tENABLED\tLAST SEEN")
	for _, d := range devs {
		seen := "-"
		if d.LastSeen != nil {
			seen = d.LastSeen.Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%v\t%s\n", d.ID, d.Kind, d.Gate, d.Position, d.Enabled, seen)
	}
	return w.Flush()
}

// runDeviceChange rotates a device's secret (printing the new one alone on
// stdout) or disables it. Running servers keep a device's record for a
// minute, so they stop taking the old secret, or the disabled device,
// within a minute.
func runDeviceChange(ctx context.Context, verb string, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("device "+verb, "device "+verb+" [--db DSN] ID", stderr)
	dsn := dbFlag(fs)
	db, err := parseAndOpen(ctx, fs, args, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if fs.NArg() != 1 {
		return fmt.Errorf("device %s: want one device id (see 'cuakhau device list'), got %d arguments", verb, fs.NArg())
	}
	if verb == "rotate" {
		secret, _, err := db.RotateDevice(ctx, cliAdmin, fs.Arg(0))
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, secret)
		return nil
	}
	d, err := db.DisableDevice(ctx, cliAdmin, fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "disabled device %s (%s at %s, %s); servers refuse its readings within a minute\n", d.ID, d.Kind, d.Gate, d.Position)
	return nil
}

// runDeviceInterval sets how long a device may be silent before an
// operator is alerted.
func runDeviceInterval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("device interval", "device interval [--db DSN] ID DURATION (0: not watched)", stderr)
	dsn := dbFlag(fs)
	db, err := parseAndOpen(ctx, fs, args, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if fs.NArg() != 2 {
		return fmt.Errorf("device interval: want ID and DURATION (as 5m, 0 for not watched)")
	}
	d, err := time.ParseDuration(fs.Arg(1))
	if err != nil {
		return fmt.Errorf("device interval: %q is not a duration (as 5m)", fs.Arg(1))
	}
	if err := openMigrated(ctx, db); err != nil {
		return err
	}
	dev, err := db.SetDeviceInterval(ctx, cliAdmin, fs.Arg(0), int64(d.Seconds()))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "device %s: silent-device alert after %s\n", dev.ID, time.Duration(dev.Interval)*time.Second)
	return nil
}
