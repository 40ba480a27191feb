package enrolment_test

import (
	"errors"
	"testing"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/enrolment"
)

// The window 16 Oct–12 Nov 2026 in Europe/Oslo: summer time until 25
// October (UTC+2), winter time after (UTC+1).
func TestCoreWindowEdgesInOslo(t *testing.T) {
	e := newCoreEnv(t)
	v := e.vendor("PressReader")
	p := e.product(v.ID, "PressReader", "public", false)
	a := e.agreement(v.ID, "PressReader 2027", "2027-01-01", "2027-12-31")
	o := e.offer(a.ID, p.ID, 1250000, false, nil)
	w := e.window("Høsten 2026", "2026-10-16", "2026-11-12", o.ID)
	lib, contact := e.library("Oslo bibliotek", "public", "0301")

	answer := func(by auth.Actor, in enrolment.AnswerInput) error {
		_, err := e.svc.Answer(e.ctx, by, w.ID, o.ID, lib.ID, in)
		return err
	}

	e.at("2026-10-15T21:59:59Z") // 23:59:59 on 15 October in Oslo
	if err := answer(contact, coreYes()); !errors.Is(err, enrolment.ErrWindowClosed) {
		t.Fatalf("answer before the window opened: %v", err)
	}
	if err := answer(e.admin, enrolment.AnswerInput{Answer: "yes", ChangeReason: "by phone"}); !errors.Is(err, enrolment.ErrWindowClosed) {
		t.Fatalf("admin answered before the window opened: %v", err)
	}
	e.at("2026-10-15T22:00:00Z") // midnight, 16 October in Oslo
	if err := answer(contact, coreYes()); err != nil {
		t.Fatalf("answer on the opening day: %v", err)
	}
	e.at("2026-11-12T22:59:00Z") // 23:59 on the closing day in Oslo
	if err := answer(contact, coreNo(enrolment.ReasonPrice)); err != nil {
		t.Fatalf("answer at 23:59 on the closing day: %v", err)
	}
	e.at("2026-11-12T23:00:00Z") // midnight, 13 November in Oslo
	if err := answer(contact, coreYes()); !errors.Is(err, enrolment.ErrWindowClosed) {
		t.Fatalf("library answered after close: %v", err)
	}
	if err := answer(e.admin, coreYes()); !coreHas(err, "change_reason:enrolment.change_reason.required") {
		t.Fatalf("admin after close without a reason: %v", err)
	}
	if err := answer(e.staff, enrolment.AnswerInput{Answer: "yes", ChangeReason: "x"}); !errors.Is(err, enrolment.ErrForbidden) {
		t.Fatalf("staff after close: %v", err)
	}
	got, err := e.svc.Answer(e.ctx, e.admin, w.ID, o.ID, lib.ID, enrolment.AnswerInput{Answer: "yes", ChangeReason: "Late, agreed by phone 13.11"})
	if err != nil {
		t.Fatalf("admin after close with a reason: %v", err)
	}
	if got.Source != enrolment.SourceAdmin || got.Answer != enrolment.AnswerYes {
		t.Errorf("admin enrolment %+v", got)
	}
	log := e.auditOf("enrolment", got.ID)
	if len(log) != 3 || log[0].Reason != "Late, agreed by phone 13.11" || *log[0].LibraryID != lib.ID || log[0].Actor != "Ada Admin" {
		t.Fatalf("audit after close: %+v", log)
	}
	if changes := log[0].ChangeList(); changes[0].Field != "answer" || changes[0].Before != "no" || changes[0].After != "yes" {
		t.Errorf("audit changes %+v", changes)
	}
	if subs := e.subscriptions(lib.ID); len(subs) != 1 || subs[0].StartsOn != "2027-01-01" || subs[0].EndsOn != "2027-12-31" {
		t.Errorf("subscription after the admin's yes: %+v", subs)
	}

	w0 := *w
	for _, c := range []struct {
		at     string
		status string
	}{{"2026-10-15T21:59:59Z", enrolment.WindowUpcoming}, {"2026-10-15T22:00:00Z", enrolment.WindowOpen},
		{"2026-11-12T22:59:59Z", enrolment.WindowOpen}, {"2026-11-12T23:00:00Z", enrolment.WindowClosed}} {
		e.at(c.at)
		if got := w0.Status(e.now); got != c.status || enrolment.IsOpen(w0, e.now) != (c.status == enrolment.WindowOpen) {
			t.Errorf("at %s: status %s, want %s", c.at, got, c.status)
		}
	}
}

