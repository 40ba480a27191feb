package rates

import (
	"fmt"
	"maps"
	"strings"

	"github.com/samla-org/samla/internal/validate"
)

// Problem is one thing wrong in a rates file: where (line, field) and what
// (Code, a message ID the web layer translates; Args feed its template).
type Problem struct {
	Line  int            `json:"line,omitempty"`  // 1-based; 0 when the whole file is meant
	Field string         `json:"field,omitempty"` // a column (OBS_VALUE, USD) or an XML attribute
	Code  string         `json:"code"`
	Value string         `json:"value,omitempty"` // the offending text, as given
	Args  map[string]any `json:"args,omitempty"`
}

// Data is everything a message template may use: Args plus Line, Field
// and Value.
func (p Problem) Data() map[string]any {
	d := map[string]any{"Line": p.Line, "Field": p.Field, "Value": p.Value}
	maps.Copy(d, p.Args)
	return d
}

// Error is the English text, for logs, the CLI and tests.
func (p Problem) Error() string { return render(p.Code, p.Data()) }

// FileError says why a file could not be read. Parsers go on past a bad
// line so that one upload shows many problems, up to MaxProblems.
type FileError struct {
	Name     string
	Problems []Problem
	More     int // problems found beyond MaxProblems
}

// MaxProblems is how many problems a FileError lists.
const MaxProblems = 20

func (e *FileError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Error()
	}
	s := fmt.Sprintf("rates file %s: %s", e.Name, strings.Join(msgs, "; "))
	if e.More > 0 {
		s += fmt.Sprintf(" (and %d more)", e.More)
	}
	return s
}

// problemList collects problems while a parser reads on.
type problemList struct {
	ps   []Problem
	more int
}

func (l *problemList) add(line int, field, code, value string, args map[string]any) {
	if len(l.ps) >= MaxProblems {
		l.more++
		return
	}
	l.ps = append(l.ps, Problem{Line: line, Field: field, Code: code, Value: value, Args: args})
}

func (l *problemList) full() bool { return len(l.ps) >= MaxProblems }

// err is nil when nothing was found.
func (l *problemList) err(name string) error {
	if len(l.ps) == 0 {
		return nil
	}
	return &FileError{Name: name, Problems: l.ps, More: l.more}
}

// fileProblem is a FileError with one problem.
func fileProblem(name string, line int, field, code, value string, args map[string]any) error {
	return &FileError{Name: name, Problems: []Problem{{Line: line, Field: field, Code: code, Value: value, Args: args}}}
}

// Message IDs of problems. Codes lists them all; a test checks each has
// all three translations and that the English one is english[code].
const (
	CodeUnknownFormat  = "rates.file.unknown_format"
	CodeEmpty          = "rates.file.empty"
	CodeTooLarge       = "rates.file.too_large"
	CodeZip            = "rates.file.zip"
	CodeNoRates        = "rates.file.no_rates"
	CodeOtherCurrency  = "rates.file.other_currencies"
	CodeCSV            = "rates.file.csv"
	CodeXML            = "rates.file.xml"
	CodeColumnMissing  = "rates.file.column_missing"
	CodeFieldCount     = "rates.file.field_count"
	CodeRate           = "rates.value.rate"
	CodeUnitMult       = "rates.value.unit_mult"
	CodeQuoteCurrency  = "rates.value.quote_currency"
	CodeCurrency       = "rates.value.currency"
	CodeFrequency      = "rates.value.frequency"
	CodePeriod         = "rates.value.period"
	CodeDate           = "rates.value.date"
	CodeNoNOK          = "rates.value.no_nok"
	CodeDuplicate      = "rates.value.duplicate"
	CodeOutsideDay     = "rates.value.outside_day"
	CodeConflict       = "rates.import.conflict"
	CodeManualCurrency = "rates.manual.currency"
	CodeManualDate     = "rates.manual.date"
	CodeManualRate     = "rates.manual.rate"
	CodeManualNote     = "rates.manual.note"
	CodeManualExists   = "rates.manual.exists"
)

