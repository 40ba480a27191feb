package tabular

import (
	"encoding/csv"
	"fmt"
	"io"
)

// WriteCSV writes what Norwegian and Swedish Excel open correctly with a
// double click: UTF-8 with a BOM (without it Excel assumes the ANSI code page
// and mangles æøå), ';' as the delimiter (their list separator, because ','
// is the decimal separator) and CRLF line ends. Cells that Excel would run as
// formulas are defused with a leading apostrophe.
func WriteCSV(w io.Writer, header []string, rows [][]string) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	out := make([]string, 0, len(header))
	write := func(r []string) error {
		out = out[:0]
		for _, v := range r {
			out = append(out, escapeFormula(v))
		}
		return cw.Write(out)
	}
	if err := write(header); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	for _, r := range rows {
		if err := write(r); err != nil {
			return fmt.Errorf("csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	return nil
}

// escapeFormula prefixes a cell that a spreadsheet would evaluate (a name
// like "=HYPERLINK(...)" typed into a web form must not become a live
// formula in a colleague's Excel). Negative numbers are left alone, and so
// is a lone "-", which people use for "none" and Excel shows as text.
func escapeFormula(v string) string {
	if needsEscape(v) {
		return "'" + v
	}
	return v
}

// unescapeFormula undoes escapeFormula on read, so a file exported by us,
// edited and imported again does not gain an apostrophe in every phone
// number starting with '+'.
func unescapeFormula(v string) string {
	if len(v) > 1 && v[0] == '\'' && needsEscape(v[1:]) {
		return v[1:]
	}
	return v
}

// needsEscape is true for a formula, and for a value that already looks
// escaped ("'=x"), so that escape and unescape are exact inverses: a note
// that really begins with an apostrophe survives export and import.
func needsEscape(v string) bool {
	for len(v) > 1 && v[0] == '\'' {
		v = v[1:]
	}
	return isFormula(v)
}

func isFormula(v string) bool {
	if v == "" {
		return false
	}
	switch v[0] {
	case '=', '+', '@':
		return true
	case '-':
		return len(v) > 1 && !isNumber(v[1:])
	}
	return false
}

// isNumber accepts digits with at most one decimal separator, '.' or ','
// (the Nordic one), which is all a negative number in a cell looks like.
func isNumber(s string) bool {
	digits, sep := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case (c == '.' || c == ',') && !sep && digits > 0 && i < len(s)-1:
			sep = true
		default:
			return false
		}
	}
	return digits > 0
}
