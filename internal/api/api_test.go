package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/auth"
)

func TestOpenAPIDocumentIsPublic(t *testing.T) {
	e := newEnv(t)
	r := e.call("", "GET", "/openapi.json", nil)
	var doc struct {
		OpenAPI string                     `json:"openapi"`
		Paths   map[string]json.RawMessage `json:"paths"`
	}
	r.must(t, http.StatusOK, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi = %q, want 3.x", doc.OpenAPI)
	}
	for _, p := range []string{"/libraries", "/libraries/{id}", "/libraries/{id}/ip-ranges", "/import/members", "/export/members", "/shared-addresses"} {
		if _, ok := doc.Paths[p]; !ok {
			t.Errorf("path %s missing from the OpenAPI document", p)
		}
	}
}

func TestUnauthenticatedRequestsAreRefused(t *testing.T) {
	e := newEnv(t)
	good := e.role(auth.RoleAdmin)
	tests := []struct {
		name, header string
		want         int
	}{
		{"no header", "", http.StatusUnauthorized},
		{"wrong token", "Bearer samla_0123456789abcdef", http.StatusUnauthorized},
		{"token without prefix", "Bearer " + strings.TrimPrefix(good, "samla_"), http.StatusUnauthorized},
		{"altered token", "Bearer " + good + "0", http.StatusUnauthorized},
		{"basic auth", "Basic YWRtaW46cGFzc3dvcmQ=", http.StatusUnauthorized},
		{"valid token", "Bearer " + good, http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/libraries", nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			res, err := e.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tc.want {
				t.Errorf("status %d, want %d", res.StatusCode, tc.want)
			}
		})
	}
}

func TestCreateLibraryValidates(t *testing.T) {
	e := newEnv(t)
	admin := e.role(auth.RoleAdmin)
	tests := []struct {
		name      string
		in        map[string]any
		want      int
		locations []string
	}{
		{"valid", osloInput(), http.StatusCreated, nil},
		{"bad isil and org number", with(osloInput(), "name", "Other", "isil", "NO-12", "org_number", "988077918"),
			http.StatusUnprocessableEntity, []string{"body.isil", "body.org_number"}},
		{"isil taken", with(osloInput(), "name", "Copy", "org_number", ""), http.StatusUnprocessableEntity, []string{"body.isil"}},
		{"unknown municipality", with(osloInput(), "name", "Atlantis", "isil", "", "municipality_number", "9999"),
			http.StatusUnprocessableEntity, []string{"body.municipality_number"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := e.list(admin, "").Total
			r := e.call(admin, "POST", "/libraries", tc.in)
			if tc.want == http.StatusCreated {
				var out saved
				r.must(t, tc.want, &out)
				if out.Library.ID == 0 || out.Library.Version != 1 || out.Library.CountyNumber != "03" {
					t.Errorf("created library %+v: want an id, version 1 and county 03", out.Library)
				}
				if got := e.list(admin, "").Total; got != before+1 {
					t.Errorf("total %d after create, want %d", got, before+1)
				}
				return
			}
			var p problem
			r.must(t, tc.want, &p)
			locs := p.locations()
			for _, l := range tc.locations {
				if !slices.Contains(locs, l) {
					t.Errorf("errors %v do not name %s", locs, l)
				}
			}
			if got := e.list(admin, "").Total; got != before {
				t.Errorf("total %d after a refused create, want %d", got, before)
			}
		})
	}
}

func TestUpdateUsesOptimisticLocking(t *testing.T) {
	e := newEnv(t)
	staff := e.role(auth.RoleStaff)
	l := e.create(staff, osloInput())
	path := fmt.Sprintf("/libraries/%d", l.ID)

	steps := []struct {
		name        string
		version     int64
		notes       string
		want        int
		wantVersion int64
	}{
		{"first save with the version read", 1, "first change", http.StatusOK, 2},
		{"second save with the old version", 1, "lost change", http.StatusConflict, 0},
		{"retry with the current version", 2, "second change", http.StatusOK, 3},
		{"missing version", 0, "no version", http.StatusUnprocessableEntity, 0},
	}
	stored := "first change"
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			r := e.call(staff, "PUT", path, with(osloInput(), "notes", s.notes, "version", s.version))
			if s.want == http.StatusOK {
				var out saved
				r.must(t, s.want, &out)
				if out.Library.Version != s.wantVersion || out.Library.Notes != s.notes {
					t.Errorf("saved %+v, want version %d and notes %q", out.Library, s.wantVersion, s.notes)
				}
				stored = s.notes
			} else {
				r.must(t, s.want, nil)
			}
			if got := e.get(staff, l.ID); got.Notes != stored {
				t.Errorf("stored notes %q, want %q", got.Notes, stored)
			}
		})
	}
}

