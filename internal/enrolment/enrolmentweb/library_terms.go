package enrolmentweb

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/validate"
	"github.com/samla-org/samla/internal/web"
)

// libTermsData is the page where a library's contact reads and accepts a
// product's licence terms.
type libTermsData struct {
	Product  *products.Product
	Library  *members.Library
	Status   *enrolment.TermsStatus
	Licence  *products.LicenceVersion // nil: no licence text yet
	Paras    [][]string               // the licence text, paragraph by paragraph, line by line
	Terms    []libTermRow
	Accepted string // who accepted the current version, when and from where
	Previous string // when an earlier version was accepted
	Refusal  string // why the user may not accept (anyone but the library's own contact)
	Errors   map[string][]*validate.Problem
}

type libTermRow struct {
	products.NamedTerm
	Label string
	Class string // yes, no, unclear, or value for a number or a law
}

// terms shows the current licence version of a product, its terms, and
// where the library stands; the library's own contact gets the form to
// accept, everyone else the reason why not.
func (lp *libraryPages) terms(w http.ResponseWriter, r *http.Request) {
	libraryID, done := lp.chosenLibrary(w, r)
	if done {
		return
	}
	lp.renderTerms(w, r, http.StatusOK, pathID(r, "productID"), libraryID, nil)
}

func (lp *libraryPages) renderTerms(w http.ResponseWriter, r *http.Request, status int, productID, libraryID int64, problems []*validate.Problem) {
	d, err := lp.loadTerms(r, productID, libraryID)
	if err != nil {
		lp.fail(w, r, err)
		return
	}
	d.Errors = map[string][]*validate.Problem{}
	for _, p := range problems {
		d.Errors[p.Field] = append(d.Errors[p.Field], p)
	}
	title := lp.app.T(r, "elib.terms.title", map[string]any{"Product": d.Product.Name})
	lp.app.Render(w, r, lp.pages, "library_terms.html", status, lp.app.NewPage(r, title, d))
}

func (lp *libraryPages) loadTerms(r *http.Request, productID, libraryID int64) (*libTermsData, error) {
	ctx, by := r.Context(), web.ActorOf(r)
	lib, err := lp.library(r, libraryID)
	if err != nil {
		return nil, err
	}
	st, err := lp.svc.TermsStatus(ctx, by, libraryID, productID)
	if err != nil {
		return nil, err
	}
	// The product itself may be read by whoever may read the library's
	// standing with it: its terms bind the library even if unpublished.
	p, err := lp.svc.Products.ProductByID(ctx, productID)
	if errors.Is(err, products.ErrNotFound) {
		return nil, enrolment.ErrNotFound
	} else if err != nil {
		return nil, err
	}
	lv, terms, err := lp.svc.Products.CurrentLicence(ctx, productID)
	if err != nil {
		return nil, err
	}
	d := &libTermsData{Product: p, Library: lib, Status: st, Licence: lv}
	if lv != nil {
		d.Paras = libParagraphs(lv.Text)
		for _, t := range terms.List() {
			row := libTermRow{NamedTerm: t, Label: lp.termLabel(r, t), Class: "value"}
			if slices.Contains(products.YesNoValues, t.Value) {
				row.Class = t.Value
			}
			d.Terms = append(d.Terms, row)
		}
	}
	when := func(ta *enrolment.TermsAcceptance) string { return (&web.Page{Lang: web.Lang(r)}).Time(ta.AcceptedAt) }
	if a := st.Accepted; a != nil {
		d.Accepted = lp.app.T(r, "elib.terms.accepted", map[string]any{"Version": st.LicenceVersion, "Who": a.AcceptedBy,
			"When": when(a), "Address": a.RemoteAddr})
	}
	if a := st.Previous; a != nil {
		d.Previous = lp.app.T(r, "elib.terms.previous", map[string]any{"Who": a.AcceptedBy, "When": when(a)})
	}
	if !st.MayAccept {
		d.Refusal = lp.app.T(r, enrolment.ErrNotYourLibraryToAccept.MessageID, nil)
	}
	return d, nil
}

// accept records that the library's own contact accepted the current
// licence version, then goes back to the library's page. Anyone else is
// refused with the reason (403), even when they skip the page.
func (lp *libraryPages) accept(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	ctx, by := r.Context(), web.ActorOf(r)
	productID, libraryID := pathID(r, "productID"), libFormID(r, "library_id")
	st, err := lp.svc.TermsStatus(ctx, by, libraryID, productID)
	if err != nil {
		lp.fail(w, r, err)
		return
	}
	if !st.MayAccept {
		lp.fail(w, r, enrolment.ErrNotYourLibraryToAccept)
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		lp.renderTerms(w, r, http.StatusUnprocessableEntity, productID, libraryID,
			[]*validate.Problem{{Field: "confirm", Code: "elib.terms.confirm_required"}})
		return
	}
	version, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue("version")))
	_, err = lp.svc.AcceptTerms(ctx, by, libraryID, productID, version, libRemoteHost(r))
	var ve *enrolment.ValidationError
	if errors.As(err, &ve) {
		lp.renderTerms(w, r, http.StatusUnprocessableEntity, productID, libraryID, ve.Problems)
		return
	}
	if err != nil {
		lp.fail(w, r, err)
		return
	}
	d, err := lp.loadTerms(r, productID, libraryID)
	if err != nil {
		lp.fail(w, r, err)
		return
	}
	lp.app.Flash(r, lp.app.T(r, "elib.terms.accepted_flash", map[string]any{"Product": d.Product.Name,
		"Version": d.Status.LicenceVersion, "Library": d.Library.Name}))
	http.Redirect(w, r, "/libraries/"+strconv.FormatInt(libraryID, 10), http.StatusSeeOther)
}

// termLabel shows a term's value: yes, no and unclear and the
// interlibrary-loan values translated, a number or a law as written (as
// the catalogue does).
func (lp *libraryPages) termLabel(r *http.Request, t products.NamedTerm) string {
	lang := web.Lang(r)
	id := "licence.value." + t.Value
	if t.Key == products.TermInterlibraryLoan && t.Value != products.TermUnclear {
		id = "licence.ill." + t.Value
	}
	if lp.app.Catalog.Has(lang, id) || lp.app.Catalog.Has("nb", id) {
		return lp.app.Catalog.T(lang, id, nil)
	}
	return t.Value
}

// libParagraphs splits a text at blank lines, and each paragraph into lines.
func libParagraphs(s string) [][]string {
	var out [][]string
	for _, para := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			out = append(out, strings.Split(para, "\n"))
		}
	}
	return out
}
