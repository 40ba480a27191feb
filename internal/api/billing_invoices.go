package api

import (
	"context"
	"mime"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/calendar"
)

// lineView is an invoice line with how its amount was computed.
type lineView struct {
	ID               int64         `json:"id"`
	Position         int           `json:"position"`
	Kind             string        `json:"kind" enum:"subscription,markup,deficit,consortium_cost"`
	LibraryID        *int64        `json:"library_id,omitempty"`
	AgreementID      *int64        `json:"agreement_id,omitempty"`
	OfferID          *int64        `json:"offer_id,omitempty"`
	ProductID        *int64        `json:"product_id,omitempty"`
	Description      string        `json:"description" doc:"In the buyer's language"`
	Note             string        `json:"note,omitempty" doc:"What the e-invoice says under the line: the foreign price and its rate, or the markup's base"`
	AmountMinor      int64         `json:"amount_minor" doc:"Net, in minor units of the invoice's currency"`
	VATCategory      string        `json:"vat_category"`
	VATRateBP        int64         `json:"vat_rate_bp"`
	SourceCurrency   string        `json:"source_currency" doc:"The currency of the price the line comes from"`
	SourceMinor      int64         `json:"source_minor"`
	Rate             string        `json:"rate,omitempty" doc:"Home currency per unit of source_currency, when converted"`
	RateDate         calendar.Date `json:"rate_date,omitempty"`
	MarkupBP         int64         `json:"markup_bp"`
	Billed           bool          `json:"billed"`
	CreditedByLineID *int64        `json:"credited_by_line_id,omitempty"`
	Steps            []stepView    `json:"steps"`
}

// stepView is one step of a line's computation: its message id and
// arguments, and the sentence they make in the caller's language.
type stepView struct {
	Code string         `json:"code"`
	Args map[string]any `json:"args,omitempty" doc:"Arguments ending in _minor are amounts in minor units of the step's currency"`
	Text string         `json:"text"`
}

func (h *invoiceHandlers) view(ctx context.Context, inv *billing.Invoice) invoiceView {
	v := viewInvoice(inv)
	buyerLang := "nb"
	if inv.BuyerCountry == "SE" {
		buyerLang = "sv"
	}
	v.Lines = make([]lineView, 0, len(inv.Lines))
	for _, l := range inv.Lines {
		lv := lineView{ID: l.ID, Position: l.Position, Kind: l.Kind, LibraryID: l.LibraryID, AgreementID: l.AgreementID, OfferID: l.OfferID,
			ProductID: l.ProductID, Description: l.Description, Note: h.d.Billing.LineNote(buyerLang, inv, l), AmountMinor: l.AmountMinor,
			VATCategory: l.VATCategory, VATRateBP: l.VATRateBP, SourceCurrency: l.SourceCurrency, SourceMinor: l.SourceMinor,
			Rate: rateText(l.RateMicro), RateDate: l.RateDate, MarkupBP: l.MarkupBP, Billed: l.Billed, CreditedByLineID: l.CreditedByLineID,
			Steps: []stepView{}}
		for _, s := range l.Steps() {
			lv.Steps = append(lv.Steps, stepView{Code: s.Code, Args: s.Args, Text: translated(ctx, h.d, s.Code, s.TextArgs(h.d.Catalog, lang(ctx)))})
		}
		v.Lines = append(v.Lines, lv)
	}
	return v
}

type invoiceHandlers struct{ d Deps }

type invoiceOutput struct{ Body invoiceView }
type invoicePatchInput struct {
	ID   int64 `path:"id"`
	Body struct {
		BuyerReference *string `json:"buyer_reference,omitempty" doc:"Left out: unchanged. Public buyers reject e-invoices without a buyer or order reference"`
		OrderReference *string `json:"order_reference,omitempty"`
		Note           *string `json:"note,omitempty"`
	}
}
type creditInput struct {
	ID   int64 `path:"id"`
	Body struct {
		LineIDs []int64 `json:"line_ids,omitempty" doc:"The lines to credit; left out: every line not credited yet"`
		Reason  string  `json:"reason,omitempty" doc:"Why; required, and the credit note's note"`
	}
}

