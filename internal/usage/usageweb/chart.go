package usageweb

import (
	"bytes"
	"fmt"
	"html/template"
	"strconv"
	"strings"
)

// chart is a month-by-month chart placed by the server: every shape has
// its coordinates and colours as attributes, so it needs neither a style
// attribute nor script (the CSP forbids both) and reads the same when
// saved as a file of its own.
type chart struct {
	W, H    int
	Label   string // for screen readers, and the file's title
	Kind    string // line or bar
	Bars    []bar
	Line    string // polyline points
	Points  []point
	YTicks  []tick
	XLabels []tick
	Left    int // x of the y axis
	Base    int // y of the x axis
}

type bar struct {
	X, Y, W, H int
	Title      string
}

type point struct {
	X, Y  int
	Title string
}

type tick struct {
	X, Y int
	Text string
}

// Chart geometry, in SVG user units.
const (
	chartW      = 720
	chartH      = 260
	chartLeft   = 64
	chartRight  = 12
	chartTop    = 14
	chartBottom = 34
)

// newChart draws values (one per label, oldest first). title names a
// point ("2024-03: 1 234"); lang groups the digits.
func newChart(kind, label, lang string, labels []string, values []int64) *chart {
	c := &chart{W: chartW, H: chartH, Label: label, Kind: kind, Left: chartLeft, Base: chartH - chartBottom}
	var max int64
	for _, v := range values {
		max = maxInt(max, v)
	}
	top := niceCeil(max)
	plotW, plotH := chartW-chartLeft-chartRight, chartH-chartTop-chartBottom
	for i := 0; i <= 4; i++ {
		v := top * int64(i) / 4
		c.YTicks = append(c.YTicks, tick{X: chartLeft - 6, Y: c.Base - int(int64(plotH)*v/top), Text: groupDigits(lang, v)})
	}
	n := len(values)
	if n == 0 {
		return c
	}
	slot := plotW / n
	every := (n + 11) / 12 // at most twelve month labels
	var pts []string
	for i, v := range values {
		hgt := int(int64(plotH) * v / top)
		if v > 0 && hgt < 1 {
			hgt = 1
		}
		cx := chartLeft + i*slot + slot/2
		title := labels[i] + ": " + groupDigits(lang, v)
		if kind == "bar" {
			bw := max1(slot*7/10, 1)
			c.Bars = append(c.Bars, bar{X: cx - bw/2, Y: c.Base - hgt, W: bw, H: hgt, Title: title})
		} else {
			c.Points = append(c.Points, point{X: cx, Y: c.Base - hgt, Title: title})
			pts = append(pts, strconv.Itoa(cx)+","+strconv.Itoa(c.Base-hgt))
		}
		if i%every == 0 {
			c.XLabels = append(c.XLabels, tick{X: cx, Y: c.Base + 18, Text: labels[i]})
		}
	}
	c.Line = strings.Join(pts, " ")
	return c
}

// spark is a row's small bars, one per month, scaled to the row's own
// largest month.
type spark struct {
	W, H int
	Bars []bar
}

const (
	sparkBar = 6
	sparkGap = 2
	sparkH   = 20
)

func newSpark(labels []string, values []int64, lang string) *spark {
	s := &spark{W: max1(len(values)*(sparkBar+sparkGap)-sparkGap, 1), H: sparkH}
	var max int64
	for _, v := range values {
		max = maxInt(max, v)
	}
	for i, v := range values {
		hgt := 0
		if max > 0 {
			hgt = int(int64(sparkH) * v / max)
		}
		if v > 0 && hgt < 2 {
			hgt = 2 // one use must still show
		}
		s.Bars = append(s.Bars, bar{X: i * (sparkBar + sparkGap), Y: sparkH - hgt, W: sparkBar, H: hgt,
			Title: labels[i] + ": " + groupDigits(lang, v)})
	}
	return s
}

// niceCeil is the smallest 1, 2 or 5 × 10ⁿ at or above v (at least 1),
// so the axis reads in round numbers.
func niceCeil(v int64) int64 {
	if v <= 1 {
		return 1
	}
	for p := int64(1); ; p *= 10 {
		for _, m := range []int64{1, 2, 5} {
			if m*p >= v {
				return m * p
			}
		}
		if p > 1e17 {
			return v
		}
	}
}

// groupDigits writes an integer with thousands grouped: "12 345" in
// Bokmål and Swedish (a no-break space), "12,345" in English.
func groupDigits(lang string, v int64) string {
	sep := "\u00a0"
	if lang == "en" {
		sep = ","
	}
	sign := ""
	u := uint64(v)
	if v < 0 {
		sign, u = "-", uint64(-(v+1))+1
	}
	s := strconv.FormatUint(u, 10)
	var b strings.Builder
	b.WriteString(sign)
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

func maxInt(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

func max1(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// chartFile renders a chart as an SVG file of its own, from the same
// template the pages draw it with.
type chartFile struct{ t *template.Template }

func parseChartFile() (*chartFile, error) {
	t, err := template.New("file").ParseFS(templates, "templates/partial_chart.html")
	if err != nil {
		return nil, fmt.Errorf("parse chart: %w", err)
	}
	return &chartFile{t: t}, nil
}

func (f *chartFile) render(c *chart) ([]byte, error) {
	var buf bytes.Buffer
	if err := f.t.ExecuteTemplate(&buf, "uweb-chart", c); err != nil {
		return nil, fmt.Errorf("render chart: %w", err)
	}
	return buf.Bytes(), nil
}
