// Package counter reads COUNTER Release 5.0 and 5.1 usage reports (JSON as
// served by COUNTER_SUSHI, and the tabular TSV/CSV form) as a stream: one
// callback per report row, so memory stays flat however large the report is.
//
// Outcomes of Read, for callers that store what they get:
//
//   - (*Report, nil): a report. It may have no rows at all; then
//     Header.Exceptions usually says why (3030 no usage, 3031, 3050, 3062 …).
//     Store the exceptions with the (empty) harvest.
//   - (nil, *ExceptionsError): the server answered with exceptions instead of
//     a report (a bare array of exceptions, a root-level "Exception" object as
//     in invalid-customer.json, a SUSHI error envelope). Not a broken file:
//     store the exceptions; errors.As(err, &ee) gives them.
//   - (nil, other error): the file is broken or not COUNTER. A
//     *FormatError names the line (TSV/CSV) or JSON path and byte offset and
//     the field; errors.Is(err, ErrNotReport) when it is not COUNTER at all.
//     Rows already passed to fn must then be discarded (roll back).
//   - an error returned by fn stops Read and comes back wrapped.
package counter

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Exception is a COUNTER/SUSHI exception. Code is parsed from a number or a
// string; Severity is kept as text even when a server sends a number.
type Exception struct {
	Code                             int
	Severity, Message, Data, HelpURL string
}

// Warning records something read that was off but clear. Line is the TSV/CSV
// line (0 for JSON); for JSON, Field holds the JSON path.
type Warning struct {
	Line           int
	Field, Message string
}

// Header is the report header, normalised.
type Header struct {
	Release                     string // "5" or "5.1"
	ReportID                    string // upper-case, e.g. "TR_J1"
	ReportName                  string
	CustomerID, InstitutionName string
	InstitutionIDs              []string // "Type:Value"
	Created                     string   // as given
	CreatedBy                   string
	Begin, End                  string            // "YYYY-MM-DD"
	Filters                     map[string]string // keys as given; list values joined with "|"
	Attributes                  map[string]string
	Exceptions                  []Exception
}

// IDs are the identifiers of a report item.
type IDs struct{ DOI, ISBN, PrintISSN, OnlineISSN, Proprietary, URI string }

// Item is one report row's item with its attributes.
type Item struct {
	Kind                                                 string // "platform" (PR), "database" (DR), "title" (TR), "item" (IR)
	Name                                                 string // Title / Database / Item name; for PR the platform name
	Platform                                             string
	Publisher                                            string
	IDs                                                  IDs
	DataType, SectionType, YOP, AccessType, AccessMethod string
	Parent                                               string // IR: parent title, if any
}

// Count is the usage of one metric in one month.
type Count struct {
	Month  string // "2022-01"
	Metric string
	Count  int64
}

// Report is what Read returns after the whole stream is read.
type Report struct {
	Header   Header
	Warnings []Warning
	Rows     int64    // callbacks made
	Months   []string // sorted distinct months seen
	// Items is the number of JSON Report_Items (0 for TSV/CSV). NestedItems
	// counts the Items nested in R5.1 IR Report_Items.
	Items, NestedItems int64
}

// ErrNotReport is matched (errors.Is) by errors for input that is not a
// COUNTER report at all.
var ErrNotReport = errors.New("not a COUNTER report")

// FormatError is a broken or unreadable file.
type FormatError struct {
	Name   string
	Line   int    // TSV/CSV line, 1-based; 0 for JSON
	Path   string // JSON path, e.g. Report_Items[3].Performance[0].Instance[1].Count
	Offset int64  // JSON byte offset, -1 if unknown
	Field  string // TSV/CSV column heading
	Msg    string
	Err    error
}

func (e *FormatError) Error() string {
	var b strings.Builder
	b.WriteString(e.Name)
	if e.Line > 0 {
		fmt.Fprintf(&b, " line %d", e.Line)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ", column %q", e.Field)
	}
	if e.Path != "" {
		b.WriteString(" " + e.Path)
	}
	if e.Offset >= 0 && e.Line == 0 {
		fmt.Fprintf(&b, " (offset %d)", e.Offset)
	}
	b.WriteString(": " + e.Msg)
	if e.Err != nil && !errors.Is(e.Err, ErrNotReport) {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *FormatError) Unwrap() error { return e.Err }

// ExceptionsError is an answer that holds only exceptions and no report.
type ExceptionsError struct {
	Name       string
	Header     Header // whatever header fields came with it
	Exceptions []Exception
}

func (e *ExceptionsError) Error() string {
	parts := make([]string, len(e.Exceptions))
	for i, x := range e.Exceptions {
		parts[i] = fmt.Sprintf("%d %s", x.Code, x.Message)
	}
	return fmt.Sprintf("%s: no report, only exceptions: %s", e.Name, strings.Join(parts, "; "))
}

