package sushi_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/usage/sushi"
	"github.com/samla-org/samla/internal/usage/sushi/sushitest"
)

func fetch(t *testing.T, base string, cr sushi.Credentials, report, from, to string) *sushi.Response {
	t.Helper()
	c := &sushi.Client{UserAgent: "samla-test"}
	r, err := c.Fetch(context.Background(), base, report, cr, from, to)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	return r
}

func TestFetchOKTwoCustomers(t *testing.T) {
	srv := sushitest.New(t)
	srv.Add(sushitest.Customer{ID: "lib-1", APIKey: "key-1", RequestorID: "req-1", Factor: 1})
	srv.Add(sushitest.Customer{ID: "lib-2", APIKey: "key-2", Factor: 4})

	r1 := fetch(t, srv.URL51(), sushi.Credentials{CustomerID: "lib-1", APIKey: "key-1", RequestorID: "req-1", Platform: "P1"}, "TR", "2024-03", "2024-03")
	r2 := fetch(t, srv.URL51()+"/", sushi.Credentials{CustomerID: "lib-2", APIKey: "key-2"}, "tr", "2024-03", "2024-03")
	for _, r := range []*sushi.Response{r1, r2} {
		if r.Outcome != sushi.OK || r.Status != 200 || len(r.Exceptions) != 0 || r.RetryAfter != 0 {
			t.Errorf("response %v %d %v %v", r.Outcome, r.Status, r.Exceptions, r.RetryAfter)
		}
	}
	if bytes.Equal(r1.Body, r2.Body) {
		t.Error("two customers got the same body")
	}
	for i, r := range []*sushi.Response{r1, r2} {
		got, err := sushitest.SumMetric(r.Body, "Total_Item_Requests")
		want := int64(20586 * []int{1, 4}[i])
		if err != nil || got != want {
			t.Errorf("customer %d: Total_Item_Requests %d (%v), want %d", i+1, got, err, want)
		}
	}

	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	q := reqs[0].Query
	if reqs[0].Path != "/r51/reports/tr" || q.Get("customer_id") != "lib-1" || q.Get("api_key") != "key-1" ||
		q.Get("requestor_id") != "req-1" || q.Get("platform") != "P1" ||
		q.Get("begin_date") != "2024-03-01" || q.Get("end_date") != "2024-03-31" {
		t.Errorf("request 1: %s %v", reqs[0].Path, q)
	}
	if reqs[0].Header.Get("User-Agent") != "samla-test" || reqs[0].Header.Get("Accept") != "application/json" {
		t.Errorf("headers %v", reqs[0].Header)
	}
	if q := reqs[1].Query; q.Has("requestor_id") || q.Has("platform") || reqs[1].Path != "/r51/reports/tr" {
		t.Errorf("request 2: %s %v", reqs[1].Path, q)
	}
}

func TestFetchR50AndRange(t *testing.T) {
	srv := sushitest.New(t)
	srv.AddCustomer("lib-1", "", sushitest.Normal, 2)
	r := fetch(t, srv.URL50(), sushi.Credentials{CustomerID: "lib-1"}, "DR_D1", "2023-11", "2024-02")
	if r.Outcome != sushi.OK {
		t.Fatalf("outcome %v: %s", r.Outcome, r.Message)
	}
	if q := srv.Requests()[0]; q.Path != "/reports/dr_d1" || q.Query.Get("end_date") != "2024-02-29" {
		t.Errorf("request %s %v", q.Path, q.Query)
	}
	want, err := srv.Expected(sushitest.R50, "DR_D1", "lib-1", "Searches_Regular", "2023-11", "2024-02")
	got, err2 := sushitest.SumMetric(r.Body, "Searches_Regular")
	if err != nil || err2 != nil || got != want || got == 0 {
		t.Errorf("Searches_Regular %d, expected %d (%v %v)", got, want, err, err2)
	}
}

