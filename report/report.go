// Package report writes a period's statistics (stats.Period) as a document
// for people: Markdown to read or print, CSV of the daily rows for other
// tools, and an XLSX workbook with real number cells and a chart of trucks
// per day. Markdown and XLSX list the province's targets (Period.Targets)
// with their progress when the caller sets them. Markdown and XLSX are in Vietnamese, English or Chinese and open
// with the province's summary sentence; the CSV is the machine format,
// the same in every language.
//
// It reads nothing and stores nothing: the caller asks a stats.Source for
// the period and hands it here.
package report

import (
	"fmt"
	"io"
	"slices"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/stats"
)

// Format is a report's file format.
type Format string

// Formats.
const (
	Markdown Format = "md"
	CSV      Format = "csv"
	XLSX     Format = "xlsx"
)

// ParseFormat reads a format's name; anything else is EINVALID naming
// field.
func ParseFormat(field, s string) (Format, error) {
	switch f := Format(s); f {
	case Markdown, CSV, XLSX:
		return f, nil
	}
	return "", cuakhau.Invalid(field, fmt.Sprintf("%q is not a report format: md, csv or xlsx", s))
}

// ParseLang reads a report's language; anything else is EINVALID naming
// field.
func ParseLang(field, s string) (string, error) {
	switch s {
	case stats.LangVI, stats.LangEN, stats.LangZH:
		return s, nil
	}
	return "", cuakhau.Invalid(field, fmt.Sprintf("%q is not a language of the reports: vi, en or zh", s))
}

