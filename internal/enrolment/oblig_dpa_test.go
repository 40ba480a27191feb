package enrolment_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/enrolment"
)

func TestObligDataProcessingAgreements(t *testing.T) {
	f := obSetup(t, "2026-11-01")
	oslo := f.library("Oslo bibliotek", "Oslo", "kari@oslo.example")
	bergen := f.library("Bergen bibliotek", "Bergen", "")
	ebsco := f.vendor("EBSCO")
	lovdata := f.vendor("Lovdata")
	db := f.product(ebsco, "EBSCO Academic", false, true)
	sub := f.subscribe(oslo, db, "2027-01-01", "2027-12-31")
	kari := f.libraryUser("kari@oslo.example", oslo.ID)
	ola := f.libraryUser("ola@bergen.example", bergen.ID)
	vendorEBSCO := f.user(auth.RoleVendor, "kunde@ebsco.example", func(n *auth.NewUser) { n.VendorID = &ebsco.ID })
	vendorLovdata := f.user(auth.RoleVendor, "kunde@lovdata.example", func(n *auth.NewUser) { n.VendorID = &lovdata.ID })

	// Personal data and no agreement: pending agreement, and listed as blocked.
	f.wantState(sub, enrolment.StatePendingAgreement)
	blocked, err := f.svc.BlockedForDPA(f.ctx, obStaff)
	if err != nil || len(blocked) != 1 || blocked[0].ID != sub.ID || blocked[0].LibraryName != "Oslo bibliotek" ||
		blocked[0].VendorName != "EBSCO" || blocked[0].State != enrolment.StatePendingAgreement {
		t.Fatalf("blocked for want of an agreement: %+v, %v", blocked, err)
	}
	if b, err := f.svc.BlockedForDPA(f.ctx, ola); err != nil || len(b) != 0 {
		t.Errorf("another library sees %+v, %v", b, err)
	}

	// Who may register one, and what a registration must say.
	in := enrolment.DPAInput{LibraryID: oslo.ID, VendorID: ebsco.ID, Version: "2.1", SignedOn: "01.10.2026", SignedBy: "Kari Nordmann",
		ExpiresOn: "2027-03-31", DocumentName: "dba.pdf", Document: []byte("%PDF-1.7 agreement")}
	if _, err := f.svc.AddDPA(f.ctx, vendorEBSCO, in); !errors.Is(err, enrolment.ErrForbidden) {
		t.Errorf("vendor registered an agreement: %v", err)
	}
	if _, err := f.svc.AddDPA(f.ctx, ola, in); !errors.Is(err, enrolment.ErrNotFound) {
		t.Errorf("another library registered an agreement: %v", err)
	}
	bad := enrolment.DPAInput{LibraryID: oslo.ID, VendorID: 999, SignedOn: "2026-11-02", ExpiresOn: "2026-01-01"}
	got := obCodes(func() error { _, err := f.svc.AddDPA(f.ctx, kari, bad); return err }())
	for _, want := range []string{"vendor_id:obligations.dpa.vendor_unknown", "signed_on:obligations.dpa.signed_future",
		"expires_on:obligations.dpa.expires_before_signed", "signed_by:obligations.dpa.signed_by_required"} {
		if !slices.Contains(got, want) {
			t.Errorf("want %s among %v", want, got)
		}
	}
	d, err := f.svc.AddDPA(f.ctx, kari, in)
	if err != nil {
		t.Fatal(err)
	}
	if d.SignedOn != "2026-10-01" || d.ExpiresOn != "2027-03-31" || d.SignedBy != "Kari Nordmann" {
		t.Errorf("registered %+v", d)
	}
	if es, _ := audit.List(f.ctx, f.db, audit.Query{Entity: "data_processing_agreement"}); len(es) != 1 || es[0].Action != "create" {
		t.Errorf("audit of registration: %+v", es)
	}
	f.wantState(sub, enrolment.StateUpcoming)
	f.at("2027-02-01")
	f.wantState(sub, enrolment.StateActive)
	if b, _ := f.svc.BlockedForDPA(f.ctx, obStaff); len(b) != 0 {
		t.Errorf("still blocked: %+v", b)
	}

	// Lists: the library's own, the vendor's own, nobody else's.
	if l, err := f.svc.LibraryDPAs(f.ctx, kari, oslo.ID); err != nil || len(l) != 1 || !l[0].HasDocument || l[0].Status != enrolment.DPAValid || l[0].VendorName != "EBSCO" {
		t.Errorf("library's agreements: %+v, %v", l, err)
	}
	if _, err := f.svc.LibraryDPAs(f.ctx, ola, oslo.ID); !errors.Is(err, enrolment.ErrNotFound) {
		t.Errorf("another library read them: %v", err)
	}
	if l, err := f.svc.VendorDPAs(f.ctx, vendorEBSCO, ebsco.ID); err != nil || len(l) != 1 {
		t.Errorf("vendor's agreements: %+v, %v", l, err)
	}
	if _, err := f.svc.VendorDPAs(f.ctx, vendorLovdata, ebsco.ID); !errors.Is(err, enrolment.ErrNotFound) {
		t.Errorf("another vendor read them: %v", err)
	}
	if name, doc, err := f.svc.DPADocument(f.ctx, kari, d.ID); err != nil || name != "dba.pdf" || string(doc) != "%PDF-1.7 agreement" {
		t.Errorf("document: %q %q %v", name, doc, err)
	}
	if _, _, err := f.svc.DPADocument(f.ctx, ola, d.ID); !errors.Is(err, enrolment.ErrNotFound) {
		t.Errorf("another library read the document: %v", err)
	}

	// Expiring within 60 days: the 60th day is in, the 61st is not.
	expiring := func(day string) int {
		f.at(day)
		l, err := f.svc.ExpiringDPAs(f.ctx, obStaff, 0)
		if err != nil {
			t.Fatal(err)
		}
		return len(l)
	}
	if n := expiring("2027-01-29"); n != 0 {
		t.Errorf("61 days before expiry: %d listed", n)
	}
	if n := expiring("2027-01-30"); n != 1 {
		t.Errorf("60 days before expiry: %d listed", n)
	}
	if n := expiring("2027-03-31"); n != 1 {
		t.Errorf("on the last day: %d listed", n)
	}
	f.wantState(sub, enrolment.StateActive)

	// Expired: blocked again.
	if n := expiring("2027-04-01"); n != 0 {
		t.Errorf("expired but listed as expiring: %d", n)
	}
	f.wantState(sub, enrolment.StatePendingAgreement)
	if b, _ := f.svc.BlockedForDPA(f.ctx, obAdmin); len(b) != 1 {
		t.Errorf("expired agreement does not block: %+v", b)
	}
	if l, _ := f.svc.LibraryDPAs(f.ctx, kari, oslo.ID); len(l) != 1 || l[0].Status != enrolment.DPAExpired {
		t.Errorf("expired status: %+v", l)
	}

	// A renewal that expires soon is listed until a later one replaces it.
	renewal := in
	renewal.SignedOn, renewal.ExpiresOn, renewal.Document = "2027-04-01", "2027-05-20", nil
	if _, err := f.svc.AddDPA(f.ctx, obStaff, renewal); err != nil {
		t.Fatal(err)
	}
	f.wantState(sub, enrolment.StateActive)
	if n := expiring("2027-04-01"); n != 1 {
		t.Errorf("renewal expiring in 49 days: %d listed", n)
	}
	renewal.ExpiresOn = ""
	lasting, err := f.svc.AddDPA(f.ctx, obStaff, renewal)
	if err != nil {
		t.Fatal(err)
	}
	if n := expiring("2027-04-01"); n != 0 {
		t.Errorf("replaced agreement still listed: %d", n)
	}

	// Only admins delete, with an audit record.
	if err := f.svc.DeleteDPA(f.ctx, obStaff, lasting.ID); !errors.Is(err, enrolment.ErrForbidden) {
		t.Errorf("staff deleted: %v", err)
	}
	if err := f.svc.DeleteDPA(f.ctx, obAdmin, lasting.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteDPA(f.ctx, obAdmin, lasting.ID); !errors.Is(err, enrolment.ErrNotFound) {
		t.Errorf("deleted twice: %v", err)
	}
	if es, _ := audit.List(f.ctx, f.db, audit.Query{Entity: "data_processing_agreement", EntityID: lasting.ID}); len(es) != 2 || es[0].Action != "delete" {
		t.Errorf("audit of deletion: %+v", es)
	}
	if n := expiring("2027-04-01"); n != 1 {
		t.Errorf("after deleting the lasting one: %d listed", n)
	}
}

// Terms come before the agreement, but a subscription missing both is
// blocked for want of an agreement too.
func TestObligTermsBeforeAgreement(t *testing.T) {
	f := obSetup(t, "2026-11-01")
	oslo := f.library("Oslo bibliotek", "Oslo", "")
	v := f.vendor("Helsebiblioteket")
	p := f.product(v, "Helse", true, true)
	f.licence(p, 1)
	sub := f.subscribe(oslo, p, "2026-01-01", "2026-12-31")
	f.wantState(sub, enrolment.StatePendingTerms)
	b, err := f.svc.BlockedForDPA(f.ctx, obAdmin)
	if err != nil || len(b) != 1 || b[0].State != enrolment.StatePendingTerms || len(b[0].Blockers) != 2 {
		t.Errorf("blocked: %+v, %v", b, err)
	}
	kari := f.libraryUser("kari@oslo.example", oslo.ID)
	if _, err := f.svc.AcceptTerms(f.ctx, kari, oslo.ID, p.ID, 1, ""); err != nil {
		t.Fatal(err)
	}
	f.wantState(sub, enrolment.StatePendingAgreement)
	if _, err := f.svc.AddDPA(f.ctx, kari, enrolment.DPAInput{LibraryID: oslo.ID, VendorID: v.ID, SignedOn: "2026-11-01", SignedBy: "Kari"}); err != nil {
		t.Fatal(err)
	}
	f.wantState(sub, enrolment.StateActive)
}
