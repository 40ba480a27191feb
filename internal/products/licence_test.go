package products_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/products"
)

func TestLicenceVersionsAreNumbered(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	v := mustVendor(t, s, "Lovdata")
	p := mustProduct(t, s, v.ID, "Lovdata Pro")
	other := mustProduct(t, s, v.ID, "Lovdata Lite")

	if cur, terms, err := s.CurrentLicence(ctx, p.ID); err != nil || cur != nil || terms != (products.Terms{}) {
		t.Fatalf("no licence yet: %+v %+v %v", cur, terms, err)
	}
	if _, err := s.AddLicenceVersion(ctx, library, p.ID, products.LicenceInput{Text: "x"}); !errors.Is(err, products.ErrForbidden) {
		t.Errorf("library contact added a licence: %v", err)
	}
	if _, err := s.AddLicenceVersion(ctx, staff, 999, products.LicenceInput{Text: "x"}); !errors.Is(err, products.ErrNotFound) {
		t.Errorf("licence for an unknown product: %v", err)
	}
	v1, err := s.AddLicenceVersion(ctx, staff, p.ID, products.LicenceInput{Text: "Lisensavtale 2025", Terms: products.Terms{
		WalkIn: products.Term{Value: "yes", Clause: "Walk-in users may use the service on the library's premises."}}})
	if err != nil || v1.Version != 1 {
		t.Fatalf("first version: %+v %v", v1, err)
	}
	pdf := []byte("%PDF-1.7\n% lisens\n")
	v2, err := s.AddLicenceVersion(ctx, admin, p.ID, products.LicenceInput{Text: "Lisensavtale 2026", DocumentName: `C:\Avtaler\lisens-2026.pdf`, Document: pdf,
		Terms: products.Terms{WalkIn: products.Term{Value: "No"}, InterlibraryLoan: products.Term{Value: "print-electronic"},
			ConcurrentUsers: products.Term{Value: " 25 "}, GoverningLaw: products.Term{Value: "Norsk rett", Clause: "Avtalen reguleres av norsk rett.\r\nVerneting Oslo."}}})
	if err != nil || v2.Version != 2 || v2.DocumentName != "lisens-2026.pdf" {
		t.Fatalf("second version: %+v %v", v2, err)
	}
	if o1, err := s.AddLicenceVersion(ctx, staff, other.ID, products.LicenceInput{Text: "Egen avtale"}); err != nil || o1.Version != 1 {
		t.Errorf("another product's versions count on their own: %+v %v", o1, err)
	}

	cur, terms, err := s.CurrentLicence(ctx, p.ID)
	if err != nil || cur == nil || cur.Version != 2 || len(cur.Document) != 0 {
		t.Fatalf("current licence %+v %v", cur, err)
	}
	want := products.Terms{
		WalkIn: products.Term{Value: "no"}, RemoteAccess: products.Term{Value: "unclear"},
		InterlibraryLoan: products.Term{Value: "print_electronic"}, TextDataMining: products.Term{Value: "unclear"},
		CoursePacks: products.Term{Value: "unclear"}, PerpetualAccess: products.Term{Value: "unclear"},
		Archiving: products.Term{Value: "unclear"}, ConcurrentUsers: products.Term{Value: "25"},
		GoverningLaw: products.Term{Value: "Norsk rett", Clause: "Avtalen reguleres av norsk rett.\nVerneting Oslo."},
	}
	if terms != want || cur.Terms() != want {
		t.Errorf("terms\n%+v\nwant\n%+v", terms, want)
	}
	if l := terms.List(); len(l) != 9 || l[0].Key != "walk_in" || l[8].Key != "governing_law" {
		t.Errorf("terms list order %+v", l)
	}

	vs, err := s.LicenceVersions(ctx, staff, p.ID)
	if err != nil || len(vs) != 2 || vs[0].Version != 2 || vs[1].Version != 1 || vs[1].Terms().WalkIn.Clause == "" {
		t.Fatalf("versions %+v %v", vs, err)
	}
	name, data, err := s.LicenceDocument(ctx, staff, p.ID, 2)
	if err != nil || name != "lisens-2026.pdf" || string(data) != string(pdf) {
		t.Errorf("document %q %q %v", name, data, err)
	}
	if _, _, err := s.LicenceDocument(ctx, staff, p.ID, 1); !errors.Is(err, products.ErrNotFound) {
		t.Errorf("version without document: %v", err)
	}
	// The draft product is not the library contact's to see.
	if _, err := s.LicenceVersions(ctx, library, p.ID); !errors.Is(err, products.ErrNotFound) {
		t.Errorf("library contact read a draft's licences: %v", err)
	}
	if lv, err := s.LicenceVersionByID(ctx, v1.ID); err != nil || lv.Version != 1 {
		t.Errorf("by id: %+v %v", lv, err)
	}

	es, _ := audit.List(ctx, s.DB, audit.Query{Entity: "licence_version", EntityID: v2.ID})
	if len(es) != 1 || es[0].Action != "create" {
		t.Fatalf("licence audit %+v", es)
	}
	changes := map[string]any{}
	for _, c := range es[0].ChangeList() {
		changes[c.Field] = c.After
	}
	if changes["version"] != float64(2) || changes["concurrent_users"] != "25" || changes["document_name"] != "lisens-2026.pdf" {
		t.Errorf("audit changes %v", changes)
	}
}

