package counter

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// rowSource gives the rows of a TSV or CSV file with their line numbers.
type rowSource interface {
	next() (fields []string, line int, err error)
}

type tsvRows struct {
	br      *bufio.Reader
	line    int
	long    []byte
	invalid func(line int)
}

func (t *tsvRows) next() ([]string, int, error) {
	t.long = t.long[:0]
	for {
		b, err := t.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			t.long = append(t.long, b...)
			continue
		}
		if len(t.long) > 0 {
			b = append(t.long, b...)
		}
		if err != nil && (!errors.Is(err, io.EOF) || len(b) == 0) {
			return nil, t.line, err
		}
		t.line++
		b = bytes.TrimRight(b, "\r\n")
		line := string(b)
		if !utf8.ValidString(line) {
			t.invalid(t.line)
			line = strings.ToValidUTF8(line, "\uFFFD")
		}
		return strings.Split(line, "\t"), t.line, nil
	}
}

type csvRows struct {
	r       *csv.Reader
	last    int
	invalid func(line int)
}

func (c *csvRows) next() ([]string, int, error) {
	rec, err := c.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, pe.Line, err
		}
		return nil, c.last, err
	}
	c.last, _ = c.r.FieldPos(0)
	for i, f := range rec {
		if !utf8.ValidString(f) {
			c.invalid(c.last)
			rec[i] = strings.ToValidUTF8(f, "\uFFFD")
		}
	}
	return rec, c.last, nil
}

func (s *state) readTable(br *bufio.Reader) error {
	first, _ := br.Peek(4096)
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	// Text from a legacy encoding would break the database; the bytes that
	// are not UTF-8 become U+FFFD and the first line is named.
	invalid := func(line int) { s.warn(line, "", "text that is not UTF-8; replaced by \uFFFD") }
	var src rowSource
	switch {
	case bytes.IndexByte(first, '\t') >= 0:
		src = &tsvRows{br: br, invalid: invalid}
	case bytes.IndexByte(first, ',') >= 0:
		s.warn(1, "", "comma-separated (CSV) instead of tab-separated")
		cr := csv.NewReader(br)
		cr.FieldsPerRecord = -1
		cr.LazyQuotes = true
		cr.ReuseRecord = true
		src = &csvRows{r: cr, invalid: invalid}
	default:
		return &FormatError{Name: s.name, Line: 1, Offset: -1, Msg: "neither JSON nor a COUNTER TSV/CSV report", Err: ErrNotReport}
	}
	cols, err := s.tableHeader(src)
	if err != nil {
		return err
	}
	return s.tableRows(src, cols)
}

func isEmptyRow(f []string) bool {
	for _, v := range f {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

func cell(f []string, i int) string {
	if i < 0 || i >= len(f) {
		return ""
	}
	return strings.TrimSpace(f[i])
}

var tableHeaderKeys = map[string]bool{}

func init() {
	for _, k := range []string{"report_name", "report_id", "release", "institution_name", "institution_id", "metric_types",
		"report_filters", "report_attributes", "exceptions", "reporting_period", "created", "created_by", "customer_id", "registry_record"} {
		tableHeaderKeys[k] = true
	}
}

// columns are the positions of the known column headings; -1 when absent.
type columns struct {
	name, publisher, platform, doi, prop, isbn, pissn, eissn, uri int
	dataType, sectionType, yop, accessType, accessMethod, parent  int
	metric, total                                                 int
	months                                                        []int
	monthOf                                                       []string
	headings                                                      []string
}

// tableHeader reads the header block and the column headings row.
func (s *state) tableHeader(src rowSource) (*columns, error) {
	h := &s.rep.Header
	h.Filters, h.Attributes = map[string]string{}, map[string]string{}
	started := false
	for {
		f, line, err := src.next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, &FormatError{Name: s.name, Line: line, Offset: -1, Msg: "file ends before the column headings row"}
			}
			return nil, &FormatError{Name: s.name, Line: line, Offset: -1, Msg: "unreadable", Err: err}
		}
		if isEmptyRow(f) {
			if started {
				break
			}
			continue
		}
		key := strings.ToLower(cell(f, 0))
		if !tableHeaderKeys[key] {
			if started && containsFold(f, "Metric_Type") {
				s.warn(line, "", "no empty row between header and column headings")
				if err := s.checkHeader(line, ""); err != nil {
					return nil, err
				}
				return s.headings(f, line)
			}
			if !started {
				if containsFold(f, "Metric_Type") {
					return nil, &FormatError{Name: s.name, Line: line, Offset: -1, Msg: "no header block (no Report_ID); starts with the column headings", Err: ErrNotReport}
				}
				return nil, &FormatError{Name: s.name, Line: line, Offset: -1, Msg: "not a COUNTER report: first row is not Report_Name/Report_ID", Err: ErrNotReport}
			}
			s.warn(line, "", fmt.Sprintf("unknown header row %q", cell(f, 0)))
			continue
		}
		started = true
		s.headerRow(key, cell(f, 1), line)
	}
	if err := s.checkHeader(0, ""); err != nil {
		return nil, err
	}
	for {
		f, line, err := src.next()
		if err != nil {
			return nil, &FormatError{Name: s.name, Line: line, Offset: -1, Msg: "no column headings row after the header block"}
		}
		if isEmptyRow(f) {
			continue
		}
		if !containsFold(f, "Metric_Type") {
			return nil, &FormatError{Name: s.name, Line: line, Offset: -1, Msg: "no column headings row (with Metric_Type) after the header block"}
		}
		return s.headings(f, line)
	}
}

