package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/samla-org/samla/internal/access"
)

type accessLookupInput struct {
	Address string `path:"address" doc:"An IPv4 or IPv6 address, e.g. 158.36.10.7 or 2001:700:100::1"`
}
type accessLookupOutput struct{ Body *access.Result }
type accessBatchInput struct {
	Body struct {
		Addresses []string `json:"addresses" maxItems:"1000" doc:"Up to 1000 addresses"`
	}
}
type accessBatchOutput struct{ Body []access.Result }

// registerAccess adds the IP lookup vendors use to let library users in.
func registerAccess(api huma.API, d Deps) {
	tags := []string{"Access"}
	huma.Register(api, huma.Operation{OperationID: "access-lookup", Method: http.MethodGet, Path: "/access/ip/{address}", Tags: tags,
		Summary:     "Which library an address belongs to, and what it is entitled to today",
		Description: "A vendor token sees only the vendor's own products, and only libraries that hold one of them. An address shared between libraries says so; a product whose licence terms must be accepted is not granted to an address shared with a library that has not accepted them, and the reason says why."},
		func(ctx context.Context, in *accessLookupInput) (*accessLookupOutput, error) {
			r, err := d.Access.Lookup(ctx, actor(ctx), in.Address)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			return &accessLookupOutput{Body: r}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "access-lookup-many", Method: http.MethodPost, Path: "/access/ip", Tags: tags,
		Summary: "Look up many addresses at once (up to 1000), answered in order"},
		func(ctx context.Context, in *accessBatchInput) (*accessBatchOutput, error) {
			rs, err := d.Access.LookupMany(ctx, actor(ctx), in.Body.Addresses)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			return &accessBatchOutput{Body: rs}, nil
		})
}
