package config

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Desk is how mail reaches the case desk and how its replies look.
type Desk struct {
	// Address is the desk's mailbox, e.g. "Konsortiet <post@konsortium.no>":
	// replies come from it (SAMLA_CASE_ADDRESS / --case-address; empty
	// means the mail sender, SAMLA_MAIL_FROM).
	Address string
	// PlusAddressing signs a Reply-To such as post+c12.<mac>@… on replies
	// (SAMLA_CASE_PLUS_ADDRESSING=1), for mail servers that deliver
	// plus-addresses to the mailbox.
	PlusAddressing bool

	// IMAP: the desk's mailbox is fetched on a schedule when IMAPHost is set.
	IMAPHost     string        // SAMLA_IMAP_HOST / --imap-host
	IMAPPort     int           // SAMLA_IMAP_PORT, default 993 (tls) or 143
	IMAPUser     string        // SAMLA_IMAP_USER
	IMAPPassword string        // SAMLA_IMAP_PASSWORD
	IMAPTLS      string        // SAMLA_IMAP_TLS: tls (default), starttls or none
	IMAPMailbox  string        // SAMLA_IMAP_MAILBOX, default INBOX
	IMAPCAFile   string        // SAMLA_IMAP_CA_FILE: extra root CA (PEM) for a private server
	IMAPEvery    time.Duration // SAMLA_IMAP_EVERY, default 1m

	// Listeners for installations that route mail to Samla.
	LMTPAddr       string // SAMLA_LMTP_ADDR / --lmtp-addr, e.g. 127.0.0.1:2424
	SMTPListenAddr string // SAMLA_SMTP_LISTEN_ADDR / --smtp-listen-addr

	envErr error
}

// RegisterDesk binds the case desk's flags onto fs, with environment
// defaults.
func RegisterDesk(fs *flag.FlagSet) *Desk {
	d := &Desk{}
	port := 0
	if v := strings.TrimSpace(os.Getenv("SAMLA_IMAP_PORT")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			d.envErr = fmt.Errorf("SAMLA_IMAP_PORT %q is not a port number", v)
		}
		port = n
	}
	every := time.Minute
	if v := strings.TrimSpace(os.Getenv("SAMLA_IMAP_EVERY")); v != "" {
		dur, err := time.ParseDuration(v)
		if err != nil || dur < time.Second {
			d.envErr = fmt.Errorf("SAMLA_IMAP_EVERY %q is not a duration of at least 1s, e.g. 1m or 30s", v)
		} else {
			every = dur
		}
	}
	plus := os.Getenv("SAMLA_CASE_PLUS_ADDRESSING")
	fs.StringVar(&d.Address, "case-address", env("SAMLA_CASE_ADDRESS", ""), "the case desk's mailbox address; empty means the mail sender (SAMLA_CASE_ADDRESS)")
	fs.BoolVar(&d.PlusAddressing, "case-plus-addressing", plus == "1" || strings.EqualFold(plus, "true"), "sign a plus-address Reply-To on replies (SAMLA_CASE_PLUS_ADDRESSING)")
	fs.StringVar(&d.IMAPHost, "imap-host", env("SAMLA_IMAP_HOST", ""), "IMAP server of the desk's mailbox; empty means no fetching (SAMLA_IMAP_HOST)")
	fs.IntVar(&d.IMAPPort, "imap-port", port, "IMAP port; 0 means 993 for tls, 143 otherwise (SAMLA_IMAP_PORT)")
	fs.StringVar(&d.IMAPUser, "imap-user", env("SAMLA_IMAP_USER", ""), "IMAP user name (SAMLA_IMAP_USER)")
	d.IMAPPassword = os.Getenv("SAMLA_IMAP_PASSWORD") // never a flag: it would show in ps
	fs.StringVar(&d.IMAPTLS, "imap-tls", env("SAMLA_IMAP_TLS", "tls"), "tls, starttls or none (SAMLA_IMAP_TLS)")
	fs.StringVar(&d.IMAPMailbox, "imap-mailbox", env("SAMLA_IMAP_MAILBOX", "INBOX"), "mailbox to fetch (SAMLA_IMAP_MAILBOX)")
	fs.StringVar(&d.IMAPCAFile, "imap-ca-file", env("SAMLA_IMAP_CA_FILE", ""), "extra root CA in PEM for the IMAP server (SAMLA_IMAP_CA_FILE)")
	fs.DurationVar(&d.IMAPEvery, "imap-every", every, "how often the mailbox is fetched (SAMLA_IMAP_EVERY)")
	fs.StringVar(&d.LMTPAddr, "lmtp-addr", env("SAMLA_LMTP_ADDR", ""), "listen for LMTP deliveries on this address (SAMLA_LMTP_ADDR)")
	fs.StringVar(&d.SMTPListenAddr, "smtp-listen-addr", env("SAMLA_SMTP_LISTEN_ADDR", ""), "listen for SMTP deliveries on this address (SAMLA_SMTP_LISTEN_ADDR)")
	return d
}

// Err reports a malformed environment variable.
func (d *Desk) Err() error { return d.envErr }
