package api

import (
	"context"
	"net"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/samla-org/samla/internal/enrolment"
)

// blockerView is a blocker with its sentence in the caller's language.
type blockerView struct {
	enrolment.Blocker
	Message string `json:"message"`
}

// subscriptionView is a subscription with its state and translated blockers.
type subscriptionView struct {
	enrolment.Subscription
	LibraryName string        `json:"library_name"`
	ProductName string        `json:"product_name"`
	ProductSlug string        `json:"product_slug"`
	VendorID    int64         `json:"vendor_id"`
	VendorName  string        `json:"vendor_name"`
	State       string        `json:"state" enum:"trial,pending_terms,pending_agreement,active,upcoming,ended"`
	Blockers    []blockerView `json:"blockers" doc:"What keeps it from being active: terms to accept, a data processing agreement to sign"`
}

func viewSubscriptions(ctx context.Context, d Deps, vs []enrolment.SubscriptionView) []subscriptionView {
	out := make([]subscriptionView, 0, len(vs))
	for _, v := range vs {
		sv := subscriptionView{Subscription: v.Subscription, LibraryName: v.LibraryName, ProductName: v.ProductName, ProductSlug: v.ProductSlug,
			VendorID: v.VendorID, VendorName: v.VendorName, State: v.State, Blockers: make([]blockerView, 0, len(v.Blockers))}
		for _, b := range v.Blockers {
			sv.Blockers = append(sv.Blockers, blockerView{Blocker: b, Message: translated(ctx, d, b.MessageID, b.Args)})
		}
		out = append(out, sv)
	}
	return out
}

// todoView is a to-do item with its sentence in the caller's language.
type todoView struct {
	enrolment.ToDoItem
	Message string `json:"message"`
}

type subscriptionsOutput struct{ Body []subscriptionView }
type todoOutput struct{ Body []todoView }
type subscriptionRowsOutput struct{ Body []enrolment.SubscriptionRow }
type pendingOutput struct{ Body []enrolment.PendingAcceptance }

type libraryProductInput struct {
	ID        int64 `path:"id" doc:"The library"`
	ProductID int64 `path:"productID"`
}
type termsStatusOutput struct{ Body *enrolment.TermsStatus }

// acceptInput captures the client's address (huma calls Resolve before the
// handler), which the acceptance records.
type acceptInput struct {
	ID            int64  `path:"id" doc:"The library"`
	ProductID     int64  `path:"productID"`
	XForwardedFor string `header:"X-Forwarded-For" doc:"Recorded beside the connection's address when a proxy sets it"`
	Body          struct {
		LicenceVersion int `json:"licence_version" doc:"The licence version you read and accept: the current one"`
	}
	remoteAddr string
}

// Resolve records where the request came from.
func (in *acceptInput) Resolve(ctx huma.Context) []error {
	in.remoteAddr = ctx.RemoteAddr()
	return nil
}

// address is the connection's host, and what a proxy says it forwarded
// for: the first cannot be forged by the client, the second can.
func (in *acceptInput) address() string {
	addr := in.remoteAddr
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	if xff := strings.TrimSpace(in.XForwardedFor); xff != "" {
		addr += " (X-Forwarded-For: " + xff + ")"
	}
	return addr
}

type acceptOutput struct{ Body *enrolment.TermsAcceptance }

func registerSubscriptions(api huma.API, d Deps) {
	tags := []string{"Subscriptions"}
	svc := d.Enrolment
	huma.Register(api, huma.Operation{OperationID: "library-subscriptions", Method: http.MethodGet, Path: "/libraries/{id}/subscriptions",
		Summary: "A library's subscriptions with their state and what blocks them",
		Description: "State is trial, pending_terms, pending_agreement, upcoming, active or ended (Europe/Oslo days). " +
			"Current and coming first, by product, then ended ones. A vendor contact sees only its own products.", Tags: tags},
		func(ctx context.Context, in *idInput) (*subscriptionsOutput, error) {
			vs, err := svc.States(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			return &subscriptionsOutput{Body: viewSubscriptions(ctx, d, vs)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "library-todo", Method: http.MethodGet, Path: "/libraries/{id}/todo",
		Summary:     "What waits on a library: terms to accept, agreements to sign, open windows, lapsed trials",
		Description: "Soonest due first. For those who act for the library.", Tags: tags},
		func(ctx context.Context, in *idInput) (*todoOutput, error) {
			items, err := svc.ToDo(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			out := &todoOutput{Body: make([]todoView, 0, len(items))}
			for _, it := range items {
				out.Body = append(out.Body, todoView{ToDoItem: it, Message: translated(ctx, d, it.MessageID, it.Args)})
			}
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "product-subscriptions", Method: http.MethodGet, Path: "/products/{id}/subscriptions",
		Summary:     "The subscriptions to a product that you may see",
		Description: "All for the consortium and the product's vendor, a county's for a county contact, its own for a library contact.", Tags: tags},
		func(ctx context.Context, in *idInput) (*subscriptionRowsOutput, error) {
			rows, err := svc.SubscriptionsForProduct(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			return &subscriptionRowsOutput{Body: nonNil(rows)}, nil
		})
}

func registerTerms(api huma.API, d Deps) {
	tags := []string{"Terms"}
	svc := d.Enrolment
	huma.Register(api, huma.Operation{OperationID: "pending-acceptances", Method: http.MethodGet, Path: "/products/{id}/pending-acceptances",
		Summary:     "Subscribed libraries that have not accepted the product's current licence version",
		Description: "Empty when the product requires no acceptance or has no licence text yet.", Tags: tags},
		func(ctx context.Context, in *idInput) (*pendingOutput, error) {
			ps, err := svc.PendingAcceptances(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			return &pendingOutput{Body: nonNil(ps)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "terms-status", Method: http.MethodGet, Path: "/libraries/{id}/terms/{productID}",
		Summary: "Whether a library has accepted the current licence of a product, and whether you may accept", Tags: tags},
		func(ctx context.Context, in *libraryProductInput) (*termsStatusOutput, error) {
			st, err := svc.TermsStatus(ctx, actor(ctx), in.ID, in.ProductID)
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			return &termsStatusOutput{Body: st}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "accept-terms", Method: http.MethodPost, Path: "/libraries/{id}/terms/{productID}/accept",
		Summary: "Accept the current licence terms of a product for your library",
		Description: "Only a library contact of that library may accept: the library is bound by the terms. " +
			"Anyone else — a consortium admin, staff, a county contact, a vendor, any of their API tokens — gets 403 with the reason, and nothing is recorded. " +
			"The acceptance records who, when, which version and from which address. Accepting the same version again returns the first acceptance; " +
			"a version that is not the current one is refused (422).", Tags: tags},
		func(ctx context.Context, in *acceptInput) (*acceptOutput, error) {
			ta, err := svc.AcceptTerms(ctx, actor(ctx), in.ID, in.ProductID, in.Body.LicenceVersion, in.address())
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			return &acceptOutput{Body: ta}, nil
		})
}
