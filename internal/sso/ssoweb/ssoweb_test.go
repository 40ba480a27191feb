package ssoweb_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/db/dbtest"
	"github.com/samla-org/samla/internal/i18n"
	"github.com/samla-org/samla/internal/sso"
	"github.com/samla-org/samla/internal/sso/ssoweb"
	"github.com/samla-org/samla/internal/web"
	"github.com/samla-org/samla/internal/web/webtest"
)

// Admins allow and remove sign-in domains; nobody else sees the page.
func TestSignInDomainsPage(t *testing.T) {
	d := dbtest.Open(t)
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	users := &auth.Service{DB: d}
	svc := &sso.Service{DB: d, Users: users}
	base := webtest.Serve(t, d, users, cat, func(mux *http.ServeMux, app *web.App) error { return ssoweb.Register(mux, app, svc) })
	webtest.User(t, users, "admin@konsortiet.test", auth.RoleAdmin, nil)
	webtest.User(t, users, "staff@konsortiet.test", auth.RoleStaff, nil)
	if _, err := d.NewRaw("INSERT INTO libraries (name, type, created_at, updated_at) VALUES ('Bibliotek Test', 'public', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}

	staff := webtest.Login(t, base, "staff@konsortiet.test")
	staff.Get("/sign-in-domains").Want(t, "staff opens the domains", http.StatusForbidden)
	if p := staff.Post("/sign-in-domains", url.Values{"domain": {"evil.test"}, "role": {"admin"}}); p.Status != http.StatusForbidden {
		t.Fatalf("staff allowing a domain: %d, want 403", p.Status)
	}

	admin := webtest.Login(t, base, "admin@konsortiet.test")
	admin.Get("/sign-in-domains").Want(t, "empty list", http.StatusOK, `id="no-domains"`)
	admin.Post("/sign-in-domains", url.Values{"domain": {"bibliotek.test"}, "role": {"library"}}).
		Want(t, "library domain without library", http.StatusUnprocessableEntity, "Velg hvilket bibliotek")
	admin.Post("/sign-in-domains", url.Values{"domain": {"@Bibliotek.Test"}, "role": {"library"}, "library_id": {"1"}}).
		Redirected(t, "allow", "/sign-in-domains")
	list := admin.Get("/sign-in-domains").Want(t, "list", http.StatusOK, "@bibliotek.test", "Bibliotek Test", "Bibliotekkontakt")
	ds, err := svc.Domains(context.Background(), auth.Actor{Role: auth.RoleAdmin})
	if err != nil || len(ds) != 1 {
		t.Fatalf("domains after allow: %+v, %v\n%s", ds, err, webtest.Excerpt(list.Body))
	}
	admin.Post("/sign-in-domains", url.Values{"domain": {"bibliotek.test"}, "role": {"staff"}}).
		Want(t, "same domain again", http.StatusUnprocessableEntity, "allerede tillatt")
	admin.Post("/sign-in-domains/"+strconv.FormatInt(ds[0].ID, 10)+"/delete", nil).Redirected(t, "remove", "/sign-in-domains")
	admin.Get("/sign-in-domains").Want(t, "empty again", http.StatusOK, `id="no-domains"`)
	var audited int
	if err := d.NewRaw("SELECT COUNT(*) FROM audit_log WHERE entity = 'sso_domain'").Scan(context.Background(), &audited); err != nil || audited != 2 {
		t.Errorf("audit records for the domain: %d (%v), want 2", audited, err)
	}
}
