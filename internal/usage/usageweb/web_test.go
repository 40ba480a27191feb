package usageweb_test

import (
	"bytes"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/tabular"
)

// product is a product of a vendor of its own.
func (s *site) product(name string) *products.Product {
	s.t.Helper()
	v, err := s.svc.Products.CreateVendor(s.ctx, setup, products.VendorInput{Name: name + " AS", Country: "NO"})
	if err != nil {
		s.t.Fatal(err)
	}
	p, err := s.svc.Products.CreateProduct(s.ctx, setup, products.ProductInput{VendorID: v.ID, Name: name})
	if err != nil {
		s.t.Fatal(err)
	}
	return p
}

// The world most tests share: Bibliotek A used "Plattform X" 100 times in
// February and 150 in March 2024 (searches 40 and 60); Bibliotek B 50
// times in March, and its vendor reported no usage for February.
func (s *site) seed() {
	s.t.Helper()
	s.importReport(s.libA.ID, "", "a.json", prReport("Plattform X", map[string]map[string]int64{
		"Total_Item_Requests": {"2024-02": 100, "2024-03": 150}, "Searches_Platform": {"2024-02": 40, "2024-03": 60}}))
	s.importReport(s.libB.ID, "", "b.json", prReport("Plattform X", map[string]map[string]int64{"Total_Item_Requests": {"2024-03": 50}}))
	if res := s.importReport(s.libB.ID, "Plattform X", "b-none.json", noUsageReport("2024-02-01", "2024-02-29")); !res.NoUsage {
		s.t.Fatalf("no-usage report: %+v", res)
	}
	s.importReport(s.libA.ID, "", "tr.json", trReport("Plattform X", "Norsk lovkommentar", map[string]int64{"2024-03": 77}))
}

