package ratesweb

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/samla-org/samla/internal/rates"
	"github.com/samla-org/samla/internal/validate"
	"github.com/samla-org/samla/internal/web"
)

// page is everything the exchange-rate page shows: the list, the result of
// an import that failed, and the manual form as typed.
type page struct {
	Currencies []string
	Currency   string // the list's filter; empty for all
	Rows       []row
	Limited    bool
	Shown      int

	Import       *importOutcome
	ImportErrors map[string][]*validate.Problem

	Manual manualValues
	Errors map[string][]*validate.Problem
}

type row struct {
	ID                               int64
	Date, Currency, Rate             string
	Frequency, Source, SourceRef, By string
	At                               time.Time
	Manual                           bool
}

// importOutcome is a refused import: every message already translated.
type importOutcome struct {
	File      string
	Messages  []string
	Conflicts bool
	More      int
}

type manualValues struct{ Currency, Date, Rate, Note string }

func (h *Handlers) list(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, &page{})
}

// render fills in the list (filtered by ?currency=) and shows the page.
func (h *Handlers) render(w http.ResponseWriter, r *http.Request, status int, d *page) {
	d.Currencies = rates.ForeignCurrencies()
	if c := strings.ToUpper(r.URL.Query().Get("currency")); slices.Contains(d.Currencies, c) {
		d.Currency = c
	}
	if d.Manual.Currency == "" {
		d.Manual.Currency = d.Currency
	}
	// One more than shown tells whether there are more.
	rs, err := h.svc.List(r.Context(), rates.ListFilter{Currency: d.Currency, Limit: rates.DefaultLimit + 1})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if len(rs) > rates.DefaultLimit {
		rs, d.Limited = rs[:rates.DefaultLimit], true
	}
	d.Shown = len(rs)
	lang := web.Lang(r)
	for _, x := range rs {
		d.Rows = append(d.Rows, row{ID: x.ID, Date: string(x.Date), Currency: x.Currency, Rate: x.Rate.Text(lang),
			Frequency: x.Frequency, Source: x.Source, SourceRef: x.SourceRef, By: x.CreatedBy, At: x.CreatedAt,
			Manual: x.Source == rates.SourceManual})
	}
	h.app.Render(w, r, h.pages, "rates.html", status, h.app.NewPage(r, h.app.T(r, "rates.title", nil), d))
}

// byField groups problems by their field, for inline errors.
func byField(ps []*validate.Problem) map[string][]*validate.Problem {
	out := map[string][]*validate.Problem{}
	for _, p := range ps {
		out[p.Field] = append(out[p.Field], p)
	}
	return out
}
