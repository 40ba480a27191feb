package productweb

import (
	"net/http"

	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/web"
)

// textView is one text field as a page shows it.
type textView struct {
	Key      string // description, answer_access …
	Heading  string // the standard question, for answers
	Paras    [][]string
	Fallback string // "in Norwegian" when Bokmål stands in for the page's language
}

type trainingView struct {
	products.TrainingMaterial
	When string // upcoming webinars: the start in Europe/Oslo
}

type termView struct {
	products.NamedTerm
	Label string // the value as the page shows it
}

type entryView struct {
	products.CatalogueEntry
	Summary     string // the description's first line, for the list
	Description textView
	Answers     []textView // always all four, in the same order
	TermRows    []termView
	Recordings  []trainingView
	Guides      []trainingView
	Upcoming    []trainingView
}

func (h *Handlers) view(lang string, e products.CatalogueEntry) entryView {
	cat := h.app.Catalog
	text := func(f string) textView {
		t := textView{Key: f, Heading: cat.T(lang, "catalogue.question."+f, nil), Paras: paragraphs(e.Text.Field(f))}
		if e.Text.Fallback.Field(f) {
			t.Fallback = cat.T(lang, "catalogue.fallback", nil)
		}
		return t
	}
	v := entryView{CatalogueEntry: e, Description: text("description")}
	if len(v.Description.Paras) > 0 {
		v.Summary = v.Description.Paras[0][0]
	}
	for _, f := range products.AnswerFields {
		v.Answers = append(v.Answers, text(f))
	}
	for _, t := range e.Terms {
		v.TermRows = append(v.TermRows, termView{NamedTerm: t, Label: termLabel(h.app, lang, t)})
	}
	for _, m := range e.Training {
		tv := trainingView{TrainingMaterial: m}
		switch m.Kind {
		case products.TrainingRecording:
			v.Recordings = append(v.Recordings, tv)
		case products.TrainingGuide:
			v.Guides = append(v.Guides, tv)
		case products.TrainingUpcoming:
			tv.When = osloTime(*m.StartsAt)
			v.Upcoming = append(v.Upcoming, tv)
		}
	}
	return v
}

// termLabel shows a term's value: yes, no and unclear and the
// interlibrary-loan values translated, a number or a law as written.
func termLabel(app *web.App, lang string, t products.NamedTerm) string {
	id := "licence.value." + t.Value
	if t.Key == products.TermInterlibraryLoan && t.Value != products.TermUnclear {
		id = "licence.ill." + t.Value
	}
	if app.Catalog.Has(lang, id) {
		return app.Catalog.T(lang, id, nil)
	}
	return t.Value
}

func (h *Handlers) catalogue(w http.ResponseWriter, r *http.Request) {
	lang := pageLang(r)
	es, err := h.svc.Catalogue(r.Context(), lang)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	views := make([]entryView, 0, len(es))
	for _, e := range es {
		views = append(views, h.view(lang, e))
	}
	p := h.app.NewPage(r, h.app.Catalog.T(lang, "catalogue.title", nil), views)
	p.Lang = lang
	h.app.Render(w, r, h.pages, "catalogue.html", http.StatusOK, p)
}

func (h *Handlers) catalogueProduct(w http.ResponseWriter, r *http.Request) {
	lang := pageLang(r)
	e, err := h.svc.CatalogueProduct(r.Context(), r.PathValue("slug"), lang)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.app.NewPage(r, e.Name, h.view(lang, *e))
	p.Lang = lang
	h.app.Render(w, r, h.pages, "catalogue_product.html", http.StatusOK, p)
}
