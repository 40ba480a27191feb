package mailmsg

import (
	"bytes"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
)

// field is one header field as it appeared, unfolded but not decoded.
type field struct {
	Name  string // canonical lower case
	Value string // raw bytes, may hold 8-bit data
}

type header []field

// get returns the first value of the named field.
func (h header) get(name string) (string, bool) {
	name = strings.ToLower(name)
	for _, f := range h {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

func (h header) value(name string) string {
	v, _ := h.get(name)
	return strings.TrimSpace(v)
}

// isFieldName reports whether line starts with "name:" where name is
// printable ASCII without space or colon (RFC 5322 ftext).
func fieldNameEnd(line []byte) int {
	for i, c := range line {
		if c == ':' {
			if i == 0 {
				return -1
			}
			return i
		}
		if c < 33 || c > 126 {
			return -1
		}
	}
	return -1
}

// splitLines splits b into lines without their terminators, tolerating
// CRLF, LF and mixed endings.
func nextLine(b []byte) (line, rest []byte) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return bytes.TrimSuffix(b, []byte("\r")), nil
	}
	return bytes.TrimSuffix(b[:i], []byte("\r")), b[i+1:]
}

// scanHeader reads a header block the forgiving way the fixtures' README
// describes: a line that starts with white space, or that has no "name:",
// continues the previous field, so mail whose folding lost its indentation
// still yields every field. It returns the fields, the body after the first
// empty line, and problems found.
func scanHeader(b []byte) (h header, body []byte, problems []string) {
	// Continuations are collected per field and joined once at the end,
	// so a header block of many thousand lines stays linear.
	var pieces [][]string
	done := func() header {
		for i := range h {
			if len(pieces[i]) > 0 {
				h[i].Value = strings.Join(append([]string{h[i].Value}, pieces[i]...), " ")
			}
		}
		return h
	}
	cont := func(line []byte) {
		if t := strings.TrimSpace(string(line)); t != "" {
			pieces[len(pieces)-1] = append(pieces[len(pieces)-1], t)
		}
	}
	rest := b
	joined := 0
	for len(rest) > 0 {
		line, next := nextLine(rest)
		if len(line) == 0 {
			return done(), next, addJoined(problems, joined)
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(h) == 0 {
				problems = append(problems, "header block starts with a continuation line")
				h = append(h, field{})
				pieces = append(pieces, nil)
			}
			cont(line)
			rest = next
			continue
		}
		if n := fieldNameEnd(line); n > 0 {
			h = append(h, field{
				Name:  strings.ToLower(string(line[:n])),
				Value: strings.TrimSpace(string(line[n+1:])),
			})
			pieces = append(pieces, nil)
			rest = next
			continue
		}
		if len(h) == 0 {
			// Not a header at all: there is no header block.
			problems = append(problems, "no header block; whole input treated as body")
			return nil, b, problems
		}
		joined++
		cont(line)
		rest = next
	}
	problems = addJoined(problems, joined)
	if len(h) > 0 {
		problems = append(problems, "no empty line after the header block")
	}
	return done(), nil, problems
}

func addJoined(problems []string, n int) []string {
	if n > 0 {
		problems = append(problems, plural(n, "header line without indentation joined to the previous field", "header lines without indentation joined to the previous field"))
	}
	return problems
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return itoa(n) + " " + many
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	if n == 0 {
		return "0"
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// lookupCharset returns the decoder for a MIME charset name; nil means UTF-8.
func lookupCharset(name string) (encoding.Encoding, bool) {
	name = strings.ToLower(strings.Trim(strings.TrimSpace(name), `"'`))
	switch name {
	case "", "utf-8", "utf8", "unicode-1-1-utf-8":
		return nil, true
	}
	enc, err := htmlindex.Get(name)
	if err != nil {
		return nil, false
	}
	if enc == encoding.Nop || enc == encoding.Replacement {
		return nil, false
	}
	return enc, true
}

// decodeBytes decodes b from charset to UTF-8. An empty or unknown charset,
// and ASCII declared for 8-bit data, fall back to UTF-8 when b is valid
// UTF-8, else Windows-1252.
func decodeBytes(b []byte, charset string) (string, []string) {
	cs := strings.ToLower(strings.TrimSpace(charset))
	var problems []string
	switch cs {
	case "", "us-ascii", "ascii", "ansi_x3.4-1968":
		return utf8OrCP1252(b), nil
	}
	enc, ok := lookupCharset(cs)
	if !ok {
		problems = append(problems, "unknown charset "+quote(charset)+"; decoded as UTF-8 or Windows-1252")
		return utf8OrCP1252(b), problems
	}
	if enc == nil {
		if utf8.Valid(b) {
			return string(b), nil
		}
		problems = append(problems, "invalid UTF-8 replaced")
		return strings.ToValidUTF8(string(b), "\uFFFD"), problems
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		problems = append(problems, "cannot decode charset "+quote(charset)+"; decoded as UTF-8 or Windows-1252")
		return utf8OrCP1252(b), problems
	}
	return strings.ToValidUTF8(string(out), "\uFFFD"), nil
}

func utf8OrCP1252(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(out)
}

func has8bit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return true
		}
	}
	return false
}

func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return `"` + strings.ToValidUTF8(s, "?") + `"`
}

var wordDecoder = &mime.WordDecoder{
	CharsetReader: func(charset string, input io.Reader) (io.Reader, error) {
		enc, ok := lookupCharset(charset)
		if !ok {
			return nil, errUnknownCharset
		}
		if enc == nil {
			return input, nil
		}
		return enc.NewDecoder().Reader(input), nil
	},
}

type constError string

func (e constError) Error() string { return string(e) }

const errUnknownCharset = constError("unknown charset")

// decodeText decodes an unstructured header value: raw 8-bit bytes as
// UTF-8 else Windows-1252, then RFC 2047 encoded-words.
func decodeText(v string) (string, []string) {
	var problems []string
	if has8bit(v) {
		v = utf8OrCP1252([]byte(v))
		problems = append(problems, "raw 8-bit bytes in header")
	}
	if !strings.Contains(v, "=?") {
		return v, problems
	}
	d, err := wordDecoder.DecodeHeader(v)
	if err != nil {
		problems = append(problems, "cannot decode encoded-word: "+err.Error())
		return v, problems
	}
	return strings.ToValidUTF8(d, "\uFFFD"), problems
}

// decodeWords decodes RFC 2047 encoded-words in v, keeping v on failure.
func decodeWords(v string) string {
	if !strings.Contains(v, "=?") {
		return v
	}
	d, err := wordDecoder.DecodeHeader(v)
	if err != nil {
		return v
	}
	return strings.ToValidUTF8(d, "\uFFFD")
}
