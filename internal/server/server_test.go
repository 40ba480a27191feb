package server_test

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/members"
)

func TestHealthz(t *testing.T) {
	s := newSite(t)
	p := s.browser().get("/healthz", nil)
	if p.Status != http.StatusOK || strings.TrimSpace(p.Body) != "ok" {
		t.Errorf("healthz: %d %q", p.Status, p.Body)
	}
}

func TestAnonymousVisitorsAreSentToLogin(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	tests := []struct {
		path, want string
	}{
		{"/libraries", "/login?next=%2Flibraries"},
		{"/libraries/new", "/login?next=%2Flibraries%2Fnew"},
		{"/libraries?q=oslo&type=public", "/login?next=%2Flibraries%3Fq%3Doslo%26type%3Dpublic"},
		{"/account", "/login?next=%2Faccount"},
		{"/users", "/login?next=%2Fusers"},
		{"/", "/login?next=%2F"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			p := b.get(tc.path, nil)
			if p.Status != http.StatusSeeOther || p.Location != tc.want {
				t.Errorf("status %d location %q, want 303 to %q", p.Status, p.Location, tc.want)
			}
		})
	}
	// htmx requests get a 401 with HX-Redirect instead of a redirect htmx would follow.
	p := b.get("/libraries", map[string]string{"HX-Request": "true"})
	if p.Status != http.StatusUnauthorized || p.Header.Get("HX-Redirect") != "/login" {
		t.Errorf("htmx request: %d HX-Redirect %q", p.Status, p.Header.Get("HX-Redirect"))
	}
}

func TestLogin(t *testing.T) {
	s := newSite(t)
	s.user("admin@example.org", auth.RoleAdmin)
	lib := s.library("Deichman Grünerløkka")
	tests := []struct {
		name, email, password, next string
		want                        int
		location                    string
	}{
		{"wrong password", "admin@example.org", "wrong password!", "", http.StatusUnauthorized, ""},
		{"unknown user", "nobody@example.org", password, "", http.StatusUnauthorized, ""},
		{"right password", "admin@example.org", password, "", http.StatusSeeOther, "/libraries"},
		{"e-mail in other case", " ADMIN@example.org", password, "", http.StatusSeeOther, "/libraries"},
		{"back to where they were", "admin@example.org", password, "/libraries/new", http.StatusSeeOther, "/libraries/new"},
		{"no open redirect (//)", "admin@example.org", password, "//evil.example/x", http.StatusSeeOther, "/libraries"},
		{"no open redirect (absolute)", "admin@example.org", password, "https://evil.example/x", http.StatusSeeOther, "/libraries"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := s.browser()
			form := url.Values{"email": {tc.email}, "password": {tc.password}}
			if tc.next != "" {
				form.Set("next", tc.next)
			}
			p := b.post("/login", form)
			if p.Status != tc.want || p.Location != tc.location {
				t.Fatalf("status %d location %q, want %d %q", p.Status, p.Location, tc.want, tc.location)
			}
			if tc.want == http.StatusUnauthorized {
				if !strings.Contains(p.Body, "Feil e-postadresse eller passord.") {
					t.Errorf("login page does not say the credentials were wrong")
				}
				if p := b.get("/libraries", nil); p.Status != http.StatusSeeOther {
					t.Errorf("after a failed login /libraries gives %d, want 303 to login", p.Status)
				}
				return
			}
			p = b.get("/libraries", nil)
			if p.Status != http.StatusOK || !strings.Contains(p.Body, lib.Name) {
				t.Errorf("library list after login: %d, contains %q: %v", p.Status, lib.Name, strings.Contains(p.Body, lib.Name))
			}
			if p := b.post("/logout", url.Values{}); p.Status != http.StatusSeeOther || p.Location != "/login" {
				t.Errorf("logout: %d %q", p.Status, p.Location)
			}
			if p := b.get("/libraries", nil); p.Status != http.StatusSeeOther {
				t.Errorf("after logout /libraries gives %d, want 303 to login", p.Status)
			}
		})
	}
}

