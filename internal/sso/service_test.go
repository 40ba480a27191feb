package sso_test

import (
	"context"
	"errors"
	"testing"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/db/dbtest"
	"github.com/samla-org/samla/internal/sso"
)

var admin = auth.Actor{UserID: 0, Name: "Admin", Role: auth.RoleAdmin}

func TestSignInMapsIdentities(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	users := &auth.Service{DB: d}
	s := &sso.Service{DB: d, Users: users}
	staff, err := users.Create(ctx, auth.System, auth.NewUser{Email: "kari@konsortiet.no", Name: "Kari", Password: "long enough pw", Role: auth.RoleStaff})
	if err != nil {
		t.Fatal(err)
	}

	// An unverified e-mail never matches, even an existing user's.
	if _, err := s.SignIn(ctx, sso.Identity{Provider: "google", Subject: "g-1", Email: "kari@konsortiet.no"}); !errors.Is(err, sso.ErrNotAllowed) {
		t.Fatalf("unverified e-mail: %v, want ErrNotAllowed", err)
	}
	// A verified one links the identity to the existing user ...
	u, err := s.SignIn(ctx, sso.Identity{Provider: "feide", Subject: "f-1", Email: "Kari@Konsortiet.no", EmailVerified: true})
	if err != nil || u.ID != staff.ID {
		t.Fatalf("verified e-mail: %+v, %v; want user %d", u, err, staff.ID)
	}
	// ... which then holds by subject, whatever e-mail comes later.
	u, err = s.SignIn(ctx, sso.Identity{Provider: "feide", Subject: "f-1", Email: "kari.nordmann@konsortiet.no"})
	if err != nil || u.ID != staff.ID {
		t.Fatalf("by subject: %+v, %v", u, err)
	}

	// A stranger from a domain nobody allowed is refused and nothing is made.
	if _, err := s.SignIn(ctx, sso.Identity{Provider: "feide", Subject: "f-2", Email: "ola@bibliotek.example", EmailVerified: true}); !errors.Is(err, sso.ErrNotAllowed) {
		t.Fatalf("unknown domain: %v, want ErrNotAllowed", err)
	}
	var n int
	if err := d.NewRaw("SELECT COUNT(*) FROM users").Scan(ctx, &n); err != nil || n != 1 {
		t.Fatalf("users after a refused sign-in: %d (%v), want 1", n, err)
	}

	// Once an admin allows the domain, the first sign-in creates a library contact.
	lib := int64(7)
	if _, err := d.NewRaw("INSERT INTO libraries (id, name, type, created_at, updated_at) VALUES (7, 'Bibliotek', 'public', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AllowDomain(ctx, auth.Actor{Name: "Staff", Role: auth.RoleStaff}, sso.DomainInput{Domain: "bibliotek.example", Role: auth.RoleLibrary, LibraryID: &lib}); !errors.Is(err, sso.ErrForbidden) {
		t.Errorf("staff allowing a domain: %v, want ErrForbidden", err)
	}
	if _, err := s.AllowDomain(ctx, admin, sso.DomainInput{Domain: "bibliotek.example", Role: auth.RoleLibrary}); !errors.Is(err, sso.ErrNeedsLibrary) {
		t.Errorf("library domain without library: %v", err)
	}
	if _, err := s.AllowDomain(ctx, admin, sso.DomainInput{Domain: "not a domain", Role: auth.RoleStaff}); !errors.Is(err, sso.ErrBadDomain) {
		t.Errorf("bad domain: %v", err)
	}
	dom, err := s.AllowDomain(ctx, admin, sso.DomainInput{Domain: "@Bibliotek.Example", Role: auth.RoleLibrary, LibraryID: &lib})
	if err != nil || dom.Domain != "bibliotek.example" {
		t.Fatalf("allow: %+v, %v", dom, err)
	}
	if _, err := s.AllowDomain(ctx, admin, sso.DomainInput{Domain: "bibliotek.example", Role: auth.RoleStaff}); !errors.Is(err, sso.ErrDomainExists) {
		t.Errorf("second allow: %v", err)
	}
	u, err = s.SignIn(ctx, sso.Identity{Provider: "feide", Subject: "f-2", Email: "ola@bibliotek.example", EmailVerified: true, Name: "Ola"})
	if err != nil || u.Role != auth.RoleLibrary || u.LibraryID == nil || *u.LibraryID != lib || u.Name != "Ola" {
		t.Fatalf("first sign-in from an allowed domain: %+v, %v", u, err)
	}
	// The password login stays closed to the created user.
	if _, err := users.Login(ctx, "ola@bibliotek.example", ""); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("password login of an SSO-created user: %v", err)
	}
	var audited int
	if err := d.NewRaw("SELECT COUNT(*) FROM audit_log WHERE entity IN ('user', 'sso_identity', 'sso_domain') AND action = 'create'").Scan(ctx, &audited); err != nil || audited != 5 {
		// users: kari, ola; identities: f-1, f-2; domain: 1
		t.Errorf("audit records %d (%v), want 5", audited, err)
	}

	// A disabled user is refused even with a linked identity.
	if _, err := d.NewRaw("UPDATE users SET disabled = ? WHERE id = ?", true, staff.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignIn(ctx, sso.Identity{Provider: "feide", Subject: "f-1"}); !errors.Is(err, sso.ErrDisabled) {
		t.Errorf("disabled user: %v, want ErrDisabled", err)
	}

	ds, err := s.Domains(ctx, admin)
	if err != nil || len(ds) != 1 {
		t.Fatalf("domains: %+v, %v", ds, err)
	}
	if err := s.RemoveDomain(ctx, admin, ds[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignIn(ctx, sso.Identity{Provider: "feide", Subject: "f-3", Email: "per@bibliotek.example", EmailVerified: true}); !errors.Is(err, sso.ErrNotAllowed) {
		t.Errorf("after removing the domain: %v", err)
	}
}
