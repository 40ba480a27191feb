package enrolmentweb

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/validate"
)

// registerAdmin adds the consortium's pages, for its admins and staff (the
// service refuses staff what only admins may do, such as answering for a
// library):
//
//	GET  /agreements                      agreements with vendor and period
//	GET  /agreements/new                  form; POST /agreements creates
//	GET  /agreements/{id}                 details, edit form, offers, add-offer form
//	POST /agreements/{id}                 saves the agreement
//	POST /agreements/{id}/offers          adds an offer
//	GET  /windows                         windows with status (others go to /my/windows)
//	GET  /windows/new                     form; POST /windows creates
//	GET  /windows/{id}/admin              status, warning, offers, progress, report, change form
//	POST /windows/{id}/admin/answer       an admin's change of a library's answer, with a reason
//	GET  /windows/{id}/report.xlsx        the report's rows as a spreadsheet
//	GET  /trials                          trials and the form; POST /trials starts one
//	GET  /dpas                            expiring agreements, blocked subscriptions, add form
//	POST /dpas                            registers one (multipart, document ≤ 20 MB)
//	GET  /dpas/{id}/document              the agreement's document (anyone who may see it)
//	GET  /products/{id}/acceptances       who has not accepted the current licence version
func registerAdmin(mux *http.ServeMux, h *Handlers) {
	a := &adminPages{Handlers: h, members: &members.Service{DB: h.svc.DB}}
	c := h.consortium
	mux.HandleFunc("GET /agreements", c(a.agreements))
	mux.HandleFunc("GET /agreements/new", c(a.newAgreement))
	mux.HandleFunc("POST /agreements", c(a.createAgreement))
	mux.HandleFunc("GET /agreements/{id}", c(a.agreement))
	mux.HandleFunc("POST /agreements/{id}", c(a.updateAgreement))
	mux.HandleFunc("POST /agreements/{id}/offers", c(a.addOffer))
	mux.HandleFunc("GET /windows", h.app.RequireLogin(a.windows))
	mux.HandleFunc("GET /windows/new", c(a.newWindow))
	mux.HandleFunc("POST /windows", c(a.createWindow))
	mux.HandleFunc("GET /windows/{id}/admin", c(a.windowAdmin))
	mux.HandleFunc("POST /windows/{id}/admin/answer", c(a.changeAnswer))
	mux.HandleFunc("GET /windows/{id}/report.xlsx", c(a.windowReport))
	mux.HandleFunc("GET /trials", c(a.trials))
	mux.HandleFunc("POST /trials", c(a.createTrial))
	mux.HandleFunc("GET /dpas", c(a.dpas))
	mux.HandleFunc("POST /dpas", c(a.addDPA))
	mux.HandleFunc("GET /dpas/{id}/document", h.app.RequireLogin(a.dpaDocument))
	mux.HandleFunc("GET /products/{id}/acceptances", c(a.acceptances))
}

// adminPages are the consortium's handlers.
type adminPages struct {
	*Handlers
	members *members.Service
}

func (a *adminPages) now() time.Time {
	if a.svc.Now != nil {
		return a.svc.Now()
	}
	return time.Now()
}

// admForm is one form's state: what was typed, and why it was refused.
type admForm struct {
	Values   map[string]string
	Errors   map[string][]*validate.Problem
	Warnings []*validate.Problem
}

func newAdmForm(values map[string]string) *admForm {
	if values == nil {
		values = map[string]string{}
	}
	return &admForm{Values: values, Errors: map[string][]*validate.Problem{}}
}

// refuse files problems under their fields; "_form" is the form as a whole.
func (f *admForm) refuse(ps ...*validate.Problem) {
	for _, p := range ps {
		f.Errors[p.Field] = append(f.Errors[p.Field], p)
	}
}

// Has reports whether any value in a multi-valued field (joined by ",")
// is v: for checkboxes and multiple selects.
func (f *admForm) Has(field string, v int64) bool {
	for _, s := range strings.Split(f.Values[field], ",") {
		if s == strconv.FormatInt(v, 10) {
			return true
		}
	}
	return false
}

// admPosted copies the posted form; several values of a field are joined by ",".
func admPosted(r *http.Request) map[string]string {
	_ = r.ParseForm()
	v := map[string]string{}
	for k, vs := range r.PostForm {
		v[k] = strings.Join(vs, ",")
	}
	return v
}

// admProblems returns the problems of a validation error from either
// service, or false for any other error.
func admProblems(err error) ([]*validate.Problem, bool) {
	var ve *enrolment.ValidationError
	if errors.As(err, &ve) {
		return ve.Problems, true
	}
	var pe *products.ValidationError
	if errors.As(err, &pe) {
		return pe.Problems, true
	}
	return nil, false
}

// admFail is fail that also knows the products service's not found.
func (a *adminPages) admFail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, products.ErrNotFound) {
		err = enrolment.ErrNotFound
	}
	a.fail(w, r, err)
}

// admID reads an id from text; 0 when it is none.
func admID(s string) int64 {
	id, _ := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return id
}

// admIDs reads the ids of a multi-valued field.
func admIDs(r *http.Request, field string) []int64 {
	var ids []int64
	for _, s := range r.PostForm[field] {
		if id := admID(s); id != 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

// render shows one of the admin pages.
func (a *adminPages) render(w http.ResponseWriter, r *http.Request, name string, status int, titleID string, titleArgs map[string]any, data any) {
	a.app.Render(w, r, a.pages, name, status, a.app.NewPage(r, a.app.T(r, titleID, titleArgs), data))
}

// redirect flashes a message and sends the browser to path.
func (a *adminPages) redirect(w http.ResponseWriter, r *http.Request, path, msg string) {
	if msg != "" {
		a.app.Flash(r, msg)
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}
