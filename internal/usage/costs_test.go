package usage_test

import (
	"context"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/usage"
)

// Cost per use: what a library was invoiced for a product in a year over
// its use of the product's platform, counted once (TR before PR); and the
// gaps between subscribing and using.
func TestCostPerUseAndGaps(t *testing.T) {
	w := newWorld(t, 3)
	ctx := context.Background()
	a, b, c := w.Libs[0], w.Libs[1], w.Libs[2]
	res := w.importFile(t, a, "TR.json", sample(t, "r51/TR_sample_r51.json"))
	w.importFile(t, a, "PR.json", sample(t, "r51/PR_sample_r51.json"))
	w.importFile(t, b, "PR.json", sample(t, "r51/PR_sample_r51.json"))
	now := time.Now()
	var vendor, product, invoice int64
	must := func(q string, dst *int64, args ...any) {
		t.Helper()
		if err := w.DB.NewRaw(q+" RETURNING id", args...).Scan(ctx, dst); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	must(`INSERT INTO vendors (name, country, created_at, updated_at) VALUES ('Sample Publisher', 'NO', ?, ?)`, &vendor, now, now)
	must(`INSERT INTO products (vendor_id, slug, name, created_at, updated_at) VALUES (?, 'sample', 'Sample Product', ?, ?)`, &product, vendor, now, now)
	must(`INSERT INTO invoices (kind, number, status, party_key, party_kind, buyer_name, currency, issue_date, due_date, created_at)
		VALUES ('invoice', '1001', 'approved', 'lib', 'library', 'Bibliotek A', 'NOK', '2022-03-01', '2022-03-31', ?)`, &invoice, now)
	var line int64
	must(`INSERT INTO invoice_lines (invoice_id, position, kind, library_id, product_id, description, amount_minor, vat_category, vat_rate_bp, source_currency, source_minor, source_key)
		VALUES (?, 1, 'subscription', ?, ?, 'Sample Product 2022', 1000000, 'S', 2500, 'NOK', 1000000, 'k1')`, &line, invoice, a, product)
	var sub int64
	must(`INSERT INTO subscriptions (library_id, product_id, starts_on, ends_on, created_at) VALUES (?, ?, '2022-01-01', '2022-12-31', ?)`, &sub, c, product, now)

	platforms, err := w.Svc.Platforms(ctx, admin)
	if err != nil || len(platforms) == 0 {
		t.Fatalf("platforms %v, %v (imported %v)", platforms, err, res.Platforms)
	}
	for _, p := range platforms {
		if err := w.Svc.MapPlatform(ctx, admin, p.ID, product); err != nil {
			t.Fatal(err)
		}
	}
	cpu, err := w.Svc.CostPerUse(ctx, admin, product, 2022, "")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[int64]usage.CostUse{}
	for _, r := range cpu {
		rows[r.LibraryID] = r
	}
	ra := rows[a]
	// 10 000,00 NOK over the TR's 255 023 requests: 3.92 øre, rounded to 4.
	if ra.CostMinor != 1000000 || ra.Uses != 255023 || ra.Report != "TR" || ra.PerUseMinor == nil || *ra.PerUseMinor != 4 {
		t.Errorf("library A: %+v", ra)
	}
	if rb := rows[b]; rb.Uses != 512553 || rb.Report != "PR" || rb.CostMinor != 0 || rb.PerUseMinor != nil {
		t.Errorf("library B (uses, pays nothing): %+v", rb)
	}
	if rc := rows[c]; !rc.Subscribed || rc.Uses != 0 {
		t.Errorf("library C (subscribes, never uses): %+v", rc)
	}

	gaps, err := w.Svc.Gaps(ctx, admin, 2022)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]bool{}
	for _, g := range gaps {
		got[g.LibraryID] = g.Subscribed
	}
	if sub, ok := got[c]; !ok || !sub {
		t.Errorf("gaps %+v: want C as subscribed without use", gaps)
	}
	if sub, ok := got[a]; !ok || sub {
		t.Errorf("gaps %+v: want A as use without subscription", gaps)
	}

	st, err := w.Svc.MonthStory(ctx, admin, "2022-06")
	if err != nil {
		t.Fatal(err)
	}
	june, err := w.Svc.Usage(ctx, admin, usage.Query{From: "2022-06", To: "2022-06"}, "month")
	if err != nil {
		t.Fatal(err)
	}
	if st.Requests == 0 || st.Requests != june.Total.Total || st.Libraries != 2 || len(st.Trend.Months) != 12 || len(st.Titles) == 0 {
		t.Errorf("story: requests %d (June total %d), %d libraries, %d trend months, %d titles", st.Requests, june.Total.Total, st.Libraries, len(st.Trend.Months), len(st.Titles))
	}
	bib, err := w.Svc.BibStat(ctx, admin, 2022)
	if err != nil || len(bib) != 2 || bib[0].Requests != 512553 || bib[0].Searches != 392072 {
		t.Errorf("BibStat %+v, %v", bib, err)
	}
}
