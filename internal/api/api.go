// Package api is Samla's JSON API under /api/v1: thin adapters from HTTP
// onto the domain services, with bearer-token authentication and an
// OpenAPI 3.1 document at /api/v1/openapi.json.
package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/samla-org/samla/internal/access"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/cases"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/i18n"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/rates"
	"github.com/samla-org/samla/internal/usage"
	"github.com/samla-org/samla/internal/validate"
)

// Prefix is where the API lives.
const Prefix = "/api/v1"

// Deps are the services the API adapts.
type Deps struct {
	Users     *auth.Service
	Members   *members.Service
	Products  *products.Service
	Enrolment *enrolment.Service
	Billing   *billing.Service
	Rates     *rates.Service
	Cases     *cases.Service
	Usage     *usage.Service
	Access    *access.Service
	Catalog   *i18n.Catalog
	Version   string
}

type ctxKey int

const (
	keyActor ctxKey = iota
	keyLang
)

func actor(ctx context.Context) auth.Actor {
	a, _ := ctx.Value(keyActor).(auth.Actor)
	return a
}

func lang(ctx context.Context) string {
	if l, ok := ctx.Value(keyLang).(string); ok {
		return l
	}
	return i18n.Default
}

// Register mounts the API on mux.
func Register(mux *http.ServeMux, d Deps) huma.API {
	api := newAPI(mux, d)
	registerLibraries(api, d)
	registerRegistry(api, d)
	registerProducts(api, d)
	registerEnrolment(api, d)
	registerBilling(api, d)
	registerCases(api, d)
	registerUsage(api, d)
	registerAccess(api, d)
	registerAccessRanges(api, d)
	return api
}

// RegisterAccessOnly adds only the IP lookup, for `samla serve
// --access-only`: a separate, hardened instance that answers vendors and
// nothing else.
func RegisterAccessOnly(mux *http.ServeMux, d Deps) huma.API {
	api := newAPI(mux, d)
	registerAccess(api, d)
	registerAccessRanges(api, d)
	return api
}

func newAPI(mux *http.ServeMux, d Deps) huma.API {
	cfg := huma.DefaultConfig("Samla API", d.Version)
	cfg.Info.Description = "The member registry of a library consortium: libraries, contacts, IP ranges, import and export. Authenticate with `Authorization: Bearer <token>`; tokens are made on the account page."
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{"bearer": {Type: "http", Scheme: "bearer"}}
	cfg.Security = []map[string][]string{{"bearer": {}}}
	cfg.DocsPath = "/docs"
	api := humago.NewWithPrefix(mux, Prefix, cfg)
	api.UseMiddleware(authenticate(api, d))
	return api
}

// authenticate resolves the bearer token to an actor for every operation;
// the OpenAPI document and docs stay public so clients can be generated.
func authenticate(api huma.API, d Deps) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		l := i18n.Pick("", ctx.Header("Accept-Language"))
		ctx = huma.WithValue(ctx, keyLang, l)
		op := ctx.Operation()
		// The OpenAPI document, the docs and operations declared with an empty
		// Security list (the public product catalogue) need no token.
		if op == nil || op.OperationID == "" || (op.Security != nil && len(op.Security) == 0) {
			next(ctx)
			return
		}
		token, ok := strings.CutPrefix(ctx.Header("Authorization"), "Bearer ")
		if !ok {
			_ = huma.WriteErr(api, ctx, http.StatusUnauthorized, d.Catalog.T(l, "error.unauthorized", nil))
			return
		}
		a, err := d.Users.ActorForToken(ctx.Context(), strings.TrimSpace(token))
		if errors.Is(err, auth.ErrBadCredentials) {
			_ = huma.WriteErr(api, ctx, http.StatusUnauthorized, d.Catalog.T(l, "error.unauthorized", nil))
			return
		}
		if err != nil {
			_ = huma.WriteErr(api, ctx, http.StatusInternalServerError, d.Catalog.T(l, "error.internal", nil))
			return
		}
		next(huma.WithValue(ctx, keyActor, a))
	}
}

// Warning is a translated validation warning or problem.
type Warning struct {
	Field   string         `json:"field"`
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Value   string         `json:"value,omitempty"`
	Args    map[string]any `json:"args,omitempty"`
}

func warnings(ctx context.Context, d Deps, ps []*validate.Problem) []Warning {
	out := make([]Warning, 0, len(ps))
	for _, p := range ps {
		out = append(out, Warning{Field: p.Field, Code: p.Code, Message: d.Catalog.T(lang(ctx), p.Code, p.Args), Value: p.Value, Args: p.Args})
	}
	return out
}

// fail maps domain errors to HTTP problems with translated messages; a
// validation error lists every field with its code and message.
func fail(ctx context.Context, d Deps, err error) error {
	l := lang(ctx)
	var ve *validate.Invalid
	switch {
	case errors.As(err, &ve):
		return unprocessable(d, l, ve, func(f string) string { return f }, problemArgs)
	case isAny(err, notFound):
		return huma.Error404NotFound(d.Catalog.T(l, "error.not_found", nil))
	case isAny(err, forbidden):
		return huma.Error403Forbidden(d.Catalog.T(l, "error.forbidden", nil))
	case isAny(err, conflict):
		return huma.Error409Conflict(d.Catalog.T(l, "error.conflict", nil))
	}
	return huma.Error500InternalServerError(d.Catalog.T(l, "error.internal", nil), err)
}

// Every domain's typed errors, answered alike by fail: a domain adds its
// own here once instead of wrapping fail in a mapping of its own.
var (
	notFound  = []error{members.ErrNotFound, products.ErrNotFound, enrolment.ErrNotFound, cases.ErrNotFound, usage.ErrNotFound}
	forbidden = []error{members.ErrForbidden, auth.ErrForbidden, products.ErrForbidden, enrolment.ErrForbidden, cases.ErrForbidden,
		usage.ErrForbidden, access.ErrForbidden}
	conflict = []error{members.ErrConflict, products.ErrConflict, enrolment.ErrConflict, cases.ErrConflict}
)

func isAny(err error, targets []error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

// unprocessable answers 422 with one detail per validation problem (every
// domain's ValidationError is a *validate.Invalid): where, as loc names the
// field in the request, its code and its text in the caller's language.
func unprocessable(d Deps, l string, ve *validate.Invalid, loc func(field string) string, args func(l string, a map[string]any) map[string]any) error {
	details := make([]error, 0, len(ve.Problems))
	for _, p := range ve.Problems {
		details = append(details, &huma.ErrorDetail{Message: p.Code + ": " + d.Catalog.T(l, p.Code, args(l, p.Args)), Location: "body." + loc(p.Field), Value: p.Value})
	}
	return huma.Error422UnprocessableEntity(d.Catalog.T(l, "error.validation", nil), details...)
}
