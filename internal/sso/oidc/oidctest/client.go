package oidctest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// Login fills the login form the way a browser would: loginPage is the
// URL the provider sent the user to (it carries authRequestID). c follows
// the redirects that come back, so with a cookie jar the response is
// whatever the relying party's callback answered.
func (p *IdP) Login(c *http.Client, loginPage *url.URL, email, password string) (*http.Response, error) {
	return p.post(c, loginPage, url.Values{"action": {"login"}, "username": {email}, "password": {password}})
}

// Deny presses the form's Cancel button: the provider redirects to the
// client with error=access_denied.
func (p *IdP) Deny(c *http.Client, loginPage *url.URL) (*http.Response, error) {
	return p.post(c, loginPage, url.Values{"action": {"deny"}})
}

func (p *IdP) post(c *http.Client, loginPage *url.URL, form url.Values) (*http.Response, error) {
	if loginPage.Path != loginPath || !strings.HasPrefix(loginPage.String(), p.Issuer+"/") {
		return nil, fmt.Errorf("oidctest: %s is not this provider's login page", loginPage)
	}
	id := loginPage.Query().Get("authRequestID")
	if id == "" {
		return nil, errors.New("oidctest: login page URL has no authRequestID")
	}
	form.Set("id", id)
	return c.PostForm(p.Issuer+loginPath, form)
}

// IDToken runs a whole authorization code flow as clientID (its first
// redirect URI is never contacted) and returns the ID token the provider
// issued. Tests use it to get genuine tokens to hand to a relying party
// that did not ask for them.
func (p *IdP) IDToken(t testing.TB, clientID, email, password, nonce string) string {
	t.Helper()
	ci, ok := p.clients[clientID]
	if !ok {
		t.Fatalf("oidctest: unknown client %q", clientID)
	}
	redirect := ci.redirectURIs[0]
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), redirect) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	q := url.Values{
		"client_id":     {clientID},
		"redirect_uri":  {redirect},
		"response_type": {"code"},
		"scope":         {"openid email profile"},
		"state":         {"oidctest"},
		"nonce":         {nonce},
	}
	resp, err := c.Get(p.Issuer + "/authorize?" + q.Encode())
	if err != nil {
		t.Fatalf("oidctest: authorize: %v", err)
	}
	resp.Body.Close()
	resp, err = p.Login(c, resp.Request.URL, email, password)
	if err != nil {
		t.Fatalf("oidctest: login: %v", err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("oidctest: login did not redirect to the client (status %d)", resp.StatusCode)
	}
	code := loc.Query().Get("code")
	if code == "" {
		t.Fatalf("oidctest: no code in %s", loc)
	}
	tok, err := http.PostForm(p.Issuer+"/oauth/token", url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {redirect},
		"client_id":     {clientID},
		"client_secret": {ci.secret},
	})
	if err != nil {
		t.Fatalf("oidctest: token: %v", err)
	}
	defer tok.Body.Close()
	body, _ := io.ReadAll(tok.Body)
	var out struct {
		IDToken string `json:"id_token"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.IDToken == "" {
		t.Fatalf("oidctest: token response %d: %s", tok.StatusCode, body)
	}
	return out.IDToken
}
