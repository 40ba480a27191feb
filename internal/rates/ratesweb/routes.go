// Package ratesweb is the admin page for exchange rates: the stored rates,
// importing a central bank's file, and entering a rate by hand.
package ratesweb

import (
	"embed"
	"errors"
	"net/http"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/rates"
	"github.com/samla-org/samla/internal/web"
)

//go:embed templates
var templates embed.FS

// Handlers serves the exchange-rate page.
type Handlers struct {
	app   *web.App
	svc   *rates.Service
	pages *web.Pages
}

// Register adds the exchange-rate pages to mux, for consortium admins and
// staff only.
func Register(mux *http.ServeMux, app *web.App, svc *rates.Service) error {
	pages, err := app.ParsePages(templates, "templates/*.html")
	if err != nil {
		return err
	}
	h := &Handlers{app: app, svc: svc, pages: pages}
	staff := func(f http.HandlerFunc) http.HandlerFunc { return app.RequireRole(f, auth.RoleAdmin, auth.RoleStaff) }

	mux.HandleFunc("GET /rates", staff(h.list))
	mux.HandleFunc("POST /rates", staff(h.addManual))
	mux.HandleFunc("POST /rates/import", staff(h.importFile))
	mux.HandleFunc("POST /rates/{id}/delete", staff(h.deleteManual))
	return nil
}

// fail maps a domain error to an error page; validation and file errors
// are shown on the page by the handlers themselves.
func (h *Handlers) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, rates.ErrNotFound):
		h.app.Error(w, r, http.StatusNotFound, "error.not_found")
	case errors.Is(err, rates.ErrForbidden):
		h.app.Error(w, r, http.StatusForbidden, "error.forbidden")
	case errors.Is(err, rates.ErrBusy):
		h.app.Error(w, r, http.StatusConflict, "error.conflict")
	default:
		h.app.ServerError(w, r, err)
	}
}
