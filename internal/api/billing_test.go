package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/products"
)

// billFix is the enrolment fixture with the consortium's seller details, a
// second library (Bærum, with its population) and a 2027 agreement holding
// a newspaper offer and a reference-work offer, both still at the flat NOK
// price they were made with.
type billFix struct {
	*enrolFix
	baerum           library
	news, lookup     *products.Product
	agreement        int64
	newsOff, lookOff int64
}

func newBillFix(t *testing.T) *billFix {
	t.Helper()
	f := &billFix{enrolFix: newEnrolFix(t)}
	if _, err := f.svc.Billing.SaveSettings(f.ctx, auth.System, billing.Settings{Name: "Bibliotekkonsortiet", OrgNumber: "987654325",
		VATRegistered: true, Street: "Postboks 4 Sentrum", Postcode: "0101", City: "Oslo", Country: "NO", BankAccount: "1234 56 78903",
		Email: "faktura@konsortiet.example", PaymentDays: 30, HomeCurrency: "NOK", ContributionVAT: "E"}); err != nil {
		t.Fatal(err)
	}
	f.baerum = f.create(f.admin, map[string]any{"name": "Bærum bibliotek", "type": "public", "municipality_number": "3201",
		"org_number": "974778874", "population": 130000})
	f.news, f.lookup = f.product("Avis Norden", false, false), f.product("Oppslag", false, false)
	var offers []int64
	f.agreement, offers = f.offers(f.news, f.lookup)
	f.newsOff, f.lookOff = offers[0], offers[1]
	return f
}

// subscribe enrols libraries in an offer for 2027, as a yes in a window would.
func (f *billFix) subscribe(offerID int64, p *products.Product, libs ...int64) {
	f.t.Helper()
	for _, id := range libs {
		sub := enrolment.Subscription{LibraryID: id, ProductID: p.ID, OfferID: &offerID, StartsOn: "2027-01-01", EndsOn: "2027-12-31", CreatedAt: time.Now().UTC()}
		if _, err := f.svc.Enrolment.EnsureSubscription(f.ctx, f.svc.DB, sub); err != nil {
			f.t.Fatal(err)
		}
	}
}

type runOut struct {
	Run struct {
		ID         int64  `json:"id"`
		Status     string `json:"status"`
		Currency   string `json:"currency"`
		Invoices   int    `json:"invoices"`
		TotalMinor int64  `json:"total_minor"`
	} `json:"run"`
	Skips []struct {
		LibraryID int64  `json:"library_id"`
		OfferID   int64  `json:"offer_id"`
		Code      string `json:"code"`
		Message   string `json:"message"`
	} `json:"skips"`
	Invoices []invoiceOut `json:"invoices"`
}

type invoiceOut struct {
	ID               int64  `json:"id"`
	Kind             string `json:"kind"`
	Number           string `json:"number"`
	Status           string `json:"status"`
	CreditsInvoiceID *int64 `json:"credits_invoice_id"`
	BuyerName        string `json:"buyer_name"`
	BuyerReference   string `json:"buyer_reference"`
	Currency         string `json:"currency"`
	NetMinor         int64  `json:"net_minor"`
	VATMinor         int64  `json:"vat_minor"`
	TotalMinor       int64  `json:"total_minor"`
	Lines            []struct {
		ID             int64  `json:"id"`
		Kind           string `json:"kind"`
		AmountMinor    int64  `json:"amount_minor"`
		SourceCurrency string `json:"source_currency"`
		SourceMinor    int64  `json:"source_minor"`
		Rate           string `json:"rate"`
		Note           string `json:"note"`
		Steps          []struct {
			Code string `json:"code"`
			Text string `json:"text"`
		} `json:"steps"`
	} `json:"lines"`
}

// byBuyer finds a run's invoice by the buyer's name.
func (r runOut) byBuyer(t *testing.T, name string) invoiceOut {
	t.Helper()
	for _, inv := range r.Invoices {
		if inv.BuyerName == name {
			return inv
		}
	}
	t.Fatalf("no invoice to %s in %+v", name, r.Invoices)
	return invoiceOut{}
}

