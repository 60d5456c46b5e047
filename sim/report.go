package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
)

// WriteTable prints a result as aligned text tables: per policy and class,
// then stages and gates.
func WriteTable(w io.Writer, r *Result) error {
	fmt.Fprintf(w, "scenario %s: %g days (%g warm-up), %d replication(s), seed %d; means over replications, ± half-width of the 95%% CI\n\n",
		r.Scenario, r.Days, r.WarmupDays, r.Replications, r.Seed)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "policy\tclass\tarrived\tcrossed\tper day\twait mean h\twait p50 h\twait p95 h\twait max h\tborder p50 h\tborder p95 h\tspoiled\theld at origin\theld mean h\t")
	for _, p := range r.Policies {
		rows := append(append([]ClassResult{}, p.Classes...), p.Total)
		for _, c := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%.0f\t%.0f\t%.1f\t%s\t%.2f\t%s\t%.1f\t%s\t%.2f\t%s\t%.0f\t%.1f\t\n",
				p.Name, c.Class, c.Arrived, c.Crossed, c.ThroughputPerDay,
				pm(c.WaitMeanH, c.WaitMeanCIH, 2), c.WaitP50H, pm(c.WaitP95H, c.WaitP95CIH, 2), c.WaitMaxH,
				pm(c.BorderTimeP50H, c.BorderTimeP50CIH, 2), c.BorderTimeP95H, pm(c.Spoiled, c.SpoiledCI, 0), c.Held, c.HeldMeanH)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "policy\tclass\tpredicted\t|error| p50 min\t|error| p90 min\tbias min\t")
	for _, p := range r.Policies {
		for _, c := range append(append([]ClassResult{}, p.Classes...), p.Total) {
			fmt.Fprintf(tw, "%s\t%s\t%.0f\t%.1f\t%.1f\t%+.1f\t\n", p.Name, c.Class, c.PredictedCalls, c.PredErrP50Min, c.PredErrP90Min, c.PredBiasMin)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "policy\tyard peak\troad peak (overflow)\ttrucks to a full yard\theld peak\tsaturated days\tthroughput / bound\tbound per day\tevents\tevents/s\t")
	for _, p := range r.Policies {
		ratio := "-"
		if !math.IsNaN(p.ThroughputVsBound) && p.SaturatedDays > 0 {
			ratio = fmt.Sprintf("%.3f", p.ThroughputVsBound)
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%s\t%.0f\t%.0f\t%.1f\t%s\t%.0f\t%d\t%.0f\t\n", p.Name, p.YardPeak, pm(p.YardOverflowMax, p.YardOverflowMaxCI, 0),
			p.OverflowTrucks, p.HeldPeak, p.SaturatedDays, ratio, p.BoundPerDay, p.Events, p.EventsPerSecond)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "gate\tstage\tservers\t"
	for _, p := range r.Policies {
		head += "util " + p.Name + "\t"
	}
	fmt.Fprintln(tw, head)
	if len(r.Policies) > 0 {
		for i, s := range r.Policies[0].Stages {
			line := fmt.Sprintf("%s\t%s\t%d\t", s.Gate, s.Stage, s.Servers)
			for _, p := range r.Policies {
				line += fmt.Sprintf("%.2f\t", p.Stages[i].Utilization)
			}
			fmt.Fprintln(tw, line)
		}
	}
	return tw.Flush()
}

// pm formats a mean with the half-width of its interval.
func pm(m float64, ci Interval, prec int) string {
	if len(ci) != 2 {
		return fmt.Sprintf("%.*f", prec, m)
	}
	return fmt.Sprintf("%.*f ± %.*f", prec, m, prec, (ci[1]-ci[0])/2)
}

// WriteJSON writes a result as indented JSON, with NaN written as null.
func WriteJSON(w io.Writer, r *Result) error {
	clean := *r
	clean.Policies = make([]PolicyResult, len(r.Policies))
	for i, p := range r.Policies {
		if math.IsNaN(p.ThroughputVsBound) {
			p.ThroughputVsBound = 0
		}
		clean.Policies[i] = p
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(&clean)
}

// WriteChecks prints validation checks as a table.
func WriteChecks(w io.Writer, checks []Check) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "case\tmetric\ttheory\tsim\t95% CI\tCI ±3%\tresult")
	for _, c := range checks {
		res := "ok"
		if !c.Pass {
			res = "FAIL"
		}
		fmt.Fprintf(tw, "%s\t%s\t%.4f\t%.4f\t[%.4f, %.4f]\t[%.4f, %.4f]\t%s\n", c.Case, c.Metric, c.Theory, c.Sim, c.Lo, c.Hi,
			c.Lo-Tolerance*c.Sim, c.Hi+Tolerance*c.Sim, res)
	}
	return tw.Flush()
}

