package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/db/dbtest"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/server"
)

// BenchmarkAccessLookupHandler is one GET /api/v1/access/ip/{address} through
// the --access-only handler, token to JSON, without the network: what the
// server spends per request on top of net/http (bench/access-lookup.sh
// measures the whole over loopback).
func BenchmarkAccessLookupHandler(b *testing.B) {
	ctx := context.Background()
	s, err := server.NewServices(dbtest.Open(b))
	if err != nil {
		b.Fatal(err)
	}
	l, _, err := s.Members.Create(ctx, auth.System, members.LibraryInput{Name: "Oslo bibliotek", Type: "public"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Members.AddIPRange(ctx, auth.System, l.ID, members.IPInput{Range: "158.36.10.0/24"}); err != nil {
		b.Fatal(err)
	}
	u, err := s.Users.Create(ctx, auth.System, auth.NewUser{Email: "staff@example.org", Name: "Staff", Password: "long enough password", Role: auth.RoleStaff})
	if err != nil {
		b.Fatal(err)
	}
	token, _, err := s.Users.CreateToken(ctx, auth.Actor{UserID: u.ID, Name: u.Name, Role: u.Role}, "bench")
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Access.Rebuild(ctx); err != nil {
		b.Fatal(err)
	}
	h := server.AccessHandler(s)
	req := httptest.NewRequest(http.MethodGet, "/api/v1/access/ip/158.36.10.77", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(fmt.Sprint(w.Code, w.Body.String()))
		}
	}
}
