// Package sso signs staff and library contacts in through an identity
// provider (OpenID Connect or SAML 2.0) and maps who the provider vouches
// for to a Samla user. The protocol sides live in sso/oidc and sso/saml;
// this package owns the mapping and the domains allowed to create users.
package sso

import "net/http"

// Identity is who an identity provider says has signed in.
type Identity struct {
	// Provider is the configured provider's key, e.g. "feide" or "saml".
	Provider string
	// Subject is the provider's stable identifier (OIDC sub, SAML NameID).
	Subject string
	// Email is the address the provider asserts; EmailVerified says
	// whether it vouches for it (SAML federations always do).
	Email         string
	EmailVerified bool
	Name          string
}

// Finisher ends a provider's round trip. The protocol packages call it and
// nothing else, so they know nothing about users or sessions.
type Finisher interface {
	// SignedIn maps the identity to a user, starts a session and redirects
	// to next (a local path, already checked by the caller or not).
	SignedIn(w http.ResponseWriter, r *http.Request, id Identity, next string)
	// Failed shows the login page with why the sign-in was refused. err
	// wraps one of the Err… values of the protocol package.
	Failed(w http.ResponseWriter, r *http.Request, err error)
}
