// Package productweb is the HTML interface for vendors and products,
// including the public product catalogue.
package productweb

import (
	"embed"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/i18n"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/validate"
	"github.com/samla-org/samla/internal/web"
)

//go:embed templates
var templates embed.FS

// Handlers serves the vendor, product and catalogue pages.
type Handlers struct {
	app   *web.App
	svc   *products.Service
	pages *web.Pages
}

// Register adds the product pages to mux. The catalogue is public; the
// vendor and product pages are for consortium admins and staff.
func Register(mux *http.ServeMux, app *web.App, svc *products.Service) error {
	pages, err := app.ParsePages(templates, "templates/*.html")
	if err != nil {
		return err
	}
	h := &Handlers{app: app, svc: svc, pages: pages}
	staff := func(f http.HandlerFunc) http.HandlerFunc { return app.RequireRole(f, auth.RoleAdmin, auth.RoleStaff) }

	mux.HandleFunc("GET /catalogue", h.catalogue)
	mux.HandleFunc("GET /catalogue/{slug}", h.catalogueProduct)

	mux.HandleFunc("GET /vendors", staff(h.vendors))
	mux.HandleFunc("GET /vendors/new", staff(h.newVendor))
	mux.HandleFunc("POST /vendors", staff(h.createVendor))
	mux.HandleFunc("GET /vendors/{id}", staff(h.editVendor))
	mux.HandleFunc("POST /vendors/{id}", staff(h.updateVendor))

	mux.HandleFunc("GET /products", staff(h.products))
	mux.HandleFunc("GET /products/new", staff(h.newProduct))
	mux.HandleFunc("POST /products", staff(h.createProduct))
	mux.HandleFunc("GET /products/{id}", staff(h.editProduct))
	mux.HandleFunc("POST /products/{id}", staff(h.updateProduct))
	mux.HandleFunc("GET /products/{id}/training", staff(h.training))
	mux.HandleFunc("POST /products/{id}/training", staff(h.addTraining))
	mux.HandleFunc("POST /products/{id}/training/{tid}/delete", staff(h.removeTraining))
	mux.HandleFunc("GET /products/{id}/licences", staff(h.licences))
	mux.HandleFunc("POST /products/{id}/licences", staff(h.addLicence))
	// Anyone who may see the product may read its licence.
	mux.HandleFunc("GET /products/{id}/licences/{version}/document", app.RequireLogin(h.licenceDocument))
	return nil
}

func pathID(r *http.Request, name string) int64 {
	id, _ := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id
}

// fail maps a domain error to an error page; validation errors are handled
// by the form handlers themselves.
func (h *Handlers) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, products.ErrNotFound):
		h.app.Error(w, r, http.StatusNotFound, "error.not_found")
	case errors.Is(err, products.ErrForbidden):
		h.app.Error(w, r, http.StatusForbidden, "error.forbidden")
	case errors.Is(err, products.ErrConflict):
		h.app.Error(w, r, http.StatusConflict, "error.conflict")
	default:
		h.app.ServerError(w, r, err)
	}
}

// byField groups problems by their field, for inline errors.
func byField(ps []*validate.Problem) map[string][]*validate.Problem {
	out := map[string][]*validate.Problem{}
	for _, p := range ps {
		out[p.Field] = append(out[p.Field], p)
	}
	return out
}

// validationProblems returns the problems of a ValidationError, or nil.
func validationProblems(err error) []*validate.Problem {
	var ve *products.ValidationError
	if errors.As(err, &ve) {
		return ve.Problems
	}
	return nil
}

// conflictProblem keeps a refused form on screen and says why.
var conflictProblem = []*validate.Problem{{Field: "_form", Code: "error.conflict"}}

// osloTime shows an instant as the consortium reads it, with the zone's
// abbreviation (CET or CEST) so nobody has to guess.
func osloTime(t time.Time) string { return t.In(calendar.Zone).Format("2006-01-02 15:04 MST") }

// paragraphs splits a text into paragraphs at blank lines, each a list of
// its lines, so a page keeps the writer's line breaks (the CSP forbids the
// inline style that white-space would need).
func paragraphs(s string) [][]string {
	var out [][]string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, strings.Split(p, "\n"))
		}
	}
	return out
}

// pageLang is the language the catalogue is read in: ?lang= when it names
// one (so a link can carry it), else the site's choice.
func pageLang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); slices.Contains(i18n.Languages, l) {
		return l
	}
	return web.Lang(r)
}
