package usage

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// ErrNoKey means credentials cannot be stored or read: no key is set.
var ErrNoKey = errors.New("no key for SUSHI credentials: set SAMLA_SECRET_KEY (32 random bytes, hex or base64)")

// ParseKey reads a 32-byte key written as hex or base64.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if b, err := hex.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == 32 {
			return b, nil
		}
	}
	return nil, errors.New("SAMLA_SECRET_KEY must be 32 bytes written as 64 hex digits or base64 (e.g. openssl rand -hex 32)")
}

// seal encrypts with AES-256-GCM; the nonce is stored in front.
func (s *Service) seal(plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	gcm, err := s.gcm()
	if err != nil {
		return "", err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return "v1:" + base64.StdEncoding.EncodeToString(gcm.Seal(nonce, nonce, []byte(plain), nil)), nil
}

func (s *Service) open(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	gcm, err := s.gcm()
	if err != nil {
		return "", err
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(sealed, "v1:"))
	if err != nil || len(raw) < gcm.NonceSize() {
		return "", errors.New("stored credential is damaged")
	}
	plain, err := gcm.Open(nil, raw[:gcm.NonceSize()], raw[gcm.NonceSize():], nil)
	if err != nil {
		return "", fmt.Errorf("stored credential cannot be read with this key (was SAMLA_SECRET_KEY changed?)")
	}
	return string(plain), nil
}

func (s *Service) gcm() (cipher.AEAD, error) {
	if len(s.Key) != 32 {
		return nil, ErrNoKey
	}
	block, err := aes.NewCipher(s.Key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
