package oidc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/samla-org/samla/internal/sso"
	"github.com/samla-org/samla/internal/sso/oidc"
	"github.com/samla-org/samla/internal/sso/oidc/oidctest"
)

var kari = oidctest.User{
	Subject:       "u-kari",
	Email:         "kari@bibliotek24.no",
	Name:          "Kari Nordmann",
	Password:      "hemmelig-passord",
	EmailVerified: true,
}

// recorder is an sso.Finisher that remembers every call.
type recorder struct {
	mu       sync.Mutex
	signedIn []sso.Identity
	nexts    []string
	failed   []error
}

func (f *recorder) SignedIn(w http.ResponseWriter, r *http.Request, id sso.Identity, next string) {
	f.mu.Lock()
	f.signedIn = append(f.signedIn, id)
	f.nexts = append(f.nexts, next)
	f.mu.Unlock()
	io.WriteString(w, "signed in")
}

func (f *recorder) Failed(w http.ResponseWriter, r *http.Request, err error) {
	f.mu.Lock()
	f.failed = append(f.failed, err)
	f.mu.Unlock()
	http.Error(w, "sign-in failed", http.StatusForbidden)
}

func (f *recorder) counts() (int, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.signedIn), len(f.failed)
}

// onlyFailure is the one failure the test expects, after no sign-in.
func (f *recorder) onlyFailure(t testing.TB) error {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.signedIn) != 0 {
		t.Fatalf("signed in %+v, want a failure", f.signedIn)
	}
	if len(f.failed) != 1 {
		t.Fatalf("got %d failures (%v), want 1", len(f.failed), f.failed)
	}
	return f.failed[0]
}

// wantFailure asserts the one failure wraps sentinel and names reason.
func (e *env) wantFailure(sentinel error, reason string) {
	e.t.Helper()
	err := e.fin.onlyFailure(e.t)
	if !errors.Is(err, sentinel) || !strings.Contains(err.Error(), reason) {
		e.t.Fatalf("err = %v, want %v mentioning %q", err, sentinel, reason)
	}
}

type env struct {
	t       *testing.T
	idp     *oidctest.IdP
	srv     *httptest.Server
	p       *oidc.Provider
	fin     *recorder
	jar     *cookiejar.Jar
	c       *http.Client // a browser: cookie jar, follows redirects
	rewrite atomic.Pointer[func(string) string]
}

// setup runs Samla's two routes on one httptest server and a real
// provider on another, both on 127.0.0.1.
func setup(t *testing.T, opts ...func(*oidctest.Options)) *env {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	o := oidctest.Options{
		RedirectURIs: []string{srv.URL + "/sso/oidc/test/callback"},
		Users:        []oidctest.User{kari},
	}
	for _, f := range opts {
		f(&o)
	}
	e := &env{t: t, idp: oidctest.Start(t, o), srv: srv, fin: &recorder{}}
	// The relying party's own HTTP client goes through a transport that
	// lets a test swap the ID token in the token response, as a network
	// attacker or a mix-up would.
	hc := &http.Client{Transport: &tokenRewriter{
		base:     http.DefaultTransport,
		tokenURL: e.idp.Issuer + "/oauth/token",
		rewrite:  &e.rewrite,
	}}
	p, err := oidc.New(context.Background(), oidc.Config{
		Key:          "test",
		Label:        "Test IdP",
		Issuer:       e.idp.Issuer,
		ClientID:     e.idp.ClientID,
		ClientSecret: e.idp.ClientSecret,
		BaseURL:      srv.URL,
		CookieKey:    bytes.Repeat([]byte{7}, 32),
		HTTPClient:   hc,
	}, e.fin)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	p.Register(mux)
	e.p = p
	e.jar, _ = cookiejar.New(nil)
	e.c = &http.Client{Jar: e.jar}
	return e
}

func (e *env) setRewrite(f func(string) string) { e.rewrite.Store(&f) }

// authorize asks Samla to start a sign-in and returns where it sends the
// browser: the provider's authorization URL.
func (e *env) authorize(next string) *url.URL {
	e.t.Helper()
	c := &http.Client{Jar: e.jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(e.srv.URL + e.p.LoginPath(next))
	if err != nil {
		e.t.Fatalf("login route: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		e.t.Fatalf("login route: status %d, want 302", resp.StatusCode)
	}
	loc, err := resp.Location()
	if err != nil || !strings.HasPrefix(loc.String(), e.idp.Issuer+"/authorize?") {
		e.t.Fatalf("login route redirected to %v (%v), want the provider", loc, err)
	}
	return loc
}

// loginPage follows an authorization URL to the provider's login form.
func (e *env) loginPage(auth *url.URL) *url.URL {
	e.t.Helper()
	resp, err := e.c.Get(auth.String())
	if err != nil {
		e.t.Fatalf("authorize: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`id="username"`)) {
		e.t.Fatalf("authorize: status %d, body %s", resp.StatusCode, body)
	}
	return resp.Request.URL
}

// signIn does the whole round trip as a browser would and returns the
// final response (the Finisher's) and the callback URL it came from.
func (e *env) signIn(next string) (*http.Response, *url.URL) {
	e.t.Helper()
	resp := e.complete(e.authorize(next))
	return resp, resp.Request.URL
}

// complete takes an authorization URL through the provider's login form
// as kari and returns the last response (the callback's, normally).
func (e *env) complete(auth *url.URL) *http.Response {
	e.t.Helper()
	resp, err := e.idp.Login(e.c, e.loginPage(auth), kari.Email, kari.Password)
	if err != nil {
		e.t.Fatalf("login: %v", err)
	}
	resp.Body.Close()
	return resp
}

func (e *env) callbackURL() string { return e.srv.URL + "/sso/oidc/test/callback" }

// tokenRewriter passes the token endpoint's id_token through rewrite.
type tokenRewriter struct {
	base     http.RoundTripper
	tokenURL string
	rewrite  *atomic.Pointer[func(string) string]
}

func (tr *tokenRewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := tr.base.RoundTrip(req)
	f := tr.rewrite.Load()
	if err != nil || f == nil || req.URL.String() != tr.tokenURL || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, err
	}
	if s, ok := m["id_token"].(string); ok {
		m["id_token"] = (*f)(s)
	}
	body, _ = json.Marshal(m)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}
