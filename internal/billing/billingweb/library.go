package billingweb

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/tabular"
	"github.com/samla-org/samla/internal/web"
)

type libraryData struct {
	LibraryID int64
	Library   string
	Year      int
	LastYear  int
	Rows      []libraryRow
	Total     libraryRow
}

// libraryRow is what a library paid for one thing, last year and this.
type libraryRow struct {
	What               string
	Last, This, Change string
	last, this         int64
}

// libraryRows sets the charges of two years side by side, in the order
// they come (this year's things first, then what only last year had).
func (h *handlers) libraryRows(r *http.Request, charges []billing.LibraryCharge, year int) ([]libraryRow, libraryRow) {
	type key struct{ kind, product string }
	idx := map[key]int{}
	var rows []libraryRow
	for _, pass := range []int{year, year - 1} {
		for _, c := range charges {
			if c.Year != pass {
				continue
			}
			k := key{c.Kind, c.Product}
			i, ok := idx[k]
			if !ok {
				i = len(rows)
				idx[k] = i
				rows = append(rows, libraryRow{What: h.chargeLabel(r, c)})
			}
			if c.Year == year {
				rows[i].this += c.AmountMinor
			} else {
				rows[i].last += c.AmountMinor
			}
		}
	}
	var total libraryRow
	for _, row := range rows {
		total.last += row.last
		total.this += row.this
	}
	return rows, total
}

// chargeLabel names what a charge is for.
func (h *handlers) chargeLabel(r *http.Request, c billing.LibraryCharge) string {
	kind := h.app.T(r, "bweb.line_kind."+c.Kind, nil)
	switch {
	case c.Product == "":
		return kind
	case c.Kind == billing.LineSubscription:
		return c.Product
	}
	return kind + " – " + c.Product
}

// library shows what a library pays, this year and last, or sends it as
// a spreadsheet for /billing/libraries/{id}.xlsx.
func (h *handlers) library(w http.ResponseWriter, r *http.Request) {
	ctx, by, lang := r.Context(), web.ActorOf(r), web.Lang(r)
	id, xlsx := pathIDExt(r, "id", ".xlsx")
	if id == 0 {
		h.app.Error(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	year := h.year(r)
	charges, err := h.svc.LibraryReport(ctx, by, id, year)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	st, err := h.svc.GetSettings(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	name := "#" + strconv.FormatInt(id, 10)
	if l, err := (&members.Service{DB: h.svc.DB}).Get(ctx, by, id); err == nil {
		name = l.Name
	}
	rows, total := h.libraryRows(r, charges, year)
	if xlsx {
		header := []string{h.app.T(r, "bweb.library.what", nil), strconv.Itoa(year - 1), strconv.Itoa(year), h.app.T(r, "bweb.library.change", nil)}
		var cells [][]string
		for _, row := range append(rows, total) {
			cells = append(cells, []string{row.What, money.Plain(row.last), money.Plain(row.this), money.Plain(row.this - row.last)})
		}
		cells[len(cells)-1][0] = h.app.T(r, "bweb.total", nil)
		var buf bytes.Buffer
		if err := tabular.WriteXLSX(&buf, name, header, cells); err != nil {
			h.fail(w, r, err)
			return
		}
		download(w, xlsxType, fmt.Sprintf("library-%d-%d.xlsx", id, year), buf.Bytes())
		return
	}
	m := func(v int64) string { return money.Format(lang, v, st.HomeCurrency) }
	show := func(row *libraryRow) {
		row.Last, row.This, row.Change = m(row.last), m(row.this), m(row.this-row.last)
	}
	for i := range rows {
		show(&rows[i])
	}
	show(&total)
	d := &libraryData{LibraryID: id, Library: name, Year: year, LastYear: year - 1, Rows: rows, Total: total}
	h.render(w, r, "library.html", http.StatusOK, h.app.T(r, "bweb.library.title", map[string]any{"Library": name, "Year": year}), d)
}
