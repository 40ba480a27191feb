package billingweb

import (
	"fmt"
	"net/http"

	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/validate"
	"github.com/samla-org/samla/internal/web"
)

// minBandRows is how many rows of bands a tier form always has room for.
const minBandRows = 6

type pricesData struct {
	Agreement  billing.AgreementRow
	Period     string
	Admin      bool
	Offers     []*offerForm
	Markup     *form
	Products   []*vatForm
	Currencies []string
	Models     []string
	Bases      []string
	Amongs     []string
	Keys       []string
	CountyPays []string
	VATCodes   []string
}

// offerForm is one offer's price form.
type offerForm struct {
	billing.OfferPricing
	Current string // the price as it is now, in words
	Form    *form
	Bands   []int      // row numbers of the band table
	Fixed   []fixedRow // counties and subscribers that may get a fixed share
	Own     bool       // the form was posted and is shown as posted
	Prefix  string     // element id prefix, unique in the page
}

// fixedRow is a party of a fixed split: "county:NO-46" or "library:12".
type fixedRow struct {
	Key   string
	Name  string
	Field string
	Group string // "county" or "library"
}

// vatForm is a product's VAT form.
type vatForm struct {
	ProductID int64
	Product   string
	Form      *form
}

func (h *handlers) prices(w http.ResponseWriter, r *http.Request) {
	h.renderPrices(w, r, http.StatusOK, pathID(r, "id"), 0, nil, nil)
}

