package saml

// The tests in this package are not parallel: the expiry test moves
// crewjam's global clock (crewsaml.TimeNow), which the SP and the
// in-process test IdP both read.

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	crewsaml "github.com/crewjam/saml"
	"golang.org/x/net/html"

	"github.com/samla-org/samla/internal/sso"
	"github.com/samla-org/samla/internal/sso/saml/samltest"
)

var kari = samltest.User{Name: "kari", Email: "kari.nordmann@bibliotek.example.no", Password: "hemmelig-123", DisplayName: "Kari Nordmann"}

// recorder is a Finisher that records what it was told.
type recorder struct {
	mu    sync.Mutex
	ids   []sso.Identity
	nexts []string
	errs  []error
}

func (f *recorder) SignedIn(w http.ResponseWriter, _ *http.Request, id sso.Identity, next string) {
	f.mu.Lock()
	f.ids, f.nexts = append(f.ids, id), append(f.nexts, next)
	f.mu.Unlock()
	io.WriteString(w, "signed in")
}

func (f *recorder) Failed(w http.ResponseWriter, _ *http.Request, err error) {
	f.mu.Lock()
	f.errs = append(f.errs, err)
	f.mu.Unlock()
	http.Error(w, "refused", http.StatusForbidden)
}

func (f *recorder) counts() (int, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.ids), len(f.errs)
}

func (f *recorder) lastErr() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.errs) == 0 {
		return nil
	}
	return f.errs[len(f.errs)-1]
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is a Samla SP and a samltest IdP talking over real HTTP.
type env struct {
	t      *testing.T
	idp    *samltest.IdP
	p      *Provider
	base   string
	fin    *recorder
	logs   *syncBuffer
	client *http.Client
}

type envOpt struct {
	// plain registers the SP at the IdP without its encryption key, so
	// assertions travel unencrypted (and can be tampered with legibly).
	plain bool
}

func newEnv(t *testing.T, o envOpt) *env {
	t.Helper()
	idp := samltest.Start(t, kari)
	srv := httptest.NewUnstartedServer(nil)
	e := &env{t: t, idp: idp, base: "http://" + srv.Listener.Addr().String(), fin: &recorder{}, logs: &syncBuffer{}}
	p, err := New(context.Background(), Config{
		BaseURL:        e.base,
		Label:          "Test (SAML)",
		KeyPair:        spKeyPair(t),
		IDPMetadataURL: idp.MetadataURL,
		Logger:         slog.New(slog.NewTextHandler(e.logs, nil)),
	}, e.fin)
	if err != nil {
		t.Fatal(err)
	}
	e.p = p
	mux := http.NewServeMux()
	p.Register(mux)
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(srv.Close)

	if o.plain {
		md := p.spMetadata()
		for i := range md.SPSSODescriptors {
			var keep []crewsaml.KeyDescriptor
			for _, kd := range md.SPSSODescriptors[i].KeyDescriptors {
				if kd.Use != "encryption" {
					keep = append(keep, kd)
				}
			}
			md.SPSSODescriptors[i].KeyDescriptors = keep
		}
		buf, err := xml.Marshal(md)
		if err != nil {
			t.Fatal(err)
		}
		idp.AddServiceProvider(buf)
	} else {
		idp.AddServiceProviderURL(e.base + MetadataPath)
	}

	jar, _ := cookiejar.New(nil)
	e.client = &http.Client{Jar: jar}
	return e
}

var (
	spKeyOnce sync.Once
	spKey     tls.Certificate
	spKeyErr  error
)

// spKeyPair is made once per test binary: RSA generation is slow under -race.
func spKeyPair(t *testing.T) tls.Certificate {
	t.Helper()
	spKeyOnce.Do(func() {
		dir, err := os.MkdirTemp("", "samla-saml-test")
		if err != nil {
			spKeyErr = err
			return
		}
		defer os.RemoveAll(dir)
		spKey, spKeyErr = LoadOrCreateKeyPair(dir)
	})
	if spKeyErr != nil {
		t.Fatal(spKeyErr)
	}
	return spKey
}

// form is an HTML form as a browser would submit it.
type form struct {
	action string
	values url.Values
}

