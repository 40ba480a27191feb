package productweb_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/server"
	"github.com/samla-org/samla/internal/server/servertest"
)

const password = "long enough password"

type site struct {
	t    *testing.T
	base string
	svc  *server.Services
}

func newSite(t *testing.T) *site {
	t.Helper()
	srv, s := servertest.Start(t, nil)
	return &site{t: t, base: srv.URL, svc: s}
}

func (s *site) user(email string, role auth.Role) {
	s.t.Helper()
	if _, err := s.svc.Users.Create(context.Background(), auth.System, auth.NewUser{Email: email, Name: email, Password: password, Role: role}); err != nil {
		s.t.Fatal(err)
	}
}

// browser keeps cookies and does not follow redirects, so tests see each 303.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: s.t, base: s.base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	Status   int
	Location string
	Body     string
}

func (b *browser) send(req *http.Request) page {
	b.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	body := string(data)
	if strings.Contains(body, " style=") {
		b.t.Errorf("%s %s: inline style attribute (the CSP forbids it)", req.Method, req.URL.Path)
	}
	return page{Status: res.StatusCode, Location: res.Header.Get("Location"), Body: body}
}

func (b *browser) get(path string, header ...string) page {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.base+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.send(req)
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.send(req)
}

func (b *browser) login(email string) {
	b.t.Helper()
	if p := b.post("/login", url.Values{"email": {email}, "password": {password}}); p.Status != http.StatusSeeOther {
		b.t.Fatalf("login as %s: %d", email, p.Status)
	}
}

// inOrder reports whether every part occurs in body, each after the one before.
func inOrder(body string, parts ...string) bool {
	for _, p := range parts {
		i := strings.Index(body, p)
		if i < 0 {
			return false
		}
		body = body[i+len(p):]
	}
	return true
}

// published makes a vendor and a published product with Bokmål texts, an
// English description only, a licence and a subtitled recording.
func (s *site) published() *products.Product {
	s.t.Helper()
	ctx, svc := context.Background(), s.svc.Products
	v, err := svc.CreateVendor(ctx, auth.System, products.VendorInput{Name: "Lovdata", Country: "NO", SupportEmail: "kundesenter@lovdata.no"})
	if err != nil {
		s.t.Fatal(err)
	}
	yes := true
	p, err := svc.CreateProduct(ctx, auth.System, products.ProductInput{VendorID: v.ID, Name: "Lovdata Pro på nett",
		AccessMethods: []string{"ip"}, TargetGroups: []string{"public", "school"}, Published: &yes, ProcessesPersonalData: true,
		Texts: map[string]products.TextInput{
			"nb": {Description: "Lover og dommer.", AnswerAccess: "NB-TILGANG", AnswerHome: "NB-HJEMME", AnswerShare: "NB-DELE", AnswerSupport: "NB-STØTTE"},
			"en": {Description: "Laws and judgments.", AnswerHome: "EN-HOME"},
		}})
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := svc.AddLicenceVersion(ctx, auth.System, p.ID, products.LicenceInput{Text: "Avtale", Terms: products.Terms{
		WalkIn: products.Term{Value: "no", Clause: "Only registered users."}}}); err != nil {
		s.t.Fatal(err)
	}
	if _, err := svc.AddTraining(ctx, auth.System, p.ID, products.TrainingInput{Kind: "recording", Title: "Kom i gang med Lovdata", URL: "https://vimeo.com/1", Subtitled: true}); err != nil {
		s.t.Fatal(err)
	}
	return p
}

