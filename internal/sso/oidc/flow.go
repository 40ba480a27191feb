package oidc

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"golang.org/x/oauth2"

	"github.com/samla-org/samla/internal/sso"
)

// login starts the authorization code flow: fresh state, nonce and PKCE
// verifier, sealed in a cookie, then off to the provider.
func (p *Provider) login(w http.ResponseWriter, r *http.Request) {
	state, err1 := randomToken()
	nonce, err2 := randomToken()
	if err := errors.Join(err1, err2); err != nil {
		p.fail(w, r, ErrState, "could not start sign-in", err)
		return
	}
	verifier := oauth2.GenerateVerifier()
	f := flow{
		State:    state,
		Nonce:    nonce,
		Verifier: verifier,
		Next:     LocalPath(r.URL.Query().Get("next")),
		Created:  p.now().Unix(),
	}
	if err := p.setFlowCookie(w, f); err != nil {
		p.fail(w, r, ErrState, "could not start sign-in", err)
		return
	}
	target := p.rp.OAuthConfig().AuthCodeURL(state,
		oauth2.S256ChallengeOption(verifier),
		oauth2.SetAuthURLParam("nonce", nonce),
	)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, target, http.StatusFound)
}

// callback finishes the flow. Order matters: the state is consumed before
// anything is sent to the provider, so a replayed URL never reaches the
// token endpoint.
func (p *Provider) callback(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	q := r.URL.Query()
	state := q.Get("state")
	if !wellFormedState(state) {
		p.fail(w, r, ErrState, "missing or malformed state", nil)
		return
	}
	now := p.now()
	if p.used.has("s:"+state, now) {
		p.fail(w, r, ErrReplay, "state already used", nil)
		return
	}
	f, err := p.readFlowCookie(r, state)
	p.clearFlowCookie(w, state)
	if err != nil {
		p.fail(w, r, ErrState, "no valid flow for this state", err)
		return
	}
	if subtle.ConstantTimeCompare([]byte(f.State), []byte(state)) != 1 {
		p.fail(w, r, ErrState, "state does not match flow", nil)
		return
	}
	if !p.used.add("s:"+state, now) {
		// Two callbacks raced past has(); only the first may go on.
		p.fail(w, r, ErrReplay, "state already used", nil)
		return
	}
	if code := q.Get("error"); code != "" {
		p.fail(w, r, ErrDenied, "provider answered "+safeCode(code),
			fmt.Errorf("error=%q description=%q", code, q.Get("error_description")))
		return
	}
	code := q.Get("code")
	if code == "" {
		p.fail(w, r, ErrExchange, "no code in callback", nil)
		return
	}
	id, err := p.finish(r.Context(), code, f)
	if err != nil {
		p.failErr(w, r, err)
		return
	}
	p.log().InfoContext(r.Context(), "oidc sign-in", "subject", id.Subject, "email", id.Email)
	p.fin.SignedIn(w, r, id, LocalPath(f.Next))
}

// finish exchanges the code, verifies the ID token and reads the identity.
func (p *Provider) finish(ctx context.Context, code string, f flow) (sso.Identity, error) {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, p.cfg.HTTPClient)
	tok, err := p.rp.OAuthConfig().Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return sso.Identity{}, &failure{ErrExchange, "token endpoint refused the code", err}
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return sso.Identity{}, &failure{ErrToken, "no ID token in token response", nil}
	}
	claims, err := p.verifyIDToken(ctx, raw, tok.AccessToken, f.Nonce)
	if err != nil {
		return sso.Identity{}, err
	}
	if !p.used.add("n:"+claims.Nonce, p.now()) {
		return sso.Identity{}, &failure{ErrNonce, "nonce already used", nil}
	}
	id := sso.Identity{
		Provider:      p.cfg.Key,
		Subject:       claims.Subject,
		Email:         claims.Email,
		EmailVerified: bool(claims.EmailVerified),
		Name:          displayName(&claims.UserInfoProfile),
	}
	// Many providers (Feide among them) keep profile and e-mail claims out
	// of the ID token; the userinfo endpoint has them then.
	if (id.Email == "" || id.Name == "") && p.rp.UserinfoEndpoint() != "" && tok.AccessToken != "" {
		info, err := rp.Userinfo[*zoidc.UserInfo](ctx, tok.AccessToken, tok.TokenType, claims.Subject, p.rp)
		if err != nil {
			if errors.Is(err, rp.ErrUserInfoSubNotMatching) {
				return sso.Identity{}, &failure{ErrToken, "userinfo is about another subject", err}
			}
			return sso.Identity{}, &failure{ErrExchange, "userinfo request failed", err}
		}
		if id.Email == "" {
			id.Email = info.Email
			id.EmailVerified = bool(info.EmailVerified)
		}
		if id.Name == "" {
			id.Name = displayName(&info.UserInfoProfile)
		}
	}
	return id, nil
}

func displayName(p *zoidc.UserInfoProfile) string {
	if n := strings.TrimSpace(p.Name); n != "" {
		return n
	}
	return strings.TrimSpace(p.GivenName + " " + p.FamilyName)
}

// failure is an error for the Finisher: a sentinel plus a short reason of
// our own words. detail goes to the log only, since it may quote token
// claims or provider text.
type failure struct {
	sentinel error
	reason   string
	detail   error
}

func (e *failure) Error() string { return e.sentinel.Error() + ": " + e.reason }
func (e *failure) Unwrap() error { return e.sentinel }

func (p *Provider) fail(w http.ResponseWriter, r *http.Request, sentinel error, reason string, detail error) {
	p.failErr(w, r, &failure{sentinel, reason, detail})
}

func (p *Provider) failErr(w http.ResponseWriter, r *http.Request, err error) {
	attrs := []any{"error", err.Error()}
	var f *failure
	if errors.As(err, &f) && f.detail != nil {
		attrs = append(attrs, "detail", f.detail.Error())
	}
	p.log().Log(r.Context(), slog.LevelWarn, "oidc sign-in failed", attrs...)
	p.fin.Failed(w, r, err)
}

// wellFormedState accepts what randomToken makes: it becomes part of a
// cookie name.
func wellFormedState(s string) bool {
	if len(s) != 43 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// safeCode keeps an OAuth error code only if it looks like one, so the
// provider cannot put arbitrary text into what the user sees.
func safeCode(code string) string {
	if len(code) > 64 {
		return "an error"
	}
	for _, c := range code {
		if !(c >= 'a' && c <= 'z' || c == '_') {
			return "an error"
		}
	}
	return code
}
