package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/cuakhau/cuakhau/sim"
)

// runSimulate runs a scenario through the server's own scheduling and
// lifecycle code on virtual time, or (simulate validate) checks the
// simulator against queueing theory.
func runSimulate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	tuneGC()
	if len(args) > 0 && args[0] == "validate" {
		return runValidate(ctx, args[1:], stdout, stderr)
	}
	fs := newFlags("simulate", "simulate --scenario FILE [--policy fifo|fixed-slot|adaptive|all] [--seed N] [--replications N] [--format table|json] [--out DIR]\n       cuakhau simulate validate [--days N] [--replications N] [--format table|json]", stderr)
	scenario := fs.String("scenario", "", "scenario YAML file (see scenarios/ and docs/simulation.md)")
	policy := fs.String("policy", "", "fifo, fixed-slot, adaptive or all (default: the scenario's policy)")
	seed := fs.Uint64("seed", 0, "random seed (default: the scenario's)")
	reps := fs.Int("replications", 0, "replications (default: the scenario's)")
	days := fs.Float64("days", 0, "simulated days per replication, warm-up included (default: the scenario's)")
	lifecycle := fs.String("lifecycle", "", "trucks run through the trip state machine: all, sample or off (default: the scenario's, else sample)")
	format := fs.String("format", "table", "output: table or json")
	out := fs.String("out", "", "directory for charts (SVG), a markdown summary and the JSON result")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *scenario == "" {
		fs.Usage()
		return errors.New("--scenario is required")
	}
	if *format != "table" && *format != "json" {
		return fmt.Errorf("--format %q: table or json", *format)
	}
	if *reps < 0 {
		return fmt.Errorf("--replications %d: must not be negative", *reps)
	}
	sc, err := sim.Load(*scenario)
	if err != nil {
		return err
	}
	opt := sim.Options{Seed: *seed, Replications: *reps, Days: *days, Lifecycle: *lifecycle}
	if *policy != "" {
		opt.Policies = []string{*policy}
	}
	// A simulation allocates many short-lived trucks and little else; a
	// larger heap target halves the time spent collecting them.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	stop := progress(stderr, &opt)
	res, err := sim.Run(ctx, sc, opt)
	stop()
	if err != nil {
		return err
	}
	if *out != "" {
		if err := writeOut(*out, res); err != nil {
			return err
		}
	}
	if *format == "json" {
		return sim.WriteJSON(stdout, res)
	}
	return sim.WriteTable(stdout, res)
}

func writeOut(dir string, res *sim.Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := []struct {
		name  string
		write func(io.Writer, *sim.Result) error
	}{
		{"queue.svg", sim.WriteQueueChart},
		{"held.svg", sim.WriteHeldChart},
		{"waits.svg", sim.WriteWaitChart},
		{"result.json", sim.WriteJSON},
		{"summary.md", func(w io.Writer, r *sim.Result) error {
			_, err := io.WriteString(w, sim.Markdown(r)+"\nCharts: ![queue](queue.svg) ![held at origin](held.svg) ![waits](waits.svg)\n")
			return err
		}},
	}
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		fh, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := f.write(fh, res); err != nil {
			fh.Close()
			return fmt.Errorf("write %s: %w", path, err)
		}
		if err := fh.Close(); err != nil {
			return err
		}
	}
	return nil
}

func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("simulate validate", "simulate validate [--days N] [--replications N] [--format table|json]", stderr)
	days := fs.Float64("days", 40, "measured days per replication of each case")
	reps := fs.Int("replications", 10, "replications per case")
	format := fs.String("format", "table", "output: table or json")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *days <= 0 || *reps < 2 {
		return errors.New("--days must be positive and --replications at least 2 (a confidence interval needs two)")
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	checks, err := sim.Validate(ctx, *days, *reps, sim.Options{})
	if err != nil {
		return err
	}
	if *format == "json" {
		if err := writeJSON(stdout, checks); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(stdout, "Simulator against closed forms: %d replications × %g days after 1 warm-up day; pass when theory lies in the 95%% CI widened by %.0f%% of the estimate.\n\n", *reps, *days, sim.Tolerance*100)
		if err := sim.WriteChecks(stdout, checks); err != nil {
			return err
		}
	}
	failed := 0
	for _, c := range checks {
		if !c.Pass {
			failed++
		}
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "%d of %d checks failed\n", failed, len(checks))
		return exitError(1)
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// progress draws a progress bar on stderr when it is a terminal, and
// returns a function that clears it.
func progress(stderr io.Writer, opt *sim.Options) func() {
	f, ok := stderr.(*os.File)
	if !ok {
		return func() {}
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return func() {}
	}
	var (
		mu   sync.Mutex
		last time.Time
		drew bool
	)
	start := time.Now()
	opt.Progress = func(done float64) {
		mu.Lock()
		defer mu.Unlock()
		if time.Since(last) < 100*time.Millisecond && done < 1 {
			return
		}
		last = time.Now()
		const width = 30
		n := int(done * width)
		fmt.Fprintf(f, "\r[%s%s] %3.0f%% %s", strings.Repeat("#", n), strings.Repeat(" ", width-n), done*100, time.Since(start).Round(100*time.Millisecond))
		drew = true
	}
	return func() {
		mu.Lock()
		defer mu.Unlock()
		if drew {
			fmt.Fprint(f, "\r"+strings.Repeat(" ", 50)+"\r")
		}
	}
}
