// Package webtest drives the web pages over real HTTP the way a person's
// browser does, for the web packages' tests: it logs in through the real
// login form, keeps cookies, posts forms and does not follow redirects, so
// a test sees every 303 and where it points. Each package keeps its own
// seeding (users' libraries, products, invoices …) in its own helpers.
package webtest

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
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/i18n"
	"github.com/samla-org/samla/internal/web"
)

// Password is every test user's password.
const Password = "long enough password"

// User creates a user named after the local part of email ("Kari kari")
// who logs in with Password; set, when not nil, adjusts it first.
func User(t testing.TB, users *auth.Service, email string, role auth.Role, set func(*auth.NewUser)) *auth.User {
	t.Helper()
	n := auth.NewUser{Email: email, Name: "Kari " + strings.Split(email, "@")[0], Password: Password, Role: role}
	if set != nil {
		set(&n)
	}
	u, err := users.Create(context.Background(), auth.System, n)
	if err != nil {
		t.Fatalf("user %s: %v", email, err)
	}
	return u
}

// Log is a logger that shows the application's warnings and errors with a
// failing test's output.
func Log(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testLog struct{ t testing.TB }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// Serve serves the shared web parts (login, layout) and what register adds
// to the mux, as the server wires them, over real HTTP until the test ends,
// and returns the server's base URL.
func Serve(t testing.TB, d *db.DB, users *auth.Service, cat *i18n.Catalog, register func(*http.ServeMux, *web.App) error) string {
	t.Helper()
	app, err := web.New(d, users, cat, Log(t))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	if err := app.Routes(mux); err != nil {
		t.Fatal(err)
	}
	if err := register(mux, app); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler(mux))
	t.Cleanup(srv.Close)
	return srv.URL
}

// Browser keeps cookies and does not follow redirects.
type Browser struct {
	t      testing.TB
	base   string
	client *http.Client
}

// NewBrowser is a browser on the site at base that has not logged in.
func NewBrowser(t testing.TB, base string) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{t: t, base: base, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Login is a browser that has logged in as email with Password through the
// login form.
func Login(t testing.TB, base, email string) *Browser {
	t.Helper()
	b := NewBrowser(t, base)
	if p := b.Post("/login", url.Values{"email": {email}, "password": {Password}}); p.Status != http.StatusSeeOther {
		t.Fatalf("login as %s: status %d", email, p.Status)
	}
	return b
}

// Page is a response as the tests look at it.
type Page struct {
	Status   int
	Location string
	Header   http.Header
	Body     string
}

// Do sends req and reads the whole answer. An HTML page with an inline
// style or script fails the test: the CSP forbids them, so a browser would
// not apply them.
func (b *Browser) Do(req *http.Request) Page {
	b.t.Helper()
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL.RequestURI(), err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	p := Page{Status: res.StatusCode, Location: res.Header.Get("Location"), Header: res.Header, Body: string(data)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") && (strings.Contains(p.Body, " style=") || strings.Contains(p.Body, "<script>")) {
		b.t.Errorf("%s %s: inline style or script (the CSP forbids them)", req.Method, req.URL.RequestURI())
	}
	return p
}

// Send sends a request with a body of the content type ctype (none when
// ctype is empty) and header given as name, value pairs.
func (b *Browser) Send(method, path, ctype string, body io.Reader, header ...string) Page {
	b.t.Helper()
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.Do(req)
}

// Get fetches path; header is name, value pairs such as "HX-Request", "true".
func (b *Browser) Get(path string, header ...string) Page {
	b.t.Helper()
	return b.Send("GET", path, "", nil, header...)
}

// Post submits form to path as a form does; header is name, value pairs.
func (b *Browser) Post(path string, form url.Values, header ...string) Page {
	b.t.Helper()
	return b.Send("POST", path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()), header...)
}

// File is a file chosen in a form's file field.
type File struct {
	Field, Name string
	Data        []byte
}

// PostFiles submits a multipart form: the fields, then the files in order.
func (b *Browser) PostFiles(path string, fields url.Values, files ...File) Page {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		w, err := mw.CreateFormFile(f.Field, f.Name)
		if err != nil {
			b.t.Fatal(err)
		}
		_, _ = w.Write(f.Data)
	}
	_ = mw.Close()
	return b.Send("POST", path, mw.FormDataContentType(), &body)
}

// Want fails unless the page has the status and every snippet.
func (p Page) Want(t testing.TB, what string, status int, snippets ...string) Page {
	t.Helper()
	if p.Status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, p.Status, status, Excerpt(p.Body))
	}
	for _, s := range snippets {
		if !strings.Contains(p.Body, s) {
			t.Errorf("%s: page lacks %q\n%s", what, s, Excerpt(p.Body))
		}
	}
	return p
}

// Lacks fails if the page has any of the snippets.
func (p Page) Lacks(t testing.TB, what string, snippets ...string) {
	t.Helper()
	for _, s := range snippets {
		if strings.Contains(p.Body, s) {
			t.Errorf("%s: page has %q\n%s", what, s, Excerpt(p.Body))
		}
	}
}

// Redirected fails unless the page is a 303 to a location starting with
// prefix, and returns the location.
func (p Page) Redirected(t testing.TB, what, prefix string) string {
	t.Helper()
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, prefix) {
		t.Fatalf("%s: %d → %q, want 303 → %s…\n%s", what, p.Status, p.Location, prefix, Excerpt(p.Body))
	}
	return p.Location
}

// Section is the element with id, up to its closing tag (elements of the
// same name are not nested where the tests look), or "" when there is none.
func (p Page) Section(id string) string {
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

// Excerpt is the page from its main element on, cut short, for a failure
// message.
func Excerpt(body string) string {
	if i := strings.Index(body, "<main>"); i >= 0 {
		body = body[i:]
	}
	if len(body) > 6000 {
		body = body[:6000] + " …"
	}
	return body
}
