package enrolmentweb_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/web/webtest"
)

// Trials are started through the form for several libraries at once.
func TestTrialFormStartsTrialForLibraries(t *testing.T) {
	s := newAdmSite(t)
	b := s.admin()
	b.Get("/trials").Want(t, "trials", http.StatusOK, `id="trial-form"`, `name="library_ids" multiple`,
		fmt.Sprintf(`<option value="%d" >Atekst (Lovdata AS)</option>`, s.atekst.ID), "Ingen prøveperioder ennå.")
	form := url.Values{"product_id": {fmt.Sprint(s.atekst.ID)}, "starts_on": {"2026-11-01"}, "ends_on": {"2026-11-30"}}
	b.Post("/trials", form).Want(t, "trial without libraries", http.StatusUnprocessableEntity,
		`data-field="library_ids">Velg minst ett bibliotek.`, `value="2026-11-01"`)
	form["library_ids"] = []string{fmt.Sprint(s.bergen.ID), fmt.Sprint(s.oslo.ID)}
	b.Post("/trials", form).Redirected(t, "start trial", "/trials")
	page := b.Get("/trials").Want(t, "trials after", http.StatusOK,
		"Prøveperioden for Atekst (01.11.2026 – 30.11.2026) er opprettet for 2 bibliotek.")
	ts, err := s.svc.Enrolment.Trials(s.ctx, admSystem)
	if err != nil || len(ts) != 1 || len(ts[0].Libraries) != 2 {
		t.Fatalf("trials: %+v %v", ts, err)
	}
	row := page.Section(fmt.Sprintf("trial-%d", ts[0].ID))
	for _, want := range []string{"01.11.2026 – 30.11.2026", `data-state="upcoming">Kommende`, "Bergen offentlige bibliotek", "Deichman Bjørvika"} {
		if !strings.Contains(row, want) {
			t.Errorf("trial row lacks %q:\n%s", want, row)
		}
	}
}

// The DPA page lists agreements expiring within 60 days and subscriptions
// blocked for want of one; an agreement registered with its document
// unblocks the subscription, and the document downloads as uploaded.
func TestDPAsListAddAndDownload(t *testing.T) {
	s := newAdmSite(t)
	ret := s.product("Retriever Research", func(in *products.ProductInput) { in.ProcessesPersonalData = true })
	ag, err := s.svc.Enrolment.CreateAgreement(s.ctx, admSystem, enrolment.AgreementInput{VendorID: s.vendor.ID, Name: "2027",
		StartsOn: "2027-01-01", EndsOn: "2027-12-31"})
	if err != nil {
		t.Fatal(err)
	}
	price := int64(500000)
	o, err := s.svc.Enrolment.AddOffer(s.ctx, admSystem, ag.ID, enrolment.OfferInput{ProductID: ret.ID, PriceMinor: &price})
	if err != nil {
		t.Fatal(err)
	}
	win, _, err := s.svc.Enrolment.CreateWindow(s.ctx, admSystem, enrolment.WindowInput{Name: "W", OpensOn: "2026-10-16",
		ClosesOn: "2026-11-12", OfferIDs: []int64{o.ID}})
	if err != nil {
		t.Fatal(err)
	}
	osloContact := s.contactOf("kari@deichman.no", s.oslo)
	if _, err := s.svc.Enrolment.Answer(s.ctx, s.actor(osloContact), win.ID, o.ID, s.oslo.ID, enrolment.AnswerInput{Answer: "yes"}); err != nil {
		t.Fatal(err)
	}
	// Bergen's agreement runs out on 1 December: within 60 days of 20 October.
	if _, err := s.svc.Enrolment.AddDPA(s.ctx, admSystem, enrolment.DPAInput{LibraryID: s.bergen.ID, VendorID: s.vendor.ID,
		Version: "2024", SignedOn: "2024-12-01", SignedBy: "Ola Nordmann", ExpiresOn: calendar.Date("2026-12-01")}); err != nil {
		t.Fatal(err)
	}

	b := s.admin()
	page := b.Get("/dpas").Want(t, "dpas", http.StatusOK, `enctype="multipart/form-data"`, "Utløper innen 60 dager")
	if row := page.Section("expiring-dpas"); !strings.Contains(row, "Bergen offentlige bibliotek") || !strings.Contains(row, "01.12.2026") {
		t.Errorf("expiring list:\n%s", row)
	}
	if row := page.Section("blocked-subscriptions"); !strings.Contains(row, "Deichman Bjørvika") || !strings.Contains(row, "Retriever Research") ||
		!strings.Contains(row, `data-state="pending_agreement">Venter på databehandleravtale`) || !strings.Contains(row, "01.01.2027 – 31.12.2027") {
		t.Errorf("blocked list:\n%s", row)
	}

	form := url.Values{"library_id": {fmt.Sprint(s.oslo.ID)}, "vendor_id": {fmt.Sprint(s.vendor.ID)}, "version": {"2026-1"},
		"signed_on": {"2026-10-01"}, "expires_on": {"2029-10-01"}}
	doc := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 1000)...)
	b.PostFiles("/dpas", form, document("dba-oslo.pdf", doc)).Want(t, "dpa without signer", http.StatusUnprocessableEntity,
		`data-field="signed_by">Skriv hvem som signerte avtalen.`, `value="2026-1"`)
	big := make([]byte, enrolment.MaxDPADocument+1)
	form.Set("signed_by", "Kari Kulturetat")
	b.PostFiles("/dpas", form, document("stor.pdf", big)).Want(t, "document too large", http.StatusUnprocessableEntity,
		`data-field="document">Dokumentet er for stort (høyst 20 MB).`)
	loc := b.PostFiles("/dpas", form, document("dba-oslo.pdf", doc)).Redirected(t, "add dpa", fmt.Sprintf("/dpas?vendor=%d", s.vendor.ID))
	page = b.Get(loc).Want(t, "dpas after", http.StatusOK,
		"Databehandleravtalen mellom Deichman Bjørvika og Lovdata AS er registrert.", "Ingen abonnementer venter på en databehandleravtale.")
	dpas, _ := s.svc.Enrolment.LibraryDPAs(s.ctx, admSystem, s.oslo.ID)
	if len(dpas) != 1 || dpas[0].SignedBy != "Kari Kulturetat" || !dpas[0].HasDocument {
		t.Fatalf("stored: %+v", dpas)
	}
	docURL := fmt.Sprintf("/dpas/%d/document", dpas[0].ID)
	if row := page.Section(fmt.Sprintf("dpa-%d", dpas[0].ID)); !strings.Contains(row, "01.10.2026 · Kari Kulturetat") ||
		!strings.Contains(row, `href="`+docURL+`">dba-oslo.pdf</a>`) || !strings.Contains(row, "01.10.2029") {
		t.Errorf("vendor's list row:\n%s", row)
	}
	for who, br := range map[string]*webtest.Browser{"admin": b, "the library's contact": s.login(osloContact)} {
		got := br.Get(docURL)
		if got.Status != http.StatusOK || got.Body != string(doc) || got.Header.Get("Content-Type") != "application/pdf" ||
			got.Header.Get("Content-Disposition") != "attachment; filename=dba-oslo.pdf" {
			t.Errorf("%s downloading: %d %q %q, %d bytes", who, got.Status, got.Header.Get("Content-Type"),
				got.Header.Get("Content-Disposition"), len(got.Body))
		}
	}
	other := s.login(s.contactOf("ola@bergen.no", s.bergen))
	if got := other.Get(docURL); got.Status != http.StatusNotFound {
		t.Errorf("another library's contact downloading: %d, want 404", got.Status)
	}
}

