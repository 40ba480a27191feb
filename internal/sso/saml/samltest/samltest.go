// Package samltest runs a real SAML 2.0 identity provider on an httptest
// server for tests: crewjam's saml.IdentityProvider with in-memory users,
// a login form a browser (chromedp) or a cookie-jar http.Client can fill
// in, and signed (and, if the SP's metadata has an encryption key,
// encrypted) assertions posted back to the SP's ACS.
//
// Routes: GET /metadata, GET|POST /sso (the login form posts back here).
//
// Login form selectors: input#username (name "username"; the user's Name
// or Email), input#password (name "password"), button#login (submit),
// form#login-form. A refused login re-renders the form with status 401 and
// p#login-error. After a successful login the IdP sets the cookie
// "samltest_idp_session", so later sign-ins skip the form. The answer page
// is crewjam's: form#SAMLResponseForm with hidden SAMLResponse and
// RelayState inputs, auto-submitted by script.
package samltest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/xml"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	crewsaml "github.com/crewjam/saml"
)

// User is someone who can sign in at the test IdP. The NameID sent is Name
// (persistent format); Email goes out as mail, DisplayName as displayName
// and cn.
type User struct{ Name, Email, Password, DisplayName string }

// IdP is a running test identity provider.
type IdP struct {
	// URL is the IdP's base URL (http://127.0.0.1:port).
	URL string
	// MetadataURL is also the IdP's entity ID.
	MetadataURL string
	// Metadata is the IdP's metadata XML.
	Metadata []byte

	t      testing.TB
	server *httptest.Server
	idp    *crewsaml.IdentityProvider

	mu       sync.Mutex
	users    map[string]User // by Name
	sps      map[string]*crewsaml.EntityDescriptor
	sessions map[string]*crewsaml.Session
	modify   func(*crewsaml.Assertion)
}

// Start runs an IdP knowing users until the test ends.
func Start(t testing.TB, users ...User) *IdP {
	t.Helper()
	key, cert := keyPair(t)
	srv := httptest.NewUnstartedServer(nil)
	base, err := url.Parse("http://" + srv.Listener.Addr().String())
	if err != nil {
		t.Fatalf("samltest: %v", err)
	}
	i := &IdP{
		URL:      base.String(),
		t:        t,
		server:   srv,
		users:    make(map[string]User),
		sps:      make(map[string]*crewsaml.EntityDescriptor),
		sessions: make(map[string]*crewsaml.Session),
	}
	for _, u := range users {
		i.AddUser(u)
	}
	i.idp = &crewsaml.IdentityProvider{
		Key:                     key,
		Certificate:             cert,
		Logger:                  log.New(testWriter{t}, "samltest: ", 0),
		MetadataURL:             *base.JoinPath("/metadata"),
		SSOURL:                  *base.JoinPath("/sso"),
		ServiceProviderProvider: i,
		SessionProvider:         i,
		AssertionMaker:          assertionMaker{i},
		SignatureMethod:         "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
	}
	i.MetadataURL = i.idp.MetadataURL.String()
	i.Metadata, err = xml.MarshalIndent(i.idp.Metadata(), "", "  ")
	if err != nil {
		t.Fatalf("samltest: metadata: %v", err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /metadata", i.idp.ServeMetadata)
	mux.HandleFunc("GET /sso", i.idp.ServeSSO)
	mux.HandleFunc("POST /sso", i.idp.ServeSSO)
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(srv.Close)
	return i
}

// AddUser adds or replaces a user.
func (i *IdP) AddUser(u User) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.users[u.Name] = u
}

// AddServiceProvider trusts the SP described by metadata (XML).
func (i *IdP) AddServiceProvider(metadata []byte) {
	i.t.Helper()
	var ed crewsaml.EntityDescriptor
	if err := xml.Unmarshal(metadata, &ed); err != nil {
		i.t.Fatalf("samltest: SP metadata: %v", err)
	}
	if len(ed.SPSSODescriptors) == 0 {
		i.t.Fatalf("samltest: SP metadata %s has no SPSSODescriptor", ed.EntityID)
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	i.sps[ed.EntityID] = &ed
}

// AddServiceProviderURL fetches an SP's metadata and trusts that SP.
func (i *IdP) AddServiceProviderURL(metadataURL string) {
	i.t.Helper()
	resp, err := http.Get(metadataURL)
	if err != nil {
		i.t.Fatalf("samltest: fetch SP metadata: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		i.t.Fatalf("samltest: fetch SP metadata %s: %s %v", metadataURL, resp.Status, err)
	}
	i.AddServiceProvider(body)
}

// ModifyAssertions lets a test change every following assertion before the
// IdP signs it (e.g. another audience); nil stops it.
func (i *IdP) ModifyAssertions(f func(*crewsaml.Assertion)) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.modify = f
}

// ForgetSessions ends all IdP sessions, so the next sign-in shows the form.
func (i *IdP) ForgetSessions() {
	i.mu.Lock()
	defer i.mu.Unlock()
	clear(i.sessions)
}

// GetServiceProvider implements crewsaml.ServiceProviderProvider.
func (i *IdP) GetServiceProvider(_ *http.Request, id string) (*crewsaml.EntityDescriptor, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if ed, ok := i.sps[id]; ok {
		return ed, nil
	}
	return nil, os.ErrNotExist
}

type assertionMaker struct{ i *IdP }

func (m assertionMaker) MakeAssertion(req *crewsaml.IdpAuthnRequest, s *crewsaml.Session) error {
	if err := (crewsaml.DefaultAssertionMaker{}).MakeAssertion(req, s); err != nil {
		return err
	}
	m.i.mu.Lock()
	f := m.i.modify
	m.i.mu.Unlock()
	if f != nil {
		f(req.Assertion)
	}
	return nil
}

var (
	keyOnce sync.Once
	key     *rsa.PrivateKey
	cert    *x509.Certificate
	keyErr  error
)

// keyPair is shared by all IdPs of a test binary: RSA generation is slow
// under -race, and the key protects nothing.
func keyPair(t testing.TB) (*rsa.PrivateKey, *x509.Certificate) {
	keyOnce.Do(func() {
		key, keyErr = rsa.GenerateKey(rand.Reader, 2048)
		if keyErr != nil {
			return
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1),
			Subject:      pkix.Name{CommonName: "samltest IdP"},
			NotBefore:    time.Now().Add(-24 * time.Hour),
			NotAfter:     time.Now().AddDate(1, 0, 0),
			KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		}
		var der []byte
		if der, keyErr = x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key); keyErr != nil {
			return
		}
		cert, keyErr = x509.ParseCertificate(der)
	})
	if keyErr != nil {
		t.Fatalf("samltest: key pair: %v", keyErr)
	}
	return key, cert
}

// testWriter sends crewjam's log lines to the test log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
