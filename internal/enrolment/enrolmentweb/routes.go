// Package enrolmentweb is the HTML interface for agreements, enrolment
// windows, trials, subscriptions, terms acceptance and data processing
// agreements. admin_*.go holds the consortium's pages, library_*.go the
// pages a library contact uses.
package enrolmentweb

import (
	"context"
	"embed"
	"errors"
	"net/http"
	"strconv"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/web"
)

//go:embed templates
var templates embed.FS

// Handlers serves the enrolment pages.
type Handlers struct {
	app    *web.App
	svc    *enrolment.Service
	pages  *web.Pages
	quotes Quoter
}

// Quoter says what offers cost a library under their price models
// (billing.Service.Quotes); libraryID 0 asks for the prices that are the
// same for everyone.
type Quoter func(ctx context.Context, offerIDs []int64, libraryID int64) (map[int64]billing.Quote, error)

// Register adds the enrolment pages to mux. quotes may be nil: then only
// flat prices are shown.
func Register(mux *http.ServeMux, app *web.App, svc *enrolment.Service, quotes Quoter) error {
	pages, err := app.ParsePages(templates, "templates/*.html")
	if err != nil {
		return err
	}
	h := &Handlers{app: app, svc: svc, pages: pages, quotes: quotes}
	registerAdmin(mux, h)
	registerLibrary(mux, h)
	return nil
}

// consortium lets admins and staff through.
func (h *Handlers) consortium(f http.HandlerFunc) http.HandlerFunc {
	return h.app.RequireRole(f, auth.RoleAdmin, auth.RoleStaff)
}

func pathID(r *http.Request, name string) int64 {
	id, _ := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id
}

// fail maps a domain error to a page. A refusal (such as accepting terms on
// a library's behalf) says why, in the user's language.
func (h *Handlers) fail(w http.ResponseWriter, r *http.Request, err error) {
	var refusal *enrolment.Refusal
	switch {
	case errors.As(err, &refusal):
		h.app.Error(w, r, http.StatusForbidden, refusal.MessageID)
	case errors.Is(err, enrolment.ErrNotFound):
		h.app.Error(w, r, http.StatusNotFound, "error.not_found")
	case errors.Is(err, enrolment.ErrForbidden):
		h.app.Error(w, r, http.StatusForbidden, "error.forbidden")
	case errors.Is(err, enrolment.ErrConflict):
		h.app.Error(w, r, http.StatusConflict, "error.conflict")
	case errors.Is(err, enrolment.ErrWindowClosed):
		h.app.Error(w, r, http.StatusConflict, "enrolment.error.window_closed")
	default:
		h.app.ServerError(w, r, err)
	}
}
