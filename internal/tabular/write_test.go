package tabular

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

var (
	roundTripHeader = []string{"Navn", "Kommune", "Kommunenr", "Orgnr", "ISIL", "Merknad", "Telefon", "Saldo"}
	roundTripRows   = [][]string{
		{"Tromsø bibliotek", "Tromsø", "5501", "988077917", "NO-0030000", "Åpent; også lørdag", "+47 77 79 00 00", "-5"},
		{"Oslo \"Deichman\"", "Oslo", "0301", "974778742", "NO-0030100", "linje 1\nlinje 2", "", "-12,5"},
		{"Bærum, Ørland og Måsøy", "Ås", "3021", "", "", "=HYPERLINK(\"x\")", "@SUM(A1)", "-"},
	}
)

func TestWriteCSVRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, roundTripHeader, roundTripRows); err != nil {
		t.Fatal(err)
	}
	raw := buf.String()
	if !strings.HasPrefix(raw, "\uFEFFNavn;Kommune;") || !strings.HasSuffix(raw, "\r\n") {
		t.Errorf("want BOM, ';' and CRLF, got %q", raw[:min(len(raw), 40)])
	}
	tab, err := ReadCSV("export.csv", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if tab.Encoding != "utf-8-bom" || tab.Delimiter != ';' {
		t.Errorf("encoding %q delimiter %q", tab.Encoding, tab.Delimiter)
	}
	if !reflect.DeepEqual(tab.Header, roundTripHeader) {
		t.Errorf("header %q", tab.Header)
	}
	for i, r := range tab.Rows {
		if !reflect.DeepEqual(r.Cells, roundTripRows[i]) {
			t.Errorf("row %d: got %q, want %q", i, r.Cells, roundTripRows[i])
		}
	}
	// The quoted two-line cell in row 3 (line 3) pushes row 4 to line 5.
	if lines := []int{tab.Rows[0].Line, tab.Rows[1].Line, tab.Rows[2].Line}; !reflect.DeepEqual(lines, []int{2, 3, 5}) {
		t.Errorf("lines %v", lines)
	}
}

func TestFormulaInjection(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=1+1", "'=1+1"},
		{"+47 22 00 00 00", "'+47 22 00 00 00"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"-2+3", "'-2+3"},
		{"-A1", "'-A1"},
		{"-5", "-5"},
		{"-12.5", "-12.5"},
		{"-12,5", "-12,5"},
		{"-", "-"},
		{"-5.", "'-5."},
		{"10.0.0.0/8", "10.0.0.0/8"},
		{"Tromsø", "Tromsø"},
		{"'=already", "''=already"},
		{"''+47", "'''+47"},
		{"", ""},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		if err := WriteCSV(&buf, []string{"h"}, [][]string{{tt.in}}); err != nil {
			t.Fatal(err)
		}
		got := strings.TrimSuffix(strings.SplitN(buf.String(), "\r\n", 2)[1], "\r\n")
		if got != tt.want {
			t.Errorf("WriteCSV(%q) wrote %q, want %q", tt.in, got, tt.want)
		}
		if back := unescapeFormula(got); back != tt.in {
			t.Errorf("reading %q back gives %q, want %q", got, back, tt.in)
		}
	}
}

func TestHeaderOnly(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, []string{"Navn", "Kommune"}, nil); err != nil {
		t.Fatal(err)
	}
	tab, err := Read("tom.csv", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Header) != 2 || len(tab.Rows) != 0 {
		t.Errorf("header %q rows %d", tab.Header, len(tab.Rows))
	}
}
