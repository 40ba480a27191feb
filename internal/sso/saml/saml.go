// Package saml signs people in through a SAML 2.0 identity provider (e.g. a
// federation such as Feide) with Samla as the service provider. It speaks
// the protocol only; who the asserted person is in Samla is decided by the
// sso.Finisher it hands the identity to.
//
// The flow is SP-initiated only: GET /sso/saml/login sends an AuthnRequest
// over HTTP-Redirect, and the IdP answers with an HTTP-POST to
// /sso/saml/acs. Pending requests live in memory, keyed by RelayState, not
// in the session cookie: the ACS POST arrives cross-site, where browsers do
// not send SameSite=Lax cookies.
package saml

import (
	"context"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	crewsaml "github.com/crewjam/saml"

	"github.com/samla-org/samla/internal/sso"
)

// Errors handed to sso.Finisher.Failed, wrapped with detail. They say what
// kind of failure it was; crewjam's diagnostics go to the log only, since
// they can help an attacker shape a forged response.
var (
	// ErrRequest: the response does not answer a sign-in started here, or
	// that sign-in expired or was already used (unknown RelayState,
	// InResponseTo of another request, unsolicited IdP-initiated login).
	ErrRequest = errors.New("saml: no pending sign-in for this response")
	// ErrResponse: the response or its assertion is not valid (signature,
	// issuer, audience, destination, validity window, status, missing
	// NameID).
	ErrResponse = errors.New("saml: invalid response")
	// ErrReplay: the assertion was already used to sign in.
	ErrReplay = errors.New("saml: assertion replayed")
)

// Routes served by Register.
const (
	MetadataPath = "/sso/saml/metadata"
	LoginPathURL = "/sso/saml/login"
	ACSPath      = "/sso/saml/acs"
	// ACSPattern is the ServeMux pattern of the ACS. The IdP's POST to it
	// is cross-origin by design, so the app's http.CrossOriginProtection
	// must exempt it: cop.AddInsecureBypassPattern(saml.ACSPattern).
	// The response's signature, InResponseTo and single-use RelayState
	// take the place of the origin check.
	ACSPattern = "POST " + ACSPath
)

// Config configures the service provider.
type Config struct {
	// BaseURL is Samla's public base URL, e.g. https://samla.example.no.
	// EntityID = BaseURL+"/sso/saml/metadata", ACS = BaseURL+"/sso/saml/acs".
	BaseURL string
	// Label is the login button text, e.g. "Feide (SAML)".
	Label string
	// KeyPair is the SP's RSA signing and decryption key with its
	// certificate (see LoadOrCreateKeyPair).
	KeyPair tls.Certificate
	// IDPMetadata is the IdP's metadata XML; if empty, IDPMetadataURL is
	// fetched in New.
	IDPMetadata    []byte
	IDPMetadataURL string
	// HTTPClient fetches IDPMetadataURL; nil means a client with a timeout.
	HTTPClient *http.Client
	// Logger receives why responses were refused; nil means slog.Default().
	Logger *slog.Logger
}

// Provider is a configured SAML service provider.
type Provider struct {
	sp     crewsaml.ServiceProvider
	label  string
	fin    sso.Finisher
	log    *slog.Logger
	now    func() time.Time
	relay  *relayStore
	replay *replayStore
}

// New builds the service provider, fetching the IdP metadata if only its
// URL is given.
func New(ctx context.Context, cfg Config, fin sso.Finisher) (*Provider, error) {
	if fin == nil {
		return nil, errors.New("saml: nil Finisher")
	}
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("saml: base URL %q is not an absolute http(s) URL", cfg.BaseURL)
	}
	key, ok := cfg.KeyPair.PrivateKey.(*rsa.PrivateKey)
	if !ok {
		// IdPs encrypt assertions with RSA-OAEP to the SP certificate.
		return nil, fmt.Errorf("saml: SP key is %T, want an RSA key", cfg.KeyPair.PrivateKey)
	}
	cert := cfg.KeyPair.Leaf
	if cert == nil {
		if len(cfg.KeyPair.Certificate) == 0 {
			return nil, errors.New("saml: SP key pair has no certificate")
		}
		if cert, err = x509.ParseCertificate(cfg.KeyPair.Certificate[0]); err != nil {
			return nil, fmt.Errorf("saml: parse SP certificate: %w", err)
		}
	}

	idpXML := cfg.IDPMetadata
	if len(idpXML) == 0 {
		if cfg.IDPMetadataURL == "" {
			return nil, errors.New("saml: neither IdP metadata nor its URL configured")
		}
		client := cfg.HTTPClient
		if client == nil {
			client = &http.Client{Timeout: 30 * time.Second}
		}
		if idpXML, err = fetchMetadata(ctx, client, cfg.IDPMetadataURL); err != nil {
			return nil, err
		}
	}
	idp, err := parseIDPMetadata(idpXML)
	if err != nil {
		return nil, err
	}

	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	p := &Provider{
		label:  cfg.Label,
		fin:    fin,
		log:    logger,
		now:    time.Now,
		relay:  newRelayStore(maxPending),
		replay: newReplayStore(),
	}
	metadataURL := *base
	metadataURL.Path += MetadataPath
	acsURL := *base
	acsURL.Path += ACSPath
	p.sp = crewsaml.ServiceProvider{
		EntityID:    metadataURL.String(),
		Key:         key,
		Certificate: cert,
		MetadataURL: metadataURL,
		AcsURL:      acsURL,
		IDPMetadata: idp,
		// Let the IdP pick: federations differ in which formats they
		// release, and asking for one they lack fails the sign-in.
		AuthnNameIDFormat: crewsaml.UnspecifiedNameIDFormat,
		SignatureMethod:   rsaSHA256,
		ValidateRequestID: validateRequestID,
	}
	if p.sp.GetSSOBindingLocation(crewsaml.HTTPRedirectBinding) == "" {
		return nil, fmt.Errorf("saml: IdP %s has no HTTP-Redirect SingleSignOnService", idp.EntityID)
	}
	return p, nil
}

const rsaSHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"

// errInResponseTo marks crewjam's InResponseTo check, so that it can be
// told apart from the other (opaque) validation failures.
var errInResponseTo = errors.New("InResponseTo does not match the pending request")

func validateRequestID(resp crewsaml.Response, possible []string) error {
	for _, id := range possible {
		if resp.InResponseTo == id {
			return nil
		}
	}
	return fmt.Errorf("%w: got %q", errInResponseTo, resp.InResponseTo)
}

// Register adds the SP's routes to mux.
func (p *Provider) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET "+MetadataPath, p.serveMetadata)
	mux.HandleFunc("GET "+LoginPathURL, p.login)
	mux.HandleFunc(ACSPattern, p.acs)
}

// Label is the login button text.
func (p *Provider) Label() string { return p.label }

// LoginPath is the local URL that starts a sign-in returning to next.
func (p *Provider) LoginPath(next string) string {
	return LoginPathURL + "?next=" + url.QueryEscape(SafeNext(next))
}

// EntityID is the SP's entity ID (its metadata URL).
func (p *Provider) EntityID() string { return p.sp.EntityID }