// renderPrices shows the prices page with one form as posted: an offer's
// (offerID), the markup's (offerID -1) or a product's VAT (vatPosted).
func (h *handlers) renderPrices(w http.ResponseWriter, r *http.Request, status int, agreementID, offerID int64, posted *form, vatPosted map[int64]*form) {
	ctx, by, lang := r.Context(), web.ActorOf(r), web.Lang(r)
	ag, err := h.agreementRow(r, agreementID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	offers, err := h.svc.Offers(ctx, by, agreementID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	st, err := h.svc.GetSettings(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &pricesData{Agreement: *ag, Period: formatDay(lang, ag.StartsOn) + " – " + formatDay(lang, ag.EndsOn), Admin: isAdmin(r),
		Currencies: money.Currencies, Models: []string{billing.ModelFlat, billing.ModelTiers, billing.ModelRate, billing.ModelShared},
		Bases:  []string{billing.BasisFTE, billing.BasisPopulation, billing.BasisStudents},
		Amongs: []string{billing.AmongLibraries, billing.AmongCounties}, Keys: []string{billing.KeyPopulation, billing.KeyEqual, billing.KeyFixed},
		CountyPays: []string{billing.CountyPaysLibraries, billing.CountyPaysCountyLibrary}, VATCodes: []string{"S", "Z", "E"}}
	if offerID == -1 && posted != nil {
		d.Markup = posted
	} else {
		d.Markup = h.newForm(r, map[string]string{"markup": money.PercentText(ag.MarkupBP, lang)}, "markup")
	}
	seen := map[int64]bool{}
	for _, o := range offers {
		of := &offerForm{OfferPricing: o, Current: h.priceSummary(r, o), Prefix: fmt.Sprintf("o%d-", o.OfferID)}
		if o.OfferID == offerID && posted != nil {
			of.Form, of.Own = posted, true
		} else {
			of.Form = h.newForm(r, offerValues(o, st.HomeCurrency), offerFields(bandCount(o.Spec.Bands))...)
		}
		of.Bands = make([]int, postedBandRows(of.Form.Values))
		for i := range of.Bands {
			of.Bands[i] = i
		}
		subs, err := h.subscribers(r, o)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		of.Fixed = fixedRows(st.Country, o.Spec.Fixed, of.Form.Values, subs)
		d.Offers = append(d.Offers, of)
		if !seen[o.ProductID] {
			seen[o.ProductID] = true
			vf := vatPosted[o.ProductID]
			if vf == nil {
				vf = h.newForm(r, map[string]string{"vat_category": o.VATCategory, "vat_rate": money.PercentText(o.VATRateBP, lang)}, "vat_category", "vat_rate")
			}
			d.Products = append(d.Products, &vatForm{ProductID: o.ProductID, Product: o.Product, Form: vf})
		}
	}
	h.render(w, r, "prices.html", status, h.app.T(r, "bweb.prices.title", map[string]any{"Agreement": ag.Name}), d)
}

// agreementRow finds an agreement in the billing list.
func (h *handlers) agreementRow(r *http.Request, id int64) (*billing.AgreementRow, error) {
	rows, err := h.svc.Agreements(r.Context(), web.ActorOf(r))
	if err != nil {
		return nil, err
	}
	for i := range rows {
		if rows[i].ID == id {
			return &rows[i], nil
		}
	}
	return nil, billing.ErrNotFound
}

// subscribers are the libraries subscribing to an offer, for fixed shares
// among libraries.
func (h *handlers) subscribers(r *http.Request, o billing.OfferPricing) (map[int64]string, error) {
	es := &enrolment.Service{DB: h.svc.DB}
	rows, err := es.SubscriptionsForProduct(r.Context(), web.ActorOf(r), o.ProductID)
	if err != nil {
		return nil, err
	}
	out := map[int64]string{}
	for _, s := range rows {
		if s.OfferID != nil && *s.OfferID == o.OfferID {
			out[s.LibraryID] = s.LibraryName
		}
	}
	return out, nil
}

// priceSummary says in words what an offer costs now.
func (h *handlers) priceSummary(r *http.Request, o billing.OfferPricing) string {
	lang, s := web.Lang(r), o.Spec
	basis := h.app.T(r, "bweb.unit."+s.Basis, nil)
	switch o.Model {
	case billing.ModelFlat:
		return h.app.T(r, "bweb.summary.flat", map[string]any{"Price": money.Format(lang, o.FlatMinor, o.Currency)})
	case billing.ModelTiers:
		return h.app.T(r, "bweb.summary.tiers", map[string]any{"Count": len(s.Bands), "Basis": basis})
	case billing.ModelRate:
		return h.app.T(r, "bweb.summary.rate", map[string]any{"Rate": s.Rate, "Currency": o.Currency, "Basis": basis})
	case billing.ModelShared:
		return h.app.T(r, "bweb.summary.shared", map[string]any{"Total": money.Format(lang, s.TotalMinor, o.Currency),
			"Among": h.app.T(r, "bweb.among."+s.Among, nil), "Key": h.app.T(r, "bweb.key."+s.Key, nil)})
	}
	return h.app.T(r, "bweb.summary.none", nil)
}

// inAgreement reports whether one of the agreement's offers matches; if
// not, it answers 404: the forms post to their agreement's page, and an
// offer or product of another agreement is no form of this one.
func (h *handlers) inAgreement(w http.ResponseWriter, r *http.Request, agreementID int64, match func(billing.OfferPricing) bool) bool {
	offers, err := h.svc.Offers(r.Context(), web.ActorOf(r), agreementID)
	if err != nil {
		h.fail(w, r, err)
		return false
	}
	for _, o := range offers {
		if match(o) {
			return true
		}
	}
	h.app.Error(w, r, http.StatusNotFound, "error.not_found")
	return false
}

func (h *handlers) setPrice(w http.ResponseWriter, r *http.Request) {
	agreementID, offerID := pathID(r, "id"), pathID(r, "offer")
	if !h.inAgreement(w, r, agreementID, func(o billing.OfferPricing) bool { return o.OfferID == offerID }) {
		return
	}
	values := posted(r)
	f := h.newForm(r, values, offerFields(postedBandRows(values))...)
	in, refs, ok := priceInput(f)
	if ok {
		err := h.svc.SetPrice(r.Context(), web.ActorOf(r), offerID, in)
		if ps, invalid := problems(err); invalid {
			for _, p := range ps {
				q := *p
				q.Field = priceField(in.Model, p.Field, refs)
				f.refuse(&q)
			}
			ok = false
		} else if err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if !ok {
		h.renderPrices(w, r, http.StatusUnprocessableEntity, agreementID, offerID, f, nil)
		return
	}
	h.redirect(w, r, fmt.Sprintf("/billing/agreements/%d/prices#offer-%d", agreementID, offerID), h.app.T(r, "bweb.prices.saved", nil))
}

func (h *handlers) setMarkup(w http.ResponseWriter, r *http.Request) {
	id := pathID(r, "id")
	f := h.newForm(r, posted(r), "markup")
	bp, ok := parsePercent(f.V("markup"))
	if !ok {
		f.refuse(&validate.Problem{Field: "markup", Code: "bweb.error.percent", Value: f.V("markup")})
	} else {
		err := h.svc.SetMarkup(r.Context(), web.ActorOf(r), id, bp)
		if f.refused(err) {
			ok = false
		} else if err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if !ok {
		h.renderPrices(w, r, http.StatusUnprocessableEntity, id, -1, f, nil)
		return
	}
	h.redirect(w, r, fmt.Sprintf("/billing/agreements/%d/prices#markup", id), h.app.T(r, "bweb.markup.saved", nil))
}

func (h *handlers) setVAT(w http.ResponseWriter, r *http.Request) {
	id, productID := pathID(r, "id"), pathID(r, "product")
	if !h.inAgreement(w, r, id, func(o billing.OfferPricing) bool { return o.ProductID == productID }) {
		return
	}
	f := h.newForm(r, posted(r), "vat_category", "vat_rate")
	rate, ok := int64(0), true
	if f.V("vat_category") == "S" {
		if rate, ok = parsePercent(f.V("vat_rate")); !ok {
			f.refuse(&validate.Problem{Field: "vat_rate", Code: "bweb.error.percent", Value: f.V("vat_rate")})
		}
	}
	if ok {
		err := h.svc.SetProductVAT(r.Context(), web.ActorOf(r), productID, f.V("vat_category"), rate)
		if f.refused(err) {
			ok = false
		} else if err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if !ok {
		h.renderPrices(w, r, http.StatusUnprocessableEntity, id, 0, nil, map[int64]*form{productID: f})
		return
	}
	h.redirect(w, r, fmt.Sprintf("/billing/agreements/%d/prices#vat", id), h.app.T(r, "bweb.vat.saved", nil))
}