func registerInvoices(api huma.API, d Deps) {
	tags := []string{"Invoicing"}
	svc := d.Billing
	h := &invoiceHandlers{d: d}
	get := func(ctx context.Context, id int64) (*invoiceOutput, error) {
		inv, err := svc.Invoice(ctx, actor(ctx), id)
		if err != nil {
			return nil, billingFail(ctx, d, err, nil, "")
		}
		return &invoiceOutput{Body: h.view(ctx, inv)}, nil
	}
	huma.Register(api, huma.Operation{OperationID: "get-invoice", Method: http.MethodGet, Path: "/invoices/{id}",
		Summary: "An invoice or credit note with its lines and how each line was computed (consortium)", Tags: tags},
		func(ctx context.Context, in *idInput) (*invoiceOutput, error) { return get(ctx, in.ID) })
	huma.Register(api, huma.Operation{OperationID: "update-invoice", Method: http.MethodPatch, Path: "/invoices/{id}",
		Summary:     "Change a draft invoice's buyer reference, order reference or note (consortium admin)",
		Description: "Only drafts change (409 otherwise); an approved invoice is corrected by a credit note.", Tags: tags},
		func(ctx context.Context, in *invoicePatchInput) (*invoiceOutput, error) {
			by := actor(ctx)
			inv, err := svc.Invoice(ctx, by, in.ID)
			if err != nil {
				return nil, billingFail(ctx, d, err, nil, "")
			}
			buyer, order, note := inv.BuyerReference, inv.OrderReference, inv.Note
			for _, f := range []struct{ to, from *string }{{&buyer, in.Body.BuyerReference}, {&order, in.Body.OrderReference}, {&note, in.Body.Note}} {
				if f.from != nil {
					*f.to = strings.TrimSpace(*f.from)
				}
			}
			if err := svc.UpdateDraftInvoice(ctx, by, in.ID, buyer, order, note); err != nil {
				return nil, billingFail(ctx, d, err, nil, "api.billing.invoice_approved")
			}
			return get(ctx, in.ID)
		})
	huma.Register(api, huma.Operation{OperationID: "credit-invoice", Method: http.MethodPost, Path: "/invoices/{id}/credit",
		Summary: "Credit an approved invoice, all of it or some lines (consortium admin)",
		Description: "The credit note is approved and numbered at once, in the invoices' number series; its amounts are negative. " +
			"The credited lines are no longer billed, so a new run can bill them again.",
		DefaultStatus: http.StatusCreated, Tags: tags},
		func(ctx context.Context, in *creditInput) (*invoiceOutput, error) {
			cn, err := svc.CreditInvoice(ctx, actor(ctx), in.ID, in.Body.LineIDs, in.Body.Reason)
			if err != nil {
				return nil, billingFail(ctx, d, err, map[string]string{"lines": "line_ids"}, "")
			}
			return get(ctx, cn.ID)
		})
	huma.Register(api, huma.Operation{OperationID: "invoice-ehf", Method: http.MethodGet, Path: "/invoices/{id}/ehf",
		Summary:     "An approved invoice or credit note as an EHF / PEPPOL BIS Billing 3.0 document (consortium)",
		Description: "The UBL XML as the buyer's access point receives it. A draft has no number yet and no document (409).",
		Responses: map[string]*huma.Response{"200": {Description: "The UBL document",
			Content: map[string]*huma.MediaType{"application/xml": {Schema: &huma.Schema{Type: "string"}}}}},
		Tags: tags},
		func(ctx context.Context, in *idInput) (*documentOutput, error) {
			name, xml, err := svc.EHF(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, billingFail(ctx, d, err, nil, "api.billing.invoice_draft")
			}
			return &documentOutput{ContentType: "application/xml", ContentDisposition: mime.FormatMediaType("attachment", map[string]string{"filename": name}), Body: xml}, nil
		})
}
