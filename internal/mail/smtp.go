package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/samla-org/samla/internal/config"
)

// Sender delivers one message and returns the Message-ID it was sent with.
type Sender interface {
	Send(ctx context.Context, m Message) (messageID string, err error)
}

const (
	connectTimeout = 10 * time.Second // TCP connect (and the TLS handshake for implicit TLS)
	sendTimeout    = 30 * time.Second // the whole conversation, connect to QUIT
)

// SMTPSender sends each message over its own SMTP connection. Samla's mail
// is a trickle of notices, so a connection per message is simpler than
// pooling and never meets a server's idle timeout.
type SMTPSender struct {
	cfg    config.Mail
	from   string // From as configured, checked by Validate
	domain string // of From, for Message-IDs

	// TLSConfig replaces the default TLS settings (system roots, server
	// name = Host), e.g. to trust a private CA. ServerName is filled in
	// from Host when empty.
	TLSConfig *tls.Config
}

// NewSMTPSender checks c and returns a sender for it.
func NewSMTPSender(c config.Mail) (*SMTPSender, error) {
	if !c.Enabled() {
		return nil, errors.New("mail: no SMTP host configured")
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c.Host = strings.TrimSpace(c.Host)
	c.TLS = c.TLSMode()
	a, _ := netmail.ParseAddress(c.From) // Validate parsed it already
	domain := a.Address[strings.LastIndexByte(a.Address, '@')+1:]
	return &SMTPSender{cfg: c, from: c.From, domain: domain}, nil
}

// Send delivers m: UTF-8 plain text in quoted-printable, with Date, a
// Message-ID in the sender's domain and Auto-Submitted, since every Samla
// mail is a notice no one should reply to automatically.
func (s *SMTPSender) Send(ctx context.Context, m Message) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()

	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP), gomail.WithNoDefaultUserAgent())
	from := s.from
	if m.From != "" {
		from = m.From
	}
	if err := msg.From(from); err != nil {
		return "", fmt.Errorf("from %q: %w", from, err)
	}
	if err := msg.To(m.To); err != nil {
		return "", fmt.Errorf("to %q: %w", m.To, err)
	}
	if len(m.Cc) > 0 {
		if err := msg.Cc(m.Cc...); err != nil {
			return "", fmt.Errorf("cc %q: %w", m.Cc, err)
		}
	}
	if m.ReplyTo != "" {
		if err := msg.ReplyTo(m.ReplyTo); err != nil {
			return "", fmt.Errorf("reply-to %q: %w", m.ReplyTo, err)
		}
	}
	id := rand.Text() + "@" + s.domain
	if m.MessageID != "" {
		id = strings.TrimSuffix(strings.TrimPrefix(m.MessageID, "<"), ">")
	}
	msg.SetMessageIDWithValue(id)
	if m.InReplyTo != "" {
		msg.SetGenHeader(gomail.HeaderInReplyTo, m.InReplyTo)
	}
	if len(m.References) > 0 {
		msg.SetGenHeader(gomail.HeaderReferences, strings.Join(m.References, " "))
	}
	msg.SetDate()
	msg.Subject(m.Subject)
	if !m.Personal {
		msg.SetGenHeader("Auto-Submitted", "auto-generated")
		msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)

	client, err := gomail.NewClient(s.cfg.Host, s.options(ctx)...)
	if err != nil {
		return "", fmt.Errorf("smtp client: %w", err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil && !msg.IsDelivered() {
		// (Once the server has answered 250 to DATA the message is its
		// responsibility; a failing RSET or QUIT after that must not count
		// as a failure, or the worker would send it again.)
		return "", fmt.Errorf("smtp %s:%d: %w", s.cfg.Host, s.cfg.Port, err)
	}
	return "<" + id + ">", nil
}

// options configures go-mail for one Send; ctx is that Send's context.
func (s *SMTPSender) options(ctx context.Context) []gomail.Option {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if s.TLSConfig != nil {
		tc = s.TLSConfig.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = s.cfg.Host
	}
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		gomail.WithTimeout(sendTimeout),
		gomail.WithTLSConfig(tc),
		gomail.WithDialContextFunc(dialer(ctx, s.cfg.TLS == config.TLSImplicit, tc)),
	}
	switch s.cfg.TLS {
	case config.TLSImplicit:
		opts = append(opts, gomail.WithSSL()) // the dialer does the handshake
	case config.TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default: // STARTTLS is required: opportunistic TLS could be stripped silently
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.cfg.Username != "" {
		// PLAIN or LOGIN, whichever the server offers. go-mail refuses both
		// over an unencrypted connection except to localhost.
		opts = append(opts,
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password),
			gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthPlain, gomail.SMTPAuthLogin))
	}
	return opts
}

// dialer connects within connectTimeout and binds the connection to sendCtx
// (see boundedConn). Implicit TLS is done here because go-mail does no TLS of
// its own once it is given a dial function.
func dialer(sendCtx context.Context, implicitTLS bool, tc *tls.Config) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		ctx, cancel := context.WithTimeout(ctx, connectTimeout)
		defer cancel()
		raw, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		conn := bind(sendCtx, raw)
		if !implicitTLS {
			return conn, nil
		}
		tconn := tls.Client(conn, tc)
		if err := tconn.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, err
		}
		return tconn, nil
	}
}

// boundedConn keeps go-mail's I/O deadlines (it pushes them forward by its
// timeout after every step) within the deadline of the Send's context, and
// cuts the connection short when that context ends. So a stalled server, or
// shutdown, holds a Send no longer than sendTimeout.
type boundedConn struct {
	net.Conn
	ctx  context.Context
	mu   sync.Mutex
	stop func() bool
}

var expired = time.Unix(1, 0)

func bind(ctx context.Context, c net.Conn) *boundedConn {
	b := &boundedConn{Conn: c, ctx: ctx}
	_ = b.SetDeadline(time.Time{})
	b.stop = context.AfterFunc(ctx, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		_ = c.SetDeadline(expired)
	})
	return b
}

func (b *boundedConn) clamp(t time.Time) time.Time {
	if b.ctx.Err() != nil {
		return expired
	}
	if dl, ok := b.ctx.Deadline(); ok && (t.IsZero() || t.After(dl)) {
		return dl
	}
	return t
}

func (b *boundedConn) SetDeadline(t time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Conn.SetDeadline(b.clamp(t))
}

func (b *boundedConn) SetReadDeadline(t time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Conn.SetReadDeadline(b.clamp(t))
}

func (b *boundedConn) SetWriteDeadline(t time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Conn.SetWriteDeadline(b.clamp(t))
}

func (b *boundedConn) Close() error {
	if b.stop != nil {
		b.stop()
	}
	return b.Conn.Close()
}
