package enrolment_test

import (
	"errors"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/enrolment"
)

func TestObligTermsLifecycle(t *testing.T) {
	f := obSetup(t, "2026-11-01")
	oslo := f.library("Oslo bibliotek", "Oslo", "kari@oslo.example")
	bergen := f.library("Bergen bibliotek", "Bergen", "ola@bergen.example")
	lovdata := f.vendor("Lovdata")
	pro := f.product(lovdata, "Lovdata Pro", true, false)
	sub := f.subscribe(oslo, pro, "2027-01-01", "2027-12-31")
	kari := f.libraryUser("kari@oslo.example", oslo.ID)

	// No licence text yet: pending terms, with the reason, and nothing to accept.
	f.wantState(sub, enrolment.StatePendingTerms)
	views, err := f.svc.States(f.ctx, kari, oslo.ID)
	if err != nil || len(views) != 1 || len(views[0].Blockers) != 1 || views[0].Blockers[0].MessageID != "obligations.blocked.no_licence" {
		t.Fatalf("states without licence: %+v, %v", views, err)
	}
	if _, err := f.svc.AcceptTerms(f.ctx, kari, oslo.ID, pro.ID, 1, "192.0.2.10"); !obHas(err, "obligations.accept.no_licence") {
		t.Errorf("accept without licence: %v", err)
	}

	v1 := f.licence(pro, 1)
	f.wantState(sub, enrolment.StatePendingTerms)

	// Nobody but the library's own contact may accept, and a refusal records nothing.
	others := map[string]auth.Actor{
		"admin":             f.user(auth.RoleAdmin, "admin@samla.example", nil),
		"staff":             f.user(auth.RoleStaff, "staff@samla.example", nil),
		"county contact":    f.user(auth.RoleCountyContact, "fylke@oslo.example", func(n *auth.NewUser) { n.Country, n.CountyNumber = "NO", "03" }),
		"vendor":            f.user(auth.RoleVendor, "kunde@lovdata.example", func(n *auth.NewUser) { n.VendorID = &lovdata.ID }),
		"other library":     f.libraryUser("ola@bergen.example", bergen.ID),
		"samla itself":      auth.System,
		"library w/o login": {Name: "Import", Role: auth.RoleLibrary, LibraryIDs: []int64{oslo.ID}},
	}
	for name, by := range others {
		_, err := f.svc.AcceptTerms(f.ctx, by, oslo.ID, pro.ID, 1, "192.0.2.99")
		if !errors.Is(err, enrolment.ErrNotYourLibraryToAccept) || !errors.Is(err, enrolment.ErrForbidden) {
			t.Errorf("%s accepted for the library: %v", name, err)
		}
		var r *enrolment.Refusal
		if !errors.As(err, &r) || r.MessageID != "obligations.accept.only_library" {
			t.Errorf("%s: refusal carries no message id: %v", name, err)
		}
	}
	if n := f.count("terms_acceptances", "1 = 1"); n != 0 {
		t.Fatalf("refused acceptances recorded %d rows", n)
	}
	f.wantState(sub, enrolment.StatePendingTerms)

	// A version that is not the current one is refused with the current number.
	_, err = f.svc.AcceptTerms(f.ctx, kari, oslo.ID, pro.ID, 2, "192.0.2.10")
	if code, args := obCode(err); code != "obligations.accept.stale_version" || args["Current"] != 1 {
		t.Errorf("future version: %s %v (%v)", code, args, err)
	}

	ta, err := f.svc.AcceptTerms(f.ctx, kari, oslo.ID, pro.ID, 1, " 192.0.2.10 ")
	if err != nil {
		t.Fatal(err)
	}
	if ta.UserID != kari.UserID || ta.AcceptedBy != "kari" || ta.RemoteAddr != "192.0.2.10" || ta.LicenceVersionID != v1.ID ||
		!ta.AcceptedAt.Equal(f.now) || ta.LibraryID != oslo.ID || ta.ProductID != pro.ID {
		t.Errorf("acceptance recorded %+v", ta)
	}
	again, err := f.svc.AcceptTerms(f.ctx, kari, oslo.ID, pro.ID, 1, "198.51.100.1")
	if err != nil || again.ID != ta.ID || again.RemoteAddr != "192.0.2.10" {
		t.Errorf("second acceptance of the same version: %+v, %v", again, err)
	}
	entries, err := audit.List(f.ctx, f.db, audit.Query{Entity: "terms_acceptance"})
	if err != nil || len(entries) != 1 || entries[0].LibraryID == nil || *entries[0].LibraryID != oslo.ID ||
		entries[0].UserID == nil || *entries[0].UserID != kari.UserID {
		t.Errorf("audit of acceptance: %+v, %v", entries, err)
	}
	st, err := f.svc.TermsStatus(f.ctx, kari, oslo.ID, pro.ID)
	if err != nil || st.Accepted == nil || st.LicenceVersion != 1 || !st.MayAccept || !st.Required {
		t.Errorf("terms status: %+v, %v", st, err)
	}

	// Accepted, not begun: upcoming; from its first day in Oslo: active.
	f.wantState(sub, enrolment.StateUpcoming)
	f.now = time.Date(2026, 12, 31, 22, 59, 0, 0, time.UTC) // 23:59 in Oslo
	f.wantState(sub, enrolment.StateUpcoming)
	f.now = time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC) // midnight in Oslo
	f.wantState(sub, enrolment.StateActive)
	if pend, err := f.svc.PendingAcceptances(f.ctx, obAdmin, pro.ID); err != nil || len(pend) != 0 {
		t.Errorf("pending after acceptance: %+v, %v", pend, err)
	}

	// A new version asks the library again and lists it as not having accepted.
	f.at("2027-03-01")
	v2 := f.licence(pro, 2)
	f.wantState(sub, enrolment.StatePendingTerms)
	pend, err := f.svc.PendingAcceptances(f.ctx, obAdmin, pro.ID)
	if err != nil || len(pend) != 1 || pend[0].LibraryID != oslo.ID || pend[0].LicenceVersion != 2 || pend[0].AcceptedVersion != 1 ||
		pend[0].PrimaryContact != "kari@oslo.example" || pend[0].StartsOn != "2027-01-01" {
		t.Fatalf("pending acceptances: %+v, %v", pend, err)
	}
	if p, err := f.svc.PendingAcceptances(f.ctx, others["county contact"], pro.ID); err != nil || len(p) != 1 {
		t.Errorf("county contact of Oslo sees %+v, %v", p, err)
	}
	bergenCounty := f.user(auth.RoleCountyContact, "fylke@vestland.example", func(n *auth.NewUser) { n.Country, n.CountyNumber = "NO", "46" })
	if p, err := f.svc.PendingAcceptances(f.ctx, bergenCounty, pro.ID); err != nil || len(p) != 0 {
		t.Errorf("county contact of Vestland sees %+v, %v", p, err)
	}
	ebsco := f.vendor("EBSCO")
	stranger := f.user(auth.RoleVendor, "kunde@ebsco.example", func(n *auth.NewUser) { n.VendorID = &ebsco.ID })
	if _, err := f.svc.PendingAcceptances(f.ctx, stranger, pro.ID); !errors.Is(err, enrolment.ErrNotFound) {
		t.Errorf("another vendor's product: %v", err)
	}

	// The notice goes once per library and version, however often it runs.
	for range 2 {
		if err := f.svc.NotifyNewLicenceVersion(f.ctx, pro.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.TickObligations(f.ctx); err != nil {
			t.Fatal(err)
		}
	}
	key := "terms-new:" + obItoa(v2.ID) + ":" + obItoa(oslo.ID)
	if n := f.count("mail_outbox", "dedupe_key = ? AND to_addr = ? AND kind = 'terms_new_version'", key, "kari@oslo.example"); n != 1 {
		t.Errorf("terms notice %s: %d rows", key, n)
	}
	if n := f.count("mail_outbox", "1 = 1"); n != 1 {
		t.Errorf("outbox holds %d mails, want 1", n)
	}
	var subject, body string
	if err := f.db.NewSelect().TableExpr("mail_outbox").Column("subject", "body").Limit(1).Scan(f.ctx, &subject, &body); err != nil {
		t.Fatal(err)
	}
	if subject != "Lisensvilkårene for Lovdata Pro må godtas" || !obContains(body, "Hei Kontakt Oslo bibliotek,", "Versjon 2", "Oslo bibliotek") {
		t.Errorf("notice reads %q / %q", subject, body)
	}

	_, err = f.svc.AcceptTerms(f.ctx, kari, oslo.ID, pro.ID, 1, "192.0.2.10")
	if code, args := obCode(err); code != "obligations.accept.stale_version" || args["Current"] != 2 || args["Given"] != 1 {
		t.Errorf("stale version: %s %v (%v)", code, args, err)
	}
	if _, err := f.svc.AcceptTerms(f.ctx, kari, oslo.ID, pro.ID, 2, "192.0.2.10"); err != nil {
		t.Fatal(err)
	}
	f.wantState(sub, enrolment.StateActive)
	st, err = f.svc.TermsStatus(f.ctx, kari, oslo.ID, pro.ID)
	if err != nil || st.Accepted == nil || st.Previous == nil || st.Previous.LicenceVersionID != v1.ID {
		t.Errorf("terms status after v2: %+v, %v", st, err)
	}
	f.at("2028-01-01")
	f.wantState(sub, enrolment.StateEnded)
}

func obHas(err error, code string) bool {
	for _, c := range obCodes(err) {
		if len(c) >= len(code) && c[len(c)-len(code):] == code {
			return true
		}
	}
	return false
}
