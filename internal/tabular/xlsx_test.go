package tabular

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestWriteXLSXRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, "Medlemmer 2024/25", roundTripHeader, roundTripRows); err != nil {
		t.Fatal(err)
	}
	// Named .csv on purpose: the content decides.
	tab, err := Read("export.csv", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if tab.Format != "xlsx" || tab.Encoding != "" || tab.Delimiter != 0 {
		t.Errorf("format %q encoding %q delimiter %q", tab.Format, tab.Encoding, tab.Delimiter)
	}
	if !reflect.DeepEqual(tab.Header, roundTripHeader) {
		t.Errorf("header %q", tab.Header)
	}
	for i, r := range tab.Rows {
		if r.Line != i+2 || !reflect.DeepEqual(r.Cells, roundTripRows[i]) {
			t.Errorf("row %d: line %d %q, want line %d %q", i, r.Line, r.Cells, i+2, roundTripRows[i])
		}
	}

	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := "Medlemmer 2024_25"
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{sheet}) {
		t.Fatalf("sheets %q", got)
	}
	for _, cell := range []string{"C3", "D2", "H2"} {
		if typ, _ := f.GetCellType(sheet, cell); typ != excelize.CellTypeInlineString {
			t.Errorf("%s has type %v, want text", cell, typ)
		}
	}
	styleID, _ := f.GetCellStyle(sheet, "A1")
	style, _ := f.GetStyle(styleID)
	if style == nil || style.Font == nil || !style.Font.Bold || style.NumFmt != 49 {
		t.Errorf("header style %+v, want bold text", style)
	}
	if panes, _ := f.GetPanes(sheet); !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes %+v, want the header row frozen", panes)
	}
	for col, want := range map[string]float64{"A": 24, "C": 11, "F": 20} {
		if got, _ := f.GetColWidth(sheet, col); got != want {
			t.Errorf("column %s width %v, want %v", col, got, want)
		}
	}
}

func TestReadXLSXValues(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// A hidden lookup sheet first: people see (and mean) the second one.
	must(f.SetSheetName("Sheet1", "Oppslag"))
	must(f.SetCellStr("Oppslag", "A1", "ikke denne"))
	idx, err := f.NewSheet("Bibliotek")
	must(err)
	f.SetActiveSheet(idx) // excelize will not hide the active sheet
	must(f.SetSheetVisible("Oppslag", false))
	s := "Bibliotek"
	// Header on row 3 after two empty rows; a blank row inside the data.
	must(f.SetSheetRow(s, "A3", &[]any{"Navn", "Orgnr", "Kommunenr", "Årsverk", "Åpnet", "Aktiv", "Folketall"}))
	must(f.SetSheetRow(s, "A4", &[]any{"Måsøy bibliotek", 988077917, "0301", 12.5, 45321, true, 1234567}))
	must(f.SetSheetRow(s, "A6", &[]any{" Ørland ", int64(974778742), "5057", 0.1 + 0.2}))
	date, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(err)
	must(f.SetCellStyle(s, "E4", "E4", date))
	var buf bytes.Buffer
	must(f.Write(&buf))

	tab, err := ReadXLSX("bibliotek.xlsx", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := []Row{
		{4, []string{"Måsøy bibliotek", "988077917", "0301", "12.5", "2024-01-30", "TRUE", "1234567"}},
		{6, []string{"Ørland", "974778742", "5057", "0.3", "", "", ""}},
	}
	if !reflect.DeepEqual(tab.Rows, want) {
		t.Errorf("rows\n got %+v\nwant %+v", tab.Rows, want)
	}
	if tab.Header[0] != "Navn" {
		t.Errorf("header %q", tab.Header)
	}
}

func TestReadXLSXErrors(t *testing.T) {
	dup := excelize.NewFile()
	defer dup.Close()
	_ = dup.SetSheetRow("Sheet1", "A1", &[]any{"Navn", "Kommune", "NAVN"})
	var dupBuf bytes.Buffer
	_ = dup.Write(&dupBuf)

	tests := []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"duplicate header", "m.xlsx", dupBuf.Bytes(), `m.xlsx: duplicate column "Navn" in column A and "NAVN" in column C (sheet "Sheet1")`},
		{"empty xlsx", "m.xlsx", nil, "m.xlsx: empty file"},
		{"old xls", "m.xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"), "m.xls: an Excel 97-2003 (.xls)"},
		{"ods", "m.ods", []byte("PK\x03\x04\x14\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x08\x00\x00\x00mimetypeapplication/vnd.oasis.opendocument.spreadsheet"), "m.ods: an OpenDocument spreadsheet"},
		{"broken zip", "m.xlsx", []byte("PK\x03\x04 not really"), "m.xlsx: not a readable XLSX file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(tt.file, tt.data)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("error %v, want prefix %q", err, tt.want)
			}
		})
	}
}

func TestSheetName(t *testing.T) {
	tests := map[string]string{
		"members":                            "members",
		"":                                   "Sheet1",
		"'quoted'":                           "quoted",
		"a:b/c?d*e[f]g\\h":                   "a_b_c_d_e_f_g_h",
		"Medlemsbibliotek i konsortiet 2025": "Medlemsbibliotek i konsortiet 2",
	}
	for in, want := range tests {
		if got := sheetName(in); got != want {
			t.Errorf("sheetName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReadXLSXSkipsChartSheet(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	// Built in this order because excelize cannot move a chart sheet.
	err := f.AddChartSheet("Diagram", &excelize.Chart{Type: excelize.Col,
		Series: []excelize.ChartSeries{{Name: "Data!$B$1", Categories: "Data!$A$2:$A$2", Values: "Data!$B$2:$B$2"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("Data"); err != nil {
		t.Fatal(err)
	}
	_ = f.SetSheetRow("Data", "A1", &[]any{"Kommune", "Utlån"})
	_ = f.SetSheetRow("Data", "A2", &[]any{"Ås", 120})
	if err := f.DeleteSheet("Sheet1"); err != nil {
		t.Fatal(err)
	}
	if got := f.GetSheetList(); got[0] != "Diagram" {
		t.Fatalf("chart sheet not first: %q", got)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	tab, err := ReadXLSX("utlan.xlsx", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != 1 || tab.Get(tab.Rows[0], "utlån") != "120" {
		t.Errorf("rows %+v", tab.Rows)
	}
}
