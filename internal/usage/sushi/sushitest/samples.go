package sushitest

// How the served reports are made from the embedded samples: which file,
// which months, and the rewrite to the customer and dates asked for.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// sampleFile names the embedded sample for a report id ("TR_J1").
func sampleFile(release, id string) string {
	if !slices.Contains(reportIDs, id) {
		return "testdata/none"
	}
	if release == R51 {
		return "testdata/r51/" + strings.ReplaceAll(id, "_", "") + "_sample_r51.json"
	}
	return "testdata/r50/Sample-" + id + ".json"
}

// monthRange reads begin_date/end_date (yyyy-mm or yyyy-mm-dd) into the
// first days of the months they cover.
func monthRange(begin, end string) ([]time.Time, error) {
	b, err := parseDate(begin)
	if err != nil {
		return nil, err
	}
	e, err := parseDate(end)
	if err != nil {
		return nil, err
	}
	if e.Before(b) {
		return nil, fmt.Errorf("end_date %s is before begin_date %s", end, begin)
	}
	var out []time.Time
	for m := b; !m.After(e); m = m.AddDate(0, 1, 0) {
		out = append(out, m)
		if len(out) > 240 {
			return nil, fmt.Errorf("at most 240 months may be asked for")
		}
	}
	return out, nil
}

func parseDate(s string) (time.Time, error) {
	layout := "2006-01"
	if len(s) == len("2006-01-02") {
		layout = time.DateOnly
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (yyyy-mm or yyyy-mm-dd)", s)
	}
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC), nil
}

