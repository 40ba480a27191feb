package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/money"
)

// vendorInvoiceView is a vendor's invoice as registered and checked.
type vendorInvoiceView struct {
	ID              int64         `json:"id"`
	AgreementID     int64         `json:"agreement_id"`
	Number          string        `json:"number"`
	InvoiceDate     calendar.Date `json:"invoice_date"`
	Currency        string        `json:"currency"`
	AmountMinor     int64         `json:"amount_minor"`
	Rate            string        `json:"rate" doc:"Home currency per unit of currency, as paid"`
	HomeCurrency    string        `json:"home_currency"`
	HomeMinor       int64         `json:"home_minor" doc:"amount_minor at rate, in minor units of home_currency"`
	PaidOn          calendar.Date `json:"paid_on,omitempty"`
	Status          string        `json:"status" enum:"registered,approved"`
	ExpectedMinor   int64         `json:"expected_minor" doc:"What was agreed, in minor units of currency"`
	DifferenceMinor int64         `json:"difference_minor" doc:"amount_minor − expected_minor"`
	Note            string        `json:"note"`
	CreatedBy       string        `json:"created_by"`
	CreatedAt       time.Time     `json:"created_at"`
	ApprovedBy      string        `json:"approved_by,omitempty"`
	ApprovedAt      *time.Time    `json:"approved_at,omitempty"`
}

func viewVendorInvoice(v *billing.VendorInvoice, home string) vendorInvoiceView {
	return vendorInvoiceView{ID: v.ID, AgreementID: v.AgreementID, Number: v.Number, InvoiceDate: v.InvoiceDate, Currency: v.Currency,
		AmountMinor: v.AmountMinor, Rate: money.Rate(v.RateMicro).String(), HomeCurrency: home, HomeMinor: v.HomeMinor, PaidOn: v.PaidOn,
		Status: v.Status, ExpectedMinor: v.ExpectedMinor, DifferenceMinor: v.DifferenceMinor, Note: v.Note, CreatedBy: v.CreatedBy,
		CreatedAt: v.CreatedAt, ApprovedBy: v.ApprovedBy, ApprovedAt: v.ApprovedAt}
}

type vendorInvoiceCreateInput struct {
	ID   int64 `path:"id" doc:"The agreement"`
	Body struct {
		Number      string        `json:"number"`
		InvoiceDate calendar.Date `json:"invoice_date"`
		Currency    string        `json:"currency"`
		AmountMinor int64         `json:"amount_minor"`
		Rate        string        `json:"rate,omitempty" doc:"Home currency per unit as paid, a decimal string; left out: the rate on file for the invoice date"`
		PaidOn      calendar.Date `json:"paid_on,omitempty"`
		Note        string        `json:"note,omitempty"`
	}
}
type vendorInvoiceOutput struct{ Body vendorInvoiceView }
type vendorInvoicesOutput struct{ Body []vendorInvoiceView }
type vendorApproveInput struct {
	ID   int64 `path:"id"`
	Body struct {
		Note string `json:"note,omitempty" doc:"Required when the invoice differs from what was agreed: why it is right to pay it"`
	}
}

type costCreateInput struct {
	Body struct {
		Year        int    `json:"year"`
		Description string `json:"description"`
		AmountMinor int64  `json:"amount_minor" doc:"In minor units of the home currency"`
	}
}
type costOutput struct{ Body *billing.Cost }
type yearInput struct {
	Year int `query:"year" doc:"Default this year"`
}
type costsOutput struct{ Body *billing.CostsReport }

