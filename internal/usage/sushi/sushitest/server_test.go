package sushitest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, u string, q url.Values) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.Get(u + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

func query(cid, key, begin, end string) url.Values {
	q := url.Values{}
	if cid != "" {
		q.Set("customer_id", cid)
	}
	if key != "" {
		q.Set("api_key", key)
	}
	if begin != "" {
		q.Set("begin_date", begin)
	}
	if end != "" {
		q.Set("end_date", end)
	}
	return q
}

// checkHeader51 checks what the R5.1 spec requires of a Report_Header.
func checkHeader51(t *testing.T, id string, body []byte, begin, end string) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	if _, ok := doc["Report_Items"].([]any); !ok {
		t.Fatalf("%s: Report_Items missing or not a list", id)
	}
	h, _ := doc["Report_Header"].(map[string]any)
	if h == nil {
		t.Fatalf("%s: no Report_Header", id)
	}
	if h["Release"] != "5.1" || h["Report_ID"] != id {
		t.Errorf("%s: Release %v Report_ID %v", id, h["Release"], h["Report_ID"])
	}
	for _, k := range []string{"Report_Name", "Created_By", "Institution_Name"} {
		if s, _ := h[k].(string); len(s) < 2 {
			t.Errorf("%s: %s = %v, want a string of at least 2 characters", id, k, h[k])
		}
	}
	if _, err := time.Parse(time.RFC3339, h["Created"].(string)); err != nil {
		t.Errorf("%s: Created: %v", id, err)
	}
	if _, bad := h["Customer_ID"]; bad {
		t.Errorf("%s: R5.1 headers have no Customer_ID", id)
	}
	f, _ := h["Report_Filters"].(map[string]any)
	if f["Begin_Date"] != begin || f["End_Date"] != end {
		t.Errorf("%s: filters %v, want %s..%s", id, f, begin, end)
	}
	if ex, ok := h["Exceptions"]; ok && len(ex.([]any)) == 0 {
		t.Errorf("%s: Exceptions present but empty (minItems 1)", id)
	}
	return doc
}

// months collects every month key under an R5.1 Performance object.
func months51(v any, into map[string]bool) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			months51(e, into)
		}
	case map[string]any:
		for k, e := range x {
			if k == "Performance" {
				for _, counts := range e.(map[string]any) {
					for m := range counts.(map[string]any) {
						into[m] = true
					}
				}
				continue
			}
			months51(e, into)
		}
	}
}

func TestAllR51ReportsValidAndRedated(t *testing.T) {
	s := New(t)
	s.AddCustomer("lib-1", "k1", Normal, 1)
	for _, id := range reportIDs {
		st, _, body := get(t, s.URL51()+"/reports/"+strings.ToLower(id), query("lib-1", "k1", "2024-03", "2024-03"))
		if st != http.StatusOK {
			t.Fatalf("%s: status %d: %s", id, st, body)
		}
		doc := checkHeader51(t, id, body, "2024-03-01", "2024-03-31")
		if len(doc["Report_Items"].([]any)) == 0 {
			t.Errorf("%s: no items", id)
		}
		ms := map[string]bool{}
		months51(doc["Report_Items"], ms)
		if len(ms) != 1 || !ms["2024-03"] {
			t.Errorf("%s: usage months %v, want only 2024-03", id, ms)
		}
		ids := doc["Report_Header"].(map[string]any)["Institution_ID"].(map[string]any)
		if p := ids["Proprietary"].([]any); p[0] != "SP:lib-1" {
			t.Errorf("%s: Institution_ID %v", id, ids)
		}
	}
}

