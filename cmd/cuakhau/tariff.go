package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/cuakhau/cuakhau/fee"
)

const tariffUsage = `Usage:
  cuakhau tariff add --file F.json [--db DSN]   (one tariff, or a list of them, as fee/testdata/example-schedule.json)
  cuakhau tariff list [--db DSN]`

func runTariff(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, tariffUsage)
		return exitError(2)
	}
	switch args[0] {
	case "add":
		return runTariffAdd(ctx, args[1:], stdout, stderr)
	case "list":
		return runTariffList(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintln(stderr, tariffUsage)
	return exitError(2)
}

// readTariffs reads a file holding one tariff (a JSON object) or several
// (a JSON array), refusing unknown fields.
func readTariffs(path string) ([]fee.Tariff, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimSpace(b)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var ts []fee.Tariff
	if len(b) > 0 && b[0] == '{' {
		var t fee.Tariff
		err = dec.Decode(&t)
		ts = []fee.Tariff{t}
	} else {
		err = dec.Decode(&ts)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ts, nil
}

// runTariffAdd stores the tariffs of a file after fee.Validate has passed
// them together with the stored ones; a refusal names each field.
func runTariffAdd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("tariff add", "tariff add --file F.json [--db DSN]", stderr)
	file := fs.String("file", "", "a JSON file of one tariff or a list of tariffs (fields as in fee/testdata/example-schedule.json)")
	dsn := dbFlag(fs)
	db, err := parseAndOpen(ctx, fs, args, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if *file == "" {
		return fmt.Errorf("tariff add: --file is required")
	}
	ts, err := readTariffs(*file)
	if err != nil {
		return fmt.Errorf("tariff add: %w", err)
	}
	if err := openMigrated(ctx, db); err != nil {
		return err
	}
	if err := db.AddTariffs(ctx, ts); err != nil {
		return fmt.Errorf("tariff add: %w", err)
	}
	for _, t := range ts {
		fmt.Fprintf(stdout, "added tariff %s, in force %s\n", t.Version, period(t))
	}
	return nil
}

func period(t fee.Tariff) string {
	if t.To.IsZero() {
		return "from " + t.From.Format(time.DateOnly)
	}
	return t.From.Format(time.DateOnly) + " to " + t.To.Format(time.DateOnly)
}

// runTariffList prints every stored tariff version, by start.
func runTariffList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("tariff list", "tariff list [--db DSN]", stderr)
	dsn := dbFlag(fs)
	db, err := parseAndOpen(ctx, fs, args, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := openMigrated(ctx, db); err != nil {
		return err
	}
	ts, err := db.Tariffs(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "VERSION\tIN FORCE\tRATES\tCAP VND")
	for _, t := range ts {
		fmt.Fprintf(w, "%s\t%s\t%d\t%d\n", t.Version, period(t), len(t.Rates), t.CapVND)
	}
	return w.Flush()
}
