package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIndicatorCommands: a value set by hand and a file imported show in
// the list with their progress; an unknown indicator, a year outside the
// target's range, a value that is no number and a bad file are refused
// naming the field (the file's by line), and nothing of the file is stored.
func TestIndicatorCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "i.db")
	cmd := func(args ...string) (string, error) {
		var stdout, stderr strings.Builder
		err := run(ctx, append(args, "--db", dsn), &stdout, &stderr)
		return stdout.String(), err
	}
	if _, err := cmd("migrate"); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd("indicator", "set", "--id", "digital_economy_share", "--year", "2026", "--value", "18.5"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args  []string
		field string
	}{
		{[]string{"--id", "gdp", "--year", "2026", "--value", "1"}, "indicator"},
		{[]string{"--id", "grdp_growth", "--year", "2035", "--value", "1"}, "year"},
		{[]string{"--id", "grdp_growth", "--year", "2026", "--value", "abc"}, "value"},
	} {
		_, err := cmd(append([]string{"indicator", "set"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("indicator set %v: %v, want %s named", c.args, err, c.field)
		}
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("indicator,year,value\ngrdp_growth,2026,8.1\ngrdp_growth,2026,x\n"), 0o600)
	if _, err := cmd("indicator", "import", "--file", bad); err == nil || !strings.Contains(err.Error(), "line 3, value") {
		t.Errorf("a bad file: %v, want line 3, value", err)
	}
	good := filepath.Join(dir, "good.csv")
	os.WriteFile(good, []byte("indicator,year,value\ngrdp_growth,2026,10.4\n"), 0o600)
	if out, err := cmd("indicator", "import", "--file", good); err != nil || !strings.Contains(out, "imported 1") {
		t.Fatalf("a good file: %v %q", err, out)
	}
	out, err := cmd("indicator", "list", "--year", "2026")
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			lines[f[0]] = strings.Join(f, " ")
		}
	}
	if got := lines["digital_economy_share"]; !strings.Contains(got, "18.5 entered 61.7 off_track") {
		t.Errorf("digital economy: %q", got)
	}
	// 10.4 % against 10–11 %: the bad file's 8.1 was not stored.
	if got := lines["grdp_growth"]; !strings.Contains(got, "10.4 entered 104.0 on_track") {
		t.Errorf("GRDP growth: %q", got)
	}
	if got := lines["smart_gate_huu_nghi_trucks"]; !strings.Contains(got, "no_data") {
		t.Errorf("a measured target without trucks: %q", got)
	}
	// The report of a 2026 period carries them.
	md, err := cmd("report", "--from", "2026-03-01", "--to", "2026-03-31", "--lang", "en", "--format", "md")
	if err != nil {
		t.Fatal(err)
	}
	if want := "| GRDP growth | 10–11 %/năm | 10.4 %/năm | entered | 104 % | On track |"; !strings.Contains(md, want) {
		t.Errorf("the report lacks %q:\n%s", want, md)
	}
}