func TestFetchOutcomes(t *testing.T) {
	srv := sushitest.New(t, sushitest.WithRetryAfter(42*time.Second))
	srv.AddCustomer("none", "k", sushitest.NoUsage, 1)
	srv.AddCustomer("queued", "k", sushitest.Queued, 1)
	srv.AddCustomer("busy", "k", sushitest.RateLimited, 1)
	srv.Add(sushitest.Customer{ID: "down", APIKey: "k", Behaviour: sushitest.ServerError, FailTimes: -1})
	cr := func(id string) sushi.Credentials { return sushi.Credentials{CustomerID: id, APIKey: "k"} }

	r := fetch(t, srv.URL51(), cr("none"), "TR", "2024-01", "2024-01")
	if r.Outcome != sushi.NoUsage || r.Status != 200 || len(r.Exceptions) != 1 || r.Exceptions[0].Code != 3030 ||
		!strings.HasPrefix(r.Message, "3030 No Usage Available for Requested Dates") {
		t.Errorf("no usage: %v %d %v %q", r.Outcome, r.Status, r.Exceptions, r.Message)
	}

	for i, want := range []sushi.Outcome{sushi.Queued, sushi.Queued, sushi.OK} {
		r := fetch(t, srv.URL51(), cr("queued"), "TR", "2024-01", "2024-01")
		if r.Outcome != want {
			t.Errorf("queued try %d: %v", i+1, r.Outcome)
		}
		if want == sushi.Queued && (r.Status != 202 || r.RetryAfter != 42*time.Second || r.Exceptions[0].Code != 1011) {
			t.Errorf("queued try %d: %d %v %v", i+1, r.Status, r.RetryAfter, r.Exceptions)
		}
	}

	r = fetch(t, srv.URL51(), cr("busy"), "TR", "2024-01", "2024-01")
	if r.Outcome != sushi.RateLimited || r.Status != 429 || r.RetryAfter != 42*time.Second || r.Exceptions[0].Code != 1020 {
		t.Errorf("rate limited: %v %d %v %v", r.Outcome, r.Status, r.RetryAfter, r.Exceptions)
	}

	r = fetch(t, srv.URL50(), cr("down"), "TR", "2024-01", "2024-01")
	if r.Outcome != sushi.ServerError || r.Status != 500 || r.Exceptions[0].Severity != "Fatal" {
		t.Errorf("server error: %v %d %v", r.Outcome, r.Status, r.Exceptions)
	}

	r = fetch(t, srv.URL51(), sushi.Credentials{CustomerID: "none", APIKey: "wrong"}, "TR", "2024-01", "2024-01")
	if r.Outcome != sushi.AuthError || r.Status != 401 || r.Exceptions[0].Code != 2020 || r.Message != "2020 APIKey Invalid" {
		t.Errorf("bad key: %v %d %v %q", r.Outcome, r.Status, r.Exceptions, r.Message)
	}
	r = fetch(t, srv.URL51(), sushi.Credentials{CustomerID: "nobody"}, "TR", "2024-01", "2024-01")
	if r.Outcome != sushi.AuthError || r.Status != 403 || r.Exceptions[0].Code != 2010 {
		t.Errorf("unknown customer: %v %d %v", r.Outcome, r.Status, r.Exceptions)
	}
	r = fetch(t, srv.URL51(), cr("none"), "XR", "2024-01", "2024-01")
	if r.Outcome != sushi.BadRequest || r.Status != 404 {
		t.Errorf("unknown report: %v %d", r.Outcome, r.Status)
	}
}

