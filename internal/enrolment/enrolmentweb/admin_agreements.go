package enrolmentweb

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/validate"
	"github.com/samla-org/samla/internal/web"
)

// admAgreementRow is an agreement in the list.
type admAgreementRow struct {
	enrolment.Agreement
	Vendor string
	Period string
}

type admAgreementsData struct {
	Agreements []admAgreementRow
}

// admAgreementFormData is the new-agreement page.
type admAgreementFormData struct {
	Vendors []products.Vendor
	Form    *admForm
}

// agreements lists the agreements, newest period first.
func (a *adminPages) agreements(w http.ResponseWriter, r *http.Request) {
	ctx, by, lang := r.Context(), web.ActorOf(r), web.Lang(r)
	as, err := a.svc.Agreements(ctx, by, 0)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	names, err := a.vendorNames(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	d := &admAgreementsData{}
	for _, ag := range as {
		d.Agreements = append(d.Agreements, admAgreementRow{Agreement: ag, Vendor: names[ag.VendorID],
			Period: formatPeriod(lang, ag.StartsOn, ag.EndsOn)})
	}
	a.render(w, r, "admin_agreements.html", http.StatusOK, "eadmin.agreements.title", nil, d)
}

func (a *adminPages) vendorNames(r *http.Request) (map[int64]string, error) {
	vs, err := a.svc.Products.Vendors(r.Context(), web.ActorOf(r))
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, v := range vs {
		names[v.ID] = v.Name
	}
	return names, nil
}

func (a *adminPages) newAgreement(w http.ResponseWriter, r *http.Request) {
	a.renderNewAgreement(w, r, http.StatusOK, newAdmForm(nil))
}

func (a *adminPages) renderNewAgreement(w http.ResponseWriter, r *http.Request, status int, f *admForm) {
	vs, err := a.svc.Products.Vendors(r.Context(), web.ActorOf(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.render(w, r, "admin_agreement_new.html", status, "eadmin.agreement.new", nil, &admAgreementFormData{Vendors: vs, Form: f})
}

// agreementInput reads the agreement form.
func agreementInput(v map[string]string) enrolment.AgreementInput {
	version, _ := strconv.ParseInt(v["version"], 10, 64)
	return enrolment.AgreementInput{VendorID: admID(v["vendor_id"]), Name: v["name"],
		StartsOn: calendar.Date(strings.TrimSpace(v["starts_on"])), EndsOn: calendar.Date(strings.TrimSpace(v["ends_on"])),
		ProcurementRef: v["procurement_ref"], Notes: v["notes"], Version: version}
}

func (a *adminPages) createAgreement(w http.ResponseWriter, r *http.Request) {
	f := newAdmForm(admPosted(r))
	ag, err := a.svc.CreateAgreement(r.Context(), web.ActorOf(r), agreementInput(f.Values))
	if ps, ok := admProblems(err); ok {
		f.refuse(ps...)
		a.renderNewAgreement(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.redirect(w, r, "/agreements/"+strconv.FormatInt(ag.ID, 10), a.app.T(r, "eadmin.agreement.created", map[string]any{"Name": ag.Name}))
}

// admAgreementData is an agreement's page: its details and edit form, its
// offers and the form to add one.
type admAgreementData struct {
	Agreement  *enrolment.Agreement
	Vendor     string
	Period     string
	Vendors    []products.Vendor
	Form       *admForm // the agreement's edit form
	Offers     []admOfferRow
	Products   []products.ProductItem // the vendor's, for the add-offer form
	Previous   []admPrevOffer         // the vendor's offers in earlier periods
	Currencies []string
	Add        *admForm
}

// admOfferRow is an offer in the agreement's table.
type admOfferRow struct {
	enrolment.OfferDetail
	Price    string
	Previous string
}

// admPrevOffer is an offer of an earlier period a new offer may renew.
type admPrevOffer struct {
	ID    int64
	Label string
}

func (a *adminPages) agreement(w http.ResponseWriter, r *http.Request) {
	a.renderAgreement(w, r, http.StatusOK, pathID(r, "id"), nil, nil)
}

// renderAgreement shows the agreement's page; edit and add are the forms
// as posted, nil for fresh ones.
func (a *adminPages) renderAgreement(w http.ResponseWriter, r *http.Request, status int, id int64, edit, add *admForm) {
	ctx, by, lang := r.Context(), web.ActorOf(r), web.Lang(r)
	ag, err := a.svc.GetAgreement(ctx, by, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	d := &admAgreementData{Agreement: ag, Period: formatPeriod(lang, ag.StartsOn, ag.EndsOn), Currencies: enrolment.Currencies,
		Form: edit, Add: add}
	if d.Form == nil {
		d.Form = newAdmForm(map[string]string{"vendor_id": strconv.FormatInt(ag.VendorID, 10), "name": ag.Name,
			"starts_on": string(ag.StartsOn), "ends_on": string(ag.EndsOn), "procurement_ref": ag.ProcurementRef,
			"notes": ag.Notes, "version": strconv.FormatInt(ag.Version, 10)})
	}
	if d.Add == nil {
		d.Add = newAdmForm(map[string]string{"currency": "NOK"})
	}
	if d.Vendors, err = a.svc.Products.Vendors(ctx, by); err != nil {
		a.fail(w, r, err)
		return
	}
	for _, v := range d.Vendors {
		if v.ID == ag.VendorID {
			d.Vendor = v.Name
		}
	}
	if d.Products, err = a.svc.Products.Products(ctx, by, products.ProductFilter{VendorID: ag.VendorID}); err != nil {
		a.fail(w, r, err)
		return
	}
	prev, err := a.previousOffers(r, ag)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	labels := map[int64]string{}
	for _, p := range prev {
		d.Previous = append(d.Previous, p)
		labels[p.ID] = p.Label
	}
	offers, err := a.svc.Offers(ctx, by, ag.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	prices := a.offerPrices(r, offersOf(offers), 0)
	for _, o := range offers {
		row := admOfferRow{OfferDetail: o, Price: a.app.T(r, "eadmin.offer.no_price", nil)}
		if o.Offer.Orderable() {
			row.Price = prices[o.Offer.ID]
		}
		if o.Offer.PreviousOfferID != nil {
			row.Previous = labels[*o.Offer.PreviousOfferID]
		}
		d.Offers = append(d.Offers, row)
	}
	a.render(w, r, "admin_agreement.html", status, "eadmin.agreement.title", map[string]any{"Name": ag.Name}, d)
}

// previousOffers lists the offers in the vendor's agreements that began
// before ag: those a new offer may continue (renewals follow them).
func (a *adminPages) previousOffers(r *http.Request, ag *enrolment.Agreement) ([]admPrevOffer, error) {
	ctx, by, lang := r.Context(), web.ActorOf(r), web.Lang(r)
	as, err := a.svc.Agreements(ctx, by, ag.VendorID)
	if err != nil {
		return nil, err
	}
	var out []admPrevOffer
	for _, earlier := range as {
		if !earlier.StartsOn.Before(ag.StartsOn) {
			continue
		}
		os, err := a.svc.Offers(ctx, by, earlier.ID)
		if err != nil {
			return nil, err
		}
		for _, o := range os {
			out = append(out, admPrevOffer{ID: o.Offer.ID, Label: o.Product.Name + " · " + earlier.Name +
				" (" + formatPeriod(lang, earlier.StartsOn, earlier.EndsOn) + ")"})
		}
	}
	return out, nil
}

func (a *adminPages) updateAgreement(w http.ResponseWriter, r *http.Request) {
	id := pathID(r, "id")
	f := newAdmForm(admPosted(r))
	ag, err := a.svc.UpdateAgreement(r.Context(), web.ActorOf(r), id, agreementInput(f.Values))
	if ps, ok := admProblems(err); ok {
		f.refuse(ps...)
		a.renderAgreement(w, r, http.StatusUnprocessableEntity, id, f, nil)
		return
	}
	if errors.Is(err, enrolment.ErrConflict) {
		// Keep what the user typed and say why it was not saved.
		f.refuse(&validate.Problem{Field: "_form", Code: "error.conflict"})
		a.renderAgreement(w, r, http.StatusConflict, id, f, nil)
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.redirect(w, r, "/agreements/"+strconv.FormatInt(ag.ID, 10), a.app.T(r, "eadmin.agreement.saved", map[string]any{"Name": ag.Name}))
}

// offerInput reads the add-offer form; the price is typed in kroner (or
// the currency's main unit) and stored in minor units.
func offerInput(v map[string]string) (enrolment.OfferInput, []*validate.Problem) {
	in := enrolment.OfferInput{ProductID: admID(v["product_id"]), Currency: v["currency"]}
	var ps []*validate.Problem
	if raw := strings.TrimSpace(v["price"]); raw != "" {
		if minor, err := admParsePrice(raw); err != nil {
			ps = append(ps, &validate.Problem{Field: "price", Code: "eadmin.price.invalid", Value: raw})
		} else {
			in.PriceMinor = &minor
		}
	}
	switch v["renews_by_default"] {
	case "yes", "on", "true", "1":
		in.RenewsByDefault = true
	}
	if id := admID(v["previous_offer_id"]); id != 0 {
		in.PreviousOfferID = &id
	}
	return in, ps
}

func (a *adminPages) addOffer(w http.ResponseWriter, r *http.Request) {
	id := pathID(r, "id")
	f := newAdmForm(admPosted(r))
	in, ps := offerInput(f.Values)
	var o *enrolment.Offer
	var err error
	if len(ps) == 0 {
		o, err = a.svc.AddOffer(r.Context(), web.ActorOf(r), id, in)
		ps, _ = admProblems(err)
	}
	if len(ps) > 0 {
		for _, p := range ps {
			if p.Field == "price_minor" { // the service's name for the price typed here
				p = &validate.Problem{Field: "price", Code: p.Code, Value: p.Value, Args: p.Args}
			}
			f.refuse(p)
		}
		a.renderAgreement(w, r, http.StatusUnprocessableEntity, id, nil, f)
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	name := ""
	if p, err := a.svc.Products.ProductByID(r.Context(), o.ProductID); err == nil {
		name = p.Name
	}
	a.redirect(w, r, "/agreements/"+strconv.FormatInt(id, 10)+"#offers",
		a.app.T(r, "eadmin.offer.added", map[string]any{"Product": name}))
}
