package counter

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

type jsonReader struct {
	*state
	dec        *json.Decoder
	sawItems   bool
	bodyNull   bool
	checked    bool
	rootExc    []Exception // exceptions outside a Report_Header
	counts     []Count     // reused per row
	intern     map[string]string
	warnedKind bool
}

func (s *state) readJSON(br *bufio.Reader) error {
	j := &jsonReader{state: s, dec: json.NewDecoder(br)}
	tok, err := j.dec.Token()
	if err != nil {
		return j.syntax("", err)
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			return j.nakedArray()
		}
		if err := j.object(""); err != nil {
			return err
		}
	case string:
		// Some servers JSON-encode the document a second time.
		s.warn(0, "", "body is a JSON string holding a JSON document (double-encoded)")
		inner := bufio.NewReader(strings.NewReader(t))
		if b, err := firstByte(inner); err != nil || (b != '{' && b != '[') {
			return &FormatError{Name: s.name, Offset: 0, Msg: "a JSON string that is not a report", Err: ErrNotReport}
		}
		return s.readJSON(inner)
	default:
		return &FormatError{Name: s.name, Offset: 0, Msg: "JSON that is not an object", Err: ErrNotReport}
	}
	return j.end()
}

func (j *jsonReader) syntax(path string, err error) error {
	msg := "broken JSON"
	if errors.Is(err, errUnexpectedEOF) || strings.Contains(err.Error(), "unexpected EOF") {
		msg = "JSON ends too early (truncated)"
	}
	return &FormatError{Name: j.name, Path: path, Offset: j.dec.InputOffset(), Msg: msg, Err: err}
}

var errUnexpectedEOF = errors.New("unexpected EOF")

// end decides what the document was once it is read.
func (j *jsonReader) end() error {
	h := &j.rep.Header
	if len(j.rootExc) > 0 && !j.sawItems {
		ee := &ExceptionsError{Name: j.name, Header: *h, Exceptions: append(slices.Clone(h.Exceptions), j.rootExc...)}
		ee.Header.ReportID = strings.ToUpper(ee.Header.ReportID)
		return ee
	}
	if h.ReportID == "" {
		if len(h.Exceptions) > 0 {
			return &ExceptionsError{Name: j.name, Header: *h, Exceptions: h.Exceptions}
		}
		if j.bodyNull {
			return &FormatError{Name: j.name, Path: "body", Offset: -1, Msg: "body is null and no exception given", Err: ErrNotReport}
		}
	}
	if err := j.checkHeader(0, "Report_Header."); err != nil {
		return err
	}
	h.Exceptions = append(h.Exceptions, j.rootExc...)
	if !j.sawItems && len(h.Exceptions) == 0 {
		j.warn(0, "", "no Report_Items and no Exceptions")
	}
	return nil
}

func (j *jsonReader) nakedArray() error {
	for i := 0; j.dec.More(); i++ {
		path := fmt.Sprintf("[%d]", i)
		var m map[string]json.RawMessage
		if err := j.dec.Decode(&m); err != nil {
			return &FormatError{Name: j.name, Path: path, Offset: j.dec.InputOffset(), Msg: "a JSON array that is not a list of exceptions", Err: ErrNotReport}
		}
		x, ok := j.exception(m, path)
		if !ok {
			return &FormatError{Name: j.name, Path: path, Offset: j.dec.InputOffset(), Msg: "a JSON array that is not a list of exceptions", Err: ErrNotReport}
		}
		j.rootExc = append(j.rootExc, x)
	}
	if len(j.rootExc) == 0 {
		return &FormatError{Name: j.name, Offset: j.dec.InputOffset(), Msg: "an empty JSON array", Err: ErrNotReport}
	}
	return &ExceptionsError{Name: j.name, Exceptions: j.rootExc}
}

var headerKeys = map[string]string{}

func init() {
	for _, k := range []string{"Release", "Report_ID", "Report_Name", "Created", "Created_By", "Customer_ID",
		"Institution_Name", "Institution_ID", "Report_Filters", "Report_Attributes", "Registry_Record", "Requestor_ID", "Exceptions"} {
		headerKeys[strings.ToLower(k)] = k
	}
}