func TestFetchArgumentsAndTransport(t *testing.T) {
	c := &sushi.Client{}
	ctx := context.Background()
	for _, args := range [][4]string{
		{"https://x.example/r51", "TR", "2024-1", "2024-01"},
		{"https://x.example/r51", "TR", "2024-03", "2024-01"},
		{"ftp://x.example/r51", "TR", "2024-01", "2024-01"},
		{"https://x.example/r51", "tr/../x", "2024-01", "2024-01"},
	} {
		if _, err := c.Fetch(ctx, args[0], args[1], sushi.Credentials{CustomerID: "c"}, args[2], args[3]); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	if _, err := c.Fetch(ctx, "https://x.example/r51", "TR", sushi.Credentials{}, "2024-01", "2024-01"); err == nil {
		t.Error("no customer id: no error")
	}

	// A closed port: the error must not show the secrets.
	dead := httptest.NewServer(http.NotFoundHandler())
	base := dead.URL + "/r51"
	dead.Close()
	_, err := c.Fetch(ctx, base, "TR", sushi.Credentials{CustomerID: "lib", APIKey: "sekrit-key", RequestorID: "sekrit-req"}, "2024-01", "2024-01")
	if err == nil {
		t.Fatal("closed server: no error")
	}
	if strings.Contains(err.Error(), "sekrit") || !strings.Contains(err.Error(), "customer_id=lib") {
		t.Errorf("error %q", err)
	}
}

func TestFetchContextCancel(t *testing.T) {
	started := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
	}))
	defer slow.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	_, err := (&sushi.Client{}).Fetch(ctx, slow.URL, "TR", sushi.Credentials{CustomerID: "c", APIKey: "sekrit-key"}, "2024-01", "2024-01")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if strings.Contains(err.Error(), "sekrit") {
		t.Errorf("error shows the key: %v", err)
	}

	// And a client timeout.
	slow2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer slow2.Close()
	c := &sushi.Client{HTTP: &http.Client{Timeout: 50 * time.Millisecond}}
	if _, err := c.Fetch(context.Background(), slow2.URL, "TR", sushi.Credentials{CustomerID: "c"}, "2024-01", "2024-01"); err == nil {
		t.Error("timeout: no error")
	}
}

func quirk(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "quirks", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The vendor quirk files, served over HTTP as a vendor would.
func TestFetchQuirks(t *testing.T) {
	cases := []struct {
		file    string
		status  int
		outcome sushi.Outcome
		codes   []int
		message string // a part of Message
	}{
		{"naked_errors.json", 200, sushi.Queued, []int{1011, 3060}, "1011 Report Queued for Processing"},
		{"stringified_error.json", 200, sushi.AuthError, []int{2090}, "2090 Got response code: 404"},
		{"no_data_3062.json", 200, sushi.NoUsage, []int{3062}, "3062 Invalid ReportAttribute Value"},
		{"5_TR_ProQuestEbookCentral_exception.json", 200, sushi.NoUsage, []int{3030}, "3030 No Usage Available for Requested Dates."},
		{"5_DR_ProQuestEbookCentral_exception.json", 200, sushi.Error, nil, "HTTP 200 without a COUNTER report"},
		{"invalid-customer.json", 200, sushi.BadRequest, []int{1030}, "1030 Invalid Customer Id"},
		{"5_TR_with_warning.json", 200, sushi.OK, []int{3032}, "3032 Usage No Longer Available"},
		{"severity-number.json", 200, sushi.BadRequest, []int{3010}, "3010"},
		{"no_data.json", 200, sushi.NoUsage, nil, "the report has no usage"},
		{"no_data_3050.json", 200, sushi.BadRequest, []int{3050}, "3050"},
		// The same bodies with the HTTP status a server might add.
		{"naked_errors.json", 202, sushi.Queued, []int{1011, 3060}, "1011"},
		{"invalid-customer.json", 400, sushi.BadRequest, []int{1030}, "1030"},
	}
	srv := sushitest.New(t)
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			body := quirk(t, c.file)
			srv.Add(sushitest.Customer{ID: "q", RawBody: body, RawStatus: c.status})
			r := fetch(t, srv.URL50(), sushi.Credentials{CustomerID: "q"}, "TR", "2024-01", "2024-01")
			if !bytes.Equal(r.Body, body) {
				t.Error("body changed")
			}
			var codes []int
			for _, e := range r.Exceptions {
				codes = append(codes, e.Code)
			}
			if r.Outcome != c.outcome || r.Status != c.status || !equal(codes, c.codes) || !strings.Contains(r.Message, c.message) {
				t.Errorf("got %v %d %v %q; want %v %v %q", r.Outcome, r.Status, codes, r.Message, c.outcome, c.codes, c.message)
			}
		})
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestQuirkDetails(t *testing.T) {
	srv := sushitest.New(t)
	srv.Add(sushitest.Customer{ID: "q", RawBody: quirk(t, "severity-number.json")})
	r := fetch(t, srv.URL50(), sushi.Credentials{CustomerID: "q"}, "DR", "2024-01", "2024-01")
	if len(r.Exceptions) != 1 || r.Exceptions[0].Severity != "4" {
		t.Errorf("numeric severity: %+v", r.Exceptions)
	}
	srv.Add(sushitest.Customer{ID: "q", RawBody: quirk(t, "naked_errors.json")})
	r = fetch(t, srv.URL50(), sushi.Credentials{CustomerID: "q"}, "TR", "2024-01", "2024-01")
	if e := r.Exceptions[0]; e.Severity != "Warning" || !strings.HasPrefix(e.Data, "Report is currently queued") || r.RetryAfter != 0 {
		t.Errorf("naked 1011: %+v, retry %v", e, r.RetryAfter)
	}
}

