package oidc

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// flow is what the login route remembers for its callback, in a cookie
// sealed with AES-GCM so the browser can neither read the nonce and PKCE
// verifier nor forge a flow.
type flow struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Next     string `json:"x"`
	Created  int64  `json:"t"`
}

// cookieName carries the state so two tabs signing in at once do not
// overwrite each other's flow.
func (p *Provider) cookieName(state string) string {
	return "samla_oidc_" + state
}

func (p *Provider) cookiePath() string {
	return "/sso/oidc/" + p.cfg.Key + "/callback"
}

func (p *Provider) setFlowCookie(w http.ResponseWriter, f flow) error {
	plain, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encode flow: %w", err)
	}
	name := p.cookieName(f.State)
	nonce := make([]byte, p.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return fmt.Errorf("cookie nonce: %w", err)
	}
	// The name is additional data, so a cookie cannot be moved to another
	// state's name (or another provider's: the key is in the AAD too).
	sealed := p.aead.Seal(nonce, nonce, plain, []byte(p.cfg.Key+"|"+name))
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    base64.RawURLEncoding.EncodeToString(sealed),
		Path:     p.cookiePath(),
		MaxAge:   int(flowTTL / time.Second),
		HttpOnly: true,
		Secure:   p.secure,
		// Lax, not Strict: the callback is a top-level GET navigation
		// coming from the identity provider's site.
		SameSite: http.SameSiteLaxMode,
	})
	return nil
}

func (p *Provider) clearFlowCookie(w http.ResponseWriter, state string) {
	http.SetCookie(w, &http.Cookie{
		Name:     p.cookieName(state),
		Value:    "",
		Path:     p.cookiePath(),
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   p.secure,
		SameSite: http.SameSiteLaxMode,
	})
}

var errCookie = errors.New("flow cookie invalid")

func (p *Provider) readFlowCookie(r *http.Request, state string) (flow, error) {
	name := p.cookieName(state)
	c, err := r.Cookie(name)
	if err != nil {
		return flow{}, fmt.Errorf("no flow cookie: %w", err)
	}
	sealed, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || len(sealed) < p.aead.NonceSize() {
		return flow{}, errCookie
	}
	ns := p.aead.NonceSize()
	plain, err := p.aead.Open(nil, sealed[:ns], sealed[ns:], []byte(p.cfg.Key+"|"+name))
	if err != nil {
		return flow{}, errCookie
	}
	var f flow
	if err := json.Unmarshal(plain, &f); err != nil {
		return flow{}, errCookie
	}
	created := time.Unix(f.Created, 0)
	now := p.now()
	if now.Sub(created) > flowTTL || created.After(now.Add(clockSkew)) {
		return flow{}, fmt.Errorf("flow started %s: expired", created.UTC().Format(time.RFC3339))
	}
	return f, nil
}

func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
