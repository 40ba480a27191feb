// Package billingweb is the HTML interface for billing: prices per offer,
// invoice runs with their invoices and credit notes, EHF and CSV downloads,
// vendor invoices checked against the agreement, the consortium's own
// costs, deficits, and the economy reports. The consortium's admins and
// staff use every page (staff read only: the service refuses them the
// writing actions and the pages hide those buttons); a library or county
// contact sees only the report of its own libraries.
//
//	GET  /billing                                 links and the agreements
//	GET  /billing/billing.css                     the pages' screen and print styles
//	GET  /billing/settings                        seller details; POST saves
//	GET  /billing/agreements/{id}                 economy, vendor invoices, register and deficit forms
//	POST /billing/agreements/{id}/vendor-invoices registers a vendor invoice
//	POST /billing/agreements/{id}/deficit         creates a deficit run
//	POST /billing/vendor-invoices/{id}/approve    approves a vendor invoice for payment
//	GET  /billing/agreements/{id}/prices          a price form per offer, markup, VAT per product
//	POST /billing/agreements/{id}/offers/{offer}  sets an offer's price
//	POST /billing/agreements/{id}/markup          sets the agreement's markup
//	POST /billing/agreements/{id}/products/{product}/vat  sets a product's VAT
//	GET  /billing/runs                            runs and a new-run form per kind; POST creates
//	GET  /billing/runs/{id}                       invoices, totals, skips; {id}.csv for accounting
//	POST /billing/runs/{id}/approve               approves (idempotent), POST …/discard deletes a draft
//	GET  /billing/invoices/{id}                   printable invoice with computations; {id}.xml is its EHF
//	POST /billing/invoices/{id}                   references and note of a draft
//	POST /billing/invoices/{id}/credit            credit note for chosen lines
//	GET  /billing/costs?year=                     the consortium's costs; POST adds, POST /billing/costs/{id}/delete
//	GET  /billing/report?year=                    economy per agreement; /billing/report.xlsx
//	GET  /billing/libraries/{id}?year=            what a library pays, this year and last; {id}.xlsx
package billingweb

import (
	"embed"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/web"
)

//go:embed templates
var templates embed.FS

//go:embed billing.css
var stylesheet []byte

// handlers serves the billing pages.
type handlers struct {
	app   *web.App
	svc   *billing.Service
	pages *web.Pages
}

// Register adds the billing pages to mux.
func Register(mux *http.ServeMux, app *web.App, svc *billing.Service) error {
	pages, err := app.ParsePages(templates, "templates/*.html")
	if err != nil {
		return err
	}
	h := &handlers{app: app, svc: svc, pages: pages}
	c, login := h.consortium, app.RequireLogin
	mux.HandleFunc("GET /billing", login(h.home))
	mux.HandleFunc("GET /billing/billing.css", login(h.css))
	mux.HandleFunc("GET /billing/settings", c(h.settings))
	mux.HandleFunc("POST /billing/settings", c(h.saveSettings))
	mux.HandleFunc("GET /billing/agreements/{id}", c(h.agreement))
	mux.HandleFunc("POST /billing/agreements/{id}/vendor-invoices", c(h.registerVendorInvoice))
	mux.HandleFunc("POST /billing/agreements/{id}/deficit", c(h.shareDeficit))
	mux.HandleFunc("POST /billing/vendor-invoices/{id}/approve", c(h.approveVendorInvoice))
	mux.HandleFunc("GET /billing/agreements/{id}/prices", c(h.prices))
	mux.HandleFunc("POST /billing/agreements/{id}/offers/{offer}", c(h.setPrice))
	mux.HandleFunc("POST /billing/agreements/{id}/markup", c(h.setMarkup))
	mux.HandleFunc("POST /billing/agreements/{id}/products/{product}/vat", c(h.setVAT))
	mux.HandleFunc("GET /billing/runs", c(h.runs))
	mux.HandleFunc("POST /billing/runs", c(h.createRun))
	mux.HandleFunc("GET /billing/runs/{id}", c(h.run))
	mux.HandleFunc("POST /billing/runs/{id}/approve", c(h.approveRun))
	mux.HandleFunc("POST /billing/runs/{id}/discard", c(h.discardRun))
	mux.HandleFunc("GET /billing/invoices/{id}", c(h.invoice))
	mux.HandleFunc("POST /billing/invoices/{id}", c(h.updateInvoice))
	mux.HandleFunc("POST /billing/invoices/{id}/credit", c(h.creditInvoice))
	mux.HandleFunc("GET /billing/costs", c(h.costs))
	mux.HandleFunc("POST /billing/costs", c(h.addCost))
	mux.HandleFunc("POST /billing/costs/{id}/delete", c(h.deleteCost))
	mux.HandleFunc("GET /billing/report", c(h.report))
	mux.HandleFunc("GET /billing/report.xlsx", c(h.reportXLSX))
	// The library report is also for library and county contacts; the
	// service checks that the library is theirs.
	mux.HandleFunc("GET /billing/libraries/{id}", login(h.library))
	return nil
}

// consortium lets admins and staff through.
func (h *handlers) consortium(f http.HandlerFunc) http.HandlerFunc {
	return h.app.RequireRole(f, auth.RoleAdmin, auth.RoleStaff)
}

// css serves the stylesheet the pages link to: the layout's sheet is
// shared, and the print rules belong to these pages.
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

// pathIDExt reads a path value like "12" or "12.xml": the id and whether
// it ends in ext. ServeMux wildcards take whole segments, so a download
// named after the page shares its route.
func pathIDExt(r *http.Request, name, ext string) (int64, bool) {
	v := r.PathValue(name)
	s, has := strings.CutSuffix(v, ext)
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, false
	}
	return id, has
}

// errorPages are how this package's pages show the domain's errors.
var errorPages = []web.ErrorPage{
	{Err: billing.ErrNotFound, Status: http.StatusNotFound, MsgID: "error.not_found"},
	{Err: billing.ErrForbidden, Status: http.StatusForbidden, MsgID: "error.forbidden"},
	{Err: billing.ErrConflict, Status: http.StatusConflict, MsgID: "error.conflict"},
	{Err: billing.ErrNoRate, Status: http.StatusUnprocessableEntity, MsgID: "bweb.error.no_rate"},
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

// download sends a file as an attachment.
func download(w http.ResponseWriter, ctype, name string, data []byte) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

// xlsxType is the media type of a spreadsheet.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// isAdmin reports whether the user may use the writing actions; staff see
// the same pages without their buttons.
func isAdmin(r *http.Request) bool { return web.ActorOf(r).Role == auth.RoleAdmin }

func (h *handlers) now() time.Time {
	if h.svc.Now != nil {
		return h.svc.Now()
	}
	return time.Now()
}

// today is the consortium's day now.
func (h *handlers) today() calendar.Date { return calendar.Today(h.now()) }

// year reads ?year=, defaulting to this year.
func (h *handlers) year(r *http.Request) int {
	if y, err := strconv.Atoi(strings.TrimSpace(r.URL.Query().Get("year"))); err == nil && y >= 2000 && y <= 2100 {
		return y
	}
	y, _ := strconv.Atoi(string(h.today())[:4])
	return y
}