// The acceptances page lists the subscribers that have not accepted the
// current licence version, and lists them again after a new version.
func TestPendingAcceptancesPage(t *testing.T) {
	s := newAdmSite(t)
	_, lov, _ := s.agreement(2027)
	win, _, err := s.svc.Enrolment.CreateWindow(s.ctx, admSystem, enrolment.WindowInput{Name: "W", OpensOn: "2026-10-16",
		ClosesOn: "2026-11-12", OfferIDs: []int64{lov}})
	if err != nil {
		t.Fatal(err)
	}
	contact := s.actor(s.contactOf("kari@deichman.no", s.oslo))
	if _, err := s.svc.Enrolment.Answer(s.ctx, contact, win.ID, lov, s.oslo.ID, enrolment.AnswerInput{Answer: "yes"}); err != nil {
		t.Fatal(err)
	}
	b := s.admin()
	pageURL := fmt.Sprintf("/products/%d/acceptances", s.lovdata.ID)
	row := b.Get(pageURL).Want(t, "acceptances", http.StatusOK, "Godkjente vilkår: Lovdata Pro", "Gjeldende versjon: 1").
		Section(fmt.Sprintf("pending-%d", s.oslo.ID))
	for _, want := range []string{"Deichman Bjørvika", "Aldri", "01.01.2027", "Ingen primærkontakt"} {
		if !strings.Contains(row, want) {
			t.Errorf("pending row lacks %q:\n%s", want, row)
		}
	}
	if _, err := s.svc.Enrolment.AcceptTerms(s.ctx, contact, s.oslo.ID, s.lovdata.ID, 1, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	b.Get(pageURL).Want(t, "all accepted", http.StatusOK, `id="all-accepted"`).Lacks(t, "all accepted", fmt.Sprintf("pending-%d", s.oslo.ID))
	if _, err := s.svc.Products.AddLicenceVersion(s.ctx, admSystem, s.lovdata.ID, products.LicenceInput{Text: "Ny lisens."}); err != nil {
		t.Fatal(err)
	}
	row = b.Get(pageURL).Want(t, "after version 2", http.StatusOK, "Gjeldende versjon: 2").Section(fmt.Sprintf("pending-%d", s.oslo.ID))
	if !strings.Contains(row, "Versjon 1") {
		t.Errorf("pending row after version 2:\n%s", row)
	}
	b.Get(fmt.Sprintf("/products/%d/acceptances", s.atekst.ID)).Want(t, "product without acceptance", http.StatusOK, `id="not-required"`)
	b.Get("/products/99999/acceptances").Want(t, "unknown product", http.StatusNotFound)
}
