// Package tabular reads and writes the spreadsheets library staff work in:
// CSV in whatever encoding and separator their Excel produced, and XLSX.
// Everything comes back as trimmed text with the line each row came from, so
// an import can say "members.csv line 7" and the person can find it.
package tabular

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
)

// Table is a spreadsheet read from a file: the header and the data rows, each
// row knowing where it stood in the file so errors can point at it.
type Table struct {
	File      string   // the file name as given (for messages)
	Format    string   // "csv" or "xlsx"
	Encoding  string   // "utf-8", "utf-8-bom", "windows-1252", "utf-16le", "utf-16be" (csv); "" for xlsx
	Delimiter rune     // ',' ';' or '\t' (csv); 0 for xlsx
	Header    []string // trimmed header cells
	Rows      []Row
}

// Row is one non-blank data row.
type Row struct {
	Line  int      // CSV: the 1-based line where the record starts; XLSX: the 1-based spreadsheet row number
	Cells []string // trimmed; padded with "" to len(Header); longer rows keep their extra cells
}

// Index returns the position of the header named col (case-insensitive,
// trimmed match), -1 if absent. Blank header cells never match.
func (t *Table) Index(col string) int {
	col = strings.TrimSpace(col)
	if col == "" {
		return -1
	}
	for i, h := range t.Header {
		if strings.EqualFold(h, col) {
			return i
		}
	}
	return -1
}

// Get returns r's cell under the header named col, "" if there is no such column.
func (t *Table) Get(r Row, col string) string {
	return r.Get(t.Index(col))
}

// Get returns the cell at i, "" when i<0 or out of range, so a missing
// column reads like an empty one.
func (r Row) Get(i int) string {
	if i < 0 || i >= len(r.Cells) {
		return ""
	}
	return r.Cells[i]
}

// Blank reports whether every cell is empty. Excel leaves such rows behind
// after deleting content, and they mean nothing.
func (r Row) Blank() bool {
	for _, c := range r.Cells {
		if c != "" {
			return false
		}
	}
	return true
}

var (
	zipMagic = []byte("PK\x03\x04")
	// Compound File Binary: Excel 97-2003 .xls, and also every
	// password-protected .xlsx, which Excel wraps in the same container.
	oleMagic = []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")
)

// Read decides the format from the content, because people rename files and
// browsers guess types; the extension only breaks the tie for an empty file.
func Read(name string, data []byte) (*Table, error) {
	if bytes.HasPrefix(data, zipMagic) || bytes.HasPrefix(data, oleMagic) {
		return ReadXLSX(name, data)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		switch strings.ToLower(filepath.Ext(name)) {
		case ".xlsx", ".xlsm", ".xls":
			return ReadXLSX(name, data)
		}
	}
	return ReadCSV(name, data)
}

// record is a row as it came out of the file, before trimming.
type record struct {
	line  int
	cells []string
}

// build turns records into t.Header and t.Rows. colName renders a 0-based
// column index the way the user sees it (1, 2, … in CSV; A, B, … in Excel).
// Only CSV cells are unescaped: XLSX cells are written as text, which no
// spreadsheet evaluates, so they are never escaped.
func build(t *Table, recs []record, colName func(int) string) error {
	var header *record
	for i := range recs {
		r := &recs[i]
		for j, c := range r.cells {
			c = strings.TrimSpace(c)
			if t.Format == "csv" {
				c = unescapeFormula(c)
			}
			r.cells[j] = c
		}
		if (Row{Cells: r.cells}).Blank() {
			continue
		}
		if header == nil {
			header = r
			continue
		}
		t.Rows = append(t.Rows, Row{Line: r.line, Cells: r.cells})
	}
	if header == nil {
		return fmt.Errorf("%s: no header row", t.File)
	}
	t.Header = header.cells
	seen := make(map[string]int, len(t.Header))
	for i, h := range t.Header {
		if h == "" {
			continue
		}
		key := strings.ToLower(h)
		if j, dup := seen[key]; dup {
			return fmt.Errorf("%s: duplicate column %q in column %s and %q in column %s",
				t.File, t.Header[j], colName(j), h, colName(i))
		}
		seen[key] = i
	}
	for i := range t.Rows {
		if n := len(t.Header) - len(t.Rows[i].Cells); n > 0 {
			t.Rows[i].Cells = append(t.Rows[i].Cells, make([]string, n)...)
		}
	}
	return nil
}
