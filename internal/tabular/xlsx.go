package tabular

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// readOptions: dates in Excel's locale-dependent built-in short date format
// come back as ISO dates rather than excelize's US "01-30-24", which no
// Nordic user would recognise and nobody can parse unambiguously. The unzip
// limit keeps a small zip bomb from eating the server's memory.
var readOptions = excelize.Options{
	ShortDatePattern: "yyyy-mm-dd",
	UnzipSizeLimit:   256 << 20,
}

// ReadXLSX reads the first visible worksheet, each cell as the text Excel
// displays. Numbers in the General format come back as typed (988077917,
// 12.5), not in float notation; text cells such as "0301" keep their zeros.
func ReadXLSX(name string, data []byte) (*Table, error) {
	switch {
	case len(data) == 0:
		return nil, fmt.Errorf("%s: empty file", name)
	case bytes.HasPrefix(data, oleMagic):
		return nil, fmt.Errorf("%s: an Excel 97-2003 (.xls) or password-protected workbook; save it as .xlsx without a password, or as CSV", name)
	case bytes.Contains(data[:min(len(data), 128)], []byte("application/vnd.oasis.opendocument")):
		// ODF stores its mimetype uncompressed at the start of the zip.
		return nil, fmt.Errorf("%s: an OpenDocument spreadsheet (.ods); save it as .xlsx or CSV", name)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), readOptions)
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable XLSX file: %w", name, err)
	}
	defer f.Close()

	sheet, rows, err := firstVisibleSheet(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	t := &Table{File: name, Format: "xlsx"}
	recs := make([]record, len(rows))
	for i, cells := range rows {
		// GetRows fills gaps with empty rows, so the index is the row number.
		recs[i] = record{line: i + 1, cells: cells}
	}
	if err := build(t, recs, columnLetters); err != nil {
		return nil, fmt.Errorf("%w (sheet %q)", err, sheet)
	}
	return t, nil
}

// firstVisibleSheet returns the first worksheet a person opening the file
// would see data in: hidden sheets often hold lookup lists, and chart sheets
// have no cells.
func firstVisibleSheet(f *excelize.File) (string, [][]string, error) {
	for _, s := range f.GetSheetList() {
		if visible, err := f.GetSheetVisible(s); err != nil || !visible {
			continue
		}
		rows, err := f.GetRows(s)
		if err != nil {
			return "", nil, fmt.Errorf("sheet %q: %w", s, err)
		}
		if len(rows) == 0 {
			// GetRows reads a chart sheet as empty; the worksheet reader
			// behind GetSheetProps tells them apart, and is cheap for a sheet
			// with no rows.
			if _, err := f.GetSheetProps(s); err != nil && strings.Contains(err.Error(), "not a worksheet") {
				continue
			}
		}
		return s, rows, nil
	}
	return "", nil, fmt.Errorf("no visible worksheet")
}

func columnLetters(i int) string {
	s, err := excelize.ColumnNumberToName(i + 1)
	if err != nil {
		return fmt.Sprint(i + 1)
	}
	return s
}

// WriteXLSX writes one sheet with a bold, frozen header row. Every cell is
// written as text with the Text number format, so that leading zeros, long
// digit strings (org numbers, ISBNs) and values like "1-2" survive both the
// file and later editing in Excel; and because text is never evaluated, no
// formula-injection escaping is needed here.
func WriteXLSX(w io.Writer, sheet string, header []string, rows [][]string) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet = sheetName(sheet)
	if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
		return fmt.Errorf("xlsx sheet name: %w", err)
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{NumFmt: 49, Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("xlsx stream: %w", err)
	}
	// Widths and panes must be set before the first row in a stream.
	for i, width := range columnWidths(header, rows) {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return fmt.Errorf("xlsx column width: %w", err)
		}
	}
	if len(header) > 0 {
		err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
			Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}})
		if err != nil {
			return fmt.Errorf("xlsx freeze header: %w", err)
		}
	}
	all := append([][]string{header}, rows...)
	for i, r := range all {
		style := text
		if i == 0 {
			style = bold
		}
		cells := make([]any, len(r))
		for j, v := range r {
			cells[j] = excelize.Cell{StyleID: style, Value: v}
		}
		ref, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(ref, cells); err != nil {
			return fmt.Errorf("xlsx row %d: %w", i+1, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("xlsx flush: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("xlsx write: %w", err)
	}
	return nil
}

// columnWidths fits each column to its longest line, in characters, within
// bounds that keep a column readable without letting one long note push the
// rest off screen.
func columnWidths(header []string, rows [][]string) []float64 {
	const minWidth, maxWidth = 8, 60
	var widths []float64
	measure := func(r []string) {
		for i, v := range r {
			for len(widths) <= i {
				widths = append(widths, minWidth)
			}
			for line := range strings.SplitSeq(v, "\n") {
				// +2 because bold header text is wider than the count suggests.
				widths[i] = max(widths[i], float64(utf8.RuneCountInString(line)+2))
			}
			widths[i] = min(widths[i], maxWidth)
		}
	}
	measure(header)
	for _, r := range rows {
		measure(r)
	}
	return widths
}

// sheetName makes name acceptable to Excel, which refuses some characters
// and anything over 31 characters; the name is a label, so a close
// approximation beats failing the whole export.
func sheetName(name string) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '_'
		}
		return r
	}, strings.TrimSpace(name))
	name = strings.Trim(name, "'")
	if r := []rune(name); len(r) > 31 {
		name = string(r[:31])
	}
	if name == "" {
		return "Sheet1"
	}
	return name
}
