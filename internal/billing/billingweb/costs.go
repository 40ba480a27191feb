package billingweb

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/web"
)

type costsData struct {
	Year     int
	Prev     int
	Next     int
	Items    []costItem
	Total    string
	Invoiced string
	Open     string // costs not invoiced yet
	PaidBy   []figure
	Admin    bool
	Form     *form
}

type costItem struct {
	billing.Cost
	Amount string
	Added  string
}

func (h *handlers) costs(w http.ResponseWriter, r *http.Request) {
	year := h.year(r)
	h.renderCosts(w, r, http.StatusOK, year, h.newForm(r, map[string]string{"year": strconv.Itoa(year)}, "description", "amount", "year"))
}

func (h *handlers) renderCosts(w http.ResponseWriter, r *http.Request, status, year int, f *form) {
	lang := web.Lang(r)
	rep, err := h.svc.Costs(r.Context(), web.ActorOf(r), year)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	m := func(v int64) string { return money.Format(lang, v, rep.Currency) }
	d := &costsData{Year: year, Prev: year - 1, Next: year + 1, Total: m(rep.Total), Invoiced: m(rep.Invoiced), Open: m(rep.Total - rep.Invoiced),
		Admin: isAdmin(r), Form: f}
	for _, c := range rep.Items {
		d.Items = append(d.Items, costItem{Cost: c, Amount: money.Format(lang, c.AmountMinor, c.Currency), Added: c.CreatedBy + " · " + formatTime(lang, c.CreatedAt)})
	}
	for _, p := range rep.PaidBy {
		d.PaidBy = append(d.PaidBy, figure{Label: p.Name, Amount: m(p.Minor)})
	}
	h.render(w, r, "costs.html", status, h.app.T(r, "bweb.costs.title_year", map[string]any{"Year": year}), d)
}

func (h *handlers) addCost(w http.ResponseWriter, r *http.Request) {
	f := h.newForm(r, posted(r), "description", "amount", "year")
	year, ok := parseWhole(f, "year")
	amount, ok2 := parseAmount(f, "amount")
	y := h.year(r)
	if year != nil {
		y = int(*year)
	}
	if ok && ok2 {
		var a int64
		if amount != nil {
			a = *amount
		}
		_, err := h.svc.AddCost(r.Context(), web.ActorOf(r), y, strings.TrimSpace(f.V("description")), a)
		if f.refused(err) {
			ok = false
		} else if err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if !ok || !ok2 {
		h.renderCosts(w, r, http.StatusUnprocessableEntity, y, f)
		return
	}
	h.redirect(w, r, fmt.Sprintf("/billing/costs?year=%d", y), h.app.T(r, "bweb.costs.added", nil))
}

func (h *handlers) deleteCost(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	if err := h.svc.DeleteCost(r.Context(), web.ActorOf(r), pathID(r, "id")); err != nil {
		h.fail(w, r, err)
		return
	}
	to := "/billing/costs"
	if y, err := strconv.Atoi(r.PostForm.Get("year")); err == nil {
		to = fmt.Sprintf("/billing/costs?year=%d", y)
	}
	h.redirect(w, r, to, h.app.T(r, "bweb.costs.deleted", nil))
}