func TestLockedFieldsNeedAnAdmin(t *testing.T) {
	e := newEnv(t)
	admin, staff := e.role(auth.RoleAdmin), e.role(auth.RoleStaff)
	l := e.create(admin, with(osloInput(), "population", 1000))
	path := fmt.Sprintf("/libraries/%d", l.ID)

	tests := []struct {
		name       string
		token      string
		population int64
		want       int
		stored     int64
	}{
		{"staff changes population", staff, 2000, http.StatusUnprocessableEntity, 1000},
		{"staff keeps population, changes notes", staff, 1000, http.StatusOK, 1000},
		{"admin changes population", admin, 3000, http.StatusOK, 3000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cur := e.get(admin, l.ID)
			r := e.call(tc.token, "PUT", path, with(osloInput(), "population", tc.population, "notes", tc.name, "version", cur.Version))
			if tc.want == http.StatusUnprocessableEntity {
				var p problem
				r.must(t, tc.want, &p)
				if !p.mentions("members.locked") || !slices.Contains(p.locations(), "body.population") {
					t.Errorf("error does not name the locked field: %s", r.Body)
				}
			} else {
				r.must(t, tc.want, nil)
			}
			got := e.get(admin, l.ID)
			if got.Population == nil || *got.Population != tc.stored {
				t.Errorf("stored population %v, want %d", got.Population, tc.stored)
			}
		})
	}
}

func TestRolesSeeOnlyTheirLibraries(t *testing.T) {
	e := newEnv(t)
	admin := e.role(auth.RoleAdmin)
	a := e.create(admin, osloInput())
	b := e.create(admin, map[string]any{"name": "Bærum bibliotek", "type": "public", "municipality_number": "3201"})
	c := e.create(admin, map[string]any{"name": "Oslo skolebibliotek", "type": "primary_school", "municipality_number": "0301"})

	tests := []struct {
		name    string
		token   string
		see     []int64
		notSeen []int64
	}{
		{"admin", admin, []int64{a.ID, b.ID, c.ID}, nil},
		{"staff", e.role(auth.RoleStaff), []int64{a.ID, b.ID, c.ID}, nil},
		{"library contact of A", e.token(auth.NewUser{Role: auth.RoleLibrary, LibraryID: &a.ID}), []int64{a.ID}, []int64{b.ID, c.ID}},
		{"county contact of Oslo", e.token(auth.NewUser{Role: auth.RoleCountyContact, Country: "NO", CountyNumber: "03"}), []int64{a.ID, c.ID}, []int64{b.ID}},
		{"county contact of Akershus", e.token(auth.NewUser{Role: auth.RoleCountyContact, Country: "NO", CountyNumber: "32"}), []int64{b.ID}, []int64{a.ID, c.ID}},
		{"vendor", e.role(auth.RoleVendor), nil, []int64{a.ID, b.ID, c.ID}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := e.list(tc.token, "")
			var ids []int64
			for _, it := range out.Items {
				ids = append(ids, it.ID)
			}
			slices.Sort(ids)
			want := slices.Clone(tc.see)
			slices.Sort(want)
			if out.Total != len(tc.see) || !slices.Equal(ids, want) {
				t.Errorf("list: total %d ids %v, want %v", out.Total, ids, want)
			}
			for _, id := range tc.see {
				e.call(tc.token, "GET", fmt.Sprintf("/libraries/%d", id), nil).must(t, http.StatusOK, nil)
			}
			for _, id := range tc.notSeen {
				for _, p := range []string{"", "/audit", "/ip-ranges", "/contacts"} {
					if r := e.call(tc.token, "GET", fmt.Sprintf("/libraries/%d%s", id, p), nil); r.Status != http.StatusNotFound {
						t.Errorf("GET library %d%s: status %d, want 404", id, p, r.Status)
					}
				}
				r := e.call(tc.token, "PUT", fmt.Sprintf("/libraries/%d", id), map[string]any{"name": "Taken over", "type": "public", "version": 1})
				if r.Status != http.StatusNotFound {
					t.Errorf("PUT library %d: status %d, want 404", id, r.Status)
				}
			}
		})
	}
	if got := e.get(admin, b.ID); got.Name != "Bærum bibliotek" {
		t.Errorf("library B renamed to %q by someone out of scope", got.Name)
	}
}

