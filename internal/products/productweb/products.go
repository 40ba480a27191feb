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

func (h *Handlers) products(w http.ResponseWriter, r *http.Request) {
	items, err := h.svc.Products(r.Context(), web.ActorOf(r), products.ProductFilter{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.app.Render(w, r, h.pages, "products.html", http.StatusOK, h.app.NewPage(r, h.app.T(r, "products.title", nil), items))
}

// productForm is the edit page: the product's fields and its texts in
// every language in one form, so publishing can check them together.
type productForm struct {
	Product       *products.Product // nil when creating
	Vendors       []products.Vendor
	AccessMethods []string
	TargetGroups  []string
	Langs         []string
	Fields        []string // text fields, description first
	Values        formValues
	Errors        map[string][]*validate.Problem
	PublishErrors []*validate.Problem
}

type formValues struct {
	Name, VendorID, Version                string
	Access, Groups                         map[string]bool
	Remote, Personal, TermsNeeded, Publish bool
	Texts                                  map[string]map[string]string // lang → field → text
}

func valuesFrom(in products.ProductInput) formValues {
	v := formValues{Name: in.Name, VendorID: strconv.FormatInt(in.VendorID, 10), Version: strconv.FormatInt(in.Version, 10),
		Access: map[string]bool{}, Groups: map[string]bool{}, Remote: in.RemoteAccess, Personal: in.ProcessesPersonalData,
		TermsNeeded: in.RequiresTermsAcceptance, Publish: in.Published != nil && *in.Published, Texts: map[string]map[string]string{}}
	for _, m := range in.AccessMethods {
		v.Access[m] = true
	}
	for _, g := range in.TargetGroups {
		v.Groups[g] = true
	}
	for _, l := range products.TextLangs {
		t := in.Texts[l]
		v.Texts[l] = map[string]string{"description": t.Description, "answer_access": t.AnswerAccess,
			"answer_home": t.AnswerHome, "answer_share": t.AnswerShare, "answer_support": t.AnswerSupport}
	}
	return v
}

func (h *Handlers) renderProduct(w http.ResponseWriter, r *http.Request, status int, p *products.Product, in products.ProductInput, ps []*validate.Problem) {
	vendors, err := h.svc.Vendors(r.Context(), web.ActorOf(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := productForm{Product: p, Vendors: vendors, AccessMethods: products.AccessMethods, TargetGroups: products.TargetGroups,
		Langs: products.TextLangs, Fields: products.TextFields, Values: valuesFrom(in), Errors: byField(ps)}
	for _, pr := range ps {
		if strings.HasPrefix(pr.Code, "products.publish.") {
			d.PublishErrors = append(d.PublishErrors, pr)
		}
	}
	title := h.app.T(r, "products.new", nil)
	if p != nil {
		title = p.Name
	}
	h.app.Render(w, r, h.pages, "product_form.html", status, h.app.NewPage(r, title, d))
}

// productInput reads the posted form: fields, the publish checkbox and
// the texts of every language ("nb.description", "sv.answer_home" …).
func productInput(r *http.Request) products.ProductInput {
	_ = r.ParseForm()
	f := r.PostForm
	vendorID, _ := strconv.ParseInt(f.Get("vendor_id"), 10, 64)
	version, _ := strconv.ParseInt(f.Get("version"), 10, 64)
	publish := f.Get("published") != ""
	in := products.ProductInput{VendorID: vendorID, Name: f.Get("name"), AccessMethods: f["access_methods"],
		TargetGroups: f["target_groups"], RemoteAccess: f.Get("remote_access") != "",
		ProcessesPersonalData: f.Get("processes_personal_data") != "", RequiresTermsAcceptance: f.Get("requires_terms_acceptance") != "",
		Published: &publish, Texts: map[string]products.TextInput{}, Version: version}
	for _, l := range products.TextLangs {
		in.Texts[l] = products.TextInput{Description: f.Get(l + ".description"), AnswerAccess: f.Get(l + ".answer_access"),
			AnswerHome: f.Get(l + ".answer_home"), AnswerShare: f.Get(l + ".answer_share"), AnswerSupport: f.Get(l + ".answer_support")}
	}
	return in
}

func (h *Handlers) newProduct(w http.ResponseWriter, r *http.Request) {
	no := false
	in := products.ProductInput{Published: &no, AccessMethods: []string{products.AccessIP}}
	if id, err := strconv.ParseInt(r.URL.Query().Get("vendor"), 10, 64); err == nil {
		in.VendorID = id
	}
	h.renderProduct(w, r, http.StatusOK, nil, in, nil)
}

func (h *Handlers) createProduct(w http.ResponseWriter, r *http.Request) {
	in := productInput(r)
	p, err := h.svc.CreateProduct(r.Context(), web.ActorOf(r), in)
	if ps := validationProblems(err); ps != nil {
		h.renderProduct(w, r, http.StatusUnprocessableEntity, nil, in, ps)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.app.Flash(r, h.app.T(r, "products.saved", map[string]any{"Name": p.Name}))
	http.Redirect(w, r, "/products/"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
}

func (h *Handlers) editProduct(w http.ResponseWriter, r *http.Request) {
	by := web.ActorOf(r)
	p, err := h.svc.Product(r.Context(), by, pathID(r, "id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	texts, err := h.svc.Texts(r.Context(), by, p.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	in := products.ProductInputFrom(p)
	in.Texts = map[string]products.TextInput{}
	for l, t := range texts {
		in.Texts[l] = products.TextInput{Description: t.Description, AnswerAccess: t.AnswerAccess,
			AnswerHome: t.AnswerHome, AnswerShare: t.AnswerShare, AnswerSupport: t.AnswerSupport}
	}
	h.renderProduct(w, r, http.StatusOK, p, in, nil)
}

func (h *Handlers) updateProduct(w http.ResponseWriter, r *http.Request) {
	by := web.ActorOf(r)
	old, err := h.svc.Product(r.Context(), by, pathID(r, "id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	in := productInput(r)
	p, err := h.svc.UpdateProduct(r.Context(), by, old.ID, in)
	switch ps := validationProblems(err); {
	case ps != nil:
		h.renderProduct(w, r, http.StatusUnprocessableEntity, old, in, ps)
		return
	case errors.Is(err, products.ErrConflict):
		h.renderProduct(w, r, http.StatusConflict, old, in, conflictProblem)
		return
	case err != nil:
		h.fail(w, r, err)
		return
	}
	h.app.Flash(r, h.app.T(r, "products.saved", map[string]any{"Name": p.Name}))
	http.Redirect(w, r, "/products/"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
}
