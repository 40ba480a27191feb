package auth_test

import (
	"context"
	"errors"
	"testing"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/db/dbtest"
)

// The cached actor is never staler than this process's last commit: a
// revoked token fails on the next request, and a widened scope shows at once.
func TestActorForTokenFollowsCommits(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	scope := []int64{1}
	scopeReads := 0
	s := &auth.Service{DB: d, Scope: func(context.Context, string) ([]int64, error) {
		scopeReads++
		return append([]int64(nil), scope...), nil
	}}
	u, err := s.Create(ctx, auth.System, auth.NewUser{Email: "kari@example.org", Name: "Kari", Password: "long enough pw", Role: auth.RoleLibrary})
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Actor(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	clear, tok, err := s.CreateToken(ctx, a, "test")
	if err != nil {
		t.Fatal(err)
	}

	scopeReads = 0
	for range 3 {
		got, err := s.ActorForToken(ctx, clear)
		if err != nil || got.UserID != u.ID || len(got.LibraryIDs) != 1 {
			t.Fatalf("ActorForToken = %+v, %v", got, err)
		}
	}
	if scopeReads != 1 {
		t.Errorf("three requests read the scope %d times, want once (cached)", scopeReads)
	}
	var used int
	if err := d.NewRaw("SELECT COUNT(*) FROM api_tokens WHERE id = ? AND last_used_at IS NOT NULL", tok.ID).Scan(ctx, &used); err != nil || used != 0 {
		t.Errorf("last use written on a cache fill (%d, %v); it is written on later hits, at most once a minute", used, err)
	}

	// Any committed change (here: adding the user to a second library) makes
	// the next request read the actor afresh.
	scope = []int64{1, 2}
	if err := d.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewRaw("UPDATE users SET name = ? WHERE id = ?", "Kari N.", u.ID).Exec(ctx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	got, err := s.ActorForToken(ctx, clear)
	if err != nil || len(got.LibraryIDs) != 2 || got.Name != "Kari N." {
		t.Errorf("after a commit: %+v, %v; want the new name and two libraries", got, err)
	}

	if err := s.RevokeToken(ctx, a, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ActorForToken(ctx, clear); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("revoked token: %v, want ErrBadCredentials at once", err)
	}
	if _, err := s.ActorForToken(ctx, "samla_"+"00"); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("unknown token: %v", err)
	}
}

// ForgetTokens is how a change made by another process reaches this one.
func TestForgetTokens(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	s := &auth.Service{DB: d}
	u, err := s.Create(ctx, auth.System, auth.NewUser{Email: "ola@example.org", Name: "Ola", Password: "long enough pw", Role: auth.RoleStaff})
	if err != nil {
		t.Fatal(err)
	}
	clear, _, err := s.CreateToken(ctx, auth.Actor{UserID: u.ID, Name: u.Name, Role: u.Role}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ActorForToken(ctx, clear); err != nil {
		t.Fatal(err)
	}
	// Disabled behind this process's back: no commit through its Tx.
	if _, err := d.NewRaw("UPDATE users SET disabled = ? WHERE id = ?", true, u.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ActorForToken(ctx, clear); err != nil {
		t.Fatalf("before ForgetTokens the cached actor still answers: %v", err)
	}
	s.ForgetTokens()
	if _, err := s.ActorForToken(ctx, clear); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("disabled user after ForgetTokens: %v, want ErrBadCredentials", err)
	}
}
