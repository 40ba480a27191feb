package mailmsg

import (
	"strings"
)

// ReturnedHeaders describes the message a delivery report returns: the
// case desk threads the bounce into the case of that message by
// MessageID, and marks FailedRecipients as undeliverable.
type ReturnedHeaders struct {
	MessageID  string   // normalised, without <>; empty when the report did not include it
	InReplyTo  string   // first id of the returned message's In-Reply-To
	References []string // normalised ids, oldest first
	Subject    string   // decoded
	From       string   // address only, e.g. "kari@example.no"

	// FailedRecipients are the recipients the report says failed: from
	// message/delivery-status blocks with "Action: failed" (the
	// Original-Recipient as the sender wrote it, else the Final-Recipient)
	// and from the X-Failed-Recipients header. Duplicates are dropped
	// ignoring case; the order is as found.
	FailedRecipients []string
}

// returnedFrom reads a multipart/report delivery report. It returns nil
// for any other mail, and when the report names neither an original
// message nor a failed recipient. Reports of other types (read receipts,
// abuse feedback) return nil too: their returned message did not bounce.
func (m *Message) returnedFrom(h header, body []byte) *ReturnedHeaders {
	ctype, cparams := parseParams(h.value("content-type"))
	if ctype != "multipart/report" {
		return nil
	}
	switch strings.ToLower(strings.TrimSpace(cparams["report-type"])) {
	case "", "delivery-status", "global-delivery-status":
	default:
		return nil
	}
	r := &ReturnedHeaders{}
	if boundary := cparams["boundary"]; boundary != "" {
		s := reportScan{m: m, r: r}
		s.parts(body, boundary, 0)
	}
	for _, a := range splitAddressList(h.value("x-failed-recipients")) {
		r.addFailed(a)
	}
	if r.MessageID == "" && r.InReplyTo == "" && len(r.References) == 0 &&
		r.Subject == "" && r.From == "" && len(r.FailedRecipients) == 0 {
		return nil
	}
	return r
}

// reportScan looks through a report's parts. The walker has already
// reported any problems in them, so this pass stays quiet.
type reportScan struct {
	m         *Message
	r         *ReturnedHeaders
	n         int
	gotHeader bool
}

func (s *reportScan) parts(body []byte, boundary string, depth int) {
	parts, _ := splitMultipart(body, boundary)
	for _, p := range parts {
		s.n++
		if s.n > maxParts {
			return
		}
		ph, pbody, _ := scanHeader(p)
		ctype, cparams := parseParams(ph.value("content-type"))
		switch ctype {
		case "message/delivery-status", "message/global-delivery-status":
			s.deliveryStatus(s.decode(ph, pbody))
		case "message/rfc822", "message/global", "text/rfc822-headers", "message/global-headers":
			// The first returned message wins; a report has only one.
			if !s.gotHeader {
				oh, _, _ := scanHeader(s.decode(ph, pbody))
				s.gotHeader = len(oh) > 0
				s.original(oh)
			}
		default:
			// Some servers wrap the report's parts once more.
			if strings.HasPrefix(ctype, "multipart/") && cparams["boundary"] != "" && depth < maxDepth {
				s.parts(pbody, cparams["boundary"], depth+1)
			}
		}
	}
}

// decode undoes a Content-Transfer-Encoding, which RFC 2046 forbids on
// message/* parts but some servers send anyway.
func (s *reportScan) decode(h header, body []byte) []byte {
	w := walker{m: s.m}
	return w.transferDecode(h.value("content-transfer-encoding"), body)
}

func (s *reportScan) original(h header) {
	r := s.r
	if ids := parseIDs(h.value("message-id")); len(ids) > 0 {
		r.MessageID = ids[0]
	}
	if ids := parseIDs(h.value("in-reply-to")); len(ids) > 0 {
		r.InReplyTo = ids[0]
	}
	r.References = parseIDs(h.value("references"))
	r.Subject, _ = decodeText(h.value("subject"))
	r.From = firstAddress(h.value("from"))
}

// firstAddress returns the first address in an address list, leniently.
func firstAddress(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	v = utf8OrCP1252([]byte(v))
	if list, err := addrParser.ParseList(v); err == nil && len(list) > 0 {
		return list[0].Address
	}
	return bareAddr.FindString(v)
}

// deliveryStatus reads the per-recipient blocks of a delivery-status body:
// header-like blocks separated by empty lines, the first one about the
// whole message.
func (s *reportScan) deliveryStatus(b []byte) {
	var block header
	flush := func() {
		if len(block) > 0 && isFailed(block.value("action")) {
			rcpt := block.value("original-recipient")
			if dsnAddress(rcpt) == "" {
				rcpt = block.value("final-recipient")
			}
			s.r.addFailed(dsnAddress(rcpt))
		}
		block = nil
	}
	rest := b
	for rest != nil {
		var line []byte
		line, rest = nextLine(rest)
		switch {
		case len(strings.TrimSpace(string(line))) == 0:
			flush()
		case line[0] == ' ' || line[0] == '\t':
			// Capped so that a flood of continuation lines stays linear;
			// the fields read here are short.
			if len(block) > 0 && len(block[len(block)-1].Value) < 1000 {
				block[len(block)-1].Value += " " + strings.TrimSpace(string(line))
			}
		default:
			if n := fieldNameEnd(line); n > 0 {
				block = append(block, field{
					Name:  strings.ToLower(string(line[:n])),
					Value: strings.TrimSpace(string(line[n+1:])),
				})
			}
		}
	}
	flush()
}

// isFailed reads an Action field, which may carry a comment.
func isFailed(action string) bool {
	f := strings.Fields(strings.ToLower(action))
	return len(f) > 0 && strings.TrimRight(f[0], ";") == "failed"
}

// dsnAddress returns the address of "rfc822; user@example.org", or ""
// when the value holds no single "@" address (X.400 and the like).
func dsnAddress(v string) string {
	typ, addr, ok := strings.Cut(v, ";")
	if !ok {
		addr = typ
	}
	addr = strings.Trim(strings.TrimSpace(addr), "<>")
	addr = utf8OrCP1252([]byte(strings.TrimSpace(addr)))
	if strings.ContainsAny(addr, " \t") || !strings.Contains(addr, "@") {
		return ""
	}
	return addr
}

func (r *ReturnedHeaders) addFailed(addr string) {
	addr = strings.Trim(strings.TrimSpace(addr), "<>")
	if addr == "" {
		return
	}
	if a := firstAddress(addr); a != "" {
		addr = a
	}
	for _, have := range r.FailedRecipients {
		if strings.EqualFold(have, addr) {
			return
		}
	}
	r.FailedRecipients = append(r.FailedRecipients, addr)
}
