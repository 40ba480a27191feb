package enrolmentweb_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
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
)

const admPassword = "long enough password"

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

// user creates a user who logs in with admPassword; set adjusts it.
func (s *admSite) user(email string, role auth.Role, set func(*auth.NewUser)) *auth.User {
	s.t.Helper()
	n := auth.NewUser{Email: email, Name: "Kari " + strings.Split(email, "@")[0], Password: admPassword, Role: role}
	if set != nil {
		set(&n)
	}
	u, err := s.svc.Users.Create(s.ctx, auth.System, n)
	if err != nil {
		s.t.Fatalf("user %s: %v", email, err)
	}
	return u
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

// admBrowser keeps cookies and does not follow redirects.
type admBrowser struct {
	t    *testing.T
	base string
	c    *http.Client
}

type admPage struct {
	Status   int
	Location string
	Header   http.Header
	Body     string
}

func (s *admSite) login(u *auth.User) *admBrowser {
	s.t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &admBrowser{t: s.t, base: s.base, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if p := b.post("/login", url.Values{"email": {u.Email}, "password": {admPassword}}); p.Status != http.StatusSeeOther {
		s.t.Fatalf("login as %s: status %d", u.Email, p.Status)
	}
	return b
}

func (s *admSite) admin() *admBrowser {
	return s.login(s.user("admin@samla.test", auth.RoleAdmin, nil))
}

func (b *admBrowser) send(method, path, ctype string, body io.Reader) admPage {
	b.t.Helper()
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	p := admPage{Status: res.StatusCode, Location: res.Header.Get("Location"), Header: res.Header, Body: string(data)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") && strings.Contains(p.Body, " style=") {
		b.t.Errorf("%s %s: inline style attribute (the CSP forbids it)", method, path)
	}
	return p
}

func (b *admBrowser) get(path string) admPage {
	b.t.Helper()
	return b.send("GET", path, "", nil)
}

func (b *admBrowser) post(path string, form url.Values) admPage {
	b.t.Helper()
	return b.send("POST", path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
}

// multipart posts form fields and, when data is not nil, a file as field "document".
func (b *admBrowser) multipart(path string, form url.Values, fileName string, data []byte) admPage {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	if data != nil {
		fw, err := mw.CreateFormFile("document", fileName)
		if err != nil {
			b.t.Fatal(err)
		}
		_, _ = fw.Write(data)
	}
	_ = mw.Close()
	return b.send("POST", path, mw.FormDataContentType(), &buf)
}

// want fails unless the page has the status and every snippet.
func (p admPage) want(t *testing.T, what string, status int, snippets ...string) admPage {
	t.Helper()
	if p.Status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, p.Status, status, admExcerpt(p.Body))
	}
	for _, s := range snippets {
		if !strings.Contains(p.Body, s) {
			t.Errorf("%s: page lacks %q\n%s", what, s, admExcerpt(p.Body))
		}
	}
	return p
}

// lacks fails if the page has any of the snippets.
func (p admPage) lacks(t *testing.T, what string, snippets ...string) {
	t.Helper()
	for _, s := range snippets {
		if strings.Contains(p.Body, s) {
			t.Errorf("%s: page has %q\n%s", what, s, admExcerpt(p.Body))
		}
	}
}

// redirected fails unless the page is a 303 to a location starting with prefix.
func (p admPage) redirected(t *testing.T, what, prefix string) string {
	t.Helper()
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, prefix) {
		t.Fatalf("%s: %d → %q, want 303 → %s…\n%s", what, p.Status, p.Location, prefix, admExcerpt(p.Body))
	}
	return p.Location
}

// section is the element with id, up to its closing tag (elements of the
// same name are not nested in these pages), to check what a row or block shows.
func (p admPage) section(id string) string {
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

func admExcerpt(s string) string {
	if i := strings.Index(s, "<main>"); i >= 0 {
		s = s[i:]
	}
	if len(s) > 5000 {
		s = s[:5000] + " …"
	}
	return s
}
