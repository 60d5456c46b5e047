package stats

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/cuakhau/cuakhau"
)

// HistoryHeader is the header line of a file of daily history.
const HistoryHeader = "date,gate,direction,trucks,value_usd"

// MaxHistoryErrors is how many bad lines an error lists before it stops.
const MaxHistoryErrors = 50

// MaxHistoryTrucksPerDay bounds one gate's trucks a day in one direction.
const MaxHistoryTrucksPerDay = 100_000

// MaxHistoryValueUSD bounds one gate's trade value a day in one direction:
// US$10 billion.
const MaxHistoryValueUSD = 10_000_000_000

// ParseHistory reads a file of daily history, the years before the
// platform, one gate and direction a day per line under HistoryHeader. It
// is all or nothing: a wrong header, a bad date, an unknown gate or
// direction, a number that is negative or not one, or a day given twice
// for a gate and direction, and it returns no rows and an EINVALID error
// that names every bad line and field (the first MaxHistoryErrors), such as
// "line 3, date: …". isGate says whether a gate code is known.
func ParseHistory(r io.Reader, isGate func(string) bool) ([]Daily, error) {
	var (
		rows  []Daily
		errs  historyErrors
		first = map[Key]int{}
	)
	err := eachRecord(r, HistoryHeader, 5, &errs, func(line int, rec []string) {
		d, ok := Daily{}, true
		bad := func(field, rule string) { errs.add(line, field, rule); ok = false }
		var err2 error
		if d.Day, err2 = ParseDate(strings.TrimSpace(rec[0])); err2 != nil {
			bad("date", err2.Error())
		}
		if d.Gate = strings.TrimSpace(rec[1]); !isGate(d.Gate) {
			bad("gate", fmt.Sprintf("unknown gate %q", d.Gate))
		}
		if d.Direction = cuakhau.Direction(strings.TrimSpace(rec[2])); !slices.Contains(cuakhau.Directions, d.Direction) {
			bad("direction", fmt.Sprintf("unknown direction %q: one of export, import, reexport, transit, empty_return", d.Direction))
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(rec[3]), 10, 64); err != nil {
			bad("trucks", fmt.Sprintf("%q is not a whole number", rec[3]))
		} else if n < 0 || n > MaxHistoryTrucksPerDay {
			bad("trucks", fmt.Sprintf("%d is out of range: 0 to %d", n, MaxHistoryTrucksPerDay))
		} else {
			d.Trucks = n
		}
		if c, err := parseUSD(strings.TrimSpace(rec[4])); err != nil {
			bad("value_usd", err.Error())
		} else {
			d.ValueUSDCents = c
		}
		if !ok {
			return
		}
		if prev, dup := first[d.Key()]; dup {
			errs.add(line, "date", fmt.Sprintf("%s at %s, %s is given twice (first on line %d)", d.Day, d.Gate, d.Direction, prev))
			return
		}
		first[d.Key()] = line
		rows = append(rows, d)
	})
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, errs.err()
	}
	return rows, nil
}

// eachRecord reads the CSV file r line by line under header for a parser
// that is all or nothing: the header (a byte-order mark allowed) and each
// record's count of fields n are checked here, and row gets the records
// that pass with their line numbers, adding its own refusals to errs. A
// line that is not CSV is refused and the reading goes on, but for a broken
// quote, which leaves the rest unreadable; an empty file is refused; the
// reading stops after MaxHistoryErrors refusals. The error is the reader's
// own, not a refusal.
func eachRecord(r io.Reader, header string, n int, errs *historyErrors, row func(line int, rec []string)) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	line := 0
	for len(*errs) <= MaxHistoryErrors {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line++
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
				errs.add(line, "", pe.Err.Error())
				// a broken quote leaves the rest of the file unreadable
				if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) {
					break
				}
				continue
			}
			return err
		}
		if l, _ := cr.FieldPos(0); l > 0 {
			line = l
		}
		if line == 1 {
			if got := strings.TrimPrefix(strings.Join(rec, ","), "\ufeff"); got != header {
				errs.add(1, "header", fmt.Sprintf("must be %q, not %q", header, got))
				break
			}
			continue
		}
		if len(rec) != n {
			errs.add(line, "", fmt.Sprintf("%d fields, want %d (%s)", len(rec), n, header))
			continue
		}
		row(line, rec)
	}
	if line == 0 {
		errs.add(1, "header", fmt.Sprintf("the file is empty: it must start with %q", header))
	}
	return nil
}

// parseUSD reads an amount of dollars with at most two decimals (1234.5)
// as cents.
func parseUSD(s string) (int64, error) {
	whole, frac, hasPoint := strings.Cut(s, ".")
	if whole == "" || (hasPoint && (frac == "" || len(frac) > 2)) || strings.Trim(whole+frac, "0123456789") != "" {
		if strings.HasPrefix(s, "-") {
			return 0, fmt.Errorf("%q is negative", s)
		}
		return 0, fmt.Errorf("%q is not an amount of dollars such as 1234.50", s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > MaxHistoryValueUSD {
		return 0, fmt.Errorf("%s is out of range: at most %d", s, int64(MaxHistoryValueUSD))
	}
	c := int64(0)
	if frac != "" {
		c, _ = strconv.ParseInt(frac, 10, 64)
		c *= int64(math.Pow10(2 - len(frac)))
	}
	return w*100 + c, nil
}

type historyError struct {
	line  int
	field string
	rule  string
}

type historyErrors []historyError

func (e *historyErrors) add(line int, field, rule string) {
	*e = append(*e, historyError{line, field, rule})
}

func (e historyErrors) err() error {
	parts := make([]string, 0, len(e))
	fields := map[string]string{}
	for i, x := range e {
		if i == MaxHistoryErrors {
			parts = append(parts, fmt.Sprintf("and more bad lines after line %d", e[i-1].line))
			break
		}
		where := fmt.Sprintf("line %d", x.line)
		path := fmt.Sprintf("line[%d]", x.line)
		if x.field != "" {
			where += ", " + x.field
			path += "." + x.field
		}
		parts = append(parts, where+": "+x.rule)
		if _, ok := fields[path]; !ok {
			fields[path] = x.rule
		}
	}
	return &cuakhau.Error{Code: cuakhau.EINVALID, Message: "nothing imported: " + strings.Join(parts, "; "), Fields: fields}
}
