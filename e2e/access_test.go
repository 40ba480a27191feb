package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/db/dbtest"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/server"
	"github.com/samla-org/samla/internal/sso"
	"github.com/samla-org/samla/internal/sso/oidc"
	"github.com/samla-org/samla/internal/sso/oidc/oidctest"
	"github.com/samla-org/samla/internal/sso/saml"
	"github.com/samla-org/samla/internal/sso/saml/samltest"
)

// Scenario (access issue, "Done when", first half): a vendor's token looks
// up addresses and gets exactly the entitlements of the right library, and
// the vendor's exports match the registry.
func TestAccessDoneWhen(t *testing.T) {
	t.Parallel()
	base, svc := startServer(t)
	ctx := context.Background()
	libs, _, err := svc.Members.List(ctx, auth.System, members.Filter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, l := range libs {
		ids[l.Name] = l.ID
	}
	oslo, bergen, trondheim := ids["Deichman Bjørvika"], ids["Bergen offentlige bibliotek"], ids["Trondheim folkebibliotek"]
	for lib, ranges := range map[int64][]string{
		oslo:      {"193.157.1.0/24", "2001:700:100::/48", "158.36.10.0-158.36.10.199"},
		bergen:    {"129.177.0.0/16"},
		trondheim: {"128.39.0.0/20"},
	} {
		for _, r := range ranges {
			if _, err := svc.Members.AddIPRange(ctx, auth.System, lib, members.IPInput{Range: r}); err != nil {
				t.Fatalf("range %s: %v", r, err)
			}
		}
	}
	vendor, err := svc.Products.CreateVendor(ctx, auth.System, products.VendorInput{Name: "Tidsskriftforlaget", Country: "NO"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := svc.Products.CreateVendor(ctx, auth.System, products.VendorInput{Name: "Annen leverandør", Country: "SE"})
	if err != nil {
		t.Fatal(err)
	}
	prod := map[string]int64{}
	for name, v := range map[string]int64{"Tidsskrift A": vendor.ID, "Tidsskrift B": vendor.ID, "Annet": other.ID} {
		p, err := svc.Products.CreateProduct(ctx, auth.System, products.ProductInput{VendorID: v, Name: name, AccessMethods: []string{products.AccessIP}})
		if err != nil {
			t.Fatalf("product %s: %v", name, err)
		}
		prod[name] = p.ID
	}
	today := calendar.Today(time.Now())
	subscribe := func(lib int64, product string, from, to calendar.Date) {
		s := &enrolment.Subscription{LibraryID: lib, ProductID: prod[product], StartsOn: from, EndsOn: to, CreatedAt: time.Now().UTC()}
		if _, err := svc.DB.NewInsert().Model(s).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	subscribe(oslo, "Tidsskrift A", today.AddDays(-30), today.AddDays(300))
	subscribe(oslo, "Tidsskrift B", today.AddDays(-30), today.AddDays(300))
	subscribe(bergen, "Tidsskrift A", today.AddDays(-30), today.AddDays(300))
	subscribe(bergen, "Annet", today.AddDays(-30), today.AddDays(300))
	subscribe(trondheim, "Tidsskrift A", today.AddDays(-400), today.AddDays(-35)) // ended
	subscribe(trondheim, "Annet", today.AddDays(-30), today.AddDays(300))
	if err := svc.Access.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}

	u, err := svc.Users.Create(ctx, auth.System, auth.NewUser{Email: "api@tidsskrift.test", Name: "API", Password: "long enough password", Role: auth.RoleVendor, VendorID: &vendor.ID})
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := svc.Users.CreateToken(ctx, auth.Actor{UserID: u.ID, Name: u.Name, Role: u.Role, VendorID: vendor.ID}, "lookup")
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) (int, http.Header, []byte) {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1"+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, body
	}
	type lookup struct {
		Libraries []struct {
			ID       int64 `json:"id"`
			Products []struct {
				Name     string `json:"name"`
				Entitled bool   `json:"entitled"`
			} `json:"products"`
		} `json:"libraries"`
	}
	entitled := func(addr string) string {
		t.Helper()
		status, _, body := get("/access/ip/" + addr)
		if status != http.StatusOK {
			t.Fatalf("lookup %s: %d %s", addr, status, body)
		}
		var r lookup
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, l := range r.Libraries {
			for _, p := range l.Products {
				if p.Entitled {
					out = append(out, fmt.Sprintf("%d:%s", l.ID, p.Name))
				}
			}
		}
		slices.Sort(out)
		return strings.Join(out, ",")
	}
	for addr, want := range map[string]string{
		"193.157.1.20":      fmt.Sprintf("%d:Tidsskrift A,%d:Tidsskrift B", oslo, oslo),
		"2001:700:100:9::1": fmt.Sprintf("%d:Tidsskrift A,%d:Tidsskrift B", oslo, oslo),
		"158.36.10.199":     fmt.Sprintf("%d:Tidsskrift A,%d:Tidsskrift B", oslo, oslo),
		"158.36.10.200":     "",                                     // just past Oslo's start–end range
		"129.177.3.4":       fmt.Sprintf("%d:Tidsskrift A", bergen), // not the other vendor's product
		"128.39.1.1":        "",                                     // Trondheim's subscription ended
		"192.0.2.1":         "",
	} {
		if got := entitled(addr); got != want {
			t.Errorf("lookup %s: entitled to %q, want %q", addr, got, want)
		}
	}

	// The CIDR export lists exactly the ranges of the vendor's subscribers,
	// Oslo's start–end range as the prefixes that cover it.
	status, hdr, body := get(fmt.Sprintf("/access/ranges?format=cidr&vendor_id=%d", vendor.ID))
	if status != http.StatusOK {
		t.Fatalf("cidr export: %d %s", status, body)
	}
	want := []string{"129.177.0.0/16", "158.36.10.0/25", "158.36.10.128/26", "158.36.10.192/29", "193.157.1.0/24", "2001:700:100::/48"}
	if got := strings.Fields(string(body)); !slices.Equal(got, want) {
		t.Errorf("cidr export:\n%s\nwant %v", body, want)
	}
	if hdr.Get("Last-Modified") == "" {
		t.Error("the export has no Last-Modified")
	}
	_, _, body = get("/access/ranges?format=csv")
	for _, want := range []string{"Deichman Bjørvika", "158.36.10.0-158.36.10.199", "Bergen offentlige bibliotek"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("csv export lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(string(body), "Trondheim") {
		t.Errorf("csv export lists Trondheim, whose subscription ended:\n%s", body)
	}
	// Another vendor's export is not this token's to read.
	if status, _, _ := get(fmt.Sprintf("/access/ranges?format=csv&vendor_id=%d", other.ID)); status != http.StatusForbidden {
		t.Errorf("another vendor's export: %d, want 403", status)
	}
	// A new range shows in the changes feed.
	status, _, body = get("/access/changes?since=0")
	var feed struct {
		Changes []struct {
			Action string `json:"action"`
			Range  string `json:"range"`
		} `json:"changes"`
		Next int64 `json:"next"`
	}
	if err := json.Unmarshal(body, &feed); status != http.StatusOK || err != nil {
		t.Fatalf("feed: %d %v %s", status, err, body)
	}
	if _, err := svc.Members.AddIPRange(ctx, auth.System, bergen, members.IPInput{Range: "2001:700:200::/48"}); err != nil {
		t.Fatal(err)
	}
	_, _, body = get(fmt.Sprintf("/access/changes?since=%d", feed.Next))
	if err := json.Unmarshal(body, &feed); err != nil || len(feed.Changes) != 1 || feed.Changes[0].Action != "added" || feed.Changes[0].Range != "2001:700:200::/48" {
		t.Errorf("changes since the last poll: %s", body)
	}
}

// Scenario (access issue, "Done when", second half): staff sign in through
// an OpenID Connect provider and a SAML identity provider, both real and
// running on this machine, from Samla's login page in a real browser.
func TestSingleSignOnDoneWhen(t *testing.T) {
	t.Parallel()
	execPath := chromiumPath(t)
	ctx := context.Background()
	svc, err := server.NewServices(dbtest.Open(t))
	if err != nil {
		t.Fatal(err)
	}
	// The providers must know Samla's address before Samla knows theirs.
	var h atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.Load().(http.Handler).ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	op := oidctest.Start(t, oidctest.Options{RedirectURIs: []string{srv.URL + "/sso/oidc/feide/callback"}, Users: []oidctest.User{
		{Subject: "feide-kari", Email: "kari@konsortiet.test", Name: "Kari Konsortiet", Password: "kari-passord", EmailVerified: true},
		{Subject: "feide-ukjent", Email: "ukjent@annet.test", Name: "Ukjent", Password: "ukjent-passord", EmailVerified: true},
	}})
	idp := samltest.Start(t, samltest.User{Name: "ola", Email: "ola@bibliotek.test", Password: "ola-passord", DisplayName: "Ola Bibliotek"})
	kp, err := saml.LoadOrCreateKeyPair(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	handler, err := server.HandlerWithSSO(svc, t.TempDir(), slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})), server.SSO{
		OIDC: []oidc.Config{{Key: "feide", Label: "Feide", Issuer: op.Issuer, ClientID: op.ClientID, ClientSecret: op.ClientSecret,
			BaseURL: srv.URL, CookieKey: []byte(strings.Repeat("k", 32))}},
		SAML: &saml.Config{BaseURL: srv.URL, Label: "Føderasjonen", KeyPair: kp, IDPMetadataURL: idp.MetadataURL},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.Store(handler)
	idp.AddServiceProviderURL(srv.URL + saml.MetadataPath)

	// Kari is staff already; Ola's library allowed its domain to create users.
	if _, err := svc.Users.Create(ctx, auth.System, auth.NewUser{Email: "kari@konsortiet.test", Name: "Kari Konsortiet", Password: "long enough password", Role: auth.RoleStaff}); err != nil {
		t.Fatal(err)
	}
	lib, _, err := svc.Members.Create(ctx, auth.System, members.LibraryInput{Name: "Bibliotek Test", Type: "public"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Members.Create(ctx, auth.System, members.LibraryInput{Name: "Et annet bibliotek", Type: "public"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SSO.AllowDomain(ctx, auth.Actor{Name: "Admin", Role: auth.RoleAdmin}, sso.DomainInput{Domain: "bibliotek.test", Role: auth.RoleLibrary, LibraryID: &lib.ID}); err != nil {
		t.Fatal(err)
	}

	p := &page{t: t, ctx: startBrowser(t, execPath), base: srv.URL, svc: svc}
	idpLogin := func(user, password string) {
		p.t.Helper()
		p.do("sign in at the identity provider", chromedp.WaitVisible(chromedp.CSS(`#username`)),
			chromedp.SendKeys(chromedp.CSS(`#username`), user), chromedp.SendKeys(chromedp.CSS(`#password`), password),
			chromedp.Click(chromedp.CSS(`#login`)))
	}
	waitPath := func(want string) {
		p.t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for p.path() != want {
			if time.Now().After(deadline) {
				p.fatal("at %s, want %s", p.path(), want)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	// OpenID Connect: an existing user, matched by the e-mail the provider vouches for.
	p.open("/login?next=/account")
	p.click(`.sign-in-options a[href^="/sso/oidc/feide/login"]`)
	idpLogin("kari@konsortiet.test", "kari-passord")
	waitPath("/account")
	// waitText, not text: the redirect chain may still be replacing the document.
	p.waitText("main", textHas("kari@konsortiet.test"))
	// Submitted from script: a click can land on a node of a document the
	// redirect chain is still replacing, which CI has seen.
	p.do("log out", chromedp.Evaluate[chromedp.Void](`document.querySelector('form[action="/logout"]').submit()`))
	waitPath("/login")

	// Someone the provider knows but Samla does not is told so, and gets no session.
	p.open("/login")
	p.click(`.sign-in-options a[href^="/sso/oidc/feide/login"]`)
	idpLogin("ukjent@annet.test", "ukjent-passord")
	if got := p.waitText(".alert", textHas("ukjent@annet.test")); !strings.Contains(got, "ingen Samla-bruker") {
		p.fatal("refusal message %q", got)
	}

	// SAML: a first sign-in from an allowed domain creates a library contact,
	// who sees only their own library.
	p.open("/login")
	p.click(`.sign-in-options a[href^="/sso/saml/login"]`)
	idpLogin("ola", "ola-passord")
	waitPath("/libraries")
	if got := p.waitText("main", textHas("Bibliotek Test")); strings.Contains(got, "Et annet bibliotek") {
		p.fatal("a library contact signed in through SAML sees %q", got)
	}
	u, err := svc.Users.ByEmail(ctx, "ola@bibliotek.test")
	if err != nil || u.Role != auth.RoleLibrary || u.LibraryID == nil || *u.LibraryID != lib.ID || u.Name != "Ola Bibliotek" {
		t.Fatalf("user created by SAML sign-in: %+v, %v", u, err)
	}
}