func TestCatalogueIsPublicAndReadsAlike(t *testing.T) {
	s := newSite(t)
	p := s.published()
	b := s.browser()

	pg := b.get("/catalogue", "Accept-Language", "en")
	if pg.Status != http.StatusOK || !strings.Contains(pg.Body, `href="/catalogue/lovdata-pro-pa-nett"`) || !strings.Contains(pg.Body, "Product catalogue") {
		t.Fatalf("anonymous catalogue: %d\n%s", pg.Status, pg.Body)
	}

	pg = b.get("/catalogue/"+p.Slug+"?lang=en", "Accept-Language", "nb")
	if pg.Status != http.StatusOK {
		t.Fatalf("anonymous product page: %d", pg.Status)
	}
	if !inOrder(pg.Body, "Laws and judgments.",
		"How do I get access?", "NB-TILGANG", "(in Norwegian)",
		"Can I use it from home?", "EN-HOME",
		"Can I share it with other libraries?", "NB-DELE", "(in Norwegian)",
		"Whom do I contact when it does not work?", "NB-STØTTE", "(in Norwegian)",
		"Licence terms", "Walk-in users", "No", "Only registered users.",
		"Recorded webinars", "Kom i gang med Lovdata", "Subtitled") {
		t.Errorf("English page lacks the answers in order with fallback marks:\n%s", pg.Body)
	}
	// The answer written in English carries no mark.
	home := pg.Body[strings.Index(pg.Body, `id="answer_home"`):strings.Index(pg.Body, `id="answer_share"`)]
	if strings.Contains(home, "(in Norwegian)") || strings.Contains(pg.Body[:strings.Index(pg.Body, `id="answers"`)], "(in Norwegian)") {
		t.Errorf("fallback mark on a field written in English:\n%s", home)
	}
	if !strings.Contains(pg.Body, `<html lang="en">`) || !strings.Contains(pg.Body, "data processing agreement") {
		t.Errorf("page not in English or personal-data note missing")
	}

	// In Swedish every field is Bokmål, and marked.
	pg = b.get("/catalogue/"+p.Slug, "Accept-Language", "sv")
	if !inOrder(pg.Body, "Hur får jag tillgång?", "NB-TILGANG", "(på norska)", "Kan jag använda det hemifrån?", "NB-HJEMME", "(på norska)") {
		t.Errorf("Swedish page:\n%s", pg.Body)
	}
	// Bokmål has no marks.
	if pg = b.get("/catalogue/" + p.Slug); strings.Contains(pg.Body, "(norsk)") || !strings.Contains(pg.Body, "Hvordan får jeg tilgang?") {
		t.Errorf("Bokmål page marks fallback or lacks questions")
	}

	// Unpublished and unknown products are not found.
	if _, err := s.svc.Products.SetPublished(context.Background(), auth.System, p.ID, false); err != nil {
		t.Fatal(err)
	}
	if pg = b.get("/catalogue/" + p.Slug); pg.Status != http.StatusNotFound {
		t.Errorf("unpublished product: %d", pg.Status)
	}
}

