package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/flow"
)

const queueUsage = `Usage: cuakhau queue replay --gate GATE [--from T1] [--to T2] [--db DSN]

Commands:
  replay   recompute every logged call-forward of a gate from the inputs it
           logged, with the policy and version it names, and list any call
           whose logged truck differs from the policy's choice (exit 1)
`

func runQueue(ctx context.Context, args []string, stdout, stderr io.Writer) error {
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

// runReplay is the fairness audit: every automatic or operator call by the
// policy is recomputed from its logged input; overrides are listed with
// their reason, and are not differences.
func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("queue replay", "queue replay --gate GATE [--from T1] [--to T2] [--db DSN]", stderr)
	gate := fs.String("gate", "", "gate code (required), e.g. huu-nghi")
	from := fs.String("from", "2000-01-01", "first instant, RFC 3339 or a gate-local date")
	to := fs.String("to", "2100-01-01", "end instant (exclusive), RFC 3339 or a gate-local date")
	dsn := dbFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *gate == "" {
		fs.Usage()
		return errors.New("--gate is required")
	}
	t1, err := parseInstant(*from)
	if err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	t2, err := parseInstant(*to)
	if err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	db, err := openDB(ctx, *dsn, cuakhau.SystemClock{})
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Gate(ctx, *gate); err != nil {
		return err
	}
	calls, err := db.CallLog(ctx, *gate, t1, t2)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "SEQ\tAT\tTRIP\tPOLICY\tRESULT")
	diffs, overrides := 0, 0
	for _, ev := range calls {
		var rec cuakhau.CallRecord
		result := "ok"
		if err := json.Unmarshal(ev.Data, &rec); err != nil {
			diffs++
			result = "DIFFERENT: the logged input cannot be read: " + err.Error()
		} else if want, ok, err := flow.Replay(rec); err != nil {
			diffs++
			result = "DIFFERENT: " + err.Error()
		} else if !ok {
			overrides++
			result = fmt.Sprintf("override (policy would call %s): %s", rec.PolicyChoice, rec.OverrideNote)
			if rec.Chosen != ev.TripID {
				diffs++
				result = fmt.Sprintf("DIFFERENT: override of %s logged for trip %s", rec.Chosen, ev.TripID)
			}
		} else if want != ev.TripID || rec.Chosen != ev.TripID {
			diffs++
			result = fmt.Sprintf("DIFFERENT: policy calls %s, log says %s", want, ev.TripID)
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s %s\t%s\n", ev.Seq, ev.At.Format(time.RFC3339), ev.TripID, rec.Policy, rec.Version, result)
	}
	w.Flush()
	fmt.Fprintf(stdout, "%d call(s), %d override(s), %d difference(s)\n", len(calls), overrides, diffs)
	if diffs > 0 {
		return exitError(1)
	}
	return nil
}
