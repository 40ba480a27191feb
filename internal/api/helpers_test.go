package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/server"
	"github.com/samla-org/samla/internal/server/servertest"
)

// env is the real application served over HTTP on a fresh database.
type env struct {
	t   *testing.T
	srv *httptest.Server
	svc *server.Services
	n   atomic.Int64
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv, s := servertest.Start(t, nil)
	return &env{t: t, srv: srv, svc: s}
}

// token creates a user with the given settings and returns a bearer token for it.
func (e *env) token(n auth.NewUser) string {
	e.t.Helper()
	ctx := context.Background()
	if n.Email == "" {
		n.Email = fmt.Sprintf("%s%d@example.org", n.Role, e.n.Add(1))
	}
	if n.Name == "" {
		n.Name = "User " + n.Email
	}
	n.Password = "long enough password"
	if n.Role == auth.RoleVendor && n.VendorID == nil {
		// A vendor contact belongs to a vendor; one that supplies nothing yet.
		var id int64
		err := e.svc.DB.NewRaw("INSERT INTO vendors (name, created_at, updated_at) VALUES (?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) RETURNING id", n.Email).Scan(ctx, &id)
		if err != nil {
			e.t.Fatalf("create vendor: %v", err)
		}
		n.VendorID = &id
	}
	u, err := e.svc.Users.Create(ctx, auth.System, n)
	if err != nil {
		e.t.Fatalf("create user %s: %v", n.Email, err)
	}
	a, err := e.svc.Users.Actor(ctx, u)
	if err != nil {
		e.t.Fatal(err)
	}
	clear, _, err := e.svc.Users.CreateToken(ctx, a, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	return clear
}

func (e *env) role(r auth.Role) string { return e.token(auth.NewUser{Role: r}) }

type resp struct {
	Status int
	Header http.Header
	Body   []byte
}

// call sends a request to the API. body may be nil, raw CSV bytes ([]byte,
// sent as text/csv) or anything JSON-encodable.
func (e *env) call(token, method, path string, body any) resp {
	e.t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		rd, ctype = bytes.NewReader(b), "text/csv"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd, ctype = bytes.NewReader(j), "application/json"
	}
	var headers []string
	if ctype != "" {
		headers = append(headers, "Content-Type", ctype)
	}
	return e.send(token, method, path, rd, headers...)
}

// send is one request to the API with a token (if any) and extra headers
// (name, value, …), read whole.
func (e *env) send(token, method, path string, body io.Reader, headers ...string) resp {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+"/api/v1"+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp{Status: res.StatusCode, Header: res.Header, Body: b}
}

// must checks the status and decodes the JSON body into v (if not nil).
func (r resp) must(t *testing.T, status int, v any) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body: %s", r.Status, status, r.Body)
	}
	if v != nil {
		if err := json.Unmarshal(r.Body, v); err != nil {
			t.Fatalf("decode %s: %v", r.Body, err)
		}
	}
}

// problem is huma's error body.
type problem struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Errors []struct {
		Message  string `json:"message"`
		Location string `json:"location"`
		Value    any    `json:"value"`
	} `json:"errors"`
}

func (p problem) locations() []string {
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Location)
	}
	return out
}

func (p problem) mentions(s string) bool {
	if strings.Contains(p.Detail, s) {
		return true
	}
	for _, e := range p.Errors {
		if strings.Contains(e.Message, s) {
			return true
		}
	}
	return false
}

type library struct {
	ID                 int64   `json:"id"`
	Name               string  `json:"name"`
	Type               string  `json:"type"`
	Country            string  `json:"country"`
	CountyNumber       string  `json:"county_number"`
	MunicipalityNumber string  `json:"municipality_number"`
	ISIL               *string `json:"isil"`
	OrgNumber          string  `json:"org_number"`
	Population         *int64  `json:"population"`
	Notes              string  `json:"notes"`
	Version            int64   `json:"version"`
}

type saved struct {
	Library library `json:"library"`
}

type listOut struct {
	Items []library `json:"items"`
	Total int       `json:"total"`
}

// create adds a library through the API as the token's user and returns it.
func (e *env) create(token string, in map[string]any) library {
	e.t.Helper()
	var out saved
	e.call(token, "POST", "/libraries", in).must(e.t, http.StatusCreated, &out)
	return out.Library
}

func (e *env) list(token, query string) listOut {
	e.t.Helper()
	var out listOut
	e.call(token, "GET", "/libraries"+query, nil).must(e.t, http.StatusOK, &out)
	return out
}

func (e *env) get(token string, id int64) library {
	e.t.Helper()
	var out struct {
		Library library `json:"library"`
	}
	e.call(token, "GET", fmt.Sprintf("/libraries/%d", id), nil).must(e.t, http.StatusOK, &out)
	return out.Library
}

// osloInput is a valid library in Oslo (county 03).
func osloInput() map[string]any {
	return map[string]any{"name": "Deichman Oslo", "type": "public", "country": "NO", "municipality_number": "0301",
		"org_number": "988077917", "isil": "NO-2030000"}
}

// with returns a copy of m with kv (key, value, key, value…) set.
func with(m map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(m)+len(kv)/2)
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}