// parseForm finds the form with the given id in an HTML page.
func parseForm(t *testing.T, page []byte, id string) (form, bool) {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	attr := func(n *html.Node, k string) string {
		for _, a := range n.Attr {
			if a.Key == k {
				return a.Val
			}
		}
		return ""
	}
	var found *html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "form" && attr(n, "id") == id {
			found = n
		}
		for c := n.FirstChild; c != nil && found == nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if found == nil {
		return form{}, false
	}
	f := form{action: attr(found, "action"), values: url.Values{}}
	var inputs func(*html.Node)
	inputs = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "input" && attr(n, "name") != "" {
			f.values.Set(attr(n, "name"), attr(n, "value"))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			inputs(c)
		}
	}
	inputs(found)
	return f, true
}

func (e *env) do(req *http.Request) (*http.Response, []byte) {
	e.t.Helper()
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp, body
}

func (e *env) get(u string) (*http.Response, []byte) {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return e.do(req)
}

func (e *env) post(u string, v url.Values) (*http.Response, []byte) {
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.do(req)
}

// start begins a sign-in at the SP and returns the IdP's page: its login
// form, or (with an IdP session) the auto-posting response form.
func (e *env) start(next string) []byte {
	e.t.Helper()
	resp, body := e.get(e.base + e.p.LoginPath(next))
	if resp.Request.URL.Host == e.base[len("http://"):] {
		e.t.Fatalf("login did not leave the SP: %s", resp.Request.URL)
	}
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("IdP answered %s: %s", resp.Status, body)
	}
	return body
}

// signIn runs a sign-in up to the IdP's answer, which it returns instead
// of posting it to the ACS.
func (e *env) signIn(next, user, password string) form {
	e.t.Helper()
	page := e.start(next)
	if answer, ok := parseForm(e.t, page, "SAMLResponseForm"); ok {
		return answer
	}
	login, ok := parseForm(e.t, page, "login-form")
	if !ok {
		e.t.Fatalf("no login form in %s", page)
	}
	login.values.Set("username", user)
	login.values.Set("password", password)
	resp, page := e.post(login.action, login.values)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("IdP login: %s: %s", resp.Status, page)
	}
	answer, ok := parseForm(e.t, page, "SAMLResponseForm")
	if !ok {
		e.t.Fatalf("no SAMLResponseForm in %s", page)
	}
	if answer.action != e.base+ACSPath {
		e.t.Fatalf("IdP posts to %q, want %q", answer.action, e.base+ACSPath)
	}
	return answer
}

// acs posts the IdP's answer to the SP and returns the status.
func (e *env) acs(f form) int {
	e.t.Helper()
	resp, _ := e.post(f.action, f.values)
	return resp.StatusCode
}

// wantRefused checks that the last ACS post ended in Failed with target.
func (e *env) wantRefused(status int, target error, logged string) {
	e.t.Helper()
	if status != http.StatusForbidden {
		e.t.Errorf("ACS status %d, want 403 from Failed", status)
	}
	if err := e.fin.lastErr(); !errors.Is(err, target) {
		e.t.Fatalf("Failed with %v, want %v", err, target)
	}
	if ids, _ := e.fin.counts(); ids != 0 {
		e.t.Errorf("SignedIn called %d times", ids)
	}
	if logged != "" && !strings.Contains(e.logs.String(), logged) {
		e.t.Errorf("log lacks %q:\n%s", logged, e.logs.String())
	}
}

// responseXML decodes the SAMLResponse of an IdP answer.
func responseXML(t *testing.T, f form) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(f.values.Get("SAMLResponse"))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// withResponse returns a copy of f carrying xml as its SAMLResponse.
func withResponse(f form, xml string) form {
	v := url.Values{}
	for k, vs := range f.values {
		v[k] = append([]string(nil), vs...)
	}
	v.Set("SAMLResponse", base64.StdEncoding.EncodeToString([]byte(xml)))
	return form{action: f.action, values: v}
}

var inResponseToRE = regexp.MustCompile(`InResponseTo="([^"]+)"`)

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func xmlMarshal(v any) ([]byte, error) { return xml.Marshal(v) }
