package usageweb

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"github.com/samla-org/samla/internal/tabular"
	"github.com/samla-org/samla/internal/usage"
	"github.com/samla-org/samla/internal/web"
)

type bibstatView struct {
	Year int
	Rows []bibstatRow
}

type bibstatRow struct {
	usage.BibStatRow
	Searches, Requests, Investigations string
}

// bibstatColumns are the export's headings, as BibStat names its
// e-resource fields; investigations come last, for information only.
var bibstatColumns = []string{"uweb.bibstat.col.isil", "uweb.bibstat.col.library", "uweb.bibstat.col.searches",
	"uweb.bibstat.col.downloads", "uweb.bibstat.col.sessions", "uweb.bibstat.col.investigations"}

func (h *handlers) bibstat(w http.ResponseWriter, r *http.Request) {
	year := yearParam(r, h.lastMonth().Year())
	rows, err := h.svc.BibStat(r.Context(), web.ActorOf(r), year)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	lang := web.Lang(r)
	v := &bibstatView{Year: year}
	for _, b := range rows {
		v.Rows = append(v.Rows, bibstatRow{BibStatRow: b, Searches: groupDigits(lang, b.Searches), Requests: groupDigits(lang, b.Requests),
			Investigations: groupDigits(lang, b.Investigations)})
	}
	h.render(w, r, "bibstat.html", http.StatusOK, h.app.T(r, "uweb.bibstat.title", nil), v)
}

// bibstatXLSX is the year's file for BibStat, with its Bokmål headings
// whatever the page's language: BibStat is Norwegian. Sessions stay
// empty; COUNTER R5 does not count them.
func (h *handlers) bibstatXLSX(w http.ResponseWriter, r *http.Request) {
	year := yearParam(r, h.lastMonth().Year())
	rows, err := h.svc.BibStat(r.Context(), web.ActorOf(r), year)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	header := make([]string, len(bibstatColumns))
	for i, k := range bibstatColumns {
		header[i] = h.app.Catalog.T("nb", k, nil)
	}
	out := make([][]string, 0, len(rows))
	for _, b := range rows {
		out = append(out, []string{b.ISIL, b.Name, strconv.FormatInt(b.Searches, 10), strconv.FormatInt(b.Requests, 10), "",
			strconv.FormatInt(b.Investigations, 10)})
	}
	var buf bytes.Buffer
	if err := tabular.WriteXLSX(&buf, fmt.Sprintf("BibStat %d", year), header, out); err != nil {
		h.app.ServerError(w, r, err)
		return
	}
	download(w, xlsxType, fmt.Sprintf("bibstat-%d.xlsx", year), buf.Bytes())
}
