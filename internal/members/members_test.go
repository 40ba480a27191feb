package members_test

import (
	"context"
	"errors"
	"testing"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/db/dbtest"
	"github.com/samla-org/samla/internal/members"
)

var (
	admin = auth.Actor{UserID: 0, Name: "Admin", Role: auth.RoleAdmin}
	staff = auth.Actor{UserID: 0, Name: "Staff", Role: auth.RoleStaff}
)

func newService(t *testing.T) *members.Service {
	t.Helper()
	return &members.Service{DB: dbtest.Open(t)}
}

func i64(v int64) *int64 { return &v }

func codes(err error) []string {
	var ve *members.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var out []string
	for _, p := range ve.Problems {
		out = append(out, p.Field+":"+p.Code)
	}
	return out
}

func hasCode(err error, want string) bool {
	for _, c := range codes(err) {
		if c == want {
			return true
		}
	}
	return false
}

func mustCreate(t *testing.T, s *members.Service, in members.LibraryInput) *members.Library {
	t.Helper()
	l, _, err := s.Create(context.Background(), admin, in)
	if err != nil {
		t.Fatalf("create %s: %v", in.Name, err)
	}
	return l
}

func TestCreateValidatesAndNormalises(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	l, warns, err := s.Create(ctx, admin, members.LibraryInput{Name: " Oslo bibliotek ", Type: "folkebibliotek",
		MunicipalityNumber: "Oslo", OrgNumber: "988 077 917", ISIL: "no-2030000", Population: i64(717710)})
	if err != nil {
		t.Fatal(err)
	}
	if l.Name != "Oslo bibliotek" || l.Type != "public" || l.CountyNumber != "03" || l.MunicipalityNumber != "0301" ||
		l.OrgNumber != "988077917" || l.ISILString() != "NO-2030000" || l.Country != "NO" || l.Version != 1 {
		t.Errorf("not normalised: %+v", l)
	}
	if len(warns) != 0 {
		t.Errorf("unexpected warnings %v", warns)
	}

	cases := []struct {
		name string
		in   members.LibraryInput
		want []string
	}{
		{"everything wrong at once", members.LibraryInput{Type: "bokbuss", OrgNumber: "988077918", ISIL: "NO-12", MunicipalityNumber: "Atlantis"},
			[]string{"name:members.name.required", "type:validate.type.unknown", "org_number:validate.orgnr.checksum", "isil:validate.isil.no_form", "municipality_number:members.municipality.unknown"}},
		{"isil taken names the other library", members.LibraryInput{Name: "B", Type: "public", ISIL: "NO-2030000"}, []string{"isil:members.isil.taken"}},
		{"municipality outside the county", members.LibraryInput{Name: "B", Type: "public", CountyNumber: "46", MunicipalityNumber: "0301"}, []string{"municipality_number:members.municipality.other_county"}},
		{"invoice through municipality needs its org number", members.LibraryInput{Name: "B", Type: "public", InvoiceParty: "municipality"}, []string{"invoice_org_number:members.invoice_org.required"}},
		{"bad e-invoice endpoint", members.LibraryInput{Name: "B", Type: "public", EInvoiceEndpoint: "0192:988077918"}, []string{"einvoice_endpoint:members.einvoice.orgnr"}},
		{"latitude without longitude", members.LibraryInput{Name: "B", Type: "public", Latitude: new(float64)}, []string{"longitude:members.coord.both"}},
		{"swedish org number checked with Luhn", members.LibraryInput{Name: "B", Type: "public", Country: "SE", OrgNumber: "5560360794"}, []string{"org_number:validate.orgnr.checksum"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := s.Create(ctx, admin, c.in)
			got := codes(err)
			for _, w := range c.want {
				if !hasCode(err, w) {
					t.Errorf("want %s among %v (err %v)", w, got, err)
				}
			}
		})
	}
	items, total, err := s.List(ctx, admin, members.Filter{})
	if err != nil || total != 1 || len(items) != 1 {
		t.Fatalf("refused creates wrote something: total %d, %v", total, err)
	}

	// A school ISIL on a public library is a warning, not an error.
	_, warns, err = s.Create(ctx, admin, members.LibraryInput{Name: "Skolen", Type: "public", ISIL: "NO-3012345"})
	if err != nil || len(warns) != 1 || warns[0].Code != "validate.isil.type_mismatch" {
		t.Errorf("ISIL type hint: warns %v, err %v", warns, err)
	}
	// Swedish numbers pass.
	if _, _, err := s.Create(ctx, admin, members.LibraryInput{Name: "Växjö stadsbibliotek", Type: "public", Country: "SE", MunicipalityNumber: "Växjö", OrgNumber: "212000-0142"}); err != nil {
		t.Errorf("swedish library: %v", err)
	}
}

