// Package mailstack connects tests to the throwaway mail server that
// scripts/mail-stack.sh starts (Postfix for SMTP, Dovecot for IMAP), the way
// internal/db/dbtest connects them to a database:
//
//	eval "$(scripts/mail-stack.sh start)"
//	go test ./internal/cases/inbox/
//
// Without the stack's environment the tests that need it are skipped, unless
// SAMLA_REQUIRE_MAIL=1 (as in CI), which makes them fail instead.
//
// Packages are tested in parallel, so each package should keep to its own
// mailbox: internal/cases/inbox uses Desk, this package's own tests Support.
package mailstack

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"testing"

	"github.com/emersion/go-smtp"
)

// The variables that scripts/mail-stack.sh start prints.
const (
	EnvSMTP    = "SAMLA_TEST_MAIL_SMTP"
	EnvIMAP    = "SAMLA_TEST_MAIL_IMAP"
	EnvIMAPS   = "SAMLA_TEST_MAIL_IMAPS"
	EnvCA      = "SAMLA_TEST_MAIL_CA"
	EnvRequire = "SAMLA_REQUIRE_MAIL"
)

// The stack's mailboxes. Dovecot picks the mailbox by the address's local
// part and drops "+detail", so DeskUser+x@konsortium.test reaches DeskUser.
const (
	DeskUser     = "desk" // the consortium's shared mailbox
	DeskPassword = "deskpass"
	DeskAddress  = "desk@konsortium.test"

	SupportUser     = "support" // a vendor
	SupportPassword = "supportpass"
	SupportAddress  = "support@leverandor.test"

	BibliotekUser     = "bibliotek" // a member library
	BibliotekPassword = "bibliotekpass"
	BibliotekAddress  = "bibliotek@bibliotek.test"
)

// Stack is a running mail stack's addresses (host:port).
type Stack struct {
	SMTP   string // Postfix; delivers to the mailboxes above
	IMAP   string // Dovecot, plain (STARTTLS offered)
	IMAPS  string // Dovecot, implicit TLS
	CAFile string // PEM of the CA that signed the IMAPS certificate
}

// FromEnv returns the stack named by the environment, or skips t (fails it
// when SAMLA_REQUIRE_MAIL=1) when there is none.
func FromEnv(t testing.TB) *Stack {
	t.Helper()
	s := &Stack{
		SMTP:   os.Getenv(EnvSMTP),
		IMAP:   os.Getenv(EnvIMAP),
		IMAPS:  os.Getenv(EnvIMAPS),
		CAFile: os.Getenv(EnvCA),
	}
	if s.SMTP == "" || s.IMAP == "" || s.IMAPS == "" || s.CAFile == "" {
		why := fmt.Sprintf("%s, %s, %s and %s are not all set; "+
			"start the stack with: eval \"$(scripts/mail-stack.sh start)\" (as root)", EnvSMTP, EnvIMAP, EnvIMAPS, EnvCA)
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("%s=1 but there is no mail stack: %s", EnvRequire, why)
		}
		t.Skip("mail-server tests skipped: " + why)
	}
	return s
}

// TLSConfig trusts the stack's CA, for IMAPS and STARTTLS.
func (s *Stack) TLSConfig(t testing.TB) *tls.Config {
	t.Helper()
	pem, err := os.ReadFile(s.CAFile)
	if err != nil {
		t.Fatalf("read the mail stack's CA: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("no certificate in %s", s.CAFile)
	}
	return &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// Send hands raw (a whole message, CRLF line ends) to Postfix for delivery.
func (s *Stack) Send(t testing.TB, from string, to []string, raw []byte) {
	t.Helper()
	c, err := smtp.Dial(s.SMTP)
	if err != nil {
		t.Fatalf("connect to postfix at %s: %v", s.SMTP, err)
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		t.Fatalf("EHLO to postfix: %v", err)
	}
	if err := c.SendMail(from, to, bytesReader(raw)); err != nil {
		t.Fatalf("send mail from %s to %v via postfix: %v", from, to, err)
	}
	if err := c.Quit(); err != nil {
		t.Fatalf("QUIT to postfix: %v", err)
	}
}
