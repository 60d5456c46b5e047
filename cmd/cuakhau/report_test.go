package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestImportAndReport: a history file with bad lines is refused naming
// each line and field, and nothing is imported; a good one is, once; the
// report of the later year shows the growth on the earlier, in Markdown on
// standard output and as a workbook; bad flags are named.
func TestImportAndReport(t *testing.T) {
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "r.db")
	cli(t, "migrate", "--db", dsn)
	write := func(name, body string) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	fail := func(want string, args ...string) {
		t.Helper()
		out, err := exec.Command(binary(t), args...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), want) {
			t.Errorf("%v: %v, %q; want a refusal saying %q", args, err, out, want)
		}
	}

	bad := write("bad.csv", "date,gate,direction,trucks,value_usd\n"+
		"2024-05-01,huu-nghi,export,1400,3000000\n"+
		"2024-05-32,huu-nghi,export,1400,3000000\n"+
		"2024-05-02,nowhere,export,-3,3000000\n"+
		"2024-05-01,huu-nghi,export,1,1\n")
	for _, want := range []string{"line 3, date", "line 4, gate: unknown gate \"nowhere\"", "line 4, trucks", "line 5, date: 2024-05-01 at huu-nghi, export is given twice (first on line 2)"} {
		fail(want, "import", "daily", "--file", bad, "--db", dsn)
	}
	fail(`header: must be "date,gate,direction,trucks,value_usd"`, "import", "daily", "--file", write("header.csv", "day,gate,direction,trucks,value\n"), "--db", dsn)
	if out := cli(t, "report", "--from", "2024-05-01", "--to", "2024-05-31", "--db", dsn); !strings.Contains(out, "| Lượt xe | 0 |") {
		t.Errorf("a refused import stored rows:\n%s", out)
	}

	var hist strings.Builder
	hist.WriteString("date,gate,direction,trucks,value_usd\n")
	for _, y := range []string{"2024", "2025"} {
		for _, d := range []string{"01", "02"} {
			n := map[string]string{"2024": "1000,2000000.50", "2025": "1550,3000000"}[y]
			hist.WriteString(y + "-05-" + d + ",huu-nghi,export," + n + "\n")
		}
	}
	good := write("good.csv", hist.String())
	if out := cli(t, "import", "daily", "--file", good, "--db", dsn); !strings.Contains(out, "imported 4 days of history (5100 trucks)") {
		t.Errorf("import printed %q", out)
	}
	fail("nothing imported: the statistics already hold 2024-05-01 huu-nghi export", "import", "daily", "--file", good, "--db", dsn)

	md := cli(t, "report", "--from", "2025-05-01", "--to", "2025-05-02", "--db", dsn)
	if !strings.Contains(md, "Trung bình khoảng 1.550 lượt xe/ngày, cao điểm 1.550 lượt xe/ngày; kim ngạch 6 triệu USD, tăng 50% so với cùng kỳ.") {
		t.Errorf("report:\n%s", md)
	}
	if en := cli(t, "report", "--from", "2025-05-01", "--to", "2025-05-02", "--lang", "en", "--gate", "huu-nghi", "--db", dsn); !strings.Contains(en, "up 50% on the same period a year earlier") {
		t.Errorf("report in English:\n%s", en)
	}
	xlsx := filepath.Join(dir, "may.xlsx")
	cli(t, "report", "--from", "2025-05-01", "--to", "2025-05-02", "--out", xlsx, "--db", dsn)
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.GetCellValue("Theo ngày", "B2", excelize.Options{RawCellValue: true}); v != "1550" {
		t.Errorf("the workbook's 1 May: %q", v)
	}
	f.Close()

	fail("--from: required", "report", "--to", "2025-05-02", "--db", dsn)
	fail("--from: 2025-05-03 is after to", "report", "--from", "2025-05-03", "--to", "2025-05-02", "--db", dsn)
	fail("--format: \"pdf\" is not a report format", "report", "--from", "2025-05-01", "--to", "2025-05-02", "--format", "pdf", "--db", dsn)
	fail("unknown gate \"nowhere\"", "report", "--from", "2025-05-01", "--to", "2025-05-02", "--gate", "nowhere", "--out", filepath.Join(dir, "never.md"), "--db", dsn)
	if _, err := os.Stat(filepath.Join(dir, "never.md")); err == nil {
		t.Error("a refused report left a file")
	}
}
