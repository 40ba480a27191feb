package config

import (
	"fmt"
	"os"
	"strings"
)

// OIDC is one OpenID Connect provider (Feide, Entra ID, Google Workspace …).
type OIDC struct {
	Key          string // SAMLA_OIDC_KEY, default "oidc": the provider's part of /sso/oidc/{key}/callback
	Label        string // SAMLA_OIDC_NAME, the login button, default "OpenID Connect"
	Issuer       string // SAMLA_OIDC_ISSUER
	ClientID     string // SAMLA_OIDC_CLIENT_ID
	ClientSecret string // SAMLA_OIDC_CLIENT_SECRET
}

// SSO is single sign-on, read from the environment only: the client
// secret does not belong on a command line, where ps shows it.
type SSO struct {
	OIDC *OIDC // nil when SAMLA_OIDC_ISSUER is unset
	// SAMLMetadata is the identity provider's metadata, a URL or a file
	// (SAMLA_SAML_IDP_METADATA); empty turns SAML off.
	SAMLMetadata string
	SAMLLabel    string // SAMLA_SAML_NAME, the login button, default "SAML"
}

// SSOFromEnv reads SAMLA_OIDC_* and SAMLA_SAML_*.
func SSOFromEnv() (SSO, error) {
	var c SSO
	if iss := strings.TrimSpace(os.Getenv("SAMLA_OIDC_ISSUER")); iss != "" {
		o := &OIDC{Key: env("SAMLA_OIDC_KEY", "oidc"), Label: env("SAMLA_OIDC_NAME", "OpenID Connect"), Issuer: iss,
			ClientID: os.Getenv("SAMLA_OIDC_CLIENT_ID"), ClientSecret: os.Getenv("SAMLA_OIDC_CLIENT_SECRET")}
		if o.ClientID == "" || o.ClientSecret == "" {
			return c, fmt.Errorf("SAMLA_OIDC_ISSUER is set: SAMLA_OIDC_CLIENT_ID and SAMLA_OIDC_CLIENT_SECRET are needed too")
		}
		c.OIDC = o
	}
	c.SAMLMetadata = strings.TrimSpace(os.Getenv("SAMLA_SAML_IDP_METADATA"))
	c.SAMLLabel = env("SAMLA_SAML_NAME", "SAML")
	return c, nil
}
