// Package mailmsg parses inbound mail for the case desk: header facts for
// threading, auto-reply/bounce/bulk classification, decoded bodies and
// attachments. It is forgiving: malformed mail yields as much as could be
// read plus a list of problems, never a panic. It knows nothing about the
// database; storing the raw message and threading it are the caller's job.
package mailmsg

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// AutoKind classifies mail that must never be answered automatically.
type AutoKind string

const (
	AutoNone   AutoKind = ""
	AutoReply  AutoKind = "auto_reply"
	AutoBounce AutoKind = "bounce"
	AutoBulk   AutoKind = "bulk"
)

// Attachment is a leaf part with a filename or Content-Disposition: attachment.
type Attachment struct {
	Filename    string // RFC 2231 / RFC 2047 decoded; empty when none was given
	ContentType string // lower-case media type, e.g. "image/png"
	ContentID   string // without <>
	Inline      bool   // disposition inline, or no disposition but a Content-ID
	Data        []byte // transfer-decoded
}

// VendorMatch is a vendor's own ticket reference found in the subject.
type VendorMatch struct {
	Vendor string
	Ref    string
}

// Message is what the case desk needs from one raw message.
type Message struct {
	MessageID  string   // normalised, without <>; empty when missing
	InReplyTo  []string // normalised ids
	References []string // normalised ids, oldest first as in the header
	Subject    string   // decoded
	From       mail.Address
	To         []mail.Address
	Cc         []mail.Address
	ReplyTo    []mail.Address
	Date       time.Time // zero when missing or unparsable

	Auto     AutoKind
	AutoRule string // the header or rule that decided Auto, e.g. "Auto-Submitted: auto-replied"

	Text        string // best text/plain body, UTF-8
	HTML        string // first text/html body, UTF-8, NOT sanitised
	Attachments []Attachment
	VendorRefs  []VendorMatch

	// Returned is set for a delivery report (multipart/report;
	// report-type=delivery-status): the headers of the message that
	// bounced and the recipients that failed. Nil for any other mail.
	Returned *ReturnedHeaders

	// Problems describes what was wrong with the input. Empty for clean mail.
	Problems []string
}

// Options tune ParseWith.
type Options struct {
	// VendorPatterns maps a vendor name to the pattern of its ticket
	// numbers in subjects; see VendorRef.
	VendorPatterns map[string]*regexp.Regexp
	// MaxSize is the largest message whose body is parsed; larger messages
	// get headers only and a problem note. 0 means DefaultMaxSize.
	MaxSize int
}

const (
	// DefaultMaxSize is the body-parsing limit when Options.MaxSize is 0.
	DefaultMaxSize = 50 << 20
	maxDepth       = 20
	maxParts       = 500
)

// ErrUnreadable is returned when nothing usable could be read.
var ErrUnreadable = errors.New("mailmsg: no header or body could be read")

// Parse parses raw with default options.
func Parse(raw []byte) (*Message, error) {
	return ParseWith(raw, Options{})
}

// ParseWith parses one raw RFC 5322 message. For malformed input it returns
// a Message with as much as could be read and Problems set; the error is
// non-nil only when nothing usable could be read.
func ParseWith(raw []byte, opt Options) (*Message, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, ErrUnreadable
	}
	m := &Message{}
	h, body, problems := scanHeader(raw)
	m.Problems = append(m.Problems, problems...)
	if len(h) == 0 && len(bytes.TrimSpace(body)) == 0 {
		return nil, ErrUnreadable
	}
	m.readHeader(h)

	max := opt.MaxSize
	if max <= 0 {
		max = DefaultMaxSize
	}
	if len(raw) > max {
		m.problem("message is " + itoa(len(raw)) + " bytes, over the limit of " + itoa(max) + "; body not parsed, keep the raw message")
	} else {
		w := walker{m: m}
		w.walk(h, body, 0)
		if !w.sawText && !w.sawHTML && len(m.Attachments) == 0 && len(bytes.TrimSpace(body)) > 0 && w.parts == 0 {
			m.problem("no readable body part")
		}
		m.Returned = m.returnedFrom(h, body)
	}
	m.classify(h)
	if len(opt.VendorPatterns) > 0 {
		m.VendorRefs = VendorRefs(opt.VendorPatterns, m.Subject)
	}
	return m, nil
}

func (m *Message) problem(p string) {
	for _, q := range m.Problems {
		if q == p {
			return
		}
	}
	m.Problems = append(m.Problems, p)
}

func (m *Message) problems(ps []string, where string) {
	for _, p := range ps {
		m.problem(where + ": " + p)
	}
}