func TestCoreWindowLongerThanFourWeeksWarns(t *testing.T) {
	e := newCoreEnv(t)
	v := e.vendor("Lovdata")
	o := e.offer(e.agreement(v.ID, "Lovdata 2027", "2027-01-01", "2027-12-31").ID, e.product(v.ID, "Lovdata", "", true).ID, 0, false, nil)
	create := func(opens, closes string, ids ...int64) (*enrolment.Window, []string, error) {
		w, warns, err := e.svc.CreateWindow(e.ctx, e.admin, enrolment.WindowInput{Name: "W", OpensOn: calendar.Date(opens), ClosesOn: calendar.Date(closes), OfferIDs: ids})
		var codes []string
		for _, p := range warns {
			codes = append(codes, p.Field+":"+p.Code)
		}
		return w, codes, err
	}
	// Both days count: 16 Oct–12 Nov is 28 days, exactly four weeks.
	if w, warns, err := create("2026-10-16", "2026-11-12", o.ID); err != nil || len(warns) != 0 || w.Days() != 28 {
		t.Errorf("28 days: warns %v, err %v", warns, err)
	}
	w, warns, err := create("2026-10-16", "2026-11-13", o.ID)
	if err != nil || len(warns) != 1 || warns[0] != "closes_on:enrolment.window.too_long" || w == nil || w.ID == 0 || w.Days() != 29 {
		t.Errorf("29 days: saved with a warning? warns %v, err %v", warns, err)
	}
	if _, _, err := create("2026-10-16", "2026-10-15"); !coreHas(err, "closes_on:enrolment.window.order") {
		t.Errorf("closing before opening: %v", err)
	}
	if _, _, err := create("2026-10-16", "2026-10-16", o.ID); err != nil {
		t.Errorf("a one-day window: %v", err)
	}
	if _, _, err := create("", "16.13.2026", 9999); !coreHas(err, "opens_on:enrolment.date.required") ||
		!coreHas(err, "closes_on:enrolment.date.invalid") || !coreHas(err, "offer_ids:enrolment.offer.unknown") {
		t.Errorf("bad input: %v", err)
	}
	unpriced, err := e.svc.AddOffer(e.ctx, e.admin, e.agreement(v.ID, "Lovdata 2028", "2028-01-01", "2028-12-31").ID,
		enrolment.OfferInput{ProductID: o.ProductID})
	if err != nil || unpriced.Orderable() {
		t.Fatalf("unpriced offer: %+v, %v", unpriced, err)
	}
	if _, _, err := create("2026-10-16", "2026-10-20", unpriced.ID); !coreHas(err, "offer_ids:enrolment.offer.no_price") {
		t.Errorf("window with an unpriced offer: %v", err)
	}
	for _, by := range []auth.Actor{{Role: auth.RoleLibrary, LibraryIDs: []int64{1}}, {Role: auth.RoleVendor, VendorID: v.ID}} {
		if _, _, err := e.svc.CreateWindow(e.ctx, by, enrolment.WindowInput{Name: "W", OpensOn: "2026-10-16", ClosesOn: "2026-10-20"}); !errors.Is(err, enrolment.ErrForbidden) {
			t.Errorf("%s created a window: %v", by.Role, err)
		}
	}
}

