package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestBenchCrisis runs the crisis scenario small, end to end: the server
// started, the trucks declared and checked in, the calls and the feed
// timed, one row of figures printed. Bad flags are refused by name.
func TestBenchCrisis(t *testing.T) {
	out := cli(t, "bench", "--scenario", "crisis", "--store", "sqlite", "--waiting", "40", "--clients", "4", "--calls", "5", "--feeds", "5")
	if !strings.Contains(out, "| waiting | clients | check-ins/s |") || !strings.Contains(out, "\n| 40 | 4 | ") || !strings.Contains(out, "| 1–40 |") {
		t.Errorf("bench --scenario crisis printed:\n%s", out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--scenario", "storm"}, "--scenario"},
		{[]string{"--scenario", "crisis", "--store", "postgres"}, "--store sqlite"},
		{[]string{"--scenario", "crisis", "--store", "sqlite", "--waiting", "0"}, "--waiting"},
	} {
		out, err := exec.Command(binary(t), append([]string{"bench"}, c.args...)...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), c.want) {
			t.Errorf("bench %s: err %v, output %q; want a refusal naming %s", strings.Join(c.args, " "), err, out, c.want)
		}
	}
}

// TestBenchLifecycle runs the lifecycle scenario briefly on SQLite: the
// rates' row, then what the store holds a trip, idempotency answers apart.
func TestBenchLifecycle(t *testing.T) {
	out := cli(t, "bench", "--store", "sqlite", "--clients", "4", "--warmup", "500ms", "--duration", "1s", "--rows", "100")
	if !strings.Contains(out, "| store | clients | API events/s |") || !strings.Contains(out, "| idempotency answers a trip |") {
		t.Fatalf("bench printed:\n%s", out)
	}
	i := strings.LastIndex(out, "\n| sqlite | ")
	if i < 0 || !strings.Contains(out[i:], " KB | ") || !strings.Contains(out[i:], "events ") {
		t.Errorf("no storage row for sqlite in:\n%s", out)
	}
}