func registerVendorInvoices(api huma.API, d Deps) {
	tags := []string{"Vendor invoices and costs"}
	svc := d.Billing
	home := func(ctx context.Context) (string, error) {
		st, err := svc.GetSettings(ctx)
		if err != nil {
			return "", err
		}
		return st.HomeCurrency, nil
	}
	huma.Register(api, huma.Operation{OperationID: "register-vendor-invoice", Method: http.MethodPost, Path: "/billing/agreements/{id}/vendor-invoices",
		Summary: "Register a vendor's invoice for an agreement (consortium admin)",
		Description: "It is checked at once against what was agreed: the offers' vendor totals, or the prices of the libraries enrolled; " +
			"`difference_minor` says by how much it differs.",
		DefaultStatus: http.StatusCreated, Tags: tags},
		func(ctx context.Context, in *vendorInvoiceCreateInput) (*vendorInvoiceOutput, error) {
			b := in.Body
			vi, err := svc.RegisterVendorInvoice(ctx, actor(ctx), billing.VendorInvoiceInput{AgreementID: in.ID, Number: b.Number,
				InvoiceDate: b.InvoiceDate, Currency: b.Currency, AmountMinor: b.AmountMinor, Rate: b.Rate, PaidOn: b.PaidOn, Note: b.Note})
			if err != nil {
				return nil, billingFail(ctx, d, err, map[string]string{"amount": "amount_minor"}, "")
			}
			h, err := home(ctx)
			if err != nil {
				return nil, billingFail(ctx, d, err, nil, "")
			}
			return &vendorInvoiceOutput{Body: viewVendorInvoice(vi, h)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "list-vendor-invoices", Method: http.MethodGet, Path: "/billing/agreements/{id}/vendor-invoices",
		Summary: "An agreement's vendor invoices (consortium)", Tags: tags},
		func(ctx context.Context, in *idInput) (*vendorInvoicesOutput, error) {
			vis, err := svc.VendorInvoices(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, billingFail(ctx, d, err, nil, "")
			}
			h, err := home(ctx)
			if err != nil {
				return nil, billingFail(ctx, d, err, nil, "")
			}
			out := &vendorInvoicesOutput{Body: make([]vendorInvoiceView, 0, len(vis))}
			for _, v := range vis {
				out.Body = append(out.Body, viewVendorInvoice(v, h))
			}
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "approve-vendor-invoice", Method: http.MethodPost, Path: "/billing/vendor-invoices/{id}/approve",
		Summary: "Approve a vendor's invoice for payment (consortium admin)", Description: "Idempotent. An invoice that differs from what was agreed needs a `note` (422 without).",
		DefaultStatus: http.StatusNoContent, Tags: tags},
		func(ctx context.Context, in *vendorApproveInput) (*struct{}, error) {
			if err := svc.ApproveVendorInvoice(ctx, actor(ctx), in.ID, in.Body.Note); err != nil {
				return nil, billingFail(ctx, d, err, nil, "")
			}
			return nil, nil
		})

	huma.Register(api, huma.Operation{OperationID: "add-consortium-cost", Method: http.MethodPost, Path: "/billing/costs",
		Summary: "Add an item of the consortium's own running costs for a year (consortium admin)", DefaultStatus: http.StatusCreated, Tags: tags},
		func(ctx context.Context, in *costCreateInput) (*costOutput, error) {
			c, err := svc.AddCost(ctx, actor(ctx), in.Body.Year, in.Body.Description, in.Body.AmountMinor)
			if err != nil {
				return nil, billingFail(ctx, d, err, map[string]string{"amount": "amount_minor"}, "")
			}
			return &costOutput{Body: c}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "consortium-costs", Method: http.MethodGet, Path: "/billing/costs",
		Summary: "A year's running costs, what has been invoiced of them and who paid (consortium)", Tags: tags},
		func(ctx context.Context, in *yearInput) (*costsOutput, error) {
			r, err := svc.Costs(ctx, actor(ctx), yearOr(in.Year))
			if err != nil {
				return nil, billingFail(ctx, d, err, nil, "")
			}
			r.Items = nonNil(r.Items)
			return &costsOutput{Body: r}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "delete-consortium-cost", Method: http.MethodDelete, Path: "/billing/costs/{id}",
		Summary: "Remove an item of the running costs (consortium admin)", DefaultStatus: http.StatusNoContent, Tags: tags},
		func(ctx context.Context, in *idInput) (*struct{}, error) {
			if err := svc.DeleteCost(ctx, actor(ctx), in.ID); err != nil {
				return nil, billingFail(ctx, d, err, nil, "")
			}
			return nil, nil
		})
}