func TestCoreWindowOffersChangeOnlyUntilOpen(t *testing.T) {
	e := newCoreEnv(t)
	v := e.vendor("EBSCO")
	a := e.agreement(v.ID, "EBSCO 2027", "2027-01-01", "2027-12-31")
	o1 := e.offer(a.ID, e.product(v.ID, "Academic Search", "", false).ID, 100, false, nil)
	o2 := e.offer(a.ID, e.product(v.ID, "MasterFILE", "", false).ID, 100, false, nil)
	w := e.window("Høst", "2026-10-16", "2026-11-12", o1.ID)
	in := enrolment.WindowInput{Name: "Høsten", OpensOn: w.OpensOn, ClosesOn: w.ClosesOn, OfferIDs: []int64{o1.ID, o2.ID}}
	if _, _, err := e.svc.UpdateWindow(e.ctx, e.admin, w.ID, in); err != nil {
		t.Fatalf("add an offer before opening: %v", err)
	}
	ods, err := e.svc.WindowOffers(e.ctx, e.admin, w.ID)
	if err != nil || len(ods) != 2 || ods[0].Product.Name != "Academic Search" {
		t.Fatalf("window offers %+v, %v", ods, err)
	}
	e.at("2026-10-20T10:00:00Z")
	in.OfferIDs = []int64{o1.ID}
	if _, _, err := e.svc.UpdateWindow(e.ctx, e.admin, w.ID, in); !coreHas(err, "offer_ids:enrolment.window.offers_locked") {
		t.Errorf("removed an offer from an open window: %v", err)
	}
	in.OfferIDs, in.ClosesOn = []int64{o2.ID, o1.ID}, "2026-11-13"
	got, _, err := e.svc.UpdateWindow(e.ctx, e.admin, w.ID, in)
	if err != nil || got.ClosesOn != "2026-11-13" {
		t.Errorf("extend an open window: %+v, %v", got, err)
	}
}

