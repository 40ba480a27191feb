package enrolment_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/enrolment"
)

func TestObligTrialLifecycle(t *testing.T) {
	f := obSetup(t, "2026-04-01")
	oslo := f.library("Oslo bibliotek", "Oslo", "kari@oslo.example")
	bergen := f.library("Bergen bibliotek", "Bergen", "ola@bergen.example")
	quiet := f.library("Stille bibliotek", "Oslo", "") // no primary contact: no mail, no failure
	pr := f.vendor("PressReader")
	// Terms and personal data do not hold a trial back: its state is trial.
	p := f.product(pr, "PressReader", true, true)
	kari := f.libraryUser("kari@oslo.example", oslo.ID)

	in := enrolment.TrialInput{ProductID: p.ID, StartsOn: "2026-04-10", EndsOn: "2026-05-31",
		LibraryIDs: []int64{oslo.ID, bergen.ID, quiet.ID, oslo.ID}, Notes: "Vårprøve"}
	if _, err := f.svc.CreateTrial(f.ctx, kari, in); !errors.Is(err, enrolment.ErrForbidden) {
		t.Errorf("library contact started a trial: %v", err)
	}
	bad := enrolment.TrialInput{ProductID: 999, StartsOn: "2026-05-31", EndsOn: "2026-04-10", LibraryIDs: []int64{12345}}
	got := obCodes(func() error { _, err := f.svc.CreateTrial(f.ctx, obStaff, bad); return err }())
	for _, want := range []string{"product_id:obligations.trial.product_unknown", "ends_on:obligations.trial.ends_before_start",
		"library_ids:obligations.trial.library_unknown"} {
		if !slices.Contains(got, want) {
			t.Errorf("want %s among %v", want, got)
		}
	}
	tr, err := f.svc.CreateTrial(f.ctx, obStaff, in)
	if err != nil {
		t.Fatal(err)
	}
	var subs []enrolment.Subscription
	if err := f.db.NewSelect().Model(&subs).Where("s.trial_id = ?", tr.ID).OrderExpr("s.library_id").Scan(f.ctx); err != nil || len(subs) != 3 {
		t.Fatalf("trial subscriptions: %+v, %v", subs, err)
	}
	if subs[0].StartsOn != "2026-04-10" || subs[0].EndsOn != "2026-05-31" || subs[0].ProductID != p.ID {
		t.Errorf("trial subscription %+v", subs[0])
	}
	if es, _ := audit.List(f.ctx, f.db, audit.Query{Entity: "subscription"}); len(es) != 3 {
		t.Errorf("audit of trial subscriptions: %d entries", len(es))
	}

	// Trial from creation through its last day (Oslo), ended after.
	for _, day := range []string{"2026-04-01", "2026-04-10", "2026-05-31"} {
		f.at(day)
		f.wantState(subs[0], enrolment.StateTrial)
	}
	if err := f.svc.LapseTrials(f.ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.count("mail_outbox", "1 = 1"); n != 0 {
		t.Errorf("lapse mails before the trial ended: %d", n)
	}
	f.at("2026-06-01")
	f.wantState(subs[0], enrolment.StateEnded)

	// It lapses once, and each library with a primary contact is asked once.
	for range 2 {
		if err := f.svc.LapseTrials(f.ctx); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.TickObligations(f.ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range []struct {
		id    int64
		email string
	}{{oslo.ID, "kari@oslo.example"}, {bergen.ID, "ola@bergen.example"}} {
		key := "trial-lapsed:" + obItoa(tr.ID) + ":" + obItoa(l.id)
		if n := f.count("mail_outbox", "dedupe_key = ? AND to_addr = ? AND kind = 'trial_lapsed'", key, l.email); n != 1 {
			t.Errorf("%s: %d mails", key, n)
		}
	}
	if n := f.count("mail_outbox", "1 = 1"); n != 2 {
		t.Errorf("outbox holds %d mails, want 2", n)
	}
	if es, _ := audit.List(f.ctx, f.db, audit.Query{Entity: "trial", EntityID: tr.ID}); len(es) != 2 || es[0].Action != "lapse" {
		t.Errorf("audit of lapse: %+v", es)
	}
	var body string
	if err := f.db.NewSelect().TableExpr("mail_outbox").Column("body").Where("to_addr = ?", "kari@oslo.example").Scan(f.ctx, &body); err != nil {
		t.Fatal(err)
	}
	if !obContains(body, "PressReader (10.04.2026–31.05.2026)", "Oslo bibliotek") {
		t.Errorf("lapse mail reads %q", body)
	}

	// Lists: staff see every library; a library contact its own only.
	all, err := f.svc.Trials(f.ctx, obStaff)
	if err != nil || len(all) != 1 || all[0].State != enrolment.TrialLapsed || all[0].LapsedAt == nil || len(all[0].Libraries) != 3 ||
		all[0].ProductName != "PressReader" {
		t.Errorf("trials for staff: %+v, %v", all, err)
	}
	own, err := f.svc.Trials(f.ctx, kari)
	if err != nil || len(own) != 1 || len(own[0].Libraries) != 1 || own[0].Libraries[0].ID != oslo.ID {
		t.Errorf("trials for Oslo's contact: %+v, %v", own, err)
	}
}
