// Package inbox brings e-mail into the case desk: a Fetcher polls an IMAP
// mailbox, and Listen runs an LMTP or SMTP server that a mail server (or the
// world, as an MX) delivers to. Both hand every message to a Store, which
// keeps it and remembers how far the IMAP mailbox has been read.
//
// Configuration, as the server reads it from the environment (or flags):
//
//	SAMLA_IMAP_HOST         IMAP server; empty turns polling off
//	SAMLA_IMAP_PORT         default 993
//	SAMLA_IMAP_USER         login name
//	SAMLA_IMAP_PASSWORD     password
//	SAMLA_IMAP_TLS          tls (default, implicit TLS), starttls or none
//	SAMLA_IMAP_MAILBOX      default INBOX
//	SAMLA_IMAP_CA_FILE      PEM file of an extra root CA to trust (optional)
//	SAMLA_IMAP_EVERY        poll interval, default 1m
//	SAMLA_LMTP_ADDR         host:port to accept LMTP on (empty: off)
//	SAMLA_SMTP_LISTEN_ADDR  host:port to accept SMTP on (empty: off)
//
// The LMTP and SMTP listeners accept any recipient and ask for no
// authentication: they only ever receive, never relay, but whoever reaches
// them can file mail into the desk, so bind LMTP to loopback or a private
// network.
package inbox

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

// The values of Config.TLS.
const (
	TLSImplicit = "tls"      // TLS from the first byte (port 993)
	TLSStart    = "starttls" // plain connection upgraded with STARTTLS (port 143)
	TLSNone     = "none"     // no encryption: only for a server on this host
)

// DefaultMailbox is read when Config.Mailbox is empty.
const DefaultMailbox = "INBOX"

// Config says which IMAP mailbox a Fetcher reads.
type Config struct {
	Host     string
	Port     int // 0 means 993 with TLS "tls", else 143
	Username string
	Password string
	TLS      string // TLSImplicit (default when empty), TLSStart or TLSNone
	Mailbox  string // DefaultMailbox when empty
	CAFile   string // optional PEM of an extra root CA (a private server's)
	Every    time.Duration
}

// withDefaults fills the fields whose zero value has a documented meaning.
func (c Config) withDefaults() Config {
	if c.TLS == "" {
		c.TLS = TLSImplicit
	}
	if c.Port == 0 {
		c.Port = 143
		if c.TLS == TLSImplicit {
			c.Port = 993
		}
	}
	if c.Mailbox == "" {
		c.Mailbox = DefaultMailbox
	}
	return c
}

// Validate reports every problem with c at once.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	if strings.TrimSpace(c.Host) == "" {
		errs = append(errs, errors.New("IMAP host is empty (SAMLA_IMAP_HOST)"))
	} else if strings.ContainsAny(c.Host, " /[]") || (strings.Contains(c.Host, ":") && net.ParseIP(c.Host) == nil) {
		errs = append(errs, fmt.Errorf("IMAP host %q must be a bare host name or address, without port or scheme", c.Host))
	}
	if c.Port < 1 || c.Port > 65535 {
		errs = append(errs, fmt.Errorf("IMAP port %d is not between 1 and 65535 (SAMLA_IMAP_PORT)", c.Port))
	}
	if c.Username == "" {
		errs = append(errs, errors.New("IMAP user is empty (SAMLA_IMAP_USER)"))
	}
	if c.Password == "" {
		errs = append(errs, errors.New("IMAP password is empty (SAMLA_IMAP_PASSWORD)"))
	}
	switch c.TLS {
	case TLSImplicit, TLSStart, TLSNone:
	default:
		errs = append(errs, fmt.Errorf("IMAP TLS mode %q is not one of tls, starttls, none (SAMLA_IMAP_TLS)", c.TLS))
	}
	if c.CAFile != "" {
		if _, err := loadCA(c.CAFile); err != nil {
			errs = append(errs, err)
		}
	}
	if c.Every < 0 {
		errs = append(errs, fmt.Errorf("IMAP poll interval %v is negative (SAMLA_IMAP_EVERY)", c.Every))
	}
	return errors.Join(errs...)
}

// loadCA returns the system roots plus the certificates in the PEM file path.
func loadCA(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("IMAP CA file (SAMLA_IMAP_CA_FILE): %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("IMAP CA file %s (SAMLA_IMAP_CA_FILE) holds no PEM certificate", path)
	}
	return pool, nil
}
