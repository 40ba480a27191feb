package enrolmentweb_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/server"
	"github.com/samla-org/samla/internal/server/servertest"
	"github.com/samla-org/samla/internal/web/webtest"
)

// admSystem sets up data through the services, as a consortium admin.
var admSystem = auth.Actor{Name: "Setup", Role: auth.RoleAdmin}

// admSite is the whole application over HTTP with the enrolment clock
// pinned, a vendor with two published public products (Lovdata needs its
// terms accepted and has licence version 1), and two public libraries.
type admSite struct {
	t       *testing.T
	ctx     context.Context
	base    string
	svc     *server.Services
	clock   atomic.Int64
	vendor  *products.Vendor
	lovdata *products.Product
	atekst  *products.Product
	bergen  *members.Library
	oslo    *members.Library
}

func newAdmSite(t *testing.T) *admSite {
	t.Helper()
	srv, svc := servertest.Start(t, nil)
	s := &admSite{t: t, ctx: context.Background(), base: srv.URL, svc: svc}
	s.at("2026-10-20")
	svc.Enrolment.Now = func() time.Time { return time.Unix(0, s.clock.Load()) }
	v, err := svc.Products.CreateVendor(s.ctx, admSystem, products.VendorInput{Name: "Lovdata AS", Country: "NO", SupportEmail: "support@lovdata.no"})
	if err != nil {
		t.Fatalf("vendor: %v", err)
	}
	s.vendor = v
	s.lovdata = s.product("Lovdata Pro", func(in *products.ProductInput) { in.RequiresTermsAcceptance = true })
	s.atekst = s.product("Atekst", nil)
	if _, err := svc.Products.AddLicenceVersion(s.ctx, admSystem, s.lovdata.ID, products.LicenceInput{Text: "Lisensen gjelder for bibliotekets brukere."}); err != nil {
		t.Fatalf("licence: %v", err)
	}
	s.bergen = s.library("Bergen offentlige bibliotek", "4601")
	s.oslo = s.library("Deichman Bjørvika", "0301")
	return s
}

// at sets the enrolment clock to noon in Oslo on day.
func (s *admSite) at(day string) {
	s.clock.Store(calendar.MustParse(day).Time().Add(12 * time.Hour).UnixNano())
}

func (s *admSite) product(name string, set func(*products.ProductInput)) *products.Product {
	s.t.Helper()
	in := products.ProductInput{VendorID: s.vendor.ID, Name: name, AccessMethods: []string{products.AccessIP},
		TargetGroups: []string{products.TargetPublic}}
	if set != nil {
		set(&in)
	}
	p, err := s.svc.Products.CreateProduct(s.ctx, admSystem, in)
	if err != nil {
		s.t.Fatalf("product %s: %v", name, err)
	}
	return p
}

func (s *admSite) library(name, municipality string) *members.Library {
	s.t.Helper()
	l, _, err := s.svc.Members.Create(s.ctx, auth.System, members.LibraryInput{Name: name, Type: "public", MunicipalityNumber: municipality})
	if err != nil {
		s.t.Fatalf("library %s: %v", name, err)
	}
	return l
}

// agreement makes an agreement for a year with an offer of each product
// (Lovdata 12 500,00 NOK, Atekst 3 000,00 NOK) and returns the offer ids.
func (s *admSite) agreement(year int) (ag *enrolment.Agreement, lov, at int64) {
	s.t.Helper()
	ag, err := s.svc.Enrolment.CreateAgreement(s.ctx, admSystem, enrolment.AgreementInput{VendorID: s.vendor.ID,
		Name: fmt.Sprintf("Lovdata %d", year), StartsOn: calendar.Date(fmt.Sprintf("%d-01-01", year)),
		EndsOn: calendar.Date(fmt.Sprintf("%d-12-31", year))})
	if err != nil {
		s.t.Fatalf("agreement: %v", err)
	}
	offer := func(p *products.Product, price int64) int64 {
		o, err := s.svc.Enrolment.AddOffer(s.ctx, admSystem, ag.ID, enrolment.OfferInput{ProductID: p.ID, PriceMinor: &price})
		if err != nil {
			s.t.Fatalf("offer: %v", err)
		}
		return o.ID
	}
	return ag, offer(s.lovdata, 1250000), offer(s.atekst, 300000)
}

// user creates a user who logs in with webtest.Password; set adjusts it.
func (s *admSite) user(email string, role auth.Role, set func(*auth.NewUser)) *auth.User {
	s.t.Helper()
	return webtest.User(s.t, s.svc.Users, email, role, set)
}

// actor is the domain's view of a user, for calls made on their behalf.
func (s *admSite) actor(u *auth.User) auth.Actor {
	s.t.Helper()
	a, err := s.svc.Users.Actor(s.ctx, u)
	if err != nil {
		s.t.Fatal(err)
	}
	return a
}

func (s *admSite) contactOf(email string, l *members.Library) *auth.User {
	return s.user(email, auth.RoleLibrary, func(n *auth.NewUser) { n.LibraryID = &l.ID })
}

func (s *admSite) login(u *auth.User) *webtest.Browser {
	s.t.Helper()
	return webtest.Login(s.t, s.base, u.Email)
}

func (s *admSite) admin() *webtest.Browser {
	return s.login(s.user("admin@samla.test", auth.RoleAdmin, nil))
}

// document is a PDF chosen in the form's "document" field.
func document(name string, data []byte) webtest.File {
	return webtest.File{Field: "document", Name: name, Data: data}
}
