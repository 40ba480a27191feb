package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/server"
	"github.com/samla-org/samla/internal/server/servertest"
)

const password = "long enough password"

// site is the real application served over HTTP on a fresh database.
type site struct {
	t   *testing.T
	srv *httptest.Server
	svc *server.Services
}

func newSite(t *testing.T) *site {
	t.Helper()
	srv, s := servertest.Start(t, nil)
	return &site{t: t, srv: srv, svc: s}
}

// user creates a user who logs in with password.
func (s *site) user(email string, role auth.Role) *auth.User {
	s.t.Helper()
	n := auth.NewUser{Email: email, Name: "User " + email, Password: password, Role: role}
	if role == auth.RoleVendor {
		// A vendor contact belongs to a vendor; one that supplies nothing yet.
		var id int64
		err := s.svc.DB.NewRaw("INSERT INTO vendors (name, created_at, updated_at) VALUES (?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) RETURNING id", email).Scan(context.Background(), &id)
		if err != nil {
			s.t.Fatalf("create vendor: %v", err)
		}
		n.VendorID = &id
	}
	u, err := s.svc.Users.Create(context.Background(), auth.System, n)
	if err != nil {
		s.t.Fatal(err)
	}
	return u
}

// library creates a library directly through the domain service.
func (s *site) library(name string) *members.Library {
	s.t.Helper()
	l, _, err := s.svc.Members.Create(context.Background(), auth.System, members.LibraryInput{Name: name, Type: "public", MunicipalityNumber: "0301"})
	if err != nil {
		s.t.Fatal(err)
	}
	return l
}

func (s *site) count() int {
	s.t.Helper()
	_, n, err := s.svc.Members.List(context.Background(), auth.System, members.Filter{})
	if err != nil {
		s.t.Fatal(err)
	}
	return n
}

// browser is a client with a cookie jar that does not follow redirects, so
// tests see each 303.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func (s *site) browser() *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		s.t.Fatal(err)
	}
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &browser{t: s.t, base: s.srv.URL, c: c}
}

type page struct {
	Status   int
	Location string
	Header   http.Header
	Body     string
}

func (b *browser) do(method, path string, form url.Values, header map[string]string) page {
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
	data, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return page{Status: res.StatusCode, Location: res.Header.Get("Location"), Header: res.Header, Body: string(data)}
}

func (b *browser) get(path string, header map[string]string) page {
	return b.do("GET", path, nil, header)
}

func (b *browser) post(path string, form url.Values) page { return b.do("POST", path, form, nil) }

// login signs in and fails the test unless it worked.
func (b *browser) login(email string) {
	b.t.Helper()
	p := b.post("/login", url.Values{"email": {email}, "password": {password}})
	if p.Status != http.StatusSeeOther {
		b.t.Fatalf("login as %s: status %d", email, p.Status)
	}
}