func TestStaffManageProducts(t *testing.T) {
	s := newSite(t)
	s.user("staff@example.org", auth.RoleStaff)
	s.user("lib@example.org", auth.RoleLibrary)

	anon := s.browser()
	if pg := anon.get("/products"); pg.Status != http.StatusSeeOther || !strings.HasPrefix(pg.Location, "/login") {
		t.Errorf("anonymous /products: %d %s", pg.Status, pg.Location)
	}
	lib := s.browser()
	lib.login("lib@example.org")
	for _, path := range []string{"/products", "/products/new", "/vendors"} {
		if pg := lib.get(path); pg.Status != http.StatusForbidden {
			t.Errorf("library contact GET %s: %d", path, pg.Status)
		}
	}
	if pg := lib.post("/vendors", url.Values{"name": {"X"}, "country": {"NO"}}); pg.Status != http.StatusForbidden {
		t.Errorf("library contact POST /vendors: %d", pg.Status)
	}

	b := s.browser()
	b.login("staff@example.org")
	if pg := b.post("/vendors", url.Values{"name": {"PressReader"}, "country": {"CA"}, "support_email": {"nope"}}); pg.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(pg.Body, `data-field="support_email"`) {
		t.Fatalf("bad vendor: %d", pg.Status)
	}
	if pg := b.post("/vendors", url.Values{"name": {"PressReader"}, "country": {"CA"}}); pg.Status != http.StatusSeeOther {
		t.Fatalf("create vendor: %d %s", pg.Status, pg.Body)
	}
	vs, _ := s.svc.Products.Vendors(context.Background(), auth.System)
	if pg := b.get("/vendors"); !strings.Contains(pg.Body, "PressReader") {
		t.Errorf("vendor list lacks the vendor")
	}
	vendorID := vs[0].ID

	form := url.Values{"name": {"PressReader"}, "vendor_id": {itoa(vendorID)}, "access_methods": {"ip", "library_card"},
		"target_groups": {"public"}, "remote_access": {"1"}, "published": {"1"},
		"nb.description": {"Aviser."}, "nb.answer_access": {"IP."}, "sv.answer_home": {"Ja."}}
	pg := b.post("/products", form)
	if pg.Status != http.StatusUnprocessableEntity {
		t.Fatalf("publish without answers: %d", pg.Status)
	}
	for _, f := range []string{"texts.nb.answer_home", "texts.nb.answer_share", "texts.nb.answer_support"} {
		if !strings.Contains(pg.Body, `data-field="`+f+`"`) {
			t.Errorf("no inline error for %s", f)
		}
	}
	if strings.Contains(pg.Body, `data-field="texts.nb.answer_access"`) || !strings.Contains(pg.Body, "The product cannot be published yet") && !strings.Contains(pg.Body, "Produktet kan ikke publiseres ennå") {
		t.Errorf("publish errors wrong:\n%s", pg.Body)
	}
	if !strings.Contains(pg.Body, ">Ja.</textarea>") {
		t.Error("the refused form lost what was typed")
	}
	form.Set("nb.answer_home", "Ja, med Bibliotekkortet.")
	form.Set("nb.answer_share", "Nei.")
	form.Set("nb.answer_support", "support@pressreader.com")
	pg = b.post("/products", form)
	if pg.Status != http.StatusSeeOther || !strings.HasPrefix(pg.Location, "/products/") {
		t.Fatalf("create product: %d %s", pg.Status, pg.Body)
	}
	productPath := pg.Location
	if pg = b.get(productPath); pg.Status != http.StatusOK || !strings.Contains(pg.Body, "Ja, med Bibliotekkortet.</textarea>") {
		t.Errorf("edit page: %d", pg.Status)
	}
	if pg = b.get("/products"); !strings.Contains(pg.Body, "/catalogue/pressreader") {
		t.Errorf("product list does not show it published")
	}
	// A stale version is refused and keeps the form.
	form.Set("version", "0")
	form.Set("name", "PressReader Plus")
	if pg = b.post(productPath, form); pg.Status != http.StatusConflict || !strings.Contains(pg.Body, `value="PressReader Plus"`) {
		t.Errorf("stale save: %d", pg.Status)
	}

	// Training: an upcoming webinar, given in Oslo time.
	pg = b.post(productPath+"/training", url.Values{"kind": {"upcoming"}, "title": {"Nyheter i PressReader"}, "lang": {"nb"}, "starts_at": {"2099-05-04T14:00"}})
	if pg.Status != http.StatusSeeOther {
		t.Fatalf("add webinar: %d %s", pg.Status, pg.Body)
	}
	if pg = b.get(productPath + "/training"); !strings.Contains(pg.Body, "2099-05-04 14:00 CEST") {
		t.Errorf("webinar time not shown in Oslo time:\n%s", pg.Body)
	}
	if pg = b.get("/catalogue/pressreader"); !strings.Contains(pg.Body, "2099-05-04 14:00 CEST") || !strings.Contains(pg.Body, `datetime="2099-05-04T12:00:00Z"`) {
		t.Errorf("catalogue webinar time wrong")
	}

	// Licence: bad terms are named; a PDF upload makes version 1.
	pg = b.upload(productPath+"/licences", map[string]string{"text": "Avtale", "term.walk_in": "maybe", "term.concurrent_users": "many"}, "", nil)
	if pg.Status != http.StatusUnprocessableEntity || !strings.Contains(pg.Body, `data-field="terms.walk_in"`) || !strings.Contains(pg.Body, `data-field="terms.concurrent_users"`) {
		t.Fatalf("bad terms: %d", pg.Status)
	}
	pdf := []byte("%PDF-1.4\nlisens\n")
	pg = b.upload(productPath+"/licences", map[string]string{"text": "Avtale", "term.walk_in": "yes", "clause.walk_in": "Walk-in users are permitted.", "term.concurrent_users": "unlimited"}, "lisens.pdf", pdf)
	if pg.Status != http.StatusSeeOther {
		t.Fatalf("add licence: %d %s", pg.Status, pg.Body)
	}
	if pg = b.get(productPath + "/licences"); !strings.Contains(pg.Body, productPath+"/licences/1/document") || !strings.Contains(pg.Body, "Walk-in users are permitted.") {
		t.Errorf("licence page lacks the version:\n%s", pg.Body)
	}
	if pg = b.get(productPath + "/licences/1/document"); pg.Status != http.StatusOK || pg.Body != string(pdf) {
		t.Errorf("document download: %d", pg.Status)
	}
}

func (b *browser) upload(path string, fields map[string]string, filename string, data []byte) page {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if filename != "" {
		fw, _ := mw.CreateFormFile("document", filename)
		_, _ = fw.Write(data)
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", b.base+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.send(req)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
