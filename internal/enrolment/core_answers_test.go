package enrolment_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/enrolment"
)

func TestCoreWhoMayAnswer(t *testing.T) {
	e := newCoreEnv(t)
	v := e.vendor("PressReader")
	p := e.product(v.ID, "PressReader", "public", false)
	school := e.product(v.ID, "Skoleavisen", "school", false)
	a := e.agreement(v.ID, "PressReader 2027", "2027-01-01", "2027-12-31")
	o := e.offer(a.ID, p.ID, 1000, false, nil)
	os := e.offer(a.ID, school.ID, 1000, false, nil)
	oslo, osloContact := e.library("Oslo bibliotek", "public", "0301")
	bergen, bergenContact := e.library("Bergen bibliotek", "public", "4601")
	vestland := e.user("fylke@vlfk.test", "Vestland fylke", auth.NewUser{Role: auth.RoleCountyContact, Country: "NO", CountyNumber: "46"})
	vendor := e.user("kontakt@pressreader.test", "PR", auth.NewUser{Role: auth.RoleVendor, VendorID: &v.ID})
	e.at("2026-10-20T10:00:00Z")
	w := e.window("Høst", "2026-10-16", "2026-11-12", o.ID, os.ID)
	answer := func(by auth.Actor, lib int64, in enrolment.AnswerInput) error {
		_, err := e.svc.Answer(e.ctx, by, w.ID, o.ID, lib, in)
		return err
	}

	if err := answer(osloContact, oslo.ID, coreYes()); err != nil {
		t.Errorf("library contact, own library: %v", err)
	}
	if err := answer(osloContact, bergen.ID, coreYes()); !errors.Is(err, enrolment.ErrNotFound) {
		t.Errorf("library contact, another library: %v", err)
	}
	if err := answer(vestland, bergen.ID, coreNo(enrolment.ReasonLowUse)); err != nil {
		t.Errorf("county contact, its county: %v", err)
	}
	if err := answer(vestland, oslo.ID, coreYes()); !errors.Is(err, enrolment.ErrNotFound) {
		t.Errorf("county contact, another county: %v", err)
	}
	if err := answer(vendor, oslo.ID, coreYes()); !errors.Is(err, enrolment.ErrForbidden) {
		t.Errorf("vendor: %v", err)
	}
	if err := answer(e.staff, oslo.ID, enrolment.AnswerInput{Answer: "yes", ChangeReason: "phone"}); !errors.Is(err, enrolment.ErrForbidden) {
		t.Errorf("staff: %v", err)
	}
	// An admin may answer for a library while the window is open, but only
	// saying why; the answer is marked as the consortium's.
	if err := answer(e.admin, bergen.ID, coreYes()); !coreHas(err, "change_reason:enrolment.change_reason.required") {
		t.Errorf("admin during the window without a reason: %v", err)
	}
	got, err := e.svc.Answer(e.ctx, e.admin, w.ID, o.ID, bergen.ID, enrolment.AnswerInput{Answer: "yes", ChangeReason: "by phone"})
	if err != nil || got.Source != enrolment.SourceAdmin {
		t.Errorf("admin on behalf: %+v, %v", got, err)
	}
	// The library then answers itself, until the window closes.
	got, err = e.svc.Answer(e.ctx, bergenContact, w.ID, o.ID, bergen.ID, enrolment.AnswerInput{Answer: "no", Reason: "other", ReasonText: "Bruker Atekst i stedet"})
	if err != nil || got.Source != enrolment.SourceLibrary || got.ReasonText != "Bruker Atekst i stedet" || got.AnsweredBy != "Kontakt Bergen bibliotek" {
		t.Errorf("library changes the answer: %+v, %v", got, err)
	}
	if log := e.auditOf("enrolment", got.ID); len(log) != 3 || log[0].Action != "update" || log[1].Reason != "by phone" {
		t.Errorf("audit of bergen's answers: %+v", log)
	}

	// Input rules.
	for _, c := range []struct {
		in   enrolment.AnswerInput
		want string
	}{
		{enrolment.AnswerInput{Answer: "maybe"}, "answer:enrolment.answer.invalid"},
		{enrolment.AnswerInput{Answer: "no"}, "reason:enrolment.reason.required"},
		{enrolment.AnswerInput{Answer: "no", Reason: "too_cold"}, "reason:enrolment.reason.unknown"},
		{enrolment.AnswerInput{Answer: "no", Reason: "other"}, "reason_text:enrolment.reason_text.required"},
	} {
		if err := answer(osloContact, oslo.ID, c.in); !coreHas(err, c.want) {
			t.Errorf("%+v: want %s, got %v", c.in, c.want, err)
		}
	}
	// A school product is not offered to a public library.
	if _, err := e.svc.Answer(e.ctx, osloContact, w.ID, os.ID, oslo.ID, coreYes()); !coreHas(err, "library_id:enrolment.library.not_invited") {
		t.Errorf("public library answered a school offer: %v", err)
	}
	if _, err := e.svc.Answer(e.ctx, osloContact, w.ID, 99999, oslo.ID, coreYes()); !errors.Is(err, enrolment.ErrNotFound) {
		t.Errorf("offer not in the window: %v", err)
	}
	las, err := e.svc.LibraryAnswers(e.ctx, osloContact, w.ID, oslo.ID)
	if err != nil || len(las) != 1 || las[0].Enrolment == nil || las[0].Enrolment.Answer != "yes" {
		t.Errorf("oslo's answers: %+v, %v", las, err)
	}
	if _, err := e.svc.LibraryAnswers(e.ctx, osloContact, w.ID, bergen.ID); !errors.Is(err, enrolment.ErrNotFound) {
		t.Errorf("oslo read bergen's answers: %v", err)
	}
	// The same answer again changes nothing: no audit record, no receipt.
	before := len(e.mails())
	if err := answer(osloContact, oslo.ID, coreYes()); err != nil || len(e.mails()) != before {
		t.Errorf("repeated answer: %v, mails %d → %d", err, before, len(e.mails()))
	}
	if subs := e.subscriptions(oslo.ID); len(subs) != 1 || subs[0].ProductName != "PressReader" {
		t.Errorf("oslo subscriptions: %+v", subs)
	}
	if subs := e.subscriptions(bergen.ID); len(subs) != 0 {
		t.Errorf("bergen said no but subscribes: %+v", subs)
	}
	if subs, err := e.svc.SubscriptionsForProduct(e.ctx, vestland, p.ID); err != nil || len(subs) != 0 {
		t.Errorf("county contact sees subscriptions outside its county: %+v, %v", subs, err)
	}
	if subs, err := e.svc.SubscriptionsForProduct(e.ctx, vendor, p.ID); err != nil || len(subs) != 1 || subs[0].LibraryName != "Oslo bibliotek" {
		t.Errorf("vendor's subscribers: %+v, %v", subs, err)
	}
}

