// Package sushi is a COUNTER_SUSHI (R5.0 and R5.1) client: it asks a report
// provider's SUSHI server for one report, returns the body untouched and
// classifies the answer (report, no usage, queued, refused …) from the HTTP
// status and the COUNTER Exceptions found in the body. It does not parse the
// usage itself.
package sushi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MaxBody is the largest response body read; a full master report of a big
// platform runs to a few hundred MiB.
const MaxBody = 512 << 20

// DefaultUserAgent is sent when Client.UserAgent is empty.
const DefaultUserAgent = "Samla-SUSHI/1.0 (+https://github.com/samla-org/samla)"

// Credentials are what a library was given by the report provider.
type Credentials struct {
	CustomerID  string
	RequestorID string
	APIKey      string
	Platform    string
}

// Client asks SUSHI servers for reports. The zero value is ready to use.
type Client struct {
	// HTTP is the client used; nil means one with a 60 s timeout.
	HTTP *http.Client
	// UserAgent is sent with every request; empty means DefaultUserAgent.
	UserAgent string
	// Params, when set, gives extra query parameters for a report (e.g.
	// attributes_to_show for a master report); the credentials and dates
	// are always set by Fetch and win over these.
	Params func(reportID string) url.Values
}

// Outcome classifies a SUSHI answer.
type Outcome string

// Outcomes. OK and NoUsage carry a report body the caller can import;
// Queued, RateLimited, ServerError and Error are worth asking again later;
// AuthError and BadRequest are not (until someone fixes the credentials or
// the request).
const (
	OK          Outcome = "ok"           // a report with usage (warnings may be in Exceptions)
	NoUsage     Outcome = "no_usage"     // 3030/3031/3032, or a report without items and only 3xxx exceptions
	Queued      Outcome = "queued"       // HTTP 202 or 1011: the report is being prepared, try later
	RateLimited Outcome = "rate_limited" // HTTP 429 or 1020
	AuthError   Outcome = "auth_error"   // HTTP 401/403 or 2xxx
	ServerError Outcome = "server_error" // HTTP 5xx or 1000/1010
	BadRequest  Outcome = "bad_request"  // HTTP 400/404 or 1030 or a 3xxx other than no-usage
	Error       Outcome = "error"        // anything else: no report and nothing to tell what went wrong
)

// Response is a SUSHI server's answer.
type Response struct {
	Body       []byte // exactly as received (after transport decompression)
	Status     int
	Outcome    Outcome
	RetryAfter time.Duration // from Retry-After or the exception's Data; 0 when not given
	Exceptions []Exception
	Message    string // one line for people: the vendor's exception(s) or the HTTP status
}

// Exception is a COUNTER exception. Code and Severity are read leniently:
// servers send codes as strings and severities as numbers.
type Exception struct {
	Code     int
	Severity string
	Message  string
	Data     string
}

func (c *Client) httpClient() *http.Client {
	if c != nil && c.HTTP != nil {
		return c.HTTP
	}
	return defaultHTTP
}

var defaultHTTP = &http.Client{Timeout: 60 * time.Second}

func (c *Client) userAgent() string {
	if c != nil && c.UserAgent != "" {
		return c.UserAgent
	}
	return DefaultUserAgent
}

// Fetch asks baseURL (the part before /reports, e.g.
// "https://sushi.vendor.example/counter/r51") for the report reportID ("TR",
// "DR_D1" …) covering the months from..to ("2024-01"; "2024-01-15" is taken
// as its month). An error is returned only when no HTTP answer was had
// (bad arguments, network, context, a body over MaxBody); every answer,
// including 4xx/5xx, comes back as a Response with its Outcome.
func (c *Client) Fetch(ctx context.Context, baseURL, reportID string, cr Credentials, from, to string) (*Response, error) {
	if reportID == "" || strings.ContainsAny(reportID, "/?#") {
		return nil, fmt.Errorf("sushi: invalid report id %q", reportID)
	}
	if cr.CustomerID == "" {
		return nil, errors.New("sushi: customer_id is required")
	}
	begin, err := monthStart(from)
	if err != nil {
		return nil, fmt.Errorf("sushi: begin month: %w", err)
	}
	end, err := monthStart(to)
	if err != nil {
		return nil, fmt.Errorf("sushi: end month: %w", err)
	}
	if end.Before(begin) {
		return nil, fmt.Errorf("sushi: end month %s is before begin month %s", to, from)
	}
	q := url.Values{}
	if c != nil && c.Params != nil {
		for k, v := range c.Params(reportID) {
			q[k] = v
		}
	}
	setCredentials(q, cr)
	// Full dates rather than yyyy-mm: both are allowed by the spec, but some
	// servers accept only the former.
	q.Set("begin_date", begin.Format(time.DateOnly))
	q.Set("end_date", end.AddDate(0, 1, -1).Format(time.DateOnly))
	return c.get(ctx, baseURL, "/reports/"+strings.ToLower(reportID), q, cr)
}

func setCredentials(q url.Values, cr Credentials) {
	q.Set("customer_id", cr.CustomerID)
	if cr.RequestorID != "" {
		q.Set("requestor_id", cr.RequestorID)
	}
	if cr.APIKey != "" {
		q.Set("api_key", cr.APIKey)
	}
	if cr.Platform != "" {
		q.Set("platform", cr.Platform)
	}
}

func monthStart(s string) (time.Time, error) {
	if len(s) == len("2006-01-02") {
		s = s[:7]
	}
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a month (yyyy-mm)", s)
	}
	return t, nil
}