func (m *Message) readHeader(h header) {
	if v, ok := h.get("message-id"); ok {
		ids := parseIDs(v)
		if len(ids) > 0 {
			m.MessageID = ids[0]
		} else {
			m.problem("Message-ID: no id found")
		}
	} else {
		m.problem("missing Message-ID")
	}
	m.InReplyTo = parseIDs(h.value("in-reply-to"))
	m.References = parseIDs(h.value("references"))

	subj, ps := decodeText(h.value("subject"))
	m.Subject = subj
	m.problems(ps, "Subject")

	if v, ok := h.get("from"); ok {
		list := m.addresses("From", v)
		if len(list) > 0 {
			m.From = list[0]
		}
	} else {
		m.problem("missing From")
	}
	m.To = m.addresses("To", h.value("to"))
	m.Cc = m.addresses("Cc", h.value("cc"))
	m.ReplyTo = m.addresses("Reply-To", h.value("reply-to"))

	if v, ok := h.get("date"); ok {
		d, err := mail.ParseDate(strings.TrimSpace(v))
		if err != nil {
			m.problem("Date: cannot parse " + quote(v))
		} else {
			m.Date = d
		}
	} else {
		m.problem("missing Date")
	}
}

var idPattern = regexp.MustCompile(`<([^<>\s]*)>`)

// parseIDs returns the msg-ids in v without angle brackets. Ids without
// brackets, which some clients send, are taken word by word.
func parseIDs(v string) []string {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	var ids []string
	for _, sm := range idPattern.FindAllStringSubmatch(v, -1) {
		if id := NormalizeID(sm[1]); id != "" {
			ids = append(ids, id)
		}
	}
	if ids != nil || strings.Contains(v, "<") {
		return ids
	}
	for _, w := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' }) {
		if strings.Contains(w, "@") {
			ids = append(ids, NormalizeID(w))
		}
	}
	return ids
}

// NormalizeID strips white space and angle brackets from a Message-ID.
// The id is otherwise kept as sent: ids are case-sensitive.
func NormalizeID(id string) string {
	id = strings.TrimSpace(id)
	id = strings.TrimPrefix(id, "<")
	id = strings.TrimSuffix(id, ">")
	return strings.ToValidUTF8(strings.TrimSpace(id), "\uFFFD")
}

var addrParser = mail.AddressParser{WordDecoder: wordDecoder}

var bareAddr = regexp.MustCompile(`[^\s<>"(),;:]+@[^\s<>"(),;:]+`)

func (m *Message) addresses(name, v string) []mail.Address {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	if has8bit(v) {
		v = utf8OrCP1252([]byte(v))
		m.problem(name + ": raw 8-bit bytes in header")
	}
	list, err := addrParser.ParseList(v)
	if err == nil {
		out := make([]mail.Address, 0, len(list))
		for _, a := range list {
			out = append(out, fixName(*a))
		}
		return out
	}
	// Trailing commas and similar slips are common; try item by item, then
	// fall back to anything that looks like an address.
	var out []mail.Address
	for _, item := range splitAddressList(v) {
		if strings.TrimSpace(item) == "" {
			continue
		}
		if a, err := addrParser.Parse(item); err == nil {
			out = append(out, fixName(*a))
			continue
		}
		if i := strings.LastIndexByte(item, '<'); i >= 0 && strings.Contains(item[i:], "@") {
			addr := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(item[i+1:]), ">"))
			nm, _ := decodeText(strings.Trim(strings.TrimSpace(item[:i]), `"`))
			out = append(out, mail.Address{Name: nm, Address: addr})
			continue
		}
		if addr := bareAddr.FindString(item); addr != "" {
			nm := strings.TrimSpace(strings.Replace(item, addr, "", 1))
			nm = strings.Trim(nm, ` "<>()`)
			nm, _ = decodeText(nm)
			out = append(out, mail.Address{Name: nm, Address: addr})
		}
	}
	m.problem(name + ": malformed address list, read leniently")
	return out
}

// fixName decodes encoded-words that senders put inside quoted display
// names, which net/mail leaves alone.
func fixName(a mail.Address) mail.Address {
	if strings.Contains(a.Name, "=?") {
		if d, err := wordDecoder.DecodeHeader(a.Name); err == nil {
			a.Name = d
		}
	}
	return a
}

// splitAddressList splits on commas outside quotes and angle brackets.
func splitAddressList(v string) []string {
	var out []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\' && quoted:
			i++
		case c == '"':
			quoted = !quoted
		case c == '<' && !quoted:
			depth++
		case c == '>' && !quoted && depth > 0:
			depth--
		case (c == ',' || c == ';') && !quoted && depth == 0:
			out = append(out, v[start:i])
			start = i + 1
		}
	}
	return append(out, v[start:])
}

// walker walks the MIME tree.
type walker struct {
	m       *Message
	parts   int
	sawText bool
	sawHTML bool
}

