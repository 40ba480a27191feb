package billingweb

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/validate"
	"github.com/samla-org/samla/internal/web"
)

type runData struct {
	Run       *billing.Run
	Agreement string
	Period    string
	Issued    string
	Due       string
	RateDate  string
	Created   string
	Approved  string
	Invoices  []invoiceItem
	Net       string
	VAT       string
	Total     string
	Skips     []skipItem
	Admin     bool
	Draft     bool
	Form      *form // the approve or discard form, as posted
}

// invoiceItem is an invoice in a run's table.
type invoiceItem struct {
	*billing.Invoice
	Net, VAT, Total string
}

// skipItem is a subscriber a run did not bill, and why.
type skipItem struct {
	Library, Offer, Reason string
}

// run shows a run, or sends its lines as CSV for /billing/runs/{id}.csv.
func (h *handlers) run(w http.ResponseWriter, r *http.Request) {
	id, csv := pathIDExt(r, "id", ".csv")
	if id == 0 {
		h.app.Error(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	if csv {
		var buf bytes.Buffer
		if err := h.svc.RunCSV(r.Context(), web.ActorOf(r), id, &buf); err != nil {
			h.fail(w, r, err)
			return
		}
		download(w, "text/csv; charset=utf-8", fmt.Sprintf("invoice-run-%d.csv", id), buf.Bytes())
		return
	}
	h.renderRun(w, r, http.StatusOK, id, nil)
}

func (h *handlers) renderRun(w http.ResponseWriter, r *http.Request, status int, id int64, f *form) {
	ctx, by, lang := r.Context(), web.ActorOf(r), web.Lang(r)
	run, invs, err := h.svc.RunDetail(ctx, by, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if f == nil {
		f = h.newForm(r, nil, "confirm_approve", "confirm_discard")
	}
	d := &runData{Run: run, Period: formatDay(lang, run.PeriodFrom) + " – " + formatDay(lang, run.PeriodTo),
		Issued: formatDay(lang, run.IssueDate), Due: formatDay(lang, run.DueDate), RateDate: formatDay(lang, run.RateDate),
		Created: formatTime(lang, run.CreatedAt), Admin: isAdmin(r), Draft: run.Status == billing.StatusDraft, Form: f}
	if run.ApprovedAt != nil {
		d.Approved = formatTime(lang, *run.ApprovedAt)
	}
	if run.AgreementID != nil {
		if ag, err := h.agreementRow(r, *run.AgreementID); err == nil {
			d.Agreement = ag.Name
		}
	}
	var net, vat, total int64
	for _, inv := range invs {
		d.Invoices = append(d.Invoices, invoiceItem{Invoice: inv, Net: money.Format(lang, inv.NetMinor, inv.Currency),
			VAT: money.Format(lang, inv.VATMinor, inv.Currency), Total: money.Format(lang, inv.TotalMinor, inv.Currency)})
		net, vat, total = net+inv.NetMinor, vat+inv.VATMinor, total+inv.TotalMinor
	}
	d.Net, d.VAT, d.Total = money.Format(lang, net, run.Currency), money.Format(lang, vat, run.Currency), money.Format(lang, total, run.Currency)
	for _, s := range run.Skips() {
		d.Skips = append(d.Skips, skipItem{Library: s.Library, Offer: s.Offer, Reason: skipText(h.app.Catalog, lang, s.Skip)})
	}
	h.render(w, r, "run.html", status, h.app.T(r, "bweb.run.title", map[string]any{"Name": run.Name}), d)
}

// confirmed checks the form's "I have checked" box, which stands in for a
// confirmation dialog (no scripts of our own under the CSP).
func confirmed(f *form, field string) bool {
	if f.Checked(field) {
		return true
	}
	f.refuse(&validate.Problem{Field: field, Code: "bweb.run.confirm_required"})
	return false
}

func (h *handlers) approveRun(w http.ResponseWriter, r *http.Request) {
	id := pathID(r, "id")
	f := h.newForm(r, posted(r), "confirm_approve", "confirm_discard")
	if !confirmed(f, "confirm_approve") {
		h.renderRun(w, r, http.StatusUnprocessableEntity, id, f)
		return
	}
	run, err := h.svc.ApproveRun(r.Context(), web.ActorOf(r), id)
	if f.refused(err) {
		h.renderRun(w, r, http.StatusUnprocessableEntity, id, f)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/billing/runs/"+strconv.FormatInt(id, 10), h.app.T(r, "bweb.run.approved", map[string]any{"Name": run.Name}))
}

func (h *handlers) discardRun(w http.ResponseWriter, r *http.Request) {
	id := pathID(r, "id")
	f := h.newForm(r, posted(r), "confirm_approve", "confirm_discard")
	if !confirmed(f, "confirm_discard") {
		h.renderRun(w, r, http.StatusUnprocessableEntity, id, f)
		return
	}
	if err := h.svc.DiscardRun(r.Context(), web.ActorOf(r), id); err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/billing/runs", h.app.T(r, "bweb.run.discarded", nil))
}
