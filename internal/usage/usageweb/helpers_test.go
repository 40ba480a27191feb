package usageweb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/db/dbtest"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/server"
	"github.com/samla-org/samla/internal/usage"
	"github.com/samla-org/samla/internal/usage/usageweb"
	"github.com/samla-org/samla/internal/web"
)

const password = "long enough password"

// setup is the actor that seeds the world through the services.
var setup = auth.Actor{Name: "Setup", Role: auth.RoleAdmin}

// site is the application's services and the shared web parts over real
// HTTP on a fresh database, with the usage pages registered as the
// server registers them, and two libraries. The clock stands in April
// 2024, so March is "last month".
type site struct {
	t      *testing.T
	ctx    context.Context
	base   string
	svc    *server.Services
	usage  *usage.Service
	libA   *members.Library
	libB   *members.Library
	loginN int
}

func newSite(t *testing.T) *site {
	t.Helper()
	d := dbtest.Open(t)
	svc, err := server.NewServices(d)
	if err != nil {
		t.Fatal(err)
	}
	svc.Usage.Now = func() time.Time { return time.Date(2024, 4, 10, 8, 0, 0, 0, time.UTC) }
	log := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	app, err := web.New(d, svc.Users, svc.Catalog, log)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	if err := app.Routes(mux); err != nil {
		t.Fatal(err)
	}
	if err := usageweb.Register(mux, app, usageweb.Deps{Usage: svc.Usage, Members: svc.Members, Products: svc.Products}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler(mux))
	t.Cleanup(srv.Close)
	s := &site{t: t, ctx: context.Background(), base: srv.URL, svc: svc, usage: svc.Usage}
	s.libA = s.library("Bibliotek A", "4601", "NO-0000001")
	s.libB = s.library("Bibliotek B", "0301", "NO-0000002")
	return s
}

func (s *site) library(name, municipality, isil string) *members.Library {
	s.t.Helper()
	l, _, err := s.svc.Members.Create(s.ctx, auth.System, members.LibraryInput{Name: name, Type: "public", MunicipalityNumber: municipality, ISIL: isil})
	if err != nil {
		s.t.Fatalf("library %s: %v", name, err)
	}
	return l
}

// testLog shows the application's log with a failing test's output.
type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// prReport is a minimal COUNTER R5.1 platform report: counts by metric
// and month ("2024-03") on one platform.
func prReport(platform string, counts map[string]map[string]int64) []byte {
	months := map[string]bool{}
	for _, byMonth := range counts {
		for m := range byMonth {
			months[m] = true
		}
	}
	var ms []string
	for m := range months {
		ms = append(ms, m)
	}
	sort.Strings(ms)
	end, _ := time.Parse("2006-01", ms[len(ms)-1])
	rep := map[string]any{
		"Report_Header": map[string]any{"Release": "5.1", "Report_ID": "PR", "Report_Name": "Platform Report", "Created": "2024-04-02T09:00:00Z",
			"Created_By": "Test vendor", "Institution_Name": "Test", "Institution_ID": map[string]any{"ISNI": []string{"1234123412341234"}},
			"Report_Filters": map[string]any{"Begin_Date": ms[0] + "-01", "End_Date": end.AddDate(0, 1, -1).Format("2006-01-02")}},
		"Report_Items": []any{map[string]any{"Platform": platform, "Attribute_Performance": []any{
			map[string]any{"Data_Type": "Article", "Access_Method": "Regular", "Performance": counts}}}},
	}
	b, _ := json.Marshal(rep)
	return b
}

// trReport is a minimal R5.1 title report: one title's requests by month.
func trReport(platform, title string, requests map[string]int64) []byte {
	rep := map[string]any{
		"Report_Header": map[string]any{"Release": "5.1", "Report_ID": "TR", "Report_Name": "Title Report", "Created": "2024-04-02T09:00:00Z",
			"Created_By": "Test vendor", "Institution_Name": "Test", "Institution_ID": map[string]any{"ISNI": []string{"1234123412341234"}},
			"Report_Filters": map[string]any{"Begin_Date": "2024-01-01", "End_Date": "2024-03-31"}},
		"Report_Items": []any{map[string]any{"Title": title, "Publisher": "Forlaget", "Platform": platform,
			"Item_ID": map[string]any{"Proprietary": "T:" + title}, "Attribute_Performance": []any{
				map[string]any{"Data_Type": "Book", "YOP": "2020", "Access_Type": "Controlled", "Access_Method": "Regular",
					"Performance": map[string]any{"Total_Item_Requests": requests}}}}},
	}
	b, _ := json.Marshal(rep)
	return b
}

// noUsageReport is a vendor's "no usage" (3030) for the months given.
func noUsageReport(begin, end string) []byte {
	return []byte(fmt.Sprintf(`{"Report_Header":{"Release":"5.1","Report_ID":"PR","Report_Name":"Platform Report","Created":"2024-04-02T09:00:00Z",
"Created_By":"Test vendor","Institution_Name":"Test","Report_Filters":{"Begin_Date":%q,"End_Date":%q},
"Exceptions":[{"Code":3030,"Severity":"Error","Message":"No Usage Available for Requested Dates"}]},"Report_Items":[]}`, begin, end))
}

func (s *site) importReport(lib int64, platform, name string, data []byte) *usage.ImportResult {
	s.t.Helper()
	res, err := s.usage.Import(s.ctx, setup, usage.ImportInput{LibraryID: lib, Platform: platform, FileName: name, Keep: data}, bytes.NewReader(data))
	if err != nil {
		s.t.Fatalf("import %s: %v", name, err)
	}
	return res
}

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

func (s *site) staff() *browser {
	s.loginN++
	return s.login(s.user(fmt.Sprintf("staff%d@konsortium.test", s.loginN), auth.RoleStaff, nil))
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

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	p := page{Status: res.StatusCode, Location: res.Header.Get("Location"), Header: res.Header, Body: string(data)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") && (strings.Contains(p.Body, " style=") || strings.Contains(p.Body, "<script>")) {
		b.t.Errorf("%s %s: inline style or script (the CSP forbids them)", req.Method, req.URL)
	}
	return p
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, err := http.NewRequest("GET", b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	req, err := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// upload posts files (name → content) with the form's other fields.
func (b *browser) upload(path string, fields url.Values, files map[string][]byte) page {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, err := mw.CreateFormFile("files", n)
		if err != nil {
			b.t.Fatal(err)
		}
		_, _ = w.Write(files[n])
	}
	_ = mw.Close()
	req, err := http.NewRequest("POST", b.base+path, &body)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
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

func usageQuery(from, to string) usage.Query { return usage.Query{From: from, To: to} }
