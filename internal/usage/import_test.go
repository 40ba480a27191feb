package usage_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/samla-org/samla/internal/usage"
)

// The official R5.1 samples import with the totals COUNTER's files hold
// (the README of testdata lists them), in JSON and in TSV.
func TestOfficialSamplesImportWithTheirTotals(t *testing.T) {
	w := newWorld(t, 2)
	for _, c := range []struct {
		file   string
		report string
		totals map[string]int64
	}{
		{"r51/PR_sample_r51.json", "PR", map[string]int64{"Total_Item_Requests": 512553, "Searches_Platform": 392072}},
		{"r51/DR_sample_r51.json", "DR", map[string]int64{"Total_Item_Requests": 277080, "Searches_Regular": 572319, "No_License": 3400, "Limit_Exceeded": 3261}},
		{"r51/TR_sample_r51.json", "TR", map[string]int64{"Total_Item_Requests": 255023, "No_License": 12843, "Limit_Exceeded": 13304}},
		{"r51/TR_sample_r51.tsv", "TR", map[string]int64{"Total_Item_Requests": 255023}},
		{"r50/Sample-DR.json", "DR", map[string]int64{"Total_Item_Requests": 4330, "Searches_Regular": 16912}},
	} {
		res := w.importFile(t, w.Libs[0], c.file, sample(t, c.file))
		if res.ReportID != c.report {
			t.Errorf("%s: report %s, want %s", c.file, res.ReportID, c.report)
		}
		for m, want := range c.totals {
			if got := res.Totals[m]; got != want {
				t.Errorf("%s: %s = %d, want %d", c.file, m, got, want)
			}
		}
	}
	// The stored numbers answer with the same totals.
	tab, err := w.Svc.Usage(context.Background(), admin, usage.Query{From: "2022-01", To: "2022-12", Report: "PR"}, "month")
	if err != nil {
		t.Fatal(err)
	}
	if tab.Total.Total != 512553 || len(tab.Rows) != 12 {
		t.Errorf("PR 2022 from the database: %d over %d months, want 512553 over 12", tab.Total.Total, len(tab.Rows))
	}
	search, err := w.Svc.Usage(context.Background(), admin, usage.Query{From: "2022-01", To: "2022-12", Report: "PR", Metric: "Searches_Platform"}, "library")
	if err != nil || search.Total.Total != 392072 {
		t.Errorf("searches: %+v, %v", search.Total, err)
	}
}

// Importing a report again replaces exactly its batches: the TSV of the
// same report after the JSON leaves the totals as they were, and another
// library's numbers are untouched.
func TestReimportReplacesExactlyTheBatches(t *testing.T) {
	w := newWorld(t, 2)
	ctx := context.Background()
	w.importFile(t, w.Libs[0], "PR.json", sample(t, "r51/PR_sample_r51.json"))
	w.importFile(t, w.Libs[1], "PR.json", sample(t, "r51/PR_sample_r51.json"))
	batches, facts := w.count(t, "usage_batches"), w.count(t, "usage_facts")
	w.importFile(t, w.Libs[0], "PR.tsv", sample(t, "r51/PR_sample_r51.tsv"))
	if b, f := w.count(t, "usage_batches"), w.count(t, "usage_facts"); b != batches || f != facts {
		t.Errorf("after re-import: %d batches, %d facts; want %d, %d", b, f, batches, facts)
	}
	tab, err := w.Svc.Usage(ctx, admin, usage.Query{From: "2022-01", To: "2022-12"}, "library")
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != 2 || tab.Rows[0].Total != 512553 || tab.Rows[1].Total != 512553 {
		t.Errorf("per library: %+v", tab.Rows)
	}
}

// A broken file stores nothing, and says where it is broken.
func TestBrokenReportStoresNothing(t *testing.T) {
	w := newWorld(t, 1)
	good := sample(t, "r51/TR_sample_r51.tsv")
	broken := bytes.Replace(good, []byte("\t"), []byte("\tx"), 400)
	_, err := w.Svc.Import(context.Background(), admin, usage.ImportInput{LibraryID: w.Libs[0], FileName: "TR.tsv", Keep: broken}, bytes.NewReader(broken))
	if err == nil {
		t.Fatal("a broken TSV was imported")
	}
	if !bytes.Contains([]byte(err.Error()), []byte("TR.tsv")) {
		t.Errorf("error %q does not name the file", err)
	}
	if n := w.count(t, "usage_batches") + w.count(t, "usage_facts") + w.count(t, "usage_sources"); n != 0 {
		t.Errorf("%d rows left behind by a failed import", n)
	}
}

// A vendor's "no usage" (3030) is stored as such, never as zero usage.
func TestNoUsageIsNotZero(t *testing.T) {
	w := newWorld(t, 1)
	ctx := context.Background()
	data := sample(t, "quirks/5_TR_ProQuestEbookCentral_exception.json")
	res, err := w.Svc.Import(ctx, admin, usage.ImportInput{LibraryID: w.Libs[0], Platform: "Ebook Central", FileName: "pq.json", Keep: data}, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if !res.NoUsage || len(res.Exceptions) == 0 || res.Exceptions[0].Code != 3030 || res.Batches == 0 {
		t.Fatalf("result %+v: want no usage with exception 3030 and a batch per month", res)
	}
	var statuses []string
	if err := w.DB.NewSelect().Table("usage_batches").ColumnExpr("DISTINCT status").Scan(ctx, &statuses); err != nil {
		t.Fatal(err)
	}
	if len(statuses) != 1 || statuses[0] != usage.StatusNoUsage {
		t.Errorf("batch statuses %v, want only no_usage", statuses)
	}
	tab, err := w.Svc.Usage(ctx, admin, usage.Query{From: res.Months[0], To: res.Months[len(res.Months)-1], Report: "TR"}, "library")
	if err != nil || len(tab.Rows) != 1 || tab.Rows[0].NoUsage != len(res.Months) {
		t.Errorf("usage table %+v, %v: want the months marked as no usage", tab, err)
	}
}