func TestCrossOriginFormPostsAreRefused(t *testing.T) {
	s := newSite(t)
	s.user("admin@example.org", auth.RoleAdmin)
	b := s.browser()
	b.login("admin@example.org")
	tests := []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"cross-site", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"}, http.StatusForbidden},
		{"foreign origin only", map[string]string{"Origin": "http://evil.example"}, http.StatusForbidden},
		{"same-site is not same-origin", map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"same-origin", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": s.srv.URL}, http.StatusSeeOther},
		{"own origin only", map[string]string{"Origin": s.srv.URL}, http.StatusSeeOther},
		{"no browser headers", nil, http.StatusSeeOther},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := s.count()
			form := url.Values{"name": {fmt.Sprintf("Bibliotek %d", i)}, "type": {"public"}, "country": {"NO"}, "municipality_number": {"0301"}}
			p := b.do("POST", "/libraries", form, tc.header)
			if p.Status != tc.want {
				t.Fatalf("status %d, want %d", p.Status, tc.want)
			}
			after := s.count()
			if tc.want == http.StatusForbidden {
				if after != before {
					t.Errorf("a refused post created a library (%d → %d)", before, after)
				}
				if !strings.Contains(p.Body, "Skjemaet ble sendt fra en annen nettside") {
					t.Errorf("403 body does not explain: %q", p.Body)
				}
				return
			}
			if after != before+1 || !strings.HasPrefix(p.Location, "/libraries/") {
				t.Errorf("same-origin post: %d → %d libraries, location %q", before, after, p.Location)
			}
		})
	}
}

func TestUsersPageIsForAdmins(t *testing.T) {
	s := newSite(t)
	tests := []struct {
		role auth.Role
		want int
	}{
		{auth.RoleAdmin, http.StatusOK},
		{auth.RoleStaff, http.StatusForbidden},
		{auth.RoleLibrary, http.StatusForbidden},
		{auth.RoleVendor, http.StatusForbidden},
	}
	for _, tc := range tests {
		t.Run(string(tc.role), func(t *testing.T) {
			email := string(tc.role) + "@example.org"
			s.user(email, tc.role)
			b := s.browser()
			b.login(email)
			if p := b.get("/users", nil); p.Status != tc.want {
				t.Errorf("GET /users: %d, want %d", p.Status, tc.want)
			}
			form := url.Values{"email": {"new-" + email}, "name": {"New"}, "password": {password}, "role": {"admin"}}
			p := b.post("/users", form)
			created := p.Status == http.StatusSeeOther
			if created != (tc.want == http.StatusOK) {
				t.Errorf("POST /users: %d", p.Status)
			}
		})
	}
}

func TestLanguageChoice(t *testing.T) {
	s := newSite(t)
	s.user("staff@example.org", auth.RoleStaff)
	b := s.browser()
	b.login("staff@example.org")
	tests := []struct{ lang, label string }{
		{"sv", "Namn"},
		{"en", "Name"},
		{"nb", "Navn"},
		{"xx", "Navn"}, // unknown: the default
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			p := b.post("/language", url.Values{"lang": {tc.lang}, "next": {"/libraries/new"}})
			if p.Status != http.StatusSeeOther || p.Location != "/libraries/new" {
				t.Fatalf("POST /language: %d %q", p.Status, p.Location)
			}
			p = b.get("/libraries/new", nil)
			want := `<label for="f-name">` + tc.label + `</label>`
			if p.Status != http.StatusOK || !strings.Contains(p.Body, want) {
				t.Errorf("new library form: %d, want it to contain %s", p.Status, want)
			}
		})
	}
	// The choice follows the user to a new browser.
	b.post("/language", url.Values{"lang": {"sv"}})
	other := s.browser()
	other.login("staff@example.org")
	if p := other.get("/libraries/new", nil); !strings.Contains(p.Body, `<label for="f-name">Namn</label>`) {
		t.Errorf("the stored language did not follow the user to a new session")
	}
}

