package billingweb_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/billing/billingweb"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/db/dbtest"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/server"
	"github.com/samla-org/samla/internal/web"
	"github.com/samla-org/samla/internal/web/webtest"
)

// setup is the actor that seeds the world through the services.
var setup = auth.Actor{Name: "Setup", Role: auth.RoleAdmin}

// site is the login pages and the billing pages over real HTTP on a fresh
// database, with a tiny world: a vendor with one product, an agreement for
// 2027 with an offer of it, and three public libraries subscribing (Bergen
// with 5 FTE, Oslo with 50, Tromsø with none on file).
type site struct {
	t         *testing.T
	ctx       context.Context
	base      string
	svc       *server.Services
	bill      *billing.Service
	agreement *enrolment.Agreement
	product   *products.Product
	offer     int64
	bergen    *members.Library
	oslo      *members.Library
	tromso    *members.Library
}

func newSite(t *testing.T) *site {
	t.Helper()
	d := dbtest.Open(t)
	svc, err := server.NewServices(d)
	if err != nil {
		t.Fatal(err)
	}
	now := calendar.MustParse("2027-01-04").Time().Add(12 * time.Hour)
	bill := &billing.Service{DB: d, Catalog: svc.Catalog, Now: func() time.Time { return now }}
	base := webtest.Serve(t, d, svc.Users, svc.Catalog, func(mux *http.ServeMux, app *web.App) error {
		return billingweb.Register(mux, app, bill)
	})
	s := &site{t: t, ctx: context.Background(), base: base, svc: svc, bill: bill}

	v, err := svc.Products.CreateVendor(s.ctx, setup, products.VendorInput{Name: "Lovdata AS", Country: "NO", SupportEmail: "support@lovdata.no"})
	if err != nil {
		t.Fatalf("vendor: %v", err)
	}
	s.product, err = svc.Products.CreateProduct(s.ctx, setup, products.ProductInput{VendorID: v.ID, Name: "Lovdata Pro",
		AccessMethods: []string{products.AccessIP}, TargetGroups: []string{products.TargetPublic}})
	if err != nil {
		t.Fatalf("product: %v", err)
	}
	s.agreement, err = svc.Enrolment.CreateAgreement(s.ctx, setup, enrolment.AgreementInput{VendorID: v.ID, Name: "Lovdata 2027",
		StartsOn: "2027-01-01", EndsOn: "2027-12-31"})
	if err != nil {
		t.Fatalf("agreement: %v", err)
	}
	price := int64(1250000)
	o, err := svc.Enrolment.AddOffer(s.ctx, setup, s.agreement.ID, enrolment.OfferInput{ProductID: s.product.ID, PriceMinor: &price})
	if err != nil {
		t.Fatalf("offer: %v", err)
	}
	s.offer = o.ID
	s.bergen = s.library("Bergen offentlige bibliotek", "4601", "974521806", ptr(5))
	s.oslo = s.library("Deichman Bjørvika", "0301", "974778742", ptr(50))
	s.tromso = s.library("Tromsø bibliotek", "5501", "940101808", nil)
	for _, l := range []*members.Library{s.bergen, s.oslo, s.tromso} {
		_, err := svc.Enrolment.EnsureSubscription(s.ctx, d, enrolment.Subscription{LibraryID: l.ID, ProductID: s.product.ID,
			OfferID: &s.offer, StartsOn: "2027-01-01", EndsOn: "2027-12-31"})
		if err != nil {
			t.Fatalf("subscription of %s: %v", l.Name, err)
		}
	}
	return s
}

func ptr(v int64) *int64 { return &v }

func (s *site) library(name, municipality, org string, fte *int64) *members.Library {
	s.t.Helper()
	l, ps, err := s.svc.Members.Create(s.ctx, auth.System, members.LibraryInput{Name: name, Type: "public",
		MunicipalityNumber: municipality, OrgNumber: org, FTE: fte})
	if err != nil || len(ps) > 0 {
		s.t.Fatalf("library %s: %v %v", name, err, ps)
	}
	return l
}

// countyLibrary adds the county library of a Norwegian county.
func (s *site) countyLibrary(name, county, org string) *members.Library {
	s.t.Helper()
	l, ps, err := s.svc.Members.Create(s.ctx, auth.System, members.LibraryInput{Name: name, Type: "county", Country: "NO",
		CountyNumber: county, OrgNumber: org})
	if err != nil || len(ps) > 0 {
		s.t.Fatalf("county library %s: %v %v", name, err, ps)
	}
	return l
}

// user creates a user who logs in with webtest.Password; set adjusts it.
func (s *site) user(email string, role auth.Role, set func(*auth.NewUser)) *auth.User {
	s.t.Helper()
	return webtest.User(s.t, s.svc.Users, email, role, set)
}

func (s *site) admin() *webtest.Browser {
	return s.login(s.user("admin@samla.test", auth.RoleAdmin, nil))
}
func (s *site) staff() *webtest.Browser {
	return s.login(s.user("staff@samla.test", auth.RoleStaff, nil))
}

func (s *site) contactOf(email string, l *members.Library) *webtest.Browser {
	return s.login(s.user(email, auth.RoleLibrary, func(n *auth.NewUser) { n.LibraryID = &l.ID }))
}

func (s *site) login(u *auth.User) *webtest.Browser {
	s.t.Helper()
	return webtest.Login(s.t, s.base, u.Email)
}

func id64(v int64) string { return strconv.FormatInt(v, 10) }

// sellerForm is valid seller details: the EHF needs a name, a Norwegian
// organisation number, an address and an account.
func sellerForm() url.Values {
	return url.Values{"name": {"Bibliotek24 SA"}, "org_number": {"924187514"}, "vat_registered": {"yes"},
		"street": {"Henrik Ibsens gate 110"}, "postcode": {"0255"}, "city": {"Oslo"}, "country": {"NO"},
		"bank_account": {"1503.27.04120"}, "email": {"faktura@bibliotek24.example"}, "payment_days": {"30"},
		"home_currency": {"NOK"}, "contribution_vat": {"E"}, "version": {"0"}}
}

// tierForm prices the offer in FTE bands: 0–10 for 1 000,00 and 11 and
// above for 2 000,00, typed as people type them.
func tierForm() url.Values {
	return url.Values{"model": {"tiers"}, "currency": {"NOK"}, "tier_basis": {"fte"},
		"band_from_0": {"0"}, "band_to_0": {"10"}, "band_price_0": {"1 000,00"},
		"band_from_1": {"11"}, "band_to_1": {""}, "band_price_1": {"2 000"}}
}
