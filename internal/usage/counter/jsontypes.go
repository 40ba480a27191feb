package counter

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// rawItem holds a Report_Item (or nested Item) of either release. Plain
// strings keep decoding fast; a vendor's number in one of them is a
// *json.UnmarshalTypeError that the reader turns into a warning.
type rawItem struct {
	Title                string
	Database             string
	Item                 string
	Platform             string
	Publisher            string
	ItemID               json.RawMessage `json:"Item_ID"`
	ItemParent           rawParent       `json:"Item_Parent"`
	DataType             string          `json:"Data_Type"`
	SectionType          string          `json:"Section_Type"`
	YOP                  fstr
	AccessType           string          `json:"Access_Type"`
	AccessMethod         string          `json:"Access_Method"`
	Performance          json.RawMessage // R5.0: [{Period, Instance}]
	AttributePerformance []rawAttrPerf   `json:"Attribute_Performance"` // R5.1
}

type rawAttrPerf struct {
	DataType     string `json:"Data_Type"`
	SectionType  string `json:"Section_Type"`
	YOP          fstr
	AccessType   string `json:"Access_Type"`
	AccessMethod string `json:"Access_Method"`
	Performance  json.RawMessage
}

// fstr is a string that a vendor may also send as a number or null.
type fstr struct {
	s   string
	num bool
}

func (f *fstr) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) == 0 || string(b) == "null":
		f.s = ""
	case b[0] == '"':
		if bytes.IndexByte(b, '\\') < 0 {
			f.s = string(b[1 : len(b)-1])
			return nil
		}
		return json.Unmarshal(b, &f.s)
	case b[0] == '[' || b[0] == '{':
		f.s = ""
	default:
		f.s, f.num = string(b), b[0] == '-' || (b[0] >= '0' && b[0] <= '9')
	}
	return nil
}

// fcount is a count as a number, or a string holding one (str). A value
// that is not a whole, non-negative number is kept as text (bad) so the
// reader can name where it was.
type fcount struct {
	n        int64
	str, bad bool
	text     string
}

func (c *fcount) UnmarshalJSON(b []byte) error {
	v := b
	if len(b) >= 2 && b[0] == '"' {
		c.str = true
		v = bytes.TrimSpace(b[1 : len(b)-1])
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil || n < 0 {
		c.bad, c.text = true, string(b)
		if b[0] != '"' {
			c.text = strconv.Quote(string(b))
		}
		return nil
	}
	c.n = n
	return nil
}

// rawPeriod is one entry of an R5.0 Performance list.
type rawPeriod struct {
	Period struct {
		BeginDate string `json:"Begin_Date"`
		EndDate   string `json:"End_Date"`
	}
	Instance []struct {
		MetricType string `json:"Metric_Type"`
		Count      fcount
	}
}

// scanner walks JSON that encoding/json has already validated.
type scanner struct {
	b      []byte
	i      int
	intern map[string]string // keys repeat on every item: months, metrics
}

var errShape = errors.New("unexpected JSON shape")

func (s *scanner) ws() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

// object calls field for each key, positioned at its value, which field
// must consume.
func (s *scanner) object(field func(key string) error) error {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return errShape
	}
	s.i++
	for {
		s.ws()
		if s.i >= len(s.b) {
			return errShape
		}
		switch s.b[s.i] {
		case '}':
			s.i++
			return nil
		case ',':
			s.i++
			continue
		}
		key, err := s.str()
		if err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return errShape
		}
		s.i++
		s.ws()
		if err := field(key); err != nil {
			return err
		}
	}
}

func (s *scanner) str() (string, error) {
	raw := s.value()
	if len(raw) < 2 || raw[0] != '"' {
		return "", errShape
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		k := raw[1 : len(raw)-1]
		if v, ok := s.intern[string(k)]; ok {
			return v, nil
		}
		v := string(k)
		if s.intern != nil && len(s.intern) < 4096 {
			s.intern[v] = v
		}
		return v, nil
	}
	var v string
	err := json.Unmarshal(raw, &v)
	return v, err
}

// value returns the raw bytes of the next value and moves past it.
func (s *scanner) value() []byte {
	s.ws()
	start, depth := s.i, 0
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch c {
		case '"':
			s.i++
			for s.i < len(s.b) && s.b[s.i] != '"' {
				if s.b[s.i] == '\\' {
					s.i++
				}
				s.i++
			}
			s.i++
		case '{', '[':
			depth++
			s.i++
		case '}', ']':
			if depth == 0 { // the end of the enclosing value
				return bytes.TrimSpace(s.b[start:s.i])
			}
			depth--
			s.i++
		case ',':
			if depth == 0 {
				return bytes.TrimSpace(s.b[start:s.i])
			}
			s.i++
		default:
			s.i++
		}
		if depth == 0 && (c == '"' || c == '}' || c == ']') {
			break
		}
	}
	return bytes.TrimSpace(s.b[start:min(s.i, len(s.b))])
}

// parseIDs reads R5.0 [{"Type","Value"}] and R5.1 {"DOI": "…"} identifiers.
func parseIDs(b []byte) (IDs, error) {
	var r rawIDs
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return r.ids, nil
	}
	switch b[0] {
	case '[':
		var list []struct{ Type, Value fstr }
		if err := json.Unmarshal(b, &list); err != nil {
			return r.ids, err
		}
		for _, e := range list {
			r.set(e.Type.s, e.Value.s)
		}
	case '{':
		sc := scanner{b: b}
		err := sc.object(func(k string) error {
			v := sc.value()
			if len(v) > 1 && v[0] == '"' && bytes.IndexByte(v, '\\') < 0 {
				r.set(k, string(v[1:len(v)-1]))
			} else if l := strList(v); len(l) > 0 {
				r.set(k, l[0])
			}
			return nil
		})
		return r.ids, err
	}
	return r.ids, nil
}

type rawIDs struct{ ids IDs }

func (r *rawIDs) set(typ, v string) {
	var dst *string
	switch strings.ToLower(typ) {
	case "doi":
		dst = &r.ids.DOI
	case "isbn":
		dst = &r.ids.ISBN
	case "print_issn":
		dst = &r.ids.PrintISSN
	case "online_issn":
		dst = &r.ids.OnlineISSN
	case "proprietary", "proprietary_id":
		dst = &r.ids.Proprietary
	case "uri":
		dst = &r.ids.URI
	default:
		return
	}
	if *dst == "" {
		*dst = v
	}
}

// rawParent reads R5.0 Item_Parent, an object (or, from some vendors, a list).
type rawParent struct {
	name  string
	array bool
}

func (r *rawParent) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	type parent struct {
		ItemName fstr `json:"Item_Name"`
	}
	switch {
	case len(b) == 0:
	case b[0] == '{':
		var p parent
		if err := json.Unmarshal(b, &p); err != nil {
			return err
		}
		r.name = p.ItemName.s
	case b[0] == '[':
		var ps []parent
		if err := json.Unmarshal(b, &ps); err != nil {
			return err
		}
		r.array = true
		if len(ps) > 0 {
			r.name = ps[0].ItemName.s
		}
	}
	return nil
}