const maxWarnings = 200

// state is shared by the JSON and table readers.
type state struct {
	name     string
	fn       func(Item, []Count) error
	rep      Report
	months   map[string]struct{}
	seenWarn map[string]int
	dropped  int
}

func (s *state) warn(line int, field, msg string) {
	// One warning per message: a vendor quirk repeats on every row, the
	// first place it occurs is enough to find it.
	key := msg
	if _, ok := s.seenWarn[key]; ok {
		s.seenWarn[key]++
		return
	}
	if len(s.rep.Warnings) >= maxWarnings {
		s.dropped++
		return
	}
	s.seenWarn[key] = 1
	s.rep.Warnings = append(s.rep.Warnings, Warning{Line: line, Field: field, Message: msg})
}

// emit passes one row on: zero counts dropped, duplicates summed, sorted
// by metric and month (the order both forms usually come in already).
func (s *state) emit(it Item, counts []Count) error {
	cmp := func(a, b Count) int {
		if c := strings.Compare(a.Metric, b.Metric); c != 0 {
			return c
		}
		return strings.Compare(a.Month, b.Month)
	}
	if !slices.IsSortedFunc(counts, cmp) {
		slices.SortFunc(counts, cmp)
	}
	out := make([]Count, 0, len(counts))
	for _, c := range counts {
		if c.Count == 0 {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Month == c.Month && out[n-1].Metric == c.Metric {
			out[n-1].Count += c.Count
			continue
		}
		out = append(out, c)
		if _, ok := s.months[c.Month]; !ok {
			s.months[c.Month] = struct{}{}
		}
	}
	s.rep.Rows++
	if err := s.fn(it, out); err != nil {
		return fmt.Errorf("%s row %d: %w", s.name, s.rep.Rows, err)
	}
	return nil
}

func (s *state) finish() *Report {
	if s.dropped > 0 {
		s.rep.Warnings = append(s.rep.Warnings, Warning{Message: fmt.Sprintf("%d more warnings not recorded", s.dropped)})
	}
	for m := range s.months {
		s.rep.Months = append(s.rep.Months, m)
	}
	slices.Sort(s.rep.Months)
	return &s.rep
}

// Read detects the form (JSON 5.0, JSON 5.1, TSV, CSV; BOM, CRLF, SUSHI
// envelope quirks) from the content, streams it and calls fn once per report
// row. JSON: once per Report_Item and attribute combination (R5.0: per
// Report_Item; R5.1: per Attribute_Performance entry; R5.1 IR: per nested
// Item and entry, carrying Parent). TSV/CSV: once per data line. Counts of
// the same month and metric within one call are summed; zero counts are
// left out. See the package comment for the errors.
func Read(r io.Reader, name string, fn func(Item, []Count) error) (*Report, error) {
	s := &state{name: name, fn: fn, months: map[string]struct{}{}, seenWarn: map[string]int{}}
	br := bufio.NewReaderSize(r, 1<<16)
	if bom, _ := br.Peek(2); bytes.Equal(bom, []byte{0xff, 0xfe}) || bytes.Equal(bom, []byte{0xfe, 0xff}) {
		// Spreadsheet programs save "Unicode text" as UTF-16.
		s.warn(0, "", "UTF-16 text; read as UTF-8 after conversion")
		br = bufio.NewReaderSize(transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()), 1<<16)
	}
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	first, err := firstByte(br)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &FormatError{Name: name, Offset: -1, Msg: "empty file", Err: ErrNotReport}
		}
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	switch first {
	case '{', '[', '"':
		err = s.readJSON(br)
	default:
		err = s.readTable(br)
	}
	if err != nil {
		return nil, err
	}
	return s.finish(), nil
}

func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return b, br.UnreadByte()
	}
}

var reportKinds = map[string]string{"PR": "platform", "DR": "database", "TR": "title", "IR": "item"}

// kindOf gives the item kind of a report id ("TR_J1" → "title").
func kindOf(id string) string {
	p, _, _ := strings.Cut(id, "_")
	return reportKinds[p]
}

