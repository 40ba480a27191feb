package tabular

import (
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestReadCSVFixtures(t *testing.T) {
	tests := []struct {
		file     string
		encoding string
		delim    rune
		header   []string
		rows     []Row
	}{
		{"utf8.csv", "utf-8", ';', []string{"Navn", "Kommune", "Orgnr"}, []Row{
			{2, []string{"Tromsø bibliotek", "Tromsø", "988077917"}},
			{3, []string{"Måsøy folkebibliotek", "Måsøy", "0301"}},
		}},
		{"utf8-bom.csv", "utf-8-bom", ',', []string{"Navn", "Kommune"}, []Row{
			{2, []string{"Bærum bibliotek", "Bærum"}},
			{3, []string{"Ås bibliotek, avd. sentrum", "Ås"}},
		}},
		{"windows-1252.csv", "windows-1252", ';', []string{"Navn", "Kommune"}, []Row{
			{2, []string{"Bærum bibliotek", "Bærum"}},
			{3, []string{"Ås bibliotek", "Ås"}},
			{4, []string{"Ørland folkebibliotek", "Ørland"}},
			{5, []string{"Måsøy bibliotek", "Måsøy"}},
			{6, []string{"Tromsø bibliotek", "Tromsø"}},
		}},
		{"utf16le.txt", "utf-16le", '\t', []string{"Navn", "Kommune", "Merknad"}, []Row{
			{2, []string{"Ørland folkebibliotek", "Ørland", "a, b; c"}},
			{3, []string{"Måsøy bibliotek", "Måsøy", ""}},
		}},
		// Quoted newlines, blank lines and a row of empty cells: every row
		// keeps the line it starts on in the file.
		{"multiline.csv", "utf-8", ';', []string{"Navn", "Adresse", "Merknad"}, []Row{
			{2, []string{"Tromsø bibliotek", "Grønnegata 94\n9008 Tromsø", `sier "hei"; ok`}},
			{6, []string{"Bærum bibliotek", "Vøyenenga", ""}},
			{7, []string{"Ås bibliotek", "Postboks 1;\n\n1431 Ås", ""}},
			{10, []string{"Ørland", "", "", "ekstra"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Read(tt.file, data)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			want := &Table{File: tt.file, Format: "csv", Encoding: tt.encoding, Delimiter: tt.delim, Header: tt.header, Rows: tt.rows}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %#v\nwant %#v", got, want)
			}
		})
	}
}

func TestCSVDelimiter(t *testing.T) {
	tests := []struct {
		name  string
		data  string
		delim rune
		cells []string
	}{
		{"semicolon", "a;b;c\n1;2;3\n", ';', []string{"1", "2", "3"}},
		{"comma", "a,b,c\n1,2,3\n", ',', []string{"1", "2", "3"}},
		{"tab", "a\tb\tc\n1\t2\t3\n", '\t', []string{"1", "2", "3"}},
		{"semicolon with decimal commas", "a;b\n1,5;2,5\n", ';', []string{"1,5", "2,5"}},
		{"commas inside quotes ignored", "\"x,y,z\";b\n1;2\n", ';', []string{"1", "2"}},
		{"tie goes to semicolon", "a;b,c\n1;2,3\n", ';', []string{"1", "2,3"}},
		{"tie between comma and tab goes to comma", "a,b\tc\n1,2\t3\n", ',', []string{"1", "2\t3"}},
		{"single column", "navn\nTromsø\n", ';', []string{"Tromsø"}},
		{"blank lines before header", "\r\n\r\na,b\r\n1,2\r\n", ',', []string{"1", "2"}},
		{"CRLF", "a;b\r\n1;2\r\n", ';', []string{"1", "2"}},
		{"bare CR (old Mac Excel)", "a;b\r1;2\r", ';', []string{"1", "2"}},
		{"Excel sep= hint", "sep=,\r\na;b,c\r\n1;2,3\r\n", ',', []string{"1;2", "3"}},
		{"quoted newline in header", "\"a\nb\",c\n1,2\n", ',', []string{"1", "2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := ReadCSV("x.csv", []byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if tab.Delimiter != tt.delim {
				t.Errorf("delimiter %q, want %q", tab.Delimiter, tt.delim)
			}
			if len(tab.Rows) != 1 || !reflect.DeepEqual(tab.Rows[0].Cells, tt.cells) {
				t.Errorf("rows %+v, want one row %q", tab.Rows, tt.cells)
			}
		})
	}
}

func TestReadCSVLineNumbers(t *testing.T) {
	// The sep= line is blanked, not removed, so it still counts.
	tab, err := ReadCSV("x.csv", []byte("sep=;\r\nNavn;Kommune\r\n\r\nTromsø;Tromsø\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != 1 || tab.Rows[0].Line != 4 {
		t.Errorf("rows %+v, want one row on line 4", tab.Rows)
	}
}

func TestReadCSVErrors(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"empty file", "", "members.csv: no header row"},
		{"only blank lines", "\r\n;;\r\n  \r\n", "members.csv: no header row"},
		{"bare quote", "Navn;Kommune\n" + strings.Repeat("x;y\n", 5) + "Tromsø \"sentrum\";Tromsø\n",
			`members.csv line 7: bare " in non-quoted field`},
		{"unclosed quote", "Navn;Kommune\nTromsø;\"Tromsø\n\nBærum;Bærum\n",
			`members.csv line 4 (record starting on line 2): extraneous or missing " in quoted field`},
		{"duplicate header", "Navn;Kommune;navn \n1;2;3\n",
			`members.csv: duplicate column "Navn" in column 1 and "navn" in column 3`},
		{"binary", "\x00\x01\x02\x03garbage", "members.csv: not a CSV file (binary content)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadCSV("members.csv", []byte(tt.data))
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
	t.Run("parse error unwraps", func(t *testing.T) {
		_, err := ReadCSV("members.csv", []byte("a;b\n1;x\"y\n"))
		var pe *csv.ParseError
		if !errors.As(err, &pe) || !errors.Is(err, csv.ErrBareQuote) || pe.Line != 2 {
			t.Errorf("error %v does not unwrap to the csv.ParseError", err)
		}
	})
}

func TestReadCSVShape(t *testing.T) {
	tab, err := ReadCSV("x.csv", []byte("Navn;;Kommune\nTromsø\nBærum;;Bærum;ekstra\n"))
	if err != nil {
		t.Fatal(err)
	}
	// Blank header cells are not duplicates of each other, and match nothing.
	if got := tab.Index(""); got != -1 {
		t.Errorf(`Index("") = %d`, got)
	}
	if got := tab.Index(" KOMMUNE "); got != 2 {
		t.Errorf(`Index(" KOMMUNE ") = %d, want 2`, got)
	}
	short, long := tab.Rows[0], tab.Rows[1]
	if !reflect.DeepEqual(short.Cells, []string{"Tromsø", "", ""}) {
		t.Errorf("short row not padded: %q", short.Cells)
	}
	if !reflect.DeepEqual(long.Cells, []string{"Bærum", "", "Bærum", "ekstra"}) {
		t.Errorf("long row lost cells: %q", long.Cells)
	}
	if got := tab.Get(long, "kommune"); got != "Bærum" {
		t.Errorf("Get = %q", got)
	}
	if tab.Get(long, "fylke") != "" || long.Get(-1) != "" || long.Get(4) != "" {
		t.Error("absent column should read as empty")
	}
}

func TestReadCSVUTF16BE(t *testing.T) {
	var data []byte
	for _, r := range "\uFEFFNavn\tKommune\r\nÅs bibliotek\tÅs\r\n" {
		data = append(data, byte(r>>8), byte(r))
	}
	tab, err := ReadCSV("x.txt", data)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Encoding != "utf-16be" || tab.Delimiter != '\t' || tab.Get(tab.Rows[0], "Kommune") != "Ås" {
		t.Errorf("got %+v", tab)
	}
}