func containsFold(f []string, v string) bool {
	for _, x := range f {
		if strings.EqualFold(strings.TrimSpace(x), v) {
			return true
		}
	}
	return false
}

func (s *state) headerRow(key, v string, line int) {
	h := &s.rep.Header
	switch key {
	case "report_name":
		h.ReportName = v
	case "report_id":
		h.ReportID = v
	case "release":
		h.Release = v
	case "institution_name":
		h.InstitutionName = v
	case "customer_id":
		h.CustomerID = v
	case "created":
		h.Created = v
	case "created_by":
		h.CreatedBy = v
	case "institution_id":
		for id := range strings.SplitSeq(v, ";") {
			if id = strings.TrimSpace(id); id == "" {
				continue
			}
			if !strings.Contains(id, ":") {
				s.warn(line, "Institution_ID", fmt.Sprintf("Institution_ID %q is not Type:Value", id))
			}
			h.InstitutionIDs = append(h.InstitutionIDs, id)
		}
	case "metric_types":
		if v != "" {
			if strings.ContainsAny(v, " ") && !strings.Contains(v, ";") {
				s.warn(line, "Metric_Types", fmt.Sprintf("Metric_Types %q not in COUNTER syntax", v))
				break
			}
			h.Filters["Metric_Type"] = strings.Join(splitList(v), "|")
		}
	case "report_filters", "report_attributes":
		dst := h.Filters
		if key == "report_attributes" {
			dst = h.Attributes
		}
		for _, p := range splitList(v) {
			n, val, ok := strings.Cut(p, "=")
			if !ok {
				s.warn(line, map[string]string{"report_filters": "Report_Filters", "report_attributes": "Report_Attributes"}[key], fmt.Sprintf("%q not in Name=Value syntax", p))
				continue
			}
			dst[strings.TrimSpace(n)] = strings.TrimSpace(val)
		}
	case "exceptions":
		h.Exceptions = append(h.Exceptions, parseTableExceptions(v)...)
		if v != "" && len(h.Exceptions) == 0 {
			s.warn(line, "Exceptions", fmt.Sprintf("Exceptions %q not in Code: Message syntax", v))
		}
	case "reporting_period":
		for _, p := range splitList(v) {
			n, val, ok := strings.Cut(p, "=")
			switch {
			case ok && strings.EqualFold(strings.TrimSpace(n), "Begin_Date"):
				h.Begin = strings.TrimSpace(val)
			case ok && strings.EqualFold(strings.TrimSpace(n), "End_Date"):
				h.End = strings.TrimSpace(val)
			default:
				if b, e, ok := strings.Cut(p, " to "); ok {
					s.warn(line, "Reporting_Period", fmt.Sprintf("Reporting_Period %q not in Begin_Date=…; End_Date=… syntax", v))
					h.Begin, h.End = strings.TrimSpace(b), strings.TrimSpace(e)
				} else {
					s.warn(line, "Reporting_Period", fmt.Sprintf("Reporting_Period %q not understood", v))
				}
			}
		}
	}
}