// Vendors echo the request URL, credentials included, in their messages.
func TestMessageRedacted(t *testing.T) {
	body := `{"Code":2020,"Severity":"Error","Message":"APIKey Invalid","Data":"request https://v.example/reports/tr?api_key=abc%2Bdef&requestor_id=me%40lib.no failed for key abc+def"}`
	srv := sushitest.New(t)
	srv.Add(sushitest.Customer{ID: "q", RawBody: []byte(body), RawStatus: 401})
	r := fetch(t, srv.URL50(), sushi.Credentials{CustomerID: "q", APIKey: "abc+def", RequestorID: "me@lib.no"}, "TR", "2024-01", "2024-01")
	if r.Outcome != sushi.AuthError {
		t.Errorf("outcome %v", r.Outcome)
	}
	for _, s := range []string{r.Message, r.Exceptions[0].Data} {
		if strings.Contains(s, "abc") || strings.Contains(s, "me%40lib") || strings.Contains(s, "me@lib") {
			t.Errorf("not redacted: %q", s)
		}
	}
	if !bytes.Equal(r.Body, []byte(body)) {
		t.Error("the body must stay as received")
	}
}

func TestRetryAfterHeaderForms(t *testing.T) {
	when := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	for _, c := range []struct {
		header string
		status int
		body   string
		min    time.Duration
		max    time.Duration
	}{
		{"120", 429, `{"Code":1020,"Message":"Client has made too many requests"}`, 120 * time.Second, 120 * time.Second},
		{when, 503, `{"Code":1010,"Message":"Service Busy"}`, 80 * time.Second, 91 * time.Second},
		{"", 503, `{"Code":1010,"Message":"Service Busy","Data":"try again in 5 minutes"}`, 5 * time.Minute, 5 * time.Minute},
		{"", 429, `{"Code":1020,"Message":"Client has made too many requests","Data":"limit is 5 requests"}`, 0, 0},
		{"", 400, `{"Code":3020,"Message":"Invalid Date Arguments","Data":"wait 10 seconds"}`, 0, 0},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if c.header != "" {
				w.Header().Set("Retry-After", c.header)
			}
			w.WriteHeader(c.status)
			_, _ = w.Write([]byte(c.body))
		}))
		r := fetch(t, srv.URL, sushi.Credentials{CustomerID: "c"}, "TR", "2024-01", "2024-01")
		srv.Close()
		if r.RetryAfter < c.min || r.RetryAfter > c.max {
			t.Errorf("%q %s: RetryAfter %v, want %v..%v", c.header, c.body, r.RetryAfter, c.min, c.max)
		}
	}
}

func TestStatus(t *testing.T) {
	srv := sushitest.New(t)
	st, r, err := (&sushi.Client{}).Status(context.Background(), srv.URL51(), sushi.Credentials{CustomerID: "x"})
	if err != nil || len(st) != 1 || !st[0].ServiceActive || r.Outcome != sushi.OK {
		t.Fatalf("status %+v %+v %v", st, r, err)
	}
	if q := srv.Requests()[0]; q.Path != "/r51/status" || q.Query.Get("customer_id") != "x" {
		t.Errorf("request %s %v", q.Path, q.Query)
	}
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(503)
		_, _ = w.Write([]byte(`{"Code":1000,"Message":"Service Not Available"}`))
	}))
	defer down.Close()
	st, r, err = (&sushi.Client{}).Status(context.Background(), down.URL, sushi.Credentials{})
	if err != nil || st != nil || r.Outcome != sushi.ServerError {
		t.Errorf("down: %+v %+v %v", st, r, err)
	}
}
