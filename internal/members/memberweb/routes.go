// Package memberweb is the member registry's HTML interface.
package memberweb

import (
	"embed"
	"errors"
	"net/http"
	"strconv"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/web"
)

//go:embed templates
var templates embed.FS

// Handlers serves the registry pages.
type Handlers struct {
	app       *web.App
	svc       *members.Service
	pages     *web.Pages
	uploadDir string
}

// Register adds the registry's routes to mux. uploadDir holds files between
// an import's preview and its confirmation.
func Register(mux *http.ServeMux, app *web.App, svc *members.Service, uploadDir string) error {
	pages, err := app.ParsePages(templates, "templates/*.html")
	if err != nil {
		return err
	}
	h := &Handlers{app: app, svc: svc, pages: pages, uploadDir: uploadDir}
	login, consortium := app.RequireLogin, func(f http.HandlerFunc) http.HandlerFunc {
		return app.RequireRole(f, auth.RoleAdmin, auth.RoleStaff)
	}
	mux.HandleFunc("GET /{$}", login(func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/libraries", http.StatusSeeOther) }))
	mux.HandleFunc("GET /libraries", login(h.list))
	mux.HandleFunc("GET /libraries/new", consortium(h.newForm))
	mux.HandleFunc("POST /libraries", consortium(h.create))
	mux.HandleFunc("GET /libraries/{id}", login(h.show))
	mux.HandleFunc("GET /libraries/{id}/edit", login(h.editForm))
	mux.HandleFunc("POST /libraries/{id}", login(h.update))
	mux.HandleFunc("POST /libraries/{id}/delete", app.RequireRole(h.delete, auth.RoleAdmin))
	mux.HandleFunc("POST /libraries/{id}/contacts", login(h.addContact))
	mux.HandleFunc("POST /libraries/{id}/contacts/{cid}/delete", login(h.removeContact))
	mux.HandleFunc("POST /libraries/{id}/ip-ranges", login(h.addIPRange))
	mux.HandleFunc("POST /libraries/{id}/ip-ranges/{rid}/delete", login(h.removeIPRange))
	mux.HandleFunc("GET /import", consortium(h.importForm))
	mux.HandleFunc("POST /import", consortium(h.importPreview))
	mux.HandleFunc("POST /import/apply", consortium(h.importApply))
	mux.HandleFunc("GET /export", login(h.export))
	mux.HandleFunc("GET /shared-addresses", consortium(h.shared))
	return nil
}

func pathID(r *http.Request, name string) int64 {
	id, _ := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id
}

// fail maps a domain error to a page; validation errors are handled by the
// form handlers themselves.
func (h *Handlers) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, members.ErrNotFound):
		h.app.Error(w, r, http.StatusNotFound, "error.not_found")
	case errors.Is(err, members.ErrForbidden):
		h.app.Error(w, r, http.StatusForbidden, "error.forbidden")
	case errors.Is(err, members.ErrConflict):
		h.app.Error(w, r, http.StatusConflict, "error.conflict")
	default:
		h.app.ServerError(w, r, err)
	}
}
