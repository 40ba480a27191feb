package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/samla-org/samla/internal/billing"
)

type economyOutput struct{ Body *billing.Economy }
type economiesOutput struct {
	Body struct {
		Year       int                `json:"year"`
		Agreements []*billing.Economy `json:"agreements" doc:"Every agreement starting in the year, by name"`
	}
}

type libraryReportInput struct {
	ID   int64 `path:"id" doc:"The library"`
	Year int   `query:"year" doc:"Default this year; the year before is included"`
}
type libraryReportOutput struct {
	Body struct {
		LibraryID int64                   `json:"library_id"`
		Year      int                     `json:"year"`
		Currency  string                  `json:"currency" doc:"The home currency, which every amount is in"`
		Charges   []billing.LibraryCharge `json:"charges" doc:"What the library paid for what, in the year and the year before, net of credit notes"`
	}
}

const economyDoc = "In the home currency: `collected_minor` is what libraries paid without markup; " +
	"`expected_cost_minor` the vendor's invoices at the rates libraries were charged; `deficit_minor` = expected − collected; " +
	"`currency_result_minor` = markup − (real cost − expected cost), the markup buffer after the currency swing; " +
	"`net_minor` = collected + markup + deficit covered − real cost. Before the vendor's invoice (`cost_known` false) " +
	"the costs are the offers' vendor totals."

func registerEconomy(api huma.API, d Deps) {
	tags := []string{"Economy"}
	svc := d.Billing
	huma.Register(api, huma.Operation{OperationID: "economy", Method: http.MethodGet, Path: "/billing/economy",
		Summary: "The economy of every agreement that starts in a year (consortium)", Description: economyDoc, Tags: tags},
		func(ctx context.Context, in *yearInput) (*economiesOutput, error) {
			year := yearOr(in.Year)
			es, err := svc.Economies(ctx, actor(ctx), year)
			if err != nil {
				return nil, billingFail(ctx, d, err, nil, "")
			}
			out := &economiesOutput{}
			out.Body.Year, out.Body.Agreements = year, nonNil(es)
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "agreement-economy", Method: http.MethodGet, Path: "/billing/agreements/{id}/economy",
		Summary: "The economy of one agreement period (consortium)", Description: economyDoc, Tags: tags},
		func(ctx context.Context, in *idInput) (*economyOutput, error) {
			e, err := svc.AgreementEconomy(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, billingFail(ctx, d, err, nil, "")
			}
			return &economyOutput{Body: e}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "library-billing-report", Method: http.MethodGet, Path: "/billing/libraries/{id}/report",
		Summary:     "What a library pays for what, this year and the year before",
		Description: "For the consortium, the library's county contact and the library's own contacts.", Tags: tags},
		func(ctx context.Context, in *libraryReportInput) (*libraryReportOutput, error) {
			year := yearOr(in.Year)
			cs, err := svc.LibraryReport(ctx, actor(ctx), in.ID, year)
			if err != nil {
				return nil, billingFail(ctx, d, err, nil, "")
			}
			st, err := svc.GetSettings(ctx)
			if err != nil {
				return nil, billingFail(ctx, d, err, nil, "")
			}
			out := &libraryReportOutput{}
			out.Body.LibraryID, out.Body.Year, out.Body.Currency, out.Body.Charges = in.ID, year, st.HomeCurrency, nonNil(cs)
			return out, nil
		})
}
