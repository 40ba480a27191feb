package api

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/calendar"
)

// runView is an invoice run with its number of invoices and their total.
type runView struct {
	ID          int64         `json:"id"`
	Kind        string        `json:"kind" enum:"subscriptions,deficit,consortium_costs"`
	Name        string        `json:"name"`
	Year        int           `json:"year"`
	PeriodFrom  calendar.Date `json:"period_from"`
	PeriodTo    calendar.Date `json:"period_to"`
	IssueDate   calendar.Date `json:"issue_date"`
	DueDate     calendar.Date `json:"due_date"`
	Currency    string        `json:"currency" doc:"The currency of every invoice of the run"`
	RateDate    calendar.Date `json:"rate_date" doc:"Prices in other currencies are converted at the rate on or before this day"`
	AgreementID *int64        `json:"agreement_id,omitempty"`
	Status      string        `json:"status" enum:"draft,approved"`
	CreatedBy   string        `json:"created_by"`
	CreatedAt   time.Time     `json:"created_at"`
	ApprovedBy  string        `json:"approved_by,omitempty"`
	ApprovedAt  *time.Time    `json:"approved_at,omitempty"`
	Invoices    int           `json:"invoices"`
	TotalMinor  int64         `json:"total_minor" doc:"The invoices' totals with VAT, in minor units of currency"`
}

func viewRun(r billing.Run, invoices int, total int64) runView {
	return runView{ID: r.ID, Kind: r.Kind, Name: r.Name, Year: r.Year, PeriodFrom: r.PeriodFrom, PeriodTo: r.PeriodTo,
		IssueDate: r.IssueDate, DueDate: r.DueDate, Currency: r.Currency, RateDate: r.RateDate, AgreementID: r.AgreementID,
		Status: r.Status, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, ApprovedBy: r.ApprovedBy, ApprovedAt: r.ApprovedAt,
		Invoices: invoices, TotalMinor: total}
}

// skipView is a subscriber a run could not bill, with the reason in the
// caller's language.
type skipView struct {
	LibraryID int64  `json:"library_id"`
	Library   string `json:"library"`
	OfferID   int64  `json:"offer_id"`
	Offer     string `json:"offer"`
	Code      string `json:"code"`
	Detail    string `json:"detail,omitempty" doc:"The value the price could not use, e.g. the basis that is missing"`
	Message   string `json:"message"`
}

// invoiceView is an invoice or credit note. A credit note's amounts are
// negative, so sums over invoices and credit notes are net.
type invoiceView struct {
	ID               int64         `json:"id"`
	RunID            *int64        `json:"run_id,omitempty"`
	Kind             string        `json:"kind" enum:"invoice,credit_note"`
	Number           string        `json:"number,omitempty" doc:"Given on approval; drafts have none"`
	Status           string        `json:"status" enum:"draft,approved"`
	CreditsInvoiceID *int64        `json:"credits_invoice_id,omitempty"`
	PartyKind        string        `json:"party_kind"`
	BuyerName        string        `json:"buyer_name"`
	BuyerOrgNumber   string        `json:"buyer_org_number"`
	BuyerAddress     string        `json:"buyer_address"`
	BuyerCountry     string        `json:"buyer_country"`
	BuyerEndpoint    string        `json:"buyer_endpoint"`
	BuyerReference   string        `json:"buyer_reference"`
	OrderReference   string        `json:"order_reference"`
	Note             string        `json:"note"`
	Currency         string        `json:"currency"`
	IssueDate        calendar.Date `json:"issue_date"`
	DueDate          calendar.Date `json:"due_date"`
	NetMinor         int64         `json:"net_minor"`
	VATMinor         int64         `json:"vat_minor"`
	TotalMinor       int64         `json:"total_minor"`
	HomeRate         string        `json:"home_rate,omitempty" doc:"Home currency per unit of currency, when the invoice is in another currency"`
	CreatedAt        time.Time     `json:"created_at"`
	ApprovedAt       *time.Time    `json:"approved_at,omitempty"`
	Lines            []lineView    `json:"lines,omitempty" doc:"On a single invoice only"`
}