func TestCoreRenewalByDefault(t *testing.T) {
	e := newCoreEnv(t)
	v := e.vendor("PressReader")
	p := e.product(v.ID, "PressReader", "public", false)
	q := e.product(v.ID, "Lovdata", "public", false)
	a26 := e.agreement(v.ID, "2026", "2026-01-01", "2026-12-31")
	a27 := e.agreement(v.ID, "2027", "2027-01-01", "2027-12-31")
	p26 := e.offer(a26.ID, p.ID, 1000, false, nil)
	q26 := e.offer(a26.ID, q.ID, 1000, false, nil)
	p27 := e.offer(a27.ID, p.ID, 1100, true, &p26.ID)  // renews by default
	q27 := e.offer(a27.ID, q.ID, 1100, false, &q26.ID) // must be answered actively
	oslo, osloContact := e.library("Oslo bibliotek", "public", "0301")
	bergen, _ := e.library("Bergen bibliotek", "public", "4601")

	// Last year both libraries took PressReader and Lovdata.
	e.at("2025-10-20T10:00:00Z")
	w25 := e.window("Høst 2025", "2025-10-16", "2025-11-12", p26.ID, q26.ID)
	for _, l := range []int64{oslo.ID, bergen.ID} {
		for _, o := range []int64{p26.ID, q26.ID} {
			if _, err := e.svc.Answer(e.ctx, e.admin, w25.ID, o, l, enrolment.AnswerInput{Answer: "yes", ChangeReason: "seed"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.at("2026-09-01T10:00:00Z")
	w := e.window("Høst 2026", "2026-10-16", "2026-11-12", p27.ID, q27.ID)
	if err := e.svc.OpenWindow(e.ctx, w.ID); !errors.Is(err, enrolment.ErrWindowClosed) {
		t.Errorf("opened before its day: %v", err)
	}
	e.at("2026-10-16T05:00:00Z")
	for range 2 {
		if err := e.svc.Tick(e.ctx); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := e.svc.WindowProgress(e.ctx, e.admin, w.ID)
	if err != nil || len(rows) != 2 {
		t.Fatalf("progress %+v, %v", rows, err)
	}
	for _, r := range rows {
		if r.Offers[0].ProductName != "Lovdata" || r.Offers[0].Step != enrolment.StepInvited ||
			r.Offers[1].Answer != "yes" || r.Offers[1].Source != enrolment.SourceRenewal || r.Offers[1].Step != enrolment.StepActive {
			t.Errorf("%s after opening: %+v", r.LibraryName, r.Offers)
		}
		if subs := e.subscriptions(r.LibraryID); len(subs) != 3 || subs[0].ProductName != "PressReader" || subs[0].StartsOn != "2027-01-01" {
			t.Errorf("%s subscriptions after renewal: %+v", r.LibraryName, subs)
		}
	}
	var notices []coreMail
	for _, m := range e.mails() {
		if strings.HasPrefix(m.DedupeKey, fmt.Sprintf("window-open:%d:", w.ID)) {
			notices = append(notices, m)
		}
	}
	if len(notices) != 2 || !strings.Contains(notices[0].Body, "fornyes automatisk") || !strings.Contains(notices[0].Body, "/windows/") {
		t.Errorf("opening notices: %+v", notices)
	}
	// Oslo says no before the window closes: enrolment and subscription go.
	e.at("2026-11-12T20:00:00Z")
	got, err := e.svc.Answer(e.ctx, osloContact, w.ID, p27.ID, oslo.ID, coreNo(enrolment.ReasonPrice))
	if err != nil || got.Source != enrolment.SourceLibrary {
		t.Fatalf("oslo declines the renewal: %+v, %v", got, err)
	}
	for _, s := range e.subscriptions(oslo.ID) {
		if s.OfferID != nil && *s.OfferID == p27.ID {
			t.Errorf("oslo still subscribes to PressReader 2027: %+v", s)
		}
	}
	// A later tick does not renew Oslo again.
	if err := e.svc.Tick(e.ctx); err != nil {
		t.Fatal(err)
	}
	las, err := e.svc.LibraryAnswers(e.ctx, osloContact, w.ID, oslo.ID)
	if err != nil || len(las) != 2 || !las[1].Renews || las[1].Enrolment.Answer != "no" || las[0].Enrolment != nil {
		t.Errorf("oslo after tick: %+v, %v", las, err)
	}
	log := e.auditOf("enrolment", got.ID)
	if len(log) != 2 || log[1].Reason != "renewal" || log[1].Actor != "samla" {
		t.Errorf("renewal audit: %+v", log)
	}
}
