package ratesweb_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/db/dbtest"
	"github.com/samla-org/samla/internal/i18n"
	"github.com/samla-org/samla/internal/rates"
	"github.com/samla-org/samla/internal/rates/ratesweb"
	"github.com/samla-org/samla/internal/web"
)

const password = "long enough password"

type site struct {
	t     *testing.T
	base  string
	users *auth.Service
	svc   *rates.Service
}

// newSite serves the login pages and the rates pages over a fresh
// database, wired as internal/server wires them, without depending on the
// rest of the application.
func newSite(t *testing.T) *site {
	t.Helper()
	d := dbtest.Open(t)
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	users := &auth.Service{DB: d}
	app, err := web.New(d, users, cat, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	if err := app.Routes(mux); err != nil {
		t.Fatal(err)
	}
	svc := &rates.Service{DB: d}
	if err := ratesweb.Register(mux, app, svc); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler(mux))
	t.Cleanup(srv.Close)
	return &site{t: t, base: srv.URL, users: users, svc: svc}
}

func (s *site) user(email string, role auth.Role) {
	s.t.Helper()
	n := auth.NewUser{Email: email, Name: email, Password: password, Role: role}
	if role == auth.RoleCountyContact {
		n.Country, n.CountyNumber = "NO", "46"
	}
	if _, err := s.users.Create(context.Background(), auth.System, n); err != nil {
		s.t.Fatal(err)
	}
}

type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

// browser keeps cookies and does not follow redirects, so tests see each 303.
func (s *site) browser(email string) *browser {
	jar, _ := cookiejar.New(nil)
	b := &browser{t: s.t, base: s.base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if email != "" {
		if p := b.post("/login", url.Values{"email": {email}, "password": {password}}); p.Status != http.StatusSeeOther {
			s.t.Fatalf("login as %s: %d", email, p.Status)
		}
	}
	return b
}

type page struct {
	Status   int
	Location string
	Body     string
}

func (b *browser) send(req *http.Request) page {
	b.t.Helper()
	req.Header.Set("Accept-Language", "en")
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

func (b *browser) get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.base+path, nil)
	return b.send(req)
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.send(req)
}

