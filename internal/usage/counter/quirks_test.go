package counter

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func hasWarning(r *Report, part string) bool {
	for _, w := range r.Warnings {
		if strings.Contains(w.Message, part) {
			return true
		}
	}
	return false
}

func wantWarnings(t *testing.T, r *Report, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !hasWarning(r, p) {
			t.Errorf("no warning containing %q in %+v", p, r.Warnings)
		}
	}
}

func TestQuirkExceptionOnlyReports(t *testing.T) {
	tests := []struct {
		file, id, begin, end string
		exc                  Exception
		warnings             []string
	}{
		{"5_TR_ProQuestEbookCentral_exception.json", "TR", "2017-01-01", "2017-01-31",
			Exception{Code: 3030, Severity: "Error", Message: "No Usage Available for Requested Dates.",
				Data: "Usage data is not available for all requested months between the begin_date and end_date."},
			[]string{`wrapped in {"body"`, "Code given as a string"}},
		{"no_data_3050.json", "TR", "2019-04-01", "2019-04-30",
			Exception{Code: 3050, Severity: "Warning", Message: "Parameter Not Recognized in this Context", Data: "Parameter email is not recognized"},
			[]string{"header fields at the top level", `attribute "yop" not in COUNTER case`}},
		{"no_data_3062.json", "TR", "2020-03-01", "2020-03-31",
			Exception{Code: 3062, Severity: "Warning", Message: "Invalid ReportAttribute Value", Data: "Access_Method is not a recognized attribute for this report"},
			[]string{"Code given as a string"}},
		{"severity-number.json", "DR", "2021-01-01", "2021-01-31",
			Exception{Code: 3010, Severity: "4", Message: "Report Version Not Supported: Report not implemented", Data: "DR"},
			[]string{"Severity given as a number"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res := mustRead(t, "testdata/quirks/"+tt.file)
			h := res.rep.Header
			if res.calls != 0 || res.rep.Rows != 0 {
				t.Errorf("rows %d, want 0", res.calls)
			}
			if h.ReportID != tt.id || h.Release != "5" || h.Begin != tt.begin || h.End != tt.end {
				t.Errorf("header %s %s %s..%s", h.ReportID, h.Release, h.Begin, h.End)
			}
			if len(h.Exceptions) != 1 || h.Exceptions[0] != tt.exc {
				t.Errorf("exceptions = %+v, want [%+v]", h.Exceptions, tt.exc)
			}
			wantWarnings(t, res.rep, tt.warnings...)
		})
	}
}

func TestQuirkNoData(t *testing.T) {
	res := mustRead(t, "testdata/quirks/no_data.json")
	h := res.rep.Header
	if res.calls != 0 || len(h.Exceptions) != 0 || h.ReportID != "TR" || h.Begin != "2018-11-01" || h.End != "2018-12-31" || h.CustomerID == "" {
		t.Errorf("no_data.json: calls %d, header %+v", res.calls, h)
	}
}

func TestQuirkWarningAndData(t *testing.T) {
	res := mustRead(t, "testdata/quirks/5_TR_with_warning.json")
	h := res.rep.Header
	if len(h.Exceptions) != 1 || h.Exceptions[0].Code != 3032 || h.Exceptions[0].Data != "First date processed is 2018-07-01" {
		t.Errorf("exceptions = %+v", h.Exceptions)
	}
	if res.calls != 2 || res.totals["Total_Item_Requests"] != 13 {
		t.Errorf("calls %d, Total_Item_Requests %d; want 2, 13", res.calls, res.totals["Total_Item_Requests"])
	}
	if h.Begin != "2017-01-01" || h.End != "2018-12-31" || fmt.Sprint(res.rep.Months) != "[2018-11]" {
		t.Errorf("period %s..%s months %v", h.Begin, h.End, res.rep.Months)
	}
	if it := res.items[0]; it.Name != "First title" || it.IDs.OnlineISSN != "1111-2222" || it.IDs.PrintISSN != "2222-1111" || it.SectionType != "Article" {
		t.Errorf("first item %+v", it)
	}
}

