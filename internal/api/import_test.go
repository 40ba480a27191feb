package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/auth"
)

type plan struct {
	DryRun  bool `json:"dry_run"`
	Applied bool `json:"applied"`
	Rows    []struct {
		Line     int    `json:"line"`
		Name     string `json:"name"`
		Action   string `json:"action"`
		Problems []struct {
			Column  string `json:"column"`
			Problem struct {
				Code string `json:"code"`
			} `json:"problem"`
		} `json:"problems"`
	} `json:"rows"`
	Created, Updated, Unchanged, Rejected int
}

func (e *env) importCSV(token string, dryRun bool, data []byte) resp {
	e.t.Helper()
	return e.call(token, "POST", fmt.Sprintf("/import/members?dry_run=%v&filename=m.csv", dryRun), data)
}

func TestImportIsAllOrNothing(t *testing.T) {
	e := newEnv(t)
	staff := e.role(auth.RoleStaff)
	bad := []byte("name,type,municipality_number,org_number\r\n" +
		"Hamar bibliotek,public,3403,\r\n" +
		"Lillehammer bibliotek,folkebibliotek,Lillehammer,\r\n" +
		"Feil bibliotek,public,0301,988077918\r\n")
	good := bytes.Replace(bad, []byte("988077918"), []byte("988077917"), 1)

	tests := []struct {
		name        string
		data        []byte
		dryRun      bool
		want        int
		created     int
		rejected    int
		applied     bool
		totalAfter  int
		rejectedRow int // line of the rejected row, 0 for none
	}{
		{"dry run with a bad row", bad, true, http.StatusUnprocessableEntity, 2, 1, false, 0, 4},
		{"real run with a bad row", bad, false, http.StatusUnprocessableEntity, 2, 1, false, 0, 4},
		{"dry run of the fixed file", good, true, http.StatusOK, 3, 0, false, 0, 0},
		{"real run of the fixed file", good, false, http.StatusOK, 3, 0, true, 3, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p plan
			e.importCSV(staff, tc.dryRun, tc.data).must(t, tc.want, &p)
			if p.Created != tc.created || p.Rejected != tc.rejected || p.Applied != tc.applied || p.DryRun != tc.dryRun || len(p.Rows) != 3 {
				t.Errorf("plan %+v: want created %d, rejected %d, applied %v, 3 rows", p, tc.created, tc.rejected, tc.applied)
			}
			for _, r := range p.Rows {
				rejected := r.Action == "reject"
				if rejected != (r.Line == tc.rejectedRow) {
					t.Errorf("row %d (%s) action %s", r.Line, r.Name, r.Action)
				}
				if rejected && (len(r.Problems) == 0 || r.Problems[0].Column != "org_number" || r.Problems[0].Problem.Code == "") {
					t.Errorf("rejected row %d problems %+v: want the org_number column named", r.Line, r.Problems)
				}
			}
			if got := e.list(staff, "").Total; got != tc.totalAfter {
				t.Errorf("%d libraries stored, want %d", got, tc.totalAfter)
			}
		})
	}
	out := e.list(staff, "?q=lillehammer")
	if out.Total != 1 || out.Items[0].Type != "public" || out.Items[0].MunicipalityNumber != "3405" || out.Items[0].CountyNumber != "34" {
		t.Errorf("imported Lillehammer: %+v", out.Items)
	}
}

func TestImportReadsExcelCSV(t *testing.T) {
	e := newEnv(t)
	staff := e.role(auth.RoleStaff)
	// What Norwegian Excel saves as "CSV (semikolondelt)": Windows-1252, ';', CRLF.
	data := []byte("navn;type;kommune;orgnr\r\nB\xe6rum bibliotek;folkebibliotek;B\xe6rum;988 077 917\r\n")
	var p plan
	e.importCSV(staff, false, data).must(t, http.StatusOK, &p)
	if p.Created != 1 || !p.Applied {
		t.Fatalf("plan %+v: want one library created", p)
	}
	out := e.list(staff, "?q="+url.QueryEscape("bærum"))
	if out.Total != 1 {
		t.Fatalf("search for bærum: %+v", out)
	}
	l := out.Items[0]
	if l.Name != "Bærum bibliotek" || l.MunicipalityNumber != "3201" || l.CountyNumber != "32" || l.Type != "public" || l.OrgNumber != "988077917" {
		t.Errorf("imported %+v: want Bærum bibliotek, public, 3201 in county 32, org 988077917", l)
	}
}

func TestImportRefusesBadFiles(t *testing.T) {
	e := newEnv(t)
	staff := e.role(auth.RoleStaff)
	tests := []struct {
		name   string
		token  string
		data   []byte
		want   int
		detail string
	}{
		{"no name column", staff, []byte("type,kommune\npublic,0301\n"), http.StatusUnprocessableEntity, "m.csv"},
		{"unclosed quote", staff, []byte("name,type\n\"Oslo,public\n"), http.StatusUnprocessableEntity, "m.csv"},
		{"library contact may not import", e.token(auth.NewUser{Role: auth.RoleLibrary}), []byte("name,type\nX,public\n"), http.StatusForbidden, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p problem
			e.importCSV(tc.token, false, tc.data).must(t, tc.want, &p)
			if !strings.Contains(p.Detail, tc.detail) {
				t.Errorf("detail %q does not contain %q", p.Detail, tc.detail)
			}
			if got := e.list(staff, "").Total; got != 0 {
				t.Errorf("%d libraries stored, want 0", got)
			}
		})
	}
}