func TestBillingRolesAPI(t *testing.T) {
	f := newBillFix(t)
	staff := f.role(auth.RoleStaff)
	run := map[string]any{"kind": "subscriptions", "name": "2027", "period_from": "2027-01-01", "period_to": "2027-12-31"}
	for _, c := range []struct {
		token, method, path string
		body                any
		want                int
	}{
		{f.libToken, "GET", "/invoice-runs", nil, http.StatusForbidden},
		{f.libToken, "POST", "/invoice-runs", run, http.StatusForbidden},
		{f.libToken, "GET", "/billing/agreements", nil, http.StatusForbidden},
		{f.libToken, "GET", "/exchange-rates", nil, http.StatusForbidden},
		{f.libToken, "POST", "/exchange-rates", map[string]any{"currency": "EUR", "date": "2026-12-01", "rate": "11.5", "note": "x"}, http.StatusForbidden},
		{f.libToken, "GET", "/billing/economy?year=2027", nil, http.StatusForbidden},
		{staff, "POST", "/invoice-runs", run, http.StatusForbidden}, // approving money is for admins
		{staff, "PUT", fmt.Sprintf("/billing/offers/%d/price", f.newsOff), map[string]any{"model": "flat", "currency": "NOK", "flat_minor": 1}, http.StatusForbidden},
		{staff, "GET", "/invoice-runs", nil, http.StatusOK},
		{"", "GET", "/invoice-runs", nil, http.StatusUnauthorized},
		// A library contact reads its own library's report, not another's.
		{f.libToken, "GET", fmt.Sprintf("/billing/libraries/%d/report?year=2027", f.lib.ID), nil, http.StatusOK},
		{f.libToken, "GET", fmt.Sprintf("/billing/libraries/%d/report?year=2027", f.baerum.ID), nil, http.StatusForbidden},
		{f.admin, "GET", "/billing/libraries/999999/report", nil, http.StatusNotFound},
	} {
		if r := f.call(c.token, c.method, c.path, c.body); r.Status != c.want {
			t.Errorf("%s %s as %.8s…: %d, want %d; %s", c.method, c.path, c.token, r.Status, c.want, r.Body)
		}
	}
}

func TestBillingPriceValidationAPI(t *testing.T) {
	f := newBillFix(t)
	path := fmt.Sprintf("/billing/offers/%d/price", f.lookOff)
	for _, c := range []struct {
		name string
		body map[string]any
		loc  string
		code string
	}{
		{"overlapping bands", map[string]any{"model": "tiers", "currency": "NOK", "spec": map[string]any{"basis": "population",
			"bands": []map[string]any{{"from": 0, "to": 10000, "price_minor": 450000}, {"from": 10000, "price_minor": 890000}}}},
			"body.spec.bands[1]", "billing.price.band_overlap"},
		{"rate not a number", map[string]any{"model": "rate", "currency": "NOK", "spec": map[string]any{"basis": "fte", "rate": "zero"}},
			"body.spec.rate", "billing.price.rate"},
		{"unknown model", map[string]any{"model": "auction", "currency": "NOK"}, "body.model", "billing.price.model"},
		{"negative vendor cost", map[string]any{"model": "flat", "currency": "NOK", "flat_minor": 100, "vendor_cost_minor": -1},
			"body.vendor_cost_minor", "billing.price.negative"},
	} {
		var p problem
		f.call(f.admin, "PUT", path, c.body).must(t, http.StatusUnprocessableEntity, &p)
		if !slices.Equal(p.locations(), []string{c.loc}) || !p.mentions(c.code) {
			t.Errorf("%s: %+v", c.name, p)
		}
		// The message is the catalogue's, in Bokmål by default, not the code.
		if len(p.Errors) == 1 && strings.TrimPrefix(p.Errors[0].Message, c.code+": ") == "" {
			t.Errorf("%s: untranslated %q", c.name, p.Errors[0].Message)
		}
	}
	var offers []billing.OfferPricing
	f.call(f.admin, "GET", fmt.Sprintf("/billing/agreements/%d/offers", f.agreement), nil).must(t, http.StatusOK, &offers)
	for _, o := range offers {
		if o.Model != billing.ModelFlat || o.FlatMinor != 150000 {
			t.Errorf("a refused price changed offer %d: %+v", o.OfferID, o)
		}
	}
	f.call(f.admin, "PUT", "/billing/offers/999999/price", map[string]any{"model": "flat", "currency": "NOK", "flat_minor": 1}).
		must(t, http.StatusNotFound, nil)
}

