package stats

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Languages the summary is written in.
const (
	LangVI = "vi"
	LangEN = "en"
	LangZH = "zh"
)

// Number writes x rounded to at most decimals places, trailing zeros
// dropped, with the language's separators: Vietnamese groups thousands with
// "." and marks decimals with "," (1.550; 41.710,5), English and Chinese
// the other way round (1,550; 41,710.5).
func Number(x float64, decimals int, lang string) string {
	group, point := ",", "."
	if lang == LangVI {
		group, point = ".", ","
	}
	s := strconv.FormatFloat(math.Abs(x), 'f', decimals, 64)
	whole, frac, _ := strings.Cut(s, ".")
	frac = strings.TrimRight(frac, "0")
	var b strings.Builder
	if x < 0 && strings.Trim(s, "0.") != "" {
		b.WriteByte('-')
	}
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString(point)
		b.WriteString(frac)
	}
	return b.String()
}

// Summary is the province's sentence for a period against the same period a
// year earlier: the average and peak trucks a day, the trade value in
// millions of US dollars, and its growth (left out when the year earlier
// has no value to compare with). Figures are written the language's way.
func Summary(c Comparison, lang string) string {
	avg := Number(c.Now.AvgTrucksPerDay, 0, lang)
	peak := Number(float64(c.Now.PeakTrucks), 0, lang)
	musd := Number(float64(c.Now.ValueUSDCents)/1e8, 1, lang)
	var growth string
	if c.ValueGrowth != nil {
		g := *c.ValueGrowth
		pct := Number(math.Abs(g), 1, lang)
		up := g >= 0
		switch lang {
		case LangEN:
			growth = fmt.Sprintf(", %s %s%% on the same period a year earlier", pick(up, "up", "down"), pct)
		case LangZH:
			growth = fmt.Sprintf("，同比%s%s%%", pick(up, "增长", "下降"), pct)
		default:
			growth = fmt.Sprintf(", %s %s%% so với cùng kỳ", pick(up, "tăng", "giảm"), pct)
		}
	}
	switch lang {
	case LangEN:
		return fmt.Sprintf("On average about %s trucks a day, at the peak %s trucks a day; trade value %s million USD%s.",
			avg, peak, musd, growth)
	case LangZH:
		return fmt.Sprintf("平均每天约%s辆次，高峰每天%s辆次；进出口额%s百万美元%s。", avg, peak, musd, growth)
	default:
		return fmt.Sprintf("Trung bình khoảng %s lượt xe/ngày, cao điểm %s lượt xe/ngày; kim ngạch %s triệu USD%s.",
			avg, peak, musd, growth)
	}
}

func pick(c bool, a, b string) string {
	if c {
		return a
	}
	return b
}
