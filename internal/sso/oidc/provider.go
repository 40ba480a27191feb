// Package oidc is the relying-party side of OpenID Connect sign-in: the
// authorization code flow with PKCE, state and nonce, ending in an
// sso.Identity handed to an sso.Finisher. It knows nothing about users or
// sessions.
package oidc

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/samla-org/samla/internal/sso"
)

// The sentinels a failed sign-in wraps; the Finisher picks its message by
// errors.Is. The wrapped text never carries token contents or IdP-supplied
// text; the detail goes to the log.
var (
	// ErrState: the state is missing, unknown, expired or does not match
	// the flow cookie (CSRF or a stale tab).
	ErrState = errors.New("oidc: invalid or expired sign-in state")
	// ErrNonce: the ID token's nonce is not the one this flow sent, or was
	// seen before.
	ErrNonce = errors.New("oidc: nonce mismatch")
	// ErrToken: the ID token's signature, issuer, audience, expiry or
	// issued-at is not acceptable, or there is no ID token.
	ErrToken = errors.New("oidc: ID token rejected")
	// ErrDenied: the identity provider answered with ?error=… (the user
	// cancelled, or the provider refused).
	ErrDenied = errors.New("oidc: sign-in refused by the identity provider")
	// ErrReplay: this callback (its state) was already used.
	ErrReplay = errors.New("oidc: sign-in callback replayed")
	// ErrExchange: the code could not be exchanged for tokens, or the
	// userinfo endpoint failed.
	ErrExchange = errors.New("oidc: code exchange failed")
)

const (
	// flowTTL bounds how long a user may spend at the identity provider.
	flowTTL = 10 * time.Minute
	// clockSkew is the leeway for exp and iat between us and the provider.
	clockSkew = 30 * time.Second
	// maxUsed bounds the replay set; see usedSet.
	maxUsed = 100_000
)

var keyPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

// Config is one configured OpenID provider.
type Config struct {
	// Key names the provider in URLs and in sso.Identity.Provider, e.g.
	// "feide": routes are /sso/oidc/{Key}/login and /sso/oidc/{Key}/callback.
	Key string
	// Label is shown on the login button, e.g. "Feide".
	Label        string
	Issuer       string
	ClientID     string
	ClientSecret string
	// BaseURL is Samla's public base URL; the redirect URI is
	// BaseURL + "/sso/oidc/" + Key + "/callback".
	BaseURL string
	// Scopes default to openid email profile; openid is always added.
	Scopes []string
	// CookieKey (32 bytes) encrypts and authenticates the flow cookies.
	CookieKey []byte
	// HTTPClient is used for discovery, token exchange, userinfo and JWKS;
	// nil means a client with a 10 s timeout.
	HTTPClient *http.Client
}

// Provider is a discovered OpenID provider ready to serve its two routes.
type Provider struct {
	cfg         Config
	rp          rp.RelyingParty
	keySet      zoidc.KeySet
	algs        []string
	fin         sso.Finisher
	aead        cipher.AEAD
	used        *usedSet
	secure      bool
	callbackURL string
	now         func() time.Time
}

// New checks cfg and runs OpenID discovery on the issuer, so a wrong or
// unreachable issuer fails at start-up rather than at the first sign-in.
func New(ctx context.Context, cfg Config, fin sso.Finisher) (*Provider, error) {
	if !keyPattern.MatchString(cfg.Key) {
		return nil, fmt.Errorf("oidc provider %q: key must be 1-32 of a-z, 0-9 and -", cfg.Key)
	}
	if cfg.Issuer == "" || cfg.ClientID == "" {
		return nil, fmt.Errorf("oidc provider %q: issuer and client id are required", cfg.Key)
	}
	if fin == nil {
		return nil, fmt.Errorf("oidc provider %q: no finisher", cfg.Key)
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("oidc provider %q: base URL %q must be an absolute http(s) URL", cfg.Key, cfg.BaseURL)
	}
	if len(cfg.CookieKey) != 32 {
		return nil, fmt.Errorf("oidc provider %q: cookie key must be 32 bytes, got %d", cfg.Key, len(cfg.CookieKey))
	}
	block, err := aes.NewCipher(cfg.CookieKey)
	if err != nil {
		return nil, fmt.Errorf("oidc provider %q: cookie key: %w", cfg.Key, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("oidc provider %q: cookie key: %w", cfg.Key, err)
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{zoidc.ScopeOpenID, zoidc.ScopeEmail, zoidc.ScopeProfile}
	} else if !slices.Contains(cfg.Scopes, zoidc.ScopeOpenID) {
		cfg.Scopes = append([]string{zoidc.ScopeOpenID}, cfg.Scopes...)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Label == "" {
		cfg.Label = cfg.Key
	}
	callback := strings.TrimSuffix(cfg.BaseURL, "/") + "/sso/oidc/" + cfg.Key + "/callback"

	relying, err := rp.NewRelyingPartyOIDC(ctx, cfg.Issuer, cfg.ClientID, cfg.ClientSecret, callback, cfg.Scopes,
		rp.WithHTTPClient(cfg.HTTPClient),
		rp.WithSigningAlgsFromDiscovery(),
	)
	if err != nil {
		return nil, fmt.Errorf("oidc provider %q: discovery of issuer %s: %w", cfg.Key, cfg.Issuer, err)
	}
	verifier := relying.IDTokenVerifier()
	return &Provider{
		cfg:         cfg,
		rp:          relying,
		keySet:      verifier.KeySet,
		algs:        verifier.SupportedSignAlgs,
		fin:         fin,
		aead:        aead,
		used:        newUsedSet(maxUsed),
		secure:      base.Scheme == "https",
		callbackURL: callback,
		now:         time.Now,
	}, nil
}

// log is looked up per call so a default logger set after New is used.
func (p *Provider) log() *slog.Logger {
	return slog.Default().With("sso", "oidc", "provider", p.cfg.Key)
}

// Register adds GET /sso/oidc/{Key}/login and GET /sso/oidc/{Key}/callback.
// Both are public: they are how a staff member gets a session.
func (p *Provider) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /sso/oidc/"+p.cfg.Key+"/login", p.login)
	mux.HandleFunc("GET /sso/oidc/"+p.cfg.Key+"/callback", p.callback)
}

// Key is the provider's URL key.
func (p *Provider) Key() string { return p.cfg.Key }

// Label is the provider's name for the login button.
func (p *Provider) Label() string { return p.cfg.Label }

// LoginPath is the local URL that starts a sign-in returning to next.
func (p *Provider) LoginPath(next string) string {
	path := "/sso/oidc/" + p.cfg.Key + "/login"
	if next = LocalPath(next); next != "/" {
		path += "?next=" + url.QueryEscape(next)
	}
	return path
}

// LocalPath returns next if it is a path on this site, else "/". It refuses
// "//host" and "/\host" (browsers treat both as another host) and anything
// with a scheme or control characters.
func LocalPath(next string) string {
	if next == "" || next[0] != '/' || len(next) > 2048 {
		return "/"
	}
	if len(next) > 1 && (next[1] == '/' || next[1] == '\\') {
		return "/"
	}
	for _, c := range next {
		if c < 0x20 || c == 0x7f {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}
