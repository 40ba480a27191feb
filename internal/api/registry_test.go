package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/samla-org/samla/internal/auth"
)

type ipRange struct {
	ID        int64  `json:"id"`
	LibraryID int64  `json:"library_id"`
	Range     string `json:"range"`
	Shared    bool   `json:"shared"`
}

func TestIPRangeRules(t *testing.T) {
	e := newEnv(t)
	admin, staff := e.role(auth.RoleAdmin), e.role(auth.RoleStaff)
	one := e.create(admin, osloInput())
	two := e.create(admin, map[string]any{"name": "Bærum bibliotek", "type": "public", "municipality_number": "3201"})

	// Steps run in order: each builds on the ranges the earlier ones stored.
	steps := []struct {
		name    string
		token   string
		library int64
		in      map[string]any
		want    int
		mention string // for 422: text the error must contain
		shared  bool   // for 201
	}{
		{"private range", staff, one.ID, map[string]any{"range": "10.0.0.0/8"}, http.StatusUnprocessableEntity, "validate.ip.not_public", false},
		{"documentation range", staff, one.ID, map[string]any{"range": "192.0.2.0/24"}, http.StatusUnprocessableEntity, "validate.ip.not_public", false},
		{"not an address", staff, one.ID, map[string]any{"range": "193.157.0"}, http.StatusUnprocessableEntity, "validate.ip.syntax", false},
		{"public range", staff, one.ID, map[string]any{"range": "193.157.0.0/24"}, http.StatusCreated, "", false},
		{"same range twice on one library", staff, one.ID, map[string]any{"range": "193.157.0.10"}, http.StatusUnprocessableEntity, "members.ip.own_overlap", false},
		{"same range on another library", staff, two.ID, map[string]any{"range": "193.157.0.0/24"}, http.StatusUnprocessableEntity, "Deichman Oslo", false},
		{"staff cannot confirm sharing", staff, two.ID, map[string]any{"range": "193.157.0.0/24", "confirm_shared": true}, http.StatusUnprocessableEntity, "members.ip.overlap", false},
		{"admin without confirmation", admin, two.ID, map[string]any{"range": "193.157.0.0/24"}, http.StatusUnprocessableEntity, "members.ip.overlap_confirm", false},
		{"admin confirms sharing", admin, two.ID, map[string]any{"range": "193.157.0.0/24", "confirm_shared": true}, http.StatusCreated, "", true},
		{"too wide for staff", staff, one.ID, map[string]any{"range": "193.0.0.0/15", "confirm_wide": true}, http.StatusUnprocessableEntity, "validate.ip.too_wide", false},
		{"too wide for admin without confirmation", admin, one.ID, map[string]any{"range": "193.0.0.0/15"}, http.StatusUnprocessableEntity, "members.ip.too_wide_confirm", false},
		{"too wide, confirmed by admin", admin, one.ID, map[string]any{"range": "193.0.0.0/15", "confirm_wide": true}, http.StatusCreated, "", false},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			path := fmt.Sprintf("/libraries/%d/ip-ranges", s.library)
			before := e.ranges(admin, s.library)
			r := e.call(s.token, "POST", path, s.in)
			if s.want == http.StatusCreated {
				var got ipRange
				r.must(t, s.want, &got)
				if got.ID == 0 || got.LibraryID != s.library || got.Range != s.in["range"] || got.Shared != s.shared {
					t.Errorf("stored %+v, want %v on library %d, shared=%v", got, s.in["range"], s.library, s.shared)
				}
				if n := len(e.ranges(admin, s.library)); n != len(before)+1 {
					t.Errorf("%d ranges after add, want %d", n, len(before)+1)
				}
				return
			}
			var p problem
			r.must(t, s.want, &p)
			if !p.mentions(s.mention) {
				t.Errorf("error does not mention %q: %s", s.mention, r.Body)
			}
			// The request's field is "range": every problem must point at it.
			for _, loc := range p.locations() {
				if loc != "body.range" {
					t.Errorf("error location %q, want body.range (the field that was sent)", loc)
				}
			}
			if n := len(e.ranges(admin, s.library)); n != len(before) {
				t.Errorf("%d ranges after a refused add, want %d", n, len(before))
			}
		})
	}

	var shared []struct {
		Range     ipRange `json:"range"`
		Libraries []struct {
			ID int64 `json:"id"`
		} `json:"libraries"`
	}
	e.call(admin, "GET", "/shared-addresses", nil).must(t, http.StatusOK, &shared)
	found := false
	for _, s := range shared {
		if s.Range.Range != "193.157.0.0/24" {
			continue
		}
		found = true
		var ids []int64
		for _, l := range s.Libraries {
			ids = append(ids, l.ID)
		}
		if !slices.Contains(ids, one.ID) || !slices.Contains(ids, two.ID) {
			t.Errorf("shared range %s lists libraries %v, want both %d and %d", s.Range.Range, ids, one.ID, two.ID)
		}
	}
	if !found {
		t.Errorf("shared addresses %+v do not list 193.157.0.0/24", shared)
	}
	// The first library's own range is now marked shared too.
	for _, r := range e.ranges(admin, one.ID) {
		if r.Range == "193.157.0.0/24" && !r.Shared {
			t.Errorf("the first library's range was not marked shared")
		}
	}
	if r := e.call(e.role(auth.RoleVendor), "GET", "/shared-addresses", nil); r.Status != http.StatusForbidden {
		t.Errorf("vendor reads shared addresses: status %d, want 403", r.Status)
	}
}

