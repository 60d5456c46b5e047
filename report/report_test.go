package report_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/report"
	"github.com/cuakhau/cuakhau/stats"
)

// may is May 2025 at Lạng Sơn's scale: 48,035 trucks, about 1,550 a day
// on average, with a peak of 2,012 on 20 May, against 45,000 in May 2024;
// the 31st has no truck at all.
func may(t *testing.T) *stats.Period {
	t.Helper()
	var rows []stats.Daily
	for d := 1; d <= 30; d++ {
		n := int64(1587)
		if d == 20 {
			n = 2012
		}
		day := stats.NewDate(2025, time.May, d)
		rows = append(rows,
			stats.Daily{Day: day, Gate: "huu-nghi", Direction: cuakhau.Export, Chapter: "08", Trucks: n - n/3, ValueUSDCents: (n - n/3) * 5_400_000, GrossKg: (n - n/3) * 18_000},
			stats.Daily{Day: day, Gate: "tan-thanh", Direction: cuakhau.Import, Chapter: "84", Trucks: n / 3, ValueUSDCents: n / 3 * 3_000_000, GrossKg: n / 3 * 12_000},
			stats.Daily{Day: day, Gate: "tan-thanh", Direction: cuakhau.Import, FeesVND: n / 3 * 1_500_000},
			stats.Daily{Day: day.YearEarlier(), Gate: "huu-nghi", Direction: cuakhau.Export, Trucks: 1500, ValueUSDCents: 1500 * 3_000_000})
	}
	r := stats.Range{From: stats.NewDate(2025, time.May, 1), To: stats.NewDate(2025, time.May, 31)}
	c := stats.ClearanceOf(stats.Minutes{120: 1}, stats.Minutes{60: 1})
	c.Spoiled = 1
	p := stats.Build(r, "", "", rows, c)
	p.SpoiledDays = map[stats.Key]int{{Day: stats.NewDate(2025, time.May, 20), Gate: "huu-nghi", Direction: cuakhau.Export}: 1}
	// Three loads sold off: two on 20 May, one on the 31st, when nothing
	// crossed.
	p.AddSoldOff([]stats.SoldOff{
		{Day: stats.NewDate(2025, time.May, 20), Gate: "huu-nghi", Direction: cuakhau.Export, Loads: 2, ValueUSDCents: 10_800_000, GrossKg: 36_000},
		{Day: stats.NewDate(2025, time.May, 31), Gate: "huu-nghi", Direction: cuakhau.Export, Loads: 1, ValueUSDCents: 5_400_050, GrossKg: 18_000},
	})
	share := stats.Indicator{Code: "digital_economy_share", Name: map[string]string{"vi": "Tỷ trọng kinh tế số trong GRDP", "en": "Digital economy's share of GRDP", "zh": "数字经济占地区生产总值比重"},
		Kind: stats.KindShare, Unit: "%", Min: 30, From: 2026, To: 2030}
	trucks := stats.Indicator{Code: "trucks", Name: map[string]string{"vi": "Lượt xe/ngày", "en": "Trucks a day", "zh": "日通行车辆"},
		Kind: stats.KindLevel, Unit: "xe/ngày", Min: 2000, Max: 2500, From: 2025, To: 2027, Measure: stats.MeasureTrucksPerDay}
	p.Targets = []stats.Progress{
		stats.Track(share, 2025, &stats.Actual{Code: share.Code, Year: 2025, Value: 18.6, Origin: stats.OriginEntered}),
		stats.Track(trucks, 2025, nil),
	}
	return &p
}

func write(t *testing.T, p *stats.Period, f report.Format, lang string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := report.Write(&b, p, f, lang); err != nil {
		t.Fatalf("%s %s: %v", f, lang, err)
	}
	return b.Bytes()
}