func TestR50Report(t *testing.T) {
	s := New(t)
	s.AddCustomer("lib-1", "", Normal, 3)
	st, _, body := get(t, s.URL50()+"/reports/tr", query("lib-1", "", "2024-03-01", "2024-04-30"))
	if st != http.StatusOK {
		t.Fatalf("status %d: %s", st, body)
	}
	var doc struct {
		Report_Header struct {
			Release, Report_ID, Customer_ID string
			Report_Filters                  []struct{ Name, Value string }
		}
		Report_Items []struct {
			Performance []struct {
				Period struct{ Begin_Date, End_Date string }
			}
		}
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	h := doc.Report_Header
	if h.Release != "5" || h.Report_ID != "TR" || h.Customer_ID != "lib-1" {
		t.Errorf("header %+v", h)
	}
	want := map[string]string{"Begin_Date": "2024-03-01", "End_Date": "2024-04-30"}
	for _, f := range h.Report_Filters {
		if w, ok := want[f.Name]; ok && f.Value != w {
			t.Errorf("filter %s = %s, want %s", f.Name, f.Value, w)
		}
	}
	for _, it := range doc.Report_Items {
		for _, p := range it.Performance {
			if p.Period.Begin_Date != "2024-03-01" && p.Period.Begin_Date != "2024-04-01" {
				t.Errorf("period %+v outside the request", p.Period)
			}
		}
	}
	// 2016-01 and 2016-02 of the sample, times 3.
	got, err := SumMetric(body, "Total_Item_Requests")
	if err != nil {
		t.Fatal(err)
	}
	if got != (12+18)*3 {
		t.Errorf("Total_Item_Requests = %d, want %d", got, (12+18)*3)
	}
}

func TestFactorAndExpected(t *testing.T) {
	s := New(t)
	s.AddCustomer("lib-1", "", Normal, 1)
	s.AddCustomer("lib-2", "", Normal, 5)
	for cid, factor := range map[string]int64{"lib-1": 1, "lib-2": 5} {
		_, _, body := get(t, s.URL51()+"/reports/tr", query(cid, "", "2024-03", "2024-03"))
		got, err := SumMetric(body, "Total_Item_Requests")
		if err != nil {
			t.Fatal(err)
		}
		if got != 20586*factor {
			t.Errorf("%s: Total_Item_Requests %d, want %d", cid, got, 20586*factor)
		}
		exp, err := s.Expected(R51, "tr", cid, "Total_Item_Requests", "2024-03", "2024-03")
		if err != nil || exp != got {
			t.Errorf("%s: Expected = %d, %v; served %d", cid, exp, err, got)
		}
	}
	// Twelve months give the sample's whole year (README: 255 023).
	exp, err := s.Expected(R51, "TR", "lib-1", "Total_Item_Requests", "2023-01", "2023-12")
	if err != nil || exp != 255023 {
		t.Errorf("a year of TR = %d, %v; want 255023", exp, err)
	}
}

func TestValidation(t *testing.T) {
	s := New(t)
	s.Add(Customer{ID: "lib-1", APIKey: "secret", RequestorID: "req"})
	type exc struct {
		Code     int
		Message  string
		Severity string
	}
	cases := []struct {
		name   string
		base   string
		path   string
		q      url.Values
		status int
		code   int
	}{
		{"no customer", s.URL51(), "/reports/tr", query("", "secret", "2024-01", "2024-01"), 400, 1030},
		{"unknown customer", s.URL51(), "/reports/tr", query("lib-9", "secret", "2024-01", "2024-01"), 403, 2010},
		{"no requestor", s.URL51(), "/reports/tr", query("lib-1", "secret", "2024-01", "2024-01"), 401, 2000},
		{"bad key", s.URL51(), "/reports/tr", withReq(query("lib-1", "wrong", "2024-01", "2024-01")), 401, 2020},
		{"no dates", s.URL51(), "/reports/tr", withReq(query("lib-1", "secret", "", "")), 400, 1030},
		{"bad date", s.URL51(), "/reports/tr", withReq(query("lib-1", "secret", "2024-13", "2024-13")), 400, 3020},
		{"reversed dates", s.URL50(), "/reports/tr", withReq(query("lib-1", "secret", "2024-05", "2024-01")), 400, 3020},
		{"unknown report", s.URL51(), "/reports/xx", withReq(query("lib-1", "secret", "2024-01", "2024-01")), 404, 3000},
		{"ok", s.URL51(), "/reports/dr_d1", withReq(query("lib-1", "secret", "2024-01", "2024-01")), 200, 0},
	}
	for _, c := range cases {
		st, _, body := get(t, c.base+c.path, c.q)
		if st != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, st, c.status, body)
			continue
		}
		if c.code == 0 {
			continue
		}
		var e exc
		if err := json.Unmarshal(body, &e); err != nil || e.Code != c.code || e.Message == "" {
			t.Errorf("%s: exception %+v (%v), want code %d", c.name, e, err, c.code)
		}
		if (c.base == s.URL50()) != (e.Severity != "") {
			t.Errorf("%s: Severity %q: only R5.0 has one", c.name, e.Severity)
		}
	}
	reqs := s.Requests()
	if len(reqs) != len(cases) {
		t.Fatalf("recorded %d requests, want %d", len(reqs), len(cases))
	}
	if r := reqs[len(reqs)-1]; r.Status != 200 || r.Customer != "lib-1" || r.Query.Get("api_key") != "secret" || r.Path != "/r51/reports/dr_d1" {
		t.Errorf("last request %+v", r)
	}
}

