package productweb

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/validate"
	"github.com/samla-org/samla/internal/web"
)

type vendorForm struct {
	Vendor *products.Vendor // nil when creating
	Values products.VendorInput
	Errors map[string][]*validate.Problem
}

func (h *Handlers) vendors(w http.ResponseWriter, r *http.Request) {
	vs, err := h.svc.Vendors(r.Context(), web.ActorOf(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.app.Render(w, r, h.pages, "vendors.html", http.StatusOK, h.app.NewPage(r, h.app.T(r, "vendor.title", nil), vs))
}

func (h *Handlers) renderVendor(w http.ResponseWriter, r *http.Request, status int, v *products.Vendor, in products.VendorInput, ps []*validate.Problem) {
	title := h.app.T(r, "vendor.new", nil)
	if v != nil {
		title = v.Name
	}
	h.app.Render(w, r, h.pages, "vendor_form.html", status, h.app.NewPage(r, title, vendorForm{Vendor: v, Values: in, Errors: byField(ps)}))
}

func vendorInput(r *http.Request) products.VendorInput {
	_ = r.ParseForm()
	version, _ := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	return products.VendorInput{Name: r.PostForm.Get("name"), Country: strings.TrimSpace(r.PostForm.Get("country")),
		OrgNumber: r.PostForm.Get("org_number"), SupportEmail: r.PostForm.Get("support_email"),
		SupportURL: r.PostForm.Get("support_url"), Notes: r.PostForm.Get("notes"),
		MailDomains: r.PostForm.Get("mail_domains"), TicketPattern: r.PostForm.Get("ticket_pattern"), Version: version}
}

func (h *Handlers) newVendor(w http.ResponseWriter, r *http.Request) {
	h.renderVendor(w, r, http.StatusOK, nil, products.VendorInput{Country: "NO"}, nil)
}

func (h *Handlers) createVendor(w http.ResponseWriter, r *http.Request) {
	in := vendorInput(r)
	v, err := h.svc.CreateVendor(r.Context(), web.ActorOf(r), in)
	if ps := validationProblems(err); ps != nil {
		h.renderVendor(w, r, http.StatusUnprocessableEntity, nil, in, ps)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.app.Flash(r, h.app.T(r, "vendor.saved", map[string]any{"Name": v.Name}))
	http.Redirect(w, r, "/vendors", http.StatusSeeOther)
}

func (h *Handlers) editVendor(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.Vendor(r.Context(), web.ActorOf(r), pathID(r, "id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderVendor(w, r, http.StatusOK, v, products.VendorInputFrom(v), nil)
}

func (h *Handlers) updateVendor(w http.ResponseWriter, r *http.Request) {
	by := web.ActorOf(r)
	old, err := h.svc.Vendor(r.Context(), by, pathID(r, "id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	in := vendorInput(r)
	v, err := h.svc.UpdateVendor(r.Context(), by, old.ID, in)
	switch ps := validationProblems(err); {
	case ps != nil:
		h.renderVendor(w, r, http.StatusUnprocessableEntity, old, in, ps)
		return
	case errors.Is(err, products.ErrConflict):
		h.renderVendor(w, r, http.StatusConflict, old, in, conflictProblem)
		return
	case err != nil:
		h.fail(w, r, err)
		return
	}
	h.app.Flash(r, h.app.T(r, "vendor.saved", map[string]any{"Name": v.Name}))
	http.Redirect(w, r, "/vendors", http.StatusSeeOther)
}