func viewInvoice(inv *billing.Invoice) invoiceView {
	return invoiceView{ID: inv.ID, RunID: inv.RunID, Kind: inv.Kind, Number: inv.NumberText(), Status: inv.Status,
		CreditsInvoiceID: inv.CreditsInvoiceID, PartyKind: inv.PartyKind, BuyerName: inv.BuyerName, BuyerOrgNumber: inv.BuyerOrgNumber,
		BuyerAddress: inv.BuyerAddress, BuyerCountry: inv.BuyerCountry, BuyerEndpoint: inv.BuyerEndpoint, BuyerReference: inv.BuyerReference,
		OrderReference: inv.OrderReference, Note: inv.Note, Currency: inv.Currency, IssueDate: inv.IssueDate, DueDate: inv.DueDate,
		NetMinor: inv.NetMinor, VATMinor: inv.VATMinor, TotalMinor: inv.TotalMinor, HomeRate: rateText(inv.HomeRateMicro),
		CreatedAt: inv.CreatedAt, ApprovedAt: inv.ApprovedAt}
}

type runListOutput struct{ Body []runView }
type runDetail struct {
	Run      runView       `json:"run"`
	Skips    []skipView    `json:"skips" doc:"Subscribers that could not be billed, and why; fix the registry or the price and make the run again"`
	Invoices []invoiceView `json:"invoices" doc:"Without lines; GET /invoices/{id} has them"`
}
type runDetailOutput struct{ Body runDetail }

type runCreateInput struct {
	Body struct {
		Kind        string           `json:"kind" doc:"subscriptions, deficit or consortium_costs"`
		Name        string           `json:"name"`
		PeriodFrom  calendar.Date    `json:"period_from,omitempty" doc:"subscriptions: subscriptions overlapping the period are billed"`
		PeriodTo    calendar.Date    `json:"period_to,omitempty"`
		IssueDate   calendar.Date    `json:"issue_date,omitempty" doc:"Default today"`
		Currency    string           `json:"currency,omitempty" doc:"Default the home currency"`
		RateDate    calendar.Date    `json:"rate_date,omitempty" doc:"Default the issue date"`
		AgreementID *int64           `json:"agreement_id,omitempty" doc:"subscriptions: only this agreement; deficit: required"`
		Year        int              `json:"year,omitempty" doc:"deficit and consortium_costs: the year"`
		AmountMinor *int64           `json:"amount_minor,omitempty" doc:"deficit: the amount to share, in the home currency; default the deficit the economy report shows"`
		Among       string           `json:"among,omitempty" doc:"deficit and consortium_costs: participating or all counties (each paid by its county library)"`
		Key         string           `json:"key,omitempty" doc:"deficit and consortium_costs: population, equal or fixed"`
		Fixed       map[string]int64 `json:"fixed,omitempty" doc:"key fixed: weights, e.g. {\"county:NO-46\": 2, \"library:12\": 1}"`
	}
}

var runFields = map[string]string{"amount": "amount_minor"}