func TestOverviewShowsChartTableAndExports(t *testing.T) {
	s := newSite(t)
	s.seed()
	b := s.staff()
	q := "?from=2024-02&to=2024-03&by=library&report=PR&metric=Total_Item_Requests"
	p := b.Get("/usage"+q).Want(t, "overview", http.StatusOK, "<svg", "<polyline", "Bibliotek A", "Bibliotek B")
	table := p.Section("usage-table")
	for _, want := range []string{"2024-02", "2024-03", ">150<", ">250<", ">50<", "ingen bruk rapportert"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	if total := p.Section("usage-total"); !strings.Contains(total, ">300") {
		t.Errorf("total cell %q, want 300", total)
	}
	// The chart draws the totals per month: February 100, March 200.
	chart := p.Section("usage-chart")
	if !strings.Contains(chart, "2024-02: 100") || !strings.Contains(chart, "2024-03: 200") {
		t.Errorf("chart lacks the monthly totals:\n%s", chart)
	}
	b.Get("/usage?from=2024-02&to=2024-03&chart=bar").Want(t, "bar chart", http.StatusOK, `<rect x=`, "2024-03: 200")

	csv := b.Get("/usage/export.csv"+q).Want(t, "csv", http.StatusOK)
	if ct := csv.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("csv content type %q", ct)
	}
	if cd := csv.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, ".csv") {
		t.Errorf("csv disposition %q", cd)
	}
	for _, line := range []string{"Bibliotek;2024-02;2024-03;Sum", "Bibliotek A;100;150;250", "Bibliotek B;ingen bruk rapportert;50;50", "Sum;100;200;300"} {
		if !strings.Contains(csv.Body, line+"\r\n") {
			t.Errorf("csv lacks line %q:\n%s", line, csv.Body)
		}
	}
	x := b.Get("/usage/export.xlsx"+q).Want(t, "xlsx", http.StatusOK)
	tab, err := tabular.ReadXLSX("usage.xlsx", []byte(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != 3 || tab.Get(tab.Rows[0], "Sum") != "250" || tab.Get(tab.Rows[2], "2024-03") != "200" {
		t.Errorf("xlsx rows %+v", tab.Rows)
	}
	// A bad period is said, not a server error.
	b.Get("/usage?from=2024-05&to=2024-01").Want(t, "bad period", http.StatusUnprocessableEntity, "Ugyldig periode")
}

func TestUploadStoresGoodFileAndShowsBrokenOne(t *testing.T) {
	s := newSite(t)
	b := s.staff()
	good := prReport("Plattform Y", map[string]map[string]int64{"Total_Item_Requests": {"2024-01": 7, "2024-02": 9}})
	p := b.PostFiles("/usage/upload", url.Values{"library": {id64(s.libA.ID)}}, files(map[string][]byte{
		"good.json": good, "broken.json": []byte(`{"Report_Header": {"Release": "5.1", "Report_ID": "PR"`)})...)
	p.Want(t, "upload", http.StatusUnprocessableEntity)
	res := p.Section("upload-results")
	// (The service names platforms by their lower-cased key here.)
	if !strings.Contains(strings.ToLower(res), "plattform y") {
		t.Errorf("results lack the platform:\n%s", res)
	}
	for _, want := range []string{"good.json", "2024-01, 2024-02", "Total_Item_Requests", ">16<", "Bibliotek A",
		"broken.json", "Filen ble ikke lagret."} {
		if !strings.Contains(res, want) {
			t.Errorf("results lack %q:\n%s", want, res)
		}
	}
	if n := strings.Count(res, `class="uweb-file failed"`); n != 1 {
		t.Errorf("%d failed files shown, want 1", n)
	}
	tab, err := s.usage.Usage(s.ctx, setup, usageQuery("2024-01", "2024-02"), "library")
	if err != nil || tab.Total.Total != 16 {
		t.Errorf("stored usage %+v, %v: want 16 from the good file", tab, err)
	}
	// Finding the library from the report: this one names no ISIL it knows.
	b.PostFiles("/usage/upload", url.Values{"library": {"0"}}, files(map[string][]byte{"who.json": good})...).
		Want(t, "unknown library", http.StatusUnprocessableEntity, "Fant ikke ett entydig bibliotek")
}

func TestPlatformMappingAndSushiSetup(t *testing.T) {
	s := newSite(t)
	s.seed()
	b := s.staff()
	prod := s.product("Lovdata Pro")
	ps, err := s.usage.Platforms(s.ctx, setup)
	if err != nil || len(ps) != 1 {
		t.Fatalf("platforms %v %v", ps, err)
	}
	pid := id64(ps[0].ID)
	b.Get("/usage/platforms").Want(t, "platforms", http.StatusOK, "Plattform X", "Lovdata Pro", `id="no-key"`)
	b.Post("/usage/platforms/"+pid, url.Values{"product_id": {id64(prod.ID)}}).Redirected(t, "map", "/usage/platforms")
	if ps, _ = s.usage.Platforms(s.ctx, setup); ps[0].ProductID == nil || *ps[0].ProductID != prod.ID {
		t.Errorf("platform not mapped: %+v", ps[0])
	}
	b.Get("/usage?from=2024-02&to=2024-03&by=product").Want(t, "by product", http.StatusOK, "Lovdata Pro")
	b.Post("/usage/platforms/"+pid, url.Values{"product_id": {"99999"}}).Want(t, "unknown product", http.StatusUnprocessableEntity, "Produktet finnes ikke")

	b.Post("/usage/sushi/endpoints", url.Values{"platform": {"Plattform X"}, "platform_id": {pid}, "base_url": {"ftp://nope"}}).
		Want(t, "bad url", http.StatusUnprocessableEntity, "er ikke en gyldig http- eller https-adresse")
	b.Post("/usage/sushi/endpoints", url.Values{"platform": {"Plattform X"}, "platform_id": {pid}, "base_url": {"https://sushi.example/r51"},
		"reports": {"PR"}}).Redirected(t, "endpoint", "/usage/platforms")
	var epID int64
	if err := s.usage.DB.NewSelect().Table("usage_sushi_endpoints").Column("id").Scan(s.ctx, &epID); err != nil {
		t.Fatal(err)
	}
	cred := url.Values{"endpoint_id": {id64(epID)}, "library_id": {id64(s.libA.ID)}, "customer_id": {"KUNDE-1"}, "api_key": {"hemmelig-nokkel-123"}}
	// Without a key the secret cannot be stored, and the page says why.
	b.Post("/usage/sushi/credentials", cred).Want(t, "no key", http.StatusUnprocessableEntity, "SAMLA_SECRET_KEY").
		Lacks(t, "no key", "hemmelig-nokkel-123")
	s.usage.Key = bytes.Repeat([]byte{7}, 32)
	b.Post("/usage/sushi/credentials", cred).Redirected(t, "credential", "/usage/platforms")
	p := b.Get("/usage/platforms").Want(t, "platforms with access", http.StatusOK, "https://sushi.example/r51", "KUNDE-1", "lagret (kryptert)")
	p.Lacks(t, "platforms with access", "hemmelig-nokkel-123", `id="no-key"`)
}

func TestHarvestPageRunsAndRedirects(t *testing.T) {
	s := newSite(t)
	b := s.staff()
	// An empty database: the pages still stand, with the last twelve months.
	b.Get("/usage").Want(t, "empty overview", http.StatusOK, "Ingen bruk funnet", `value="2023-04"`, `value="2024-03"`, "<svg")
	b.Get("/usage/story").Want(t, "empty story", http.StatusOK, "I mars 2024 ble det lastet ned eller vist 0 dokumenter")
	b.Get("/usage/harvests").Want(t, "harvests", http.StatusOK, `value="2024-03"`, "Ingen innhøsting")
	loc := b.Post("/usage/harvests", url.Values{"month": {"2024-03"}, "again": {"1"}}).Redirected(t, "harvest", "/usage/harvests?month=2024-03")
	b.Get(loc).Want(t, "after harvest", http.StatusOK, "0 lagt i kø, 0 hentet.")
	b.Post("/usage/harvests", url.Values{"month": {"mars"}}).Want(t, "bad month", http.StatusUnprocessableEntity, "er ikke en måned")
}

func TestCostPerUse(t *testing.T) {
	s := newSite(t)
	s.seed()
	b := s.staff()
	prod := s.product("Lovdata Pro")
	ps, _ := s.usage.Platforms(s.ctx, setup)
	if err := s.usage.MapPlatform(s.ctx, setup, ps[0].ID, prod.ID); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	var inv int64
	if err := s.usage.DB.NewRaw(`INSERT INTO invoices (kind, status, party_key, party_kind, buyer_name, currency, issue_date, due_date, created_at)
		VALUES ('invoice', 'approved', 'lib-a', 'library', 'Bibliotek A', 'NOK', '2024-02-01', '2024-03-01', ?) RETURNING id`, now).Scan(s.ctx, &inv); err != nil {
		t.Fatal(err)
	}
	if _, err := s.usage.DB.NewRaw(`INSERT INTO invoice_lines (invoice_id, position, kind, library_id, product_id, description, amount_minor,
		vat_category, vat_rate_bp, source_currency, source_minor, source_key) VALUES (?, 1, 'subscription', ?, ?, 'Lovdata Pro 2024', 30000, 'S', 2500, 'NOK', 30000, 'k1')`,
		inv, s.libA.ID, prod.ID).Exec(s.ctx); err != nil {
		t.Fatal(err)
	}
	// Bibliotek C subscribes and never used it.
	libC := s.library("Bibliotek C", "5001", "NO-0000003")
	if _, err := s.usage.DB.NewRaw(`INSERT INTO subscriptions (library_id, product_id, starts_on, ends_on, created_at) VALUES (?, ?, '2024-01-01', '2024-12-31', ?)`,
		libC.ID, prod.ID, now).Exec(s.ctx); err != nil {
		t.Fatal(err)
	}
	p := b.Get("/usage/cost?product="+id64(prod.ID)+"&year=2024").Want(t, "cost", http.StatusOK,
		"/usage?product="+id64(prod.ID))
	table := p.Section("cost-table")
	// 300,00 NOK over 77 uses is 3,90 NOK per use: the title report
	// counts when there is one (the platform report says 250).
	for _, want := range []string{"300,00 NOK", ">77<", ">TR<", "3,90 NOK", "Bibliotek C", "Abonnerer, men ingen bruk", "Bruk uten abonnement"} {
		if !strings.Contains(table, want) {
			t.Errorf("cost table lacks %q:\n%s", want, table)
		}
	}
	b.Get("/usage/gaps?year=2024").Want(t, "gaps", http.StatusOK, "Bibliotek C", "Lovdata Pro")
}

func TestStoryAndItsChart(t *testing.T) {
	s := newSite(t)
	s.seed()
	b := s.staff()
	// March 200 requests against 100 in February; searches 60 against 40.
	p := b.Get("/usage/story?month=2024-03&lang=en").Want(t, "story en", http.StatusOK, "<svg", "Norsk lovkommentar", "Plattform X")
	head := html.UnescapeString(p.Section("story-headlines"))
	for _, want := range []string{">200<", ">60<", ">2<", "Against last month: +100\u00a0%", "+50\u00a0%"} {
		if !strings.Contains(head, want) {
			t.Errorf("headlines lack %q:\n%s", want, head)
		}
	}
	text := html.UnescapeString(p.Section("story-text"))
	for _, want := range []string{"In March 2024, 200 documents", "That is +100\u00a0% on February 2024.", "2 libraries had usage",
		"Plattform X (+100)", "Norsk lovkommentar (77)"} {
		if !strings.Contains(text, want) {
			t.Errorf("story text lacks %q:\n%s", want, text)
		}
	}
	// Nothing a year before: no comparison with it is made up.
	if strings.Contains(text, "March 2023") {
		t.Errorf("story compares with a year without data:\n%s", text)
	}
	nb := b.Get("/usage/story?month=2024-03&lang=nb").Want(t, "story nb", http.StatusOK, "I mars 2024 ble det lastet ned")
	if !strings.Contains(html.UnescapeString(nb.Section("story-text")), "Det er +50\u00a0% fra februar 2024.") {
		t.Errorf("nb story:\n%s", nb.Section("story-text"))
	}
	svg := b.Get("/usage/story/chart.svg?month=2024-03&lang=nb").Want(t, "chart.svg", http.StatusOK, `xmlns="http://www.w3.org/2000/svg"`, "2024-03: 200")
	if ct := svg.Header.Get("Content-Type"); ct != "image/svg+xml" {
		t.Errorf("svg content type %q", ct)
	}
	if cd := svg.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, "usage-2024-03.svg") {
		t.Errorf("svg disposition %q", cd)
	}
	if !strings.HasPrefix(svg.Body, "<svg") {
		t.Errorf("svg file starts %q", svg.Body[:min(40, len(svg.Body))])
	}
}

