package billingweb_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
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
)

const password = "long enough password"

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
	app, err := web.New(d, svc.Users, svc.Catalog, slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	if err := app.Routes(mux); err != nil {
		t.Fatal(err)
	}
	now := calendar.MustParse("2027-01-04").Time().Add(12 * time.Hour)
	bill := &billing.Service{DB: d, Catalog: svc.Catalog, Now: func() time.Time { return now }}
	if err := billingweb.Register(mux, app, bill); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler(mux))
	t.Cleanup(srv.Close)
	s := &site{t: t, ctx: context.Background(), base: srv.URL, svc: svc, bill: bill}

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

// testLog shows the application's log with a failing test's output.
type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
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

// user creates a user who logs in with password; set adjusts it.
func (s *site) user(email string, role auth.Role, set func(*auth.NewUser)) *auth.User {
	s.t.Helper()
	n := auth.NewUser{Email: email, Name: "Kari " + strings.Split(email, "@")[0], Password: password, Role: role}
	if set != nil {
		set(&n)
	}
	u, err := s.svc.Users.Create(s.ctx, auth.System, n)
	if err != nil {
		s.t.Fatalf("user %s: %v", email, err)
	}
	return u
}

func (s *site) admin() *browser { return s.login(s.user("admin@samla.test", auth.RoleAdmin, nil)) }
func (s *site) staff() *browser { return s.login(s.user("staff@samla.test", auth.RoleStaff, nil)) }

func (s *site) contactOf(email string, l *members.Library) *browser {
	return s.login(s.user(email, auth.RoleLibrary, func(n *auth.NewUser) { n.LibraryID = &l.ID }))
}

// browser keeps cookies and does not follow redirects.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

type page struct {
	Status   int
	Location string
	Header   http.Header
	Body     string
}

func (s *site) login(u *auth.User) *browser {
	s.t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{t: s.t, base: s.base, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if p := b.post("/login", url.Values{"email": {u.Email}, "password": {password}}); p.Status != http.StatusSeeOther {
		s.t.Fatalf("login as %s: status %d", u.Email, p.Status)
	}
	return b
}

func (b *browser) send(method, path string, form url.Values) page {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	p := page{Status: res.StatusCode, Location: res.Header.Get("Location"), Header: res.Header, Body: string(data)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") && strings.Contains(p.Body, " style=") {
		b.t.Errorf("%s %s: inline style attribute (the CSP forbids it)", method, path)
	}
	return p
}

func (b *browser) get(path string) page {
	b.t.Helper()
	return b.send("GET", path, nil)
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	return b.send("POST", path, form)
}

// want fails unless the page has the status and every snippet.
func (p page) want(t *testing.T, what string, status int, snippets ...string) page {
	t.Helper()
	if p.Status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, p.Status, status, excerpt(p.Body))
	}
	for _, s := range snippets {
		if !strings.Contains(p.Body, s) {
			t.Errorf("%s: page lacks %q\n%s", what, s, excerpt(p.Body))
		}
	}
	return p
}

// lacks fails if the page has any of the snippets.
func (p page) lacks(t *testing.T, what string, snippets ...string) {
	t.Helper()
	for _, s := range snippets {
		if strings.Contains(p.Body, s) {
			t.Errorf("%s: page has %q\n%s", what, s, excerpt(p.Body))
		}
	}
}

// redirected fails unless the page is a 303 to a location starting with
// prefix, and returns the location.
func (p page) redirected(t *testing.T, what, prefix string) string {
	t.Helper()
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, prefix) {
		t.Fatalf("%s: %d → %q, want 303 → %s…\n%s", what, p.Status, p.Location, prefix, excerpt(p.Body))
	}
	return p.Location
}

// section is the element with id, up to its closing tag (elements of the
// same name are not nested where the tests look).
func (p page) section(id string) string {
	i := strings.Index(p.Body, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(p.Body[:i], "<")
	tag, _, _ := strings.Cut(p.Body[start+1:], " ")
	rest := p.Body[start:]
	if j := strings.Index(rest, "</"+tag+">"); j >= 0 {
		return rest[:j]
	}
	return rest
}

func excerpt(s string) string {
	if i := strings.Index(s, "<main>"); i >= 0 {
		s = s[i:]
	}
	if len(s) > 6000 {
		s = s[:6000] + " …"
	}
	return s
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
