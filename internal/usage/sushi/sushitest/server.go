// Package sushitest is a COUNTER_SUSHI server for tests: an httptest.Server
// on 127.0.0.1 that speaks the R5.1 API under /r51 and the R5.0.3 API at the
// root, validates requests the way a real server does, and serves the
// official COUNTER sample reports (testdata/, CC BY-SA 4.0, see
// testdata/NOTICE.md) rewritten for the customer and months asked for.
//
// How a sample becomes a customer's report:
//
//   - Report_Header: Created is the request time, Institution_Name the
//     customer's Name, Report_Filters Begin_Date/End_Date the first and last
//     day of the requested months. R5.0: Customer_ID is the customer id. R5.1
//     has no Customer_ID (the schema forbids it), so the id is added to
//     Institution_ID as "Proprietary": ["SP:<id>"].
//   - Usage is re-dated, not filtered: the k-th requested month gets the
//     sample's k-th month (R5.1 samples cover 2022-01..2022-12, R5.0 samples
//     2016-01..2016-03; both wrap around). A one-month harvest of any month
//     therefore returns the sample's first month (2022-01 / 2016-01) dated to
//     that month.
//   - Every count is multiplied by the customer's Factor (at least 1), so
//     customers differ and expected totals are the sample's times Factor.
//     Items left without usage are dropped. Expected gives the total.
//
// For R5.1 TR, one month, Total_Item_Requests is 20 586 × Factor (the
// sample's 2022-01); for R5.0 TR it is 12 × Factor (2016-01). The R5.0
// samples TR_B1, TR_B3 and IR_A1 have no usage in 2016-01, so a one-month
// request for them gets an empty report (no exception), which a client
// rightly takes as no usage; ask for three months to get their usage.
package sushitest

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

//go:embed testdata/r51/*.json testdata/r50/*.json
var samples embed.FS

// Releases, as the path and the report header give them.
const (
	R51 = "5.1"
	R50 = "5"
)

// Behaviour is how the server answers a customer's report requests (after
// the request has been validated).
type Behaviour int

const (
	Normal      Behaviour = iota // the report
	NoUsage                      // HTTP 200, Exception 3030, empty Report_Items
	Queued                       // HTTP 202 + Exception 1011, FailTimes times, then the report
	RateLimited                  // HTTP 429 + Retry-After + Exception 1020, FailTimes times, then the report
	ServerError                  // HTTP 500 + Exception 1000, FailTimes times, then the report
)

// Customer is an account on the server.
type Customer struct {
	ID          string
	APIKey      string // when set, api_key must match (401 + 2020 otherwise)
	RequestorID string // when set, requestor_id must match (401 + 2000 otherwise)
	Name        string // Institution_Name; default "Sample Institution <ID>"
	Behaviour   Behaviour
	Factor      int // counts are multiplied by this; below 1 means 1
	// FailTimes is how many requests for the same report and dates fail
	// (Queued, RateLimited, ServerError) before the report is served; 0
	// means the server's default (2), below 0 means they always fail.
	FailTimes int
	// RawBody, when set, is served verbatim (with RawStatus, default 200)
	// for every valid report request: for vendor quirk files.
	RawBody   []byte
	RawStatus int
}

// Request is one request the server received.
type Request struct {
	Method   string
	Path     string
	Query    url.Values
	Header   http.Header
	Status   int
	Customer string // customer_id as sent
	At       time.Time
}

// Server is a running test SUSHI server.
type Server struct {
	ts         *httptest.Server
	failTimes  int
	retryAfter time.Duration
	now        func() time.Time

	mu        sync.Mutex
	customers map[string]Customer
	attempts  map[string]int
	requests  []Request
}

// Option configures a Server.
type Option func(*Server)

// WithFailTimes sets the default Customer.FailTimes (2 unless set).
func WithFailTimes(n int) Option { return func(s *Server) { s.failTimes = n } }

