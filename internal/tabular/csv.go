package tabular

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// ReadCSV reads a CSV file. Encoding and delimiter are detected, never asked:
// the people uploading cannot be expected to know what their Excel saved.
func ReadCSV(name string, data []byte) (*Table, error) {
	text, enc, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if strings.IndexByte(text[:min(len(text), 8192)], 0) >= 0 {
		return nil, fmt.Errorf("%s: not a CSV file (binary content)", name)
	}
	// Classic Mac Excel ends lines with a bare \r, which encoding/csv keeps
	// as data; without this the whole file would be one line.
	if strings.IndexByte(text, '\n') < 0 {
		text = strings.ReplaceAll(text, "\r", "\n")
	}
	text, delim := delimiter(text)

	t := &Table{File: name, Format: "csv", Encoding: enc, Delimiter: delim}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = delim
	r.FieldsPerRecord = -1
	r.LazyQuotes = false
	var recs []record
	for {
		cells, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &parseError{file: name, pe: pe}
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := r.FieldPos(0)
		recs = append(recs, record{line: line, cells: cells})
	}
	if err := build(t, recs, func(i int) string { return strconv.Itoa(i + 1) }); err != nil {
		return nil, err
	}
	return t, nil
}

// parseError words a csv.ParseError the way a person looking at the file
// needs it, while errors.As still finds the original.
type parseError struct {
	file string
	pe   *csv.ParseError
}

func (e *parseError) Error() string {
	// Plain words for the two errors people actually make; encoding/csv's
	// "non-quoted-field" reads like a typo to them.
	msg := e.pe.Err.Error()
	switch {
	case errors.Is(e.pe.Err, csv.ErrBareQuote):
		msg = `bare " in non-quoted field`
	case errors.Is(e.pe.Err, csv.ErrQuote):
		msg = `extraneous or missing " in quoted field`
	}
	if e.pe.StartLine != 0 && e.pe.StartLine != e.pe.Line {
		// An unclosed quote swallows lines; where it opened is the useful place.
		return fmt.Sprintf("%s line %d (record starting on line %d): %s", e.file, e.pe.Line, e.pe.StartLine, msg)
	}
	return fmt.Sprintf("%s line %d: %s", e.file, e.pe.Line, msg)
}

func (e *parseError) Unwrap() error { return e.pe }

var (
	bomUTF8    = []byte("\xEF\xBB\xBF")
	bomUTF16LE = []byte("\xFF\xFE")
	bomUTF16BE = []byte("\xFE\xFF")
)

// decode returns data as UTF-8 text and the name of the encoding it was in.
// Anything that is not valid UTF-8 is taken as Windows-1252, because that is
// what Norwegian and Swedish Excel still write for "CSV (semicolon
// separated)", and Latin-1 text is practically never valid UTF-8 by accident.
func decode(data []byte) (string, string, error) {
	switch {
	case bytes.HasPrefix(data, bomUTF8):
		// A BOM promises UTF-8; replace stray bytes rather than guess again,
		// so invalid UTF-8 never reaches the database.
		return strings.ToValidUTF8(string(data[len(bomUTF8):]), "\uFFFD"), "utf-8-bom", nil
	case bytes.HasPrefix(data, bomUTF16LE):
		s, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		return string(s), "utf-16le", err
	case bytes.HasPrefix(data, bomUTF16BE):
		s, err := unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		return string(s), "utf-16be", err
	case utf8.Valid(data):
		return string(data), "utf-8", nil
	}
	s, err := charmap.Windows1252.NewDecoder().Bytes(data)
	return string(s), "windows-1252", err
}

// delimiter picks the separator from the first non-blank line: the most
// frequent of ';' ',' '\t' outside double quotes, ties going to ';' (what
// Nordic Excel writes) and then ','. An Excel "sep=X" hint line decides
// instead; it is blanked rather than cut so line numbers stay true.
func delimiter(text string) (string, rune) {
	line, start := firstLine(text)
	if l := strings.TrimRight(line, "\r"); len(l) == 5 && strings.EqualFold(l[:4], "sep=") {
		if d := rune(l[4]); d == ';' || d == ',' || d == '\t' {
			return text[:start] + text[start+len(line):], d
		}
	}
	counts := map[rune]int{}
	inQuote := false
	for _, c := range line {
		switch {
		case c == '"':
			inQuote = !inQuote
		case !inQuote && (c == ';' || c == ',' || c == '\t'):
			counts[c]++
		}
	}
	best := ';'
	for _, d := range []rune{',', '\t'} {
		if counts[d] > counts[best] {
			best = d
		}
	}
	return text, best
}

// firstLine returns the first line with any content (a header cell may hold
// a quoted newline, so the line runs to the first newline outside quotes)
// and its byte offset, without the terminating newline.
func firstLine(text string) (string, int) {
	start, inQuote := 0, false
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '"':
			inQuote = !inQuote
		case '\n':
			if inQuote {
				continue
			}
			if strings.TrimSpace(text[start:i]) != "" {
				return text[start:i], start
			}
			start = i + 1
		}
	}
	return text[start:], start
}
