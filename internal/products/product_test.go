package products_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/products"
)

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Bøker på nett":             "boker-pa-nett",
		"Ærlig talt – Årbok":        "aerlig-talt-arbok",
		"Språkbanken för Växjö":     "sprakbanken-for-vaxjo",
		"  PressReader  ":           "pressreader",
		"Encyclopædia Britannica":   "encyclopaedia-britannica",
		"Café Müller (e-bøker) 2.0": "cafe-muller-e-boker-2-0",
		"!!!":                       "product",
	} {
		if got := products.Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSlugsAreUnique(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	v := mustVendor(t, s, "Lovdata")
	var got []string
	for _, name := range []string{"Lovdata Pro", "Bøker på nett", "Boker pa nett", "Bøker på nett!", "Lovdata pro"} {
		got = append(got, mustProduct(t, s, v.ID, name).Slug)
	}
	want := []string{"lovdata-pro", "boker-pa-nett", "boker-pa-nett-2", "boker-pa-nett-3", "lovdata-pro-2"}
	if !slices.Equal(got, want) {
		t.Errorf("slugs %v, want %v", got, want)
	}
	// A rename keeps the slug, so links to the catalogue keep working.
	p, _ := s.ProductBySlug(ctx, staff, "boker-pa-nett-2")
	in := products.ProductInputFrom(p)
	in.Name = "Helt nytt navn"
	p2, err := s.UpdateProduct(ctx, staff, p.ID, in)
	if err != nil || p2.Slug != "boker-pa-nett-2" || p2.Name != "Helt nytt navn" || p2.Version != 2 {
		t.Errorf("rename: %+v %v", p2, err)
	}
}

func TestProductValidation(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	_, err := s.CreateProduct(ctx, admin, products.ProductInput{VendorID: 999, AccessMethods: []string{"ip", "fax"}, TargetGroups: []string{"university"}})
	wantCodes(t, err, "name:products.name.required", "vendor_id:products.vendor.unknown",
		"access_methods:products.access_method.unknown", "target_groups:products.target_group.unknown")
	v := mustVendor(t, s, "EBSCO")
	p, err := s.CreateProduct(ctx, admin, products.ProductInput{VendorID: v.ID, Name: "Academic Search",
		AccessMethods: []string{"openathens", "IP", "ip", ""}, TargetGroups: []string{"school", "public"}, RemoteAccess: true,
		ProcessesPersonalData: true, RequiresTermsAcceptance: true, Texts: map[string]products.TextInput{"de": {}}})
	wantCodes(t, err, "texts.de:products.lang.unknown")
	p, err = s.CreateProduct(ctx, admin, products.ProductInput{VendorID: v.ID, Name: "Academic Search",
		AccessMethods: []string{"openathens", "IP", "ip", ""}, TargetGroups: []string{"school", "public"}, RemoteAccess: true,
		ProcessesPersonalData: true, RequiresTermsAcceptance: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.AccessMethodsText != "ip,openathens" || !slices.Equal(p.AccessMethods(), []string{"ip", "openathens"}) ||
		!slices.Equal(p.TargetGroups(), []string{"public", "school"}) || !p.RemoteAccess || !p.ProcessesPersonalData ||
		!p.RequiresTermsAcceptance || p.Published || !p.HasAccessMethod("openathens") || p.HasTargetGroup("x") {
		t.Errorf("stored %+v", p)
	}
	in := products.ProductInputFrom(p)
	in.Version = 7
	if _, err := s.UpdateProduct(ctx, admin, p.ID, in); !errors.Is(err, products.ErrConflict) {
		t.Errorf("stale version: %v", err)
	}
}

func TestPublishNeedsEveryBokmaalAnswer(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	v := mustVendor(t, s, "Retriever")
	p := mustProduct(t, s, v.ID, "Atekst")

	_, err := s.SetPublished(ctx, staff, p.ID, true)
	wantCodes(t, err, "texts.nb.description:products.publish.missing.description",
		"texts.nb.answer_access:products.publish.missing.answer_access", "texts.nb.answer_home:products.publish.missing.answer_home",
		"texts.nb.answer_share:products.publish.missing.answer_share", "texts.nb.answer_support:products.publish.missing.answer_support")

	// Complete Swedish and English texts do not stand in for Bokmål.
	nb := completeNB()
	nb.AnswerHome, nb.AnswerSupport = "", "  "
	if _, err := s.SetText(ctx, staff, p.ID, "nb", nb); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetText(ctx, staff, p.ID, "sv", completeNB()); err != nil {
		t.Fatal(err)
	}
	_, err = s.SetPublished(ctx, staff, p.ID, true)
	wantCodes(t, err, "texts.nb.answer_home:products.publish.missing.answer_home", "texts.nb.answer_support:products.publish.missing.answer_support")
	if got, _ := s.ProductByID(ctx, p.ID); got.Published {
		t.Fatal("a refused publish was stored")
	}

	// Through the edit form's path: fields, texts and publish in one save.
	in := products.ProductInputFrom(mustGet(t, s, p.ID))
	yes := true
	in.Published, in.Texts = &yes, map[string]products.TextInput{"nb": completeNB()}
	p2, err := s.UpdateProduct(ctx, staff, p.ID, in)
	if err != nil || !p2.Published {
		t.Fatalf("publish with complete texts: %+v %v", p2, err)
	}
	// A published product keeps its Bokmål answers.
	nb = completeNB()
	nb.AnswerShare = ""
	_, err = s.SetText(ctx, staff, p.ID, "nb", nb)
	wantCodes(t, err, "texts.nb.answer_share:products.publish.missing.answer_share")
	// Unpublishing needs no texts.
	if p3, err := s.SetPublished(ctx, staff, p.ID, false); err != nil || p3.Published {
		t.Errorf("unpublish: %v", err)
	}

	// Creating a product as published checks the same.
	_, err = s.CreateProduct(ctx, staff, products.ProductInput{VendorID: v.ID, Name: "Ny", Published: &yes,
		Texts: map[string]products.TextInput{"nb": {Description: "Bare en beskrivelse"}}})
	wantCodes(t, err, "texts.nb.answer_access:products.publish.missing.answer_access", "texts.nb.answer_home:products.publish.missing.answer_home",
		"texts.nb.answer_share:products.publish.missing.answer_share", "texts.nb.answer_support:products.publish.missing.answer_support")
	if ps, _ := s.Products(ctx, staff, products.ProductFilter{}); len(ps) != 1 {
		t.Errorf("a refused create wrote a product: %d products", len(ps))
	}

	es, err := audit.List(ctx, s.DB, audit.Query{Entity: "product", EntityID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range es {
		actions = append(actions, e.Action)
	}
	if !slices.Equal(actions, []string{"unpublish", "publish", "create"}) {
		t.Errorf("product audit actions %v", actions)
	}
	ts, _ := audit.List(ctx, s.DB, audit.Query{Entity: "product_text", EntityID: p.ID})
	if len(ts) != 3 {
		t.Errorf("product_text audit: %d entries, want 3 (nb, sv, nb)", len(ts))
	}
}

func mustGet(t *testing.T, s *products.Service, id int64) *products.Product {
	t.Helper()
	p, err := s.ProductByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTextFallsBackPerField(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	v := mustVendor(t, s, "PressReader")
	p := mustPublished(t, s, v.ID, "PressReader")
	if _, err := s.SetText(ctx, staff, p.ID, "en", products.TextInput{Description: "Newspapers from all over the world.", AnswerHome: "Yes, with the library card."}); err != nil {
		t.Fatal(err)
	}
	en, fellBack, err := s.Text(ctx, p.ID, "en")
	if err != nil || !fellBack || en.Lang != "en" || en.Description != "Newspapers from all over the world." ||
		en.AnswerAccess != completeNB().AnswerAccess || en.AnswerHome != "Yes, with the library card." {
		t.Fatalf("en text %+v fellBack %v, %v", en, fellBack, err)
	}
	lt, _ := s.LocalText(ctx, p.ID, "en")
	want := products.Fallback{AnswerAccess: true, AnswerShare: true, AnswerSupport: true}
	if lt.Fallback != want {
		t.Errorf("fallback %+v, want %+v", lt.Fallback, want)
	}
	sv, fellBack, _ := s.Text(ctx, p.ID, "sv")
	if !fellBack || sv.Description != completeNB().Description {
		t.Errorf("sv without text: %+v %v", sv, fellBack)
	}
	if lt, _ := s.LocalText(ctx, p.ID, "sv"); lt.Fallback != (products.Fallback{true, true, true, true, true}) {
		t.Errorf("sv fallback %+v", lt.Fallback)
	}
	if _, fellBack, _ := s.Text(ctx, p.ID, "nb"); fellBack {
		t.Error("Bokmål reported as fallback")
	}
	// Clearing every English field removes the English text.
	if _, err := s.SetText(ctx, staff, p.ID, "en", products.TextInput{}); err != nil {
		t.Fatal(err)
	}
	if ts, _ := s.Texts(ctx, staff, p.ID); len(ts) != 1 {
		t.Errorf("texts after clearing English: %v", ts)
	}
}

func TestProductRoles(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	a, b := mustVendor(t, s, "PressReader"), mustVendor(t, s, "Lovdata")
	draftA := mustProduct(t, s, a.ID, "PressReader utkast")
	pubA := mustPublished(t, s, a.ID, "PressReader")
	draftB := mustProduct(t, s, b.ID, "Lovdata utkast")
	pubB := mustPublished(t, s, b.ID, "Lovdata Pro")

	in := products.ProductInputFrom(pubA)
	in.Name = "Endret"
	if _, err := s.UpdateProduct(ctx, library, pubA.ID, in); !errors.Is(err, products.ErrForbidden) {
		t.Errorf("library contact updated a product: %v", err)
	}
	if _, err := s.UpdateProduct(ctx, vendorActor(a.ID), pubA.ID, in); !errors.Is(err, products.ErrForbidden) {
		t.Errorf("vendor contact updated its product: %v", err)
	}
	if _, err := s.CreateProduct(ctx, county, products.ProductInput{VendorID: a.ID, Name: "X"}); !errors.Is(err, products.ErrForbidden) {
		t.Errorf("county contact created a product: %v", err)
	}
	if _, err := s.SetPublished(ctx, library, draftA.ID, true); !errors.Is(err, products.ErrForbidden) {
		t.Errorf("library contact published: %v", err)
	}
	if _, err := s.SetText(ctx, library, pubA.ID, "nb", completeNB()); !errors.Is(err, products.ErrForbidden) {
		t.Errorf("library contact set a text: %v", err)
	}
	if _, err := s.UpdateProduct(ctx, staff, pubA.ID, in); err != nil {
		t.Errorf("staff update: %v", err)
	}

	for _, c := range []struct {
		name  string
		actor auth.Actor
		want  []int64
	}{
		{"staff sees all", staff, []int64{draftA.ID, pubA.ID, draftB.ID, pubB.ID}},
		{"vendor sees its own, drafts too", vendorActor(a.ID), []int64{draftA.ID, pubA.ID}},
		{"vendor without a vendor sees nothing", auth.Actor{Role: auth.RoleVendor}, nil},
		{"library sees the published", library, []int64{pubA.ID, pubB.ID}},
		{"county sees the published", county, []int64{pubA.ID, pubB.ID}},
		{"anonymous sees nothing", auth.Actor{}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			items, err := s.Products(ctx, c.actor, products.ProductFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, it := range items {
				ids = append(ids, it.ID)
			}
			slices.Sort(ids)
			if !slices.Equal(ids, c.want) {
				t.Errorf("sees %v, want %v", ids, c.want)
			}
			for _, p := range []*products.Product{draftA, pubA, draftB, pubB} {
				_, err := s.Product(ctx, c.actor, p.ID)
				if seen := err == nil; seen != slices.Contains(c.want, p.ID) {
					t.Errorf("Product(%s) = %v", p.Name, err)
				} else if err != nil && !errors.Is(err, products.ErrNotFound) {
					t.Errorf("Product(%s): %v, want ErrNotFound", p.Name, err)
				}
			}
		})
	}
}