func TestCoreAgreementsAndOffers(t *testing.T) {
	e := newCoreEnv(t)
	v := e.vendor("Retriever")
	other := e.vendor("Other")
	p := e.product(v.ID, "Atekst", "public", false)
	_, err := e.svc.CreateAgreement(e.ctx, e.admin, enrolment.AgreementInput{VendorID: 999, StartsOn: "2027-01-01", EndsOn: "2027-01-01"})
	for _, want := range []string{"name:enrolment.name.required", "vendor_id:enrolment.vendor.unknown", "ends_on:enrolment.period.order"} {
		if !coreHas(err, want) {
			t.Errorf("want %s in %v", want, err)
		}
	}
	if _, err := e.svc.CreateAgreement(e.ctx, auth.Actor{Role: auth.RoleCountyContact, Country: "NO", CountyNumber: "46"}, enrolment.AgreementInput{}); !errors.Is(err, enrolment.ErrForbidden) {
		t.Errorf("county contact created an agreement: %v", err)
	}
	a26 := e.agreement(v.ID, "Atekst 2026", "01.01.2026", "31.12.2026")
	if a26.StartsOn != "2026-01-01" || a26.Version != 1 {
		t.Errorf("agreement %+v", a26)
	}
	a27, err := e.svc.CreateAgreement(e.ctx, e.staff, enrolment.AgreementInput{VendorID: v.ID, Name: "Atekst 2027",
		StartsOn: "2027-01-01", EndsOn: "2027-12-31", ProcurementRef: "Doffin 2026-123"})
	if err != nil {
		t.Fatal(err)
	}
	o26 := e.offer(a26.ID, p.ID, 5000, false, nil)
	price := int64(6000)
	if _, err := e.svc.AddOffer(e.ctx, e.admin, a26.ID, enrolment.OfferInput{ProductID: p.ID, PriceMinor: &price}); !coreHas(err, "product_id:enrolment.offer.exists") {
		t.Errorf("second offer for one product: %v", err)
	}
	neg := int64(-1)
	_, err = e.svc.AddOffer(e.ctx, e.admin, a27.ID, enrolment.OfferInput{ProductID: e.product(other.ID, "X", "", false).ID,
		PriceMinor: &neg, Currency: "JPY", PreviousOfferID: &o26.ID})
	for _, want := range []string{"product_id:enrolment.product.other_vendor", "price_minor:enrolment.price.negative",
		"currency:enrolment.currency.unknown", "previous_offer_id:enrolment.offer.previous_invalid"} {
		if !coreHas(err, want) {
			t.Errorf("want %s in %v", want, err)
		}
	}
	o27, err := e.svc.AddOffer(e.ctx, e.staff, a27.ID, enrolment.OfferInput{ProductID: p.ID, PriceMinor: &price, Currency: "eur",
		RenewsByDefault: true, PreviousOfferID: &o26.ID})
	if err != nil || o27.Currency != "EUR" || !o27.Orderable() {
		t.Fatalf("offer 2027: %+v, %v", o27, err)
	}
	// A set price is a locked field: staff may not change it, an admin may.
	up := int64(7000)
	in := enrolment.OfferInput{ProductID: p.ID, PriceMinor: &up, Currency: "EUR", RenewsByDefault: true, PreviousOfferID: &o26.ID}
	if _, err := e.svc.UpdateOffer(e.ctx, e.staff, o27.ID, in); !coreHas(err, "price_minor:enrolment.price.locked") {
		t.Errorf("staff changed a price: %v", err)
	}
	if got, err := e.svc.UpdateOffer(e.ctx, e.admin, o27.ID, in); err != nil || got.PriceMinor != 7000 {
		t.Errorf("admin changed a price: %+v, %v", got, err)
	}
	// Moving the period moves the subscriptions that follow from it; the
	// vendor is fixed once the agreement has offers.
	lib, _ := e.library("Tromsø bibliotek", "public", "5501")
	e.at("2026-10-20T10:00:00Z")
	w := e.window("Høst", "2026-10-16", "2026-11-12", o27.ID)
	if _, err := e.svc.Answer(e.ctx, e.admin, w.ID, o27.ID, lib.ID, enrolment.AnswerInput{Answer: "yes", ChangeReason: "asked by mail"}); err != nil {
		t.Fatal(err)
	}
	upd := enrolment.AgreementInput{VendorID: other.ID, Name: a27.Name, StartsOn: "2027-02-01", EndsOn: "2028-01-31", Version: a27.Version}
	if _, err := e.svc.UpdateAgreement(e.ctx, e.admin, a27.ID, upd); !coreHas(err, "vendor_id:enrolment.agreement.vendor_has_offers") {
		t.Errorf("vendor changed under offers: %v", err)
	}
	upd.VendorID = v.ID
	got, err := e.svc.UpdateAgreement(e.ctx, e.admin, a27.ID, upd)
	if err != nil || got.Version != 2 {
		t.Fatalf("update agreement: %+v, %v", got, err)
	}
	if _, err := e.svc.UpdateAgreement(e.ctx, e.admin, a27.ID, upd); !errors.Is(err, enrolment.ErrConflict) {
		t.Errorf("stale version: %v", err)
	}
	if subs := e.subscriptions(lib.ID); len(subs) != 1 || subs[0].StartsOn != "2027-02-01" || subs[0].EndsOn != "2028-01-31" {
		t.Errorf("subscriptions did not follow the period: %+v", subs)
	}
	vendorActor := auth.Actor{Role: auth.RoleVendor, VendorID: other.ID}
	if _, err := e.svc.GetAgreement(e.ctx, vendorActor, a27.ID); !errors.Is(err, enrolment.ErrNotFound) {
		t.Errorf("other vendor read the agreement: %v", err)
	}
	if as, err := e.svc.Agreements(e.ctx, auth.Actor{Role: auth.RoleVendor, VendorID: v.ID}, 0); err != nil || len(as) != 2 {
		t.Errorf("vendor's agreements: %d, %v", len(as), err)
	}
	if ods, err := e.svc.Offers(e.ctx, e.admin, a27.ID); err != nil || len(ods) != 1 || ods[0].Product.Name != "Atekst" {
		t.Errorf("offers: %+v, %v", ods, err)
	}
}
