package demo_test

import (
	"context"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/db/dbtest"
	"github.com/samla-org/samla/internal/demo"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/server"
)

func TestSeedMakesAUsableRegistryOnce(t *testing.T) {
	ctx := context.Background()
	s, err := server.NewServices(dbtest.Open(t))
	if err != nil {
		t.Fatal(err)
	}
	logins, err := demo.Seed(ctx, s.Users, s.Members)
	if err != nil {
		t.Fatal(err)
	}
	if len(logins) != 4 {
		t.Fatalf("logins: %v", logins)
	}
	for _, l := range logins {
		if _, err := s.Users.Login(ctx, l.Email, l.Password); err != nil {
			t.Errorf("printed login %s does not work: %v", l.Email, err)
		}
	}
	_, total, err := s.Members.List(ctx, auth.System, members.Filter{})
	if err != nil || total < 40 {
		t.Fatalf("demo has %d libraries (%v), want a plausible registry", total, err)
	}
	// The missing-data filters have something to show, and a shared address exists.
	for _, m := range []string{members.MissingISIL, members.MissingPrimaryContact, members.MissingIPRanges, members.MissingCoordinates} {
		if _, n, _ := s.Members.List(ctx, auth.System, members.Filter{Missing: m}); n == 0 || n == total {
			t.Errorf("missing %s: %d of %d", m, n, total)
		}
	}
	shared, err := s.Members.SharedAddresses(ctx, auth.System)
	if err != nil || len(shared) == 0 {
		t.Errorf("no shared address in the demo: %v", err)
	}
	// The library contact's login sees exactly one library; the county contact only its county.
	for _, l := range logins {
		u, _ := s.Users.Login(ctx, l.Email, l.Password)
		a, _ := s.Users.Actor(ctx, u)
		items, _, _ := s.Members.List(ctx, a, members.Filter{})
		switch l.Role {
		case auth.RoleLibrary:
			if len(items) != 1 {
				t.Errorf("library contact sees %d libraries", len(items))
			}
		case auth.RoleCountyContact:
			for _, it := range items {
				if it.CountyNumber != "46" {
					t.Errorf("county contact sees %s in county %s", it.Name, it.CountyNumber)
				}
			}
		}
	}
	if _, err := demo.Seed(ctx, s.Users, s.Members); err == nil || !strings.Contains(err.Error(), "empty database") {
		t.Errorf("second seed: %v, want a refusal", err)
	}
}
