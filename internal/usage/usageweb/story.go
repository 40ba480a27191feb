package usageweb

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/samla-org/samla/internal/i18n"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/usage"
	"github.com/samla-org/samla/internal/web"
)

type storyView struct {
	Month     string
	Lang      string // the story's language, not the page's
	Languages []string
	Story     *usage.Story
	Headlines []headline
	Movers    []moverRow
	Titles    []titleRow
	Chart     *chart
	ChartURL  string
	Paras     []string
	Text      string
}

// headline is one of the story's numbers with how it moved.
type headline struct {
	Label, Value, VsPrev, VsLastYear string
	// The comparisons' labels, in the story's language.
	PrevLabel, LastYearLabel string
}

type moverRow struct {
	Name, Count, Previous, Change string
}

type titleRow struct {
	Name, Publisher, Platform, Count string
}

// storyLang is the language the story is written in: the consortium
// publishes in Bokmål, Swedish or English whatever the page's language.
func storyLang(r *http.Request) string {
	l := r.FormValue("lang")
	for _, x := range i18n.Languages {
		if l == x {
			return l
		}
	}
	return web.Lang(r)
}

func (h *handlers) story(w http.ResponseWriter, r *http.Request) {
	month := monthParam(r, "month", h.lastMonth())
	lang := storyLang(r)
	st, err := h.svc.MonthStory(r.Context(), web.ActorOf(r), month.Format("2006-01"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	t := func(id string, kv map[string]any) string { return h.app.Catalog.T(lang, id, kv) }
	v := &storyView{Month: st.Month, Lang: lang, Languages: i18n.Languages, Story: st,
		ChartURL: "/usage/story/chart.svg?" + url.Values{"month": {st.Month}, "lang": {lang}}.Encode()}
	v.Headlines = []headline{
		{Label: t("uweb.story.requests", nil), Value: groupDigits(lang, st.Requests),
			VsPrev: change(lang, st.Requests, st.RequestsPrev), VsLastYear: change(lang, st.Requests, st.RequestsLastYear)},
		{Label: t("uweb.story.searches", nil), Value: groupDigits(lang, st.Searches),
			VsPrev: change(lang, st.Searches, st.SearchesPrev), VsLastYear: change(lang, st.Searches, st.SearchesLastYear)},
		{Label: t("uweb.story.libraries", nil), Value: groupDigits(lang, int64(st.Libraries))},
	}
	for i := range v.Headlines {
		v.Headlines[i].PrevLabel, v.Headlines[i].LastYearLabel = t("uweb.story.vs_prev", nil), t("uweb.story.vs_last_year", nil)
	}
	for _, m := range st.Movers {
		v.Movers = append(v.Movers, moverRow{Name: m.Name, Count: groupDigits(lang, m.Count), Previous: groupDigits(lang, m.Previous),
			Change: signed(lang, m.Change())})
	}
	for _, ti := range st.Titles {
		v.Titles = append(v.Titles, titleRow{Name: ti.Name, Publisher: ti.Publisher, Platform: ti.Platform, Count: groupDigits(lang, ti.Count)})
	}
	v.Chart = h.trendChart(lang, st)
	v.Paras = h.storyText(lang, st, v)
	v.Text = strings.Join(v.Paras, "\n\n")
	h.render(w, r, "story.html", http.StatusOK, h.app.T(r, "uweb.story.title", nil), v)
}

// storyText writes the story in lang, paragraph by paragraph. A change
// is told only when there is something to compare with.
func (h *handlers) storyText(lang string, st *usage.Story, v *storyView) []string {
	t := func(id string, kv map[string]any) string { return h.app.Catalog.T(lang, id, kv) }
	name := func(m string) string { return h.monthName(lang, m) }
	changes := func(hl headline, prev, lastYear string) string {
		var parts []string
		if hl.VsPrev != "–" {
			parts = append(parts, t("uweb.story.text.vs", map[string]any{"Change": hl.VsPrev, "Then": prev}))
		}
		if hl.VsLastYear != "–" {
			parts = append(parts, t("uweb.story.text.vs", map[string]any{"Change": hl.VsLastYear, "Then": lastYear}))
		}
		if len(parts) == 0 {
			return ""
		}
		return " " + t("uweb.story.text.changes", map[string]any{"Changes": strings.Join(parts, " "+t("uweb.story.text.and", nil)+" ")})
	}
	paras := []string{
		t("uweb.story.text.requests", map[string]any{"Month": name(st.Month), "N": v.Headlines[0].Value}) +
			changes(v.Headlines[0], name(st.PrevMonth), name(st.LastYear)),
		t("uweb.story.text.searches", map[string]any{"N": v.Headlines[1].Value}) +
			changes(v.Headlines[1], name(st.PrevMonth), name(st.LastYear)),
		t("uweb.story.text.libraries", map[string]any{"Count": v.Headlines[2].Value}),
	}
	if len(v.Movers) > 0 {
		var parts []string
		for _, m := range v.Movers {
			parts = append(parts, m.Name+" ("+m.Change+")")
		}
		paras = append(paras, t("uweb.story.text.movers", map[string]any{"List": strings.Join(parts, ", ")}))
	}
	if len(v.Titles) > 0 {
		var parts []string
		for i, ti := range v.Titles {
			if i == 5 {
				break
			}
			parts = append(parts, ti.Name+" ("+ti.Count+")")
		}
		paras = append(paras, t("uweb.story.text.titles", map[string]any{"List": strings.Join(parts, "; ")}))
	}
	return paras
}

func (h *handlers) monthName(lang, month string) string {
	m, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	return h.app.Catalog.T(lang, "uweb.month."+strconv.Itoa(int(m.Month())), nil) + " " + strconv.Itoa(m.Year())
}

func (h *handlers) trendChart(lang string, st *usage.Story) *chart {
	tr := st.Trend
	values := make([]int64, len(tr.Months))
	for i, m := range tr.Months {
		values[i] = tr.Total.PerMonth[m]
	}
	label := h.app.Catalog.T(lang, "uweb.story.chart_label", map[string]any{"From": h.monthName(lang, tr.Months[0]),
		"To": h.monthName(lang, st.Month)})
	return newChart("line", label, lang, tr.Months, values)
}

// storyChart is the trend chart as an SVG file for the blog.
func (h *handlers) storyChart(w http.ResponseWriter, r *http.Request) {
	month := monthParam(r, "month", h.lastMonth())
	lang := storyLang(r)
	st, err := h.svc.MonthStory(r.Context(), web.ActorOf(r), month.Format("2006-01"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data, err := h.chart.render(h.trendChart(lang, st))
	if err != nil {
		h.app.ServerError(w, r, err)
		return
	}
	download(w, svgType, "usage-"+st.Month+".svg", data)
}

// change is cur against before in percent with one decimal, computed in
// integers ("+12,5 %"); "–" when there is nothing to compare with.
func change(lang string, cur, before int64) string {
	if before <= 0 {
		return "–"
	}
	tenths, err := money.MulDiv(cur-before, 1000, before)
	if err != nil {
		return "–"
	}
	s := money.PercentText(tenths*10, lang)
	if tenths > 0 {
		s = "+" + s
	} else if tenths < 0 {
		s = "−" + strings.TrimPrefix(s, "-")
	}
	return s + "\u00a0%"
}

func signed(lang string, v int64) string {
	switch {
	case v > 0:
		return "+" + groupDigits(lang, v)
	case v < 0:
		return "−" + groupDigits(lang, -v)
	}
	return "0"
}
