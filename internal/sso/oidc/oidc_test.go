package oidc_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/sso"
	"github.com/samla-org/samla/internal/sso/oidc"
	"github.com/samla-org/samla/internal/sso/oidc/oidctest"
)

func TestSignIn(t *testing.T) {
	for _, tc := range []struct {
		name            string
		claimsInIDToken bool
	}{
		{"claims from userinfo", false},
		{"claims in ID token", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t, func(o *oidctest.Options) { o.ClaimsInIDToken = tc.claimsInIDToken })
			resp, cb := e.signIn("/cases/42?tab=notes")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("callback status %d, failures %v", resp.StatusCode, e.fin.failed)
			}
			if !strings.HasPrefix(cb.String(), e.callbackURL()+"?") {
				t.Fatalf("flow ended at %s, want the callback", cb)
			}
			want := sso.Identity{Provider: "test", Subject: kari.Subject, Email: kari.Email, EmailVerified: true, Name: kari.Name}
			if len(e.fin.signedIn) != 1 || e.fin.signedIn[0] != want {
				t.Fatalf("signed in %+v, want %+v", e.fin.signedIn, want)
			}
			if e.fin.nexts[0] != "/cases/42?tab=notes" {
				t.Errorf("next = %q", e.fin.nexts[0])
			}
			if len(e.fin.failed) != 0 {
				t.Errorf("failures: %v", e.fin.failed)
			}
			if cs := e.jar.Cookies(cb); len(cs) != 0 {
				t.Errorf("flow cookie left behind: %v", cs)
			}
		})
	}
}

func TestEmailNotVerified(t *testing.T) {
	per := kari
	per.Subject, per.Email, per.EmailVerified = "u-per", "per@example.org", false
	e := setup(t, func(o *oidctest.Options) { o.Users = append(o.Users, per) })
	resp, err := e.idp.Login(e.c, e.loginPage(e.authorize("/")), per.Email, per.Password)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(e.fin.signedIn) != 1 || e.fin.signedIn[0].EmailVerified || e.fin.signedIn[0].Email != per.Email {
		t.Fatalf("signed in %+v, want %s unverified", e.fin.signedIn, per.Email)
	}
}

func TestNextSanitised(t *testing.T) {
	e := setup(t)
	e.signIn("//evil.example")
	if len(e.fin.nexts) != 1 || e.fin.nexts[0] != "/" {
		t.Fatalf("nexts = %q, want [/]", e.fin.nexts)
	}
}

func TestTamperedSignature(t *testing.T) {
	e := setup(t)
	e.setRewrite(func(tok string) string {
		parts := strings.Split(tok, ".")
		sig, err := base64.RawURLEncoding.DecodeString(parts[2])
		if err != nil {
			return "broken"
		}
		sig[len(sig)/2] ^= 0x01
		parts[2] = base64.RawURLEncoding.EncodeToString(sig)
		return strings.Join(parts, ".")
	})
	e.signIn("/")
	e.wantFailure(oidc.ErrToken, "signature")
}

func TestWrongAudience(t *testing.T) {
	e := setup(t)
	auth := e.authorize("/")
	// A genuine token from the same provider, with our nonce even, but
	// issued to another client.
	other := e.idp.IDToken(t, oidctest.OtherClientID, kari.Email, kari.Password, auth.Query().Get("nonce"))
	e.setRewrite(func(string) string { return other })
	e.complete(auth)
	e.wantFailure(oidc.ErrToken, "audience")
}

func TestExpiredIDToken(t *testing.T) {
	// Tokens that expired two minutes ago, well past the allowed skew.
	e := setup(t, func(o *oidctest.Options) { o.IDTokenLifetime = -2 * time.Minute })
	e.signIn("/")
	e.wantFailure(oidc.ErrToken, "expired")
}

func TestNonceMismatch(t *testing.T) {
	e := setup(t)
	auth := e.authorize("/")
	// Someone rewrites the authorization request on its way: the provider
	// then signs a token for a nonce this browser never got.
	q := auth.Query()
	q.Set("nonce", "planted-nonce")
	auth.RawQuery = q.Encode()
	e.complete(auth)
	e.wantFailure(oidc.ErrNonce, "")
}

