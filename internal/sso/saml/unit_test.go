package saml

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	crewsaml "github.com/crewjam/saml"

	"github.com/samla-org/samla/internal/sso"
	"github.com/samla-org/samla/internal/sso/saml/samltest"
)

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "/",
		"/":                    "/",
		"/cases/12?tab=notes":  "/cases/12?tab=notes",
		"//evil.example/":      "/",
		"/\\evil.example/":     "/",
		"https://evil.example": "/",
		"cases":                "/",
		"/a\r\nLocation: x":    "/",
		"javascript:alert(1)":  "/",
	} {
		if got := SafeNext(in); got != want {
			t.Errorf("SafeNext(%q) = %q, want %q", in, got, want)
		}
	}
	p := &Provider{}
	if got := p.LoginPath("/a b?x=1"); got != "/sso/saml/login?next=%2Fa+b%3Fx%3D1" {
		t.Errorf("LoginPath = %q", got)
	}
	if got := p.LoginPath("//evil"); got != "/sso/saml/login?next=%2F" {
		t.Errorf("LoginPath(//evil) = %q", got)
	}
}

func TestRelayStore(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := newRelayStore(3)
	s.put(t0, "a", pending{requestID: "ra", expires: t0.Add(relayTTL)})
	if _, ok := s.take(t0.Add(relayTTL), "a"); ok {
		t.Error("taken at expiry")
	}
	s.put(t0, "b", pending{requestID: "rb", expires: t0.Add(relayTTL)})
	if p, ok := s.take(t0.Add(relayTTL-time.Second), "b"); !ok || p.requestID != "rb" {
		t.Errorf("take b = %+v %v", p, ok)
	}
	if _, ok := s.take(t0, "b"); ok {
		t.Error("taken twice")
	}
	// Full of live entries: the one closest to expiry gives way.
	for i, k := range []string{"c", "d", "e", "f"} {
		s.put(t0, k, pending{expires: t0.Add(time.Duration(i+1) * time.Minute)})
	}
	if len(s.items) != 3 {
		t.Errorf("%d entries, want 3", len(s.items))
	}
	if _, ok := s.items["c"]; ok {
		t.Error("oldest entry c kept")
	}
	// Expired entries are swept before anything live is dropped.
	s.put(t0.Add(3*time.Minute), "g", pending{expires: t0.Add(time.Hour)})
	if _, ok := s.items["f"]; !ok || len(s.items) != 2 {
		t.Errorf("after sweep: %v", s.items)
	}
}

func TestReplayStore(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := newReplayStore()
	if !s.use(t0, "x", t0.Add(5*time.Minute)) {
		t.Fatal("first use refused")
	}
	if s.use(t0.Add(4*time.Minute), "x", t0.Add(9*time.Minute)) {
		t.Error("replay within validity accepted")
	}
	if !s.use(t0.Add(5*time.Minute), "x", t0.Add(10*time.Minute)) {
		t.Error("use after expiry refused")
	}
	s.use(t0.Add(20*time.Minute), "y", t0.Add(25*time.Minute))
	if _, ok := s.seen["x"]; ok {
		t.Error("expired id not swept")
	}
}

func TestUsableUntil(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	a := &crewsaml.Assertion{
		IssueInstant: t0,
		Conditions:   &crewsaml.Conditions{NotOnOrAfter: t0.Add(time.Hour)},
		Subject: &crewsaml.Subject{SubjectConfirmations: []crewsaml.SubjectConfirmation{
			{SubjectConfirmationData: &crewsaml.SubjectConfirmationData{NotOnOrAfter: t0.Add(2 * time.Hour)}},
		}},
	}
	if got, want := usableUntil(a), t0.Add(2*time.Hour+crewsaml.MaxClockSkew); !got.Equal(want) {
		t.Errorf("usableUntil = %v, want %v", got, want)
	}
}

