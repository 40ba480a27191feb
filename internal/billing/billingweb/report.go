package billingweb

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/tabular"
	"github.com/samla-org/samla/internal/web"
)

type reportData struct {
	Year   int
	Prev   int
	Next   int
	Rows   []reportRow
	Totals reportRow
}

// reportRow is one agreement's economy as shown: every amount formatted.
type reportRow struct {
	AgreementID                                              int64
	Link                                                     string
	Agreement                                                string
	Cost, Collected, Markup, Currency, Deficit, Covered, Net string
	CoveredBy                                                string
	Estimated, Loss, Short, Negative                         bool
}

// economyColumns are the amounts of an economy, in the report's order.
func economyColumns(e *billing.Economy) []int64 {
	return []int64{e.RealCostMinor, e.CollectedMinor, e.MarkupMinor, e.CurrencyResultMinor, e.DeficitMinor, e.DeficitCoveredMinor, e.NetMinor}
}

// economies are the year's agreements and, when there are any, the
// consortium's own running costs as one more row: its cost is the year's
// cost items, a deficit the funders cover, and what they were invoiced.
func (h *handlers) economies(r *http.Request, year int) ([]*billing.Economy, error) {
	by := web.ActorOf(r)
	ecos, err := h.svc.Economies(r.Context(), by, year)
	if err != nil {
		return nil, err
	}
	c, err := h.svc.Costs(r.Context(), by, year)
	if err != nil {
		return nil, err
	}
	if c.Total == 0 && c.Invoiced == 0 {
		return ecos, nil
	}
	e := &billing.Economy{Agreement: h.app.T(r, "bweb.costs.title_year", map[string]any{"Year": year}), Year: year, Currency: c.Currency,
		RealCostMinor: c.Total, ExpectedCostMinor: c.Total, CostKnown: true, HasCost: true, DeficitMinor: c.Total,
		DeficitCoveredMinor: c.Invoiced, CoveredBy: c.PaidBy, NetMinor: c.Invoiced - c.Total}
	return append(ecos, e), nil
}

func coveredBy(e *billing.Economy) string {
	names := make([]string, len(e.CoveredBy))
	for i, p := range e.CoveredBy {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

func (h *handlers) report(w http.ResponseWriter, r *http.Request) {
	lang, year := web.Lang(r), h.year(r)
	ecos, err := h.economies(r, year)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	st, err := h.svc.GetSettings(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &reportData{Year: year, Prev: year - 1, Next: year + 1}
	sum := make([]int64, 7)
	row := func(e *billing.Economy, v []int64, cur string) reportRow {
		m := func(x int64) string { return money.Format(lang, x, cur) }
		rr := reportRow{AgreementID: e.AgreementID, Agreement: e.Agreement, Cost: m(v[0]), Collected: m(v[1]), Markup: m(v[2]),
			Currency: m(v[3]), Deficit: m(v[4]), Covered: m(v[5]), Net: m(v[6]), CoveredBy: coveredBy(e),
			Estimated: !e.CostKnown, Loss: v[3] < 0, Short: v[4]-v[5] > 0, Negative: v[6] < 0}
		if !e.HasCost {
			rr.Cost, rr.Deficit, rr.Net, rr.Estimated = "–", "–", "–", false
		}
		rr.Link = fmt.Sprintf("/billing/agreements/%d", e.AgreementID)
		if e.AgreementID == 0 {
			rr.Link = fmt.Sprintf("/billing/costs?year=%d", year)
		}
		return rr
	}
	for _, e := range ecos {
		v := economyColumns(e)
		for i := range v {
			sum[i] += v[i]
		}
		d.Rows = append(d.Rows, row(e, v, e.Currency))
	}
	d.Totals = row(&billing.Economy{CostKnown: true, HasCost: true, Agreement: h.app.T(r, "bweb.total", nil)}, sum, st.HomeCurrency)
	h.render(w, r, "report.html", http.StatusOK, h.app.T(r, "bweb.report.title_year", map[string]any{"Year": year}), d)
}

// reportXLSX sends the report as a spreadsheet: amounts as plain decimals
// ("-1234.50") in the home currency, one row per agreement and a total.
func (h *handlers) reportXLSX(w http.ResponseWriter, r *http.Request) {
	year := h.year(r)
	ecos, err := h.economies(r, year)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	t := func(id string) string { return h.app.T(r, id, nil) }
	header := []string{t("bweb.agreement"), t("bweb.price.currency"), t("bweb.report.cost"), t("bweb.economy.collected"), t("bweb.economy.markup"),
		t("bweb.economy.currency_result"), t("bweb.economy.deficit"), t("bweb.economy.deficit_covered"), t("bweb.economy.covered_by"),
		t("bweb.economy.net"), t("bweb.report.cost_known")}
	var rows [][]string
	sum := make([]int64, 7)
	cur := ""
	for _, e := range ecos {
		v := economyColumns(e)
		cur = e.Currency
		row := []string{e.Agreement, e.Currency}
		for i, x := range v {
			sum[i] += x
			if i == 6 {
				row = append(row, coveredBy(e))
			}
			row = append(row, money.Plain(x))
		}
		rows = append(rows, append(row, yesNo(h, r, e.CostKnown)))
	}
	total := []string{t("bweb.total"), cur}
	for i, x := range sum {
		if i == 6 {
			total = append(total, "")
		}
		total = append(total, money.Plain(x))
	}
	rows = append(rows, append(total, ""))
	var buf bytes.Buffer
	if err := tabular.WriteXLSX(&buf, h.app.T(r, "bweb.report.title_year", map[string]any{"Year": year}), header, rows); err != nil {
		h.fail(w, r, err)
		return
	}
	download(w, xlsxType, fmt.Sprintf("economy-%d.xlsx", year), buf.Bytes())
}

func yesNo(h *handlers, r *http.Request, v bool) string {
	if v {
		return h.app.T(r, "value.yes", nil)
	}
	return h.app.T(r, "value.no", nil)
}