// TestBillingFlowAPI prices a EUR newspaper and a NOK tier product, bills
// two libraries, approves twice, downloads the EHF, credits a line, and
// reads the economy — checking every amount to the øre.
func TestBillingFlowAPI(t *testing.T) {
	f := newBillFix(t)
	admin := f.admin

	// Rates and prices.
	var rate struct {
		ID   int64  `json:"id"`
		Rate string `json:"rate"`
	}
	f.call(admin, "POST", "/exchange-rates", map[string]any{"currency": "EUR", "date": "01.12.2026", "rate": "11,5", "note": "Avtalt kurs"}).
		must(t, http.StatusCreated, &rate)
	if rate.Rate != "11.500000" {
		t.Errorf("manual rate %q", rate.Rate)
	}
	var priced billing.OfferPricing
	f.call(admin, "PUT", fmt.Sprintf("/billing/offers/%d/price", f.newsOff), map[string]any{"model": "flat", "currency": "EUR",
		"flat_minor": 90000, "vendor_cost_minor": 200000}).must(t, http.StatusOK, &priced)
	if priced.Model != "flat" || priced.Currency != "EUR" || priced.FlatMinor != 90000 || priced.VendorCostMinor == nil || *priced.VendorCostMinor != 200000 {
		t.Errorf("flat price %+v", priced)
	}
	f.call(admin, "PUT", fmt.Sprintf("/billing/offers/%d/price", f.lookOff), map[string]any{"model": "tiers", "currency": "NOK", "vendor_cost_minor": 0,
		"spec": map[string]any{"basis": "population", "bands": []map[string]any{{"from": 0, "to": 9999, "price_minor": 450000}, {"from": 10000, "price_minor": 890000}}}}).
		must(t, http.StatusOK, &priced)
	if priced.Model != "tiers" || len(priced.Spec.Bands) != 2 || priced.FlatMinor != 0 {
		t.Errorf("tier price %+v", priced)
	}
	var p problem
	f.call(admin, "PUT", fmt.Sprintf("/billing/agreements/%d/markup", f.agreement), map[string]any{"basis_points": 9999}).must(t, http.StatusUnprocessableEntity, &p)
	if !slices.Equal(p.locations(), []string{"body.basis_points"}) {
		t.Errorf("markup 99.99 %%: %+v", p)
	}
	var ag billing.AgreementRow
	f.call(admin, "PUT", fmt.Sprintf("/billing/agreements/%d/markup", f.agreement), map[string]any{"basis_points": 600}).must(t, http.StatusOK, &ag)
	if ag.ID != f.agreement || ag.MarkupBP != 600 {
		t.Errorf("markup %+v", ag)
	}
	f.call(admin, "PUT", fmt.Sprintf("/billing/products/%d/vat", f.news.ID), map[string]any{"category": "Z"}).must(t, http.StatusNoContent, nil)
	f.call(admin, "PUT", fmt.Sprintf("/billing/products/%d/vat", f.lookup.ID), map[string]any{"category": "S", "rate_bp": 2500}).must(t, http.StatusNoContent, nil)

	// Oslo has no population on file, so its tier price is skipped.
	f.subscribe(f.newsOff, f.news, f.lib.ID, f.baerum.ID)
	f.subscribe(f.lookOff, f.lookup, f.lib.ID, f.baerum.ID)
	var offers []billing.OfferPricing
	f.call(admin, "GET", fmt.Sprintf("/billing/agreements/%d/offers", f.agreement), nil).must(t, http.StatusOK, &offers)
	if len(offers) != 2 || offers[0].Subscribers != 2 || offers[0].MarkupBP != 600 || offers[0].VATCategory != "Z" || offers[1].VATRateBP != 2500 {
		t.Errorf("offers %+v", offers)
	}

	// Without a USD rate nothing can be invoiced in USD.
	run := map[string]any{"kind": "subscriptions", "name": "Lisenser 2027", "period_from": "2027-01-01", "period_to": "31.12.2027",
		"issue_date": "2027-01-15", "rate_date": "2026-12-01"}
	f.call(admin, "POST", "/invoice-runs", with(run, "currency", "USD")).must(t, http.StatusUnprocessableEntity, &p)
	if !p.mentions("api.billing.no_rate") {
		t.Errorf("no USD rate: %+v", p)
	}

	var draft runOut
	f.call(admin, "POST", "/invoice-runs", run).must(t, http.StatusCreated, &draft)
	// EUR 900 at 11.5 = NOK 10 350; markup 6 % = 621; the tier product
	// 8 900 + 25 % VAT for Bærum (population 130 000).
	oslo, baerum := draft.byBuyer(t, "Deichman Oslo"), draft.byBuyer(t, "Bærum bibliotek")
	if draft.Run.Status != "draft" || draft.Run.Currency != "NOK" || draft.Run.Invoices != 2 || draft.Run.TotalMinor != 1_097_100+2_209_600 ||
		oslo.TotalMinor != 1_097_100 || oslo.VATMinor != 0 || baerum.NetMinor != 1_987_100 || baerum.VATMinor != 222_500 || baerum.TotalMinor != 2_209_600 ||
		oslo.Number != "" || oslo.Status != "draft" {
		t.Errorf("draft run %+v", draft)
	}
	if len(draft.Skips) != 1 || draft.Skips[0].LibraryID != f.lib.ID || draft.Skips[0].OfferID != f.lookOff ||
		draft.Skips[0].Code != "billing.skip.no_basis" || draft.Skips[0].Message == "" || draft.Skips[0].Message == draft.Skips[0].Code {
		t.Errorf("skips %+v", draft.Skips)
	}
	runPath := fmt.Sprintf("/invoice-runs/%d", draft.Run.ID)
	var got runOut
	f.call(admin, "GET", runPath, nil).must(t, http.StatusOK, &got)
	if got.Run.TotalMinor != draft.Run.TotalMinor || len(got.Skips) != 1 || len(got.Invoices) != 2 {
		t.Errorf("GET run %+v", got)
	}
	var runs []struct {
		ID         int64 `json:"id"`
		Invoices   int   `json:"invoices"`
		TotalMinor int64 `json:"total_minor"`
	}
	f.call(admin, "GET", "/invoice-runs", nil).must(t, http.StatusOK, &runs)
	if len(runs) != 1 || runs[0].ID != draft.Run.ID || runs[0].Invoices != 2 || runs[0].TotalMinor != draft.Run.TotalMinor {
		t.Errorf("runs %+v", runs)
	}

	// Drafts: no EHF yet, but the references can change.
	f.call(admin, "GET", fmt.Sprintf("/invoices/%d/ehf", oslo.ID), nil).must(t, http.StatusConflict, &p)
	if !p.mentions("api.billing.invoice_draft") {
		t.Errorf("EHF of a draft: %+v", p)
	}
	var inv invoiceOut
	f.call(admin, "PATCH", fmt.Sprintf("/invoices/%d", oslo.ID), map[string]any{"buyer_reference": " Kari Nordmann "}).must(t, http.StatusOK, &inv)
	if inv.BuyerReference != "Kari Nordmann" {
		t.Errorf("patched reference %q", inv.BuyerReference)
	}

	// Approval numbers the invoices once; again changes nothing.
	var approved, again runOut
	f.call(admin, "POST", runPath+"/approve", nil).must(t, http.StatusOK, &approved)
	f.call(admin, "POST", runPath+"/approve", nil).must(t, http.StatusOK, &again)
	numbers := func(r runOut) []string {
		var out []string
		for _, inv := range r.Invoices {
			out = append(out, fmt.Sprintf("%s:%s:%d", inv.Number, inv.Status, inv.TotalMinor))
		}
		return out
	}
	if approved.Run.Status != "approved" || !slices.Equal(numbers(approved), []string{"1:approved:2209600", "2:approved:1097100"}) ||
		!slices.Equal(numbers(again), numbers(approved)) || again.Run.TotalMinor != approved.Run.TotalMinor {
		t.Errorf("approve: %v, again: %v", numbers(approved), numbers(again))
	}
	f.call(admin, "PATCH", fmt.Sprintf("/invoices/%d", oslo.ID), map[string]any{"note": "for sent"}).must(t, http.StatusConflict, &p)
	if !p.mentions("api.billing.invoice_approved") {
		t.Errorf("patch approved: %+v", p)
	}
	f.call(admin, "DELETE", runPath, nil).must(t, http.StatusConflict, &p)
	if !p.mentions("api.billing.run_approved") {
		t.Errorf("discard approved: %+v", p)
	}

	// One invoice with its lines and how each was computed.
	f.call(admin, "GET", fmt.Sprintf("/invoices/%d", baerum.ID), nil).must(t, http.StatusOK, &inv)
	if len(inv.Lines) != 3 {
		t.Fatalf("lines %+v", inv.Lines)
	}
	sub, markup, tier := inv.Lines[0], inv.Lines[1], inv.Lines[2]
	if sub.Kind != "subscription" || sub.AmountMinor != 1_035_000 || sub.SourceCurrency != "EUR" || sub.SourceMinor != 90000 || sub.Rate != "11.500000" ||
		markup.Kind != "markup" || markup.AmountMinor != 62_100 || tier.AmountMinor != 890_000 || sub.Note == "" {
		t.Errorf("lines %+v", inv.Lines)
	}
	var codes []string
	for _, s := range sub.Steps {
		codes = append(codes, s.Code)
		if strings.Contains(s.Text, "{{") || s.Text == s.Code {
			t.Errorf("step text %q", s.Text)
		}
	}
	// Bokmål by default; the conversion starts from the price in euros.
	if !slices.Equal(codes, []string{"billing.step.flat", "billing.step.convert"}) || !strings.Contains(sub.Steps[0].Text, "900,00 EUR") ||
		!strings.Contains(sub.Steps[1].Text, "900,00 EUR") || !strings.Contains(sub.Steps[1].Text, "10 350,00 NOK") ||
		len(tier.Steps) != 1 || !strings.Contains(tier.Steps[0].Text, "130") {
		t.Errorf("steps %+v / %+v", sub.Steps, tier.Steps)
	}

	// The e-invoice.
	ehf := f.call(admin, "GET", fmt.Sprintf("/invoices/%d/ehf", baerum.ID), nil)
	if ehf.Status != http.StatusOK || ehf.Header.Get("Content-Type") != "application/xml" || !bytes.HasPrefix(ehf.Body, []byte("<?xml")) ||
		!bytes.Contains(ehf.Body, []byte("974778874")) || !strings.Contains(ehf.Header.Get("Content-Disposition"), "faktura-1.xml") {
		t.Errorf("EHF %d %v %.200s", ehf.Status, ehf.Header, ehf.Body)
	}
	// Header and five lines, as a spreadsheet opens it (BOM, semicolons).
	csv := f.call(admin, "GET", runPath+"/csv", nil)
	if csv.Status != http.StatusOK || !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") ||
		!bytes.HasPrefix(bytes.TrimPrefix(csv.Body, []byte("\ufeff")), []byte("invoice_number;")) || bytes.Count(csv.Body, []byte("\n")) != 6 {
		t.Errorf("CSV %d %v\n%s", csv.Status, csv.Header, csv.Body)
	}

	// A credit note takes back the newspaper and its markup.
	credit := fmt.Sprintf("/invoices/%d/credit", baerum.ID)
	f.call(admin, "POST", credit, map[string]any{"line_ids": []int64{sub.ID, markup.ID}}).must(t, http.StatusUnprocessableEntity, &p)
	if !slices.Equal(p.locations(), []string{"body.reason"}) {
		t.Errorf("credit without reason: %+v", p)
	}
	var cn invoiceOut
	f.call(admin, "POST", credit, map[string]any{"line_ids": []int64{sub.ID, markup.ID}, "reason": "Feil avis"}).must(t, http.StatusCreated, &cn)
	if cn.Kind != "credit_note" || cn.Number != "3" || cn.Status != "approved" || cn.CreditsInvoiceID == nil || *cn.CreditsInvoiceID != baerum.ID ||
		cn.TotalMinor != -1_097_100 || len(cn.Lines) != 2 || cn.Lines[0].AmountMinor != -1_035_000 {
		t.Errorf("credit note %+v", cn)
	}
	f.call(admin, "POST", credit, map[string]any{"line_ids": []int64{sub.ID}, "reason": "Igjen"}).must(t, http.StatusUnprocessableEntity, &p)
	if !slices.Equal(p.locations(), []string{"body.line_ids"}) {
		t.Errorf("credit twice: %+v", p)
	}
	cnEHF := f.call(admin, "GET", fmt.Sprintf("/invoices/%d/ehf", cn.ID), nil)
	if cnEHF.Status != http.StatusOK || !bytes.Contains(cnEHF.Body, []byte("CreditNote")) {
		t.Errorf("credit note EHF %d %.300s", cnEHF.Status, cnEHF.Body)
	}

	// The credited lines can be billed again; a draft run can be discarded.
	var rebill runOut
	f.call(admin, "POST", "/invoice-runs", with(run, "name", "Retting")).must(t, http.StatusCreated, &rebill)
	if len(rebill.Invoices) != 1 || rebill.Invoices[0].TotalMinor != 1_097_100 {
		t.Errorf("rebill %+v", rebill)
	}
	f.call(admin, "DELETE", fmt.Sprintf("/invoice-runs/%d", rebill.Run.ID), nil).must(t, http.StatusNoContent, nil)
	f.call(admin, "GET", fmt.Sprintf("/invoice-runs/%d", rebill.Run.ID), nil).must(t, http.StatusNotFound, nil)

	// The vendor invoices EUR 2 050 at 11.8: EUR 50 more than agreed.
	var vi struct {
		ID              int64  `json:"id"`
		Rate            string `json:"rate"`
		HomeMinor       int64  `json:"home_minor"`
		ExpectedMinor   int64  `json:"expected_minor"`
		DifferenceMinor int64  `json:"difference_minor"`
		Status          string `json:"status"`
	}
	vpath := fmt.Sprintf("/billing/agreements/%d/vendor-invoices", f.agreement)
	f.call(admin, "POST", vpath, map[string]any{"number": "AN-2027-1", "invoice_date": "2027-02-01", "currency": "EUR", "amount_minor": 205000,
		"rate": "11,8", "paid_on": "2027-02-20"}).must(t, http.StatusCreated, &vi)
	if vi.Rate != "11.800000" || vi.HomeMinor != 2_419_000 || vi.ExpectedMinor != 200000 || vi.DifferenceMinor != 5000 || vi.Status != "registered" {
		t.Errorf("vendor invoice %+v", vi)
	}
	approve := fmt.Sprintf("/billing/vendor-invoices/%d/approve", vi.ID)
	f.call(admin, "POST", approve, map[string]any{}).must(t, http.StatusUnprocessableEntity, &p)
	if !slices.Equal(p.locations(), []string{"body.note"}) {
		t.Errorf("approve without note: %+v", p)
	}
	f.call(admin, "POST", approve, map[string]any{"note": "Indeksregulert"}).must(t, http.StatusNoContent, nil)
	var vis []struct {
		Status string `json:"status"`
	}
	f.call(admin, "GET", vpath, nil).must(t, http.StatusOK, &vis)
	if len(vis) != 1 || vis[0].Status != "approved" {
		t.Errorf("vendor invoices %+v", vis)
	}

	// Economy: collected 10 350 × 2 + 8 900 − 10 350 = 19 250; markup 621;
	// expected cost EUR 2 050 at 11.5 = 23 575, real at 11.8 = 24 190.
	want := billing.Economy{AgreementID: f.agreement, Agreement: "Avtale 2027", Year: 2027, Currency: "NOK", VendorInvoices: 1,
		RealCostMinor: 2_419_000, ExpectedCostMinor: 2_357_500, CostKnown: true, HasCost: true, CollectedMinor: 1_925_000, MarkupMinor: 62_100,
		CurrencyResultMinor: 600, DeficitMinor: 432_500, NetMinor: -431_900}
	var e billing.Economy
	f.call(admin, "GET", fmt.Sprintf("/billing/agreements/%d/economy", f.agreement), nil).must(t, http.StatusOK, &e)
	if fmt.Sprint(e) != fmt.Sprint(want) {
		t.Errorf("economy\n got %+v\nwant %+v", e, want)
	}
	var year struct {
		Year       int               `json:"year"`
		Agreements []billing.Economy `json:"agreements"`
	}
	f.call(admin, "GET", "/billing/economy?year=2027", nil).must(t, http.StatusOK, &year)
	if year.Year != 2027 || len(year.Agreements) != 1 || fmt.Sprint(year.Agreements[0]) != fmt.Sprint(want) {
		t.Errorf("economy 2027 %+v", year)
	}

	// The library's own report: what it paid for what.
	var report struct {
		Currency string                  `json:"currency"`
		Charges  []billing.LibraryCharge `json:"charges"`
	}
	f.call(f.libToken, "GET", fmt.Sprintf("/billing/libraries/%d/report?year=2027", f.lib.ID), nil).must(t, http.StatusOK, &report)
	if report.Currency != "NOK" || fmt.Sprint(report.Charges) != fmt.Sprint([]billing.LibraryCharge{
		{Year: 2027, Kind: "subscription", Product: "Avis Norden", AmountMinor: 1_035_000}, {Year: 2027, Kind: "markup", Product: "Avis Norden", AmountMinor: 62_100}}) {
		t.Errorf("library report %+v", report)
	}
}

