package enrolment_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/enrolment"
)

func TestObligToDoListsEachKind(t *testing.T) {
	f := obSetup(t, "2026-03-01")
	oslo := f.library("Oslo bibliotek", "Oslo", "kari@oslo.example")
	bergen := f.library("Bergen bibliotek", "Bergen", "")
	kari := f.libraryUser("kari@oslo.example", oslo.ID)
	lovdataV, ebscoV, prV := f.vendor("Lovdata"), f.vendor("EBSCO"), f.vendor("PressReader")
	lovdata := f.product(lovdataV, "Lovdata Pro", true, false)
	f.licence(lovdata, 1)
	academic := f.product(ebscoV, "EBSCO Academic", false, true)
	nursing := f.product(ebscoV, "EBSCO Nursing", false, true)
	pr := f.product(prV, "PressReader", false, false)
	plain := f.product(prV, "Plain", false, false)

	// A spring trial of PressReader that lapses at the end of May.
	if _, err := f.svc.CreateTrial(f.ctx, obStaff, enrolment.TrialInput{ProductID: pr.ID, StartsOn: "2026-04-01", EndsOn: "2026-05-31", LibraryIDs: []int64{oslo.ID}}); err != nil {
		t.Fatal(err)
	}
	f.at("2026-06-01")
	if err := f.svc.TickObligations(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.at("2026-07-30") // day 60 after the last day
	items, err := f.svc.ToDo(f.ctx, kari, oslo.ID)
	if err != nil || len(items) != 1 || items[0].Kind != enrolment.ToDoTrial || items[0].ProductID != pr.ID || items[0].WindowID != 0 {
		t.Fatalf("to-do after the trial: %+v, %v", items, err)
	}
	f.at("2026-07-31") // day 61 after the last day
	if items, _ := f.svc.ToDo(f.ctx, kari, oslo.ID); len(items) != 0 {
		t.Errorf("lapsed trial still waits after %d days: %+v", enrolment.TrialAnswerDays, items)
	}

	// Next year's subscriptions, one window open with two offers.
	f.at("2026-10-20")
	f.subscribe(oslo, lovdata, "2027-01-01", "2027-12-31")
	f.subscribe(oslo, academic, "2027-01-01", "2027-12-31")
	f.subscribe(oslo, nursing, "2027-02-01", "2027-12-31")
	w := &enrolment.Window{Name: "Tilknytning 2027", OpensOn: "2026-10-16", ClosesOn: "2026-11-12", ReminderDays: 7, CreatedAt: time.Now().UTC()}
	if _, err := f.db.NewInsert().Model(w).Exec(f.ctx); err != nil {
		t.Fatal(err)
	}
	prOffer, plainOffer := f.offer(pr, "2027-01-01", "2027-12-31"), f.offer(plain, "2027-01-01", "2027-12-31")
	for _, o := range []int64{prOffer, plainOffer} {
		if _, err := f.db.NewInsert().Model(&enrolment.WindowOffer{WindowID: w.ID, OfferID: o}).Exec(f.ctx); err != nil {
			t.Fatal(err)
		}
	}
	// A trial lapsing during the window points at the window.
	if _, err := f.svc.CreateTrial(f.ctx, obStaff, enrolment.TrialInput{ProductID: pr.ID, StartsOn: "2026-09-01", EndsOn: "2026-10-15", LibraryIDs: []int64{oslo.ID}}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.LapseTrials(f.ctx); err != nil {
		t.Fatal(err)
	}

	items, err = f.svc.ToDo(f.ctx, kari, oslo.ID)
	if err != nil {
		t.Fatal(err)
	}
	byKind := map[string]enrolment.ToDoItem{}
	var order []string
	for _, it := range items {
		if _, dup := byKind[it.Kind]; dup {
			t.Errorf("two %s items: %+v", it.Kind, items)
		}
		byKind[it.Kind] = it
		order = append(order, it.Kind)
	}
	if len(items) != 4 {
		t.Fatalf("want four items, got %+v", items)
	}
	if it := byKind[enrolment.ToDoTerms]; it.ProductID != lovdata.ID || it.LicenceVersion != 1 || it.Link != fmt.Sprintf("/terms/%d?library=%d", lovdata.ID, oslo.ID) ||
		it.Due != "2027-01-01" || it.MessageID != "obligations.todo.terms" {
		t.Errorf("terms item %+v", it)
	}
	if it := byKind[enrolment.ToDoAgreement]; it.VendorID != ebscoV.ID || it.Args["Products"] != "EBSCO Academic, EBSCO Nursing" || it.Due != "2027-01-01" {
		t.Errorf("agreement item %+v", it)
	}
	if it := byKind[enrolment.ToDoWindow]; it.WindowID != w.ID || it.Unanswered != 2 || it.Due != "2026-11-12" || it.Link != "/windows/"+obItoa(w.ID) {
		t.Errorf("window item %+v", it)
	}
	if it := byKind[enrolment.ToDoTrial]; it.ProductID != pr.ID || it.WindowID != w.ID || it.Due != "2026-11-12" {
		t.Errorf("trial item %+v", it)
	}
	for i, k := range order { // the window closes before the subscriptions begin
		if early := k == enrolment.ToDoWindow || k == enrolment.ToDoTrial; early != (i < 2) {
			t.Errorf("not soonest first: %v", order)
		}
	}

	// Answering the trial product's offer settles the trial and one offer.
	e := &enrolment.Enrolment{WindowID: w.ID, OfferID: prOffer, LibraryID: oslo.ID, Answer: enrolment.AnswerNo, Reason: enrolment.ReasonPrice,
		Source: enrolment.SourceLibrary, UserID: &kari.UserID, AnsweredBy: kari.Name, AnsweredAt: f.now.UTC()}
	if _, err := f.db.NewInsert().Model(e).Exec(f.ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AcceptTerms(f.ctx, kari, oslo.ID, lovdata.ID, 1, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddDPA(f.ctx, kari, enrolment.DPAInput{LibraryID: oslo.ID, VendorID: ebscoV.ID, SignedOn: "2026-10-20", SignedBy: "Kari"}); err != nil {
		t.Fatal(err)
	}
	items, err = f.svc.ToDo(f.ctx, kari, oslo.ID)
	if err != nil || len(items) != 1 || items[0].Kind != enrolment.ToDoWindow || items[0].Unanswered != 1 {
		t.Errorf("after answering, accepting and signing: %+v, %v", items, err)
	}
	// The window closes at the end of 12 November in Oslo.
	f.now = calendar.MustParse("2026-11-12").Time().Add(23*time.Hour + 59*time.Minute)
	if items, _ := f.svc.ToDo(f.ctx, kari, oslo.ID); len(items) != 1 {
		t.Errorf("last minute of the window: %+v", items)
	}
	f.now = f.now.Add(time.Minute)
	if items, _ := f.svc.ToDo(f.ctx, kari, oslo.ID); len(items) != 0 {
		t.Errorf("after the window closed: %+v", items)
	}

	// Whoever acts for the library may read its list; nobody else.
	county := f.user(auth.RoleCountyContact, "fylke@oslo.example", func(n *auth.NewUser) { n.Country, n.CountyNumber = "NO", "03" })
	if _, err := f.svc.ToDo(f.ctx, county, oslo.ID); err != nil {
		t.Errorf("county contact: %v", err)
	}
	ola := f.libraryUser("ola@bergen.example", bergen.ID)
	vendor := f.user(auth.RoleVendor, "kunde@ebsco.example", func(n *auth.NewUser) { n.VendorID = &ebscoV.ID })
	for name, by := range map[string]auth.Actor{"another library": ola, "vendor": vendor} {
		if _, err := f.svc.ToDo(f.ctx, by, oslo.ID); !errors.Is(err, enrolment.ErrNotFound) {
			t.Errorf("%s read the to-do list: %v", name, err)
		}
	}

	// The vendor sees only its own products among the library's subscriptions.
	views, err := f.svc.States(f.ctx, vendor, oslo.ID)
	if err != nil || len(views) != 2 {
		t.Errorf("vendor's view of the library: %+v, %v", views, err)
	}
	views, err = f.svc.States(f.ctx, kari, oslo.ID)
	if err != nil || len(views) != 5 || views[len(views)-1].State != enrolment.StateEnded {
		t.Errorf("library's subscriptions: %+v, %v", views, err)
	}
}
