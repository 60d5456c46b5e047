package stats

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/cuakhau/cuakhau"
)

var named = regexp.MustCompile(`line \d+(, \w+)?: `)

func isGate(g string) bool { return g == "huu-nghi" || g == "tan-thanh" }

func TestParseHistory(t *testing.T) {
	in := "date,gate,direction,trucks,value_usd\n" +
		"2024-05-08,huu-nghi,export,812,4123456.78\n" +
		"2024-05-08,huu-nghi,import,400,12.5\n" +
		"2024-05-08,tan-thanh,export,0,0\n"
	rows, err := ParseHistory(strings.NewReader(in), isGate)
	if err != nil {
		t.Fatal(err)
	}
	want := []Daily{
		{Day: d("2024-05-08"), Gate: "huu-nghi", Direction: cuakhau.Export, Trucks: 812, ValueUSDCents: 412345678},
		{Day: d("2024-05-08"), Gate: "huu-nghi", Direction: cuakhau.Import, Trucks: 400, ValueUSDCents: 1250},
		{Day: d("2024-05-08"), Gate: "tan-thanh", Direction: cuakhau.Export},
	}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("rows\n %v\nwant\n %v", rows, want)
	}
}

// Every bad line is named with its field, and nothing is returned.
func TestParseHistoryRefuses(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     []string
	}{
		{"empty", "", []string{"line 1, header: the file is empty"}},
		{"header", "date,gate,trucks\n2024-05-08,huu-nghi,1\n", []string{`line 1, header: must be "date,gate,direction,trucks,value_usd"`}},
		{"several", "date,gate,direction,trucks,value_usd\n" +
			"2024-05-08,huu-nghi,export,1,1\n" +
			"2024-02-30,huu-nghi,export,1,1\n" +
			"2024-05-09,mong-cai,export,1,1\n" +
			"2024-05-09,huu-nghi,sideways,1,1\n" +
			"2024-05-09,huu-nghi,export,-4,1\n" +
			"2024-05-09,huu-nghi,import,4,-1\n" +
			"2024-05-09,huu-nghi,reexport,4,1.234\n" +
			"2024-05-08,huu-nghi,export,2,2\n" +
			"2024-05-10,huu-nghi,export,1\n",
			[]string{
				"line 3, date: not a date",
				`line 4, gate: unknown gate "mong-cai"`,
				`line 5, direction: unknown direction "sideways"`,
				"line 6, trucks: -4 is out of range",
				`line 7, value_usd: "-1" is negative`,
				`line 8, value_usd: "1.234" is not an amount`,
				"line 9, date: 2024-05-08 at huu-nghi, export is given twice (first on line 2)",
				"line 10: 4 fields, want 5",
			}},
	} {
		rows, err := ParseHistory(strings.NewReader(c.in), isGate)
		if rows != nil || cuakhau.ErrorCode(err) != cuakhau.EINVALID {
			t.Errorf("%s: %d rows, %v", c.name, len(rows), err)
			continue
		}
		msg := cuakhau.ErrorMessage(err)
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: %q not in\n %s", c.name, w, msg)
			}
		}
		if n := len(named.FindAllString(msg, -1)); n != len(c.want) {
			t.Errorf("%s: %d lines named, want %d: %s", c.name, n, len(c.want), msg)
		}
	}
}

func TestParseHistoryStopsListing(t *testing.T) {
	var b strings.Builder
	b.WriteString(HistoryHeader + "\n")
	for i := range 200 {
		fmt.Fprintf(&b, "2024-05-%02d,nowhere,export,1,1\n", i%28+1)
	}
	_, err := ParseHistory(strings.NewReader(b.String()), isGate)
	if n := len(cuakhau.ErrorFields(err)); n != MaxHistoryErrors {
		t.Errorf("%d errors listed, want %d", n, MaxHistoryErrors)
	}
	if !strings.Contains(cuakhau.ErrorMessage(err), "and more bad lines after line") {
		t.Errorf("no word of the lines left out: %s", cuakhau.ErrorMessage(err))
	}
}