// Codes is every message ID the package puts in a Problem, a
// validate.Problem or a Conflict.
var Codes = []string{
	CodeUnknownFormat, CodeEmpty, CodeTooLarge, CodeZip, CodeNoRates, CodeOtherCurrency, CodeCSV, CodeXML,
	CodeColumnMissing, CodeFieldCount, CodeRate, CodeUnitMult, CodeQuoteCurrency, CodeCurrency, CodeFrequency,
	CodePeriod, CodeDate, CodeNoNOK, CodeDuplicate, CodeOutsideDay, CodeConflict,
	CodeManualCurrency, CodeManualDate, CodeManualRate, CodeManualNote, CodeManualExists,
}

// english must equal the en column of internal/i18n/gen/rates.tsv (a test
// checks), so a log line and the English page say the same.
var english = map[string]string{
	CodeUnknownFormat: "The file is neither a Norges Bank CSV export (EXR) nor an ECB reference-rate file (eurofxref XML, CSV or ZIP).",
	CodeEmpty:         "The file is empty.",
	CodeTooLarge:      "The file is larger than {{.MaxMB}} MB.",
	CodeZip:           "The ZIP file must hold exactly one .csv or .xml file ({{.Value}}).",
	CodeNoRates:       "The file holds no exchange rates.",
	CodeOtherCurrency: "The file holds rates only for {{.Found}}; Samla uses {{.Want}}.",
	CodeCSV:           "Line {{.Line}}: the CSV cannot be read ({{.Value}}).",
	CodeXML:           "Line {{.Line}}: the XML cannot be read ({{.Value}}).",
	CodeColumnMissing: "Line 1: the header has no column {{.Field}}. A Norges Bank export needs FREQ, BASE_CUR, QUOTE_CUR, UNIT_MULT, TIME_PERIOD and OBS_VALUE.",
	CodeFieldCount:    "Line {{.Line}} has {{.Got}} fields; the header has {{.Want}}.",
	CodeRate:          "Line {{.Line}}, {{.Field}}: “{{.Value}}” is not an exchange rate.",
	CodeUnitMult:      "Line {{.Line}}, {{.Field}}: “{{.Value}}” is not a unit multiplier (a power of ten from 0 to 6).",
	CodeQuoteCurrency: "Line {{.Line}}, {{.Field}}: the rate is quoted in {{.Value}}. Samla takes only rates quoted in NOK; export the rates against NOK.",
	CodeCurrency:      "Line {{.Line}}, {{.Field}}: “{{.Value}}” is not a currency code.",
	CodeFrequency:     "Line {{.Line}}, {{.Field}}: “{{.Value}}” is not a frequency Samla reads (A, M or B).",
	CodePeriod:        "Line {{.Line}}, {{.Field}}: “{{.Value}}” does not fit frequency {{.Freq}} (want {{.Want}}).",
	CodeDate:          "Line {{.Line}}, {{.Field}}: “{{.Value}}” is not a date.",
	CodeNoNOK:         "Line {{.Line}}: the ECB rates for {{.Date}} have no NOK rate, so no rate in NOK can be worked out.",
	CodeDuplicate:     "Line {{.Line}}: {{.Currency}} on {{.Date}} has another rate on line {{.Other}}.",
	CodeOutsideDay:    "Line {{.Line}}: a rate for {{.Value}} outside any dated Cube element.",
	CodeConflict:      "{{.Currency}} on {{.Date}} ({{.Source}}): the file says {{.InFile}}, Samla has {{.Stored}}.",

	CodeManualCurrency: "Choose one of the currencies Samla uses.",
	CodeManualDate:     "Give the date as YYYY-MM-DD or DD.MM.YYYY.",
	CodeManualRate:     "Write the rate as NOK per one unit, e.g. 10.3737.",
	CodeManualNote:     "Say where the rate comes from, in at most {{.Max}} characters.",
	CodeManualExists:   "A manual rate for {{.Currency}} on {{.Date}} is already stored ({{.Rate}}). Delete it first to enter another.",
}

// render fills an English message; it never fails (a broken template
// shows its raw text).
func render(code string, data map[string]any) string {
	text, ok := english[code]
	if !ok {
		return code
	}
	return validate.Fill(code, text, data)
}
