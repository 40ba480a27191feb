// Package server assembles Samla's HTTP handler from the domain services,
// the web pages and the API. cmd/samla and the end-to-end tests both use it,
// so they serve exactly the same thing.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"github.com/samla-org/samla/internal/access"
	"github.com/samla-org/samla/internal/api"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/billing/billingweb"
	"github.com/samla-org/samla/internal/cases"
	"github.com/samla-org/samla/internal/cases/caseweb"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/enrolment/enrolmentweb"
	"github.com/samla-org/samla/internal/i18n"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/members/memberweb"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/products/productweb"
	"github.com/samla-org/samla/internal/rates"
	"github.com/samla-org/samla/internal/rates/ratesweb"
	"github.com/samla-org/samla/internal/sso"
	"github.com/samla-org/samla/internal/sso/oidc"
	"github.com/samla-org/samla/internal/sso/saml"
	"github.com/samla-org/samla/internal/sso/ssoweb"
	"github.com/samla-org/samla/internal/usage"
	"github.com/samla-org/samla/internal/usage/usageweb"
	"github.com/samla-org/samla/internal/web"
)

// Version is set at build time with -ldflags "-X …/server.Version=…".
var Version = "dev"

// Services are the domain services, built once per database.
type Services struct {
	DB        *db.DB
	Users     *auth.Service
	Members   *members.Service
	Products  *products.Service
	Enrolment *enrolment.Service
	Rates     *rates.Service
	Billing   *billing.Service
	Cases     *cases.Service
	Usage     *usage.Service
	Access    *access.Service
	SSO       *sso.Service
	Catalog   *i18n.Catalog
}

// NewServices builds the domain services over d.
func NewServices(d *db.DB) (*Services, error) {
	cat, err := i18n.Load()
	if err != nil {
		return nil, fmt.Errorf("load message catalogue: %w", err)
	}
	m := &members.Service{DB: d}
	p := &products.Service{DB: d}
	e := &enrolment.Service{DB: d, Products: p}
	users := &auth.Service{DB: d, Scope: m.LibrariesForContactEmail, VendorScope: e.VendorSubscribers}
	rs := &rates.Service{DB: d}
	b := &billing.Service{DB: d, Catalog: cat, Rates: rs.RateOn}
	c := &cases.Service{DB: d, Catalog: cat}
	u := &usage.Service{DB: d}
	ac := &access.Service{DB: d, Enrolment: e, Changed: users.ForgetTokens}
	return &Services{DB: d, Users: users, Members: m, Products: p, Enrolment: e, Rates: rs, Billing: b, Cases: c, Usage: u, Access: ac,
		SSO: &sso.Service{DB: d, Users: users}, Catalog: cat}, nil
}

// Handler is the whole application: pages, API and static files.
func Handler(s *Services, dataDir string, log *slog.Logger) (http.Handler, error) {
	return HandlerWithSSO(s, dataDir, log, SSO{})
}

// SSO are the identity providers staff can sign in with. Their Finisher
// is made here, from the web app.
type SSO struct {
	OIDC []oidc.Config
	SAML *saml.Config
}

// HandlerWithSSO is Handler with single sign-on. A provider that cannot be
// reached at start is left out and logged: password login still works, and
// a restart picks it up.
func HandlerWithSSO(s *Services, dataDir string, log *slog.Logger, providers SSO) (http.Handler, error) {
	app, err := web.New(s.DB, s.Users, s.Catalog, log)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	if err := app.Routes(mux); err != nil {
		return nil, err
	}
	if err := registerSSO(mux, app, s, providers, log); err != nil {
		return nil, err
	}
	if err := memberweb.Register(mux, app, s.Members, filepath.Join(dataDir, "uploads")); err != nil {
		return nil, err
	}
	if err := productweb.Register(mux, app, s.Products); err != nil {
		return nil, err
	}
	if err := enrolmentweb.Register(mux, app, s.Enrolment, s.Billing.Quotes); err != nil {
		return nil, err
	}
	if err := ratesweb.Register(mux, app, s.Rates); err != nil {
		return nil, err
	}
	if err := billingweb.Register(mux, app, s.Billing); err != nil {
		return nil, err
	}
	if err := caseweb.Register(mux, app, caseweb.Deps{Cases: s.Cases, Members: s.Members, Products: s.Products, Users: s.Users}); err != nil {
		return nil, err
	}
	if err := usageweb.Register(mux, app, usageweb.Deps{Usage: s.Usage, Members: s.Members, Products: s.Products}); err != nil {
		return nil, err
	}
	mux.HandleFunc("GET /healthz", healthz(s))
	apiMux := http.NewServeMux()
	deps := api.Deps{Users: s.Users, Members: s.Members, Products: s.Products, Enrolment: s.Enrolment, Billing: s.Billing, Rates: s.Rates, Cases: s.Cases, Usage: s.Usage, Access: s.Access, Catalog: s.Catalog, Version: Version}
	api.Register(apiMux, deps)
	// The API authenticates by bearer token, not cookies, so it sits outside
	// the session and cross-origin middleware that protect the forms.
	root := http.NewServeMux()
	root.Handle(api.Prefix+"/", apiMux)
	root.Handle(accessLookupPattern, api.AccessLookupFast(deps, apiMux))
	root.Handle("/", app.Handler(mux))
	return root, nil
}

func registerSSO(mux *http.ServeMux, app *web.App, s *Services, providers SSO, log *slog.Logger) error {
	if err := ssoweb.Register(mux, app, s.SSO); err != nil {
		return err
	}
	fin := &ssoweb.Finisher{App: app, SSO: s.SSO}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, c := range providers.OIDC {
		p, err := oidc.New(ctx, c, fin)
		if err != nil {
			log.Error("single sign-on: OpenID Connect provider left out", "key", c.Key, "issuer", c.Issuer, "err", err)
			continue
		}
		p.Register(mux)
		app.SignInOptions = append(app.SignInOptions, p)
	}
	if c := providers.SAML; c != nil {
		p, err := saml.New(ctx, *c, fin)
		if err != nil {
			log.Error("single sign-on: SAML identity provider left out", "err", err)
			return nil
		}
		p.Register(mux)
		// The identity provider's answer is a form posted from its origin.
		app.AllowCrossOriginPost(saml.ACSPattern)
		app.SignInOptions = append(app.SignInOptions, p)
	}
	return nil
}

// accessLookupPattern is the one API route with a hand-written fast path.
const accessLookupPattern = "GET " + api.Prefix + "/access/ip/{address}"

// AccessHandler is the IP lookup alone, with its health check: what
// `samla serve --access-only` serves.
func AccessHandler(s *Services) http.Handler {
	apiMux := http.NewServeMux()
	deps := api.Deps{Users: s.Users, Access: s.Access, Catalog: s.Catalog, Version: Version}
	api.RegisterAccessOnly(apiMux, deps)
	root := http.NewServeMux()
	root.Handle(api.Prefix+"/", apiMux)
	root.Handle(accessLookupPattern, api.AccessLookupFast(deps, apiMux))
	root.HandleFunc("GET /healthz", healthz(s))
	return root
}

// healthz answers ok while the database does.
func healthz(s *Services) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := s.DB.PingContext(r.Context()); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	}
}
