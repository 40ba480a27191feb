package mail_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/mail/mailtest"

	"github.com/samla-org/samla/internal/config"
	"github.com/samla-org/samla/internal/mail"
)

const (
	testFrom    = "Samla <post@konsortium.example>"
	testSubject = "Påminnelse: svar på tilbodet før fristen – æøå ÆØÅ"
	// Long lines (soft breaks), a leading dot (dot-stuffing), "From " and
	// a trailing space all have to come back exactly.
	testBody = "Hei!\n\nDykk har ikkje svart på tilbodet om «Tidsskriftpakke Nord» – fristen går ut snart, så svar før fredag, ellers blir det ikkje noko abonnement neste år.\n.punktum først\nFrom Samla med helsing \nÆØÅ æøå\n"
)

func testMail(host string, port int, tlsMode string) config.Mail {
	return config.Mail{Host: host, Port: port, From: testFrom, TLS: tlsMode}
}

func newSender(t *testing.T, c config.Mail, roots *x509.CertPool) *mail.SMTPSender {
	t.Helper()
	s, err := mail.NewSMTPSender(c)
	if err != nil {
		t.Fatal(err)
	}
	if roots != nil {
		s.TLSConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	}
	return s
}

func sampleMessage(to string) mail.Message {
	return mail.Message{DedupeKey: "k", Kind: "window_reminder", To: to, Subject: testSubject, Body: testBody}
}

// checkMessage parses what the server got as a recipient's mail reader would.
func checkMessage(t *testing.T, env mailtest.Envelope, msgID string) {
	t.Helper()
	for i := 0; i < len(env.Data); i++ {
		if env.Data[i] >= 0x80 {
			t.Fatalf("raw message is not 7-bit ASCII at byte %d", i)
		}
	}
	m, err := netmail.ReadMessage(strings.NewReader(env.Data))
	if err != nil {
		t.Fatalf("parse message: %v\n%s", err, env.Data)
	}
	h := m.Header
	rawSubject := h.Get("Subject")
	if !strings.HasPrefix(rawSubject, "=?UTF-8?") {
		t.Errorf("Subject is not RFC 2047 encoded: %q", rawSubject)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(rawSubject)
	if err != nil || subject != testSubject {
		t.Errorf("Subject decodes to %q (%v), want %q", subject, err, testSubject)
	}
	if got := h.Get("Message-Id"); got != msgID || !strings.HasSuffix(got, "@konsortium.example>") || !strings.HasPrefix(got, "<") {
		t.Errorf("Message-ID %q, Send returned %q", got, msgID)
	}
	if got := h.Get("Auto-Submitted"); got != "auto-generated" {
		t.Errorf("Auto-Submitted %q", got)
	}
	if d, err := h.Date(); err != nil || time.Since(d).Abs() > time.Minute {
		t.Errorf("Date %q: %v", h.Get("Date"), err)
	}
	if from, err := h.AddressList("From"); err != nil || len(from) != 1 || from[0].Address != "post@konsortium.example" || from[0].Name != "Samla" {
		t.Errorf("From %q: %v", h.Get("From"), err)
	}
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "text/plain" || !strings.EqualFold(params["charset"], "utf-8") {
		t.Errorf("Content-Type %q", h.Get("Content-Type"))
	}
	if cte := h.Get("Content-Transfer-Encoding"); !strings.EqualFold(cte, "quoted-printable") {
		t.Fatalf("Content-Transfer-Encoding %q", cte)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.ReplaceAll(string(body), "\r\n", "\n"); got != testBody {
		t.Errorf("body decodes to\n%q\nwant\n%q", got, testBody)
	}
}

func TestSMTPSenderPlainConnection(t *testing.T) {
	srv := mailtest.Start(t, mailtest.WithAuthOffered("PLAIN"))
	s := newSender(t, testMail(srv.Host, srv.Port, "none"), nil)
	id, err := s.Send(context.Background(), sampleMessage("Biblioteket <post@bibliotek.example>"))
	if err != nil {
		t.Fatal(err)
	}
	got := srv.Received()
	if len(got) != 1 {
		t.Fatalf("server got %d messages", len(got))
	}
	env := got[0]
	if env.From != "post@konsortium.example" || len(env.To) != 1 || env.To[0] != "post@bibliotek.example" {
		t.Errorf("mailtest.Envelope from %q to %q", env.From, env.To)
	}
	if env.User != "" || env.TLS {
		t.Errorf("no user set and TLS none, yet user %q, TLS %v", env.User, env.TLS)
	}
	checkMessage(t, env, id)
}

func TestSMTPSenderSTARTTLSWithAuth(t *testing.T) {
	cert, roots := mailtest.SelfSigned(t)
	for _, mech := range []string{"PLAIN", "LOGIN"} {
		t.Run(mech, func(t *testing.T) {
			srv := mailtest.Start(t, mailtest.WithTLS(cert), mailtest.WithAuth("samla", "hemmeleg-æøå", mech))
			c := testMail(srv.Host, srv.Port, "") // starttls is the default
			c.Username, c.Password = "samla", "hemmeleg-æøå"
			id, err := newSender(t, c, roots).Send(context.Background(), sampleMessage("post@bibliotek.example"))
			if err != nil {
				t.Fatal(err)
			}
			got := srv.Received()
			if len(got) != 1 || !got[0].TLS || got[0].User != "samla" {
				t.Fatalf("want one message over TLS from user samla, got %+v", got)
			}
			checkMessage(t, got[0], id)
		})
	}
}

func TestSMTPSenderImplicitTLS(t *testing.T) {
	cert, roots := mailtest.SelfSigned(t)
	srv := mailtest.Start(t, mailtest.ImplicitTLS(cert))
	id, err := newSender(t, testMail(srv.Host, srv.Port, "TLS"), roots).Send(context.Background(), sampleMessage("post@bibliotek.example"))
	if err != nil {
		t.Fatal(err)
	}
	got := srv.Received()
	if len(got) != 1 || !got[0].TLS {
		t.Fatalf("want one message over TLS, got %+v", got)
	}
	checkMessage(t, got[0], id)
}

func TestSMTPSenderRefusesInsecureTLS(t *testing.T) {
	cert, _ := mailtest.SelfSigned(t)
	untrusted := mailtest.Start(t, mailtest.WithTLS(cert))
	noTLS := mailtest.Start(t)
	for name, srv := range map[string]*mailtest.Server{"untrusted certificate": untrusted, "no STARTTLS offered": noTLS} {
		t.Run(name, func(t *testing.T) {
			_, err := newSender(t, testMail(srv.Host, srv.Port, "starttls"), nil).Send(context.Background(), sampleMessage("post@bibliotek.example"))
			if err == nil || len(srv.Received()) != 0 {
				t.Fatalf("sent anyway (err %v)", err)
			}
			t.Log(err)
		})
	}
}

func TestSMTPSenderStopsWithContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0") // accepts, never greets
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = newSender(t, testMail("127.0.0.1", ln.Addr().(*net.TCPAddr).Port, "none"), nil).Send(ctx, sampleMessage("post@bibliotek.example"))
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("silent server: err %v after %s", err, time.Since(start))
	}
}

func TestNewSMTPSenderChecksSettings(t *testing.T) {
	bad := []config.Mail{
		{},                    // no host
		{Host: "h", Port: 25}, // no from
		{Host: "h", Port: 0, From: testFrom},
		{Host: "h", Port: 25, From: "not an address"},
		{Host: "h", Port: 25, From: testFrom, TLS: "ssl"},
	}
	for _, c := range bad {
		if _, err := mail.NewSMTPSender(c); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}
