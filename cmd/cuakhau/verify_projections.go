package main

import (
	"context"
	"fmt"
	"io"

	"github.com/cuakhau/cuakhau/sqlstore"
)

// maxDiffLines bounds what verify prints of the projections' differences:
// a wiped table would otherwise print a line for every row it held.
const maxDiffLines = 200

// verifyProjections rebuilds the projections from the log, prints each row
// and field that differs from the stored one (or that they all agree), and
// returns how many differ.
func verifyProjections(ctx context.Context, db *sqlstore.DB, stdout, stderr io.Writer) (int, error) {
	diffs, err := db.VerifyProjections(ctx)
	if err != nil {
		return 0, fmt.Errorf("verify: %w", err)
	}
	if len(diffs) == 0 {
		fmt.Fprintln(stdout, "projections: ok (trips, bookings, waiting, gate_controls, outbox and receipts are what the log rebuilds)")
		return 0, nil
	}
	fmt.Fprintf(stdout, "projections: %d difference(s) from what the log rebuilds:\n", len(diffs))
	for i, d := range diffs {
		if i == maxDiffLines {
			fmt.Fprintf(stdout, "  … and %d more\n", len(diffs)-i)
			break
		}
		fmt.Fprintln(stdout, " ", d)
	}
	fmt.Fprintf(stderr, "cuakhau: %d projection row(s) differ from the log\n", len(diffs))
	return len(diffs), nil
}