// get sends one GET and classifies the answer.
func (c *Client) get(ctx context.Context, baseURL, path string, q url.Values, cr Credentials) (*Response, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(baseURL), "/") + path)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("sushi: invalid base URL %q", redact(baseURL, cr))
	}
	// Keep whatever the base URL itself carries in its query (some vendors
	// put a fixed parameter there).
	merged := u.Query()
	for k, v := range q {
		merged[k] = v
	}
	u.RawQuery = merged.Encode()
	shown := redactURL(u)

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("sushi: GET %s: %w", shown, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent())
	resp, err := c.httpClient().Do(req)
	if err != nil {
		// *url.Error repeats the full URL, api_key included.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("sushi: GET %s: %w", shown, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("sushi: GET %s: reading the body: %w", shown, err)
	}
	if len(body) > MaxBody {
		return nil, fmt.Errorf("sushi: GET %s: the body is larger than %d MiB", shown, MaxBody>>20)
	}
	out := classify(resp.StatusCode, resp.Header, body)
	out.Message = redact(out.Message, cr)
	for i := range out.Exceptions {
		out.Exceptions[i].Message = redact(out.Exceptions[i].Message, cr)
		out.Exceptions[i].Data = redact(out.Exceptions[i].Data, cr)
	}
	return out, nil
}

// classify turns an HTTP answer into a Response.
func classify(status int, h http.Header, body []byte) *Response {
	p := probe(body)
	r := &Response{Body: body, Status: status, Exceptions: p.exceptions}
	r.Outcome = outcome(status, p)
	r.RetryAfter = retryAfter(h, r.Outcome, p.exceptions)
	r.Message = message(status, r.Outcome, p)
	return r
}

func outcome(status int, p probed) Outcome {
	has := func(match func(int) bool) bool {
		for _, e := range p.exceptions {
			if match(e.Code) {
				return true
			}
		}
		return false
	}
	is := func(codes ...int) func(int) bool {
		return func(c int) bool {
			for _, x := range codes {
				if c == x {
					return true
				}
			}
			return false
		}
	}
	ok2xx := status >= 200 && status < 300
	switch {
	// Usage wins over any warning that came with it (3032 with data …).
	case status == http.StatusOK && p.hasItems:
		return OK
	case status == http.StatusTooManyRequests || has(is(1020)):
		return RateLimited
	case status == http.StatusAccepted || has(is(1011)):
		return Queued
	case status == http.StatusUnauthorized || status == http.StatusForbidden ||
		has(func(c int) bool { return c >= 2000 && c < 3000 }):
		return AuthError
	case status >= 500 || has(is(1000, 1010)):
		return ServerError
	case status < 500 && has(is(3030, 3031, 3032)):
		return NoUsage
	// An empty report that only carries warnings a server may give with a
	// report (an ignored filter or attribute …) is a report without usage;
	// 3000/3010/3020 (report or dates refused) are not.
	case ok2xx && p.report && !p.hasItems && !has(func(c int) bool { return !(c < 1000 || (c >= 3030 && c <= 3070)) }):
		return NoUsage
	case status == http.StatusBadRequest || status == http.StatusNotFound ||
		has(func(c int) bool { return c == 1030 || (c >= 3000 && c < 4000) }):
		return BadRequest
	}
	return Error
}

// retryAfter reads the Retry-After header (seconds or an HTTP date) or, for
// the outcomes worth waiting on, a duration in an exception's Data
// ("retry after 60 seconds").
func retryAfter(h http.Header, o Outcome, exs []Exception) time.Duration {
	const limit = 24 * time.Hour
	clamp := func(d time.Duration) time.Duration { return max(0, min(d, limit)) }
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			return clamp(time.Duration(n) * time.Second)
		}
		if t, err := http.ParseTime(v); err == nil {
			return clamp(time.Until(t).Round(time.Second))
		}
	}
	if o != Queued && o != RateLimited && o != ServerError {
		return 0
	}
	for _, e := range exs {
		switch e.Code {
		case 1000, 1010, 1011, 1020:
			if d := durationIn(e.Data); d > 0 {
				return clamp(d)
			}
		}
	}
	return 0
}

func message(status int, o Outcome, p probed) string {
	var parts []string
	for _, e := range p.exceptions {
		s := strings.TrimSpace(strconv.Itoa(e.Code) + " " + strings.TrimSpace(e.Message))
		if d := strings.TrimSpace(e.Data); d != "" {
			s += " (" + d + ")"
		}
		parts = append(parts, s)
	}
	msg := strings.Join(parts, "; ")
	if msg == "" {
		switch {
		case o == OK:
			msg = "report received"
		case o == NoUsage:
			msg = "the report has no usage"
		case status == http.StatusOK && !p.report:
			msg = "HTTP 200 without a COUNTER report"
		default:
			msg = strings.TrimSpace(fmt.Sprintf("HTTP %d %s", status, http.StatusText(status)))
		}
	}
	return truncate(strings.Join(strings.Fields(msg), " "), 500)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// redact hides the secrets of cr in s, also URL-encoded (vendors echo the
// request URL in their messages).
func redact(s string, cr Credentials) string {
	for _, v := range []string{cr.APIKey, cr.RequestorID} {
		// Very short values would blank out ordinary words.
		if len(v) < 3 {
			continue
		}
		s = strings.ReplaceAll(s, v, "***")
		if e := url.QueryEscape(v); e != v {
			s = strings.ReplaceAll(s, e, "***")
		}
		if e := url.PathEscape(v); e != v {
			s = strings.ReplaceAll(s, e, "***")
		}
	}
	return s
}

func redactURL(u *url.URL) string {
	c := *u
	q := c.Query()
	for _, k := range []string{"api_key", "requestor_id"} {
		if q.Has(k) {
			q.Set(k, "***")
		}
	}
	c.RawQuery = q.Encode()
	c.User = nil
	return c.String()
}