func splitList(v string) []string {
	var out []string
	for p := range strings.SplitSeq(v, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseTableExceptions reads "3031:Message (Data); 3032: Message".
func parseTableExceptions(v string) []Exception {
	var out []Exception
	rest := strings.TrimSpace(v)
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i >= len(rest) || rest[i] != ':' {
			return out
		}
		code, _ := strconv.Atoi(rest[:i])
		rest = rest[i+1:]
		// The next exception starts at "; <digits>:".
		end := len(rest)
		for k := 0; k < len(rest); k++ {
			if rest[k] != ';' {
				continue
			}
			t := strings.TrimLeft(rest[k+1:], " ")
			d := 0
			for d < len(t) && t[d] >= '0' && t[d] <= '9' {
				d++
			}
			if d > 0 && d < len(t) && t[d] == ':' {
				end = k
				break
			}
		}
		msg := strings.TrimSpace(rest[:end])
		x := Exception{Code: code, Message: msg}
		if strings.HasSuffix(msg, ")") {
			if o := strings.Index(msg, " ("); o >= 0 {
				x.Message, x.Data = msg[:o], msg[o+2:len(msg)-1]
			}
		}
		out = append(out, x)
		if end >= len(rest) {
			break
		}
		rest = strings.TrimSpace(rest[end+1:])
	}
	return out
}

var monthNames = map[string]string{"jan": "01", "feb": "02", "mar": "03", "apr": "04", "may": "05", "jun": "06",
	"jul": "07", "aug": "08", "sep": "09", "oct": "10", "nov": "11", "dec": "12"}

// headingMonth reads "Jan-2022", "Jan-22" (short true) and "2022-01".
func headingMonth(h string) (month string, short bool) {
	if isMonth(h) {
		return h, false
	}
	name, year, ok := strings.Cut(h, "-")
	if !ok {
		name, year, ok = strings.Cut(h, " ")
	}
	mm, known := monthNames[strings.ToLower(name)]
	if !ok || !known || !isDigits(year) {
		return "", false
	}
	switch len(year) {
	case 4:
		return year + "-" + mm, false
	case 2:
		return "20" + year + "-" + mm, true
	}
	return "", false
}

func (s *state) headings(f []string, line int) (*columns, error) {
	c := &columns{name: -1, publisher: -1, platform: -1, doi: -1, prop: -1, isbn: -1, pissn: -1, eissn: -1, uri: -1,
		dataType: -1, sectionType: -1, yop: -1, accessType: -1, accessMethod: -1, parent: -1, metric: -1, total: -1}
	nameCol := map[string]string{"title": "title", "database": "database", "item": "item", "platform": "platform"}[kindOf(s.rep.Header.ReportID)]
	c.headings = make([]string, len(f))
	for i, raw := range f {
		hd := strings.TrimSpace(raw)
		c.headings[i] = hd
		var dst *int
		switch strings.ToLower(hd) {
		case nameCol:
			c.name = i
			if nameCol == "platform" {
				c.platform = i
			}
			continue
		case "publisher":
			dst = &c.publisher
		case "platform":
			dst = &c.platform
		case "doi":
			dst = &c.doi
		case "proprietary_id":
			dst = &c.prop
		case "isbn":
			dst = &c.isbn
		case "print_issn":
			dst = &c.pissn
		case "online_issn":
			dst = &c.eissn
		case "uri":
			dst = &c.uri
		case "data_type":
			dst = &c.dataType
		case "section_type":
			dst = &c.sectionType
		case "yop":
			dst = &c.yop
		case "access_type":
			dst = &c.accessType
		case "access_method":
			dst = &c.accessMethod
		case "parent_title":
			dst = &c.parent
		case "metric_type":
			dst = &c.metric
		case "reporting_period_total":
			dst = &c.total
		default:
			if m, short := headingMonth(hd); m != "" {
				if short {
					s.warn(line, hd, "month headings with two-digit years (Jan-20)")
				}
				c.months = append(c.months, i)
				c.monthOf = append(c.monthOf, m)
			}
			continue
		}
		if *dst < 0 {
			*dst = i
		}
	}
	if c.name < 0 {
		// Report_ID is trusted over the columns; a vendor that mislabels the
		// report still names its items in one of these.
		for _, alt := range []string{"Title", "Database", "Item", "Platform"} {
			for i, hd := range c.headings {
				if c.name < 0 && strings.EqualFold(hd, alt) {
					c.name = i
					s.warn(line, hd, fmt.Sprintf("no %q column for a %s report; names taken from %q", nameCol, s.rep.Header.ReportID, hd))
				}
			}
		}
	}
	if c.name < 0 {
		return nil, &FormatError{Name: s.name, Line: line, Offset: -1, Msg: fmt.Sprintf("no %q column for a %s report", nameCol, s.rep.Header.ReportID)}
	}
	if len(c.months) == 0 {
		if c.total < 0 {
			return nil, &FormatError{Name: s.name, Line: line, Offset: -1, Msg: "no month columns and no Reporting_Period_Total"}
		}
		b, e := s.rep.Header.Begin, s.rep.Header.End
		if len(b) < 7 || len(e) < 7 || b[:7] != e[:7] {
			return nil, &FormatError{Name: s.name, Line: line, Offset: -1, Msg: "no month columns, and the Reporting_Period is not one month: counts cannot be placed in months"}
		}
		s.warn(line, "", "no month columns; Reporting_Period_Total counted in the one month of the period")
	}
	return c, nil
}

func (s *state) tableRows(src rowSource, c *columns) error {
	counts := make([]Count, 0, len(c.months)+1)
	for {
		f, line, err := src.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return &FormatError{Name: s.name, Line: line, Offset: -1, Msg: "unreadable", Err: err}
		}
		if isEmptyRow(f) {
			continue
		}
		num := func(col int) (int64, bool, error) {
			v := cell(f, col)
			if v == "" {
				return 0, false, nil
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return 0, false, &FormatError{Name: s.name, Line: line, Field: c.headings[col], Offset: -1, Msg: fmt.Sprintf("%q is not a number", v)}
			}
			return n, true, nil
		}
		metric := cell(f, c.metric)
		if metric == "" {
			return &FormatError{Name: s.name, Line: line, Field: "Metric_Type", Offset: -1, Msg: "no Metric_Type"}
		}
		var total int64
		hasTotal := false
		if c.total >= 0 {
			if total, hasTotal, err = num(c.total); err != nil {
				return err
			}
		}
		counts = counts[:0]
		var sum int64
		for k, col := range c.months {
			n, ok, err := num(col)
			if err != nil {
				return err
			}
			if !ok {
				s.warn(line, c.headings[col], "empty count cells read as 0")
			}
			sum += n
			counts = append(counts, Count{Month: c.monthOf[k], Metric: metric, Count: n})
		}
		if len(c.months) == 0 {
			counts = append(counts, Count{Month: s.rep.Header.Begin[:7], Metric: metric, Count: total})
		} else if hasTotal && sum != total {
			s.warn(line, "Reporting_Period_Total", "Reporting_Period_Total differs from the sum of the months; months used")
		}
		it := Item{
			Kind:         kindOf(s.rep.Header.ReportID),
			Name:         cell(f, c.name),
			Platform:     cell(f, c.platform),
			Publisher:    cell(f, c.publisher),
			IDs:          IDs{DOI: cell(f, c.doi), ISBN: cell(f, c.isbn), PrintISSN: cell(f, c.pissn), OnlineISSN: cell(f, c.eissn), Proprietary: cell(f, c.prop), URI: cell(f, c.uri)},
			DataType:     cell(f, c.dataType),
			SectionType:  cell(f, c.sectionType),
			YOP:          cell(f, c.yop),
			AccessType:   cell(f, c.accessType),
			AccessMethod: cell(f, c.accessMethod),
			Parent:       cell(f, c.parent),
		}
		if err := s.emit(it, counts); err != nil {
			return err
		}
	}
}
