package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/samla-org/samla/internal/billing"
)

type billingAgreementsOutput struct{ Body []billing.AgreementRow }
type billingAgreementOutput struct{ Body billing.AgreementRow }
type offerPricesOutput struct{ Body []billing.OfferPricing }
type offerPriceOutput struct{ Body billing.OfferPricing }

type priceInput struct {
	ID   int64 `path:"id" doc:"The offer"`
	Body struct {
		Model           string            `json:"model" doc:"flat, tiers, rate or shared"`
		Currency        string            `json:"currency" doc:"The currency of every amount of the price: NOK, SEK, EUR, USD, GBP or DKK"`
		FlatMinor       int64             `json:"flat_minor,omitempty" doc:"flat: the price per library in minor units (øre, cents)"`
		Spec            billing.PriceSpec `json:"spec,omitempty" doc:"tiers: basis and bands; rate: basis, rate (a decimal string, major units per unit), min_minor, max_minor; shared: total_minor, among, key, fixed, county_pays"`
		VendorCostMinor *int64            `json:"vendor_cost_minor,omitempty" doc:"What the vendor invoices for the offer in all, in the price's currency; checked against the vendor's invoice"`
	}
}

// priceFields are the price's domain field names as paths in its body.
var priceFields = map[string]string{"price_model": "model", "price": "flat_minor", "vendor_cost": "vendor_cost_minor",
	"basis": "spec.basis", "bands": "spec.bands", "rate": "spec.rate", "min": "spec.min_minor", "max": "spec.max_minor",
	"total": "spec.total_minor", "among": "spec.among", "key": "spec.key", "fixed": "spec.fixed", "county_pays": "spec.county_pays"}

type markupInput struct {
	ID   int64 `path:"id" doc:"The agreement"`
	Body struct {
		BasisPoints int64 `json:"basis_points" doc:"The currency markup on prices in another currency than the invoice's: 500 = 5 %, at most 5000"`
	}
}

type vatInput struct {
	ID   int64 `path:"id" doc:"The product"`
	Body struct {
		Category string `json:"category" doc:"S (standard), Z (zero-rated) or E (exempt)"`
		RateBP   int64  `json:"rate_bp,omitempty" doc:"S: the rate in basis points, 2500 = 25 %"`
	}
}

func registerPrices(api huma.API, d Deps) {
	tags := []string{"Billing"}
	svc := d.Billing
	huma.Register(api, huma.Operation{OperationID: "billing-agreements", Method: http.MethodGet, Path: "/billing/agreements",
		Summary: "Agreements with their currency markup, newest first (consortium)", Tags: tags},
		func(ctx context.Context, _ *struct{}) (*billingAgreementsOutput, error) {
			as, err := svc.Agreements(ctx, actor(ctx))
			if err != nil {
				return nil, billingFail(ctx, d, err, nil, "")
			}
			return &billingAgreementsOutput{Body: nonNil(as)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "billing-offers", Method: http.MethodGet, Path: "/billing/agreements/{id}/offers",
		Summary: "An agreement's offers with their price models, VAT and number of subscribers (consortium)", Tags: tags},
		func(ctx context.Context, in *idInput) (*offerPricesOutput, error) {
			os, err := svc.Offers(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, billingFail(ctx, d, err, nil, "")
			}
			return &offerPricesOutput{Body: nonNil(os)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "set-offer-price", Method: http.MethodPut, Path: "/billing/offers/{id}/price",
		Summary: "Set an offer's price model (consortium admin)",
		Description: "Every amount is in minor units of `currency`. Models: `flat` (flat_minor per library); `tiers` " +
			"(spec.basis fte, population or students; spec.bands from–to inclusive, to 0 or left out meaning \"and above\", " +
			"without gaps or overlaps); `rate` (spec.rate per unit of spec.basis as a decimal string, optional spec.min_minor " +
			"and spec.max_minor); `shared` (spec.total_minor split among libraries or counties by key population, equal or " +
			"fixed, with spec.fixed weights like {\"library:12\": 3} or {\"county:NO-46\": 2}, and spec.county_pays " +
			"libraries or county_library when counties share). A wrong field gives 422 naming it, e.g. body.spec.bands[1].",
		Tags: tags},
		func(ctx context.Context, in *priceInput) (*offerPriceOutput, error) {
			by := actor(ctx)
			b := in.Body
			err := svc.SetPrice(ctx, by, in.ID, billing.PriceInput{Model: b.Model, Currency: b.Currency, FlatMinor: b.FlatMinor,
				Spec: b.Spec, VendorCostMinor: b.VendorCostMinor})
			if err != nil {
				return nil, billingFail(ctx, d, err, priceFields, "")
			}
			o, err := d.Enrolment.GetOffer(ctx, by, in.ID)
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			os, err := svc.Offers(ctx, by, o.Offer.AgreementID)
			if err != nil {
				return nil, billingFail(ctx, d, err, nil, "")
			}
			for _, p := range os {
				if p.OfferID == in.ID {
					return &offerPriceOutput{Body: p}, nil
				}
			}
			return nil, billingFail(ctx, d, billing.ErrNotFound, nil, "")
		})
	huma.Register(api, huma.Operation{OperationID: "set-agreement-markup", Method: http.MethodPut, Path: "/billing/agreements/{id}/markup",
		Summary: "Set an agreement's currency markup (consortium admin)", Tags: tags},
		func(ctx context.Context, in *markupInput) (*billingAgreementOutput, error) {
			by := actor(ctx)
			if err := svc.SetMarkup(ctx, by, in.ID, in.Body.BasisPoints); err != nil {
				return nil, billingFail(ctx, d, err, map[string]string{"markup": "basis_points"}, "")
			}
			as, err := svc.Agreements(ctx, by)
			if err != nil {
				return nil, billingFail(ctx, d, err, nil, "")
			}
			for _, a := range as {
				if a.ID == in.ID {
					return &billingAgreementOutput{Body: a}, nil
				}
			}
			return nil, billingFail(ctx, d, billing.ErrNotFound, nil, "")
		})
	huma.Register(api, huma.Operation{OperationID: "set-product-vat", Method: http.MethodPut, Path: "/billing/products/{id}/vat",
		Summary: "Set a product's VAT category and rate (consortium admin)", Description: "Z and E carry no rate; the rate given is ignored.",
		DefaultStatus: http.StatusNoContent, Tags: tags},
		func(ctx context.Context, in *vatInput) (*struct{}, error) {
			if err := svc.SetProductVAT(ctx, actor(ctx), in.ID, in.Body.Category, in.Body.RateBP); err != nil {
				return nil, billingFail(ctx, d, err, map[string]string{"vat_category": "category", "vat_rate": "rate_bp"}, "")
			}
			return nil, nil
		})
}
