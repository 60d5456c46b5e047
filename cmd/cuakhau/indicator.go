package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/catalog"
	"github.com/cuakhau/cuakhau/sqlstore"
	"github.com/cuakhau/cuakhau/stats"
)

const indicatorUsage = `Usage:
  cuakhau indicator set --id ID --year YEAR --value V [--db DSN]   a value the platform cannot measure (e.g. grdp_growth)
  cuakhau indicator import --file F.csv [--db DSN]                 many, all or nothing (header ` + stats.ActualsHeader + `)
  cuakhau indicator list [--year YEAR] [--db DSN]                  every target of the year, its value and progress`

// runIndicator enters, imports and lists the values of the province's
// indicators that the platform cannot measure.
func runIndicator(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, indicatorUsage)
		return exitError(2)
	}
	switch args[0] {
	case "set":
		return runIndicatorSet(ctx, args[1:], stdout, stderr)
	case "import":
		return runIndicatorImport(ctx, args[1:], stdout, stderr)
	case "list":
		return runIndicatorList(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintln(stderr, indicatorUsage)
	return fmt.Errorf("indicator: unknown subcommand %q", args[0])
}

// openIndicators opens the store with the catalogue's indicators.
func openIndicators(ctx context.Context, db *sqlstore.DB) ([]stats.Indicator, error) {
	if err := openMigrated(ctx, db); err != nil {
		return nil, err
	}
	inds, err := catalog.Indicators()
	if err != nil {
		return nil, err
	}
	db.SetIndicators(inds)
	return inds, nil
}

func runIndicatorSet(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("indicator set", "indicator set --id ID --year YEAR --value V [--db DSN]", stderr)
	id := fs.String("id", "", "the indicator's code (catalog/indicators.json), one the platform does not measure")
	year := fs.String("year", "", "the year of the value")
	value := fs.String("value", "", "the value in the indicator's unit, dot decimal (18.5 for 18.5 %)")
	dsn := dbFlag(fs)
	db, err := parseAndOpen(ctx, fs, args, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := openIndicators(ctx, db); err != nil {
		return err
	}
	bad := cuakhau.FieldErrors{}
	y, err := strconv.Atoi(*year)
	if err != nil {
		bad.Add("year", fmt.Sprintf("must be a year, not %q", *year))
	}
	v, err := strconv.ParseFloat(*value, 64)
	if err != nil {
		bad.Add("value", fmt.Sprintf("must be a number with a dot decimal, not %q", *value))
	}
	if *id == "" {
		bad.Add("indicator", "required (--id)")
	}
	if err := bad.Err(); err != nil {
		return fmt.Errorf("indicator set: %w", err)
	}
	a := stats.Actual{Code: *id, Year: y, Value: v, Origin: stats.OriginEntered}
	if err := db.SetIndicatorActuals(ctx, cliAdmin, []stats.Actual{a}); err != nil {
		return fmt.Errorf("indicator set: %w", err)
	}
	fmt.Fprintf(stdout, "%s %d = %s\n", a.Code, a.Year, strconv.FormatFloat(a.Value, 'f', -1, 64))
	return nil
}

func runIndicatorImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("indicator import", "indicator import --file F.csv [--db DSN]", stderr)
	file := fs.String("file", "", "a CSV file headed "+stats.ActualsHeader+": one indicator and year a line, dot decimals")
	dsn := dbFlag(fs)
	db, err := parseAndOpen(ctx, fs, args, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if *file == "" {
		return fmt.Errorf("indicator import: --file is required")
	}
	inds, err := openIndicators(ctx, db)
	if err != nil {
		return err
	}
	f, err := os.Open(*file)
	if err != nil {
		return fmt.Errorf("indicator import: %w", err)
	}
	defer f.Close()
	entries, err := stats.ParseActuals(bufio.NewReader(f), inds)
	if err != nil {
		return fmt.Errorf("indicator import: %s: %w", *file, err)
	}
	if err := db.SetIndicatorActuals(ctx, cliAdmin, entries); err != nil {
		return fmt.Errorf("indicator import: %s: %w", *file, err)
	}
	fmt.Fprintf(stdout, "imported %d indicator value(s)\n", len(entries))
	return nil
}

func runIndicatorList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("indicator list", "indicator list [--year YEAR] [--db DSN]", stderr)
	year := fs.Int("year", time.Now().In(localZone()).Year(), "the year")
	dsn := dbFlag(fs)
	db, err := parseAndOpen(ctx, fs, args, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	inds, err := openIndicators(ctx, db)
	if err != nil {
		return err
	}
	rows, err := indicatorProgress(ctx, db, inds, *year, stats.DayOf(time.Now(), localZone()))
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "INDICATOR\tYEAR\tTARGET\tVALUE\tORIGIN\t% OF TARGET\tSTATUS")
	for _, p := range rows {
		val, origin, pct := "-", "-", "-"
		if p.Actual != nil {
			val, origin = strconv.FormatFloat(p.Actual.Value, 'f', -1, 64), p.Actual.Origin
		}
		if p.PercentOfTarget != nil {
			pct = strconv.FormatFloat(*p.PercentOfTarget, 'f', 1, 64)
		}
		target := strconv.FormatFloat(p.Indicator.Min, 'f', -1, 64)
		if p.Indicator.Max > p.Indicator.Min {
			target += "–" + strconv.FormatFloat(p.Indicator.Max, 'f', -1, 64)
		}
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%s\t%s\n", p.Indicator.Code, p.Year, target+" "+p.Indicator.Unit, val, origin, pct, p.Status)
	}
	return w.Flush()
}

// indicatorProgress is where each indicator of year stands: measured by the
// platform where it can, as entered otherwise (stats.Progresses).
func indicatorProgress(ctx context.Context, db *sqlstore.DB, inds []stats.Indicator, year int, today stats.Date) ([]stats.Progress, error) {
	return stats.Progresses(ctx, db, db, cliAdmin, inds, year, today)
}
