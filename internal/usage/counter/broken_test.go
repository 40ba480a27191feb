package counter

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func readString(t *testing.T, name, s string) (*Report, []Item, error) {
	t.Helper()
	var items []Item
	rep, err := Read(strings.NewReader(s), name, func(it Item, _ []Count) error {
		items = append(items, it)
		return nil
	})
	return rep, items, err
}

func fileString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestBrokenInputs(t *testing.T) {
	tr51 := fileString(t, "testdata/r51/TR_sample_r51.json")
	tsv := fileString(t, "testdata/r51/TR_sample_r51.tsv")
	tsvLines := strings.Split(tsv, "\n")
	// Line 16 is the first data line; its Reporting_Period_Total is "686".
	bad := append([]string{}, tsvLines...)
	bad[15] = strings.Replace(bad[15], "\t686\t", "\t12a\t", 1)
	badMonth := append([]string{}, tsvLines...)
	badMonth[16] = strings.Replace(badMonth[16], "\t50\t84\t", "\t50\tx\t", 1)
	noHeadings := append(append([]string{}, tsvLines[:14]...), tsvLines[15:]...)

	tests := []struct {
		name, file, in string
		want           string // part of the message
		notReport      bool
	}{
		{"truncated JSON", "TR.json", tr51[:5000], "TR.json Report_Items[0]", false},
		{"truncated JSON message", "TR.json", tr51[:5000], "truncated", false},
		{"JSON count not a number", "TR.json", strings.Replace(tr51, `"2022-01": 49,`, `"2022-01": "12a",`, 1),
			`TR.json Report_Items[0].Attribute_Performance[0].Performance.Limit_Exceeded.2022-01 (offset`, false},
		{"JSON count as a fraction", "TR.json", strings.Replace(tr51, `"2022-01": 49,`, `"2022-01": 4.5,`, 1), `"4.5" is not a number`, false},
		{"R5.0 count not a number", "TR5.json", strings.Replace(fileString(t, "testdata/r50/Sample-TR.json"), `"Count": 1`, `"Count": true`, 1),
			`Report_Items[0].Performance[0].Instance[0].Count`, false},
		{"TSV count 12a", "TR.tsv", strings.Join(bad, "\n"), `TR.tsv line 16, column "Reporting_Period_Total": "12a" is not a number`, false},
		{"TSV month x", "TR.tsv", strings.Join(badMonth, "\n"), `TR.tsv line 17, column "Feb-2022": "x" is not a number`, false},
		{"TSV without headings", "TR.tsv", strings.Join(noHeadings, "\n"), "line 15: no column headings row", false},
		{"TSV headings only", "TR.tsv", strings.Join(tsvLines[14:], "\n"), "no header block", true},
		{"garbage", "x.bin", "\x00\x01garbage here\n", "x.bin line 1: neither JSON nor", true},
		{"empty", "e.json", "  \n", "empty file", true},
		{"JSON without Report_ID", "n.json", `{"Report_Header":{"Release":"5"},"Report_Items":[]}`, "no Report_ID", true},
		{"JSON scalar", "n.json", `42`, "neither JSON nor", true},
		{"JSON string not a report", "n.json", `"hello"`, "a JSON string that is not a report", true},
		{"JSON array of numbers", "n.json", `[1,2]`, "not a list of exceptions", true},
		{"unknown Report_ID", "n.json", `{"Report_Header":{"Report_ID":"XR","Release":"5"}}`, `unknown Report_ID "XR"`, true},
		{"unknown release", "n.json", `{"Report_Header":{"Report_ID":"TR","Release":"4"}}`, `unsupported Release "4"`, false},
		{"Report_Items not a list", "n.json", `{"Report_Header":{"Report_ID":"TR","Release":"5"},"Report_Items":{}}`, "Report_Items is not a list", false},
		{"R5.1 Performance not an object of months", "TR.json", strings.Replace(tr51, `"Limit_Exceeded": {`, `"Limit_Exceeded": [1], "X": {`, 1),
			"Report_Items[0].Attribute_Performance[0].Performance (offset", false},
		{"R5.1 month not YYYY-MM", "TR.json", strings.Replace(tr51, `"2022-01": 49,`, `"Jan 2022": 49,`, 1), `"Jan 2022" is not a month`, false},
		{"body null", "n.json", `{"body":null,"response":{"status":500}}`, "body is null", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, _, err := readString(t, tt.file, tt.in)
			if err == nil {
				t.Fatalf("no error; report %+v", rep)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Errorf("error %T, want *FormatError", err)
			}
			if errors.Is(err, ErrNotReport) != tt.notReport {
				t.Errorf("errors.Is(ErrNotReport) = %v, want %v", !tt.notReport, tt.notReport)
			}
		})
	}
}