func TestConsortiumCostsAPI(t *testing.T) {
	f := newBillFix(t)
	var p problem
	f.call(f.admin, "POST", "/billing/costs", map[string]any{"year": 2027, "description": " ", "amount_minor": 0}).must(t, http.StatusUnprocessableEntity, &p)
	if locs := p.locations(); !slices.Contains(locs, "body.description") || !slices.Contains(locs, "body.amount_minor") {
		t.Errorf("bad cost: %+v", p)
	}
	var c billing.Cost
	f.call(f.admin, "POST", "/billing/costs", map[string]any{"year": 2027, "description": "Sekretariat", "amount_minor": 145_000_000}).must(t, http.StatusCreated, &c)
	var r billing.CostsReport
	f.call(f.admin, "GET", "/billing/costs?year=2027", nil).must(t, http.StatusOK, &r)
	if r.Total != 145_000_000 || r.Currency != "NOK" || len(r.Items) != 1 || r.Items[0].ID != c.ID {
		t.Errorf("costs %+v", r)
	}
	f.call(f.admin, "DELETE", fmt.Sprintf("/billing/costs/%d", c.ID), nil).must(t, http.StatusNoContent, nil)
	f.call(f.admin, "DELETE", fmt.Sprintf("/billing/costs/%d", c.ID), nil).must(t, http.StatusNotFound, nil)
	f.call(f.admin, "GET", "/billing/costs?year=2027", nil).must(t, http.StatusOK, &r)
	if r.Total != 0 || r.Items == nil || len(r.Items) != 0 {
		t.Errorf("costs after delete %+v", r)
	}
}

