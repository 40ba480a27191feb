package sushi

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// probed is what classify needs to know about a body.
type probed struct {
	report     bool // a Report_Header or Report_Items was found
	hasItems   bool // Report_Items is a non-empty array
	exceptions []Exception
}

// UnmarshalJSON reads an exception leniently: Code as a number or a string,
// Severity as a string or a number.
func (e *Exception) UnmarshalJSON(b []byte) error {
	var raw struct {
		Code     json.RawMessage
		Severity json.RawMessage
		Message  json.RawMessage
		Data     json.RawMessage
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	e.Code = lenientInt(raw.Code)
	e.Severity = lenientString(raw.Severity)
	e.Message = lenientString(raw.Message)
	e.Data = lenientString(raw.Data)
	return nil
}

func lenientString(b json.RawMessage) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(b, &s) == nil {
		return s
	}
	return string(b) // a number or anything else, as written
}

func lenientInt(b json.RawMessage) int {
	s := strings.TrimSpace(lenientString(b))
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return int(f)
	}
	return 0
}

// presence records whether a JSON value was there and whether it is a
// non-empty array, without keeping it (Report_Items can be huge).
type presence struct {
	set      bool
	nonEmpty bool
}

func (p *presence) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	p.set = true
	if len(b) > 0 && b[0] == '[' {
		p.nonEmpty = len(bytes.TrimSpace(b[1:len(b)-1])) > 0
	}
	return nil
}

// exceptionList is an Exception or a list of them.
type exceptionList []Exception

func (l *exceptionList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		return nil
	case b[0] == '[':
		var items []json.RawMessage
		if err := json.Unmarshal(b, &items); err != nil {
			return nil // not exceptions after all; leave them to the parser
		}
		for _, it := range items {
			var e Exception
			if json.Unmarshal(it, &e) == nil && e.valid() {
				*l = append(*l, e)
			}
		}
	case b[0] == '{':
		var e Exception
		if json.Unmarshal(b, &e) == nil && e.valid() {
			*l = append(*l, e)
		}
	}
	return nil
}

func (e Exception) valid() bool { return e.Code != 0 || e.Message != "" }

type header struct {
	Exception  exceptionList
	Exceptions exceptionList
}

// envelope is the top level of a body. encoding/json matches keys without
// regard to case, so "body" and "exceptions" are found as well.
type envelope struct {
	ReportHeader *header  `json:"Report_Header"`
	ReportItems  presence `json:"Report_Items"`
	Exception    exceptionList
	Exceptions   exceptionList
	Body         json.RawMessage // {"body": {...report...}, "response": {...}} (ProQuest)
	// A bare exception object, which is what the spec prescribes for 4xx.
	Code    json.RawMessage
	Message json.RawMessage
}

// probe finds the exceptions wherever servers put them and whether there is
// a report with items.
func probe(body []byte) probed {
	return probeDepth(body, 0)
}

func probeDepth(body []byte, depth int) probed {
	var p probed
	b := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	if len(b) == 0 || depth > 3 {
		return p
	}
	switch b[0] {
	case '"': // double-encoded JSON
		var s string
		if json.Unmarshal(b, &s) == nil {
			return probeDepth([]byte(s), depth+1)
		}
	case '[':
		var l exceptionList
		_ = l.UnmarshalJSON(b)
		p.exceptions = l
	case '{':
		var env envelope
		if json.Unmarshal(b, &env) != nil {
			return p
		}
		if len(env.Code) > 0 && len(env.Message) > 0 && env.ReportHeader == nil {
			var l exceptionList
			_ = l.UnmarshalJSON(b)
			p.exceptions = append(p.exceptions, l...)
		}
		p.exceptions = append(p.exceptions, env.Exception...)
		p.exceptions = append(p.exceptions, env.Exceptions...)
		if env.ReportHeader != nil {
			p.report = true
			p.exceptions = append(p.exceptions, env.ReportHeader.Exception...)
			p.exceptions = append(p.exceptions, env.ReportHeader.Exceptions...)
		}
		if env.ReportItems.set {
			p.report = true
			p.hasItems = env.ReportItems.nonEmpty
		}
		if !p.report {
			if inner := bytes.TrimSpace(env.Body); len(inner) > 0 && (inner[0] == '{' || inner[0] == '"') {
				q := probeDepth(inner, depth+1)
				q.exceptions = append(p.exceptions, q.exceptions...)
				return q
			}
		}
	}
	p.exceptions = dedupe(p.exceptions)
	return p
}

func dedupe(exs []Exception) []Exception {
	var out []Exception
	seen := map[Exception]bool{}
	for _, e := range exs {
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}

var durationRE = regexp.MustCompile(`(?i)(\d+)\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h)\b`)

// durationIn finds a duration such as "60 seconds" or "5 min" in free text.
func durationIn(s string) time.Duration {
	m := durationRE.FindStringSubmatch(s)
	if m == nil {
		return 0
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return 0
	}
	unit := time.Second
	switch strings.ToLower(m[2])[0] {
	case 'm':
		unit = time.Minute
	case 'h':
		unit = time.Hour
	}
	return time.Duration(n) * unit
}
