// Package oidctest runs a real OpenID provider (zitadel/oidc's op package
// over its example in-memory storage) on 127.0.0.1 for tests: discovery,
// JWKS, authorization code flow with PKCE, token and userinfo endpoints,
// and a plain HTML login form a browser or a cookie-jar client can fill.
package oidctest

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// OtherClientID and OtherClientSecret name a second client every IdP
// registers with the same redirect URIs, so a test can get a genuine token
// issued to someone else (wrong audience).
const (
	OtherClientID     = "oidctest-other"
	OtherClientSecret = "oidctest-other-secret"
)

// User is someone who can sign in; the login form takes Email as username.
type User struct {
	Subject, Email, Name, Password string
	EmailVerified                  bool
}

// Options configure an IdP. Zero values: client "samla" with secret
// "samla-secret", ID tokens valid one hour.
type Options struct {
	ClientID, ClientSecret string
	RedirectURIs           []string
	Users                  []User
	// IDTokenLifetime may be negative: the provider then issues ID tokens
	// that have already expired (exp = now + lifetime).
	IDTokenLifetime time.Duration
	// ClaimsInIDToken puts email and profile claims into the ID token
	// itself; by default they come only from the userinfo endpoint, as
	// OpenID Connect Core says when an access token is issued.
	ClaimsInIDToken bool
}

// IdP is a running provider.
type IdP struct {
	// Issuer is the provider's issuer URL, http://127.0.0.1:port.
	Issuer string
	// ClientID and ClientSecret are the main client's, defaults applied.
	ClientID, ClientSecret string

	srv     *httptest.Server
	store   *store
	op      *op.Provider
	clients map[string]clientInfo
}

type clientInfo struct {
	secret       string
	redirectURIs []string
}

// Start runs a provider until the test ends.
func Start(t testing.TB, o Options) *IdP {
	t.Helper()
	if o.ClientID == "" {
		o.ClientID = "samla"
	}
	if o.ClientSecret == "" {
		o.ClientSecret = "samla-secret"
	}
	if o.IDTokenLifetime == 0 {
		o.IDTokenLifetime = time.Hour
	}
	if len(o.RedirectURIs) == 0 {
		o.RedirectURIs = []string{"http://127.0.0.1/callback"}
	}

	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String()

	users := userStore{}
	for _, u := range o.Users {
		first, last, _ := strings.Cut(u.Name, " ")
		users[u.Subject] = &storage.User{
			ID:                u.Subject,
			Username:          u.Email,
			Password:          u.Password,
			FirstName:         first,
			LastName:          last,
			Email:             u.Email,
			EmailVerified:     u.EmailVerified,
			PreferredLanguage: language.Norwegian,
		}
	}
	clients := map[string]clientInfo{
		o.ClientID:    {o.ClientSecret, o.RedirectURIs},
		OtherClientID: {OtherClientSecret, o.RedirectURIs},
	}
	registered := map[string]*storage.Client{}
	for id, c := range clients {
		registered[id] = storage.WebClient(id, c.secret, c.redirectURIs...)
	}
	st := &store{
		Storage:         storage.NewStorageWithClients(users, registered),
		lifetime:        o.IDTokenLifetime,
		claimsInIDToken: o.ClaimsInIDToken,
	}

	var cryptoKey [32]byte
	if _, err := rand.Read(cryptoKey[:]); err != nil {
		t.Fatalf("oidctest: crypto key: %v", err)
	}
	provider, err := op.NewProvider(&op.Config{
		CryptoKey:                cryptoKey,
		CryptoKeyId:              "oidctest",
		DefaultLogoutRedirectURI: "/",
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		SupportedUILocales:       []language.Tag{language.English},
	}, st, op.StaticIssuer(issuer), op.WithAllowInsecure())
	if err != nil {
		t.Fatalf("oidctest: provider: %v", err)
	}

	p := &IdP{
		Issuer:       issuer,
		ClientID:     o.ClientID,
		ClientSecret: o.ClientSecret,
		srv:          srv,
		store:        st,
		op:           provider,
		clients:      clients,
	}
	mux := http.NewServeMux()
	l := &loginUI{store: st, provider: provider, callback: op.AuthCallbackURL(provider)}
	interceptor := op.NewIssuerInterceptor(provider.IssuerFromRequest)
	mux.HandleFunc("GET "+loginPath, l.show)
	mux.Handle("POST "+loginPath, interceptor.HandlerFunc(l.submit))
	mux.Handle("/", provider)
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(srv.Close)
	return p
}

// store adapts the example storage: its clients have a fixed one-hour ID
// token lifetime and never assert userinfo claims in the ID token.
type store struct {
	*storage.Storage
	lifetime        time.Duration
	claimsInIDToken bool
}

func (s *store) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil {
		return nil, err
	}
	return &client{Client: c, lifetime: s.lifetime, claimsInIDToken: s.claimsInIDToken}, nil
}

type client struct {
	op.Client
	lifetime        time.Duration
	claimsInIDToken bool
}

func (c *client) IDTokenLifetime() time.Duration       { return c.lifetime }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return c.claimsInIDToken }

// userStore is storage.UserStore over our users, keyed by subject.
type userStore map[string]*storage.User

func (u userStore) GetUserByID(id string) *storage.User { return u[id] }

func (u userStore) GetUserByUsername(name string) *storage.User {
	for _, user := range u {
		if strings.EqualFold(user.Username, name) {
			return user
		}
	}
	return nil
}

func (u userStore) ExampleClientID() string { return storage.ServiceUserID }