func TestBibStat(t *testing.T) {
	s := newSite(t)
	s.seed()
	b := s.staff()
	p := b.Get("/usage/bibstat?year=2024").Want(t, "bibstat", http.StatusOK, "Søk i e-ressurser", "Nedlastinger/visninger av fulltekst", "Sesjoner",
		"NO-0000001", "Searches_Platform")
	if table := p.Section("bibstat-table"); !strings.Contains(table, ">250<") || !strings.Contains(table, ">100<") {
		t.Errorf("bibstat table:\n%s", table)
	}
	x := b.Get("/usage/bibstat.xlsx?year=2024").Want(t, "bibstat xlsx", http.StatusOK)
	if ct := x.Header.Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") {
		t.Errorf("xlsx content type %q", ct)
	}
	tab, err := tabular.ReadXLSX("bibstat.xlsx", []byte(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ISIL", "Bibliotek", "Søk i e-ressurser", "Nedlastinger/visninger av fulltekst", "Sesjoner", "Undersøkelser (til informasjon)"}
	if strings.Join(tab.Header, "|") != strings.Join(want, "|") {
		t.Errorf("xlsx header %q", tab.Header)
	}
	if len(tab.Rows) != 2 || tab.Get(tab.Rows[0], "ISIL") != "NO-0000001" || tab.Get(tab.Rows[0], "Søk i e-ressurser") != "100" ||
		tab.Get(tab.Rows[0], "Nedlastinger/visninger av fulltekst") != "250" || tab.Get(tab.Rows[0], "Sesjoner") != "" {
		t.Errorf("xlsx rows %+v", tab.Rows)
	}
}

func TestOnlyTheConsortiumSeesUsage(t *testing.T) {
	s := newSite(t)
	s.seed()
	lib := s.login(s.user("kontakt@a.example", auth.RoleLibrary, func(n *auth.NewUser) { n.LibraryID = &s.libA.ID }))
	for _, path := range []string{"/usage", "/usage/export.csv", "/usage/export.xlsx", "/usage/upload", "/usage/platforms", "/usage/harvests",
		"/usage/cost", "/usage/gaps", "/usage/story", "/usage/story/chart.svg", "/usage/bibstat", "/usage/bibstat.xlsx"} {
		lib.Get(path).Want(t, path, http.StatusForbidden)
	}
	lib.Post("/usage/harvests", url.Values{"month": {"2024-03"}}).Want(t, "harvest by library", http.StatusForbidden)
	lib.PostFiles("/usage/upload", url.Values{"library": {id64(s.libA.ID)}}, files(map[string][]byte{"a.json": []byte("{}")})...).
		Want(t, "upload by library", http.StatusForbidden)
}
