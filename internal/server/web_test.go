package server_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/auth"
)

// upload posts a file to the import form as a browser does.
func (b *browser) upload(name string, data []byte) page {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		b.t.Fatal(err)
	}
	_, _ = fw.Write(data)
	if err := mw.Close(); err != nil {
		b.t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", b.base+"/import", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	var out bytes.Buffer
	_, _ = out.ReadFrom(res.Body)
	return page{Status: res.StatusCode, Location: res.Header.Get("Location"), Header: res.Header, Body: out.String()}
}

var tokenField = regexp.MustCompile(`name="token" value="([0-9a-f]{32})"`)

func TestImportPreviewThenApply(t *testing.T) {
	s := newSite(t)
	s.user("staff@example.org", auth.RoleStaff)
	b := s.browser()
	b.login("staff@example.org")
	bad := []byte("navn;type;kommune;orgnr\r\nHamar bibliotek;folkebibliotek;Hamar;\r\nFeil bibliotek;folkebibliotek;Oslo;988077918\r\n")
	good := bytes.Replace(bad, []byte("988077918"), []byte("988077917"), 1)

	p := b.upload("medlemmer.csv", bad)
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Feil bibliotek") || tokenField.MatchString(p.Body) {
		t.Errorf("preview of a bad file: %d; want 422 naming the row and no apply button", p.Status)
	}
	p = b.upload("medlemmer.csv", good)
	m := tokenField.FindStringSubmatch(p.Body)
	if p.Status != http.StatusOK || m == nil {
		t.Fatalf("preview of a good file: %d, apply token found: %v", p.Status, m != nil)
	}
	if !strings.Contains(p.Body, "2 nye, 0 endret, 0 uendret, 0 avvist") {
		t.Errorf("preview summary missing")
	}
	if n := s.count(); n != 0 {
		t.Fatalf("the preview stored %d libraries", n)
	}
	p = b.post("/import/apply", url.Values{"token": {m[1]}})
	if p.Status != http.StatusSeeOther || p.Location != "/libraries" {
		t.Fatalf("apply: %d %q", p.Status, p.Location)
	}
	if n := s.count(); n != 2 {
		t.Errorf("%d libraries after apply, want 2", n)
	}
	list := b.get("/libraries", nil)
	if !strings.Contains(list.Body, "2 nye, 0 endret, 0 uendret") || !strings.Contains(list.Body, "Hamar bibliotek") {
		t.Errorf("the list after the import does not show the result")
	}
	expired := s.svc.Catalog.T("nb", "import.expired", nil)
	for _, token := range []string{m[1], "../../../../etc/passwd", ""} {
		p = b.post("/import/apply", url.Values{"token": {token}})
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, expired) {
			t.Errorf("apply with token %q: %d; want 422 saying the preview expired", token, p.Status)
		}
	}
	if n := s.count(); n != 2 {
		t.Errorf("%d libraries after re-applying, want 2", n)
	}
}

func TestPagesFollowRoles(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	mine, other := s.library("Deichman Oslo"), s.library("Deichman Grünerløkka")
	if _, err := s.svc.Users.Create(ctx, auth.System, auth.NewUser{Email: "lib@example.org", Name: "Lib", Password: password, Role: auth.RoleLibrary, LibraryID: &mine.ID}); err != nil {
		t.Fatal(err)
	}
	s.user("staff@example.org", auth.RoleStaff)
	tests := []struct {
		email, method, path string
		want                int
	}{
		{"lib@example.org", "GET", fmt.Sprintf("/libraries/%d", mine.ID), http.StatusOK},
		{"lib@example.org", "GET", fmt.Sprintf("/libraries/%d/edit", mine.ID), http.StatusOK},
		{"lib@example.org", "GET", fmt.Sprintf("/libraries/%d", other.ID), http.StatusNotFound},
		{"lib@example.org", "GET", fmt.Sprintf("/libraries/%d/edit", other.ID), http.StatusNotFound},
		{"lib@example.org", "POST", fmt.Sprintf("/libraries/%d", other.ID), http.StatusNotFound},
		{"lib@example.org", "GET", "/libraries/new", http.StatusForbidden},
		{"lib@example.org", "GET", "/import", http.StatusForbidden},
		{"lib@example.org", "GET", "/shared-addresses", http.StatusForbidden},
		{"lib@example.org", "POST", fmt.Sprintf("/libraries/%d/delete", mine.ID), http.StatusForbidden},
		{"staff@example.org", "POST", fmt.Sprintf("/libraries/%d/delete", mine.ID), http.StatusForbidden},
		{"staff@example.org", "GET", "/libraries/999999", http.StatusNotFound},
		{"staff@example.org", "GET", "/import", http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.email+" "+tc.method+" "+tc.path, func(t *testing.T) {
			b := s.browser()
			b.login(tc.email)
			var form url.Values
			if tc.method == "POST" {
				form = url.Values{"name": {"Taken over"}, "type": {"public"}, "version": {"1"}}
			}
			if p := b.do(tc.method, tc.path, form, nil); p.Status != tc.want {
				t.Errorf("status %d, want %d", p.Status, tc.want)
			}
		})
	}
	b := s.browser()
	b.login("lib@example.org")
	list := b.get("/libraries", nil)
	if !strings.Contains(list.Body, "Deichman Oslo") || strings.Contains(list.Body, "Deichman Grünerløkka") {
		t.Errorf("a library contact's list shows other libraries or not their own")
	}
	if n := s.count(); n != 2 {
		t.Errorf("%d libraries, want both kept", n)
	}
	if l, _ := s.svc.Members.Get(ctx, auth.System, other.ID); l.Name != "Deichman Grünerløkka" {
		t.Errorf("another library was renamed to %q", l.Name)
	}
}

func TestSessions(t *testing.T) {
	s := newSite(t)
	s.user("staff@example.org", auth.RoleStaff)
	b := s.browser()
	base, _ := url.Parse(s.srv.URL)
	// A session token planted before login must not become the logged-in session.
	planted := &http.Cookie{Name: "samla_session", Value: "planted-by-an-attacker", Path: "/"}
	b.c.Jar.SetCookies(base, []*http.Cookie{planted})
	b.login("staff@example.org")
	var session string
	for _, c := range b.c.Jar.Cookies(base) {
		if c.Name == "samla_session" {
			session = c.Value
		}
	}
	if session == "" || session == planted.Value {
		t.Fatalf("session cookie after login %q: want a new token", session)
	}
	// The cookie works from another client, until logout destroys the session on the server.
	thief := s.browser()
	thief.c.Jar.SetCookies(base, []*http.Cookie{{Name: "samla_session", Value: session, Path: "/"}})
	if p := thief.get("/libraries", nil); p.Status != http.StatusOK {
		t.Fatalf("session cookie in another client: %d", p.Status)
	}
	b.post("/logout", url.Values{})
	if p := thief.get("/libraries", nil); p.Status != http.StatusSeeOther {
		t.Errorf("the session still works after logout: %d", p.Status)
	}
}
