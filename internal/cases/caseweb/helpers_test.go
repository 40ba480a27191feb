package caseweb_test

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

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/cases"
	"github.com/samla-org/samla/internal/db/dbtest"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/server"
)

const password = "long enough password"

// setup is the actor that seeds the world through the services.
var setup = auth.Actor{Name: "Setup", Role: auth.RoleAdmin}

// site is the whole application over real HTTP on a fresh database, with
// the case desk's address set and one library.
type site struct {
	t      *testing.T
	ctx    context.Context
	base   string
	svc    *server.Services
	cases  *cases.Service
	bergen *members.Library
}

func newSite(t *testing.T) *site {
	t.Helper()
	d := dbtest.Open(t)
	svc, err := server.NewServices(d)
	if err != nil {
		t.Fatal(err)
	}
	svc.Cases.Address = "Konsortiet <post@konsortium.test>"
	h, err := server.Handler(svc, t.TempDir(), slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	s := &site{t: t, ctx: context.Background(), base: srv.URL, svc: svc, cases: svc.Cases}
	l, ps, err := svc.Members.Create(s.ctx, auth.System, members.LibraryInput{Name: "Bergen offentlige bibliotek", Type: "public",
		MunicipalityNumber: "4601", OrgNumber: "974521806"})
	if err != nil || len(ps) > 0 {
		t.Fatalf("library: %v %v", err, ps)
	}
	s.bergen = l
	return s
}

// testLog shows the application's log with a failing test's output.
type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// mail ingests a raw mail (LF line ends become CRLF) and returns its case.
func (s *site) mail(raw string) *cases.Ingested {
	s.t.Helper()
	in, err := s.cases.Ingest(s.ctx, cases.Incoming{Raw: []byte(strings.ReplaceAll(raw, "\n", "\r\n")), Source: "import"})
	if err != nil {
		s.t.Fatalf("ingest: %v", err)
	}
	return in
}

// update changes a case through the service.
func (s *site) update(id int64, set func(*cases.CaseInput)) {
	s.t.Helper()
	c, err := s.cases.Case(s.ctx, setup, id)
	if err != nil {
		s.t.Fatal(err)
	}
	in := cases.InputFrom(c)
	set(&in)
	if _, err := s.cases.Update(s.ctx, setup, id, in); err != nil {
		s.t.Fatalf("update case %d: %v", id, err)
	}
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

func (s *site) staff() *browser { return s.login(s.user("staff@konsortium.test", auth.RoleStaff, nil)) }

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

func (b *browser) send(method, path string, form url.Values, header map[string]string) page {
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
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	p := page{Status: res.StatusCode, Location: res.Header.Get("Location"), Header: res.Header, Body: string(data)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") && (strings.Contains(p.Body, " style=") || strings.Contains(p.Body, "<script>")) {
		b.t.Errorf("%s %s: inline style or script (the CSP forbids them)", method, path)
	}
	return p
}

func (b *browser) get(path string) page {
	b.t.Helper()
	return b.send("GET", path, nil, nil)
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	return b.send("POST", path, form, nil)
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
