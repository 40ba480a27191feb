package saml

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// Key pair file names inside the directory given to LoadOrCreateKeyPair.
const (
	CertFile = "saml-sp.crt"
	KeyFile  = "saml-sp.key"
)

// LoadOrCreateKeyPair reads dir/saml-sp.crt and dir/saml-sp.key, or, if
// neither exists, creates a self-signed RSA-2048 pair valid for ten years
// (SAML uses the certificate only to carry the public key, so self-signed
// is normal). Only one of the two files present is an error: replacing
// the other would silently change the key registered at the IdP.
func LoadOrCreateKeyPair(dir string) (tls.Certificate, error) {
	certPath, keyPath := filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	_, certErr := os.Stat(certPath)
	_, keyErr := os.Stat(keyPath)
	switch {
	case certErr == nil && keyErr == nil:
		kp, err := tls.LoadX509KeyPair(certPath, keyPath)
		if err != nil {
			return tls.Certificate{}, fmt.Errorf("saml: load SP key pair: %w", err)
		}
		return kp, nil
	case errors.Is(certErr, fs.ErrNotExist) && errors.Is(keyErr, fs.ErrNotExist):
		return createKeyPair(dir, certPath, keyPath)
	case certErr != nil && !errors.Is(certErr, fs.ErrNotExist):
		return tls.Certificate{}, fmt.Errorf("saml: SP certificate: %w", certErr)
	case keyErr != nil && !errors.Is(keyErr, fs.ErrNotExist):
		return tls.Certificate{}, fmt.Errorf("saml: SP key: %w", keyErr)
	default:
		return tls.Certificate{}, fmt.Errorf("saml: only one of %s and %s exists in %s", CertFile, KeyFile, dir)
	}
}

func createKeyPair(dir, certPath, keyPath string) (tls.Certificate, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("saml: generate SP key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          new(big.Int).SetBytes(randomBytes(16)),
		Subject:               pkix.Name{CommonName: "Samla SAML service provider"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("saml: create SP certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("saml: encode SP key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return tls.Certificate{}, fmt.Errorf("saml: key pair directory: %w", err)
	}
	// Key first: a crash between the two leaves "only the key", which the
	// next start reports instead of pairing it with a stranger's cert.
	if err := writeNew(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})); err != nil {
		return tls.Certificate{}, err
	}
	if err := writeNew(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})); err != nil {
		return tls.Certificate{}, err
	}
	kp, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("saml: load new SP key pair: %w", err)
	}
	return kp, nil
}

// writeNew creates path with mode 0600, failing if it exists (two
// processes starting at once must not overwrite each other's key).
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("saml: write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("saml: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("saml: write %s: %w", path, err)
	}
	return nil
}
