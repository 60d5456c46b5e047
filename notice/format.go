package notice

import (
	"strconv"
	"strings"
	"time"
)

// Time is t as lang writes a day and a time of day: 03/12 15:04, 3 Dec
// 15:04, 12月3日 15:04. t is shown in its own zone, which the notices set
// to the gate's.
func Time(lang Lang, t time.Time) string {
	switch lang {
	case EN:
		return t.Format("2 Jan 15:04")
	case ZH:
		return strconv.Itoa(int(t.Month())) + "月" + strconv.Itoa(t.Day()) + "日 " + t.Format("15:04")
	}
	return t.Format("02/01 15:04")
}

// splitDur rounds d to minutes for people: days and hours past a day, hours
// and minutes below. ok is false for a wait too long to mean anything.
func splitDur(d time.Duration) (days, hours, minutes int, ok bool) {
	if d >= 365*24*time.Hour {
		return 0, 0, 0, false
	}
	m := int((max(d, 0) + 30*time.Second) / time.Minute)
	if m >= 24*60 {
		h := (m + 30) / 60
		return h / 24, h % 24, 0, true
	}
	return 0, m / 60, m % 60, true
}

// Duration is d as lang writes it, to the minute below a day and to the
// hour above: 1 giờ 5 phút, 1 hour 5 minutes, 1小时5分钟.
func Duration(lang Lang, d time.Duration) string {
	days, h, m, ok := splitDur(d)
	switch lang {
	case EN:
		if !ok {
			return "more than a year"
		}
		unit := func(n int, one string) string {
			if n == 1 {
				return "1 " + one
			}
			return strconv.Itoa(n) + " " + one + "s"
		}
		var parts []string
		if days > 0 {
			parts = append(parts, unit(days, "day"))
		}
		if h > 0 {
			parts = append(parts, unit(h, "hour"))
		}
		if m > 0 || len(parts) == 0 {
			parts = append(parts, unit(m, "minute"))
		}
		return strings.Join(parts, " ")
	case ZH:
		if !ok {
			return "一年以上"
		}
		var b strings.Builder
		if days > 0 {
			b.WriteString(strconv.Itoa(days) + "天")
		}
		if h > 0 {
			b.WriteString(strconv.Itoa(h) + "小时")
		}
		if m > 0 || b.Len() == 0 {
			b.WriteString(strconv.Itoa(m) + "分钟")
		}
		return b.String()
	}
	if !ok {
		return "hơn một năm"
	}
	var parts []string
	if days > 0 {
		parts = append(parts, strconv.Itoa(days)+" ngày")
	}
	if h > 0 {
		parts = append(parts, strconv.Itoa(h)+" giờ")
	}
	if m > 0 || len(parts) == 0 {
		parts = append(parts, strconv.Itoa(m)+" phút")
	}
	return strings.Join(parts, " ")
}

// Number is n as lang writes it: thousands grouped by "." in Vietnamese and
// "," in English, not grouped in Chinese.
func Number(lang Lang, n int) string {
	switch lang {
	case EN:
		return group(n, ",")
	case ZH:
		return strconv.Itoa(n)
	}
	return group(n, ".")
}

func group(n int, sep string) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