// build rewrites the sample for release and id (see the package comment).
func build(release, id string, c Customer, months []time.Time, noUsage bool, now time.Time) ([]byte, error) {
	raw, err := samples.ReadFile(sampleFile(release, id))
	if err != nil {
		return nil, fmt.Errorf("sushitest: no sample for %s %s: %w", release, id, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("sushitest: sample %s %s: %w", release, id, err)
	}
	hdr, _ := doc["Report_Header"].(map[string]any)
	if hdr == nil {
		return nil, fmt.Errorf("sushitest: sample %s %s has no Report_Header", release, id)
	}
	factor := int64(max(c.Factor, 1))
	name := c.Name
	if name == "" {
		name = "Sample Institution " + c.ID
	}
	first := months[0].Format(time.DateOnly)
	last := months[len(months)-1].AddDate(0, 1, -1).Format(time.DateOnly)
	hdr["Created"] = now.UTC().Format(time.RFC3339)
	hdr["Institution_Name"] = name

	var sampleMonths []string
	if release == R51 {
		filters, _ := hdr["Report_Filters"].(map[string]any)
		sampleMonths = monthsBetween(fmt.Sprint(filters["Begin_Date"]), fmt.Sprint(filters["End_Date"]))
		filters["Begin_Date"], filters["End_Date"] = first, last
		ids, _ := hdr["Institution_ID"].(map[string]any)
		if ids == nil {
			ids = map[string]any{}
			hdr["Institution_ID"] = ids
		}
		ids["Proprietary"] = []any{"SP:" + c.ID}
	} else {
		hdr["Customer_ID"] = c.ID
		filters, _ := hdr["Report_Filters"].([]any)
		var b, e string
		for _, f := range filters {
			m, _ := f.(map[string]any)
			switch m["Name"] {
			case "Begin_Date":
				b = fmt.Sprint(m["Value"])
				m["Value"] = first
			case "End_Date":
				e = fmt.Sprint(m["Value"])
				m["Value"] = last
			}
		}
		sampleMonths = monthsBetween(b, e)
	}
	if len(sampleMonths) == 0 {
		return nil, fmt.Errorf("sushitest: sample %s %s has no reporting period", release, id)
	}
	if noUsage {
		e := map[string]any{"Code": 3030, "Message": "No Usage Available for Requested Dates",
			"Data": fmt.Sprintf("No usage for customer %s from %s to %s", c.ID, first, last)}
		if release == R50 {
			e["Severity"] = "Error"
		}
		hdr["Exceptions"] = []any{e}
		doc["Report_Items"] = []any{}
	} else {
		var target []string
		for _, m := range months {
			target = append(target, m.Format("2006-01"))
		}
		rd := redater{release: release, from: sampleMonths, to: target, factor: factor}
		items, _ := doc["Report_Items"].([]any)
		doc["Report_Items"] = rd.list(items)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func monthsBetween(b, e string) []string {
	if len(b) < 7 || len(e) < 7 {
		return nil
	}
	ms, err := monthRange(b[:7], e[:7])
	if err != nil {
		return nil
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// redater moves usage from the sample's months to the requested ones.
type redater struct {
	release  string
	from, to []string
	factor   int64
}

// source is the sample month whose usage the k-th requested month gets.
func (r redater) source(k int) string { return r.from[k%len(r.from)] }

// list rewrites a list of items (or attribute combinations) and drops those
// left without usage.
func (r redater) list(in []any) []any {
	out := []any{}
	for _, v := range in {
		m, ok := v.(map[string]any)
		if !ok {
			out = append(out, v)
			continue
		}
		if r.object(m) {
			out = append(out, m)
		}
	}
	return out
}

// object rewrites an item in place and reports whether it still has usage.
func (r redater) object(m map[string]any) bool {
	usage := false
	had := false
	for _, key := range []string{"Items", "Attribute_Performance"} {
		if l, ok := m[key].([]any); ok {
			had = true
			m[key] = r.list(l)
			usage = usage || len(m[key].([]any)) > 0
		}
	}
	if p, ok := m["Performance"]; ok {
		had = true
		var n int
		if r.release == R51 {
			m["Performance"], n = r.perf51(p)
		} else {
			m["Performance"], n = r.perf50(p)
		}
		usage = usage || n > 0
	}
	return usage || !had
}

// perf51 rewrites {"Metric": {"2022-01": n}}.
func (r redater) perf51(p any) (any, int) {
	in, _ := p.(map[string]any)
	out := map[string]any{}
	for metric, v := range in {
		counts, _ := v.(map[string]any)
		nm := map[string]any{}
		for k, t := range r.to {
			if n, ok := counts[r.source(k)].(json.Number); ok {
				x, _ := n.Int64()
				nm[t] = x * r.factor
			}
		}
		if len(nm) > 0 {
			out[metric] = nm
		}
	}
	return out, len(out)
}

// perf50 rewrites [{"Period": {...}, "Instance": [{"Metric_Type", "Count"}]}].
func (r redater) perf50(p any) (any, int) {
	in, _ := p.([]any)
	byMonth := map[string]map[string]any{}
	for _, v := range in {
		e, _ := v.(map[string]any)
		per, _ := e["Period"].(map[string]any)
		if b := fmt.Sprint(per["Begin_Date"]); len(b) >= 7 {
			byMonth[b[:7]] = e
		}
	}
	out := []any{}
	for k, t := range r.to {
		e, ok := byMonth[r.source(k)]
		if !ok {
			continue
		}
		start, _ := time.Parse("2006-01", t)
		var inst []any
		src, _ := e["Instance"].([]any)
		for _, iv := range src {
			im, _ := iv.(map[string]any)
			n, _ := im["Count"].(json.Number)
			x, _ := n.Int64()
			inst = append(inst, map[string]any{"Metric_Type": im["Metric_Type"], "Count": x * r.factor})
		}
		out = append(out, map[string]any{
			"Period":   map[string]any{"Begin_Date": start.Format(time.DateOnly), "End_Date": start.AddDate(0, 1, -1).Format(time.DateOnly)},
			"Instance": inst,
		})
	}
	return out, len(out)
}

// SumMetric adds up metric over a served report of either release: R5.1
// Performance objects and R5.0 Performance/Instance lists, wherever they are
// nested. It is for checking the parser's totals, not a parser.
func SumMetric(body []byte, metric string) (int64, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return 0, fmt.Errorf("sushitest: %w", err)
	}
	var total int64
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			if x["Metric_Type"] == metric {
				if n, ok := x["Count"].(json.Number); ok {
					c, _ := n.Int64()
					total += c
				}
			}
			for k, e := range x {
				if k == "Performance" {
					if perf, ok := e.(map[string]any); ok {
						if months, ok := perf[metric].(map[string]any); ok {
							for _, n := range months {
								if n, ok := n.(json.Number); ok {
									c, _ := n.Int64()
									total += c
								}
							}
						}
					}
				}
				walk(e)
			}
		}
	}
	walk(doc)
	return total, nil
}
