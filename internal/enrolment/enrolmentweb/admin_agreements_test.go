package enrolmentweb_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/web/webtest"
)

// An admin creates an agreement and its offers through the forms: refused
// input comes back beside its fields, the price typed in kroner is stored
// in øre exactly, and a next year's offer can continue last year's.
func TestAdminCreatesAgreementAndOffersThroughForms(t *testing.T) {
	s := newAdmSite(t)
	b := s.admin()

	b.Get("/agreements/new").Want(t, "new agreement", http.StatusOK,
		`action="/agreements"`, fmt.Sprintf(`<option value="%d" >Lovdata AS</option>`, s.vendor.ID), `type="date" id="f-starts_on"`)
	bad := url.Values{"vendor_id": {fmt.Sprint(s.vendor.ID)}, "name": {" "}, "starts_on": {"2027-12-31"}, "ends_on": {"2027-01-01"}}
	b.Post("/agreements", bad).Want(t, "refused agreement", http.StatusUnprocessableEntity,
		`id="form-errors"`, `data-field="name">Navn må fylles ut.`, `data-field="ends_on">Sluttdatoen må være etter startdatoen`,
		`value="2027-12-31"`)

	form := url.Values{"vendor_id": {fmt.Sprint(s.vendor.ID)}, "name": {"Lovdata 2027"}, "starts_on": {"2027-01-01"},
		"ends_on": {"2027-12-31"}, "procurement_ref": {"Doffin 2026-123"}}
	loc := b.Post("/agreements", form).Redirected(t, "create agreement", "/agreements/")
	b.Get(loc).Want(t, "agreement page", http.StatusOK, "Avtalen Lovdata 2027 er opprettet.", "<h1>Lovdata 2027</h1>",
		"01.01.2027 – 31.12.2027", "Doffin 2026-123", `id="offer-form"`,
		fmt.Sprintf(`<option value="%d" >Lovdata Pro</option>`, s.lovdata.ID), `<option value="NOK" selected>NOK</option>`)
	b.Get("/agreements").Want(t, "agreements", http.StatusOK, `>Lovdata 2027</a></td><td>Lovdata AS</td><td>01.01.2027 – 31.12.2027</td>`)

	offer := url.Values{"product_id": {fmt.Sprint(s.lovdata.ID)}, "price": {"12.500"}, "currency": {"NOK"}}
	b.Post(loc+"/offers", offer).Want(t, "ambiguous price", http.StatusUnprocessableEntity,
		`id="offer-errors"`, `data-field="price">Skriv prisen som 12 500,00 eller 12500`, `value="12.500"`)
	offer.Set("price", "12 500,50")
	b.Post(loc+"/offers", offer).Redirected(t, "add offer", loc)
	offer.Set("product_id", fmt.Sprint(s.atekst.ID))
	offer.Set("price", "3\u00a0000")
	offer.Set("currency", "EUR")
	offer.Set("renews_by_default", "yes")
	b.Post(loc+"/offers", offer).Redirected(t, "add second offer", loc)
	offer.Set("price", "1")
	b.Post(loc+"/offers", offer).Want(t, "same product twice", http.StatusUnprocessableEntity,
		`data-field="product_id">Avtalen har allerede et tilbud på dette produktet.`)

	ags, err := s.svc.Enrolment.Agreements(s.ctx, admSystem, s.vendor.ID)
	if err != nil || len(ags) != 1 {
		t.Fatalf("agreements: %v %v", ags, err)
	}
	offers, err := s.svc.Enrolment.Offers(s.ctx, admSystem, ags[0].ID)
	if err != nil || len(offers) != 2 {
		t.Fatalf("offers: %+v %v", offers, err)
	}
	byProduct := map[string]enrolment.Offer{}
	for _, o := range offers {
		byProduct[o.Product.Name] = o.Offer
	}
	if o := byProduct["Lovdata Pro"]; o.PriceMinor != 1250050 || o.Currency != "NOK" || o.RenewsByDefault {
		t.Errorf("Lovdata offer: %d %s renews=%v, want 1250050 NOK, not renewing", o.PriceMinor, o.Currency, o.RenewsByDefault)
	}
	if o := byProduct["Atekst"]; o.PriceMinor != 300000 || o.Currency != "EUR" || !o.RenewsByDefault {
		t.Errorf("Atekst offer: %d %s renews=%v, want 300000 EUR, renewing", o.PriceMinor, o.Currency, o.RenewsByDefault)
	}
	page := b.Get(loc)
	lov := page.Section(fmt.Sprintf("offer-%d", byProduct["Lovdata Pro"].ID))
	if !strings.Contains(lov, "12 500,50 NOK") || !strings.Contains(lov, "Vilkår må godtas") {
		t.Errorf("Lovdata's row: %s", lov)
	}

	// Next year's agreement: its offer may continue this year's.
	next, err := s.svc.Enrolment.CreateAgreement(s.ctx, admSystem, enrolment.AgreementInput{VendorID: s.vendor.ID,
		Name: "Lovdata 2028", StartsOn: "2028-01-01", EndsOn: "2028-12-31"})
	if err != nil {
		t.Fatal(err)
	}
	nextURL := fmt.Sprintf("/agreements/%d", next.ID)
	prev := byProduct["Lovdata Pro"].ID
	b.Get(nextURL).Want(t, "next year's agreement", http.StatusOK,
		fmt.Sprintf(`<option value="%d" >Lovdata Pro · Lovdata 2027 (01.01.2027 – 31.12.2027)</option>`, prev))
	b.Post(nextURL+"/offers", url.Values{"product_id": {fmt.Sprint(s.atekst.ID)}, "price": {"100"}, "previous_offer_id": {fmt.Sprint(prev)}}).
		Want(t, "previous offer of another product", http.StatusUnprocessableEntity, `data-field="previous_offer_id">`)
	b.Post(nextURL+"/offers", url.Values{"product_id": {fmt.Sprint(s.lovdata.ID)}, "price": {"13 000"}, "currency": {"NOK"},
		"renews_by_default": {"yes"}, "previous_offer_id": {fmt.Sprint(prev)}}).Redirected(t, "renewing offer", nextURL)
	os, _ := s.svc.Enrolment.Offers(s.ctx, admSystem, next.ID)
	if len(os) != 1 || os[0].Offer.PreviousOfferID == nil || *os[0].Offer.PreviousOfferID != prev || os[0].Offer.PriceMinor != 1300000 {
		t.Fatalf("renewing offer: %+v", os)
	}
	b.Get(nextURL).Want(t, "renewing offer shown", http.StatusOK, "13 000,00 NOK", "Lovdata Pro · Lovdata 2027")

	// Editing: a stale version is refused with what was typed kept.
	edit := url.Values{"vendor_id": {fmt.Sprint(s.vendor.ID)}, "name": {"Lovdata 2027 (forlenget)"}, "starts_on": {"2027-01-01"},
		"ends_on": {"2028-01-31"}, "version": {"1"}}
	b.Post(loc, edit).Redirected(t, "edit agreement", loc)
	b.Post(loc, edit).Want(t, "stale edit", http.StatusConflict, "Noen andre lagret denne posten", `value="Lovdata 2027 (forlenget)"`)
	b.Get("/agreements").Want(t, "edited agreement", http.StatusOK, "Lovdata 2027 (forlenget)", "01.01.2027 – 31.01.2028")

	// English readers see ISO dates and English amounts.
	b.Post("/language", url.Values{"lang": {"en"}, "next": {loc}})
	b.Get(loc).Want(t, "agreement in English", http.StatusOK, "1 Jan 2027 – 31 Jan 2028", "12,500.50 NOK", "3,000.00 EUR")
}