// WithRetryAfter sets the wait the server asks for (default 30 s): the
// Retry-After header of 429 answers and the "retry after N seconds" in the
// Data of 1011 and 1020 exceptions.
func WithRetryAfter(d time.Duration) Option { return func(s *Server) { s.retryAfter = d } }

// WithClock sets the clock used for Report_Header.Created.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithCustomer adds a customer at start.
func WithCustomer(c Customer) Option { return func(s *Server) { s.customers[c.ID] = c } }

// New starts a server; it is closed when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{
		failTimes:  2,
		retryAfter: 30 * time.Second,
		now:        time.Now,
		customers:  map[string]Customer{},
		attempts:   map[string]int{},
	}
	for _, o := range opts {
		o(s)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /r51/reports/{id}", s.report(R51))
	mux.HandleFunc("GET /reports/{id}", s.report(R50))
	mux.HandleFunc("GET /r51/status", s.status)
	mux.HandleFunc("GET /status", s.status)
	mux.HandleFunc("GET /r51/reports", s.list(R51))
	mux.HandleFunc("GET /reports", s.list(R50))
	s.ts = httptest.NewServer(s.record(mux))
	t.Cleanup(s.ts.Close)
	return s
}

// AddCustomer adds (or replaces) a customer.
func (s *Server) AddCustomer(id, apiKey string, b Behaviour, factor int) {
	s.Add(Customer{ID: id, APIKey: apiKey, Behaviour: b, Factor: factor})
}

// Add adds (or replaces) a customer and forgets its failed attempts.
func (s *Server) Add(c Customer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.customers[c.ID] = c
	for k := range s.attempts {
		if strings.HasPrefix(k, c.ID+"\x00") {
			delete(s.attempts, k)
		}
	}
}

// URL is the server's root.
func (s *Server) URL() string { return s.ts.URL }

// URL51 is the R5.1 base URL (ending in /r51; reports at URL51()+"/reports/tr").
func (s *Server) URL51() string { return s.ts.URL + "/r51" }

// URL50 is the R5.0 base URL (reports at URL50()+"/reports/tr").
func (s *Server) URL50() string { return s.ts.URL }

// Close stops the server early; New closes it at the end of the test anyway.
func (s *Server) Close() { s.ts.Close() }

// Requests returns a copy of the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Expected is the sum of metric over the report the server serves to
// customerID for release (R51 or R50), report and months from..to
// ("2024-03"), computed from the same rewrite.
func (s *Server) Expected(release, reportID, customerID, metric, from, to string) (int64, error) {
	s.mu.Lock()
	c, ok := s.customers[customerID]
	s.mu.Unlock()
	if !ok {
		return 0, fmt.Errorf("sushitest: unknown customer %q", customerID)
	}
	months, err := monthRange(from, to)
	if err != nil {
		return 0, err
	}
	body, err := build(release, strings.ToUpper(reportID), c, months, false, s.now())
	if err != nil {
		return 0, err
	}
	return SumMetric(body, metric)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (s *Server) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		s.mu.Lock()
		defer s.mu.Unlock()
		s.requests = append(s.requests, Request{
			Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(),
			Status: sw.status, Customer: r.URL.Query().Get("customer_id"), At: time.Now(),
		})
	})
}

