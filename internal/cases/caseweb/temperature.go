package caseweb

import (
	"net/http"
	"strconv"

	"github.com/samla-org/samla/internal/cases"
	"github.com/samla-org/samla/internal/web"
)

// periods is how many weeks or months the temperature looks back.
const periods = 12

// Chart geometry, in SVG user units: one bar per period.
const (
	barWidth  = 8
	barGap    = 2
	barHeight = 28
)

type tempView struct {
	Period string
	Labels []string    // one per period, oldest first
	Tables []tempTable // products, then vendors
	Width  int
	Height int
}

type tempTable struct {
	Kind string // product or vendor
	Rows []tempRow
}

type tempRow struct {
	cases.TempRow
	Link        string
	Total       int
	OldestOpen  string
	FirstAnswer string
	Solve       string
	Bars        []bar
}

// bar is one period of a row's chart, placed in the SVG by the server so
// the chart needs neither style attributes nor script.
type bar struct {
	X, Y, W, H int
	Title      string
}

func (h *handlers) temperature(w http.ResponseWriter, r *http.Request) {
	period := r.URL.Query().Get("period")
	if period != "month" {
		period = "week"
	}
	t, err := h.svc.Temperature(r.Context(), web.ActorOf(r), period, periods)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := tempView{Period: t.Period, Width: periods*(barWidth+barGap) - barGap, Height: barHeight}
	for _, s := range t.Starts {
		if t.Period == "month" {
			v.Labels = append(v.Labels, s.Format("2006-01"))
		} else {
			_, wk := s.ISOWeek()
			v.Labels = append(v.Labels, h.app.T(r, "cweb.temp.week", map[string]any{"Week": wk, "Date": s.Format("2006-01-02")}))
		}
	}
	v.Tables = []tempTable{{Kind: "product"}, {Kind: "vendor"}}
	for _, row := range t.Rows {
		i := 0
		if row.Kind == "vendor" {
			i = 1
		}
		v.Tables[i].Rows = append(v.Tables[i].Rows, h.tempRow(r, row, v.Labels))
	}
	h.render(w, r, "temperature.html", http.StatusOK, h.app.T(r, "cweb.temp.title", nil), v)
}

func (h *handlers) tempRow(r *http.Request, row cases.TempRow, labels []string) tempRow {
	tr := tempRow{TempRow: row, Link: "/cases?" + row.Kind + "=" + strconv.FormatInt(row.ID, 10) + "&state=all"}
	max := 0
	for _, n := range row.New {
		tr.Total += n
		if n > max {
			max = n
		}
	}
	for i, n := range row.New {
		hgt := 0
		if max > 0 {
			hgt = n * barHeight / max
		}
		if n > 0 && hgt < 2 {
			hgt = 2 // a single case must still show
		}
		label := ""
		if i < len(labels) {
			label = labels[i]
		}
		tr.Bars = append(tr.Bars, bar{X: i * (barWidth + barGap), Y: barHeight - hgt, W: barWidth, H: hgt,
			Title: h.app.T(r, "cweb.temp.bar", map[string]any{"Period": label, "Count": n})})
	}
	if row.Open > 0 {
		tr.OldestOpen = h.duration(r, row.OldestOpen)
	}
	if row.FirstAnswerCount > 0 {
		tr.FirstAnswer = h.duration(r, row.FirstAnswer)
	}
	if row.SolveCount > 0 {
		tr.Solve = h.duration(r, row.Solve)
	}
	return tr
}