// TestMarkdown: the province's sentence in each language with its numbers
// written that language's way, and the tables.
func TestMarkdown(t *testing.T) {
	p := may(t)
	vi := string(write(t, p, report.Markdown, "vi"))
	for _, want := range []string{
		"# Báo cáo hoạt động cửa khẩu",
		"Kỳ báo cáo: 2025-05-01 – 2025-05-31. Tất cả cửa khẩu.",
		"Trung bình khoảng 1.550 lượt xe/ngày, cao điểm 2.012 lượt xe/ngày; kim ngạch",
		"| Lượt xe | 48.035 | 45.000 | 6,7 |",
		"| 2025-05-20 | 2.012 |",
		"| 2025-05-31 | 0 | 0 | 0 | 0 |",
		"| 2025-05 | 31 | 48.035 | 1.549,5 | 2.012 |",
		"| Từ khai báo đến xuất cảnh | 1 | 120 | 120 |",
		"Xe có hàng dễ hỏng đã quá hạn bảo quản khi qua cửa khẩu: 1\n",
		"Xe hàng phải bán tháo tại cửa khẩu thay vì xuất cảnh: 3\n\nGiá trị hàng bán tháo (USD): 162.000,5\n\nKhối lượng hàng bán tháo (kg): 54.000\n",
		"| 08 | ",
		"## Chỉ tiêu của tỉnh (2025)",
		"| Tỷ trọng kinh tế số trong GRDP | 30 % | 18,6 % | nhập tay | 62 % | Chưa đạt |",
		"| Lượt xe/ngày | 2.000–2.500 xe/ngày | – | – | – | Chưa có số liệu |",
	} {
		if !strings.Contains(vi, want) {
			t.Errorf("vi report lacks %q:\n%s", want, vi)
		}
	}
	if en := string(write(t, p, report.Markdown, "en")); !strings.Contains(en, "On average about 1,550 trucks a day, at the peak 2,012 trucks a day") ||
		!strings.Contains(en, "| Trucks | 48,035 | 45,000 | 6.7 |") ||
		!strings.Contains(en, "Loads sold off at the border instead of crossing: 3\n\nValue of the loads sold off (USD): 162,000.5\n") {
		t.Errorf("en report:\n%s", en)
	}
	if zh := string(write(t, p, report.Markdown, "zh")); !strings.Contains(zh, "平均每天约1,550辆次，高峰每天2,012辆次") ||
		!strings.Contains(zh, "在口岸就地抛售而未通关的货物车数: 3") {
		t.Errorf("zh report:\n%s", zh)
	}
}