func TestLockedFieldsOnlyAdmin(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	if _, _, err := s.Create(ctx, staff, members.LibraryInput{Name: "X", Type: "public", FTE: i64(3)}); !hasCode(err, "fte:members.locked") {
		t.Errorf("staff set FTE on create: %v", err)
	}
	l := mustCreate(t, s, members.LibraryInput{Name: "Bygda bibliotek", Type: "public", Population: i64(1000)})
	in := members.InputFrom(l)
	in.Population = i64(2000)
	if _, _, err := s.Update(ctx, staff, l.ID, in); !hasCode(err, "population:members.locked") {
		t.Errorf("staff changed population: %v", err)
	}
	// Staff may change other fields as long as the locked ones stay as they are.
	in.Population, in.Notes = i64(1000), "ny merknad"
	l2, _, err := s.Update(ctx, staff, l.ID, in)
	if err != nil || l2.Notes != "ny merknad" || *l2.Population != 1000 {
		t.Fatalf("staff edit of unlocked field: %+v %v", l2, err)
	}
	in = members.InputFrom(l2)
	in.Population = i64(2000)
	l3, _, err := s.Update(ctx, admin, l.ID, in)
	if err != nil || *l3.Population != 2000 {
		t.Fatalf("admin change of locked field: %v", err)
	}
}

func TestOptimisticLocking(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	l := mustCreate(t, s, members.LibraryInput{Name: "A", Type: "public"})
	first, second := members.InputFrom(l), members.InputFrom(l)
	first.Notes, second.Notes = "first", "second"
	if _, _, err := s.Update(ctx, admin, l.ID, first); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Update(ctx, admin, l.ID, second); !errors.Is(err, members.ErrConflict) {
		t.Fatalf("second save over a newer version: %v, want ErrConflict", err)
	}
	got, _ := s.Get(ctx, admin, l.ID)
	if got.Notes != "first" || got.Version != 2 {
		t.Errorf("stored %q v%d, want first v2", got.Notes, got.Version)
	}
}

func TestAuditRecordsBeforeAndAfter(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	l := mustCreate(t, s, members.LibraryInput{Name: "A", Type: "public"})
	in := members.InputFrom(l)
	in.Name, in.Website = "B", "www.b.no"
	if _, _, err := s.Update(ctx, auth.Actor{UserID: 7, Name: "Kari", Role: auth.RoleAdmin}, l.ID, in); err != nil {
		t.Fatal(err)
	}
	es, err := s.History(ctx, admin, l.ID)
	if err != nil || len(es) != 2 {
		t.Fatalf("history: %v %v", es, err)
	}
	u := es[0]
	if u.Action != "update" || u.Actor != "Kari" || u.UserID == nil || *u.UserID != 7 {
		t.Errorf("update entry: %+v", u)
	}
	changes := map[string]audit.Change{}
	for _, c := range u.ChangeList() {
		changes[c.Field] = c
	}
	if c := changes["name"]; c.Before != "A" || c.After != "B" {
		t.Errorf("name change %+v", c)
	}
	if c := changes["website"]; c.After != "https://www.b.no" {
		t.Errorf("website change %+v", c)
	}
	if len(changes) != 2 {
		t.Errorf("unchanged fields recorded: %v", changes)
	}
}