func (e *env) ranges(token string, id int64) []ipRange {
	e.t.Helper()
	var out []ipRange
	e.call(token, "GET", fmt.Sprintf("/libraries/%d/ip-ranges", id), nil).must(e.t, http.StatusOK, &out)
	return out
}

func TestContacts(t *testing.T) {
	e := newEnv(t)
	staff := e.role(auth.RoleStaff)
	lib := e.create(staff, osloInput())
	other := e.create(staff, map[string]any{"name": "Bærum bibliotek", "type": "public", "municipality_number": "3201"})
	// A library login with no library of its own: it acts for the libraries
	// where its e-mail is registered as a contact.
	kari := e.token(auth.NewUser{Role: auth.RoleLibrary, Email: "Kari@Example.org"})
	if got := e.list(kari, "").Total; got != 0 {
		t.Fatalf("before being a contact Kari sees %d libraries", got)
	}
	path := fmt.Sprintf("/libraries/%d/contacts", lib.ID)

	steps := []struct {
		name     string
		in       map[string]any
		want     int
		location string // for 422
	}{
		{"bad e-mail", map[string]any{"name": "Ola", "email": "ola@", "role": "primary"}, http.StatusUnprocessableEntity, "body.email"},
		{"no name", map[string]any{"name": " ", "email": "ola@example.org", "role": "primary"}, http.StatusUnprocessableEntity, "body.name"},
		{"unknown role", map[string]any{"name": "Ola", "email": "ola@example.org", "role": "boss"}, http.StatusUnprocessableEntity, "body.role"},
		{"first primary", map[string]any{"name": "Ola Nordmann", "email": "ola@example.org", "role": "primary"}, http.StatusCreated, ""},
		{"new primary replaces the old", map[string]any{"name": "Kari Nordmann", "email": "KARI@example.org", "role": "primary"}, http.StatusCreated, ""},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			r := e.call(staff, "POST", path, s.in)
			if s.want != http.StatusUnprocessableEntity {
				r.must(t, s.want, nil)
				return
			}
			var p problem
			r.must(t, s.want, &p)
			if locs := p.locations(); !slices.Contains(locs, s.location) {
				t.Errorf("error locations %v, want %s (the field that was sent)", locs, s.location)
			}
		})
	}
	var cs []struct {
		Role    string `json:"role"`
		Contact struct {
			Name  string `json:"name"`
			Email string `json:"email"`
		} `json:"contact"`
	}
	e.call(staff, "GET", path, nil).must(t, http.StatusOK, &cs)
	roles := map[string]string{}
	for _, c := range cs {
		roles[c.Contact.Email] = c.Role
	}
	if len(cs) != 2 || roles["kari@example.org"] != "primary" || roles["ola@example.org"] != "other" {
		t.Errorf("contacts %+v: want Kari primary and Ola kept as other", cs)
	}
	out := e.list(kari, "")
	if out.Total != 1 || out.Items[0].ID != lib.ID {
		t.Errorf("Kari, now a contact of %d, sees %+v", lib.ID, out)
	}
	if r := e.call(kari, "GET", fmt.Sprintf("/libraries/%d", other.ID), nil); r.Status != http.StatusNotFound {
		t.Errorf("Kari reads another library: status %d, want 404", r.Status)
	}
}