// ContentType is the media type of a file in format f.
func (f Format) ContentType() string {
	switch f {
	case Markdown:
		return "text/markdown; charset=utf-8"
	case CSV:
		return "text/csv; charset=utf-8"
	default:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
}

// FileName is a report's file name: cuakhau-2025-05-01-2025-05-31[-gate].ext.
func FileName(p *stats.Period, f Format) string {
	name := "cuakhau-" + p.From.String() + "-" + p.To.String()
	if p.Gate != "" {
		name += "-" + p.Gate
	}
	if p.Direction != "" {
		name += "-" + string(p.Direction)
	}
	return name + "." + string(f)
}

// Write writes p's report in format f and language lang to w.
func Write(w io.Writer, p *stats.Period, f Format, lang string) error {
	if _, err := ParseLang("lang", lang); err != nil {
		return err
	}
	switch f {
	case Markdown:
		return writeMarkdown(w, p, lang)
	case CSV:
		return writeCSV(w, p)
	case XLSX:
		return writeXLSX(w, p, lang)
	}
	_, err := ParseFormat("format", string(f))
	return err
}

// DayTotal is one day's figures, every gate and direction of the period
// summed.
type DayTotal struct {
	Day           stats.Date
	Trucks        int64
	ValueUSDCents int64
	GrossKg       int64
	FeesVND       int64
}

// PerDay sums p's daily rows per day, in order, with every day of the
// period present (a day without a truck is a zero row, so that a chart of
// them shows the gap).
func PerDay(p *stats.Period) []DayTotal {
	n := p.From.DaysUntil(p.To) + 1
	out := make([]DayTotal, n)
	for i := range out {
		out[i].Day = p.From.AddDays(i)
	}
	for _, d := range p.Days {
		i := p.From.DaysUntil(d.Day)
		if i < 0 || i >= n {
			continue
		}
		out[i].Trucks += d.Trucks
		out[i].ValueUSDCents += d.ValueUSDCents
		out[i].GrossKg += d.GrossKg
		out[i].FeesVND += d.FeesVND
	}
	return out
}

// figure is one line of the totals table: its label and how to read it
// from a period's totals.
type figure struct {
	label    string // key in labels
	decimals int
	value    func(stats.Totals) float64
}

var figures = []figure{
	{"trucks", 0, func(t stats.Totals) float64 { return float64(t.Trucks) }},
	{"avg", 1, func(t stats.Totals) float64 { return t.AvgTrucksPerDay }},
	{"peak", 0, func(t stats.Totals) float64 { return float64(t.PeakTrucks) }},
	{"value", 2, func(t stats.Totals) float64 { return float64(t.ValueUSDCents) / 1e8 }},
	{"weight", 1, func(t stats.Totals) float64 { return float64(t.GrossKg) / 1000 }},
	{"fees", 0, func(t stats.Totals) float64 { return float64(t.FeesVND) }},
}

// scope names the gate and direction a period covers.
func scope(p *stats.Period, lang string) string {
	gate := label(lang, "all_gates")
	if p.Gate != "" {
		gate = label(lang, "gate") + " " + p.Gate
	}
	if p.Direction != "" {
		gate += ", " + direction(lang, p.Direction)
	}
	return gate
}

func direction(lang string, d cuakhau.Direction) string {
	return label(lang, "dir_"+string(d))
}

// labels holds the reports' words in each language.
var labels = map[string][3]string{ // vi, en, zh
	"title":           {"Báo cáo hoạt động cửa khẩu", "Border gate report", "口岸运行报告"},
	"period":          {"Kỳ báo cáo", "Period", "报告期"},
	"all_gates":       {"Tất cả cửa khẩu", "All gates", "所有口岸"},
	"gate":            {"Cửa khẩu", "Gate", "口岸"},
	"dir_export":      {"xuất khẩu", "export", "出口"},
	"dir_import":      {"nhập khẩu", "import", "进口"},
	"totals":          {"Tổng hợp", "Totals", "汇总"},
	"figure":          {"Chỉ tiêu", "Figure", "指标"},
	"now":             {"Kỳ này", "This period", "本期"},
	"before":          {"Cùng kỳ năm trước", "A year earlier", "去年同期"},
	"growth":          {"Tăng/giảm (%)", "Change (%)", "同比 (%)"},
	"trucks":          {"Lượt xe", "Trucks", "车次"},
	"avg":             {"Bình quân lượt xe/ngày", "Average trucks a day", "日均车次"},
	"peak":            {"Cao điểm lượt xe/ngày", "Peak trucks a day", "单日最高车次"},
	"value":           {"Kim ngạch (triệu USD)", "Trade value (million USD)", "进出口额（百万美元）"},
	"value_usd":       {"Kim ngạch (USD)", "Trade value (USD)", "进出口额（美元）"},
	"weight":          {"Khối lượng (tấn)", "Gross weight (t)", "毛重（吨）"},
	"weight_kg":       {"Khối lượng (kg)", "Gross weight (kg)", "毛重（千克）"},
	"fees":            {"Phí hạ tầng (đồng)", "Infrastructure fees (VND)", "基础设施费（越南盾）"},
	"clearance":       {"Thời gian thông quan (phút)", "Clearance times (minutes)", "通关时间（分钟）"},
	"declared":        {"Từ khai báo đến xuất cảnh", "Declaration to crossing", "申报至出境"},
	"arrived":         {"Từ khi đến cửa khẩu đến xuất cảnh", "Arrival to crossing", "到达至出境"},
	"p50":             {"Trung vị", "Median", "中位数"},
	"p90":             {"Phân vị 90", "90th percentile", "90百分位"},
	"samples":         {"Số xe", "Trucks", "车辆数"},
	"spoiled":         {"Xe có hàng dễ hỏng đã quá hạn bảo quản khi qua cửa khẩu", "Trucks whose perishable load was past its shelf life when they crossed", "通关时易腐货物已超过保质期的车辆"},
	"sold_off":        {"Xe hàng phải bán tháo tại cửa khẩu thay vì xuất cảnh", "Loads sold off at the border instead of crossing", "在口岸就地抛售而未通关的货物车数"},
	"sold_off_value":  {"Giá trị hàng bán tháo (USD)", "Value of the loads sold off (USD)", "就地抛售货物价值（美元）"},
	"sold_off_weight": {"Khối lượng hàng bán tháo (kg)", "Weight of the loads sold off (kg)", "就地抛售货物毛重（千克）"},
	"months":          {"Theo tháng", "By month", "按月"},
	"month":           {"Tháng", "Month", "月份"},
	"days_n":          {"Số ngày", "Days", "天数"},
	"per_day":         {"Theo ngày", "By day", "按日"},
	"date":            {"Ngày", "Date", "日期"},
	"rows":            {"Chi tiết", "By gate and direction", "按口岸和方向"},
	"direction":       {"Chiều", "Direction", "方向"},
	"chapters":        {"Theo chương HS", "By HS chapter", "按HS章"},
	"chapter":         {"Chương HS", "HS chapter", "HS章"},
	"none":            {"(không có)", "(none)", "（无）"},
	"chart":           {"Lượt xe mỗi ngày", "Trucks a day", "每日车次"},
	"targets":         {"Chỉ tiêu của tỉnh", "The province's targets", "本省指标"},
	"target":          {"Mục tiêu", "Aim", "目标"},
	"actual":          {"Thực hiện", "Actual", "实际"},
	"year":            {"Năm", "Year", "年份"},
	"origin":          {"Nguồn", "Source", "来源"},
	"pct":             {"% mục tiêu", "% of target", "目标完成率"},
	"standing":        {"Đánh giá", "Standing", "评估"},
	"on_track":        {"Đạt", "On track", "达标"},
	"off_track":       {"Chưa đạt", "Off track", "未达标"},
	"no_data":         {"Chưa có số liệu", "No data", "暂无数据"},
	"platform":        {"nền tảng đo", "measured by the platform", "平台测得"},
	"entered":         {"nhập tay", "entered", "人工录入"},
}

// targetCells are a target's cells as the reports write them: its name,
// its aim (min–max and unit), the actual ("–" without), where the actual
// comes from, the percent of the target, and its standing.
func targetCells(t stats.Progress, lang string) (name, aim, actual, origin, pct, standing string) {
	ind := t.Indicator
	name = ind.Name[lang]
	aim = stats.Number(ind.Min, 1, lang)
	if ind.Max > ind.Min {
		aim += "–" + stats.Number(ind.Max, 1, lang)
	}
	aim += " " + ind.Unit
	actual, origin, pct = "–", "–", "–"
	if t.Actual != nil {
		actual = stats.Number(t.Actual.Value, 1, lang) + " " + ind.Unit
		origin = label(lang, t.Actual.Origin)
	}
	if t.PercentOfTarget != nil {
		pct = stats.Number(*t.PercentOfTarget, 0, lang) + " %"
	}
	return name, aim, actual, origin, pct, label(lang, t.Status)
}

func label(lang, key string) string {
	l, ok := labels[key]
	if !ok {
		panic("report: no label " + key)
	}
	switch lang {
	case stats.LangEN:
		return l[1]
	case stats.LangZH:
		return l[2]
	}
	return l[0]
}

// chapterName is a chapter as a reader sees it ("" has a word).
func chapterName(lang, ch string) string {
	if ch == "" {
		return label(lang, "none")
	}
	return ch
}

// sortedDays is p.Days in date, gate, direction order (Build's order,
// kept here for a period made by hand).
func sortedDays(p *stats.Period) []stats.Daily {
	ds := slices.Clone(p.Days)
	slices.SortStableFunc(ds, func(a, b stats.Daily) int { return a.Day.Compare(b.Day) })
	return ds
}
