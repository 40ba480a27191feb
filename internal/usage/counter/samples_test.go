package counter

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// sample is one row of the tables in testdata/README.md.
type sample struct {
	dir, json, tsv string
	id, release    string
	items, nested  int64 // JSON Report_Items, nested Items (R5.1 IR*)
	tsvRows        int64
	tir, sr, sp    int64 // Total_Item_Requests, Searches_Regular, Searches_Platform
	nl, le         int64 // No_License, Limit_Exceeded
}

var r51Samples = []sample{
	{"r51", "DRD1_sample_r51.json", "DRD1_sample_r51.tsv", "DR_D1", "5.1", 3, 0, 19, 295880, 1143473, 0, 0, 0},
	{"r51", "DRD2_sample_r51.json", "DRD2_sample_r51.tsv", "DR_D2", "5.1", 3, 0, 6, 0, 0, 0, 3400, 3261},
	{"r51", "DR_sample_r51.json", "DR_sample_r51.tsv", "DR", "5.1", 3, 0, 152, 277080, 572319, 0, 3400, 3261},
	{"r51", "IRA1_sample_r51.json", "IRA1_sample_r51.tsv", "IR_A1", "5.1", 2, 3, 6, 20556, 0, 0, 0, 0},
	{"r51", "IRM1_sample_r51.json", "IRM1_sample_r51.tsv", "IR_M1", "5.1", 1, 5, 10, 55037, 0, 0, 0, 0},
	{"r51", "IR_sample_r51.json", "IR_sample_r51.tsv", "IR", "5.1", 7, 25, 260, 512553, 0, 0, 21030, 21753},
	{"r51", "PRP1_sample_r51.json", "PRP1_sample_r51.tsv", "PR_P1", "5.1", 1, 0, 51, 254742, 0, 196697, 0, 0},
	{"r51", "PR_sample_r51.json", "PR_sample_r51.tsv", "PR", "5.1", 1, 0, 202, 512553, 0, 392072, 0, 0},
	{"r51", "TRB1_sample_r51.json", "TRB1_sample_r51.tsv", "TR_B1", "5.1", 2, 0, 4, 19139, 0, 0, 0, 0},
	{"r51", "TRB2_sample_r51.json", "TRB2_sample_r51.tsv", "TR_B2", "5.1", 2, 0, 4, 0, 0, 0, 1430, 1446},
	{"r51", "TRB3_sample_r51.json", "TRB3_sample_r51.tsv", "TR_B3", "5.1", 2, 0, 12, 19139, 0, 0, 0, 0},
	{"r51", "TRJ1_sample_r51.json", "TRJ1_sample_r51.tsv", "TR_J1", "5.1", 1, 0, 2, 8844, 0, 0, 0, 0},
	{"r51", "TRJ2_sample_r51.json", "TRJ2_sample_r51.tsv", "TR_J2", "5.1", 1, 0, 2, 0, 0, 0, 1276, 1530},
	{"r51", "TRJ3_sample_r51.json", "TRJ3_sample_r51.tsv", "TR_J3", "5.1", 1, 0, 8, 20222, 0, 0, 0, 0},
	{"r51", "TRJ4_sample_r51.json", "TRJ4_sample_r51.tsv", "TR_J4", "5.1", 1, 0, 4, 5052, 0, 0, 0, 0},
	{"r51", "TR_sample_r51.json", "TR_sample_r51.tsv", "TR", "5.1", 11, 0, 156, 255023, 0, 0, 12843, 13304},
}