func TestClearButOff(t *testing.T) {
	in := `{"Report_Items":[{"Title":"T","Platform":"P","YOP":2020,"Performance":[{"Period":{"Begin_Date":"2020-01-01","End_Date":"2020-01-31"},` +
		`"Instance":[{"Metric_Type":"Total_Item_Requests","Count":"3"},{"Metric_Type":"Total_Item_Requests","Count":2}]}]}],` +
		`"Report_Header":{"Report_ID":"tr","Release":5,"Report_Name":"Title Master Report","Report_Filters":[{"Name":"begin_date","Value":"2020-01"},{"Name":"end_date","Value":"2020-02"}]}}`
	var counts []Count
	var item Item
	rep, err := Read(strings.NewReader("\ufeff"+in), "x.json", func(it Item, cs []Count) error {
		item, counts = it, cs
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h := rep.Header
	if h.ReportID != "TR" || h.Release != "5" || h.Begin != "2020-01-01" || h.End != "2020-02-29" {
		t.Errorf("header %+v", h)
	}
	if len(counts) != 1 || counts[0] != (Count{"2020-01", "Total_Item_Requests", 5}) {
		t.Errorf("counts %+v, want one summed count of 5", counts)
	}
	if item.Kind != "title" || item.YOP != "2020" || item.Name != "T" {
		t.Errorf("item %+v", item)
	}
	wantWarnings(t, rep, "counts given as strings", "Report_Items before Report_Header", `Report_ID "tr" normalised`, "Release given as a number", "YOP given as a number")

	// A name of the wrong JSON type, and R5.1 IR parent fields after Items.
	odd := `{"Report_Header":{"Report_ID":"IR","Release":"5.1"},"Report_Items":[` +
		`{"Items":[{"Item":"A","Platform":"P","Attribute_Performance":[{"Performance":{"Total_Item_Requests":{"2023-01":1}}}]}],"Title":"Late parent"},` +
		`{"Title":"Parent","Items":[{"Item":12,"Platform":"P","Attribute_Performance":[{"Performance":{"Total_Item_Requests":{"2023-01":"2"}}}]}]}]}`
	rep, items, err := readString(t, "odd.json", odd)
	if err != nil || rep.Rows != 2 || rep.Items != 2 || rep.NestedItems != 2 {
		t.Fatalf("odd IR: %v %+v", err, rep)
	}
	if items[0].Name != "A" || items[0].Parent != "" || items[1].Name != "" || items[1].Parent != "Parent" {
		t.Errorf("odd IR items %+v", items)
	}
	wantWarnings(t, rep, "parent fields after Items", "Item given as a JSON number; left empty", "counts given as strings")

	// A double-encoded report with data.
	dbl := `"{\"Report_Header\":{\"Report_ID\":\"PR\",\"Release\":\"5.1\"},\"Report_Items\":[{\"Platform\":\"X\",\"Attribute_Performance\":[{\"Performance\":{\"Searches_Platform\":{\"2023-05\":7}}}]}]}"`
	rep, items, err = readString(t, "d.json", dbl)
	if err != nil || rep.Rows != 1 || items[0].Name != "X" || items[0].Kind != "platform" || rep.Header.Release != "5.1" {
		t.Fatalf("double-encoded: %v %+v %+v", err, rep, items)
	}
	wantWarnings(t, rep, "double-encoded")

	// CRLF TSV, no BOM, trailing blank lines.
	tsv := strings.ReplaceAll(fileString(t, "testdata/r50/Sample-TR_J1.tsv"), "\n", "\r\n")
	rep, items, err = readString(t, "j1.tsv", strings.TrimPrefix(tsv, "\ufeff")+"\r\n\r\n")
	if err != nil || rep.Rows != 4 || items[0].Name == "" || strings.ContainsAny(items[0].Name, "\r\n") {
		t.Fatalf("CRLF TSV: %v %+v", err, rep)
	}
}

func TestFnErrorStops(t *testing.T) {
	stop := errors.New("stop here")
	for _, f := range []string{"testdata/r51/TR_sample_r51.json", "testdata/r51/TR_sample_r51.tsv", "testdata/r51/IR_sample_r51.json"} {
		calls := 0
		b, _ := os.ReadFile(f)
		_, err := Read(bytes.NewReader(b), filepath.Base(f), func(Item, []Count) error {
			calls++
			if calls == 2 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || calls != 2 || !strings.Contains(err.Error(), "row 2") {
			t.Errorf("%s: err %v after %d calls", f, err, calls)
		}
	}
}

func TestGenerateTR(t *testing.T) {
	for _, format := range []string{"json", "tsv"} {
		var buf bytes.Buffer
		if err := GenerateTR(&buf, format, 1001); err != nil {
			t.Fatal(err)
		}
		var total int64
		rep, err := Read(&buf, "gen."+format, func(it Item, cs []Count) error {
			for _, c := range cs {
				total += c.Count
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if rep.Rows != 1001 || len(rep.Months) != 12 || len(rep.Warnings) != 0 || rep.Header.ReportID != "TR" || rep.Header.Release != "5.1" {
			t.Errorf("%s: rows %d months %v warnings %v", format, rep.Rows, rep.Months, rep.Warnings)
		}
		if total == 0 {
			t.Errorf("%s: no counts", format)
		}
	}
	if err := GenerateTR(io.Discard, "xml", 1); err == nil {
		t.Error("unknown format accepted")
	}
}

func FuzzRead(f *testing.F) {
	for _, p := range []string{"testdata/r51/TRJ1_sample_r51.json", "testdata/r51/TRJ1_sample_r51.tsv", "testdata/r50/Sample-IR_A1.json",
		"testdata/r51/IRM1_sample_r51.json", "testdata/quirks/IR_M1-commas.csv", "testdata/quirks/naked_errors.json",
		"testdata/quirks/stringified_error.json", "testdata/quirks/5_TR_ProQuestEbookCentral_exception.json", "testdata/quirks/TR-tabs.tsv"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				panic(fmt.Sprintf("Read hangs on %q", data))
			}
		}()
		var calls int64
		rep, err := Read(bytes.NewReader(data), "fuzz", func(Item, []Count) error {
			calls++
			return nil
		})
		if err == nil && rep.Rows != calls {
			t.Fatalf("Rows %d, calls %d", rep.Rows, calls)
		}
		if err != nil && rep != nil {
			t.Fatalf("report with error %v", err)
		}
	})
}

func TestEncodings(t *testing.T) {
	src := strings.TrimPrefix(fileString(t, "testdata/r51/TRJ3_sample_r51.tsv"), "\ufeff")
	u16 := []byte{0xff, 0xfe}
	for _, r := range src {
		u16 = append(u16, byte(r), byte(r>>8)) // the sample is all BMP
	}
	res := &result{totals: map[string]int64{}}
	rep, err := Read(bytes.NewReader(u16), "u16.tsv", func(_ Item, cs []Count) error {
		for _, c := range cs {
			res.totals[c.Metric] += c.Count
		}
		return nil
	})
	if err != nil || rep.Rows != 8 || res.totals["Total_Item_Requests"] != 20222 {
		t.Fatalf("UTF-16 TSV: %v rows %v totals %v", err, rep, res.totals)
	}
	wantWarnings(t, rep, "UTF-16")

	latin1 := strings.Replace(fileString(t, "testdata/quirks/IR_M1-commas.csv"), "Item1,", "Item\xe91,", 1)
	rep, items, err := readString(t, "l1.csv", latin1)
	if err != nil || items[0].Name != "Item\uFFFD1" {
		t.Fatalf("Latin-1 CSV: %v %q", err, items[0].Name)
	}
	for _, w := range rep.Warnings {
		if strings.Contains(w.Message, "not UTF-8") && w.Line != 15 {
			t.Errorf("not-UTF-8 warning on line %d, want 15", w.Line)
		}
	}
	wantWarnings(t, rep, "not UTF-8")
}
