// Package caseweb is the case desk's pages: the list of cases with its
// filters and saved views, a case with its thread and the forms that work
// it, attachment and raw-mail downloads, text snippets and the temperature
// of each product and vendor. Only the consortium's admins and staff use
// them; the service refuses everyone else, and so do the routes.
//
//	GET  /cases                                   list, filter form, saved views
//	POST /cases/views                             saves the current filter; POST /cases/views/{id}/delete
//	GET  /cases/{id}                              the case, its thread and the forms
//	POST /cases/{id}                              edits the case's fields
//	POST /cases/{id}/tags|follow|notes|reply      tags, follow, internal note, reply
//	POST /cases/{id}/participants                 adds one; POST …/{pid}/delete removes one
//	GET  /cases/{id}/snippet?snippet=&body=       (htmx) the reply text with a snippet appended
//	GET  /cases/{id}/attachments/{aid}            download of an attachment
//	GET  /cases/{id}/messages/{mid}/raw           the mail exactly as received
//	GET  /cases/snippets                          snippets; new, edit, delete below it
//	GET  /cases/temperature?period=week|month     per product and vendor, with a chart
//	GET  /cases/static/cases.css                  the pages' styles
package caseweb

import (
	"embed"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/cases"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/validate"
	"github.com/samla-org/samla/internal/web"
)

//go:embed templates
var templates embed.FS

//go:embed cases.css
var stylesheet []byte

// Deps are the services the pages use.
type Deps struct {
	Cases    *cases.Service
	Members  *members.Service
	Products *products.Service
	Users    *auth.Service
}

type handlers struct {
	app   *web.App
	d     Deps
	svc   *cases.Service
	pages *web.Pages
}

// Register adds the case desk's routes.
func Register(mux *http.ServeMux, app *web.App, d Deps) error {
	pages, err := app.ParsePages(templates, "templates/*.html")
	if err != nil {
		return err
	}
	h := &handlers{app: app, d: d, svc: d.Cases, pages: pages}
	c := func(f http.HandlerFunc) http.HandlerFunc { return app.RequireRole(f, auth.RoleAdmin, auth.RoleStaff) }

	mux.HandleFunc("GET /cases/static/cases.css", app.RequireLogin(h.css))
	mux.HandleFunc("GET /cases", c(h.list))
	mux.HandleFunc("POST /cases/views", c(h.saveView))
	mux.HandleFunc("POST /cases/views/{id}/delete", c(h.deleteView))

	mux.HandleFunc("GET /cases/snippets", c(h.snippets))
	mux.HandleFunc("GET /cases/snippets/new", c(h.newSnippet))
	mux.HandleFunc("POST /cases/snippets", c(h.createSnippet))
	mux.HandleFunc("POST /cases/snippets/{id}/delete", c(h.deleteSnippet))

	mux.HandleFunc("GET /cases/temperature", c(h.temperature))

	// /cases/snippets/{id} and /cases/{id}/snippet overlap (neither pattern
	// is more specific, so ServeMux refuses both): one pattern per method
	// takes the two-segment paths and sends each where it belongs.
	mux.HandleFunc("GET /cases/{id}", c(h.show))
	mux.HandleFunc("POST /cases/{id}", c(h.update))
	mux.HandleFunc("GET /cases/{id}/{sub}", c(h.getSub))
	mux.HandleFunc("POST /cases/{id}/{sub}", c(h.postSub))
	mux.HandleFunc("POST /cases/{id}/participants/{pid}/delete", c(h.removeParticipant))
	mux.HandleFunc("GET /cases/{id}/attachments/{aid}", c(h.attachment))
	mux.HandleFunc("GET /cases/{id}/messages/{mid}/raw", c(h.raw))
	return nil
}

func (h *handlers) getSub(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("id") == "snippets" {
		h.editSnippet(w, r, pathID(r, "sub"))
		return
	}
	switch r.PathValue("sub") {
	case "snippet":
		h.insertSnippet(w, r)
	default:
		h.app.Error(w, r, http.StatusNotFound, "error.not_found")
	}
}

func (h *handlers) postSub(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("id") == "snippets" {
		h.updateSnippet(w, r, pathID(r, "sub"))
		return
	}
	switch r.PathValue("sub") {
	case "tags":
		h.setTags(w, r)
	case "follow":
		h.follow(w, r)
	case "participants":
		h.addParticipant(w, r)
	case "reply":
		h.reply(w, r)
	case "notes":
		h.note(w, r)
	default:
		h.app.Error(w, r, http.StatusNotFound, "error.not_found")
	}
}

// css serves the pages' stylesheet: the layout's sheet is shared, and
// these rules (thread, chart) belong to the case desk.
func (h *handlers) css(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	_, _ = w.Write(stylesheet)
}

// pathID reads a numeric path value; 0 when it is none.
func pathID(r *http.Request, name string) int64 {
	id, _ := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id
}

func caseURL(id int64) string { return "/cases/" + strconv.FormatInt(id, 10) }

// errorPages are how this package's pages show the domain's errors.
var errorPages = []web.ErrorPage{
	{Err: cases.ErrNotFound, Status: http.StatusNotFound, MsgID: "error.not_found"},
	{Err: cases.ErrForbidden, Status: http.StatusForbidden, MsgID: "error.forbidden"},
	{Err: cases.ErrConflict, Status: http.StatusConflict, MsgID: "error.conflict"},
}

// fail maps a domain error to an error page.
func (h *handlers) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.app.Fail(w, r, err, errorPages)
}

// render shows one of the pages.
func (h *handlers) render(w http.ResponseWriter, r *http.Request, name string, status int, title string, data any) {
	h.app.Render(w, r, h.pages, name, status, h.app.NewPage(r, title, data))
}

// redirect flashes a message and sends the browser to path.
func (h *handlers) redirect(w http.ResponseWriter, r *http.Request, path, msg string) {
	h.app.SeeOther(w, r, path, msg)
}

// validationProblems returns the problems of a ValidationError, or nil.
func validationProblems(err error) []*validate.Problem {
	var ve *cases.ValidationError
	if errors.As(err, &ve) {
		return ve.Problems
	}
	return nil
}

// messages translates problems by field, prefixed with the form's name
// ("reply.body"), so one page can show the errors of any of its forms.
// The problem's value is passed as .Value too: some messages quote it.
func (h *handlers) messages(r *http.Request, form string, ps []*validate.Problem) map[string][]string {
	out := map[string][]string{}
	for _, p := range ps {
		args := map[string]any{"Value": p.Value}
		for k, v := range p.Args {
			args[k] = v
		}
		field := p.Field
		if field == "" {
			field = "_form"
		}
		out[form+"."+field] = append(out[form+"."+field], h.app.T(r, p.Code, args))
	}
	return out
}

func (h *handlers) now() time.Time {
	if h.svc.Now != nil {
		return h.svc.Now()
	}
	return time.Now()
}

// duration shows a span the way people say it: "3 d 4 t", "5 t 10 min".
func (h *handlers) duration(r *http.Request, d time.Duration) string {
	if d < 0 {
		d = 0
	}
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case days > 0:
		return h.app.T(r, "cweb.dur.days", map[string]any{"D": days, "H": hours})
	case hours > 0:
		return h.app.T(r, "cweb.dur.hours", map[string]any{"H": hours, "M": mins})
	default:
		return h.app.T(r, "cweb.dur.minutes", map[string]any{"M": mins})
	}
}

func id64(v int64) string { return fmt.Sprint(v) }

func isConflict(err error) bool { return errors.Is(err, cases.ErrConflict) }
