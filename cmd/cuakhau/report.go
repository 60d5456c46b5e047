package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/report"
	"github.com/cuakhau/cuakhau/stats"
)

const importUsage = `Usage:
  cuakhau import daily --file F.csv [--db DSN]   (header ` + stats.HistoryHeader + `)`

// runImport imports the daily history of the years before the platform,
// all or nothing: every bad line is reported with its field and nothing is
// stored.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "daily" {
		fmt.Fprintln(stderr, importUsage)
		return exitError(2)
	}
	fs := newFlags("import daily", "import daily --file F.csv [--db DSN]", stderr)
	file := fs.String("file", "", "a CSV file headed "+stats.HistoryHeader+": one line per day, gate and direction; value_usd in dollars (1234.50)")
	dsn := dbFlag(fs)
	db, err := parseAndOpen(ctx, fs, args[1:], dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if *file == "" {
		return fmt.Errorf("import daily: --file is required")
	}
	if err := openMigrated(ctx, db); err != nil {
		return err
	}
	gates, err := db.Gates(ctx)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, g := range gates {
		known[g.Code] = true
	}
	f, err := os.Open(*file)
	if err != nil {
		return fmt.Errorf("import daily: %w", err)
	}
	defer f.Close()
	rows, err := stats.ParseHistory(bufio.NewReader(f), func(g string) bool { return known[g] })
	if err != nil {
		return fmt.Errorf("import daily: %s: %w", *file, err)
	}
	if err := db.ImportHistory(ctx, cliAdmin, rows); err != nil {
		return fmt.Errorf("import daily: %s: %w", *file, err)
	}
	var trucks int64
	for _, r := range rows {
		trucks += r.Trucks
	}
	fmt.Fprintf(stdout, "imported %d days of history (%d trucks) from %s\n", len(rows), trucks, *file)
	return nil
}

// runReport writes a period's report, to --out or to stdout.
func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report", "report --from DATE --to DATE [--gate G] [--direction D] [--lang vi|en|zh] [--format md|csv|xlsx] [--out FILE] [--db DSN]", stderr)
	from := fs.String("from", "", "the first day, 2025-05-01 (gate-local)")
	to := fs.String("to", "", "the last day, 2025-05-31 (at most 5 years after --from)")
	gate := fs.String("gate", "", "one gate's code (all gates when absent)")
	dir := fs.String("direction", "", "export or import (both when absent)")
	lang := fs.String("lang", stats.LangVI, "the report's language: vi, en or zh")
	format := fs.String("format", "", "md, csv or xlsx (default: from --out's extension, else md)")
	out := fs.String("out", "", "the file to write (default: standard output)")
	dsn := dbFlag(fs)
	db, err := parseAndOpen(ctx, fs, args, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if *format == "" {
		*format = string(report.Markdown)
		if ext := strings.TrimPrefix(filepath.Ext(*out), "."); ext != "" {
			*format = ext
		}
	}
	f, err := report.ParseFormat("--format", *format)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if _, err := report.ParseLang("--lang", *lang); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	rng, err := stats.ParseRange(*from, *to)
	if err != nil {
		return fmt.Errorf("report: %w", flagNames(err))
	}
	if err := openMigrated(ctx, db); err != nil {
		return err
	}
	p, err := db.Stats(ctx, cliAdmin, stats.Query{Range: rng, Gate: *gate, Direction: cuakhau.Direction(*dir)})
	if err != nil {
		return fmt.Errorf("report: %w", flagNames(err))
	}
	inds, err := openIndicators(ctx, db)
	if err != nil {
		return err
	}
	// The targets as of the report's last day, measured or entered.
	if p.Targets, err = stats.Progresses(ctx, db, db, cliAdmin, inds, rng.To.Year(), rng.To); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if *out == "" {
		return report.Write(stdout, p, f, *lang)
	}
	// Written beside the target and renamed, so that a failure leaves no
	// half-written report under the name asked for.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".report-*")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := report.Write(tmp, p, f, *lang); err != nil {
		tmp.Close()
		return fmt.Errorf("report: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	fmt.Fprintf(stderr, "wrote %s\n", *out)
	return nil
}

// flagNames names an error's fields as the command's flags (from →
// --from), so that the user is told which flag to fix.
func flagNames(err error) error {
	e, ok := err.(*cuakhau.Error)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	msg := e.Message
	fields := map[string]string{}
	for name, rule := range e.Fields {
		msg = strings.ReplaceAll(msg, name+":", "--"+name+":")
		fields["--"+name] = rule
	}
	return &cuakhau.Error{Code: e.Code, Message: msg, Fields: fields}
}