func TestExportImportRoundTrip(t *testing.T) {
	e := newEnv(t)
	admin := e.role(auth.RoleAdmin)
	main := e.create(admin, with(osloInput(), "population", 717710, "latitude", 59.9087, "longitude", 10.7524,
		"website", "https://deichman.no", "notes", "Åpent; \"hver\" dag,\nogså søndag", "invoice_party", "municipality",
		"invoice_org_number", "974778874", "einvoice_endpoint", "0192:974778874"))
	branch := e.create(admin, map[string]any{"name": "Deichman Grünerløkka", "type": "public", "municipality_number": "0301",
		"parent_id": main.ID, "notes": "=1+1"})
	e.create(admin, map[string]any{"name": "Göteborgs stadsbibliotek", "type": "public", "country": "SE", "municipality_number": "1480"})
	e.call(admin, "POST", fmt.Sprintf("/libraries/%d/contacts", main.ID),
		map[string]any{"name": "Kari Nordmann", "email": "kari@example.org", "phone": "+47 23 43 29 00", "role": "primary"}).must(t, http.StatusCreated, nil)
	for _, r := range []string{"193.157.0.0/24", "193.157.2.10-193.157.2.20"} {
		e.call(admin, "POST", fmt.Sprintf("/libraries/%d/ip-ranges", main.ID), map[string]any{"range": r}).must(t, http.StatusCreated, nil)
	}
	e.call(admin, "POST", fmt.Sprintf("/libraries/%d/ip-ranges", branch.ID), map[string]any{"range": "2001:700:100::/48"}).must(t, http.StatusCreated, nil)

	r := e.call(admin, "GET", "/export/members?format=csv", nil)
	r.must(t, http.StatusOK, nil)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type %q, want text/csv", ct)
	}
	if !bytes.HasPrefix(r.Body, []byte("\xEF\xBB\xBF")) {
		t.Errorf("export does not start with a UTF-8 BOM: %q", r.Body[:min(len(r.Body), 20)])
	}
	header, _, _ := strings.Cut(strings.TrimPrefix(string(r.Body), "\uFEFF"), "\r\n")
	if cols := strings.Split(header, ";"); len(cols) < 2 || cols[1] != "name" {
		t.Errorf("header row %q does not hold the name column", header)
	}
	for _, want := range []string{"Deichman Grünerløkka", "Kari Nordmann", "193.157.2.10-193.157.2.20", "'=1+1"} {
		if !bytes.Contains(r.Body, []byte(want)) {
			t.Errorf("export lacks %q", want)
		}
	}

	var p plan
	e.importCSV(admin, false, r.Body).must(t, http.StatusOK, &p)
	if p.Created != 0 || p.Rejected != 0 || p.Updated != 0 || p.Unchanged != 3 {
		t.Errorf("re-import of the export: %+v, want 3 unchanged and nothing else", p)
	}
	if got := e.list(admin, "").Total; got != 3 {
		t.Errorf("%d libraries after the round trip, want 3", got)
	}
	if got := e.get(admin, main.ID); got.Version != main.Version || got.Notes != "Åpent; \"hver\" dag,\nogså søndag" {
		t.Errorf("main library after the round trip: %+v", got)
	}
}

// Text that a person typed must survive export and re-import untouched,
// whatever it holds: browsers send textarea line breaks as CRLF, and an
// apostrophe before a formula-like value is how people defuse it themselves.
func TestExportRoundTripKeepsTypedText(t *testing.T) {
	tests := []struct{ name, notes string }{
		{"line feeds", "Line one\nLine two"},
		{"textarea line breaks (CRLF)", "Line one\r\nLine two"},
		{"leading plus", "+47 is the country code"},
		{"leading apostrophe before a formula", "'=SUM(A1:A2)"},
		{"leading apostrophe before a plus", "'+47 23 43 29 00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			admin := e.role(auth.RoleAdmin)
			l := e.create(admin, with(osloInput(), "notes", tc.notes))
			r := e.call(admin, "GET", "/export/members?format=csv", nil)
			r.must(t, http.StatusOK, nil)
			var p plan
			e.importCSV(admin, false, r.Body).must(t, http.StatusOK, &p)
			if p.Unchanged != 1 || p.Updated != 0 {
				t.Errorf("re-import: %d unchanged, %d updated; want the library unchanged", p.Unchanged, p.Updated)
			}
			if got := e.get(admin, l.ID); got.Notes != l.Notes || got.Version != l.Version {
				t.Errorf("notes %q (version %d) after the round trip, want %q (version %d)", got.Notes, got.Version, l.Notes, l.Version)
			}
		})
	}
}
