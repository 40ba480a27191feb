package usageweb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/db/dbtest"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/server"
	"github.com/samla-org/samla/internal/usage"
	"github.com/samla-org/samla/internal/usage/usageweb"
	"github.com/samla-org/samla/internal/web"
	"github.com/samla-org/samla/internal/web/webtest"
)

// setup is the actor that seeds the world through the services.
var setup = auth.Actor{Name: "Setup", Role: auth.RoleAdmin}

// site is the application's services and the shared web parts over real
// HTTP on a fresh database, with the usage pages registered as the
// server registers them, and two libraries. The clock stands in April
// 2024, so March is "last month".
type site struct {
	t      *testing.T
	ctx    context.Context
	base   string
	svc    *server.Services
	usage  *usage.Service
	libA   *members.Library
	libB   *members.Library
	loginN int
}

func newSite(t *testing.T) *site {
	t.Helper()
	d := dbtest.Open(t)
	svc, err := server.NewServices(d)
	if err != nil {
		t.Fatal(err)
	}
	svc.Usage.Now = func() time.Time { return time.Date(2024, 4, 10, 8, 0, 0, 0, time.UTC) }
	base := webtest.Serve(t, d, svc.Users, svc.Catalog, func(mux *http.ServeMux, app *web.App) error {
		return usageweb.Register(mux, app, usageweb.Deps{Usage: svc.Usage, Members: svc.Members, Products: svc.Products})
	})
	s := &site{t: t, ctx: context.Background(), base: base, svc: svc, usage: svc.Usage}
	s.libA = s.library("Bibliotek A", "4601", "NO-0000001")
	s.libB = s.library("Bibliotek B", "0301", "NO-0000002")
	return s
}

func (s *site) library(name, municipality, isil string) *members.Library {
	s.t.Helper()
	l, _, err := s.svc.Members.Create(s.ctx, auth.System, members.LibraryInput{Name: name, Type: "public", MunicipalityNumber: municipality, ISIL: isil})
	if err != nil {
		s.t.Fatalf("library %s: %v", name, err)
	}
	return l
}

// prReport is a minimal COUNTER R5.1 platform report: counts by metric
// and month ("2024-03") on one platform.
func prReport(platform string, counts map[string]map[string]int64) []byte {
	months := map[string]bool{}
	for _, byMonth := range counts {
		for m := range byMonth {
			months[m] = true
		}
	}
	var ms []string
	for m := range months {
		ms = append(ms, m)
	}
	sort.Strings(ms)
	end, _ := time.Parse("2006-01", ms[len(ms)-1])
	rep := map[string]any{
		"Report_Header": map[string]any{"Release": "5.1", "Report_ID": "PR", "Report_Name": "Platform Report", "Created": "2024-04-02T09:00:00Z",
			"Created_By": "Test vendor", "Institution_Name": "Test", "Institution_ID": map[string]any{"ISNI": []string{"1234123412341234"}},
			"Report_Filters": map[string]any{"Begin_Date": ms[0] + "-01", "End_Date": end.AddDate(0, 1, -1).Format("2006-01-02")}},
		"Report_Items": []any{map[string]any{"Platform": platform, "Attribute_Performance": []any{
			map[string]any{"Data_Type": "Article", "Access_Method": "Regular", "Performance": counts}}}},
	}
	b, _ := json.Marshal(rep)
	return b
}

// trReport is a minimal R5.1 title report: one title's requests by month.
func trReport(platform, title string, requests map[string]int64) []byte {
	rep := map[string]any{
		"Report_Header": map[string]any{"Release": "5.1", "Report_ID": "TR", "Report_Name": "Title Report", "Created": "2024-04-02T09:00:00Z",
			"Created_By": "Test vendor", "Institution_Name": "Test", "Institution_ID": map[string]any{"ISNI": []string{"1234123412341234"}},
			"Report_Filters": map[string]any{"Begin_Date": "2024-01-01", "End_Date": "2024-03-31"}},
		"Report_Items": []any{map[string]any{"Title": title, "Publisher": "Forlaget", "Platform": platform,
			"Item_ID": map[string]any{"Proprietary": "T:" + title}, "Attribute_Performance": []any{
				map[string]any{"Data_Type": "Book", "YOP": "2020", "Access_Type": "Controlled", "Access_Method": "Regular",
					"Performance": map[string]any{"Total_Item_Requests": requests}}}}},
	}
	b, _ := json.Marshal(rep)
	return b
}

// noUsageReport is a vendor's "no usage" (3030) for the months given.
func noUsageReport(begin, end string) []byte {
	return []byte(fmt.Sprintf(`{"Report_Header":{"Release":"5.1","Report_ID":"PR","Report_Name":"Platform Report","Created":"2024-04-02T09:00:00Z",
"Created_By":"Test vendor","Institution_Name":"Test","Report_Filters":{"Begin_Date":%q,"End_Date":%q},
"Exceptions":[{"Code":3030,"Severity":"Error","Message":"No Usage Available for Requested Dates"}]},"Report_Items":[]}`, begin, end))
}

func (s *site) importReport(lib int64, platform, name string, data []byte) *usage.ImportResult {
	s.t.Helper()
	res, err := s.usage.Import(s.ctx, setup, usage.ImportInput{LibraryID: lib, Platform: platform, FileName: name, Keep: data}, bytes.NewReader(data))
	if err != nil {
		s.t.Fatalf("import %s: %v", name, err)
	}
	return res
}

func (s *site) user(email string, role auth.Role, set func(*auth.NewUser)) *auth.User {
	s.t.Helper()
	return webtest.User(s.t, s.svc.Users, email, role, set)
}

func (s *site) staff() *webtest.Browser {
	s.loginN++
	return s.login(s.user(fmt.Sprintf("staff%d@konsortium.test", s.loginN), auth.RoleStaff, nil))
}

func (s *site) login(u *auth.User) *webtest.Browser {
	s.t.Helper()
	return webtest.Login(s.t, s.base, u.Email)
}

// files are the files (name → content) of an upload form's "files" field,
// in name order.
func files(byName map[string][]byte) []webtest.File {
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	fs := make([]webtest.File, len(names))
	for i, n := range names {
		fs[i] = webtest.File{Field: "files", Name: n, Data: byName[n]}
	}
	return fs
}

func id64(v int64) string { return strconv.FormatInt(v, 10) }

func usageQuery(from, to string) usage.Query { return usage.Query{From: from, To: to} }