func TestAuditRecordsUpdates(t *testing.T) {
	e := newEnv(t)
	staff := e.token(auth.NewUser{Role: auth.RoleStaff, Name: "Siri Staff"})
	l := e.create(staff, osloInput())
	e.call(staff, "PUT", fmt.Sprintf("/libraries/%d", l.ID), with(osloInput(), "name", "Deichman Bjørvika", "version", 1)).must(t, http.StatusOK, nil)

	var entries []struct {
		Actor   string `json:"actor"`
		Action  string `json:"action"`
		Entity  string `json:"entity"`
		Changes []struct {
			Field  string `json:"field"`
			Before any    `json:"before"`
			After  any    `json:"after"`
		} `json:"changes"`
	}
	e.call(staff, "GET", fmt.Sprintf("/libraries/%d/audit", l.ID), nil).must(t, http.StatusOK, &entries)
	if len(entries) != 2 {
		t.Fatalf("%d audit entries, want create and update: %+v", len(entries), entries)
	}
	upd := entries[0] // newest first
	if upd.Action != "update" || upd.Entity != "library" || upd.Actor != "Siri Staff" {
		t.Errorf("newest entry %+v: want an update of the library by Siri Staff", upd)
	}
	if len(upd.Changes) != 1 || upd.Changes[0].Field != "name" || upd.Changes[0].Before != "Deichman Oslo" || upd.Changes[0].After != "Deichman Bjørvika" {
		t.Errorf("update changes %+v: want name Deichman Oslo → Deichman Bjørvika", upd.Changes)
	}
	if entries[1].Action != "create" || len(entries[1].Changes) == 0 {
		t.Errorf("oldest entry %+v: want the create with its fields", entries[1])
	}
}

func TestListFilters(t *testing.T) {
	e := newEnv(t)
	staff := e.role(auth.RoleStaff)
	oslo := e.create(staff, osloInput())
	baerum := e.create(staff, map[string]any{"name": "Bærum bibliotek", "type": "public", "municipality_number": "3201", "org_number": "974778874"})
	school := e.create(staff, map[string]any{"name": "Oslo skolebibliotek", "type": "primary_school", "municipality_number": "0301"})
	gbg := e.create(staff, map[string]any{"name": "Göteborgs stadsbibliotek", "type": "public", "country": "SE", "municipality_number": "1480"})
	tests := []struct {
		query string
		want  []int64
	}{
		{"", []int64{baerum.ID, oslo.ID, gbg.ID, school.ID}}, // by name
		{"?q=OSLO", []int64{oslo.ID, school.ID}},
		{"?q=no-2030000", []int64{oslo.ID}},
		{"?q=9747", []int64{baerum.ID}},
		{"?county=NO-03", []int64{oslo.ID, school.ID}},
		{"?county=SE-14", []int64{gbg.ID}},
		{"?type=primary_school", []int64{school.ID}},
		{"?missing=isil", []int64{baerum.ID, gbg.ID, school.ID}},
		{"?missing=org_number", []int64{gbg.ID, school.ID}},
		{"?limit=2", []int64{baerum.ID, oslo.ID}},
		{"?limit=2&offset=2", []int64{gbg.ID, school.ID}},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			out := e.list(staff, tc.query)
			var ids []int64
			for _, it := range out.Items {
				ids = append(ids, it.ID)
			}
			if !slices.Equal(ids, tc.want) {
				t.Errorf("ids %v, want %v", ids, tc.want)
			}
		})
	}
	for _, bad := range []string{"?county=03", "?type=bokbuss", "?missing=everything", "?limit=-1"} {
		if r := e.call(staff, "GET", "/libraries"+bad, nil); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("GET /libraries%s: status %d, want 422", bad, r.Status)
		}
	}
}

func TestDeleteLibrary(t *testing.T) {
	e := newEnv(t)
	admin, staff := e.role(auth.RoleAdmin), e.role(auth.RoleStaff)
	l := e.create(admin, osloInput())
	e.call(admin, "POST", fmt.Sprintf("/libraries/%d/ip-ranges", l.ID), map[string]any{"range": "193.157.0.0/24"}).must(t, http.StatusCreated, nil)
	path := fmt.Sprintf("/libraries/%d", l.ID)

	e.call(staff, "DELETE", path, nil).must(t, http.StatusForbidden, nil)
	e.get(admin, l.ID)
	e.call(admin, "DELETE", path, nil).must(t, http.StatusNoContent, nil)
	e.call(admin, "GET", path, nil).must(t, http.StatusNotFound, nil)
	e.call(admin, "DELETE", path, nil).must(t, http.StatusNotFound, nil)
	// Its ISIL and address range are free again.
	again := e.create(staff, osloInput())
	e.call(staff, "POST", fmt.Sprintf("/libraries/%d/ip-ranges", again.ID), map[string]any{"range": "193.157.0.0/24"}).must(t, http.StatusCreated, nil)
}
