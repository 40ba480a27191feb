package e2e

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/usage"
	"github.com/samla-org/samla/internal/usage/sushi/sushitest"
)

// Scenario (usage statistics issue, "Done when"): the real COUNTER sample
// files import with correct totals; a harvest against a SUSHI server fills a
// month for several libraries; cost per use shows for a product; the
// monthly story renders with a chart.
func TestUsageDoneWhen(t *testing.T) {
	t.Parallel()
	p := start(t)
	ctx := context.Background()
	svc := p.svc
	svc.Usage.Key = bytes.Repeat([]byte{3}, 32)
	libs, _, err := svc.Members.List(ctx, auth.System, members.Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, l := range libs {
		ids[l.Name] = l.ID
	}
	deichman := ids["Deichman Bjørvika"]
	p.login()

	// 1. COUNTER's own R5.1 samples, uploaded together: PR as JSON, TR as TSV.
	dir, err := filepath.Abs("../internal/usage/counter/testdata/r51")
	if err != nil {
		t.Fatal(err)
	}
	p.open("/usage/upload")
	p.do("choose the samples", chromedp.SetUploadFiles(chromedp.CSS(`input[name="files"]`),
		[]string{filepath.Join(dir, "PR_sample_r51.json"), filepath.Join(dir, "TR_sample_r51.tsv")}))
	p.set(`select[name="library"]`, fmt.Sprint(deichman))
	p.click(`form[action="/usage/upload"] button[type="submit"]`)
	results := digitsOnly(p.text("#upload-results"))
	for _, want := range []string{"Total_Item_Requests512553", "Searches_Platform392072", "Total_Item_Requests255023"} {
		if !strings.Contains(results, want) {
			p.fatal("upload results lack %s:\n%s", want, p.text("#upload-results"))
		}
	}
	p.open("/usage?from=2022-01&to=2022-12&report=PR&by=library")
	if got := digitsOnly(p.text("#usage-total")); !strings.Contains(got, "512553") {
		p.fatal("usage total %q, want 512 553", p.text("#usage-total"))
	}

	// 2. A harvest of March 2024 from a SUSHI server on this machine, for
	// three libraries, started from the harvest page.
	srv := sushitest.New(t)
	ep, err := svc.Usage.SaveEndpoint(ctx, auth.System, usage.EndpointInput{Platform: "Sample Platform", BaseURL: srv.URL51(), Reports: "TR,PR"})
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"Deichman Bjørvika", "Bergen offentlige bibliotek", "Trondheim folkebibliotek"} {
		customer := fmt.Sprintf("cust-%d", i+1)
		srv.AddCustomer(customer, "key", sushitest.Normal, i+1)
		if _, err := svc.Usage.SaveCredential(ctx, auth.System, usage.CredentialInput{EndpointID: ep.ID, LibraryID: ids[name], CustomerID: customer, APIKey: "key"}); err != nil {
			t.Fatal(err)
		}
	}
	p.open("/usage/harvests?month=2024-03")
	p.click(`form[method="post"][action="/usage/harvests"] button[type="submit"]`)
	if n := p.count("#harvest-log tr.status-ok"); n != 6 {
		p.fatal("%d harvest lines ok, want 6 (3 libraries × TR, PR):\n%s", n, p.text("#harvest-log"))
	}
	p.open("/usage?from=2024-03&to=2024-03&report=TR&by=library")
	table := p.text("#usage-table")
	for name, factor := range map[string]int64{"Deichman Bjørvika": 1, "Bergen offentlige bibliotek": 2, "Trondheim folkebibliotek": 3} {
		want, err := srv.Expected(sushitest.R51, "TR", fmt.Sprintf("cust-%d", factor), "Total_Item_Requests", "2024-03", "2024-03")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(digitsOnly(table), digitsOnly(name)+fmt.Sprint(want)) {
			p.fatal("March 2024 for %s: want %d in\n%s", name, want, table)
		}
	}

	// 3. Cost per use: the platform belongs to a product Deichman was
	// invoiced 12 000,00 NOK for in 2024.
	now := time.Now()
	var vendor, product, invoice, line int64
	for _, q := range []struct {
		sql  string
		dst  *int64
		args []any
	}{
		{`INSERT INTO vendors (name, country, created_at, updated_at) VALUES ('Sample Publisher AS', 'NO', ?, ?)`, &vendor, []any{now, now}},
		{`INSERT INTO products (vendor_id, slug, name, created_at, updated_at) VALUES (?, 'sample', 'Sample Database', ?, ?)`, &product, []any{&vendor, now, now}},
		{`INSERT INTO invoices (kind, number, status, party_key, party_kind, buyer_name, currency, issue_date, due_date, created_at)
			VALUES ('invoice', '2024-1', 'approved', 'lib', 'library', 'Deichman Bjørvika', 'NOK', '2024-02-01', '2024-03-01', ?)`, &invoice, []any{now}},
		{`INSERT INTO invoice_lines (invoice_id, position, kind, library_id, product_id, description, amount_minor, vat_category, vat_rate_bp, source_currency, source_minor, source_key)
			VALUES (?, 1, 'subscription', ?, ?, 'Sample Database 2024', 1200000, 'S', 2500, 'NOK', 1200000, 'e2e-1')`, &line, []any{&invoice, deichman, &product}},
	} {
		args := make([]any, len(q.args))
		for i, a := range q.args {
			if ptr, ok := a.(*int64); ok {
				a = *ptr
			}
			args[i] = a
		}
		if err := svc.DB.NewRaw(q.sql+" RETURNING id", args...).Scan(ctx, q.dst); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	platforms, err := svc.Usage.Platforms(ctx, auth.System)
	if err != nil {
		t.Fatal(err)
	}
	for _, pl := range platforms {
		if err := svc.Usage.MapPlatform(ctx, auth.System, pl.ID, product); err != nil {
			t.Fatal(err)
		}
	}
	cpu, err := svc.Usage.CostPerUse(ctx, auth.System, product, 2024, "")
	if err != nil {
		t.Fatal(err)
	}
	var perUse string
	for _, c := range cpu {
		if c.LibraryID == deichman && c.PerUseMinor != nil {
			perUse = money.Format("nb", *c.PerUseMinor, c.Currency)
		}
	}
	if perUse == "" {
		t.Fatalf("no cost per use for Deichman: %+v", cpu)
	}
	p.open(fmt.Sprintf("/usage/cost?product=%d&year=2024", product))
	if got := p.text("#cost-table"); !strings.Contains(got, perUse) || !strings.Contains(got, "12 000,00 NOK") {
		p.fatal("cost per use table lacks %s per use and the 12 000,00 NOK cost:\n%s", perUse, got)
	}

	// 4. The month's story, with its chart.
	p.open("/usage/story?month=2024-03&lang=nb")
	if !p.exists("#story-chart svg") {
		p.fatal("the story has no chart")
	}
	st, err := svc.Usage.MonthStory(ctx, auth.System, "2024-03")
	if err != nil {
		t.Fatal(err)
	}
	if got := digitsOnly(p.text("#story-headlines")); st.Requests == 0 || !strings.Contains(got, fmt.Sprint(st.Requests)) {
		p.fatal("headlines %q: want the month's %d requests", p.text("#story-headlines"), st.Requests)
	}
	text := p.text("#story-text")
	if strings.Contains(text, "uweb.") || !strings.Contains(digitsOnly(text), fmt.Sprint(st.Requests)) {
		p.fatal("story text for the blog %q: want sentences with the %d requests, no message ids", text, st.Requests)
	}
	svg := p.fetch("/usage/story/chart.svg?month=2024-03")
	if svg.Status != 200 || !strings.HasPrefix(svg.Type, "image/svg+xml") || !strings.Contains(svg.Body, "<svg") {
		p.fatal("chart download: %d %s", svg.Status, svg.Type)
	}
	p.keep("story-chart.svg", []byte(svg.Body))
	p.shot("usage-story")
}

// digitsOnly drops the spaces (and no-break spaces) that group digits, so
// "512 553" compares as "512553".
func digitsOnly(s string) string {
	return strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", "\n", "", "\t", "").Replace(s)
}