// Markdown returns a summary of a result as markdown tables.
func Markdown(r *Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%g days (%g warm-up), %d replication(s), seed %d. Means over replications; ± is the half-width of the 95%% confidence interval. Times in hours.\n\n",
		r.Scenario, r.Days, r.WarmupDays, r.Replications, r.Seed)
	b.WriteString("| policy | class | arrived | crossed | per day | wait mean | wait p50 | wait p95 | wait max | border p50 | border p95 | spoiled | held at origin | held mean |\n")
	b.WriteString("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, p := range r.Policies {
		rows := append(append([]ClassResult{}, p.Classes...), p.Total)
		for _, c := range rows {
			fmt.Fprintf(&b, "| %s | %s | %.0f | %.0f | %.1f | %s | %.2f | %s | %.1f | %s | %.2f | %s | %.0f | %.1f |\n",
				p.Name, c.Class, c.Arrived, c.Crossed, c.ThroughputPerDay,
				pm(c.WaitMeanH, c.WaitMeanCIH, 2), c.WaitP50H, pm(c.WaitP95H, c.WaitP95CIH, 2), c.WaitMaxH,
				pm(c.BorderTimeP50H, c.BorderTimeP50CIH, 2), c.BorderTimeP95H, pm(c.Spoiled, c.SpoiledCI, 0), c.Held, c.HeldMeanH)
		}
	}
	b.WriteString("\nThe wait predicted at check-in (what the public feed tells a truck arriving now) against the wait it then had, in minutes: |actual − predicted| and the bias, the mean of actual − predicted.\n\n| policy | trucks predicted | \\|error\\| p50 | \\|error\\| p90 | bias |\n|---|--:|--:|--:|--:|\n")
	for _, p := range r.Policies {
		c := p.Total
		fmt.Fprintf(&b, "| %s | %.0f | %.1f | %.1f | %+.1f |\n", p.Name, c.PredictedCalls, c.PredErrP50Min, c.PredErrP90Min, c.PredBiasMin)
	}
	b.WriteString("\n| policy | yard peak | road peak (overflow) | trucks to a full yard | held at origin, peak | saturated days | throughput / bound |\n|---|--:|--:|--:|--:|--:|--:|\n")
	for _, p := range r.Policies {
		ratio := "–"
		if !math.IsNaN(p.ThroughputVsBound) && p.SaturatedDays > 0 {
			ratio = fmt.Sprintf("%.3f", p.ThroughputVsBound)
		}
		fmt.Fprintf(&b, "| %s | %.0f | %s | %.0f | %.0f | %.1f | %s |\n", p.Name, p.YardPeak, pm(p.YardOverflowMax, p.YardOverflowMaxCI, 0),
			p.OverflowTrucks, p.HeldPeak, p.SaturatedDays, ratio)
	}
	if len(r.Policies) > 0 {
		b.WriteString("\n| gate | stage | servers |")
		for _, p := range r.Policies {
			b.WriteString(" util " + p.Name + " |")
		}
		b.WriteString("\n|---|---|--:|" + strings.Repeat("--:|", len(r.Policies)) + "\n")
		for i, s := range r.Policies[0].Stages {
			fmt.Fprintf(&b, "| %s | %s | %d |", s.Gate, s.Stage, s.Servers)
			for _, p := range r.Policies {
				fmt.Fprintf(&b, " %.2f |", p.Stages[i].Utilization)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}
