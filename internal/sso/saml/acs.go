package saml

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	crewsaml "github.com/crewjam/saml"

	"github.com/samla-org/samla/internal/sso"
)

// maxResponse bounds the ACS POST body; a signed, encrypted response with
// certificates is tens of kilobytes.
const maxResponse = 1 << 20

// acs consumes the IdP's HTTP-POST answer: POST /sso/saml/acs.
func (p *Provider) acs(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxResponse)
	if err := r.ParseForm(); err != nil {
		p.fail(w, r, fmt.Errorf("%w: read form: %v", ErrResponse, err))
		return
	}
	// The pending sign-in is consumed whatever happens next: a RelayState
	// is good for one response only.
	pend, ok := p.relay.take(p.now(), r.PostForm.Get("RelayState"))
	if !ok {
		p.fail(w, r, fmt.Errorf("%w: unknown, used or expired RelayState", ErrRequest))
		return
	}
	if r.Form.Get("SAMLart") != "" || r.PostForm.Get("SAMLResponse") == "" {
		// Artifact resolution would make Samla call out on the request's
		// behalf; the metadata offers HTTP-POST only.
		p.fail(w, r, fmt.Errorf("%w: no SAMLResponse in the POST", ErrResponse))
		return
	}
	assertion, err := p.sp.ParseResponse(r, []string{pend.requestID})
	if err != nil {
		p.fail(w, r, p.classify(r, err))
		return
	}
	id, err := identityOf(assertion)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if assertion.ID == "" || !p.replay.use(p.now(), assertion.ID, usableUntil(assertion)) {
		p.fail(w, r, fmt.Errorf("%w: assertion %q", ErrReplay, assertion.ID))
		return
	}
	p.fin.SignedIn(w, r, id, pend.next)
}

// classify maps crewjam's error to a sentinel, logging its private detail.
func (p *Provider) classify(r *http.Request, err error) error {
	var ivr *crewsaml.InvalidResponseError
	if !errors.As(err, &ivr) {
		p.log.WarnContext(r.Context(), "saml: response refused", "err", err)
		return fmt.Errorf("%w: %v", ErrResponse, err)
	}
	p.log.WarnContext(r.Context(), "saml: response refused", "err", ivr.PrivateErr, "now", ivr.Now)
	var status crewsaml.ErrBadStatus
	switch {
	case errors.Is(ivr.PrivateErr, errInResponseTo):
		return fmt.Errorf("%w: response answers another request", ErrRequest)
	case errors.As(ivr.PrivateErr, &status):
		// The status is the IdP's public verdict (e.g. AuthnFailed).
		return fmt.Errorf("%w: IdP status %s", ErrResponse, status.Status)
	}
	return fmt.Errorf("%w: %v", ErrResponse, ivr)
}

func (p *Provider) fail(w http.ResponseWriter, r *http.Request, err error) {
	p.log.WarnContext(r.Context(), "saml: sign-in refused", "err", err)
	p.fin.Failed(w, r, err)
}

// usableUntil is the last moment crewjam would still accept the assertion,
// so a replay cannot outlive its memory.
func usableUntil(a *crewsaml.Assertion) time.Time {
	until := a.IssueInstant.Add(crewsaml.MaxIssueDelay)
	later := func(t time.Time) {
		if t.After(until) {
			until = t
		}
	}
	if a.Conditions != nil {
		later(a.Conditions.NotOnOrAfter)
	}
	if a.Subject != nil {
		for _, sc := range a.Subject.SubjectConfirmations {
			if sc.SubjectConfirmationData != nil {
				later(sc.SubjectConfirmationData.NotOnOrAfter)
			}
		}
	}
	return until.Add(crewsaml.MaxClockSkew)
}

// Attribute names, by OID (as federations such as Feide send them) and by
// their LDAP names (as FriendlyName or from simpler IdPs).
var (
	emailAttrs       = []string{"mail", "email", "urn:oid:0.9.2342.19200300.100.1.3"}
	displayNameAttrs = []string{"displayName", "urn:oid:2.16.840.1.113730.3.1.241"}
	cnAttrs          = []string{"cn", "urn:oid:2.5.4.3"}
	givenNameAttrs   = []string{"givenName", "urn:oid:2.5.4.42"}
	surnameAttrs     = []string{"sn", "urn:oid:2.5.4.4"}
)

// identityOf reads who the assertion is about.
func identityOf(a *crewsaml.Assertion) (sso.Identity, error) {
	if a.Subject == nil || a.Subject.NameID == nil || strings.TrimSpace(a.Subject.NameID.Value) == "" {
		return sso.Identity{}, fmt.Errorf("%w: assertion has no NameID", ErrResponse)
	}
	nameID := strings.TrimSpace(a.Subject.NameID.Value)
	id := sso.Identity{Provider: "saml", Subject: nameID, EmailVerified: true}
	id.Email = attr(a, emailAttrs)
	if id.Email == "" && a.Subject.NameID.Format == string(crewsaml.EmailAddressNameIDFormat) {
		id.Email = nameID
	}
	id.Name = attr(a, displayNameAttrs)
	if id.Name == "" {
		id.Name = attr(a, cnAttrs)
	}
	if id.Name == "" {
		id.Name = strings.TrimSpace(attr(a, givenNameAttrs) + " " + attr(a, surnameAttrs))
	}
	return id, nil
}

// attr is the first non-empty value of the first listed attribute present,
// matched on Name or FriendlyName.
func attr(a *crewsaml.Assertion, names []string) string {
	for _, want := range names {
		for _, st := range a.AttributeStatements {
			for _, at := range st.Attributes {
				if !strings.EqualFold(at.Name, want) && !strings.EqualFold(at.FriendlyName, want) {
					continue
				}
				for _, v := range at.Values {
					if s := strings.TrimSpace(v.Value); s != "" {
						return s
					}
				}
			}
		}
	}
	return ""
}
