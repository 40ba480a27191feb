package saml

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	crewsaml "github.com/crewjam/saml"
)

// SafeNext returns next if it is a local path, else "/". It refuses
// "//host" and "/\host", which browsers treat as other origins.
func SafeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	if strings.ContainsAny(next, "\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

// login starts an SP-initiated sign-in: GET /sso/saml/login?next=/path.
func (p *Provider) login(w http.ResponseWriter, r *http.Request) {
	next := SafeNext(r.URL.Query().Get("next"))
	req, err := p.sp.MakeAuthenticationRequest(
		p.sp.GetSSOBindingLocation(crewsaml.HTTPRedirectBinding),
		crewsaml.HTTPRedirectBinding, crewsaml.HTTPPostBinding)
	if err != nil {
		p.serverError(w, r, "make AuthnRequest", err)
		return
	}
	// URL-safe: crewjam appends RelayState to the query unescaped.
	relayState := base64.RawURLEncoding.EncodeToString(randomBytes(32))
	redirect, err := req.Redirect(relayState, &p.sp)
	if err != nil {
		p.serverError(w, r, "encode AuthnRequest", err)
		return
	}
	now := p.now()
	p.relay.put(now, relayState, pending{requestID: req.ID, next: next, expires: now.Add(relayTTL)})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

func (p *Provider) serverError(w http.ResponseWriter, r *http.Request, what string, err error) {
	p.log.ErrorContext(r.Context(), "saml: "+what, "err", err)
	http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return b
}
