package productweb_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/products"
)

// The product page tells a library how its users get in, from the
// product's access methods: the national library card and OpenAthens are
// named only for the products that take them.
func TestProductPageSaysHowLibraryUsersGetIn(t *testing.T) {
	s := newSite(t)
	ctx, svc := context.Background(), s.svc.Products
	lovdata := s.published() // IP only
	v, err := svc.CreateVendor(ctx, auth.System, products.VendorInput{Name: "Cappelen Damm", Country: "NO"})
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	card, err := svc.CreateProduct(ctx, auth.System, products.ProductInput{VendorID: v.ID, Name: "Lydbøker", Published: &yes,
		AccessMethods: []string{products.AccessLibraryCard, products.AccessOpenAthens}, TargetGroups: []string{"public"},
		Texts: map[string]products.TextInput{"nb": {Description: "Lydbøker.", AnswerAccess: "A", AnswerHome: "H", AnswerShare: "S", AnswerSupport: "K"}}})
	if err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	pg := b.get("/catalogue/"+card.Slug, "Accept-Language", "nb")
	if pg.Status != http.StatusOK || !strings.Contains(pg.Body, "Med Bibliotekkortet") || !strings.Contains(pg.Body, "Med OpenAthens") {
		t.Fatalf("library card product page (%d) does not name Bibliotekkortet and OpenAthens:\n%s", pg.Status, pg.Body)
	}
	if strings.Contains(pg.Body, "Fra bibliotekets nettverk") {
		t.Error("a product without IP access says it follows the library's IP addresses")
	}
	pg = b.get("/catalogue/"+lovdata.Slug, "Accept-Language", "sv")
	if !strings.Contains(pg.Body, "Från bibliotekets nätverk") || strings.Contains(pg.Body, "bibliotekskortet:") || strings.Contains(pg.Body, "OpenAthens:") {
		t.Errorf("IP-only product page in Swedish:\n%s", pg.Body)
	}
}