func TestExchangeRatesAPI(t *testing.T) {
	e := newEnv(t)
	admin := e.role(auth.RoleAdmin)
	data, err := os.ReadFile("../rates/testdata/norges-bank-EXR-A-SEK-NOK-no.csv")
	if err != nil {
		t.Fatal(err)
	}
	const path = "/exchange-rates/import?filename=norges-bank-EXR-A-SEK-NOK-no.csv"
	type result struct {
		Format     string   `json:"format"`
		Source     string   `json:"source"`
		Imported   int      `json:"imported"`
		Unchanged  int      `json:"unchanged"`
		Currencies []string `json:"currencies"`
		From, To   string
	}
	var res result
	e.call(admin, "POST", path, data).must(t, http.StatusOK, &res)
	if res.Source != "norges-bank" || res.Imported != 2 || !slices.Equal(res.Currencies, []string{"SEK"}) || res.From != "2021-12-31" || res.To != "2022-12-31" {
		t.Errorf("import %+v", res)
	}
	e.call(admin, "POST", path, data).must(t, http.StatusOK, &res)
	if res.Imported != 0 || res.Unchanged != 2 {
		t.Errorf("import again %+v", res)
	}
	var list []struct {
		Currency string `json:"currency"`
		Date     string `json:"date"`
		Rate     string `json:"rate"`
		Source   string `json:"source"`
	}
	e.call(admin, "GET", "/exchange-rates?currency=sek", nil).must(t, http.StatusOK, &list)
	if len(list) != 2 || list[0].Date != "2022-12-31" || list[0].Rate != "0.950300" || list[1].Rate != "1.001900" {
		t.Errorf("rates %+v", list)
	}
	var q struct {
		Date, Rate string
	}
	e.call(admin, "GET", "/exchange-rates/lookup?currency=SEK&date=15.06.2023", nil).must(t, http.StatusOK, &q)
	if q.Date != "2022-12-31" || q.Rate != "0.950300" {
		t.Errorf("lookup %+v", q)
	}
	var p problem
	e.call(admin, "GET", "/exchange-rates/lookup?currency=SEK&date=2020-01-01", nil).must(t, http.StatusUnprocessableEntity, &p)
	if !p.mentions("api.billing.no_rate") {
		t.Errorf("lookup before any rate: %+v", p)
	}

	// A broken value refuses the whole file, naming its line and column.
	broken := bytes.Replace(data, []byte(";2022;95,03"), []byte(";2022;95,x3"), 1)
	e.call(admin, "POST", "/exchange-rates/import?filename=broken.csv", broken).must(t, http.StatusUnprocessableEntity, &p)
	if !slices.Equal(p.locations(), []string{"file.line[3].OBS_VALUE"}) || !p.mentions("rates.value.rate") || !p.mentions("3") ||
		!strings.Contains(p.Detail, "broken.csv") {
		t.Errorf("broken file: %+v", p)
	}
	// A rate that differs from the stored one for the same day: 409, each listed.
	changed := bytes.Replace(data, []byte(";2021;100,19"), []byte(";2021;100,20"), 1)
	e.call(admin, "POST", "/exchange-rates/import?filename=edited.csv", changed).must(t, http.StatusConflict, &p)
	if !slices.Equal(p.locations(), []string{"file.line[2]"}) || !p.mentions("rates.import.conflict") || !p.mentions("1,0019") {
		t.Errorf("conflicting file: %+v", p)
	}

	// Manual rates: validation in the caller's language, one per day.
	var m struct {
		ID   int64  `json:"id"`
		Rate string `json:"rate"`
	}
	e.call(admin, "POST", "/exchange-rates", map[string]any{"currency": "EUR", "date": "2026-13-01", "rate": "elleve", "note": ""}).
		must(t, http.StatusUnprocessableEntity, &p)
	if locs := p.locations(); !slices.Equal(locs, []string{"body.date", "body.rate", "body.note"}) {
		t.Errorf("bad manual rate: %+v", p)
	}
	e.call(admin, "POST", "/exchange-rates", map[string]any{"currency": "EUR", "date": "2026-12-01", "rate": "11.6725", "note": "Faktura 42"}).
		must(t, http.StatusCreated, &m)
	e.call(admin, "POST", "/exchange-rates", map[string]any{"currency": "EUR", "date": "2026-12-01", "rate": "11.7", "note": "Igjen"}).
		must(t, http.StatusUnprocessableEntity, &p)
	if !p.mentions("11,6725") {
		t.Errorf("second manual rate: %+v", p)
	}
	e.call(admin, "DELETE", fmt.Sprintf("/exchange-rates/%d", m.ID), nil).must(t, http.StatusNoContent, nil)
}
