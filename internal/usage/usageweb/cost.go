package usageweb

import (
	"fmt"
	"net/http"

	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/usage"
	"github.com/samla-org/samla/internal/web"
)

type costView struct {
	Year      int
	ProductID int64
	Products  []products.ProductItem
	Rows      []costRow
	UsageLink string
}

type costRow struct {
	usage.CostUse
	Cost, Uses, PerUse string
	// Unused is a subscription nobody used; Unpaid is use without a
	// subscription. Both are what a renewal must look at.
	Unused, Unpaid bool
}

func (h *handlers) cost(w http.ResponseWriter, r *http.Request) {
	by := web.ActorOf(r)
	ctx := r.Context()
	v := &costView{Year: yearParam(r, h.lastMonth().Year()), ProductID: int64Param(r, "product")}
	var err error
	if v.Products, err = h.d.Products.Products(ctx, by, products.ProductFilter{}); err != nil {
		h.fail(w, r, err)
		return
	}
	if v.ProductID > 0 {
		rows, err := h.svc.CostPerUse(ctx, by, v.ProductID, v.Year, "")
		if err != nil {
			h.fail(w, r, err)
			return
		}
		lang := web.Lang(r)
		for _, c := range rows {
			row := costRow{CostUse: c, Cost: "–", Uses: groupDigits(lang, c.Uses), PerUse: "–",
				Unused: c.Subscribed && c.Uses == 0, Unpaid: !c.Subscribed && c.Uses > 0}
			if c.Currency != "" {
				row.Cost = money.Format(lang, c.CostMinor, c.Currency)
			}
			if c.PerUseMinor != nil {
				row.PerUse = money.Format(lang, *c.PerUseMinor, c.Currency)
			}
			v.Rows = append(v.Rows, row)
		}
		v.UsageLink = fmt.Sprintf("/usage?product=%d&from=%d-01&to=%d-12&by=library", v.ProductID, v.Year, v.Year)
	}
	h.render(w, r, "cost.html", http.StatusOK, h.app.T(r, "uweb.cost.title", nil), v)
}

type gapsView struct {
	Year int
	Gaps []usage.Gap
}

func (h *handlers) gaps(w http.ResponseWriter, r *http.Request) {
	year := yearParam(r, h.lastMonth().Year())
	gs, err := h.svc.Gaps(r.Context(), web.ActorOf(r), year)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, "gaps.html", http.StatusOK, h.app.T(r, "uweb.gaps.title", nil), &gapsView{Year: year, Gaps: gs})
}