var r50Samples = []sample{
	{"r50", "Sample-DR.json", "Sample-DR.tsv", "DR", "5", 5, 0, 17, 4330, 16912, 0, 100, 60},
	{"r50", "Sample-DR_D1.json", "Sample-DR_D1.tsv", "DR_D1", "5", 3, 0, 10, 4330, 16912, 0, 0, 0},
	{"r50", "Sample-DR_D2.json", "Sample-DR_D2.tsv", "DR_D2", "5", 2, 0, 2, 0, 0, 0, 100, 60},
	{"r50", "Sample-IR.json", "Sample-IR.tsv", "IR", "5", 4, 0, 16, 14, 0, 0, 0, 0},
	{"r50", "Sample-IR_A1.json", "Sample-IR_A1.tsv", "IR_A1", "5", 1, 0, 2, 1, 0, 0, 0, 0},
	{"r50", "Sample-IR_M1.json", "Sample-IR_M1.tsv", "IR_M1", "5", 1, 0, 1, 8, 0, 0, 0, 0},
	{"r50", "Sample-PR.json", "Sample-PR.tsv", "PR", "5", 3, 0, 11, 23321, 0, 25511, 0, 0},
	{"r50", "Sample-PR_P1.json", "Sample-PR_P1.tsv", "PR_P1", "5", 1, 0, 4, 23321, 0, 25511, 0, 0},
	{"r50", "Sample-TR.json", "Sample-TR.tsv", "TR", "5", 6, 0, 21, 53, 0, 0, 6, 1},
	{"r50", "Sample-TR_B1.json", "Sample-TR_B1.tsv", "TR_B1", "5", 1, 0, 2, 5, 0, 0, 0, 0},
	{"r50", "Sample-TR_B2.json", "Sample-TR_B2.tsv", "TR_B2", "5", 1, 0, 2, 0, 0, 0, 3, 1},
	{"r50", "Sample-TR_B3.json", "Sample-TR_B3.tsv", "TR_B3", "5", 1, 0, 6, 5, 0, 0, 0, 0},
	{"r50", "Sample-TR_J1.json", "Sample-TR_J1.tsv", "TR_J1", "5", 2, 0, 4, 40, 0, 0, 0, 0},
	{"r50", "Sample-TR_J2.json", "Sample-TR_J2.tsv", "TR_J2", "5", 1, 0, 1, 0, 0, 0, 3, 0},
	{"r50", "Sample-TR_J3.json", "Sample-TR_J3.tsv", "TR_J3", "5", 3, 0, 12, 48, 0, 0, 0, 0},
	{"r50", "Sample-TR_J4.json", "Sample-TR_J4.tsv", "TR_J4", "5", 2, 0, 4, 40, 0, 0, 0, 0},
}

// result collects what Read passed to fn.
type result struct {
	rep        *Report
	calls      int64
	metricRows int64            // distinct metrics per call, summed (= TSV lines)
	totals     map[string]int64 // per metric
	cells      map[string]int64 // per name|parent|metric|month
	items      []Item
}

func readFile(t testing.TB, path string) (*result, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res := &result{totals: map[string]int64{}, cells: map[string]int64{}}
	rep, err := Read(f, filepath.Base(path), func(it Item, cs []Count) error {
		res.calls++
		res.items = append(res.items, it)
		seen := map[string]bool{}
		for _, c := range cs {
			if c.Count == 0 {
				t.Errorf("%s: zero count passed on: %+v", path, c)
			}
			res.totals[c.Metric] += c.Count
			res.cells[fmt.Sprintf("%s|%s|%s|%s", it.Name, it.Parent, c.Metric, c.Month)] += c.Count
			seen[c.Metric] = true
		}
		res.metricRows += int64(len(seen))
		return nil
	})
	res.rep = rep
	return res, err
}