func TestLoginPageLanguage(t *testing.T) {
	s := newSite(t)
	tests := []struct {
		name, accept, cookie, want string
	}{
		{"Swedish browser", "sv-SE,sv;q=0.9,en;q=0.8", "", "Logga in i Samla"},
		{"English browser", "en-GB,en;q=0.9", "", "Log in to Samla"},
		{"Norwegian browser", "nb-NO", "", "Logg inn i Samla"},
		{"unsupported language", "de-DE", "", "Logg inn i Samla"},
		{"no preference", "", "", "Logg inn i Samla"},
		{"chosen language beats the browser", "sv-SE", "en", "Log in to Samla"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := s.browser()
			if tc.cookie != "" {
				b.post("/language", url.Values{"lang": {tc.cookie}})
			}
			h := map[string]string{}
			if tc.accept != "" {
				h["Accept-Language"] = tc.accept
			}
			p := b.get("/login", h)
			if p.Status != http.StatusOK || !strings.Contains(p.Body, tc.want) {
				t.Errorf("login page %d does not say %q", p.Status, tc.want)
			}
		})
	}
}

func TestEditLibraryForm(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	s.user("staff@example.org", auth.RoleStaff)
	b := s.browser()
	b.login("staff@example.org")
	pop := int64(1000)
	l, _, err := s.svc.Members.Create(ctx, auth.System, members.LibraryInput{Name: "Deichman Oslo", Type: "public", MunicipalityNumber: "0301", Population: &pop})
	if err != nil {
		t.Fatal(err)
	}
	// Someone else saves after the user opened the form (version 1 → 2).
	if _, _, err := s.svc.Members.Update(ctx, auth.System, l.ID, members.LibraryInput{Name: l.Name, Type: "public", MunicipalityNumber: "0301", Population: &pop, Notes: "other user's note", Version: 1}); err != nil {
		t.Fatal(err)
	}
	conflict := template.HTMLEscapeString(s.svc.Catalog.T("nb", "error.conflict", nil))
	locked := template.HTMLEscapeString(s.svc.Catalog.T("nb", "members.locked", map[string]any{"Field": "population"}))
	tests := []struct {
		name, version, population, newName string
		want                               int
		says                               string
		storedName                         string
		storedVersion                      int64
	}{
		{"stale version", "1", "1000", "Stale edit", http.StatusConflict, conflict, "Deichman Oslo", 2},
		{"staff changes a locked field", "2", "5000", "Locked edit", http.StatusUnprocessableEntity, locked, "Deichman Oslo", 2},
		{"current version", "2", "1000", "Deichman Bjørvika", http.StatusSeeOther, "", "Deichman Bjørvika", 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"name": {tc.newName}, "type": {"public"}, "country": {"NO"}, "county": {"NO-03"},
				"municipality_number": {"0301"}, "population": {tc.population}, "notes": {"other user's note"}, "version": {tc.version}}
			p := b.post(fmt.Sprintf("/libraries/%d", l.ID), form)
			if p.Status != tc.want {
				t.Fatalf("status %d, want %d", p.Status, tc.want)
			}
			if tc.says != "" {
				if !strings.Contains(p.Body, tc.says) {
					t.Errorf("page does not say %q", tc.says)
				}
				if !strings.Contains(p.Body, `value="`+tc.newName+`"`) {
					t.Errorf("the refused form lost what the user typed (%q)", tc.newName)
				}
			} else if p.Location != fmt.Sprintf("/libraries/%d", l.ID) {
				t.Errorf("saved form redirects to %q", p.Location)
			}
			got, err := s.svc.Members.Get(ctx, auth.System, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != tc.storedName || got.Version != tc.storedVersion || *got.Population != pop {
				t.Errorf("stored %q v%d population %d, want %q v%d population %d", got.Name, got.Version, *got.Population, tc.storedName, tc.storedVersion, pop)
			}
		})
	}
}