func TestScopeByRole(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	oslo := mustCreate(t, s, members.LibraryInput{Name: "Oslo", Type: "public", MunicipalityNumber: "0301"})
	bergen := mustCreate(t, s, members.LibraryInput{Name: "Bergen", Type: "public", MunicipalityNumber: "4601"})
	county := auth.Actor{Role: auth.RoleCountyContact, Country: "NO", CountyNumber: "46"}
	lib := auth.Actor{Role: auth.RoleLibrary, LibraryIDs: []int64{oslo.ID}}
	vendor := auth.Actor{Role: auth.RoleVendor}
	for _, c := range []struct {
		name  string
		actor auth.Actor
		want  []string
	}{{"admin", admin, []string{"Bergen", "Oslo"}}, {"county", county, []string{"Bergen"}}, {"library", lib, []string{"Oslo"}}, {"vendor", vendor, nil}} {
		items, _, err := s.List(ctx, c.actor, members.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range items {
			got = append(got, it.Name)
		}
		if len(got) != len(c.want) || (len(got) > 0 && got[0] != c.want[0]) {
			t.Errorf("%s sees %v, want %v", c.name, got, c.want)
		}
	}
	if _, err := s.Get(ctx, lib, bergen.ID); !errors.Is(err, members.ErrNotFound) {
		t.Errorf("library contact read another library: %v", err)
	}
	in := members.InputFrom(bergen)
	in.MunicipalityNumber, in.CountyNumber = "0301", ""
	if _, _, err := s.Update(ctx, county, bergen.ID, in); !hasCode(err, "county_number:members.county.outside_scope") {
		t.Errorf("county contact moved a library out of its county: %v", err)
	}
	if _, _, err := s.Create(ctx, county, members.LibraryInput{Name: "Ny", Type: "public"}); !errors.Is(err, members.ErrForbidden) {
		t.Errorf("county contact created a library: %v", err)
	}
	// A library contact is found through the registry's contacts by e-mail.
	if _, err := s.AddContact(ctx, admin, bergen.ID, members.ContactInput{Name: "Ola", Email: "Ola@Bergen.example", Role: "other"}); err != nil {
		t.Fatal(err)
	}
	ids, err := s.LibrariesForContactEmail(ctx, "ola@bergen.example")
	if err != nil || len(ids) != 1 || ids[0] != bergen.ID {
		t.Errorf("libraries for contact: %v %v", ids, err)
	}
}

func TestMissingDataFilters(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	lat, lon := 59.91, 10.75
	full := mustCreate(t, s, members.LibraryInput{Name: "Full", Type: "public", ISIL: "NO-2000001", OrgNumber: "988077917", Latitude: &lat, Longitude: &lon})
	mustCreate(t, s, members.LibraryInput{Name: "Empty", Type: "public"})
	if _, err := s.AddContact(ctx, admin, full.ID, members.ContactInput{Name: "P", Email: "p@full.example", Role: "primary"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddIPRange(ctx, admin, full.ID, members.IPInput{Range: "193.157.10.0/24"}); err != nil {
		t.Fatal(err)
	}
	for _, m := range members.MissingFilters {
		items, total, err := s.List(ctx, admin, members.Filter{Missing: m})
		if err != nil || total != 1 || items[0].Name != "Empty" {
			t.Errorf("missing %s: %d items %v", m, total, err)
		}
	}
	items, _, _ := s.List(ctx, admin, members.Filter{Query: "ful"})
	if len(items) != 1 || items[0].PrimaryContact != "P" || items[0].IPRangeCount != 1 {
		t.Errorf("search and decoration: %+v", items)
	}
}

func auth_county() auth.Actor {
	return auth.Actor{Role: auth.RoleCountyContact, Country: "NO", CountyNumber: "03"}
}
