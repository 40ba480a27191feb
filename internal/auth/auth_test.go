package auth_test

import (
	"context"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/db/dbtest"
)

func TestPasswordHashIsArgon2idPHC(t *testing.T) {
	h, err := auth.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Fatalf("hash %q is not an argon2id PHC string with our parameters", h)
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batterY": false, "": false} {
		ok, err := auth.CheckPassword(h, pw)
		if err != nil || ok != want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	if _, err := auth.HashPassword("short"); err == nil {
		t.Error("a 5-character password was accepted")
	}
}

func TestLoginTokensAndAudit(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	s := &auth.Service{DB: d}
	u, err := s.Create(ctx, auth.System, auth.NewUser{Email: " Admin@Example.org ", Name: "Admin", Password: "long enough pw", Role: auth.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "admin@example.org" {
		t.Errorf("e-mail not normalised: %q", u.Email)
	}
	if _, err := s.Create(ctx, auth.System, auth.NewUser{Email: "admin@example.org", Name: "X", Password: "long enough pw", Role: auth.RoleStaff}); err != auth.ErrUserExists {
		t.Errorf("duplicate user: got %v, want ErrUserExists", err)
	}
	staff := auth.Actor{UserID: u.ID, Role: auth.RoleStaff}
	if _, err := s.Create(ctx, staff, auth.NewUser{Email: "x@example.org", Name: "X", Password: "long enough pw", Role: auth.RoleAdmin}); err != auth.ErrForbidden {
		t.Errorf("staff created a user: %v", err)
	}
	if _, err := s.Login(ctx, "ADMIN@example.org", "long enough pw"); err != nil {
		t.Errorf("login: %v", err)
	}
	if _, err := s.Login(ctx, "admin@example.org", "wrong password"); err != auth.ErrBadCredentials {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := s.Login(ctx, "nobody@example.org", "long enough pw"); err != auth.ErrBadCredentials {
		t.Errorf("unknown user: %v", err)
	}

	a, _ := s.Actor(ctx, u)
	clear, tok, err := s.CreateToken(ctx, a, "script")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.ActorForToken(ctx, clear)
	if err != nil || got.UserID != u.ID {
		t.Fatalf("token lookup: %v %v", got, err)
	}
	if _, err := s.ActorForToken(ctx, clear+"0"); err != auth.ErrBadCredentials {
		t.Errorf("altered token accepted: %v", err)
	}
	if err := s.RevokeToken(ctx, a, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ActorForToken(ctx, clear); err != auth.ErrBadCredentials {
		t.Errorf("revoked token accepted: %v", err)
	}
	es, err := audit.List(ctx, d, audit.Query{Entity: "api_token"})
	if err != nil || len(es) != 2 || es[0].Action != "delete" || es[1].Action != "create" {
		t.Fatalf("audit of token create+revoke: %+v %v", es, err)
	}
}

func TestSessionStoreRoundTrip(t *testing.T) {
	d := dbtest.Open(t)
	st := auth.SessionStore{DB: d}
	exp := timeIn(t, 1)
	if err := st.Commit("tok", []byte("a"), exp); err != nil {
		t.Fatal(err)
	}
	if err := st.Commit("tok", []byte("b"), exp); err != nil {
		t.Fatalf("upsert: %v", err)
	}
	b, ok, err := st.Find("tok")
	if err != nil || !ok || string(b) != "b" {
		t.Fatalf("find: %q %v %v", b, ok, err)
	}
	if err := st.Commit("old", []byte("x"), timeIn(t, -1)); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := st.Find("old"); ok {
		t.Error("expired session found")
	}
	if err := st.Delete("tok"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := st.Find("tok"); ok {
		t.Error("deleted session found")
	}
}