func TestQuirkNoPerformance(t *testing.T) {
	res := mustRead(t, "testdata/quirks/no_performance.json")
	if res.calls != 2 || res.rep.Header.Created != "2023-11-06T09:42:23+01:00" {
		t.Errorf("calls %d created %q", res.calls, res.rep.Header.Created)
	}
	wantWarnings(t, res.rep, "no Performance")
	if res.rep.Warnings[0].Field != "Report_Items[1]" {
		t.Errorf("warning field %q, want Report_Items[1]", res.rep.Warnings[0].Field)
	}
}

func TestQuirkParentArrayAndSummedInstances(t *testing.T) {
	res := mustRead(t, "testdata/quirks/bloomsbery-parent.IR_M1.json")
	if res.calls != 2 || res.rep.Header.ReportID != "IR_M1" {
		t.Fatalf("calls %d id %s", res.calls, res.rep.Header.ReportID)
	}
	wantWarnings(t, res.rep, "Item_Parent is a list")
	if it := res.items[1]; it.Name != "Twelfth Night" || it.Parent != "Twelfth Night" || it.Platform != "Drama online" || it.IDs != (IDs{}) {
		t.Errorf("second item %+v", it)
	}
	// Three Instances of Total_Item_Requests (1, 2, 1) in one period.
	if got := res.cells["Twelfth Night|Twelfth Night|Total_Item_Requests|2021-07"]; got != 4 {
		t.Errorf("summed duplicate instances = %d, want 4", got)
	}
	if res.totals["Total_Item_Requests"] != 5 {
		t.Errorf("total %d, want 5 (Item_Component usage not counted)", res.totals["Total_Item_Requests"])
	}
}

func TestQuirkTSVWith3031(t *testing.T) {
	res := mustRead(t, "testdata/quirks/TR-tabs.tsv")
	h := res.rep.Header
	want := Exception{Code: 3031, Message: "Usage Not Ready for Requested Dates",
		Data: "Requested data between 2022-04-01 and 2022-12-31. However only data between 2019-10-01 and 2022-03-31 exists."}
	if len(h.Exceptions) != 1 || h.Exceptions[0] != want {
		t.Errorf("exceptions = %+v", h.Exceptions)
	}
	if res.calls != 8 || res.totals["Total_Item_Requests"] != 68 || fmt.Sprint(res.rep.Months) != "[2022-01 2022-02 2022-03]" {
		t.Errorf("calls %d TIR %d months %v", res.calls, res.totals["Total_Item_Requests"], res.rep.Months)
	}
	if h.Begin != "2022-01-01" || h.End != "2022-12-31" || fmt.Sprint(h.InstitutionIDs) != "[aaaaaaaa:111111111111]" {
		t.Errorf("header %+v", h)
	}
}

func TestQuirkCSVCommasCRLF(t *testing.T) {
	res := mustRead(t, "testdata/quirks/IR_M1-commas.csv")
	h := res.rep.Header
	if h.ReportID != "IR_M1" || h.CreatedBy != "Me, My Univérsity" || len(h.InstitutionIDs) != 0 ||
		h.Filters["Data_Type"] != "Multimedia" || h.Filters["Metric_Type"] != "Total_Item_Requests" {
		t.Errorf("header %+v", h)
	}
	if res.calls != 57 || res.totals["Total_Item_Requests"] != 100 {
		t.Errorf("calls %d total %d; want 57, 100", res.calls, res.totals["Total_Item_Requests"])
	}
	if got := res.cells["Item1||Total_Item_Requests|2020-01"]; got != 2 {
		t.Errorf("Item1 Jan-20 = %d, want 2 (two-digit year month 2020-01)", got)
	}
	if it := res.items[0]; it.Name != "Item1" || it.IDs.URI != "http://some.url" || it.IDs.Proprietary != "amd:SomeFilm" || it.AccessMethod != "" {
		t.Errorf("first item %+v", it)
	}
	wantWarnings(t, res.rep, "comma-separated", "two-digit years")
	for _, w := range res.rep.Warnings {
		if strings.Contains(w.Message, "two-digit") && w.Line != 14 {
			t.Errorf("two-digit warning on line %d, want 14", w.Line)
		}
	}
}