func registerRuns(api huma.API, d Deps) {
	tags := []string{"Invoicing"}
	svc := d.Billing
	detail := func(ctx context.Context, id int64) (*runDetailOutput, error) {
		r, invs, err := svc.RunDetail(ctx, actor(ctx), id)
		if err != nil {
			return nil, billingFail(ctx, d, err, nil, "")
		}
		out := &runDetailOutput{}
		var total int64
		out.Body.Invoices = make([]invoiceView, 0, len(invs))
		for _, inv := range invs {
			total += inv.TotalMinor
			out.Body.Invoices = append(out.Body.Invoices, viewInvoice(inv))
		}
		out.Body.Run = viewRun(*r, len(invs), total)
		out.Body.Skips = []skipView{}
		for _, s := range r.Skips() {
			out.Body.Skips = append(out.Body.Skips, skipView{LibraryID: s.LibraryID, Library: s.Library, OfferID: s.OfferID, Offer: s.Offer,
				Code: s.Code, Detail: s.Detail, Message: translated(ctx, d, s.Code, nil)})
		}
		return out, nil
	}
	huma.Register(api, huma.Operation{OperationID: "create-invoice-run", Method: http.MethodPost, Path: "/invoice-runs",
		Summary: "Make a draft invoice run (consortium admin)",
		Description: "One draft invoice per paying party: `subscriptions` bills every priced subscription overlapping the period " +
			"that is not billed yet, converting other currencies at the rate on `rate_date` with the agreement's markup as its own line; " +
			"`deficit` shares an agreement year's deficit and `consortium_costs` a year's running costs among the counties' libraries. " +
			"Subscribers that cannot be priced are listed in `skips`. Nothing is numbered until the run is approved. " +
			"Without an exchange rate for a currency the answer is 422.",
		DefaultStatus: http.StatusCreated, Tags: tags},
		func(ctx context.Context, in *runCreateInput) (*runDetailOutput, error) {
			b := in.Body
			r, err := svc.CreateRun(ctx, actor(ctx), billing.RunInput{Kind: b.Kind, Name: b.Name, PeriodFrom: b.PeriodFrom,
				PeriodTo: b.PeriodTo, IssueDate: b.IssueDate, Currency: b.Currency, RateDate: b.RateDate,
				AgreementID: b.AgreementID, Year: b.Year, AmountMinor: b.AmountMinor, Among: b.Among, Key: b.Key, Fixed: b.Fixed})
			if err != nil {
				return nil, billingFail(ctx, d, err, runFields, "")
			}
			return detail(ctx, r.ID)
		})
	huma.Register(api, huma.Operation{OperationID: "list-invoice-runs", Method: http.MethodGet, Path: "/invoice-runs",
		Summary: "Invoice runs, newest first, with their number of invoices and total (consortium)", Tags: tags},
		func(ctx context.Context, _ *struct{}) (*runListOutput, error) {
			rs, err := svc.Runs(ctx, actor(ctx))
			if err != nil {
				return nil, billingFail(ctx, d, err, nil, "")
			}
			out := &runListOutput{Body: make([]runView, 0, len(rs))}
			for _, r := range rs {
				out.Body = append(out.Body, viewRun(r.Run, r.Invoices, r.TotalMinor))
			}
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-invoice-run", Method: http.MethodGet, Path: "/invoice-runs/{id}",
		Summary: "An invoice run with its skipped subscribers and its invoices (consortium)", Tags: tags},
		func(ctx context.Context, in *idInput) (*runDetailOutput, error) { return detail(ctx, in.ID) })
	huma.Register(api, huma.Operation{OperationID: "approve-invoice-run", Method: http.MethodPost, Path: "/invoice-runs/{id}/approve",
		Summary: "Approve a draft run: number its invoices and mark its lines billed (consortium admin)",
		Description: "Idempotent: approving an approved run changes nothing and answers the same. All or nothing: an invoice " +
			"without a buyer or order reference, or a line another approved invoice bills meanwhile, refuses the whole run (422).",
		Tags: tags},
		func(ctx context.Context, in *idInput) (*runDetailOutput, error) {
			if _, err := svc.ApproveRun(ctx, actor(ctx), in.ID); err != nil {
				return nil, billingFail(ctx, d, err, nil, "api.billing.run_clash")
			}
			return detail(ctx, in.ID)
		})
	huma.Register(api, huma.Operation{OperationID: "discard-invoice-run", Method: http.MethodDelete, Path: "/invoice-runs/{id}",
		Summary: "Discard a draft run with its draft invoices (consortium admin)", Description: "An approved run cannot be discarded (409): credit its invoices instead.",
		DefaultStatus: http.StatusNoContent, Tags: tags},
		func(ctx context.Context, in *idInput) (*struct{}, error) {
			if err := svc.DiscardRun(ctx, actor(ctx), in.ID); err != nil {
				return nil, billingFail(ctx, d, err, nil, "api.billing.run_approved")
			}
			return nil, nil
		})
	huma.Register(api, huma.Operation{OperationID: "invoice-run-csv", Method: http.MethodGet, Path: "/invoice-runs/{id}/csv",
		Summary: "A run's lines for the accounting system, as CSV (consortium)",
		Description: "One row per line with its invoice; amounts as plain decimals with a dot, rates with six decimals. " +
			"Written as Norwegian and Swedish Excel open it: UTF-8 with a byte-order mark, `;` between cells, CRLF line ends.", Tags: tags},
		func(ctx context.Context, in *idInput) (*documentOutput, error) {
			var buf bytes.Buffer
			if err := svc.RunCSV(ctx, actor(ctx), in.ID, &buf); err != nil {
				return nil, billingFail(ctx, d, err, nil, "")
			}
			name := fmt.Sprintf("invoice-run-%d.csv", in.ID)
			return &documentOutput{ContentType: "text/csv; charset=utf-8", ContentDisposition: mime.FormatMediaType("attachment", map[string]string{"filename": name}), Body: buf.Bytes()}, nil
		})
}