// object walks the keys of an object whose '{' is read.
func (j *jsonReader) object(prefix string) error {
	for j.dec.More() {
		tok, err := j.dec.Token()
		if err != nil {
			return j.syntax(prefix, err)
		}
		key, _ := tok.(string)
		path := prefix + key
		switch lk := strings.ToLower(key); {
		case lk == "report_header":
			var m map[string]json.RawMessage
			if err := j.dec.Decode(&m); err != nil {
				return j.syntax(path, err)
			}
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				if err := j.headerField(k, m[k], path+"."+k); err != nil {
					return err
				}
			}
		case lk == "report_items":
			j.sawItems = true
			if err := j.items(path); err != nil {
				return err
			}
		case lk == "body":
			tok, err := j.dec.Token()
			if err != nil {
				return j.syntax(path, err)
			}
			switch tok {
			case nil:
				j.bodyNull = true
			case json.Delim('{'):
				j.warn(0, path, `report wrapped in {"body": …, "response": …}`)
				if err := j.object(path + "."); err != nil {
					return err
				}
			default:
				return &FormatError{Name: j.name, Path: path, Offset: j.dec.InputOffset(), Msg: "body is not an object", Err: ErrNotReport}
			}
		case lk == "response":
			var raw json.RawMessage
			if err := j.dec.Decode(&raw); err != nil {
				return j.syntax(path, err)
			}
			var m map[string]json.RawMessage
			if json.Unmarshal(raw, &m) == nil {
				if x, ok := j.exception(m, path); ok {
					j.warn(0, path, "exception given in a SUSHI response envelope")
					j.rootExc = append(j.rootExc, x)
				}
			}
		case lk == "exception":
			var raw json.RawMessage
			if err := j.dec.Decode(&raw); err != nil {
				return j.syntax(path, err)
			}
			xs, err := j.exceptions(raw, path)
			if err != nil {
				return err
			}
			j.rootExc = append(j.rootExc, xs...)
		case headerKeys[lk] != "":
			var raw json.RawMessage
			if err := j.dec.Decode(&raw); err != nil {
				return j.syntax(path, err)
			}
			j.warn(0, path, "header fields at the top level, without Report_Header")
			if err := j.headerField(key, raw, path); err != nil {
				return err
			}
		default:
			var raw json.RawMessage
			if err := j.dec.Decode(&raw); err != nil {
				return j.syntax(path, err)
			}
		}
	}
	if _, err := j.dec.Token(); err != nil { // '}'
		return j.syntax(prefix, err)
	}
	return nil
}

// kind is the item kind from the header, once the header is known.
func (j *jsonReader) kind(it *rawItem) string {
	if k := kindOf(strings.ToUpper(j.rep.Header.ReportID)); k != "" {
		return k
	}
	switch {
	case it.Database != "":
		return "database"
	case it.Title != "":
		return "title"
	case it.Item != "":
		return "item"
	}
	return "platform"
}

func (j *jsonReader) items(path string) error {
	if j.rep.Header.ReportID != "" && !j.checked {
		if err := j.checkHeader(0, "Report_Header."); err != nil {
			return err
		}
		j.checked = true
	} else if j.rep.Header.ReportID == "" {
		j.warn(0, path, "Report_Items before Report_Header; item kind taken from the item fields")
	}
	tok, err := j.dec.Token()
	if err != nil {
		return j.syntax(path, err)
	}
	if tok == nil {
		return nil
	}
	if tok != json.Delim('[') {
		return &FormatError{Name: j.name, Path: path, Offset: j.dec.InputOffset(), Msg: "Report_Items is not a list"}
	}
	// R5.1 IR nests Items in their parent: walk those token by token so one
	// parent holding all items does not have to fit in memory.
	nested := strings.HasPrefix(strings.ToUpper(j.rep.Header.ReportID), "IR") && j.rep.Header.Release != "5" || j.rep.Header.ReportID == ""
	for i := 0; j.dec.More(); i++ {
		p := fmt.Sprintf("%s[%d]", path, i)
		j.rep.Items++
		if nested {
			if err := j.walkItem(p); err != nil {
				return err
			}
			continue
		}
		var it rawItem
		if err := j.typeErr(j.dec.Decode(&it), p); err != nil {
			return err
		}
		if err := j.emitItem(&it, "", p); err != nil {
			return err
		}
	}
	if _, err := j.dec.Token(); err != nil {
		return j.syntax(path, err)
	}
	return nil
}