func TestState(t *testing.T) {
	get := func(t *testing.T, e *env, u string) {
		t.Helper()
		resp, err := e.c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("status %d, want the Finisher's 403", resp.StatusCode)
		}
	}
	t.Run("missing", func(t *testing.T) {
		e := setup(t)
		e.authorize("/")
		get(t, e, e.callbackURL()+"?code=abc")
		e.wantFailure(oidc.ErrState, "")
	})
	t.Run("wrong", func(t *testing.T) {
		e := setup(t)
		e.authorize("/")
		get(t, e, e.callbackURL()+"?code=abc&state="+strings.Repeat("A", 43))
		e.wantFailure(oidc.ErrState, "")
	})
	t.Run("right state, forged cookie", func(t *testing.T) {
		e := setup(t)
		state := e.authorize("/").Query().Get("state")
		cb, _ := url.Parse(e.callbackURL())
		e.jar.SetCookies(cb, []*http.Cookie{{Name: "samla_oidc_" + state, Value: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", Path: cb.Path}})
		get(t, e, e.callbackURL()+"?code=abc&state="+url.QueryEscape(state))
		e.wantFailure(oidc.ErrState, "")
	})
	t.Run("other browser", func(t *testing.T) {
		// Login CSRF: the attacker's callback URL opened in the victim's
		// browser, which has no flow cookie for that state.
		e := setup(t)
		auth := e.authorize("/")
		victimJar, _ := cookiejar.New(nil)
		victim := &http.Client{Jar: victimJar}
		attacker := &http.Client{Jar: e.jar, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
			if strings.HasPrefix(r.URL.String(), e.callbackURL()) {
				return http.ErrUseLastResponse
			}
			return nil
		}}
		resp, err := e.idp.Login(attacker, e.loginPage(auth), kari.Email, kari.Password)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, err := resp.Location()
		if err != nil {
			t.Fatalf("no redirect to the callback: %v", err)
		}
		resp, err = victim.Get(loc.String())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		e.wantFailure(oidc.ErrState, "")
	})
}

func TestReplayedCallback(t *testing.T) {
	e := setup(t)
	auth := e.authorize("/")
	cb, _ := url.Parse(e.callbackURL())
	old := e.jar.Cookies(cb)
	if len(old) != 1 {
		t.Fatalf("want one flow cookie, have %v", old)
	}
	resp := e.complete(auth)
	if in, failed := e.fin.counts(); in != 1 || failed != 0 {
		t.Fatalf("first callback: %d sign-ins, %d failures (%v)", in, failed, e.fin.failed)
	}
	// The same URL again, and the browser still sends the old cookie.
	req, _ := http.NewRequest(http.MethodGet, resp.Request.URL.String(), nil)
	req.AddCookie(old[0])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if in, failed := e.fin.counts(); in != 1 || failed != 1 {
		t.Fatalf("after replay: %d sign-ins, %d failures", in, failed)
	}
	if err := e.fin.failed[0]; !errors.Is(err, oidc.ErrReplay) {
		t.Fatalf("err = %v, want ErrReplay", err)
	}
}

func TestDenied(t *testing.T) {
	e := setup(t)
	resp, err := e.idp.Deny(e.c, e.loginPage(e.authorize("/")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !strings.Contains(resp.Request.URL.RawQuery, "error=access_denied") {
		t.Fatalf("provider sent the browser to %s, want error=access_denied", resp.Request.URL)
	}
	err = e.fin.onlyFailure(t)
	if !errors.Is(err, oidc.ErrDenied) {
		t.Fatalf("err = %v, want ErrDenied", err)
	}
	if strings.Contains(err.Error(), "cancelled") {
		t.Errorf("provider's description leaked into the user-facing error: %v", err)
	}
}

func TestWrongPasswordStaysAtProvider(t *testing.T) {
	e := setup(t)
	resp, err := e.idp.Login(e.c, e.loginPage(e.authorize("/")), kari.Email, "wrong")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("status %d, want 401 from the provider's form", resp.StatusCode)
	}
	if in, failed := e.fin.counts(); in+failed != 0 {
		t.Errorf("the relying party was called: %d sign-ins, %d failures", in, failed)
	}
}

func TestNewFailsClearly(t *testing.T) {
	e := setup(t)
	good := oidc.Config{Key: "x", Issuer: e.idp.Issuer, ClientID: "samla", BaseURL: "https://samla.example", CookieKey: make([]byte, 32)}
	for _, tc := range []struct {
		name   string
		change func(*oidc.Config)
		want   string
	}{
		{"unreachable issuer", func(c *oidc.Config) { c.Issuer = "http://127.0.0.1:1" }, "discovery"},
		{"issuer mismatch", func(c *oidc.Config) { c.Issuer = e.idp.Issuer + "/" }, "discovery"},
		{"short cookie key", func(c *oidc.Config) { c.CookieKey = make([]byte, 16) }, "32 bytes"},
		{"bad key", func(c *oidc.Config) { c.Key = "Fei de" }, "key"},
		{"relative base URL", func(c *oidc.Config) { c.BaseURL = "/samla" }, "base URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good
			tc.change(&cfg)
			_, err := oidc.New(context.Background(), cfg, e.fin)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
	if _, err := oidc.New(context.Background(), good, e.fin); err != nil {
		t.Fatalf("good config: %v", err)
	}
}

func TestLoginPath(t *testing.T) {
	e := setup(t)
	if e.p.Key() != "test" || e.p.Label() != "Test IdP" {
		t.Errorf("Key, Label = %q, %q", e.p.Key(), e.p.Label())
	}
	for next, want := range map[string]string{
		"":                "/sso/oidc/test/login",
		"/":               "/sso/oidc/test/login",
		"/a b?c=d":        "/sso/oidc/test/login?next=%2Fa+b%3Fc%3Dd",
		"https://evil.ex": "/sso/oidc/test/login",
	} {
		if got := e.p.LoginPath(next); got != want {
			t.Errorf("LoginPath(%q) = %q, want %q", next, got, want)
		}
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/cases/1?x=2#h":       "/cases/1?x=2#h",
		"/":                    "/",
		"":                     "/",
		"//evil.example":       "/",
		"/\\evil.example":      "/",
		"https://evil.example": "/",
		"javascript:alert(1)":  "/",
		"cases":                "/",
		"/a\nb":                "/",
	} {
		if got := oidc.LocalPath(in); got != want {
			t.Errorf("LocalPath(%q) = %q, want %q", in, got, want)
		}
	}
}