func TestLicenceTermsAreValidated(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	v := mustVendor(t, s, "EBSCO")
	p := mustProduct(t, s, v.ID, "Academic Search")
	_, err := s.AddLicenceVersion(ctx, staff, p.ID, products.LicenceInput{Text: "x", Terms: products.Terms{
		WalkIn:           products.Term{Value: "maybe"},
		RemoteAccess:     products.Term{Value: "ja"},
		InterlibraryLoan: products.Term{Value: "yes"},
		TextDataMining:   products.Term{Value: "YES"},
		CoursePacks:      products.Term{Value: "print"},
		ConcurrentUsers:  products.Term{Value: "0"},
	}})
	wantCodes(t, err, "terms.walk_in:licence.term.yes_no", "terms.remote_access:licence.term.yes_no",
		"terms.interlibrary_loan:licence.term.interlibrary_loan", "terms.course_packs:licence.term.yes_no",
		"terms.concurrent_users:licence.term.concurrent_users")
	var ve *products.ValidationError
	errors.As(err, &ve)
	for _, p := range ve.Problems {
		if p.Field == "terms.walk_in" && p.Value != "maybe" {
			t.Errorf("bad value not named: %+v", p)
		}
	}
	for _, bad := range []string{"-3", "many", "2.5"} {
		_, err := s.AddLicenceVersion(ctx, staff, p.ID, products.LicenceInput{Text: "x", Terms: products.Terms{ConcurrentUsers: products.Term{Value: bad}}})
		wantCodes(t, err, "terms.concurrent_users:licence.term.concurrent_users")
	}
	for _, good := range []string{"unlimited", "Unclear", "3", ""} {
		if _, err := s.AddLicenceVersion(ctx, staff, p.ID, products.LicenceInput{Text: "x", Terms: products.Terms{ConcurrentUsers: products.Term{Value: good}}}); err != nil {
			t.Errorf("concurrent users %q: %v", good, err)
		}
	}
	_, err = s.AddLicenceVersion(ctx, staff, p.ID, products.LicenceInput{DocumentName: "avtale.docx", Document: []byte("PK\x03\x04")})
	wantCodes(t, err, "document:licence.document.not_pdf")
	_, err = s.AddLicenceVersion(ctx, staff, p.ID, products.LicenceInput{})
	wantCodes(t, err, "text:licence.text.required")
	if vs, _ := s.LicenceVersions(ctx, staff, p.ID); len(vs) != 4 || vs[0].Version != 4 {
		t.Errorf("refused versions took numbers: %d versions", len(vs))
	}
}

func TestTrainingMaterial(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	v := mustVendor(t, s, "PressReader")
	p := mustProduct(t, s, v.ID, "PressReader")
	_, err := s.AddTraining(ctx, staff, p.ID, products.TrainingInput{Kind: "podcast", Lang: "de", URL: "not a url"})
	wantCodes(t, err, "kind:training.kind.unknown", "title:training.title.required", "lang:products.lang.unknown", "url:validate.url.invalid")
	_, err = s.AddTraining(ctx, staff, p.ID, products.TrainingInput{Kind: "recording", Title: "Opptak"})
	wantCodes(t, err, "url:training.url.required")
	_, err = s.AddTraining(ctx, staff, p.ID, products.TrainingInput{Kind: "upcoming", Title: "Webinar"})
	wantCodes(t, err, "starts_at:training.starts_at.required")
	if _, err := s.AddTraining(ctx, library, p.ID, products.TrainingInput{Kind: "guide", Title: "G", URL: "https://x.no"}); !errors.Is(err, products.ErrForbidden) {
		t.Errorf("library contact added training: %v", err)
	}
	soon := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	rec, err := s.AddTraining(ctx, staff, p.ID, products.TrainingInput{Kind: "recording", Title: "Kom i gang", URL: "https://vimeo.com/1", Subtitled: true})
	if err != nil || !rec.Subtitled || rec.Lang != "nb" {
		t.Fatalf("recording %+v %v", rec, err)
	}
	web, err := s.AddTraining(ctx, staff, p.ID, products.TrainingInput{Kind: "upcoming", Title: "Nyheter", StartsAt: &soon, Subtitled: true})
	if err != nil || web.Subtitled || !web.StartsAt.Equal(soon) {
		t.Fatalf("webinar %+v %v", web, err)
	}
	ms, err := s.Training(ctx, staff, p.ID)
	if err != nil || len(ms) != 2 || ms[0].ID != rec.ID {
		t.Fatalf("training %+v %v", ms, err)
	}
	if err := s.RemoveTraining(ctx, library, p.ID, rec.ID); !errors.Is(err, products.ErrForbidden) {
		t.Errorf("library contact removed training: %v", err)
	}
	other := mustProduct(t, s, v.ID, "Annet")
	if err := s.RemoveTraining(ctx, staff, other.ID, rec.ID); !errors.Is(err, products.ErrNotFound) {
		t.Errorf("removed through another product: %v", err)
	}
	if err := s.RemoveTraining(ctx, staff, p.ID, rec.ID); err != nil {
		t.Fatal(err)
	}
	es, _ := audit.List(ctx, s.DB, audit.Query{Entity: "training_material", EntityID: rec.ID})
	if len(es) != 2 || es[0].Action != "delete" || es[1].Action != "create" {
		t.Errorf("training audit %+v", es)
	}
}
