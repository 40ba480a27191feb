package saml

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	crewsaml "github.com/crewjam/saml"

	"github.com/samla-org/samla/internal/sso"
)

func TestMetadata(t *testing.T) {
	e := newEnv(t, envOpt{})
	resp, body := e.get(e.base + MetadataPath)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/samlmetadata+xml" {
		t.Fatalf("metadata: %s %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	var md crewsaml.EntityDescriptor
	if err := xml.Unmarshal(body, &md); err != nil {
		t.Fatalf("parse metadata: %v\n%s", err, body)
	}
	if want := e.base + "/sso/saml/metadata"; md.EntityID != want || e.p.EntityID() != want {
		t.Errorf("EntityID %q (provider %q), want %q", md.EntityID, e.p.EntityID(), want)
	}
	if len(md.SPSSODescriptors) != 1 {
		t.Fatalf("%d SPSSODescriptors", len(md.SPSSODescriptors))
	}
	d := md.SPSSODescriptors[0]
	if len(d.AssertionConsumerServices) != 1 ||
		d.AssertionConsumerServices[0].Binding != crewsaml.HTTPPostBinding ||
		d.AssertionConsumerServices[0].Location != e.base+"/sso/saml/acs" {
		t.Errorf("ACS = %+v, want only HTTP-POST at %s/sso/saml/acs", d.AssertionConsumerServices, e.base)
	}
	if d.AuthnRequestsSigned == nil || !*d.AuthnRequestsSigned {
		t.Error("AuthnRequestsSigned not true")
	}
	uses := map[string]bool{}
	for _, kd := range d.KeyDescriptors {
		der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(kd.KeyInfo.X509Data.X509Certificates[0].Data), ""))
		if err != nil {
			t.Fatal(err)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		if !cert.Equal(spKeyPair(t).Leaf) {
			t.Errorf("%s key descriptor carries another certificate", kd.Use)
		}
		uses[kd.Use] = true
	}
	if !uses["signing"] || !uses["encryption"] {
		t.Errorf("key descriptors for %v, want signing and encryption", uses)
	}
}

func TestSignIn(t *testing.T) {
	e := newEnv(t, envOpt{})
	answer := e.signIn("/cases/12?tab=notes", "kari", kari.Password)
	if !strings.Contains(responseXML(t, answer), "EncryptedAssertion") {
		t.Error("IdP did not encrypt the assertion to the SP's key")
	}
	if status := e.acs(answer); status != http.StatusOK {
		t.Fatalf("ACS status %d, err %v, log:\n%s", status, e.fin.lastErr(), e.logs)
	}
	want := sso.Identity{Provider: "saml", Subject: "kari", Email: kari.Email, EmailVerified: true, Name: "Kari Nordmann"}
	if len(e.fin.ids) != 1 || e.fin.ids[0] != want {
		t.Fatalf("identities %+v, want %+v", e.fin.ids, want)
	}
	if e.fin.nexts[0] != "/cases/12?tab=notes" {
		t.Errorf("next %q", e.fin.nexts[0])
	}

	// The IdP remembers the session: the second sign-in goes straight
	// back, and an unsafe next becomes "/".
	page := e.start("//evil.example/")
	answer, ok := parseForm(t, page, "SAMLResponseForm")
	if !ok {
		t.Fatalf("second sign-in showed no auto-post:\n%s", page)
	}
	if status := e.acs(answer); status != http.StatusOK {
		t.Fatalf("second ACS status %d, err %v", status, e.fin.lastErr())
	}
	if len(e.fin.ids) != 2 || e.fin.ids[1] != want || e.fin.nexts[1] != "/" {
		t.Errorf("second sign-in: %+v next %q", e.fin.ids, e.fin.nexts[1])
	}
}

func TestLoginByEmailAndWrongPassword(t *testing.T) {
	e := newEnv(t, envOpt{})
	page := e.start("/")
	login, ok := parseForm(t, page, "login-form")
	if !ok {
		t.Fatalf("no login form:\n%s", page)
	}
	login.values.Set("username", "kari")
	login.values.Set("password", "wrong")
	resp, page := e.post(login.action, login.values)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(page), `id="login-error"`) {
		t.Fatalf("wrong password: %s\n%s", resp.Status, page)
	}
	if _, ok := parseForm(t, page, "SAMLResponseForm"); ok {
		t.Fatal("wrong password produced a SAML response")
	}
	// The re-rendered form still carries the request; e-mail works as
	// user name.
	again, _ := parseForm(t, page, "login-form")
	again.values.Set("username", kari.Email)
	again.values.Set("password", kari.Password)
	_, page = e.post(again.action, again.values)
	answer, ok := parseForm(t, page, "SAMLResponseForm")
	if !ok {
		t.Fatalf("no answer after correct login:\n%s", page)
	}
	if status := e.acs(answer); status != http.StatusOK || e.fin.ids[0].Subject != "kari" {
		t.Fatalf("status %d, ids %+v, err %v", status, e.fin.ids, e.fin.lastErr())
	}
}

func TestLoginRedirectIsSigned(t *testing.T) {
	e := newEnv(t, envOpt{})
	e.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, _ := e.get(e.base + e.p.LoginPath("/x"))
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("login: %s, Cache-Control %q", resp.Status, resp.Header.Get("Cache-Control"))
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != e.idp.URL+"/sso" {
		t.Errorf("redirect to %s, want the IdP's SSO URL", got)
	}
	q := loc.Query()
	if q.Get("RelayState") == "" || q.Get("SigAlg") != rsaSHA256 {
		t.Fatalf("query %v", q)
	}
	// HTTP-Redirect binding: the signature covers the raw query up to &Signature.
	signed, _, _ := strings.Cut(loc.RawQuery, "&Signature=")
	sig, err := base64.StdEncoding.DecodeString(q.Get("Signature"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(signed))
	if err := rsa.VerifyPKCS1v15(spKeyPair(t).Leaf.PublicKey.(*rsa.PublicKey), crypto.SHA256, sum[:], sig); err != nil {
		t.Errorf("AuthnRequest signature: %v", err)
	}
	// The RelayState is remembered server-side with the request and next.
	p, ok := e.p.relay.take(e.p.now(), q.Get("RelayState"))
	if !ok || p.next != "/x" || !strings.HasPrefix(p.requestID, "id-") {
		t.Errorf("pending %+v %v", p, ok)
	}
}

// The IdP's POST is cross-origin; the bypass pattern must let it through
// http.CrossOriginProtection while other POSTs stay blocked.
func TestACSPatternBypassesCrossOriginProtection(t *testing.T) {
	cop := http.NewCrossOriginProtection()
	cop.AddInsecureBypassPattern(ACSPattern)
	h := cop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	for path, want := range map[string]int{ACSPath: http.StatusOK, "/sso/saml/other": http.StatusForbidden} {
		r, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, "https://samla.example"+path, nil)
		r.Header.Set("Sec-Fetch-Site", "cross-site")
		r.Header.Set("Origin", "https://idp.feide.example")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("POST %s: %d, want %d", path, w.Code, want)
		}
	}
}
