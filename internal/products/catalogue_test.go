package products_test

import (
	"context"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/products"
)

func TestCatalogueShowsOnlyPublished(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	now := time.Date(2026, 4, 20, 10, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	v := mustVendor(t, s, "PressReader")
	pub := mustPublished(t, s, v.ID, "PressReader")
	draft := mustProduct(t, s, v.ID, "Utkast")
	second := mustPublished(t, s, v.ID, "Atekst")
	if _, err := s.SetText(ctx, staff, pub.ID, "en", products.TextInput{Description: "Newspapers."}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddLicenceVersion(ctx, staff, pub.ID, products.LicenceInput{Text: "v1", Terms: products.Terms{WalkIn: products.Term{Value: "no"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddLicenceVersion(ctx, staff, pub.ID, products.LicenceInput{Text: "v2", Terms: products.Terms{WalkIn: products.Term{Value: "yes", Clause: "Walk-in users are permitted."}}}); err != nil {
		t.Fatal(err)
	}
	past, later, soon := now.Add(-time.Hour), now.Add(72*time.Hour), now.Add(24*time.Hour)
	for _, in := range []products.TrainingInput{
		{Kind: "upcoming", Title: "Senere", StartsAt: &later},
		{Kind: "upcoming", Title: "Forbi", StartsAt: &past},
		{Kind: "guide", Title: "Veiledning", URL: "https://pressreader.com/guide"},
		{Kind: "upcoming", Title: "Snart", StartsAt: &soon},
		{Kind: "recording", Title: "Opptak", URL: "https://vimeo.com/1", Subtitled: true},
	} {
		if _, err := s.AddTraining(ctx, staff, pub.ID, in); err != nil {
			t.Fatal(err)
		}
	}

	es, err := s.Catalogue(ctx, "en")
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || es[0].ID != second.ID || es[1].ID != pub.ID {
		t.Fatalf("catalogue has %d entries %+v, want Atekst and PressReader by name", len(es), es)
	}
	e := es[1]
	if e.VendorName != "PressReader" || e.Text.Description != "Newspapers." || e.Text.Fallback.Description ||
		e.Text.AnswerAccess != completeNB().AnswerAccess || !e.Text.Fallback.AnswerAccess || e.Text.Lang != "en" {
		t.Errorf("entry texts %+v", e.Text)
	}
	if e.LicenceVersion != 2 || e.Terms[0].Key != "walk_in" || e.Terms[0].Value != "yes" || e.Terms[0].Clause == "" || e.Terms[1].Value != "unclear" {
		t.Errorf("entry licence v%d %+v", e.LicenceVersion, e.Terms)
	}
	var titles []string
	for _, m := range e.Training {
		titles = append(titles, m.Title)
	}
	if got := len(titles); got != 4 || titles[0] != "Opptak" || titles[1] != "Veiledning" || titles[2] != "Snart" || titles[3] != "Senere" {
		t.Errorf("training %v: want recording, guide, then upcoming by date, past hidden", titles)
	}
	if up := e.Upcoming(); len(up) != 2 || up[0].Title != "Snart" {
		t.Errorf("upcoming %+v", up)
	}
	if es[0].LicenceVersion != 0 || len(es[0].Terms) != 9 || es[0].Terms[8].Value != "unclear" {
		t.Errorf("product without licence: v%d %+v", es[0].LicenceVersion, es[0].Terms)
	}

	if _, err := s.CatalogueProduct(ctx, draft.Slug, "nb"); err != products.ErrNotFound {
		t.Errorf("draft in the catalogue: %v", err)
	}
	one, err := s.CatalogueProduct(ctx, pub.Slug, "sv")
	if err != nil || one.Name != "PressReader" || !one.Text.Fallback.Any() {
		t.Errorf("one entry %+v %v", one, err)
	}
	if _, err := s.SetPublished(ctx, staff, pub.ID, false); err != nil {
		t.Fatal(err)
	}
	if es, _ := s.Catalogue(ctx, "nb"); len(es) != 1 {
		t.Errorf("unpublished product still listed: %d entries", len(es))
	}
}
