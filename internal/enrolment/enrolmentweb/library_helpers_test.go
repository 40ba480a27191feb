package enrolmentweb_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
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

var libAdmin = auth.Actor{Name: "Ada Admin", Role: auth.RoleAdmin}

// libSite is the whole application over HTTP with its clock pinned, a
// vendor with two published products (Lovdata requires its terms to be
// accepted), an agreement for this year with an offer of each, and an
// open enrolment window with both offers.
type libSite struct {
	t        *testing.T
	ctx      context.Context
	base     string
	svc      *server.Services
	clock    atomic.Int64      // the enrolment service's now, in Unix nanoseconds
	lovdata  *products.Product // requires acceptance; licence version 1
	atekst   *products.Product // does not
	window   *enrolment.Window
	offerLov int64 // 12 500,00 NOK
	offerAt  int64 // 3 000,00 NOK
	library  *members.Library
}

func newLibSite(t *testing.T) *libSite {
	t.Helper()
	srv, svc := servertest.Start(t, nil)
	s := &libSite{t: t, ctx: context.Background(), base: srv.URL, svc: svc}
	s.at("2026-10-20")
	svc.Enrolment.Now = func() time.Time { return time.Unix(0, s.clock.Load()) }
	v, err := svc.Products.CreateVendor(s.ctx, libAdmin, products.VendorInput{Name: "Lovdata AS", Country: "NO", SupportEmail: "support@lovdata.no"})
	if err != nil {
		t.Fatalf("vendor: %v", err)
	}
	s.lovdata = s.product(v.ID, "Lovdata Pro", true)
	s.atekst = s.product(v.ID, "Atekst", false)
	_, err = svc.Products.AddLicenceVersion(s.ctx, libAdmin, s.lovdata.ID, products.LicenceInput{
		Text:  "Lisensen gjelder for bibliotekets brukere.\n\nBiblioteket svarer for misbruk.",
		Terms: products.Terms{WalkIn: products.Term{Value: products.TermYes, Clause: "Walk-in users may use the service."}, GoverningLaw: products.Term{Value: "norsk rett"}}})
	if err != nil {
		t.Fatalf("licence: %v", err)
	}
	ag, err := svc.Enrolment.CreateAgreement(s.ctx, libAdmin, enrolment.AgreementInput{VendorID: v.ID, Name: "Lovdata 2026",
		StartsOn: "2026-01-01", EndsOn: "2026-12-31"})
	if err != nil {
		t.Fatalf("agreement: %v", err)
	}
	s.offerLov = s.offer(ag.ID, s.lovdata.ID, 1250000)
	s.offerAt = s.offer(ag.ID, s.atekst.ID, 300000)
	s.window, _, err = svc.Enrolment.CreateWindow(s.ctx, libAdmin, enrolment.WindowInput{Name: "Tilknytning 2026",
		OpensOn: "2026-10-16", ClosesOn: "2026-11-12", OfferIDs: []int64{s.offerLov, s.offerAt}})
	if err != nil {
		t.Fatalf("window: %v", err)
	}
	s.library = s.newLibrary("Deichman Bjørvika", "0301")
	return s
}

// at sets the clock to noon in Oslo on day.
func (s *libSite) at(day string) {
	s.clock.Store(calendar.MustParse(day).Time().Add(12 * time.Hour).UnixNano())
}

func (s *libSite) product(vendorID int64, name string, terms bool) *products.Product {
	s.t.Helper()
	p, err := s.svc.Products.CreateProduct(s.ctx, libAdmin, products.ProductInput{VendorID: vendorID, Name: name,
		AccessMethods: []string{products.AccessIP}, TargetGroups: []string{products.TargetPublic}, RequiresTermsAcceptance: terms})
	if err != nil {
		s.t.Fatalf("product %s: %v", name, err)
	}
	_, err = s.svc.Products.SetText(s.ctx, libAdmin, p.ID, "nb", products.TextInput{Description: name + " for bibliotek.",
		AnswerAccess: "Via IP.", AnswerHome: "Nei.", AnswerShare: "Nei.", AnswerSupport: "Skriv til leverandøren."})
	if err != nil {
		s.t.Fatalf("text of %s: %v", name, err)
	}
	if p, err = s.svc.Products.SetPublished(s.ctx, libAdmin, p.ID, true); err != nil {
		s.t.Fatalf("publish %s: %v", name, err)
	}
	return p
}

func (s *libSite) offer(agreementID, productID, price int64) int64 {
	s.t.Helper()
	o, err := s.svc.Enrolment.AddOffer(s.ctx, libAdmin, agreementID, enrolment.OfferInput{ProductID: productID, PriceMinor: &price, Currency: "NOK"})
	if err != nil {
		s.t.Fatalf("offer: %v", err)
	}
	return o.ID
}

func (s *libSite) newLibrary(name, municipality string) *members.Library {
	s.t.Helper()
	l, _, err := s.svc.Members.Create(s.ctx, auth.System, members.LibraryInput{Name: name, Type: "public", MunicipalityNumber: municipality})
	if err != nil {
		s.t.Fatalf("library %s: %v", name, err)
	}
	return l
}

// user creates a user; set adjusts what is created.
func (s *libSite) user(email string, role auth.Role, set func(*auth.NewUser)) {
	s.t.Helper()
	webtest.User(s.t, s.svc.Users, email, role, set)
}

// contact creates a library contact of l and logs them in.
func (s *libSite) contact(email string, l *members.Library) *webtest.Browser {
	s.user(email, auth.RoleLibrary, func(n *auth.NewUser) { n.LibraryID = &l.ID })
	return s.login(email)
}

func (s *libSite) admin() *webtest.Browser {
	s.user("admin@samla.test", auth.RoleAdmin, nil)
	return s.login("admin@samla.test")
}

func (s *libSite) login(email string) *webtest.Browser {
	s.t.Helper()
	return webtest.Login(s.t, s.base, email)
}

func (s *libSite) answerForm(offerID int64, l *members.Library, answer, reason, text string) url.Values {
	return url.Values{"offer_id": {fmt.Sprint(offerID)}, "library_id": {fmt.Sprint(l.ID)}, "answer": {answer},
		"reason": {reason}, "reason_text": {text}}
}

// state is the subscription state the obligations fragment shows for a product.
func (s *libSite) state(b *webtest.Browser, l *members.Library, p *products.Product) string {
	s.t.Helper()
	page := b.Get(fmt.Sprintf("/libraries/%d/obligations", l.ID))
	page.Want(s.t, "obligations", http.StatusOK)
	i := strings.Index(page.Body, `href="/catalogue/`+p.Slug+`"`)
	if i < 0 {
		return ""
	}
	row := page.Body[strings.LastIndex(page.Body[:i], "<tr"):]
	_, after, _ := strings.Cut(row, `data-state="`)
	st, _, _ := strings.Cut(after, `"`)
	return st
}
