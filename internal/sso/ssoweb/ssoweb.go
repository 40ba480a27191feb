// Package ssoweb joins the identity providers to the web app: it finishes
// their round trips (a session, or the login page with why not) and is the
// admin page of the e-mail domains allowed to create users at sign-in.
package ssoweb

import (
	"embed"
	"errors"
	"net/http"
	"strconv"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/sso"
	"github.com/samla-org/samla/internal/sso/oidc"
	"github.com/samla-org/samla/internal/sso/saml"
	"github.com/samla-org/samla/internal/web"
)

//go:embed templates
var templates embed.FS

// Finisher ends every provider's round trip in the web app.
type Finisher struct {
	App *web.App
	SSO *sso.Service
}

// SignedIn implements sso.Finisher.
func (f *Finisher) SignedIn(w http.ResponseWriter, r *http.Request, id sso.Identity, next string) {
	u, err := f.SSO.SignIn(r.Context(), id)
	if err != nil {
		f.App.Log.Info("sign-in refused", "provider", id.Provider, "subject", id.Subject, "email", id.Email, "err", err)
		if errors.Is(err, sso.ErrNotAllowed) {
			email := id.Email
			if email == "" {
				email = "–"
			}
			f.App.LoginFailed(w, r, f.App.T(r, "login.sso_not_allowed", map[string]any{"Email": email}), http.StatusForbidden)
			return
		}
		f.Failed(w, r, err)
		return
	}
	f.App.Log.Info("signed in", "provider", id.Provider, "user", u.ID)
	f.App.StartSession(w, r, u.ID, next)
}

// Failed implements sso.Finisher: the login page, with a message that says
// what the user can do about it and nothing about tokens.
func (f *Finisher) Failed(w http.ResponseWriter, r *http.Request, err error) {
	msg, status := "login.sso_rejected", http.StatusUnauthorized
	switch {
	case errors.Is(err, sso.ErrDisabled):
		msg, status = "login.sso_disabled", http.StatusForbidden
	case errors.Is(err, oidc.ErrDenied):
		msg = "login.sso_denied"
	case errors.Is(err, oidc.ErrState), errors.Is(err, oidc.ErrReplay), errors.Is(err, saml.ErrRequest), errors.Is(err, saml.ErrReplay):
		msg, status = "login.sso_expired", http.StatusBadRequest
	case errors.Is(err, oidc.ErrExchange):
		msg, status = "login.sso_unavailable", http.StatusBadGateway
	}
	if !errors.Is(err, sso.ErrDisabled) {
		f.App.Log.Warn("sign-in failed", "err", err)
	}
	f.App.LoginFailed(w, r, f.App.T(r, msg, nil), status)
}

// Register adds the sign-in domain page, for admins.
func Register(mux *http.ServeMux, app *web.App, svc *sso.Service) error {
	pages, err := app.ParsePages(templates, "templates/*.html")
	if err != nil {
		return err
	}
	h := &handlers{app: app, svc: svc, pages: pages}
	admin := func(f http.HandlerFunc) http.HandlerFunc { return app.RequireRole(f, auth.RoleAdmin) }
	mux.HandleFunc("GET /sign-in-domains", admin(func(w http.ResponseWriter, r *http.Request) { h.show(w, r, nil, "", http.StatusOK) }))
	mux.HandleFunc("POST /sign-in-domains", admin(h.allow))
	mux.HandleFunc("POST /sign-in-domains/{id}/delete", admin(h.remove))
	return nil
}

type handlers struct {
	app   *web.App
	svc   *sso.Service
	pages *web.Pages
}

type domainsPage struct {
	Domains   []sso.Domain
	Roles     []auth.Role
	Libraries []web.NameOption
	Vendors   []web.NameOption
	Names     map[string]string // "library:7" → name, for the list
	Form      map[string]string
	Error     string
}

func (h *handlers) show(w http.ResponseWriter, r *http.Request, form map[string]string, errMsg string, status int) {
	ctx := r.Context()
	ds, err := h.svc.Domains(ctx, web.ActorOf(r))
	if err != nil {
		h.app.ServerError(w, r, err)
		return
	}
	p := domainsPage{Domains: ds, Roles: auth.Roles, Form: form, Error: errMsg, Names: map[string]string{}}
	if p.Libraries, err = h.app.LibraryOptions(ctx); err != nil {
		h.app.ServerError(w, r, err)
		return
	}
	if p.Vendors, err = h.app.VendorOptions(ctx); err != nil {
		h.app.ServerError(w, r, err)
		return
	}
	for _, l := range p.Libraries {
		p.Names["library:"+strconv.FormatInt(l.ID, 10)] = l.Name
	}
	for _, v := range p.Vendors {
		p.Names["vendor:"+strconv.FormatInt(v.ID, 10)] = v.Name
	}
	if p.Form == nil {
		p.Form = map[string]string{}
	}
	h.app.Render(w, r, h.pages, "domains.html", status, h.app.NewPage(r, h.app.T(r, "sso.domains.title", nil), p))
}

func (h *handlers) allow(w http.ResponseWriter, r *http.Request) {
	in := sso.DomainInput{Domain: r.FormValue("domain"), Role: auth.Role(r.FormValue("role"))}
	if id, err := strconv.ParseInt(r.FormValue("library_id"), 10, 64); err == nil {
		in.LibraryID = &id
	}
	if id, err := strconv.ParseInt(r.FormValue("vendor_id"), 10, 64); err == nil {
		in.VendorID = &id
	}
	_, err := h.svc.AllowDomain(r.Context(), web.ActorOf(r), in)
	if err == nil {
		h.app.Flash(r, h.app.T(r, "sso.domains.allowed", map[string]any{"Domain": in.Domain}))
		http.Redirect(w, r, "/sign-in-domains", http.StatusSeeOther)
		return
	}
	msg := ""
	switch {
	case errors.Is(err, sso.ErrBadDomain):
		msg = "sso.domains.bad_domain"
	case errors.Is(err, sso.ErrDomainExists):
		msg = "sso.domains.exists"
	case errors.Is(err, sso.ErrNeedsLibrary):
		msg = "sso.domains.needs_library"
	case errors.Is(err, auth.ErrNeedsVendor):
		msg = "sso.domains.needs_vendor"
	case !in.Role.Valid():
		msg = "sso.domains.bad_role"
	default:
		h.app.ServerError(w, r, err)
		return
	}
	form := map[string]string{"domain": in.Domain, "role": string(in.Role), "library_id": r.FormValue("library_id"), "vendor_id": r.FormValue("vendor_id")}
	h.show(w, r, form, h.app.T(r, msg, nil), http.StatusUnprocessableEntity)
}

func (h *handlers) remove(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.app.Error(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	switch err := h.svc.RemoveDomain(r.Context(), web.ActorOf(r), id); {
	case errors.Is(err, sso.ErrNotFound):
		h.app.Error(w, r, http.StatusNotFound, "error.not_found")
	case err != nil:
		h.app.ServerError(w, r, err)
	default:
		h.app.Flash(r, h.app.T(r, "sso.domains.removed", nil))
		http.Redirect(w, r, "/sign-in-domains", http.StatusSeeOther)
	}
}
