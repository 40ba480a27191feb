package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/i18n"
	"github.com/samla-org/samla/internal/validate"
)

//go:embed templates
var templateFS embed.FS

// Layout is the page frame every domain's pages are parsed into.
type Layout struct{ base, errorPage *template.Template }

func parseLayout() (*Layout, error) {
	t, err := template.New("layout").Funcs(Funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	e, err := t.Clone()
	if err == nil {
		_, err = e.New("content").Parse(`{{template "error-content" .}}`)
	}
	if err != nil {
		return nil, fmt.Errorf("parse error page: %w", err)
	}
	return &Layout{base: t, errorPage: e}, nil
}

// Pages are one package's page templates, each joined with the layout.
type Pages struct{ byName map[string]*template.Template }

// ParsePages parses every file matching pattern in fsys into its own copy of
// the layout, so pages can each define "content" without clashing. Files
// named partial_*.html hold templates several pages share (a form used to
// create and to edit): they are parsed into every page rather than served
// as pages of their own. (Not "_*.html": go:embed skips such names.)
func (a *App) ParsePages(fsys fs.FS, pattern string) (*Pages, error) {
	files, err := fs.Glob(fsys, pattern)
	if err != nil {
		return nil, err
	}
	var pages, partials []string
	for _, f := range files {
		if strings.HasPrefix(path.Base(f), "partial_") {
			partials = append(partials, f)
		} else {
			pages = append(pages, f)
		}
	}
	p := &Pages{byName: map[string]*template.Template{}}
	for _, f := range pages {
		t, err := a.layout.base.Clone()
		if err != nil {
			return nil, err
		}
		if t, err = t.ParseFS(fsys, append([]string{f}, partials...)...); err != nil {
			return nil, fmt.Errorf("parse %s: %w", f, err)
		}
		p.byName[path.Base(f)] = t
	}
	return p, nil
}

// Page is what every template receives.
type Page struct {
	Title     string
	Lang      string
	Languages []string
	User      *auth.User
	Actor     auth.Actor
	Flash     string
	Path      string
	Query     url.Values
	Data      any
	cat       *i18n.Catalog
}

// T translates id; kv are key/value pairs for the message template.
func (p *Page) T(id string, kv ...any) string {
	var data map[string]any
	if len(kv) > 0 {
		data = map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			data[fmt.Sprint(kv[i])] = kv[i+1]
		}
	}
	return p.cat.T(p.Lang, id, data)
}

// Problem translates a validation problem.
func (p *Page) Problem(pr *validate.Problem) string {
	if pr == nil {
		return ""
	}
	return p.cat.T(p.Lang, pr.Code, pr.Args)
}

// FieldLabel translates a field name through the "field." messages.
func (p *Page) FieldLabel(field string) string {
	id := "field." + field
	if p.cat.Has(p.Lang, id) || p.cat.Has(i18n.Default, id) {
		return p.cat.T(p.Lang, id, nil)
	}
	return field
}

// valueLabels names the message prefix of fields whose stored values are
// codes, so change lists show "Folkebibliotek" rather than "public".
var valueLabels = map[string]string{"type": "type.", "invoice_party": "invoice_party.", "role": "contact_role.", "country": "country."}

// Value shows a stored value of field in the user's language.
func (p *Page) Value(field string, v any) string {
	s := fmt.Sprint(v)
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return p.cat.T(p.Lang, "value.yes", nil)
		}
		return p.cat.T(p.Lang, "value.no", nil)
	}
	if prefix, ok := valueLabels[field]; ok && p.cat.Has(i18n.Default, prefix+s) {
		return p.cat.T(p.Lang, prefix+s, nil)
	}
	return s
}

// Time shows a UTC time in the consortium's zone.
func (p *Page) Time(t time.Time) string {
	zone := "Europe/Oslo"
	if p.Lang == "sv" {
		zone = "Europe/Stockholm"
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04")
}

// NewPage builds the page data for r.
func (a *App) NewPage(r *http.Request, title string, data any) *Page {
	return &Page{Title: title, Lang: Lang(r), Languages: i18n.Languages, User: CurrentUser(r), Actor: ActorOf(r),
		Flash: a.Sessions.PopString(r.Context(), "flash"), Path: r.URL.Path, Query: r.URL.Query(), Data: data, cat: a.Catalog}
}

// Render writes a whole page (or, for htmx requests that ask for a block,
// only that block).
func (a *App) Render(w http.ResponseWriter, r *http.Request, pages *Pages, name string, status int, p *Page) {
	t, ok := pages.byName[name]
	if !ok {
		a.ServerError(w, r, fmt.Errorf("no template %s", name))
		return
	}
	exec := "layout"
	if block := r.Header.Get("HX-Target"); r.Header.Get("HX-Request") == "true" && block != "" && t.Lookup(block) != nil {
		exec = block
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, exec, p); err != nil {
		a.ServerError(w, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// Error shows a translated error page with status.
func (a *App) Error(w http.ResponseWriter, r *http.Request, status int, msgID string) {
	p := a.NewPage(r, a.T(r, msgID, nil), nil)
	var buf bytes.Buffer
	if err := a.layout.errorPage.ExecuteTemplate(&buf, "layout", p); err != nil {
		http.Error(w, p.Title, status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// Flash shows msg on the next page the user sees.
func (a *App) Flash(r *http.Request, msg string) { a.Sessions.Put(r.Context(), "flash", msg) }

// Funcs are the template helpers that need no request.
var Funcs = template.FuncMap{
	"deref": func(v any) any {
		switch x := v.(type) {
		case *int64:
			if x == nil {
				return ""
			}
			return strconv.FormatInt(*x, 10)
		case *float64:
			if x == nil {
				return ""
			}
			return strconv.FormatFloat(*x, 'f', -1, 64)
		case *string:
			if x == nil {
				return ""
			}
			return *x
		}
		return v
	},
	"add": func(a, b int) int { return a + b },
	"sub": func(a, b int) int { return a - b },
	"str": func(v any) string {
		if v == nil {
			return ""
		}
		return fmt.Sprint(v)
	},
	"i64": func(v int64) string { return strconv.FormatInt(v, 10) },
	// args bundles a page with one field's settings for the shared field templates.
	"args": func(p *Page, field, kind string, required bool) map[string]any {
		return map[string]any{"Page": p, "Field": field, "Kind": kind, "Required": required}
	},
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// ErrorPage says how a page shows one domain error.
type ErrorPage struct {
	Err    error
	Status int
	MsgID  string
}

// Fail shows the error page of the first of pages whose error err is (by
// errors.Is), and a server error for anything else: each domain lists its
// own typed errors once, and the pages share how they are shown.
func (a *App) Fail(w http.ResponseWriter, r *http.Request, err error, pages []ErrorPage) {
	for _, p := range pages {
		if errors.Is(err, p.Err) {
			a.Error(w, r, p.Status, p.MsgID)
			return
		}
	}
	a.ServerError(w, r, err)
}

// SeeOther flashes msg (when there is one) and sends the browser to path
// with 303, the answer to a form post that worked.
func (a *App) SeeOther(w http.ResponseWriter, r *http.Request, path, msg string) {
	if msg != "" {
		a.Flash(r, msg)
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}
