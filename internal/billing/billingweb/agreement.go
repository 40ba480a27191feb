package billingweb

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/web"
)

// vendorFields are the fields of the register-vendor-invoice form.
var vendorFields = []string{"number", "invoice_date", "currency", "amount", "rate", "paid_on", "note"}

type agreementData struct {
	shareChoices
	Agreement   billing.AgreementRow
	Period      string
	Eco         *billing.Economy
	Figures     []figure
	CoveredBy   []figure
	Remaining   string
	ShowDeficit bool
	Vendor      []vendorItem
	Register    *form
	Admin       bool
}

// figure is one line of the economy: a label and an amount.
type figure struct {
	ID, Label, Amount, Hint string
	Bad                     bool
}

// vendorItem is a vendor invoice with its check against the agreement.
type vendorItem struct {
	*billing.VendorInvoice
	Date, Amount, Rate, Home, Expected, Difference, Paid, Approved string
	Differs                                                        bool
	Form                                                           *form
}

func (h *handlers) agreement(w http.ResponseWriter, r *http.Request) {
	h.renderAgreement(w, r, http.StatusOK, pathID(r, "id"), nil, 0, nil, nil)
}

// renderAgreement shows an agreement's economy with, as posted, the
// register form (register), one vendor invoice's approval form (approve
// for vendorID) or the deficit form (deficit); nil for fresh ones.
func (h *handlers) renderAgreement(w http.ResponseWriter, r *http.Request, status int, id int64, register *form, vendorID int64, approve, deficit *form) {
	ctx, by, lang := r.Context(), web.ActorOf(r), web.Lang(r)
	ag, err := h.agreementRow(r, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	eco, err := h.svc.AgreementEconomy(ctx, by, id)
	if errors.Is(err, billing.ErrNoRate) {
		// Without a rate for an offer's currency the estimate cannot be
		// made; the page still shows what is known.
		eco, err = &billing.Economy{AgreementID: id, Agreement: ag.Name}, nil
		h.app.Flash(r, h.app.T(r, "bweb.error.no_rate", nil))
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	vis, err := h.svc.VendorInvoices(ctx, by, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sc, err := h.shareChoices(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	st := sc.Settings
	cur := eco.Currency
	if cur == "" {
		cur = st.HomeCurrency
	}
	m := func(v int64) string { return money.Format(lang, v, cur) }
	d := &agreementData{shareChoices: sc, Agreement: *ag, Period: formatDay(lang, ag.StartsOn) + " – " + formatDay(lang, ag.EndsOn),
		Eco: eco, Admin: isAdmin(r), Register: register}
	costHint := ""
	if !eco.CostKnown {
		costHint = h.app.T(r, "bweb.economy.estimated", nil)
	}
	d.Figures = []figure{
		{ID: "real_cost", Label: h.app.T(r, "bweb.economy.real_cost", nil), Amount: m(eco.RealCostMinor), Hint: costHint},
		{ID: "expected_cost", Label: h.app.T(r, "bweb.economy.expected_cost", nil), Amount: m(eco.ExpectedCostMinor)},
		{ID: "collected", Label: h.app.T(r, "bweb.economy.collected", nil), Amount: m(eco.CollectedMinor)},
		{ID: "markup", Label: h.app.T(r, "bweb.economy.markup", nil), Amount: m(eco.MarkupMinor)},
		{ID: "currency_result", Label: h.app.T(r, "bweb.economy.currency_result", nil), Amount: m(eco.CurrencyResultMinor), Bad: eco.CurrencyResultMinor < 0},
		{ID: "deficit", Label: h.app.T(r, "bweb.economy.deficit", nil), Amount: m(eco.DeficitMinor), Bad: eco.DeficitMinor > 0},
		{ID: "deficit_covered", Label: h.app.T(r, "bweb.economy.deficit_covered", nil), Amount: m(eco.DeficitCoveredMinor)},
		{ID: "net", Label: h.app.T(r, "bweb.economy.net", nil), Amount: m(eco.NetMinor), Bad: eco.NetMinor < 0},
	}
	if !eco.HasCost {
		for i := range d.Figures {
			switch d.Figures[i].ID {
			case "real_cost", "expected_cost", "deficit", "net":
				d.Figures[i].Amount, d.Figures[i].Hint, d.Figures[i].Bad = "–", h.app.T(r, "bweb.economy.no_cost", nil), false
			}
		}
	}
	for _, p := range eco.CoveredBy {
		d.CoveredBy = append(d.CoveredBy, figure{Label: p.Name, Amount: m(p.Minor)})
	}
	remaining := eco.DeficitMinor - eco.DeficitCoveredMinor
	d.ShowDeficit = remaining > 0 || deficit != nil
	d.Remaining = m(remaining)
	if deficit == nil {
		year := eco.Year
		if year == 0 {
			year = h.year(r)
		}
		deficit = h.newForm(r, map[string]string{"name": h.app.T(r, "bweb.deficit.default_name", map[string]any{"Agreement": ag.Name, "Year": year}),
			"year": strconv.Itoa(year), "amount": amountText(max(remaining, 0)), "among": billing.ScopeParticipating, "key": billing.KeyPopulation,
			"issue_date": string(h.today()), "currency": st.HomeCurrency}, runFields...)
	}
	d.Forms["deficit"] = deficit
	if d.Register == nil {
		d.Register = h.newForm(r, map[string]string{"currency": st.HomeCurrency, "invoice_date": string(h.today())}, vendorFields...)
	}
	for _, vi := range vis {
		it := vendorItem{VendorInvoice: vi, Date: formatDay(lang, vi.InvoiceDate), Amount: money.Format(lang, vi.AmountMinor, vi.Currency),
			Rate: money.Rate(vi.RateMicro).Text(lang), Home: m(vi.HomeMinor), Expected: money.Format(lang, vi.ExpectedMinor, vi.Currency),
			Difference: money.Format(lang, vi.DifferenceMinor, vi.Currency), Paid: formatDay(lang, vi.PaidOn), Differs: vi.DifferenceMinor != 0}
		if vi.ApprovedAt != nil {
			it.Approved = vi.ApprovedBy + " · " + formatTime(lang, *vi.ApprovedAt)
		}
		if vi.ID == vendorID && approve != nil {
			it.Form = approve
		} else {
			it.Form = h.newForm(r, nil, "note")
		}
		d.Vendor = append(d.Vendor, it)
	}
	h.render(w, r, "agreement.html", status, h.app.T(r, "bweb.economy.title", map[string]any{"Agreement": ag.Name}), d)
}

func (h *handlers) registerVendorInvoice(w http.ResponseWriter, r *http.Request) {
	id := pathID(r, "id")
	f := h.newForm(r, posted(r), vendorFields...)
	in := billing.VendorInvoiceInput{AgreementID: id, Number: f.V("number"), InvoiceDate: date(f.V("invoice_date")),
		Currency: f.V("currency"), Rate: strings.TrimSpace(f.V("rate")), PaidOn: date(f.V("paid_on")), Note: strings.TrimSpace(f.V("note"))}
	amount, ok := parseAmount(f, "amount")
	if amount != nil {
		in.AmountMinor = *amount
	}
	if ok {
		_, err := h.svc.RegisterVendorInvoice(r.Context(), web.ActorOf(r), in)
		if f.refused(err) {
			ok = false
		} else if errors.Is(err, billing.ErrNotFound) {
			// The agreement has no priced offer to check the invoice against.
			f.add("", h.app.T(r, "bweb.vendor.no_offers", nil))
			ok = false
		} else if err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if !ok {
		h.renderAgreement(w, r, http.StatusUnprocessableEntity, id, f, 0, nil, nil)
		return
	}
	h.redirect(w, r, fmt.Sprintf("/billing/agreements/%d#vendor-invoices", id), h.app.T(r, "bweb.vendor.registered", map[string]any{"Number": in.Number}))
}

func (h *handlers) approveVendorInvoice(w http.ResponseWriter, r *http.Request) {
	id := pathID(r, "id")
	f := h.newForm(r, posted(r), "note")
	agreementID, _ := strconv.ParseInt(f.V("agreement_id"), 10, 64)
	err := h.svc.ApproveVendorInvoice(r.Context(), web.ActorOf(r), id, f.V("note"))
	if agreementID > 0 && f.refused(err) {
		h.renderAgreement(w, r, http.StatusUnprocessableEntity, agreementID, nil, id, f, nil)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	to := "/billing"
	if agreementID > 0 {
		to = fmt.Sprintf("/billing/agreements/%d#vendor-invoices", agreementID)
	}
	h.redirect(w, r, to, h.app.T(r, "bweb.vendor.approved", nil))
}

// shareDeficit creates a deficit run for the agreement.
func (h *handlers) shareDeficit(w http.ResponseWriter, r *http.Request) {
	id := pathID(r, "id")
	values := posted(r)
	values["kind"], values["agreement_id"] = billing.RunDeficit, strconv.FormatInt(id, 10)
	f := h.newForm(r, values, runFields...)
	run, err := h.startRun(r, f)
	if errors.Is(err, errRefused) {
		h.renderAgreement(w, r, http.StatusUnprocessableEntity, id, nil, 0, nil, f)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.runCreated(w, r, run)
}