func TestQuirkMismatchedReportType(t *testing.T) {
	res := mustRead(t, "testdata/quirks/counter5_table_mismatched_rt.csv")
	h := res.rep.Header
	if h.ReportID != "DR" || h.Begin != "2017-01-01" || h.End != "2017-06-30" || h.Created != "2017-05-25" {
		t.Errorf("header %+v", h)
	}
	if res.calls != 4 || res.items[0].Kind != "database" || res.items[0].Name != "Journal Six" ||
		res.items[0].Platform != "PPα" || res.items[0].IDs.DOI != "10.1000/ xyz123" {
		t.Errorf("calls %d first %+v", res.calls, res.items[0])
	}
	if res.totals["Total_Item_Requests"] != 462 {
		t.Errorf("TIR %d", res.totals["Total_Item_Requests"])
	}
	wantWarnings(t, res.rep, `Report_Name "Title Master Report" does not match Report_ID DR`, "isni=1234567890",
		"as selected", "2017-01-01 to 2017-06-30", `names taken from "Title"`)
}

func TestQuirkNotReports(t *testing.T) {
	tests := []struct {
		file  string
		codes string
		id    string
	}{
		{"naked_errors.json", "[1011 3060]", ""},
		{"invalid-customer.json", "[1030]", "DR"},
		{"stringified_error.json", "[2090]", "TR"},
		{"5_DR_ProQuestEbookCentral_exception.json", "[1001]", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res, err := readFile(t, "testdata/quirks/"+tt.file)
			var ee *ExceptionsError
			if !errors.As(err, &ee) {
				t.Fatalf("err = %v (%T), want *ExceptionsError", err, err)
			}
			if res.calls != 0 || res.rep != nil {
				t.Errorf("calls %d report %v", res.calls, res.rep)
			}
			var codes []int
			for _, x := range ee.Exceptions {
				codes = append(codes, x.Code)
			}
			if fmt.Sprint(codes) != tt.codes || ee.Header.ReportID != tt.id {
				t.Errorf("codes %v id %q, want %s %q", codes, ee.Header.ReportID, tt.codes, tt.id)
			}
			if errors.Is(err, ErrNotReport) {
				t.Error("exceptions-only answer must not match ErrNotReport")
			}
		})
	}
	// The details that must survive.
	_, err := readFile(t, "testdata/quirks/naked_errors.json")
	var ee *ExceptionsError
	errors.As(err, &ee)
	if x := ee.Exceptions[0]; x.Severity != "Warning" || x.Message != "Report Queued for Processing" || x.HelpURL != "https://support.jstor.org" || !strings.HasPrefix(x.Data, "Report is currently queued") {
		t.Errorf("naked error 0 = %+v", x)
	}
	_, err = readFile(t, "testdata/quirks/invalid-customer.json")
	errors.As(err, &ee)
	if x := ee.Exceptions[0]; x.Severity != "Fatal" || x.Message != "Invalid Customer Id" || ee.Header.CustomerID != "000000000" {
		t.Errorf("invalid-customer = %+v, header %+v", x, ee.Header)
	}
	_, err = readFile(t, "testdata/quirks/5_DR_ProQuestEbookCentral_exception.json")
	errors.As(err, &ee)
	if x := ee.Exceptions[0]; x.Severity != "Error" || x.Message != "executeSushiAnalysis" {
		t.Errorf("ProQuest envelope = %+v", x)
	}
}
