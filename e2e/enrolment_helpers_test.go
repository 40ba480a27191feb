package e2e

import (
	"context"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/products"
)

// enrolmentSeed is what an admin set up before a library contact enrols:
// two published products (Lovdata requires its licence terms to be accepted
// by the library itself), an agreement for the year with an offer of each,
// and an open enrolment window with both offers.
type enrolmentSeed struct {
	library      *members.Library // Deichman Bjørvika, whose primary contact is contactEmail
	lovdata      *products.Product
	pressreader  *products.Product
	window       *enrolment.Window
	offerLovdata int64
	offerPress   int64
}

const (
	contactEmail    = "kari.nordmann@deichman.no"
	contactName     = "Kari Nordmann"
	contactPassword = "riktig-hest-batteri"
)

// seedEnrolment publishes the products, opens the window and makes the
// library contact (a user whose e-mail is the library's primary contact),
// all through the domain services as an admin would. The enrolment clock
// is pinned inside the window, and the agreement runs the whole year, so a
// subscription is active as soon as nothing blocks it.
func (p *page) seedEnrolment() *enrolmentSeed {
	p.t.Helper()
	ctx, admin := context.Background(), auth.Actor{Name: adminName, Role: auth.RoleAdmin}
	now := calendar.MustParse("2026-10-20").Time().Add(12 * time.Hour)
	p.svc.Enrolment.Now = func() time.Time { return now }
	fail := func(what string, err error) {
		if err != nil {
			p.t.Fatalf("seed %s: %v", what, err)
		}
	}
	s := &enrolmentSeed{}
	libs, _, err := p.svc.Members.List(ctx, auth.System, members.Filter{Query: "Deichman"})
	if err != nil || len(libs) != 1 {
		p.t.Fatalf("seed: find Deichman: %d found, %v", len(libs), err)
	}
	s.library = &libs[0].Library
	_, err = p.svc.Members.AddContact(ctx, auth.System, s.library.ID, members.ContactInput{Name: contactName, Email: contactEmail, Role: members.ContactPrimary})
	fail("contact", err)
	_, err = p.svc.Users.Create(ctx, auth.System, auth.NewUser{Email: contactEmail, Name: contactName, Password: contactPassword, Role: auth.RoleLibrary})
	fail("contact user", err)

	v, err := p.svc.Products.CreateVendor(ctx, admin, products.VendorInput{Name: "Lovdata og venner AS", Country: "NO", SupportEmail: "support@lovdata.no"})
	fail("vendor", err)
	publish := func(name string, terms bool) *products.Product {
		pr, err := p.svc.Products.CreateProduct(ctx, admin, products.ProductInput{VendorID: v.ID, Name: name,
			AccessMethods: []string{products.AccessIP}, TargetGroups: []string{products.TargetPublic}, RequiresTermsAcceptance: terms,
			Texts: map[string]products.TextInput{"nb": {Description: name + " for folkebibliotek.", AnswerAccess: "Via bibliotekets IP-adresser.",
				AnswerHome: "Nei.", AnswerShare: "Nei.", AnswerSupport: "Skriv til support@lovdata.no."}}})
		fail("product "+name, err)
		pr, err = p.svc.Products.SetPublished(ctx, admin, pr.ID, true)
		fail("publish "+name, err)
		return pr
	}
	s.lovdata = publish("Lovdata Pro", true)
	s.pressreader = publish("PressReader", false)
	_, err = p.svc.Products.AddLicenceVersion(ctx, admin, s.lovdata.ID, products.LicenceInput{
		Text:  "Tjenesten kan brukes av bibliotekets besøkende.\n\nBiblioteket er ansvarlig for brudd på vilkårene.",
		Terms: products.Terms{WalkIn: products.Term{Value: products.TermYes, Clause: "Besøkende kan bruke tjenesten i biblioteket."}}})
	fail("licence", err)

	ag, err := p.svc.Enrolment.CreateAgreement(ctx, admin, enrolment.AgreementInput{VendorID: v.ID, Name: "Lovdata og PressReader 2026",
		StartsOn: "2026-01-01", EndsOn: "2026-12-31"})
	fail("agreement", err)
	offer := func(pr *products.Product, price int64) int64 {
		o, err := p.svc.Enrolment.AddOffer(ctx, admin, ag.ID, enrolment.OfferInput{ProductID: pr.ID, PriceMinor: &price, Currency: "NOK"})
		fail("offer "+pr.Name, err)
		return o.ID
	}
	s.offerLovdata = offer(s.lovdata, 1250000)
	s.offerPress = offer(s.pressreader, 4800000)
	s.window, _, err = p.svc.Enrolment.CreateWindow(ctx, admin, enrolment.WindowInput{Name: "Tilknytning 2027",
		OpensOn: "2026-10-16", ClosesOn: "2026-11-12", OfferIDs: []int64{s.offerLovdata, s.offerPress}})
	fail("window", err)
	return s
}

// loginAs signs in through the login form as any user and expects to land
// on /libraries.
func (p *page) loginAs(email, password string) {
	p.t.Helper()
	p.open("/login")
	p.set("#email", email)
	p.set("#password", password)
	p.click(`form[action="/login"] button[type=submit]`)
	if got := p.path(); got != "/libraries" {
		p.fatal("after login as %s: at %s, want /libraries", email, got)
	}
}

// press clicks sel without waiting for a navigation: an htmx button, a
// checkbox.
func (p *page) press(sel string) {
	p.t.Helper()
	p.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// markPage marks the document so that expectSamePage can tell a swap in
// place from a reload.
func (p *page) markPage() {
	p.t.Helper()
	p.do("mark the page", chromedp.Evaluate[chromedp.Void](`window.e2eSamePage = true`))
}

// textHas is a waitText condition.
func textHas(want string) func(string) bool {
	return func(s string) bool { return strings.Contains(s, want) }
}