// TestCSV: one line per day, gate and direction, dot decimals in every
// language, under the history file's columns.
func TestCSV(t *testing.T) {
	p := may(t)
	recs, err := csv.NewReader(bytes.NewReader(write(t, p, report.CSV, "vi"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != report.CSVHeader || !strings.HasPrefix(report.CSVHeader, stats.HistoryHeader+",") {
		t.Errorf("header %v", recs[0])
	}
	if len(recs) != 1+61 {
		t.Fatalf("%d lines, want 62: 2 a day for 30 days and the 31st, which only sold a load off", len(recs))
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	// 20 May at Hữu Nghị: 2,012 − 670 trucks of US$54,000.
	var found bool
	for _, r := range recs[1:] {
		if r[0] == "2025-05-20" && r[1] == "huu-nghi" {
			found = true
			if strings.Join(r[2:], ",") != "export,1342,72468000.00,24156000,0,1,2,108000.00,36000" {
				t.Errorf("20 May at huu-nghi: %v", r)
			}
		}
	}
	if !found {
		t.Error("no line for 20 May at huu-nghi")
	}
	if last := strings.Join(recs[len(recs)-1], ","); last != "2025-05-31,huu-nghi,export,0,0.00,0,0,0,1,54000.50,18000" {
		t.Errorf("the last line %s, want the 31st's load sold off with nothing crossed", last)
	}
	// The spoiled and sold-off loads' columns add up to the period's, as
	// the other formats give them.
	sum := func(name string) int {
		n := 0
		for _, r := range recs[1:] {
			v, err := strconv.Atoi(r[col[name]])
			if err != nil {
				t.Fatalf("%s %q: %v", name, r[col[name]], err)
			}
			n += v
		}
		return n
	}
	if got := sum("spoiled"); got != p.Clearance.Spoiled {
		t.Errorf("the CSV's spoiled loads add up to %d, the period has %d", got, p.Clearance.Spoiled)
	}
	if got := sum("sold_off"); got != p.Clearance.SoldOff {
		t.Errorf("the CSV's sold-off loads add up to %d, the period has %d", got, p.Clearance.SoldOff)
	}
	if !bytes.Equal(write(t, p, report.CSV, "vi"), write(t, p, report.CSV, "zh")) {
		t.Error("the CSV differs by language")
	}
}

// TestXLSX: a workbook Excel opens, with number cells, the summary
// sentence and a chart of trucks a day.
func TestXLSX(t *testing.T) {
	p := may(t)
	b := write(t, p, report.XLSX, "vi")
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), "|"); got != "Tổng hợp|Theo tháng|Theo ngày|Chi tiết|Theo chương HS" {
		t.Errorf("sheets %s", got)
	}
	if s, _ := f.GetCellValue("Tổng hợp", "A3"); !strings.HasPrefix(s, "Trung bình khoảng 1.550 lượt xe/ngày, cao điểm 2.012") {
		t.Errorf("summary %q", s)
	}
	for _, c := range []struct{ sheet, cell, raw string }{
		{"Tổng hợp", "B6", "48035"},  // trucks
		{"Tổng hợp", "C6", "45000"},  // a year earlier
		{"Theo ngày", "B21", "2012"}, // 20 May
		{"Theo ngày", "B32", "0"},    // 31 May
		{"Theo tháng", "C2", "48035"},
	} {
		typ, err := f.GetCellType(c.sheet, c.cell)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := f.GetCellValue(c.sheet, c.cell, excelize.Options{RawCellValue: true})
		if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset || raw != c.raw {
			t.Errorf("%s!%s: type %v, %q; want the number %s", c.sheet, c.cell, typ, raw, c.raw)
		}
	}
	at, err := f.SearchSheet("Tổng hợp", "Xe có hàng dễ hỏng đã quá hạn bảo quản khi qua cửa khẩu")
	if err != nil || len(at) != 1 || !strings.HasPrefix(at[0], "A") {
		t.Fatalf("the spoiled loads' line: %v %v", at, err)
	}
	if v, _ := f.GetCellValue("Tổng hợp", "B"+at[0][1:], excelize.Options{RawCellValue: true}); v != "1" {
		t.Errorf("spoiled loads %q, want 1", v)
	}
	for label, want := range map[string]string{
		"Xe hàng phải bán tháo tại cửa khẩu thay vì xuất cảnh": "3",
		"Giá trị hàng bán tháo (USD)":                          "162000.5",
		"Khối lượng hàng bán tháo (kg)":                        "54000",
	} {
		at, err := f.SearchSheet("Tổng hợp", label)
		if err != nil || len(at) != 1 || !strings.HasPrefix(at[0], "A") {
			t.Fatalf("the line %q: %v %v", label, at, err)
		}
		typ, _ := f.GetCellType("Tổng hợp", "B"+at[0][1:])
		if v, _ := f.GetCellValue("Tổng hợp", "B"+at[0][1:], excelize.Options{RawCellValue: true}); v != want || typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("%s: %v %q, want the number %s", label, typ, v, want)
		}
	}
	// The targets: the entered share as a number cell, its percent of the
	// target and its standing beside it.
	at, err = f.SearchSheet("Tổng hợp", "Tỷ trọng kinh tế số trong GRDP")
	if err != nil || len(at) != 1 || !strings.HasPrefix(at[0], "A") {
		t.Fatalf("the target's line: %v %v", at, err)
	}
	n := at[0][1:]
	actual, _ := f.GetCellValue("Tổng hợp", "C"+n, excelize.Options{RawCellValue: true})
	pct, _ := f.GetCellValue("Tổng hợp", "E"+n, excelize.Options{RawCellValue: true})
	standing, _ := f.GetCellValue("Tổng hợp", "F"+n)
	if typ, _ := f.GetCellType("Tổng hợp", "C"+n); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset || actual != "18.6" || !strings.HasPrefix(pct, "62") || standing != "Chưa đạt" {
		t.Errorf("the target's line: %v %q, %q %% of target, %q", typ, actual, pct, standing)
	}
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var chart bool
	for _, zf := range z.File {
		chart = chart || strings.HasPrefix(zf.Name, "xl/charts/chart")
	}
	if !chart {
		t.Error("no chart in the workbook")
	}
}

// TestBadFormatAndLang: refused naming the field.
func TestBadFormatAndLang(t *testing.T) {
	if _, err := report.ParseFormat("format", "pdf"); cuakhau.ErrorCode(err) != cuakhau.EINVALID || !strings.Contains(err.Error(), "md, csv or xlsx") {
		t.Errorf("pdf: %v", err)
	}
	if _, err := report.ParseLang("lang", "fr"); cuakhau.ErrorCode(err) != cuakhau.EINVALID {
		t.Errorf("fr: %v", err)
	}
	if err := report.Write(&bytes.Buffer{}, may(t), report.Markdown, "fr"); cuakhau.ErrorCode(err) != cuakhau.EINVALID {
		t.Errorf("write in fr: %v", err)
	}
}