// knownReports maps Report_ID to the COUNTER Report_Name (R5.0 and R5.1).
var knownReports = map[string][]string{
	"PR":    {"Platform Master Report", "Platform Report"},
	"PR_P1": {"Platform Usage"},
	"DR":    {"Database Master Report", "Database Report"},
	"DR_D1": {"Database Search and Item Usage"},
	"DR_D2": {"Database Access Denied"},
	"TR":    {"Title Master Report", "Title Report"},
	"TR_B1": {"Book Requests (Excluding OA_Gold)", "Book Requests (Controlled)"},
	"TR_B2": {"Book Access Denied"},
	"TR_B3": {"Book Usage by Access Type"},
	"TR_J1": {"Journal Requests (Excluding OA_Gold)", "Journal Requests (Controlled)"},
	"TR_J2": {"Journal Access Denied"},
	"TR_J3": {"Journal Usage by Access Type"},
	"TR_J4": {"Journal Requests by YOP (Excluding OA_Gold)", "Journal Requests by YOP (Controlled)"},
	"IR":    {"Item Master Report", "Item Report"},
	"IR_A1": {"Journal Article Requests"},
	"IR_M1": {"Multimedia Item Requests"},
}

// checkHeader normalises the header after it is complete and warns about
// what is off. It returns an error when the report cannot be understood.
func (s *state) checkHeader(line int, field string) error {
	h := &s.rep.Header
	if h.ReportID == "" {
		return &FormatError{Name: s.name, Line: line, Path: field, Offset: -1, Msg: "no Report_ID", Err: ErrNotReport}
	}
	if up := strings.ToUpper(strings.TrimSpace(h.ReportID)); up != h.ReportID {
		s.warn(line, field+"Report_ID", fmt.Sprintf("Report_ID %q normalised to %q", h.ReportID, up))
		h.ReportID = up
	}
	if kindOf(h.ReportID) == "" {
		return &FormatError{Name: s.name, Line: line, Path: field, Offset: -1, Msg: fmt.Sprintf("unknown Report_ID %q", h.ReportID), Err: ErrNotReport}
	}
	if names, ok := knownReports[h.ReportID]; ok && h.ReportName != "" && !slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, h.ReportName) }) {
		s.warn(line, field+"Report_Name", fmt.Sprintf("Report_Name %q does not match Report_ID %s; Report_ID trusted", h.ReportName, h.ReportID))
	}
	switch rel := strings.TrimSpace(h.Release); rel {
	case "5", "5.0":
		h.Release = "5"
	case "5.1":
	case "":
		s.warn(line, field+"Release", "no Release; assumed 5")
		h.Release = "5"
	default:
		return &FormatError{Name: s.name, Line: line, Path: field + "Release", Offset: -1, Msg: fmt.Sprintf("unsupported Release %q", rel)}
	}
	for k, v := range h.Filters {
		switch strings.ToLower(k) {
		case "begin_date":
			if h.Begin == "" {
				h.Begin = v
			}
		case "end_date":
			if h.End == "" {
				h.End = v
			}
		}
	}
	var err error
	if h.Begin, err = normDate(h.Begin, false); err != nil {
		s.warn(line, field+"Begin_Date", err.Error())
	}
	if h.End, err = normDate(h.End, true); err != nil {
		s.warn(line, field+"End_Date", err.Error())
	}
	for k, v := range h.Attributes {
		if !strings.EqualFold(k, "Attributes_To_Show") {
			continue
		}
		for a := range strings.SplitSeq(v, "|") {
			if c, ok := canonicalAttr[strings.ToLower(a)]; ok && c != a {
				s.warn(line, field+"Report_Attributes", fmt.Sprintf("attribute %q not in COUNTER case (%s)", a, c))
				break
			}
		}
	}
	return nil
}

var canonicalAttr = func() map[string]string {
	m := map[string]string{}
	for _, a := range []string{"Authors", "Publication_Date", "Article_Version", "Data_Type", "Section_Type", "YOP", "Access_Type", "Access_Method", "Platform"} {
		m[strings.ToLower(a)] = a
	}
	return m
}()

// normDate accepts YYYY-MM-DD and YYYY-MM (first or last day of the month).
func normDate(d string, last bool) (string, error) {
	d = strings.TrimSpace(d)
	if d == "" {
		return "", nil
	}
	if len(d) >= 10 && isDate(d[:10]) {
		return d[:10], nil
	}
	if len(d) == 7 && isMonth(d) {
		if !last {
			return d + "-01", nil
		}
		return d + "-" + fmt.Sprint(daysIn(d)), nil
	}
	return d, fmt.Errorf("date %q is not YYYY-MM-DD", d)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isMonth(s string) bool {
	return len(s) == 7 && isDigits(s[:4]) && s[4] == '-' && isDigits(s[5:]) && s[5:] >= "01" && s[5:] <= "12"
}

func isDate(s string) bool { return len(s) == 10 && isMonth(s[:7]) && s[7] == '-' && isDigits(s[8:]) }

func daysIn(month string) int {
	y := 0
	fmt.Sscan(month[:4], &y)
	switch month[5:] {
	case "02":
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case "04", "06", "09", "11":
		return 30
	}
	return 31
}
