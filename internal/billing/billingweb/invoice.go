package billingweb

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/billing/ehf"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/refdata"
	"github.com/samla-org/samla/internal/web"
)

type invoiceData struct {
	Inv        *billing.Invoice
	Seller     *billing.Settings
	SellerLand string
	BuyerLand  string
	BuyerLines []string // the buyer's address, line by line
	Heading    string
	Issued     string
	Due        string
	Lines      []lineItem
	Subtotals  []subtotalItem
	Net        string
	VAT        string
	Total      string
	Credits    *billing.Invoice // the invoice a credit note corrects
	Admin      bool
	Draft      bool
	Creditable bool // an approved invoice with lines not credited yet
	Edit       *form
	Credit     *form
}

// lineItem is an invoice line as shown, with how it was computed.
type lineItem struct {
	*billing.Line
	Amount   string
	VATText  string
	Steps    []string
	Credited bool
}

// subtotalItem is one row of the VAT breakdown.
type subtotalItem struct {
	Category, Rate, Taxable, VAT string
}

// invoice shows an invoice or credit note, or sends its EHF document for
// /billing/invoices/{id}.xml.
func (h *handlers) invoice(w http.ResponseWriter, r *http.Request) {
	id, xml := pathIDExt(r, "id", ".xml")
	if id == 0 {
		h.app.Error(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	if xml {
		name, data, err := h.svc.EHF(r.Context(), web.ActorOf(r), id)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		download(w, "application/xml", name, data)
		return
	}
	h.renderInvoice(w, r, http.StatusOK, id, nil, nil)
}

func (h *handlers) renderInvoice(w http.ResponseWriter, r *http.Request, status int, id int64, edit, credit *form) {
	ctx, by, lang := r.Context(), web.ActorOf(r), web.Lang(r)
	inv, err := h.svc.Invoice(ctx, by, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	st, err := h.svc.GetSettings(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &invoiceData{Inv: inv, Seller: st, SellerLand: countryName(h, r, st.Country), BuyerLand: countryName(h, r, inv.BuyerCountry),
		Issued: formatDay(lang, inv.IssueDate), Due: formatDay(lang, inv.DueDate), Admin: isAdmin(r), Draft: inv.Status == billing.StatusDraft,
		Net: money.Format(lang, inv.NetMinor, inv.Currency), VAT: money.Format(lang, inv.VATMinor, inv.Currency),
		Total: money.Format(lang, inv.TotalMinor, inv.Currency), Edit: edit, Credit: credit}
	for _, l := range strings.Split(strings.ReplaceAll(inv.BuyerAddress, "\r", ""), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			d.BuyerLines = append(d.BuyerLines, l)
		}
	}
	switch {
	case d.Draft:
		d.Heading = h.app.T(r, "bweb.invoice.heading_draft", nil)
	case inv.Kind == billing.KindCreditNote:
		d.Heading = h.app.T(r, "bweb.invoice.heading_credit", map[string]any{"Number": inv.NumberText()})
	default:
		d.Heading = h.app.T(r, "bweb.invoice.heading", map[string]any{"Number": inv.NumberText()})
	}
	if inv.CreditsInvoiceID != nil {
		if orig, err := h.svc.Invoice(ctx, by, *inv.CreditsInvoiceID); err == nil {
			d.Credits = orig
		}
	}
	el := make([]ehf.Line, 0, len(inv.Lines))
	for _, l := range inv.Lines {
		li := lineItem{Line: l, Amount: money.Format(lang, l.AmountMinor, inv.Currency), VATText: vatText(h, r, l.VATCategory, l.VATRateBP),
			Credited: l.CreditedByLineID != nil}
		for _, s := range l.Steps() {
			li.Steps = append(li.Steps, stepText(h.app.Catalog, lang, s))
		}
		if !li.Credited && inv.Kind == billing.KindInvoice && inv.Status == billing.StatusApproved {
			d.Creditable = true
		}
		d.Lines = append(d.Lines, li)
		el = append(el, ehf.Line{NetMinor: l.AmountMinor, VATCategory: l.VATCategory, VATRateBP: l.VATRateBP})
	}
	for _, s := range ehf.Compute(el).Subtotals {
		d.Subtotals = append(d.Subtotals, subtotalItem{Category: vatText(h, r, s.Category, s.RateBP), Rate: formatPercent(lang, s.RateBP),
			Taxable: money.Format(lang, s.TaxableMinor, inv.Currency), VAT: money.Format(lang, s.VATMinor, inv.Currency)})
	}
	if d.Edit == nil {
		d.Edit = h.newForm(r, map[string]string{"buyer_reference": inv.BuyerReference, "order_reference": inv.OrderReference, "note": inv.Note},
			"buyer_reference", "order_reference", "note")
	}
	if d.Credit == nil {
		d.Credit = h.newForm(r, nil, "lines", "reason")
	}
	h.render(w, r, "invoice.html", status, d.Heading+" · "+inv.BuyerName, d)
}

// vatText names a VAT category, with the rate for the standard one.
func vatText(h *handlers, r *http.Request, category string, rateBP int64) string {
	name := h.app.T(r, "bweb.vat."+category, nil)
	if category == "S" {
		return name + " " + formatPercent(web.Lang(r), rateBP)
	}
	return name
}

// countryName is a country's name in the reader's language.
func countryName(h *handlers, r *http.Request, code string) string {
	for _, c := range refdata.Countries {
		if c == code {
			return h.app.T(r, "country."+code, nil)
		}
	}
	return code
}

func (h *handlers) updateInvoice(w http.ResponseWriter, r *http.Request) {
	id := pathID(r, "id")
	f := h.newForm(r, posted(r), "buyer_reference", "order_reference", "note")
	err := h.svc.UpdateDraftInvoice(r.Context(), web.ActorOf(r), id, strings.TrimSpace(f.V("buyer_reference")),
		strings.TrimSpace(f.V("order_reference")), strings.TrimSpace(f.V("note")))
	if f.refused(err) {
		h.renderInvoice(w, r, http.StatusUnprocessableEntity, id, f, nil)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/billing/invoices/"+strconv.FormatInt(id, 10), h.app.T(r, "bweb.invoice.saved", nil))
}

func (h *handlers) creditInvoice(w http.ResponseWriter, r *http.Request) {
	id := pathID(r, "id")
	values := posted(r)
	f := h.newForm(r, values, "lines", "reason")
	var lineIDs []int64
	for _, s := range r.PostForm["line"] {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			lineIDs = append(lineIDs, n)
		}
	}
	cn, err := h.svc.CreditInvoice(r.Context(), web.ActorOf(r), id, lineIDs, f.V("reason"))
	if f.refused(err) {
		h.renderInvoice(w, r, http.StatusUnprocessableEntity, id, nil, f)
		return
	}
	if errors.Is(err, billing.ErrConflict) {
		f.add("", h.app.T(r, "error.conflict", nil))
		h.renderInvoice(w, r, http.StatusConflict, id, nil, f)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/billing/invoices/"+strconv.FormatInt(cn.ID, 10), h.app.T(r, "bweb.invoice.credited", map[string]any{"Number": cn.NumberText()}))
}

// Line checkbox state for a posted credit form.
func (f *form) LineChosen(id int64) bool {
	for _, s := range strings.Split(f.Values["line"], ",") {
		if s == strconv.FormatInt(id, 10) {
			return true
		}
	}
	return false
}
