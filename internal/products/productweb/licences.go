package productweb

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/validate"
	"github.com/samla-org/samla/internal/web"
)

type licenceRow struct {
	products.LicenceVersion
	Terms []termView
}

type licencePage struct {
	Product  *products.Product
	Versions []licenceRow
	TermKeys []string
	Options  map[string][]string // the choices of each term; none means free text
	Text     string
	Terms    map[string]products.Term // what the form shows: as typed, or the current version's
	Errors   map[string][]*validate.Problem
	MaxMB    int
}

// termOptions are the select choices per term; concurrent users and
// governing law are typed.
func termOptions() map[string][]string {
	out := map[string][]string{products.TermInterlibraryLoan: products.ILLValues}
	for _, k := range products.TermKeys {
		if k != products.TermInterlibraryLoan && k != products.TermConcurrentUsers && k != products.TermGoverningLaw {
			out[k] = products.YesNoValues
		}
	}
	return out
}

func (h *Handlers) renderLicences(w http.ResponseWriter, r *http.Request, status int, p *products.Product, text string, terms map[string]products.Term, ps []*validate.Problem) {
	vs, err := h.svc.LicenceVersions(r.Context(), web.ActorOf(r), p.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	lang := web.Lang(r)
	d := licencePage{Product: p, TermKeys: products.TermKeys, Options: termOptions(), Text: text, Terms: terms,
		Errors: byField(ps), MaxMB: products.MaxLicenceDocument >> 20}
	for _, v := range vs {
		row := licenceRow{LicenceVersion: v}
		for _, t := range v.Terms().List() {
			row.Terms = append(row.Terms, termView{NamedTerm: t, Label: termLabel(h.app, lang, t)})
		}
		d.Versions = append(d.Versions, row)
	}
	if d.Terms == nil {
		// A new version starts from the current one's terms.
		d.Terms = map[string]products.Term{}
		if len(vs) > 0 {
			for _, t := range vs[0].Terms().List() {
				d.Terms[t.Key] = t.Term
			}
		}
	}
	h.app.Render(w, r, h.pages, "licences.html", status, h.app.NewPage(r, p.Name, d))
}

func (h *Handlers) licences(w http.ResponseWriter, r *http.Request) {
	p, err := h.svc.Product(r.Context(), web.ActorOf(r), pathID(r, "id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderLicences(w, r, http.StatusOK, p, "", nil, nil)
}

func (h *Handlers) addLicence(w http.ResponseWriter, r *http.Request) {
	by := web.ActorOf(r)
	p, err := h.svc.Product(r.Context(), by, pathID(r, "id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, products.MaxLicenceDocument+1<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.renderLicences(w, r, http.StatusRequestEntityTooLarge, p, "", nil,
				[]*validate.Problem{{Field: "document", Code: "licence.document.too_large", Args: map[string]any{"MaxMB": products.MaxLicenceDocument >> 20}}})
			return
		}
		h.app.Error(w, r, http.StatusBadRequest, "error.bad_request")
		return
	}
	in := products.LicenceInput{Text: r.FormValue("text")}
	terms := map[string]products.Term{}
	for _, k := range products.TermKeys {
		t := products.Term{Value: r.FormValue("term." + k), Clause: r.FormValue("clause." + k)}
		terms[k] = t
		in.Terms.Set(k, t)
	}
	if f, hdr, err := r.FormFile("document"); err == nil {
		defer f.Close()
		if in.Document, err = io.ReadAll(f); err != nil {
			h.app.Error(w, r, http.StatusBadRequest, "error.bad_request")
			return
		}
		in.DocumentName = hdr.Filename
	}
	v, err := h.svc.AddLicenceVersion(r.Context(), by, p.ID, in)
	if ps := validationProblems(err); ps != nil {
		h.renderLicences(w, r, http.StatusUnprocessableEntity, p, in.Text, terms, ps)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.app.Flash(r, h.app.T(r, "licence.added", map[string]any{"Version": v.Version}))
	http.Redirect(w, r, "/products/"+strconv.FormatInt(p.ID, 10)+"/licences", http.StatusSeeOther)
}

func (h *Handlers) licenceDocument(w http.ResponseWriter, r *http.Request) {
	version, _ := strconv.Atoi(r.PathValue("version"))
	name, data, err := h.svc.LicenceDocument(r.Context(), web.ActorOf(r), pathID(r, "id"), version)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	_, _ = w.Write(data)
}