// walkItem reads one Report_Item key by key, streaming nested Items.
func (j *jsonReader) walkItem(path string) error {
	tok, err := j.dec.Token()
	if err != nil {
		return j.syntax(path, err)
	}
	if tok != json.Delim('{') {
		return &FormatError{Name: j.name, Path: path, Offset: j.dec.InputOffset(), Msg: "Report_Item is not an object"}
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	parent, nestedSeen, afterItems := "", false, false
	for j.dec.More() {
		tok, err := j.dec.Token()
		if err != nil {
			return j.syntax(path, err)
		}
		key, _ := tok.(string)
		if strings.EqualFold(key, "Items") {
			var pit rawItem
			if err := j.typeErr(json.Unmarshal(closeObject(buf.Bytes()), &pit), path); err != nil {
				return &FormatError{Name: j.name, Path: path, Offset: j.dec.InputOffset(), Msg: "Report_Item", Err: err}
			}
			parent = pit.Title
			if parent == "" {
				parent = pit.Item
			}
			nestedSeen = true
			if err := j.nestedItems(parent, path+".Items"); err != nil {
				return err
			}
			continue
		}
		var raw json.RawMessage
		if err := j.dec.Decode(&raw); err != nil {
			return j.syntax(path+"."+key, err)
		}
		if nestedSeen {
			afterItems = true
		}
		kb, _ := json.Marshal(key)
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(raw)
		buf.WriteByte(',')
	}
	if _, err := j.dec.Token(); err != nil {
		return j.syntax(path, err)
	}
	var it rawItem
	if err := j.typeErr(json.Unmarshal(closeObject(buf.Bytes()), &it), path); err != nil {
		return &FormatError{Name: j.name, Path: path, Offset: j.dec.InputOffset(), Msg: "Report_Item", Err: err}
	}
	if nestedSeen {
		if afterItems && (it.Title != parent || it.Item != "" && parent == "") {
			j.warn(0, path, "parent fields after Items; parent not attached to the items before")
		}
		if isNull(it.Performance) && len(it.AttributePerformance) == 0 {
			return nil
		}
	}
	return j.emitItem(&it, "", path)
}

// closeObject copies "{k:v,k:v," and closes it, leaving b as it was.
func closeObject(b []byte) []byte {
	out := make([]byte, 0, len(b)+1)
	out = append(out, bytes.TrimSuffix(b, []byte(","))...)
	return append(out, '}')
}

func (j *jsonReader) nestedItems(parent, path string) error {
	tok, err := j.dec.Token()
	if err != nil {
		return j.syntax(path, err)
	}
	if tok == nil {
		return nil
	}
	if tok != json.Delim('[') {
		return &FormatError{Name: j.name, Path: path, Offset: j.dec.InputOffset(), Msg: "Items is not a list"}
	}
	for i := 0; j.dec.More(); i++ {
		p := fmt.Sprintf("%s[%d]", path, i)
		var it rawItem
		if err := j.typeErr(j.dec.Decode(&it), p); err != nil {
			return err
		}
		j.rep.NestedItems++
		if err := j.emitItem(&it, parent, p); err != nil {
			return err
		}
	}
	_, err = j.dec.Token()
	if err != nil {
		return j.syntax(path, err)
	}
	return nil
}

// typeErr turns a wrong JSON type in a plain string field of an item into
// a warning (the field stays empty); other errors are syntax errors.
func (j *jsonReader) typeErr(err error, path string) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		j.warn(0, path+"."+te.Field, fmt.Sprintf("%s given as a JSON %s; left empty", te.Field, te.Value))
		return nil
	}
	if err != nil {
		return j.syntax(path, err)
	}
	return nil
}

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

func (j *jsonReader) emitItem(it *rawItem, parent, path string) error {
	ids, err := parseIDs(it.ItemID)
	if err != nil {
		return &FormatError{Name: j.name, Path: path + ".Item_ID", Offset: j.dec.InputOffset(), Msg: "Item_ID not understood", Err: err}
	}
	base := Item{
		Kind:         j.kind(it),
		Platform:     it.Platform,
		Publisher:    it.Publisher,
		IDs:          ids,
		DataType:     it.DataType,
		SectionType:  it.SectionType,
		YOP:          it.YOP.s,
		AccessType:   it.AccessType,
		AccessMethod: it.AccessMethod,
		Parent:       parent,
	}
	switch base.Kind {
	case "title":
		base.Name = it.Title
	case "database":
		base.Name = it.Database
	case "item":
		base.Name = it.Item
	case "platform":
		base.Name = it.Platform
	}
	if it.ItemParent.array {
		j.warn(0, path+".Item_Parent", "Item_Parent is a list; first entry taken")
	}
	if base.Parent == "" {
		base.Parent = it.ItemParent.name
	}
	if it.YOP.num {
		j.warn(0, path+".YOP", "YOP given as a number")
	}
	emitted := false
	if !isNull(it.Performance) {
		counts, err := j.perf(it.Performance, path+".Performance")
		if err != nil {
			return err
		}
		if err := j.emit(base, counts); err != nil {
			return err
		}
		emitted = true
	}
	for i := range it.AttributePerformance {
		ap := &it.AttributePerformance[i]
		row := base
		for _, f := range []struct{ dst, src *string }{{&row.DataType, &ap.DataType}, {&row.SectionType, &ap.SectionType},
			{&row.YOP, &ap.YOP.s}, {&row.AccessType, &ap.AccessType}, {&row.AccessMethod, &ap.AccessMethod}} {
			if *f.src != "" {
				*f.dst = *f.src
			}
		}
		if ap.YOP.num {
			j.warn(0, path+".YOP", "YOP given as a number")
		}
		p := fmt.Sprintf("%s.Attribute_Performance[%d].Performance", path, i)
		if isNull(ap.Performance) {
			j.warn(0, p, "no Performance; item read without counts")
		}
		counts, err := j.perf(ap.Performance, p)
		if err != nil {
			return err
		}
		if err := j.emit(row, counts); err != nil {
			return err
		}
		emitted = true
	}
	if !emitted {
		j.warn(0, path, "no Performance; item read without counts")
		return j.emit(base, nil)
	}
	return nil
}