func (b *browser) upload(name string, data []byte) page {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if name != "" {
		fw, _ := mw.CreateFormFile("file", name)
		_, _ = fw.Write(data)
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", b.base+"/rates/import", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.send(req)
}

func testdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOnlyConsortiumSeesRates(t *testing.T) {
	s := newSite(t)
	s.user("lib@example.no", auth.RoleLibrary)
	s.user("county@example.no", auth.RoleCountyContact)

	anon := s.browser("")
	if p := anon.get("/rates"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/login") {
		t.Errorf("anonymous: %d %s", p.Status, p.Location)
	}
	for _, email := range []string{"lib@example.no", "county@example.no"} {
		b := s.browser(email)
		if p := b.get("/rates"); p.Status != http.StatusForbidden {
			t.Errorf("%s GET: %d", email, p.Status)
		}
		if p := b.upload("eurofxref.csv", testdata(t, "ecb-eurofxref.csv")); p.Status != http.StatusForbidden {
			t.Errorf("%s import: %d", email, p.Status)
		}
		if p := b.post("/rates", url.Values{"currency": {"USD"}, "date": {"2025-05-09"}, "rate": {"10"}, "note": {"x"}}); p.Status != http.StatusForbidden {
			t.Errorf("%s manual: %d", email, p.Status)
		}
	}
	rows, _ := s.svc.List(context.Background(), rates.ListFilter{})
	if len(rows) != 0 {
		t.Errorf("%d rows written by outsiders", len(rows))
	}
}

func TestImportShowsCountsAndErrors(t *testing.T) {
	s := newSite(t)
	s.user("admin@example.no", auth.RoleAdmin)
	b := s.browser("admin@example.no")

	p := b.get("/rates")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Exchange rates") || !strings.Contains(p.Body, `id="no-rates"`) {
		t.Fatalf("empty page: %d\n%s", p.Status, p.Body)
	}

	p = b.upload("eurofxref-daily.xml", testdata(t, "ecb-eurofxref-daily.xml"))
	if p.Status != http.StatusSeeOther || p.Location != "/rates" {
		t.Fatalf("import: %d %s\n%s", p.Status, p.Location, p.Body)
	}
	p = b.get("/rates")
	if !strings.Contains(p.Body, "eurofxref-daily.xml: 5 new rates, 0 already stored, 0 replaced and 0 skipped.") {
		t.Errorf("no import summary:\n%s", p.Body)
	}
	// English shows the rate with a decimal point, trimmed to four decimals at least.
	if !strings.Contains(p.Body, "<td>2025-05-09</td><td>USD</td><td class=\"rate\">10.373711</td>") ||
		!strings.Contains(p.Body, "<td class=\"rate\">11.6725</td>") {
		t.Errorf("rates not listed:\n%s", p.Body)
	}

	p = b.upload("eurofxref-daily.xml", testdata(t, "ecb-eurofxref-daily.xml"))
	if p = b.get("/rates"); !strings.Contains(p.Body, "0 new rates, 5 already stored") {
		t.Errorf("second import:\n%s", p.Body)
	}

	// A bad file stays on the page with the line and field of each problem.
	bad := strings.Replace(string(testdata(t, "norges-bank-EXR-A-SEK-NOK-no.csv")), "95,03", "95,O3", 1)
	bad = strings.Replace(bad, ";NOK;Norske kroner;SP;Spot;2;false;2;Hundre;A;Gjennomsnitt av observasjoner gjennom perioden;2021", ";EUR;Euro;SP;Spot;2;false;2;Hundre;A;Gjennomsnitt av observasjoner gjennom perioden;2021", 1)
	p = b.upload("exchange_rates.csv", []byte(bad))
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="import-refused"`) ||
		!strings.Contains(p.Body, "exchange_rates.csv was not imported") ||
		!strings.Contains(p.Body, "Line 2, QUOTE_CUR: the rate is quoted in EUR.") ||
		!strings.Contains(p.Body, "Line 3, OBS_VALUE: “95,O3” is not an exchange rate.") {
		t.Errorf("bad file: %d\n%s", p.Status, p.Body)
	}

	// A file that disagrees with what is stored lists each difference.
	changed := strings.Replace(string(testdata(t, "ecb-eurofxref-daily.xml")), "rate='1.1252'", "rate='1.1253'", 1)
	p = b.upload("edited.xml", []byte(changed))
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Published rates do not change") ||
		!strings.Contains(p.Body, "USD on 2025-05-09 (ECB): the file says 10.372789, Samla has 10.373711.") {
		t.Errorf("conflict: %d\n%s", p.Status, p.Body)
	}

	if p = b.upload("", nil); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Choose a file to import.") {
		t.Errorf("no file: %d\n%s", p.Status, p.Body)
	}
	if p = b.upload("notes.txt", []byte("hello\n")); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "neither a Norges Bank CSV export") {
		t.Errorf("unknown file: %d\n%s", p.Status, p.Body)
	}
	es, _ := audit.List(context.Background(), s.svc.DB, audit.Query{Entity: "exchange_rate_import"})
	if len(es) != 2 || es[0].Actor != "admin@example.no" {
		t.Errorf("audit: %+v", es)
	}
}

func TestManualEntryAndFilter(t *testing.T) {
	s := newSite(t)
	s.user("staff@example.no", auth.RoleStaff)
	b := s.browser("staff@example.no")
	b.upload("eurofxref.csv", testdata(t, "ecb-eurofxref.csv"))

	p := b.post("/rates", url.Values{"currency": {"NOK"}, "date": {"30.02.2025"}, "rate": {"ti"}, "note": {""}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "The form was not saved") {
		t.Fatalf("invalid manual rate: %d\n%s", p.Status, p.Body)
	}
	for _, field := range []string{"currency", "date", "rate", "note"} {
		if !strings.Contains(p.Body, `data-field="`+field+`"`) {
			t.Errorf("no inline error for %s", field)
		}
	}
	if !strings.Contains(p.Body, `value="30.02.2025"`) || !strings.Contains(p.Body, `value="ti"`) {
		t.Errorf("typed values lost:\n%s", p.Body)
	}

	p = b.post("/rates", url.Values{"currency": {"USD"}, "date": {"2018-01-25"}, "rate": {"7,75"}, "note": {"Faktura 118"}})
	if p.Status != http.StatusSeeOther || p.Location != "/rates?currency=USD" {
		t.Fatalf("manual rate: %d %s\n%s", p.Status, p.Location, p.Body)
	}
	p = b.get(p.Location)
	if !strings.Contains(p.Body, "The rate for USD on 2018-01-25 has been saved.") {
		t.Errorf("no flash:\n%s", p.Body)
	}
	// Filtered to USD: the manual rate first (it wins on its day), then the ECB's; no other currency.
	if !inOrder(p.Body, `<td class="rate">7.7500</td>`, "Manual", "Faktura 118", `<td class="rate">7.726122</td>`, "ECB") ||
		strings.Contains(p.Body, "<td>SEK</td>") {
		t.Errorf("USD list:\n%s", p.Body)
	}
	p = b.post("/rates", url.Values{"currency": {"USD"}, "date": {"2018-01-25"}, "rate": {"7,80"}, "note": {"igjen"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "A manual rate for USD on 2018-01-25 is already stored (7.7500).") {
		t.Errorf("second manual rate: %d\n%s", p.Status, p.Body)
	}

	rows, _ := s.svc.List(context.Background(), rates.ListFilter{Source: rates.SourceManual})
	if len(rows) != 1 {
		t.Fatalf("%d manual rows", len(rows))
	}
	// Only manual rates can be deleted.
	bank, _ := s.svc.List(context.Background(), rates.ListFilter{Source: rates.SourceECB})
	if p = b.post("/rates/"+itoa(bank[0].ID)+"/delete", nil); p.Status != http.StatusNotFound {
		t.Errorf("deleting a bank rate: %d", p.Status)
	}
	if p = b.post("/rates/"+itoa(rows[0].ID)+"/delete", nil); p.Status != http.StatusSeeOther {
		t.Errorf("delete: %d", p.Status)
	}
	if p = b.get("/rates?currency=USD"); strings.Contains(p.Body, "Faktura 118") || !strings.Contains(p.Body, "The manual rate has been deleted.") {
		t.Errorf("after delete:\n%s", p.Body)
	}
}

func TestNorwegianPage(t *testing.T) {
	s := newSite(t)
	s.user("admin@example.no", auth.RoleAdmin)
	b := s.browser("admin@example.no")
	u, _ := url.Parse(b.base)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "samla_lang", Value: "nb"}}) // the language chooser's cookie wins over Accept-Language
	data := testdata(t, "norges-bank-EXR-A-SEK-NOK-no.csv")
	b.upload("exchange_rates.csv", data)
	// 100,19 per 100 SEK, with a decimal comma, dated the year's last day.
	if p := b.get("/rates"); !inOrder(p.Body, "Valutakurser", "exchange_rates.csv: 2 nye kurser",
		"<td>2021-12-31</td><td>SEK</td><td class=\"rate\">1,0019</td>", "<td>Årssnitt</td><td>Norges Bank</td>") {
		t.Errorf("Bokmål page:\n%s", p.Body)
	}
	p := b.upload("exchange_rates.csv", []byte(strings.Replace(string(data), "95,03", "95,13", 1)))
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "SEK 2022-12-31 (Norges Bank): filen sier 0,9513, Samla har 0,9503.") {
		t.Errorf("Bokmål conflict:\n%s", p.Body)
	}
}

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

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