func mustRead(t *testing.T, path string) *result {
	t.Helper()
	res, err := readFile(t, path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return res
}

func TestOfficialSamples(t *testing.T) {
	for _, s := range append(append([]sample{}, r51Samples...), r50Samples...) {
		t.Run(s.dir+"/"+s.id, func(t *testing.T) {
			js := mustRead(t, filepath.Join("testdata", s.dir, s.json))
			ts := mustRead(t, filepath.Join("testdata", s.dir, s.tsv))
			begin, end, months := "2022-01-01", "2022-12-31", 12
			if s.release == "5" {
				begin, end, months = "2016-01-01", "2016-03-31", 3
			}
			for _, r := range []*result{js, ts} {
				h := r.rep.Header
				if h.ReportID != s.id || h.Release != s.release || h.Begin != begin || h.End != end {
					t.Errorf("header = %s %s %s..%s, want %s %s %s..%s", h.ReportID, h.Release, h.Begin, h.End, s.id, s.release, begin, end)
				}
				if len(h.Exceptions) != 0 || len(r.rep.Warnings) != 0 {
					t.Errorf("exceptions %v, warnings %v; want none in an official sample", h.Exceptions, r.rep.Warnings)
				}
				if r.rep.Rows != r.calls {
					t.Errorf("Rows = %d, callbacks %d", r.rep.Rows, r.calls)
				}
				if len(r.rep.Months) > months {
					t.Errorf("months %v, at most %d expected", r.rep.Months, months)
				}
				for metric, want := range map[string]int64{"Total_Item_Requests": s.tir, "Searches_Regular": s.sr,
					"Searches_Platform": s.sp, "No_License": s.nl, "Limit_Exceeded": s.le} {
					if got := r.totals[metric]; got != want {
						t.Errorf("%s total = %d, README says %d", metric, got, want)
					}
				}
			}
			if s.release == "5.1" && len(js.rep.Months) != 12 {
				t.Errorf("R5.1 sample months = %v, want all 12 of 2022", js.rep.Months)
			}
			if js.rep.Items != s.items || js.rep.NestedItems != s.nested {
				t.Errorf("JSON Report_Items = %d (+%d nested), README says %d (+%d)", js.rep.Items, js.rep.NestedItems, s.items, s.nested)
			}
			wantCalls := s.items // R5.0: one call per Report_Item
			if s.release == "5.1" {
				wantCalls = -1 // one per Attribute_Performance entry, checked below
			}
			if s.nested > 0 && js.calls < s.nested || wantCalls >= 0 && js.calls != wantCalls {
				t.Errorf("JSON callbacks = %d, want %d (nested %d)", js.calls, wantCalls, s.nested)
			}
			if ts.calls != s.tsvRows {
				t.Errorf("TSV callbacks = %d, README data rows %d", ts.calls, s.tsvRows)
			}
			// Each JSON call carries one attribute combination; its metrics
			// are the TSV lines of that combination.
			if js.metricRows != s.tsvRows {
				t.Errorf("JSON metrics per call summed = %d, want TSV rows %d", js.metricRows, s.tsvRows)
			}
			if fmt.Sprint(js.totals) != fmt.Sprint(ts.totals) {
				t.Errorf("JSON totals %v != TSV totals %v", js.totals, ts.totals)
			}
			// Same counts per item name, parent, metric and month.
			for k, v := range js.cells {
				if ts.cells[k] != v {
					t.Errorf("%s: JSON %d, TSV %d", k, v, ts.cells[k])
				}
			}
			if len(js.cells) != len(ts.cells) {
				t.Errorf("JSON has %d cells, TSV %d", len(js.cells), len(ts.cells))
			}
		})
	}
}

func TestSampleItems(t *testing.T) {
	ir := mustRead(t, "testdata/r51/IR_sample_r51.json")
	first := ir.items[0]
	if first.Kind != "item" || first.Name != "Item 3" || first.Parent != "Title 1" || first.Platform != "Platform 1" ||
		first.IDs.DOI != "10.9999/xxxxi03" || first.DataType != "Book_Segment" || first.YOP != "2022" ||
		first.AccessType != "Controlled" || first.AccessMethod != "Regular" {
		t.Errorf("first R5.1 IR row = %+v", first)
	}
	if last := ir.items[len(ir.items)-1]; last.Parent != "" {
		t.Errorf("R5.1 IR item without parent got Parent %q", last.Parent)
	}
	ir50 := mustRead(t, "testdata/r50/Sample-IR.json")
	if it := ir50.items[0]; it.Name != "Item 100026" || it.Parent != "Journal 45" || it.IDs.DOI != "10.1729/jhik.345" || it.IDs.Proprietary != "SampleIR:100026" {
		t.Errorf("first R5.0 IR row = %+v", it)
	}
	pr := mustRead(t, "testdata/r51/PR_sample_r51.json")
	if it := pr.items[0]; it.Kind != "platform" || it.Name != "Platform 1" || it.DataType != "Article" || it.AccessMethod != "Regular" {
		t.Errorf("first R5.1 PR row = %+v", it)
	}
	tr := mustRead(t, "testdata/r51/TR_sample_r51.tsv")
	if it := tr.items[0]; it.Kind != "title" || it.Name != "Title 1" || it.IDs.ISBN != "979-8-88888-888-8" || it.IDs.Proprietary != "P1:T01" || it.YOP != "2022" {
		t.Errorf("first R5.1 TR TSV row = %+v", it)
	}
	h := tr.rep.Header
	if h.InstitutionName != "Sample Institution" || fmt.Sprint(h.InstitutionIDs) != "[ISNI:1234123412341234]" ||
		h.Attributes["Attributes_To_Show"] != "YOP|Access_Type|Access_Method" || h.Created != "2023-02-15T09:11:12Z" {
		t.Errorf("R5.1 TR TSV header = %+v", h)
	}
	j1 := mustRead(t, "testdata/r51/TRJ1_sample_r51.json").rep.Header
	if j1.Filters["Metric_Type"] != "Total_Item_Requests|Unique_Item_Requests" || j1.Filters["Access_Type"] != "Controlled" ||
		fmt.Sprint(j1.InstitutionIDs) != "[ISNI:1234123412341234]" || j1.ReportName != "Journal Requests (Controlled)" {
		t.Errorf("R5.1 TR_J1 JSON header = %+v", j1)
	}
	dr50 := mustRead(t, "testdata/r50/Sample-DR.json").rep.Header
	if dr50.CustomerID == "" || len(dr50.InstitutionIDs) == 0 || dr50.Attributes["Attributes_To_Show"] == "" {
		t.Errorf("R5.0 DR header = %+v", dr50)
	}
}