func (w *walker) walk(h header, body []byte, depth int) {
	w.parts++
	if w.parts > maxParts {
		w.m.problem("more than " + itoa(maxParts) + " MIME parts; the rest was not parsed")
		return
	}
	ctype, cparams := parseParams(h.value("content-type"))
	if ctype == "" || !strings.Contains(ctype, "/") {
		if ctype != "" {
			w.m.problem("invalid Content-Type " + quote(ctype) + "; read as text/plain")
		}
		ctype = "text/plain"
	}
	disp, dparams := parseParams(h.value("content-disposition"))

	if strings.HasPrefix(ctype, "multipart/") {
		if depth >= maxDepth {
			w.m.problem("MIME nesting deeper than " + itoa(maxDepth) + "; inner parts not parsed")
			return
		}
		boundary := cparams["boundary"]
		if boundary == "" {
			w.m.problem(ctype + " without boundary; body read as text/plain")
			w.leaf(header{{Name: "content-type", Value: "text/plain"}}, "text/plain", nil, "", nil, body)
			return
		}
		parts, ps := splitMultipart(body, boundary)
		w.m.problems(ps, ctype)
		for _, p := range parts {
			ph, pbody, pps := scanHeader(p)
			w.m.problems(pps, "MIME part")
			w.walk(ph, pbody, depth+1)
		}
		return
	}
	w.leaf(h, ctype, cparams, disp, dparams, body)
}

func (w *walker) leaf(h header, ctype string, cparams map[string]string, disp string, dparams map[string]string, body []byte) {
	data := w.transferDecode(h.value("content-transfer-encoding"), body)

	filename := dparams["filename"]
	if filename == "" {
		filename = cparams["name"]
	}
	if filename != "" {
		if has8bit(h.value("content-disposition") + h.value("content-type")) {
			w.m.problem("attachment filename: raw 8-bit bytes in header")
		}
		filename = decodeWords(utf8OrCP1252([]byte(filename)))
	}
	cid := NormalizeID(h.value("content-id"))
	isAttachment := filename != "" || disp == "attachment"

	if !isAttachment {
		switch ctype {
		case "text/plain":
			if !w.sawText {
				s, ps := decodeBytes(data, cparams["charset"])
				w.m.problems(ps, "text/plain body")
				w.m.Text = s
				w.sawText = true
			}
			return
		case "text/html":
			if !w.sawHTML {
				s, ps := decodeBytes(data, cparams["charset"])
				w.m.problems(ps, "text/html body")
				w.m.HTML = s
				w.sawHTML = true
			}
			return
		}
		return
	}
	w.m.Attachments = append(w.m.Attachments, Attachment{
		Filename:    filename,
		ContentType: ctype,
		ContentID:   cid,
		Inline:      disp == "inline" || disp == "" && cid != "",
		Data:        data,
	})
}

func (w *walker) transferDecode(cte string, body []byte) []byte {
	cte = strings.ToLower(strings.TrimSpace(cte))
	switch cte {
	case "", "7bit", "8bit", "binary":
		return body
	case "quoted-printable":
		out, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		if err != nil {
			w.m.problem("broken quoted-printable; decoded as far as possible")
		}
		return out
	case "base64":
		clean := make([]byte, 0, len(body))
		for _, c := range body {
			if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
				continue
			}
			clean = append(clean, c)
		}
		out := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
		n, err := base64.StdEncoding.Decode(out, clean)
		if err != nil {
			// Missing padding is common; try without before giving up.
			trimmed := bytes.TrimRight(clean, "=")
			out2 := make([]byte, base64.RawStdEncoding.DecodedLen(len(trimmed)))
			n2, err2 := base64.RawStdEncoding.Decode(out2, trimmed)
			if err2 == nil {
				return out2[:n2]
			}
			w.m.problem("broken base64; decoded as far as possible")
		}
		return out[:n]
	default:
		w.m.problem("unknown Content-Transfer-Encoding " + quote(cte) + "; body kept as is")
		return body
	}
}

// splitMultipart splits body at lines "--boundary", stopping at
// "--boundary--". It is written by hand rather than with mime/multipart so
// that a missing closing boundary or a broken part header loses nothing.
func splitMultipart(body []byte, boundary string) (parts [][]byte, problems []string) {
	delim := []byte("--" + boundary)
	start := -1 // start of the current part's content
	closed := false
	pos := 0
	for pos <= len(body) && !closed {
		line, rest := nextLine(body[pos:])
		lineStart := pos
		next := len(body) - len(rest)
		if rest == nil {
			next = len(body) + 1
		}
		trimmed := bytes.TrimRight(line, " \t")
		if bytes.HasPrefix(trimmed, delim) {
			tail := trimmed[len(delim):]
			if len(tail) == 0 || bytes.Equal(tail, []byte("--")) {
				if start >= 0 {
					parts = append(parts, trimBreak(body[start:lineStart]))
				}
				if len(tail) == 2 {
					closed = true
				}
				start = min(next, len(body))
			}
		}
		pos = next
	}
	if !closed {
		if start >= 0 {
			parts = append(parts, body[start:])
			problems = append(problems, "closing boundary missing")
		} else {
			problems = append(problems, "boundary "+quote(boundary)+" not found")
		}
	}
	if start < 0 && len(bytes.TrimSpace(body)) > 0 {
		// No boundary at all: keep the body rather than drop it.
		parts = append(parts, append([]byte("Content-Type: text/plain\r\n\r\n"), body...))
	}
	return parts, problems
}

// trimBreak removes the line break that belongs to the next delimiter.
func trimBreak(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}
