package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/samla-org/samla/internal/enrolment"
)

type agreementListInput struct {
	VendorID int64 `query:"vendor_id" doc:"Only this vendor's agreements (a vendor contact always sees only its own)"`
}
type agreementsOutput struct{ Body []enrolment.Agreement }
type agreementOutput struct{ Body *enrolment.Agreement }
type agreementCreateInput struct{ Body enrolment.AgreementInput }
type agreementUpdateInput struct {
	ID   int64 `path:"id"`
	Body enrolment.AgreementInput
}

type offersOutput struct{ Body []enrolment.OfferDetail }
type offerOutput struct{ Body *enrolment.Offer }
type offerCreateInput struct {
	ID   int64 `path:"id" doc:"The agreement"`
	Body enrolment.OfferInput
}
type offerUpdateInput struct {
	ID   int64 `path:"id" doc:"The offer"`
	Body enrolment.OfferInput
}

func registerAgreements(api huma.API, d Deps) {
	tags := []string{"Agreements"}
	svc := d.Enrolment
	huma.Register(api, huma.Operation{OperationID: "list-agreements", Method: http.MethodGet, Path: "/agreements",
		Summary: "List agreements, newest period first", Description: "Consortium admins and staff see all; a vendor contact its own vendor's.", Tags: tags},
		func(ctx context.Context, in *agreementListInput) (*agreementsOutput, error) {
			as, err := svc.Agreements(ctx, actor(ctx), in.VendorID)
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			return &agreementsOutput{Body: nonNil(as)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "create-agreement", Method: http.MethodPost, Path: "/agreements",
		Summary: "Add an agreement with a vendor for a period (consortium)", Description: "Dates may be written 2026-01-01 or 01.01.2026.",
		DefaultStatus: http.StatusCreated, Tags: tags},
		func(ctx context.Context, in *agreementCreateInput) (*agreementOutput, error) {
			a, err := svc.CreateAgreement(ctx, actor(ctx), in.Body)
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			return &agreementOutput{Body: a}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-agreement", Method: http.MethodGet, Path: "/agreements/{id}", Summary: "Get an agreement", Tags: tags},
		func(ctx context.Context, in *idInput) (*agreementOutput, error) {
			a, err := svc.GetAgreement(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			return &agreementOutput{Body: a}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "update-agreement", Method: http.MethodPut, Path: "/agreements/{id}",
		Summary: "Replace an agreement's fields (consortium)",
		Description: "Send the `version` you read: if someone saved in between, the answer is 409 and nothing changes. " +
			"A new period moves the subscriptions that follow from the agreement's offers with it; the vendor cannot change once the agreement holds offers.",
		Tags: tags},
		func(ctx context.Context, in *agreementUpdateInput) (*agreementOutput, error) {
			if err := needVersion(in.Body.Version); err != nil {
				return nil, err
			}
			a, err := svc.UpdateAgreement(ctx, actor(ctx), in.ID, in.Body)
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			return &agreementOutput{Body: a}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "list-offers", Method: http.MethodGet, Path: "/agreements/{id}/offers",
		Summary: "An agreement's offers, with product and agreement, by product name", Tags: tags},
		func(ctx context.Context, in *idInput) (*offersOutput, error) {
			os, err := svc.Offers(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			return &offersOutput{Body: nonNil(os)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "add-offer", Method: http.MethodPost, Path: "/agreements/{id}/offers",
		Summary: "Offer a product of the agreement's vendor (consortium)",
		Description: "One offer per product per agreement. `price_minor` is the price per library in minor units (øre, cents); " +
			"without it the offer cannot be put in a window or answered yes.",
		DefaultStatus: http.StatusCreated, Tags: tags},
		func(ctx context.Context, in *offerCreateInput) (*offerOutput, error) {
			o, err := svc.AddOffer(ctx, actor(ctx), in.ID, in.Body)
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			return &offerOutput{Body: o}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "update-offer", Method: http.MethodPut, Path: "/offers/{id}",
		Summary:     "Change an offer's price, currency and renewal (consortium)",
		Description: "The product cannot change. Once a price is set only a consortium admin may change it.", Tags: tags},
		func(ctx context.Context, in *offerUpdateInput) (*offerOutput, error) {
			o, err := svc.UpdateOffer(ctx, actor(ctx), in.ID, in.Body)
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			return &offerOutput{Body: o}, nil
		})
}