func withReq(q url.Values) url.Values {
	q.Set("requestor_id", "req")
	return q
}

func TestBehaviours(t *testing.T) {
	s := New(t, WithRetryAfter(7*time.Second))
	s.AddCustomer("none", "", NoUsage, 1)
	s.AddCustomer("queued", "", Queued, 1)
	s.Add(Customer{ID: "busy", Behaviour: RateLimited, FailTimes: 1})
	s.Add(Customer{ID: "down", Behaviour: ServerError, FailTimes: -1})

	st, _, body := get(t, s.URL51()+"/reports/tr", query("none", "", "2024-02", "2024-02"))
	doc := checkHeader51(t, "TR", body, "2024-02-01", "2024-02-29")
	ex := doc["Report_Header"].(map[string]any)["Exceptions"].([]any)[0].(map[string]any)
	if _, has := ex["Severity"]; st != 200 || ex["Code"] != float64(3030) || has || len(doc["Report_Items"].([]any)) != 0 {
		t.Errorf("no usage: %d %v", st, ex)
	}

	for i, want := range []int{202, 202, 200, 200} {
		st, _, _ := get(t, s.URL51()+"/reports/tr", query("queued", "", "2024-02", "2024-02"))
		if st != want {
			t.Errorf("queued request %d: %d, want %d", i+1, st, want)
		}
	}
	// Another month has its own count.
	if st, _, _ := get(t, s.URL51()+"/reports/tr", query("queued", "", "2024-03", "2024-03")); st != 202 {
		t.Errorf("queued, other month: %d", st)
	}

	st, h, body := get(t, s.URL51()+"/reports/tr", query("busy", "", "2024-02", "2024-02"))
	if st != 429 || h.Get("Retry-After") != "7" || !strings.Contains(string(body), "1020") {
		t.Errorf("rate limited: %d %q %s", st, h.Get("Retry-After"), body)
	}
	if st, _, _ := get(t, s.URL51()+"/reports/tr", query("busy", "", "2024-02", "2024-02")); st != 200 {
		t.Errorf("rate limited, second: %d", st)
	}
	for range 3 {
		if st, _, _ := get(t, s.URL51()+"/reports/tr", query("down", "", "2024-02", "2024-02")); st != 500 {
			t.Errorf("server error: %d", st)
		}
	}
}

func TestStatusAndList(t *testing.T) {
	s := New(t)
	st, _, body := get(t, s.URL51()+"/status", nil)
	var status []struct{ Service_Active bool }
	if err := json.Unmarshal(body, &status); st != 200 || err != nil || len(status) != 1 || !status[0].Service_Active {
		t.Errorf("status %d %s", st, body)
	}
	_, _, body = get(t, s.URL51()+"/reports", nil)
	var list []struct{ Report_ID, Path string }
	if err := json.Unmarshal(body, &list); err != nil || len(list) != 16 || list[5].Path != "/r51/reports/tr" {
		t.Errorf("list %s", body)
	}
}
