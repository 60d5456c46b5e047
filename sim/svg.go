package sim

import (
	"fmt"
	"html"
	"io"
	"math"
	"slices"
	"strings"
)

// Charts are plain SVG written by hand: a line chart needs no plotting
// library, and the files diff well in git.

var palette = []string{"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"}

type series struct {
	name string
	x, y []float64
}

type chart struct {
	title, xlabel, ylabel string
	logX                  bool
	series                []series
}

const (
	chartW, chartH             = 760.0, 380.0
	padL, padR, padT, padB     = 70.0, 20.0, 40.0, 50.0
	plotW, plotH               = chartW - padL - padR, chartH - padT - padB
	maxPointsPerSeries         = 1500
	fontAttrs                  = `font-family="sans-serif" font-size="12"`
	gridColor, axisColor, text = "#ddd", "#444", "#222"
)

// write renders the chart.
func (c *chart) write(w io.Writer) error {
	xmin, xmax, ymax := math.Inf(1), math.Inf(-1), 0.0
	for _, s := range c.series {
		for i := range s.x {
			x := c.tx(s.x[i])
			if math.IsNaN(x) || math.IsInf(x, 0) {
				continue
			}
			xmin, xmax = math.Min(xmin, x), math.Max(xmax, x)
			ymax = math.Max(ymax, s.y[i])
		}
	}
	if math.IsInf(xmin, 1) {
		xmin, xmax = 0, 1
	}
	if xmax == xmin {
		xmax = xmin + 1
	}
	ystep := niceStep(ymax / 5)
	if ymax == 0 {
		ymax, ystep = 1, 0.2
	}
	ytop := math.Ceil(ymax/ystep) * ystep
	px := func(x float64) float64 { return padL + (c.tx(x)-xmin)/(xmax-xmin)*plotW }
	py := func(y float64) float64 { return padT + plotH - y/ytop*plotH }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" viewBox="0 0 %g %g" %s>`+"\n", chartW, chartH, chartW, chartH, fontAttrs)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%g" y="22" font-size="15" fill="%s">%s</text>`+"\n", padL, text, html.EscapeString(c.title))
	for y := 0.0; y <= ytop+1e-9; y += ystep {
		fmt.Fprintf(&b, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="%s"/>`, padL, py(y), padL+plotW, py(y), gridColor)
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" text-anchor="end" fill="%s">%s</text>`+"\n", padL-6, py(y)+4, text, fmtTick(y))
	}
	for _, x := range c.xticks(xmin, xmax) {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%g" x2="%.1f" y2="%g" stroke="%s"/>`, px(x), padT, px(x), padT+plotH, gridColor)
		fmt.Fprintf(&b, `<text x="%.1f" y="%g" text-anchor="middle" fill="%s">%s</text>`+"\n", px(x), padT+plotH+16, text, fmtTick(x))
	}
	fmt.Fprintf(&b, `<rect x="%g" y="%g" width="%g" height="%g" fill="none" stroke="%s"/>`+"\n", padL, padT, plotW, plotH, axisColor)
	fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="middle" fill="%s">%s</text>`+"\n", padL+plotW/2, chartH-10, text, html.EscapeString(c.xlabel))
	fmt.Fprintf(&b, `<text transform="translate(16 %g) rotate(-90)" text-anchor="middle" fill="%s">%s</text>`+"\n", padT+plotH/2, text, html.EscapeString(c.ylabel))
	for i, s := range c.series {
		color := palette[i%len(palette)]
		var pts strings.Builder
		for j := range s.x {
			x := c.tx(s.x[j])
			if math.IsNaN(x) || math.IsInf(x, 0) {
				continue
			}
			fmt.Fprintf(&pts, "%.1f,%.1f ", px(s.x[j]), py(s.y[j]))
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.6" points="%s"/>`+"\n", color, strings.TrimSpace(pts.String()))
		ly := padT + 14 + float64(i)*16
		fmt.Fprintf(&b, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="%s" stroke-width="3"/>`, padL+plotW-150, ly-4, padL+plotW-130, ly-4, color)
		fmt.Fprintf(&b, `<text x="%g" y="%g" fill="%s">%s</text>`+"\n", padL+plotW-124, ly, text, html.EscapeString(s.name))
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func (c *chart) tx(x float64) float64 {
	if c.logX {
		if x <= 0 {
			return math.NaN()
		}
		return math.Log10(x)
	}
	return x
}

// xticks returns tick positions in data units.
func (c *chart) xticks(lo, hi float64) []float64 {
	var out []float64
	if c.logX {
		for e := math.Floor(lo); e <= math.Ceil(hi); e++ {
			if e >= lo-1e-9 && e <= hi+1e-9 {
				out = append(out, math.Pow(10, e))
			}
		}
		return out
	}
	step := niceStep((hi - lo) / 8)
	for x := math.Ceil(lo/step) * step; x <= hi+1e-9; x += step {
		out = append(out, x)
	}
	return out
}

func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if raw <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func fmtTick(v float64) string {
	switch {
	case v == math.Trunc(v) && math.Abs(v) < 1e7:
		return fmt.Sprintf("%.0f", v)
	case math.Abs(v) >= 0.1:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2g", v)
	}
}

// thin keeps at most n points of a series, taking the largest value of each
// bucket so that peaks survive.
func thin(x, y []float64, n int) ([]float64, []float64) {
	if len(x) <= n {
		return x, y
	}
	size := (len(x) + n - 1) / n
	var ox, oy []float64
	for i := 0; i < len(x); i += size {
		end := min(i+size, len(x))
		best := i
		for j := i; j < end; j++ {
			if y[j] > y[best] {
				best = j
			}
		}
		ox, oy = append(ox, x[best]), append(oy, y[best])
	}
	return ox, oy
}

// WriteQueueChart draws each policy's trucks at the border (waiting, yard
// and road) over time, from replication 1.
func WriteQueueChart(w io.Writer, r *Result) error {
	c := chart{title: r.Scenario + ": trucks waiting (yard + road), replication 1", xlabel: "day", ylabel: "trucks waiting"}
	for _, p := range r.Policies {
		x, y := make([]float64, len(p.Series)), make([]float64, len(p.Series))
		for i, s := range p.Series {
			x[i], y[i] = s.T/24, float64(s.Waiting)
		}
		x, y = thin(x, y, maxPointsPerSeries)
		c.series = append(c.series, series{name: p.Name, x: x, y: y})
	}
	return c.write(w)
}

// WriteHeldChart draws trucks held at origin over time (booking and
// advisory), from replication 1.
func WriteHeldChart(w io.Writer, r *Result) error {
	c := chart{title: r.Scenario + ": trucks held at origin, replication 1", xlabel: "day", ylabel: "trucks held at origin"}
	for _, p := range r.Policies {
		x, y := make([]float64, len(p.Series)), make([]float64, len(p.Series))
		for i, s := range p.Series {
			x[i], y[i] = s.T/24, float64(s.Held)
		}
		x, y = thin(x, y, maxPointsPerSeries)
		c.series = append(c.series, series{name: p.Name, x: x, y: y})
	}
	return c.write(w)
}

// WriteWaitChart draws each policy's distribution of waits in queue as the
// share of trucks waiting longer than t (log time axis), replication 1.
func WriteWaitChart(w io.Writer, r *Result) error {
	c := chart{title: r.Scenario + ": share of trucks waiting longer than t", xlabel: "wait in queue t, hours (log scale)", ylabel: "share of trucks", logX: true}
	for _, p := range r.Policies {
		ws := slices.Clone(p.Waits)
		slices.Sort(ws)
		var x, y []float64
		n := float64(len(ws))
		for _, t := range []float64{0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8, 12, 16, 24, 36, 48, 72, 96, 144, 192, 288, 384, 576, 768, 1000} {
			i, _ := slices.BinarySearch(ws, float32(t))
			for i < len(ws) && ws[i] <= float32(t) {
				i++
			}
			x = append(x, t)
			if n > 0 {
				y = append(y, 1-float64(i)/n)
			} else {
				y = append(y, 0)
			}
		}
		c.series = append(c.series, series{name: p.Name, x: x, y: y})
	}
	return c.write(w)
}
