package usageweb

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/refdata"
	"github.com/samla-org/samla/internal/tabular"
	"github.com/samla-org/samla/internal/usage"
	"github.com/samla-org/samla/internal/web"
)

// reports are the master reports the overview offers.
var reports = []string{"PR", "DR", "TR"}

// filter is the overview's form, as the query string gives it.
type filter struct {
	Query usage.Query
	By    string
	Chart string // line or bar
}

func (h *handlers) filterFrom(r *http.Request) filter {
	last := h.lastMonth()
	to := monthParam(r, "to", last)
	from := monthParam(r, "from", to.AddDate(0, -11, 0))
	q := usage.Query{From: from.Format("2006-01"), To: to.Format("2006-01"), Report: strings.ToUpper(r.FormValue("report")),
		Metric: r.FormValue("metric"), LibraryID: int64Param(r, "library"), County: r.FormValue("county"),
		ProductID: int64Param(r, "product"), PlatformID: int64Param(r, "platform")}
	found := false
	for _, rep := range reports {
		found = found || rep == q.Report
	}
	if !found {
		q.Report = "PR"
	}
	if q.Metric == "" {
		q.Metric = "Total_Item_Requests"
	}
	f := filter{Query: q, By: r.FormValue("by"), Chart: r.FormValue("chart")}
	ok := false
	for _, g := range usage.Groupings {
		ok = ok || g == f.By
	}
	if !ok {
		f.By = "month"
	}
	if f.Chart != "bar" {
		f.Chart = "line"
	}
	return f
}

// encode is the filter as a query string, for the export links.
func (f filter) encode() string {
	v := url.Values{"from": {f.Query.From}, "to": {f.Query.To}, "report": {f.Query.Report}, "metric": {f.Query.Metric}, "by": {f.By}}
	if f.Query.LibraryID > 0 {
		v.Set("library", strconv.FormatInt(f.Query.LibraryID, 10))
	}
	if f.Query.County != "" {
		v.Set("county", f.Query.County)
	}
	if f.Query.ProductID > 0 {
		v.Set("product", strconv.FormatInt(f.Query.ProductID, 10))
	}
	if f.Query.PlatformID > 0 {
		v.Set("platform", strconv.FormatInt(f.Query.PlatformID, 10))
	}
	return v.Encode()
}

type overviewView struct {
	Filter    filter
	Reports   []string
	Groupings []string
	Metrics   []string
	Libraries []members.Library
	Counties  []refdata.County
	Products  []products.ProductItem
	Export    string
	Table     *usage.Table
	Chart     *chart
	Rows      []tableRow
	Total     tableRow
	Errors    []string
}

// tableRow is a usage row as the table shows it.
type tableRow struct {
	Name    string
	Cells   []cell
	Total   string
	NoUsage int
	Spark   *spark
}

type cell struct {
	Text    string
	NoUsage bool
}