// Staff see the consortium's pages; library contacts get none of them.
func TestConsortiumPagesAreForAdminsAndStaff(t *testing.T) {
	s := newAdmSite(t)
	ag, lov, _ := s.agreement(2027)
	win, _, err := s.svc.Enrolment.CreateWindow(s.ctx, admSystem, enrolment.WindowInput{Name: "Tilknytning 2027",
		OpensOn: "2026-10-16", ClosesOn: "2026-11-12", OfferIDs: []int64{lov}})
	if err != nil {
		t.Fatal(err)
	}
	admin := fmt.Sprintf("/windows/%d/admin", win.ID)
	pages := []string{"/agreements", "/agreements/new", fmt.Sprintf("/agreements/%d", ag.ID), "/windows/new",
		admin, fmt.Sprintf("/windows/%d/report.xlsx", win.ID), "/trials", "/dpas", fmt.Sprintf("/products/%d/acceptances", s.lovdata.ID)}

	staff := s.login(s.user("staff@samla.test", auth.RoleStaff, nil))
	for _, p := range pages {
		if got := staff.Get(p); got.Status != http.StatusOK {
			t.Errorf("staff GET %s: %d, want 200\n%s", p, got.Status, webtest.Excerpt(got.Body))
		}
	}
	staff.Get(admin).Want(t, "staff's window view", http.StatusOK, `id="progress-table"`, `id="change-admin-only"`).
		Lacks(t, "staff's window view", `id="change-form"`)
	staff.Post(admin+"/answer", url.Values{"library_id": {fmt.Sprint(s.oslo.ID)}, "offer_id": {fmt.Sprint(lov)},
		"answer": {"yes"}, "change_reason": {"telefon"}}).Want(t, "staff changing an answer", http.StatusForbidden)

	contact := s.login(s.contactOf("kari@deichman.no", s.oslo))
	for _, p := range pages {
		if got := contact.Get(p); got.Status != http.StatusForbidden {
			t.Errorf("library contact GET %s: %d, want 403", p, got.Status)
		}
	}
	if got := contact.Get("/windows"); got.Status != http.StatusSeeOther || got.Location != "/my/windows" {
		t.Errorf("library contact GET /windows: %d → %q, want 303 → /my/windows", got.Status, got.Location)
	}
	staff.Get("/windows").Want(t, "staff's windows", http.StatusOK, "Tilknytning 2027")
	contact.Post("/agreements", url.Values{"name": {"x"}}).Want(t, "library contact posting an agreement", http.StatusForbidden)
	if got := webtest.NewBrowser(t, s.base).Get("/agreements"); got.Status != http.StatusSeeOther || !strings.HasPrefix(got.Location, "/login") {
		t.Errorf("anonymous /agreements: %d → %q, want 303 → /login", got.Status, got.Location)
	}
}
