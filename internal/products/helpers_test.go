package products_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/db/dbtest"
	"github.com/samla-org/samla/internal/products"
)

var (
	admin   = auth.Actor{UserID: 0, Name: "Admin", Role: auth.RoleAdmin}
	staff   = auth.Actor{UserID: 0, Name: "Staff", Role: auth.RoleStaff}
	library = auth.Actor{Name: "Bibliotekar", Role: auth.RoleLibrary, LibraryIDs: []int64{1}}
	county  = auth.Actor{Name: "Fylke", Role: auth.RoleCountyContact, Country: "NO", CountyNumber: "46"}
)

func newService(t *testing.T) *products.Service {
	t.Helper()
	return &products.Service{DB: dbtest.Open(t)}
}

func vendorActor(id int64) auth.Actor {
	return auth.Actor{Name: "Leverandør", Role: auth.RoleVendor, VendorID: id}
}

// codes lists a ValidationError's problems as "field:code".
func codes(err error) []string {
	var ve *products.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var out []string
	for _, p := range ve.Problems {
		out = append(out, p.Field+":"+p.Code)
	}
	return out
}

func wantCodes(t *testing.T, err error, want ...string) {
	t.Helper()
	got := codes(err)
	if got == nil {
		t.Fatalf("want a ValidationError with %v, got %v", want, err)
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("want %s among %v", w, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d problems %v, want exactly %v", len(got), got, want)
	}
}

func mustVendor(t *testing.T, s *products.Service, name string) *products.Vendor {
	t.Helper()
	v, err := s.CreateVendor(context.Background(), admin, products.VendorInput{Name: name, Country: "NO", SupportEmail: "support@" + products.Slug(name) + ".no"})
	if err != nil {
		t.Fatalf("create vendor %s: %v", name, err)
	}
	return v
}

func mustProduct(t *testing.T, s *products.Service, vendorID int64, name string) *products.Product {
	t.Helper()
	p, err := s.CreateProduct(context.Background(), staff, products.ProductInput{VendorID: vendorID, Name: name,
		AccessMethods: []string{products.AccessIP}, TargetGroups: []string{products.TargetPublic}})
	if err != nil {
		t.Fatalf("create product %s: %v", name, err)
	}
	return p
}

// completeNB is a Bokmål text with the description and all four answers.
func completeNB() products.TextInput {
	return products.TextInput{Description: "Aviser fra hele verden.", AnswerAccess: "Via IP-adressen til biblioteket.",
		AnswerHome: "Ja, med Bibliotekkortet.", AnswerShare: "Nei.", AnswerSupport: "Skriv til support@pressreader.com."}
}

func mustPublished(t *testing.T, s *products.Service, vendorID int64, name string) *products.Product {
	t.Helper()
	p := mustProduct(t, s, vendorID, name)
	ctx := context.Background()
	if _, err := s.SetText(ctx, staff, p.ID, "nb", completeNB()); err != nil {
		t.Fatal(err)
	}
	p, err := s.SetPublished(ctx, staff, p.ID, true)
	if err != nil {
		t.Fatalf("publish %s: %v", name, err)
	}
	return p
}