func (h *handlers) overview(w http.ResponseWriter, r *http.Request) {
	f := h.filterFrom(r)
	v := &overviewView{Filter: f, Reports: reports, Groupings: usage.Groupings, Export: f.encode(),
		Counties: append(refdata.Counties("NO"), refdata.Counties("SE")...)}
	by := web.ActorOf(r)
	ctx := r.Context()
	var err error
	if v.Metrics, err = h.svc.Metrics(ctx); err != nil {
		h.fail(w, r, err)
		return
	}
	if len(v.Metrics) == 0 {
		v.Metrics = []string{"Total_Item_Requests"}
	}
	if v.Libraries, err = h.d.Members.Options(ctx, by); err != nil {
		h.fail(w, r, err)
		return
	}
	if v.Products, err = h.d.Products.Products(ctx, by, products.ProductFilter{}); err != nil {
		h.fail(w, r, err)
		return
	}
	title := h.app.T(r, "uweb.overview.title", nil)
	t, err := h.svc.Usage(ctx, by, f.Query, f.By)
	if msgs, ok := h.problems(r, err); ok {
		v.Errors = msgs
		h.render(w, r, "overview.html", http.StatusUnprocessableEntity, title, v)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	lang := web.Lang(r)
	v.Table = t
	values := make([]int64, len(t.Months))
	for i, m := range t.Months {
		values[i] = t.Total.PerMonth[m]
	}
	v.Chart = newChart(f.Chart, h.app.T(r, "uweb.overview.chart_label", map[string]any{"Metric": f.Query.Metric, "Report": f.Query.Report,
		"From": f.Query.From, "To": f.Query.To}), lang, t.Months, values)
	noUsage := h.app.T(r, "uweb.no_usage", nil)
	for _, row := range t.Rows {
		v.Rows = append(v.Rows, h.tableRow(r, t, row, noUsage))
	}
	v.Total = h.tableRow(r, t, t.Total, noUsage)
	v.Total.Name = h.app.T(r, "uweb.total", nil)
	h.render(w, r, "overview.html", http.StatusOK, title, v)
}

// tableRow shows a row's months. A month with a batch but nothing counted,
// in a row where the vendor reported months without usage, is such a
// month: it reads "no usage reported", not 0. A month with no batch at
// all reads "–": nothing was reported.
func (h *handlers) tableRow(r *http.Request, t *usage.Table, row usage.Row, noUsage string) tableRow {
	lang := web.Lang(r)
	tr := tableRow{Name: h.rowName(r, t.By, row), Total: groupDigits(lang, row.Total), NoUsage: row.NoUsage}
	values := make([]int64, len(t.Months))
	for i, m := range t.Months {
		n, ok := row.PerMonth[m]
		values[i] = n
		switch {
		case !ok:
			tr.Cells = append(tr.Cells, cell{Text: "–"})
		case row.NoUsageMonths[m]:
			tr.Cells = append(tr.Cells, cell{Text: noUsage, NoUsage: true})
		default:
			tr.Cells = append(tr.Cells, cell{Text: groupDigits(lang, n)})
		}
	}
	tr.Spark = newSpark(t.Months, values, lang)
	return tr
}

func (h *handlers) rowName(r *http.Request, by string, row usage.Row) string {
	if row.Name != "" {
		return row.Name
	}
	if by == "product" {
		return h.app.T(r, "uweb.no_product", nil)
	}
	return row.Key
}

// exportRows is the table as text cells: the grouping, each month and
// the total; numbers plain, "no usage reported" as such.
func (h *handlers) exportRows(r *http.Request, t *usage.Table) ([]string, [][]string) {
	header := append([]string{h.app.T(r, "uweb.by."+t.By, nil)}, t.Months...)
	header = append(header, h.app.T(r, "uweb.total", nil))
	noUsage := h.app.T(r, "uweb.no_usage", nil)
	line := func(name string, row usage.Row) []string {
		out := []string{name}
		for _, m := range t.Months {
			n, ok := row.PerMonth[m]
			switch {
			case !ok:
				out = append(out, "")
			case row.NoUsageMonths[m]:
				out = append(out, noUsage)
			default:
				out = append(out, strconv.FormatInt(n, 10))
			}
		}
		return append(out, strconv.FormatInt(row.Total, 10))
	}
	var rows [][]string
	for _, row := range t.Rows {
		rows = append(rows, line(h.rowName(r, t.By, row), row))
	}
	rows = append(rows, line(h.app.T(r, "uweb.total", nil), t.Total))
	return header, rows
}

func (h *handlers) exportTable(w http.ResponseWriter, r *http.Request) (*usage.Table, filter, bool) {
	f := h.filterFrom(r)
	t, err := h.svc.Usage(r.Context(), web.ActorOf(r), f.Query, f.By)
	if msgs, ok := h.problems(r, err); ok {
		http.Error(w, strings.Join(msgs, "\n"), http.StatusUnprocessableEntity)
		return nil, f, false
	}
	if err != nil {
		h.fail(w, r, err)
		return nil, f, false
	}
	return t, f, true
}

func exportName(f filter, ext string) string {
	return fmt.Sprintf("usage-%s-%s-%s-%s.%s", strings.ToLower(f.Query.Report), f.By, f.Query.From, f.Query.To, ext)
}

func (h *handlers) exportCSV(w http.ResponseWriter, r *http.Request) {
	t, f, ok := h.exportTable(w, r)
	if !ok {
		return
	}
	header, rows := h.exportRows(r, t)
	var buf bytes.Buffer
	if err := tabular.WriteCSV(&buf, header, rows); err != nil {
		h.app.ServerError(w, r, err)
		return
	}
	download(w, csvType, exportName(f, "csv"), buf.Bytes())
}

func (h *handlers) exportXLSX(w http.ResponseWriter, r *http.Request) {
	t, f, ok := h.exportTable(w, r)
	if !ok {
		return
	}
	header, rows := h.exportRows(r, t)
	var buf bytes.Buffer
	if err := tabular.WriteXLSX(&buf, f.Query.Report+" "+f.Query.Metric, header, rows); err != nil {
		h.app.ServerError(w, r, err)
		return
	}
	download(w, xlsxType, exportName(f, "xlsx"), buf.Bytes())
}
