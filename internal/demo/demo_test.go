package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/cases"
	"github.com/samla-org/samla/internal/db/dbtest"
	"github.com/samla-org/samla/internal/demo"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/server"
)

func TestSeedMakesAUsableRegistryOnce(t *testing.T) {
	ctx := context.Background()
	s, err := server.NewServices(dbtest.Open(t))
	if err != nil {
		t.Fatal(err)
	}
	logins, err := demo.Seed(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(logins) != 5 {
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
	enrolAndAcceptAsLibrary(t, s, logins)
	demoCases(t, s, logins)
	if _, err := demo.Seed(ctx, s); err == nil || !strings.Contains(err.Error(), "empty database") {
		t.Errorf("second seed: %v, want a refusal", err)
	}
}

// enrolAndAcceptAsLibrary walks the "done when": the demo library
// contact enrols in the open window, accepts the terms of the product that
// needs them, and sees the subscription become active.
func enrolAndAcceptAsLibrary(t *testing.T, s *server.Services, logins []demo.Login) {
	t.Helper()
	ctx := context.Background()
	lib := actorFor(t, s, logins, auth.RoleLibrary)
	catalogue, err := s.Products.Catalogue(ctx, "nb")
	if err != nil || len(catalogue) != 3 {
		t.Fatalf("catalogue: %d products, %v", len(catalogue), err)
	}
	windows, err := s.Enrolment.Windows(ctx, lib)
	if err != nil || len(windows) != 1 || !enrolment.IsOpen(windows[0], time.Now()) {
		t.Fatalf("open windows for the library: %+v %v", windows, err)
	}
	libraryID := lib.LibraryIDs[0]
	answers, err := s.Enrolment.LibraryAnswers(ctx, lib, windows[0].ID, libraryID)
	if err != nil {
		t.Fatal(err)
	}
	var termsProduct int64
	for _, a := range answers {
		if a.Product.RequiresTermsAcceptance {
			termsProduct = a.Product.ID
			if _, err := s.Enrolment.Answer(ctx, lib, windows[0].ID, a.Offer.ID, libraryID, enrolment.AnswerInput{Answer: enrolment.AnswerYes}); err != nil {
				t.Fatalf("answer yes: %v", err)
			}
		}
	}
	state := func() string {
		views, err := s.Enrolment.States(ctx, lib, libraryID)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range views {
			if v.ProductID == termsProduct {
				return v.State
			}
		}
		return "none"
	}
	if got := state(); got != enrolment.StatePendingTerms {
		t.Fatalf("after enrolling: %s, want pending_terms", got)
	}
	status, err := s.Enrolment.TermsStatus(ctx, lib, libraryID, termsProduct)
	if err != nil || !status.MayAccept {
		t.Fatalf("terms status: %+v %v", status, err)
	}
	if _, err := s.Enrolment.AcceptTerms(ctx, lib, libraryID, termsProduct, status.LicenceVersion, "192.0.2.10"); err != nil {
		t.Fatalf("accept: %v", err)
	}
	if got := state(); got != enrolment.StateActive {
		t.Fatalf("after accepting: %s, want active", got)
	}
}

// demoCases: the case desk has a library → vendor case with both
// recognised and the vendor's answer threaded into it, and snippets.
func demoCases(t *testing.T, s *server.Services, logins []demo.Login) {
	t.Helper()
	ctx := context.Background()
	staff := actorFor(t, s, logins, auth.RoleStaff)
	items, err := s.Cases.List(ctx, staff, cases.Filter{State: "all"})
	if err != nil || len(items) < 4 {
		t.Fatalf("demo has %d cases (%v)", len(items), err)
	}
	found := false
	for _, it := range items {
		if it.LibraryID != nil && it.VendorID != nil && it.ProductName == "Avisleser Norden" {
			d, err := s.Cases.Detail(ctx, staff, it.ID)
			if err != nil {
				t.Fatal(err)
			}
			found = len(d.Messages) >= 3
		}
	}
	if !found {
		t.Error("no demo case with library, vendor, product and the vendor's answer threaded in")
	}
	if sn, err := s.Cases.Snippets(ctx, staff, "", ""); err != nil || len(sn) < 3 {
		t.Errorf("demo snippets: %d, %v", len(sn), err)
	}
}

// actorFor logs in as the demo login with role and returns its actor.
func actorFor(t *testing.T, s *server.Services, logins []demo.Login, role auth.Role) auth.Actor {
	t.Helper()
	ctx := context.Background()
	for _, l := range logins {
		if l.Role == role {
			u, err := s.Users.Login(ctx, l.Email, l.Password)
			if err != nil {
				t.Fatalf("login %s: %v", l.Email, err)
			}
			a, err := s.Users.Actor(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
	}
	t.Fatalf("no demo login with role %s", role)
	return auth.Actor{}
}
