// Package usageweb is the usage statistics' pages: the overview table and
// chart with its exports, the upload of COUNTER reports, platforms and
// their SUSHI setup, the harvest log, cost per use and the gaps between
// subscription and use, the monthly statistics story for the blog and the
// yearly BibStat export. Only the consortium's admins and staff use them;
// the service refuses everyone else, and so do the routes.
//
//	GET  /usage                              filter, chart and table
//	GET  /usage/export.csv|.xlsx             the same table as a file
//	GET  /usage/upload; POST /usage/upload    COUNTER files, one or many
//	GET  /usage/platforms                    platforms, products and SUSHI setup
//	POST /usage/platforms/{id}               maps a platform to a product
//	POST /usage/sushi/endpoints|credentials  SUSHI server and a library's access
//	GET  /usage/harvests; POST /usage/harvests  the harvest log; harvest a month
//	GET  /usage/cost; GET /usage/gaps        cost per use; subscription without use
//	GET  /usage/story; GET /usage/story/chart.svg  the month's story and its chart
//	GET  /usage/bibstat; GET /usage/bibstat.xlsx   the year for BibStat
//	GET  /usage/static/usage.css             the pages' styles
package usageweb

import (
	"embed"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/usage"
	"github.com/samla-org/samla/internal/validate"
	"github.com/samla-org/samla/internal/web"
)

//go:embed templates
var templates embed.FS

//go:embed usage.css
var stylesheet []byte

// Deps are the services the pages use.
type Deps struct {
	Usage    *usage.Service
	Members  *members.Service
	Products *products.Service
}

type handlers struct {
	app   *web.App
	d     Deps
	svc   *usage.Service
	pages *web.Pages
	chart *chartFile
}

// Register adds the usage statistics' routes.
func Register(mux *http.ServeMux, app *web.App, d Deps) error {
	pages, err := app.ParsePages(templates, "templates/*.html")
	if err != nil {
		return err
	}
	cf, err := parseChartFile()
	if err != nil {
		return err
	}
	h := &handlers{app: app, d: d, svc: d.Usage, pages: pages, chart: cf}
	c := func(f http.HandlerFunc) http.HandlerFunc { return app.RequireRole(f, auth.RoleAdmin, auth.RoleStaff) }

	mux.HandleFunc("GET /usage/static/usage.css", app.RequireLogin(h.css))
	mux.HandleFunc("GET /usage", c(h.overview))
	mux.HandleFunc("GET /usage/export.csv", c(h.exportCSV))
	mux.HandleFunc("GET /usage/export.xlsx", c(h.exportXLSX))
	mux.HandleFunc("GET /usage/upload", c(h.uploadForm))
	mux.HandleFunc("POST /usage/upload", c(h.upload))
	mux.HandleFunc("GET /usage/platforms", c(h.platforms))
	mux.HandleFunc("POST /usage/platforms/{id}", c(h.mapPlatform))
	mux.HandleFunc("POST /usage/sushi/endpoints", c(h.saveEndpoint))
	mux.HandleFunc("POST /usage/sushi/credentials", c(h.saveCredential))
	mux.HandleFunc("GET /usage/harvests", c(h.harvests))
	mux.HandleFunc("POST /usage/harvests", c(h.harvest))
	mux.HandleFunc("GET /usage/cost", c(h.cost))
	mux.HandleFunc("GET /usage/gaps", c(h.gaps))
	mux.HandleFunc("GET /usage/story", c(h.story))
	mux.HandleFunc("GET /usage/story/chart.svg", c(h.storyChart))
	mux.HandleFunc("GET /usage/bibstat", c(h.bibstat))
	mux.HandleFunc("GET /usage/bibstat.xlsx", c(h.bibstatXLSX))
	return nil
}

// css serves the pages' stylesheet: the layout's sheet is shared, and
// these rules (tables of numbers, charts, the story) belong to usage.
func (h *handlers) css(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	_, _ = w.Write(stylesheet)
}

// errorPages are how this package's pages show the domain's errors.
var errorPages = []web.ErrorPage{
	{Err: usage.ErrNotFound, Status: http.StatusNotFound, MsgID: "error.not_found"},
	{Err: usage.ErrForbidden, Status: http.StatusForbidden, MsgID: "error.forbidden"},
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

// problems translates the problems of a ValidationError; ok is false
// when err is none.
func (h *handlers) problems(r *http.Request, err error) (msgs []string, ok bool) {
	var ve *usage.ValidationError
	if !errors.As(err, &ve) {
		return nil, false
	}
	for _, p := range ve.Problems {
		msgs = append(msgs, h.problem(r, p))
	}
	return msgs, true
}

// problem translates one problem; its value is passed as .Value, which
// some messages quote.
func (h *handlers) problem(r *http.Request, p *validate.Problem) string {
	args := map[string]any{"Value": p.Value}
	for k, v := range p.Args {
		args[k] = v
	}
	return h.app.T(r, p.Code, args)
}

// userError is what a form shows for err: translated problems, the
// missing key said plainly, or nil when err is none of those (a server
// error the caller must fail with).
func (h *handlers) userError(r *http.Request, err error) []string {
	if msgs, ok := h.problems(r, err); ok {
		return msgs
	}
	if errors.Is(err, usage.ErrNoKey) {
		return []string{h.app.T(r, "uweb.sushi.no_key", nil)}
	}
	return nil
}

func (h *handlers) now() time.Time {
	if h.svc.Now != nil {
		return h.svc.Now().UTC()
	}
	return time.Now().UTC()
}

// lastMonth is the month before now, the newest a vendor has reported.
func (h *handlers) lastMonth() time.Time {
	n := h.now()
	return time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
}

// monthParam reads a "YYYY-MM" parameter, or def when it is missing or
// not a month.
func monthParam(r *http.Request, name string, def time.Time) time.Time {
	if m, err := time.Parse("2006-01", r.FormValue(name)); err == nil {
		return m
	}
	return def
}

// yearParam reads a year, or def.
func yearParam(r *http.Request, def int) int {
	if y, err := strconv.Atoi(r.FormValue("year")); err == nil && y >= 1990 && y <= 2200 {
		return y
	}
	return def
}

func int64Param(r *http.Request, name string) int64 {
	v, _ := strconv.ParseInt(r.FormValue(name), 10, 64)
	return v
}

func download(w http.ResponseWriter, ctype, name string, data []byte) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

const (
	xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	csvType  = "text/csv; charset=utf-8"
	svgType  = "image/svg+xml"
)
