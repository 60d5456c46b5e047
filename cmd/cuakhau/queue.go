package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/flow"
	"github.com/cuakhau/cuakhau/gatestate"
	"github.com/cuakhau/cuakhau/sqlstore"
)

const queueUsage = `Usage: cuakhau queue replay --gate GATE [--from T1] [--to T2] [--db DSN]
       cuakhau queue accuracy --gate GATE [--from T1] [--to T2] [--db DSN]

Commands:
  replay   recompute every logged call-forward of a gate with the policy and
           version it names, on the waiting area rebuilt from the gate's log
           (checked against the count and digest the call logged), and list
           any call that differs (exit 1)
  accuracy the error of the call times told at check-in, per direction, over
           the calls in [T1, T2): median and p90 of |actual − told| and the
           bias (mean of actual − told), in minutes
`

func runQueue(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "accuracy" {
		return runAccuracy(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "replay" {
		fmt.Fprint(stderr, queueUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return nil
		}
		return exitError(2)
	}
	return runReplay(ctx, args[1:], stdout, stderr)
}

// parseInstant reads an RFC 3339 instant or a date (midnight, gate time).
func parseInstant(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, localZone())
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 instant nor a date YYYY-MM-DD", s)
	}
	return t, nil
}

// openGateRange parses the flags of `queue cmd`, a gate and a range
// [--from, --to), and opens the store, checking the gate is one of it.
func openGateRange(ctx context.Context, cmd string, args []string, stderr io.Writer) (string, time.Time, time.Time, *sqlstore.DB, error) {
	fs := newFlags("queue "+cmd, "queue "+cmd+" --gate GATE [--from T1] [--to T2] [--db DSN]", stderr)
	gate := fs.String("gate", "", "gate code (required), e.g. huu-nghi")
	from := fs.String("from", "2000-01-01", "first instant, RFC 3339 or a gate-local date")
	to := fs.String("to", "2100-01-01", "end instant (exclusive), RFC 3339 or a gate-local date")
	dsn := dbFlag(fs)
	var t1, t2 time.Time
	if err := fs.Parse(args); err != nil {
		return "", t1, t2, nil, err
	}
	if *gate == "" {
		fs.Usage()
		return "", t1, t2, nil, errors.New("--gate is required")
	}
	t1, err := parseInstant(*from)
	if err != nil {
		return "", t1, t2, nil, fmt.Errorf("--from: %w", err)
	}
	if t2, err = parseInstant(*to); err != nil {
		return "", t1, t2, nil, fmt.Errorf("--to: %w", err)
	}
	db, err := openDB(ctx, *dsn, cuakhau.SystemClock{})
	if err != nil {
		return "", t1, t2, nil, err
	}
	if _, err := db.Gate(ctx, *gate); err != nil {
		db.Close()
		return "", t1, t2, nil, err
	}
	return *gate, t1, t2, db, nil
}

// runReplay is the fairness audit: every automatic or operator call by the
// policy is recomputed from its logged input and the waiting area rebuilt
// from the log, after checking that area against the count and digest the
// call logged; overrides are listed with their reason, and are not
// differences (their digest is checked all the same).
func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	gate, t1, t2, db, err := openGateRange(ctx, "replay", args, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	// The calls in [t1, t2) are reported, but the log is walked from its
	// first entry: the waiting area a call saw is rebuilt from every arrival
	// and departure before it (see flow.Replayer).
	rp := flow.NewReplayer()
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "SEQ\tAT\tTRIP\tPOLICY\tRESULT")
	calls, diffs, overrides := 0, 0, 0
	err = db.ScanLog(ctx, gate, func(ev *cuakhau.Event) error {
		c, lerr := rp.Add(ev)
		if lerr != nil {
			// A defect of the log itself: reported wherever it is, since
			// it may change what any later call is checked against.
			diffs++
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\n", ev.Seq, ev.At.Format(time.RFC3339), ev.TripID, "-", "DIFFERENT: "+lerr.Error())
		}
		if c == nil || ev.At.Before(t1) || !ev.At.Before(t2) {
			return nil
		}
		calls++
		result := "ok"
		switch {
		case len(c.Differences) > 0:
			diffs++
			result = "DIFFERENT: " + strings.Join(c.Differences, "; ")
		case c.Override:
			result = fmt.Sprintf("override (policy would call %s): %s", c.Record.PolicyChoice, c.Record.OverrideNote)
		}
		if c.Override {
			overrides++
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s %s\t%s\n", ev.Seq, ev.At.Format(time.RFC3339), ev.TripID, c.Record.Policy, c.Record.Version, result)
		return nil
	})
	if err != nil {
		return err
	}
	w.Flush()
	fmt.Fprintf(stdout, "%d call(s), %d override(s), %d difference(s)\n", calls, overrides, diffs)
	if diffs > 0 {
		return exitError(1)
	}
	return nil
}

// runAccuracy reports how far off the call times told at check-in were. The
// gate's log is walked through the gate's state (gatestate), the same code
// that pairs each call with what its truck was told for the public feed, so
// the report and the feed cannot measure differently.
func runAccuracy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	gate, t1, t2, db, err := openGateRange(ctx, "accuracy", args, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	st := gatestate.New(gate)
	errs := map[cuakhau.Direction][]time.Duration{}
	untold := 0
	err = db.ScanLog(ctx, gate, func(ev *cuakhau.Event) error {
		if ev.Type == cuakhau.EventCalled && !ev.At.Before(t1) && ev.At.Before(t2) {
			if tr := st.Trip(ev.TripID); tr != nil {
				if told := st.ExpectedCall(ev.TripID); told.IsZero() {
					untold++
				} else {
					errs[tr.Direction] = append(errs[tr.Direction], ev.At.Sub(told))
				}
			}
		}
		return st.Apply(ev)
	})
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "DIRECTION\tCALLS\tP50 MIN\tP90 MIN\tBIAS MIN")
	for _, d := range cuakhau.Directions {
		e := errs[d]
		if len(e) == 0 {
			continue
		}
		abs := make([]float64, len(e))
		bias := 0.0
		for i, x := range e {
			abs[i] = math.Abs(x.Minutes())
			bias += x.Minutes()
		}
		slices.Sort(abs)
		fmt.Fprintf(w, "%s\t%d\t%.1f\t%.1f\t%+.1f\n", d, len(e), quantile(abs, 0.5), quantile(abs, 0.9), bias/float64(len(e)))
	}
	w.Flush()
	fmt.Fprintf(stdout, "%d call(s) of trucks told no call time\n", untold)
	return nil
}

// quantile of sorted xs, linear between order statistics, as the
// simulator reports its prediction error.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	pos := q * float64(len(xs)-1)
	i := int(pos)
	if i+1 >= len(xs) {
		return xs[len(xs)-1]
	}
	return xs[i] + (pos-float64(i))*(xs[i+1]-xs[i])
}