func TestIdentityOf(t *testing.T) {
	at := func(friendly, name, value string) crewsaml.Attribute {
		return crewsaml.Attribute{FriendlyName: friendly, Name: name, Values: []crewsaml.AttributeValue{{Value: value}}}
	}
	assertion := func(nameID, format string, attrs ...crewsaml.Attribute) *crewsaml.Assertion {
		return &crewsaml.Assertion{
			Subject:             &crewsaml.Subject{NameID: &crewsaml.NameID{Value: nameID, Format: format}},
			AttributeStatements: []crewsaml.AttributeStatement{{Attributes: attrs}},
		}
	}
	tests := []struct {
		name string
		a    *crewsaml.Assertion
		want sso.Identity
	}{
		{"OIDs only", assertion("p1", string(crewsaml.PersistentNameIDFormat),
			at("", "urn:oid:2.5.4.3", "Common Name"),
			at("", "urn:oid:0.9.2342.19200300.100.1.3", "a@b.no"),
			at("", "urn:oid:2.16.840.1.113730.3.1.241", "Display Name")),
			sso.Identity{Provider: "saml", Subject: "p1", Email: "a@b.no", EmailVerified: true, Name: "Display Name"}},
		{"cn before givenName+sn", assertion("p2", "", at("cn", "", "CN"), at("givenName", "", "Ola"), at("sn", "", "Nordmann"), at("", "email", "o@n.no")),
			sso.Identity{Provider: "saml", Subject: "p2", Email: "o@n.no", EmailVerified: true, Name: "CN"}},
		{"givenName+sn", assertion("p3", "", at("", "urn:oid:2.5.4.42", "Ola"), at("", "urn:oid:2.5.4.4", "Nordmann")),
			sso.Identity{Provider: "saml", Subject: "p3", EmailVerified: true, Name: "Ola Nordmann"}},
		{"e-mail NameID", assertion("ola@n.no", string(crewsaml.EmailAddressNameIDFormat)),
			sso.Identity{Provider: "saml", Subject: "ola@n.no", Email: "ola@n.no", EmailVerified: true}},
		{"e-mail-looking transient NameID is no e-mail", assertion("ola@n.no", string(crewsaml.TransientNameIDFormat)),
			sso.Identity{Provider: "saml", Subject: "ola@n.no", EmailVerified: true}},
	}
	for _, tt := range tests {
		got, err := identityOf(tt.a)
		if err != nil || got != tt.want {
			t.Errorf("%s: %+v %v, want %+v", tt.name, got, err, tt.want)
		}
	}
	if _, err := identityOf(assertion(" ", "")); !errors.Is(err, ErrResponse) {
		t.Errorf("empty NameID: %v, want ErrResponse", err)
	}
	if _, err := identityOf(&crewsaml.Assertion{}); !errors.Is(err, ErrResponse) {
		t.Errorf("no Subject: %v, want ErrResponse", err)
	}
}

func TestLoadOrCreateKeyPair(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	kp, err := LoadOrCreateKeyPair(dir)
	if err != nil {
		t.Fatal(err)
	}
	key, ok := kp.PrivateKey.(*rsa.PrivateKey)
	if !ok || key.N.BitLen() != 2048 {
		t.Fatalf("key %T", kp.PrivateKey)
	}
	if years := kp.Leaf.NotAfter.Sub(time.Now()).Hours() / 24 / 365; years < 9.9 || years > 10.1 {
		t.Errorf("certificate valid %.1f years", years)
	}
	for _, f := range []string{CertFile, KeyFile} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", f, st.Mode(), err)
		}
	}
	again, err := LoadOrCreateKeyPair(dir)
	if err != nil || !again.Leaf.Equal(kp.Leaf) {
		t.Fatalf("reload: %v, same cert %v", err, err == nil && again.Leaf.Equal(kp.Leaf))
	}
	if err := os.Remove(filepath.Join(dir, CertFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKeyPair(dir); err == nil {
		t.Error("key without certificate accepted")
	}
	if _, err := os.Stat(filepath.Join(dir, CertFile)); err == nil {
		t.Error("a lone key was paired with a new certificate")
	}
}

func TestNew(t *testing.T) {
	idp := samltest.Start(t)
	fin := &recorder{}
	ok := Config{BaseURL: "https://samla.example/", KeyPair: spKeyPair(t), IDPMetadata: idp.Metadata}
	p, err := New(context.Background(), ok, fin)
	if err != nil {
		t.Fatal(err)
	}
	if p.EntityID() != "https://samla.example/sso/saml/metadata" || p.sp.AcsURL.String() != "https://samla.example/sso/saml/acs" {
		t.Errorf("entity %q acs %q", p.EntityID(), p.sp.AcsURL.String())
	}
	if p.sp.IDPMetadata.EntityID != idp.MetadataURL {
		t.Errorf("IdP entity %q", p.sp.IDPMetadata.EntityID)
	}
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	bad := map[string]func(*Config){
		"relative base":    func(c *Config) { c.BaseURL = "/samla" },
		"no metadata":      func(c *Config) { c.IDPMetadata = nil },
		"garbage metadata": func(c *Config) { c.IDPMetadata = []byte("<html>") },
		"SP metadata":      func(c *Config) { c.IDPMetadata = mustSPMetadata(t, p) },
		"unreachable URL":  func(c *Config) { c.IDPMetadata, c.IDPMetadataURL = nil, "http://127.0.0.1:1/metadata" },
		"ECDSA key":        func(c *Config) { c.KeyPair = tls.Certificate{Certificate: ok.KeyPair.Certificate, PrivateKey: ecKey} },
	}
	for name, mutate := range bad {
		c := ok
		mutate(&c)
		if _, err := New(context.Background(), c, fin); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := New(context.Background(), ok, nil); err == nil {
		t.Error("nil Finisher accepted")
	}
}

func mustSPMetadata(t *testing.T, p *Provider) []byte {
	t.Helper()
	buf, err := xmlMarshal(p.spMetadata())
	if err != nil {
		t.Fatal(err)
	}
	return buf
}