// perf turns a Performance value of either release into counts.
func (j *jsonReader) perf(raw json.RawMessage, path string) ([]Count, error) {
	counts := j.counts[:0]
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return counts, nil
	}
	bad := func(where string, c fcount) error {
		return &FormatError{Name: j.name, Path: path + where, Offset: j.dec.InputOffset(), Msg: fmt.Sprintf("%s is not a number", c.text)}
	}
	if raw[0] == '[' { // R5.0
		var periods []rawPeriod
		if err := json.Unmarshal(raw, &periods); err != nil {
			return nil, &FormatError{Name: j.name, Path: path, Offset: j.dec.InputOffset(), Msg: "Performance not understood", Err: err}
		}
		for i, per := range periods {
			bd := per.Period.BeginDate
			if len(bd) < 7 || !isMonth(bd[:7]) {
				return nil, &FormatError{Name: j.name, Path: fmt.Sprintf("%s[%d].Period.Begin_Date", path, i), Offset: j.dec.InputOffset(), Msg: fmt.Sprintf("%q is not a date", bd)}
			}
			month := bd[:7]
			if ed := per.Period.EndDate; len(ed) >= 7 && ed[:7] != month {
				j.warn(0, fmt.Sprintf("%s[%d].Period", path, i), "a Period longer than a month; counted in its first month")
			}
			for k, in := range per.Instance {
				if in.Count.bad {
					return nil, bad(fmt.Sprintf("[%d].Instance[%d].Count", i, k), in.Count)
				}
				if in.Count.str {
					j.warn(0, fmt.Sprintf("%s[%d].Instance[%d].Count", path, i, k), "counts given as strings")
				}
				if in.MetricType == "" {
					return nil, &FormatError{Name: j.name, Path: fmt.Sprintf("%s[%d].Instance[%d].Metric_Type", path, i, k), Offset: j.dec.InputOffset(), Msg: "no Metric_Type"}
				}
				counts = append(counts, Count{Month: month, Metric: in.MetricType, Count: in.Count.n})
			}
		}
		j.counts = counts
		return counts, nil
	}
	// R5.1: {"Metric": {"YYYY-MM": n, …}, …}, walked without building maps.
	if j.intern == nil {
		j.intern = map[string]string{}
	}
	sc := scanner{b: raw, intern: j.intern}
	err := sc.object(func(metric string) error {
		return sc.object(func(month string) error {
			v := sc.value()
			n, ok := fastCount(v)
			if !ok {
				var c fcount
				_ = c.UnmarshalJSON(v)
				if c.bad {
					return bad("."+metric+"."+month, c)
				}
				if c.str {
					j.warn(0, path+"."+metric+"."+month, "counts given as strings")
				}
				n = c.n
			}
			m := month
			if len(m) == 10 && isDate(m) {
				j.warn(0, path+"."+metric, "months given as dates")
				m = m[:7]
			}
			if !isMonth(m) {
				return &FormatError{Name: j.name, Path: path + "." + metric, Offset: j.dec.InputOffset(), Msg: fmt.Sprintf("%q is not a month (YYYY-MM)", month)}
			}
			counts = append(counts, Count{Month: m, Metric: metric, Count: n})
			return nil
		})
	})
	if err != nil {
		var fe *FormatError
		if errors.As(err, &fe) {
			return nil, err
		}
		return nil, &FormatError{Name: j.name, Path: path, Offset: j.dec.InputOffset(), Msg: "Performance is not {Metric: {Month: count}}", Err: err}
	}
	j.counts = counts
	return counts, nil
}

// fastCount reads a plain non-negative JSON integer.
func fastCount(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
