package members_test

import (
	"context"
	"errors"
	"testing"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/members"
)

func TestPrimaryContactIsReplacedNotDuplicated(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	a := mustCreate(t, s, members.LibraryInput{Name: "A", Type: "public"})
	b := mustCreate(t, s, members.LibraryInput{Name: "B", Type: "public"})
	if _, err := s.AddContact(ctx, admin, a.ID, members.ContactInput{Name: "Kari", Email: "kari@a.example", Role: "primary"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddContact(ctx, admin, a.ID, members.ContactInput{Name: "Per", Email: "per@a.example", Role: "primary"}); err != nil {
		t.Fatal(err)
	}
	cs, _ := s.Contacts(ctx, admin, a.ID)
	roles := map[string]string{}
	for _, c := range cs {
		roles[c.Contact.Email] = c.Role
	}
	if roles["per@a.example"] != "primary" || roles["kari@a.example"] != "other" || len(cs) != 2 {
		t.Errorf("after a new primary: %v", roles)
	}
	// One person, two libraries: the same contact row is reused and updated.
	lc, err := s.AddContact(ctx, admin, b.ID, members.ContactInput{Name: "Per Hansen", Email: "PER@a.example", Phone: "+47 1", Role: "primary"})
	if err != nil {
		t.Fatal(err)
	}
	cs, _ = s.Contacts(ctx, admin, a.ID)
	if cs[0].ContactID != lc.ContactID || cs[0].Contact.Name != "Per Hansen" {
		t.Errorf("contact not shared across libraries: %+v vs %+v", cs[0], lc)
	}
	if _, err := s.AddContact(ctx, admin, a.ID, members.ContactInput{Name: "X", Email: "not-an-address", Role: "other"}); !hasCode(err, "email:validate.email.invalid") {
		t.Errorf("bad e-mail: %v", err)
	}
	if err := s.RemoveContact(ctx, admin, a.ID, cs[0].ID); err != nil {
		t.Fatal(err)
	}
	items, _, _ := s.List(ctx, admin, members.Filter{Missing: members.MissingPrimaryContact})
	if len(items) != 1 || items[0].ID != a.ID {
		t.Errorf("after removing the primary, A should lack one: %+v", items)
	}
}

func TestIPRangeRules(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	a := mustCreate(t, s, members.LibraryInput{Name: "Kommunebiblioteket", Type: "public"})
	b := mustCreate(t, s, members.LibraryInput{Name: "Skolen", Type: "upper_secondary"})
	add := func(by auth.Actor, id int64, in members.IPInput) error {
		_, err := s.AddIPRange(ctx, by, id, in)
		return err
	}
	for _, c := range []struct {
		name string
		by   auth.Actor
		lib  int64
		in   members.IPInput
		want string // problem code, "" for success
	}{
		{"private refused", admin, a.ID, members.IPInput{Range: "10.1.0.0/16"}, "validate.ip.not_public"},
		{"documentation v6 refused", admin, a.ID, members.IPInput{Range: "2001:db8::/48"}, "validate.ip.not_public"},
		{"public v4 accepted", staff, a.ID, members.IPInput{Range: "193.157.10.0/24"}, ""},
		{"start-end accepted", staff, a.ID, members.IPInput{Range: "193.157.20.5 - 193.157.20.9"}, ""},
		{"public v6 accepted", staff, a.ID, members.IPInput{Range: "2001:700:1::/48"}, ""},
		{"own overlap", staff, a.ID, members.IPInput{Range: "193.157.10.128/25"}, "members.ip.own_overlap"},
		{"overlap with another library", staff, b.ID, members.IPInput{Range: "193.157.10.7"}, "members.ip.overlap"},
		{"staff cannot confirm shared", staff, b.ID, members.IPInput{Range: "193.157.10.7", ConfirmShared: true}, "members.ip.overlap"},
		{"too wide for staff", staff, b.ID, members.IPInput{Range: "150.0.0.0/15"}, "validate.ip.too_wide"},
		{"too wide asks admin to confirm", admin, b.ID, members.IPInput{Range: "150.0.0.0/15"}, "members.ip.too_wide_confirm"},
		{"admin confirms wide", admin, b.ID, members.IPInput{Range: "150.0.0.0/15", ConfirmWide: true}, ""},
		{"admin confirms shared", admin, b.ID, members.IPInput{Range: "193.157.10.7", ConfirmShared: true}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := add(c.by, c.lib, c.in)
			if c.want == "" && err != nil {
				t.Fatalf("want success, got %v", err)
			}
			if c.want != "" {
				var ve *members.ValidationError
				if !errors.As(err, &ve) || ve.Problems[0].Code != c.want {
					t.Fatalf("want %s, got %v", c.want, err)
				}
				if c.want == "members.ip.overlap" && ve.Problems[0].Args["Other"] != "Kommunebiblioteket" {
					t.Errorf("overlap does not name the other library: %v", ve.Problems[0].Args)
				}
			}
		})
	}
	shared, err := s.SharedAddresses(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	if len(shared) != 2 {
		t.Fatalf("want both overlapping ranges marked shared, got %d", len(shared))
	}
	for _, sh := range shared {
		if len(sh.Libraries) != 2 {
			t.Errorf("%s: libraries %v, want both", sh.Range.RangeText, sh.Libraries)
		}
	}
	rs, _ := s.IPRanges(ctx, admin, a.ID)
	texts := []string{}
	for _, r := range rs {
		texts = append(texts, r.RangeText)
	}
	want := []string{"193.157.10.0/24", "193.157.20.5-193.157.20.9", "2001:700:1::/48"}
	if len(texts) != 3 || texts[0] != want[0] || texts[1] != want[1] || texts[2] != want[2] {
		t.Errorf("ranges in address order: %v, want %v", texts, want)
	}
}
