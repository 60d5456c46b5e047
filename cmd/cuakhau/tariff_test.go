package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestTariffCommands: add stores the example schedule and list shows it; an
// overlapping version and a negative amount are refused naming the field,
// and nothing is added.
func TestTariffCommands(t *testing.T) {
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "t.db")
	cli(t, "migrate", "--db", dsn)
	if out := cli(t, "tariff", "add", "--file", "../../fee/testdata/example-schedule.json", "--db", dsn); !strings.Contains(out, "added tariff 09/2025/NQ-HĐND (example tiers), in force from 2025-05-08") {
		t.Errorf("tariff add printed %q", out)
	}
	for _, tc := range []struct{ file, want string }{
		{`{"version":"2026","from":"2026-01-01","rates":[{"vehicle":"under_2t","cargo":"general","amount_vnd":1}],"default_cargo":"general"}`, "tariffs[0].from: in force on the same days as the stored tariff (09/2025/NQ-HĐND (example tiers))"},
		{`[{"version":"2024","from":"2024-01-01","to":"2024-12-31","rates":[{"vehicle":"under_2t","cargo":"general","amount_vnd":-1}],"default_cargo":"general"}]`, "tariffs[0].rates[0].amount_vnd: must not be negative"},
	} {
		f := filepath.Join(dir, "bad.json")
		if err := os.WriteFile(f, []byte(tc.file), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(binary(t), "tariff", "add", "--file", f, "--db", dsn).CombinedOutput()
		if err == nil || !strings.Contains(string(out), tc.want) {
			t.Errorf("tariff add %s: %v, %q; want a refusal saying %q", tc.file, err, out, tc.want)
		}
	}
	list := cli(t, "tariff", "list", "--db", dsn)
	if lines := strings.Split(strings.TrimSpace(list), "\n"); len(lines) != 2 || !strings.Contains(lines[1], "from 2025-05-08") || !strings.Contains(lines[1], "5000000") {
		t.Errorf("tariff list:\n%s", list)
	}
}
