package oidc

import (
	"context"
	"crypto/subtle"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
)

// verifyIDToken checks an ID token as OpenID Connect Core 3.1.3.7 asks.
// It is built from the library's checks rather than rp.VerifyIDToken
// because that one narrows the lifetime by its offset instead of allowing
// skew, and reads the wall clock directly.
func (p *Provider) verifyIDToken(ctx context.Context, raw, accessToken, nonce string) (*zoidc.IDTokenClaims, error) {
	claims := new(zoidc.IDTokenClaims)
	payload, err := zoidc.ParseToken(raw, claims)
	if err != nil {
		return nil, &failure{ErrToken, "ID token unreadable", err}
	}
	// The signature first, so every later error is about a genuine token.
	if err := zoidc.CheckSignature(ctx, raw, payload, claims, p.algs, p.keySet); err != nil {
		return nil, &failure{ErrToken, "bad signature", err}
	}
	if err := zoidc.CheckIssuerWithISSVerifier(claims, p.cfg.Issuer, nil); err != nil {
		return nil, &failure{ErrToken, "wrong issuer", err}
	}
	if err := zoidc.CheckAudience(claims, p.cfg.ClientID); err != nil {
		return nil, &failure{ErrToken, "wrong audience", err}
	}
	if err := zoidc.CheckAuthorizedParty(claims, p.cfg.ClientID); err != nil {
		return nil, &failure{ErrToken, "wrong authorized party", err}
	}
	if err := zoidc.CheckSubject(claims); err != nil {
		return nil, &failure{ErrToken, "no subject", err}
	}
	now := p.now()
	if exp := claims.GetExpiration(); exp.IsZero() || !now.Add(-clockSkew).Before(exp) {
		return nil, &failure{ErrToken, "expired", zoidc.ErrExpired}
	}
	if iat := claims.GetIssuedAt(); iat.IsZero() || iat.After(now.Add(clockSkew)) {
		return nil, &failure{ErrToken, "issued in the future or without iat", zoidc.ErrIatInFuture}
	}
	if claims.Nonce == "" || subtle.ConstantTimeCompare([]byte(claims.Nonce), []byte(nonce)) != 1 {
		return nil, &failure{ErrNonce, "nonce does not match this sign-in", zoidc.ErrNonceInvalid}
	}
	if err := rp.VerifyAccessToken(accessToken, claims.GetAccessTokenHash(), claims.GetSignatureAlgorithm()); err != nil {
		return nil, &failure{ErrToken, "at_hash does not match the access token", err}
	}
	return claims, nil
}
