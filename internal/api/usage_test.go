package api_test

import (
	"fmt"
	"net/http"
	"os"
	"testing"

	"github.com/samla-org/samla/internal/auth"
)

// A COUNTER report goes in through the API and its numbers come out; only
// the consortium may do either.
func TestUsageReportInAndNumbersOut(t *testing.T) {
	e := newEnv(t)
	admin := e.role(auth.RoleAdmin)
	lib := e.create(admin, osloInput())
	data, err := os.ReadFile("../usage/counter/testdata/r51/PR_sample_r51.tsv")
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		ReportID string           `json:"report_id"`
		Rows     int64            `json:"rows"`
		Months   []string         `json:"months"`
		Totals   map[string]int64 `json:"totals"`
	}
	e.call(admin, "POST", fmt.Sprintf("/usage/reports?library=%d&name=PR.tsv", lib.ID), data).must(t, http.StatusCreated, &res)
	if res.ReportID != "PR" || len(res.Months) != 12 || res.Totals["Total_Item_Requests"] != 512553 {
		t.Errorf("import result %+v", res)
	}
	var table struct {
		Total struct {
			Total int64 `json:"total"`
		} `json:"total"`
		Rows []struct {
			Name string `json:"name"`
		} `json:"rows"`
	}
	e.call(admin, "GET", "/usage?from=2022-01&to=2022-12&by=library&metric=Searches_Platform", nil).must(t, http.StatusOK, &table)
	if table.Total.Total != 392072 || len(table.Rows) != 1 || table.Rows[0].Name != lib.Name {
		t.Errorf("usage table %+v", table)
	}
	// A file that is not a report: 422 saying why.
	if r := e.call(admin, "POST", fmt.Sprintf("/usage/reports?library=%d&name=x.tsv", lib.ID), []byte("hello\tworld\n")); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("garbage: %d %s", r.Status, r.Body)
	}
	libTok := e.token(auth.NewUser{Role: auth.RoleLibrary, LibraryID: &lib.ID})
	for _, c := range []struct{ method, path string }{{"GET", "/usage?from=2022-01&to=2022-12"}, {"POST", fmt.Sprintf("/usage/reports?library=%d", lib.ID)}} {
		var body any
		if c.method == "POST" {
			body = data
		}
		if r := e.call(libTok, c.method, c.path, body); r.Status != http.StatusForbidden {
			t.Errorf("library contact %s %s: %d, want 403", c.method, c.path, r.Status)
		}
	}
}
