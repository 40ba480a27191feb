package counter

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// headerField applies one Report_Header field, either release's shape.
func (j *jsonReader) headerField(key string, raw json.RawMessage, path string) error {
	h := &j.rep.Header
	str := func() string {
		s, isNum := rawText(raw)
		if isNum {
			j.warn(0, path, key+" given as a number")
		}
		return s
	}
	switch strings.ToLower(key) {
	case "release":
		h.Release = str()
	case "report_id":
		h.ReportID = str()
	case "report_name":
		h.ReportName = str()
	case "created":
		h.Created = str()
	case "created_by":
		h.CreatedBy = str()
	case "customer_id":
		h.CustomerID = str()
	case "institution_name":
		h.InstitutionName = str()
	case "institution_id":
		h.InstitutionIDs = typedList(raw)
	case "report_filters":
		h.Filters = nameValues(raw)
	case "report_attributes":
		h.Attributes = nameValues(raw)
	case "exceptions", "exception":
		xs, err := j.exceptions(raw, path)
		if err != nil {
			return err
		}
		h.Exceptions = append(h.Exceptions, xs...)
	}
	return nil
}

// rawText gives a JSON scalar as text; isNum tells a number.
func rawText(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", false
	}
	if raw[0] == '"' {
		var s string
		_ = json.Unmarshal(raw, &s)
		return s, false
	}
	if raw[0] == '[' || raw[0] == '{' {
		return string(raw), false
	}
	return string(raw), raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9')
}

// typedList reads R5.0 [{"Type","Value"}] and R5.1 {"Type": ["Value"]} as "Type:Value".
func typedList(raw json.RawMessage) []string {
	var out []string
	var list []struct{ Type, Value string }
	if json.Unmarshal(raw, &list) == nil {
		for _, e := range list {
			if e.Value != "" {
				out = append(out, e.Type+":"+e.Value)
			}
		}
		return out
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil {
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range obj {
				if !yield(k) {
					return
				}
			}
		})
		for _, k := range keys {
			for _, v := range strList(obj[k]) {
				out = append(out, k+":"+v)
			}
		}
	}
	return out
}

func strList(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	if s, _ := rawText(raw); s != "" {
		return []string{s}
	}
	return nil
}

// nameValues reads R5.0 [{"Name","Value"}] and R5.1 {"Name": "v" | ["v", …]}.
func nameValues(raw json.RawMessage) map[string]string {
	out := map[string]string{}
	var list []struct {
		Name  string
		Value json.RawMessage
	}
	if json.Unmarshal(raw, &list) == nil {
		for _, e := range list {
			out[e.Name] = strings.Join(strList(e.Value), "|")
		}
		return out
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil {
		for k, v := range obj {
			out[k] = strings.Join(strList(v), "|")
		}
	}
	return out
}

func (j *jsonReader) exceptions(raw json.RawMessage, path string) ([]Exception, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var ms []map[string]json.RawMessage
	if raw[0] == '{' {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, &FormatError{Name: j.name, Path: path, Offset: -1, Msg: "exception is not an object", Err: err}
		}
		ms = append(ms, m)
	} else if err := json.Unmarshal(raw, &ms); err != nil {
		return nil, &FormatError{Name: j.name, Path: path, Offset: -1, Msg: "exceptions are not a list of objects", Err: err}
	}
	var out []Exception
	for i, m := range ms {
		p := fmt.Sprintf("%s[%d]", path, i)
		x, ok := j.exception(m, p)
		if !ok {
			return nil, &FormatError{Name: j.name, Path: p, Offset: -1, Msg: "exception without a Code"}
		}
		out = append(out, x)
	}
	return out, nil
}

// exception reads one exception, keys in any case; "number" is taken as Code.
func (j *jsonReader) exception(m map[string]json.RawMessage, path string) (Exception, bool) {
	var x Exception
	hasCode := false
	for k, v := range m {
		switch strings.ToLower(strings.ReplaceAll(k, "_", "")) {
		case "code", "number":
			s, isNum := rawText(v)
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				return x, false
			}
			if !isNum {
				j.warn(0, path+"."+k, "exception Code given as a string")
			}
			x.Code, hasCode = n, true
		case "severity":
			s, isNum := rawText(v)
			if isNum {
				j.warn(0, path+"."+k, "exception Severity given as a number")
			}
			x.Severity = s
		case "message":
			x.Message, _ = rawText(v)
		case "data":
			x.Data, _ = rawText(v)
		case "helpurl":
			x.HelpURL, _ = rawText(v)
		}
	}
	return x, hasCode
}
