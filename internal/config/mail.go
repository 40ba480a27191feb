package config

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"os"
	"strconv"
	"strings"
)

// Mail holds the SMTP settings of the outbox worker. An empty Host turns
// sending off: notices are still queued in the outbox, just not delivered.
type Mail struct {
	Host               string // SAMLA_SMTP_HOST / --smtp-host
	Port               int    // SAMLA_SMTP_PORT / --smtp-port, default 587
	Username, Password string // SAMLA_SMTP_USER, SAMLA_SMTP_PASSWORD; no AUTH without a username
	From               string // SAMLA_MAIL_FROM / --mail-from, e.g. "Samla <post@konsortium.example>"
	TLS                string // SAMLA_SMTP_TLS / --smtp-tls: "starttls" (default), "tls" or "none"

	envErr error // a malformed SAMLA_SMTP_PORT, reported by Validate
}

// TLS modes.
const (
	TLSStartTLS = "starttls" // plain connect, then STARTTLS is required
	TLSImplicit = "tls"      // TLS from the first byte (SMTPS, usually port 465)
	TLSNone     = "none"     // no encryption: only for a relay on a trusted network
)

// RegisterMail binds the mail flags onto fs, with environment defaults.
func RegisterMail(fs *flag.FlagSet) *Mail {
	m := &Mail{}
	port := 587
	if v, ok := os.LookupEnv("SAMLA_SMTP_PORT"); ok && v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			m.envErr = fmt.Errorf("SAMLA_SMTP_PORT %q is not a port number", v)
		}
		port = n
	}
	fs.StringVar(&m.Host, "smtp-host", env("SAMLA_SMTP_HOST", ""), "SMTP server; empty keeps mail queued but unsent (SAMLA_SMTP_HOST)")
	fs.IntVar(&m.Port, "smtp-port", port, "SMTP port: 587 for starttls, usually 465 for tls (SAMLA_SMTP_PORT)")
	fs.StringVar(&m.Username, "smtp-user", env("SAMLA_SMTP_USER", ""), "SMTP user name; empty means no authentication (SAMLA_SMTP_USER)")
	fs.StringVar(&m.Password, "smtp-password", env("SAMLA_SMTP_PASSWORD", ""), "SMTP password; prefer the environment, flags show in ps (SAMLA_SMTP_PASSWORD)")
	fs.StringVar(&m.From, "mail-from", env("SAMLA_MAIL_FROM", ""), `sender, e.g. "Samla <post@konsortium.example>" (SAMLA_MAIL_FROM)`)
	fs.StringVar(&m.TLS, "smtp-tls", env("SAMLA_SMTP_TLS", TLSStartTLS), "SMTP encryption: starttls, tls or none (SAMLA_SMTP_TLS)")
	return m
}

// Enabled reports whether mail is to be sent at all.
func (m *Mail) Enabled() bool { return strings.TrimSpace(m.Host) != "" }

// TLSMode is TLS in lower case, with the default applied.
func (m *Mail) TLSMode() string {
	t := strings.ToLower(strings.TrimSpace(m.TLS))
	if t == "" {
		return TLSStartTLS
	}
	return t
}

// Validate checks the settings needed to send. Disabled mail is always valid.
func (m *Mail) Validate() error {
	if !m.Enabled() {
		return nil
	}
	var errs []error
	if m.envErr != nil {
		errs = append(errs, m.envErr)
	}
	if m.Port < 1 || m.Port > 65535 {
		errs = append(errs, fmt.Errorf("SMTP port %d is out of range", m.Port))
	}
	switch m.TLSMode() {
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		errs = append(errs, fmt.Errorf("SMTP TLS mode %q: want starttls, tls or none", m.TLS))
	}
	if strings.TrimSpace(m.From) == "" {
		errs = append(errs, errors.New("--mail-from (SAMLA_MAIL_FROM) is required when an SMTP host is set"))
	} else if a, err := netmail.ParseAddress(m.From); err != nil || !strings.Contains(a.Address, "@") {
		errs = append(errs, fmt.Errorf("mail from address %q is not an e-mail address", m.From))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("mail settings: %w", err)
	}
	return nil
}

// LogValue keeps the password out of logs.
func (m *Mail) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("host", m.Host), slog.Int("port", m.Port), slog.String("tls", m.TLSMode()),
		slog.String("user", m.Username), slog.String("from", m.From),
	)
}