// exception writes a bare Exception object, as the spec prescribes for
// error answers (R5.0 adds Severity, which R5.1 dropped).
func exception(w http.ResponseWriter, release string, status, code int, severity, msg, data string) {
	e := map[string]any{"Code": code, "Message": msg}
	if data != "" {
		e["Data"] = data
	}
	if release == R50 {
		e["Severity"] = severity
	}
	writeJSON(w, status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (s *Server) report(release string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		cid := q.Get("customer_id")
		if cid == "" {
			exception(w, release, http.StatusBadRequest, 1030, "Fatal", "Insufficient Information to Process Request", "customer_id is missing")
			return
		}
		s.mu.Lock()
		c, ok := s.customers[cid]
		s.mu.Unlock()
		switch {
		case !ok:
			exception(w, release, http.StatusForbidden, 2010, "Error", "Requestor is Not Authorized to Access Usage for Institution", "customer_id "+cid+" is not known")
			return
		case c.RequestorID != "" && q.Get("requestor_id") != c.RequestorID:
			exception(w, release, http.StatusUnauthorized, 2000, "Error", "Requestor Not Authorized to Access Service", "")
			return
		case c.APIKey != "" && q.Get("api_key") != c.APIKey:
			exception(w, release, http.StatusUnauthorized, 2020, "Error", "APIKey Invalid", "")
			return
		}
		id := strings.ToUpper(r.PathValue("id"))
		if _, err := samples.Open(sampleFile(release, id)); err != nil {
			exception(w, release, http.StatusNotFound, 3000, "Error", "Report Not Supported", "report "+r.PathValue("id")+" is not supported")
			return
		}
		begin, end := q.Get("begin_date"), q.Get("end_date")
		if begin == "" || end == "" {
			exception(w, release, http.StatusBadRequest, 1030, "Fatal", "Insufficient Information to Process Request", "begin_date and end_date are required")
			return
		}
		months, err := monthRange(begin, end)
		if err != nil {
			exception(w, release, http.StatusBadRequest, 3020, "Error", "Invalid Date Arguments", err.Error())
			return
		}
		if c.RawBody != nil {
			st := c.RawStatus
			if st == 0 {
				st = http.StatusOK
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(st)
			_, _ = w.Write(c.RawBody)
			return
		}
		if c.Behaviour == Queued || c.Behaviour == RateLimited || c.Behaviour == ServerError {
			n := c.FailTimes
			if n == 0 {
				n = s.failTimes
			}
			key := strings.Join([]string{cid, release, id, months[0].Format("2006-01"), months[len(months)-1].Format("2006-01")}, "\x00")
			s.mu.Lock()
			s.attempts[key]++
			k := s.attempts[key]
			s.mu.Unlock()
			if n < 0 || k <= n {
				secs := int(s.retryAfter / time.Second)
				data := fmt.Sprintf("Retry after %d seconds", secs)
				switch c.Behaviour {
				case Queued:
					exception(w, release, http.StatusAccepted, 1011, "Warning", "Report Queued for Processing", data)
				case RateLimited:
					w.Header().Set("Retry-After", strconv.Itoa(secs))
					exception(w, release, http.StatusTooManyRequests, 1020, "Error", "Client has made too many requests", data)
				default:
					exception(w, release, http.StatusInternalServerError, 1000, "Fatal", "Service Not Available", "")
				}
				return
			}
		}
		body, err := build(release, id, c, months, c.Behaviour == NoUsage, s.now())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(body)
	}
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, []map[string]any{{
		"Description":    "Samla test SUSHI server (COUNTER sample reports)",
		"Service_Active": true,
	}})
}

func (s *Server) list(release string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var out []map[string]any
		prefix := ""
		if release == R51 {
			prefix = "/r51"
		}
		for _, id := range reportIDs {
			b, err := samples.ReadFile(sampleFile(release, id))
			if err != nil {
				continue
			}
			var doc struct{ Report_Header struct{ Report_Name string } }
			_ = json.Unmarshal(b, &doc)
			out = append(out, map[string]any{
				"Report_ID": id, "Report_Name": doc.Report_Header.Report_Name, "Release": release,
				"Report_Description": doc.Report_Header.Report_Name, "Path": prefix + "/reports/" + strings.ToLower(id),
			})
		}
		writeJSON(w, http.StatusOK, out)
	}
}

var reportIDs = []string{"PR", "PR_P1", "DR", "DR_D1", "DR_D2", "TR", "TR_B1", "TR_B2", "TR_B3",
	"TR_J1", "TR_J2", "TR_J3", "TR_J4", "IR", "IR_A1", "IR_M1"}
