package enrolment_test

import (
	"io"
	"mime"
	"mime/quotedprintable"
	"strings"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/config"
	"github.com/samla-org/samla/internal/mail"
	"github.com/samla-org/samla/internal/mail/mailtest"
)

// The whole path of a notice: a window opens and a library answers; the
// notices wait in the outbox; the worker delivers them over SMTP to a real
// server, once each, in readable Norwegian.
func TestCoreNoticesReachAnSMTPServer(t *testing.T) {
	e := newCoreEnv(t)
	v := e.vendor("Nordavis")
	p := e.product(v.ID, "Avisleser", "public", false)
	a := e.agreement(v.ID, "Avisleser 2027", "2027-01-01", "2027-12-31")
	o := e.offer(a.ID, p.ID, 1250000, false, nil)
	lib, contact := e.library("Tromsø bibliotek", "public", "5501")
	e.at("2026-10-16T06:00:00Z")
	w := e.window("Tilknytning 2027", "2026-10-16", "2026-11-12", o.ID)
	if err := e.svc.Tick(e.ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Answer(e.ctx, contact, w.ID, o.ID, lib.ID, coreYes()); err != nil {
		t.Fatal(err)
	}

	srv := mailtest.Start(t)
	sender, err := mail.NewSMTPSender(config.Mail{Host: srv.Host, Port: srv.Port, TLS: config.TLSNone, From: "Samla <post@konsortium.test>"})
	if err != nil {
		t.Fatal(err)
	}
	// The outbox stamps rows with the real time, so the worker runs on it too.
	worker := &mail.Worker{DB: e.db, Sender: sender, Now: time.Now}
	sent, failed, err := worker.RunOnce(e.ctx)
	if err != nil || failed != 0 || sent < 2 {
		t.Fatalf("worker: sent %d, failed %d, %v", sent, failed, err)
	}
	if again, _, _ := worker.RunOnce(e.ctx); again != 0 {
		t.Errorf("a second run sent %d more", again)
	}
	got := srv.Received()
	kinds := map[string]string{}
	for _, env := range got {
		if len(env.To) != 1 || !strings.HasSuffix(env.To[0], "@bibliotek.test") {
			t.Errorf("recipient %v", env.To)
		}
		subject, body := decode(t, env.Data)
		kinds[subject] = body
	}
	if len(got) != sent {
		t.Fatalf("server received %d messages, worker sent %d", len(got), sent)
	}
	var sawOpen, sawReceipt bool
	for subject, body := range kinds {
		if strings.Contains(body, "Tilknytning 2027") && strings.Contains(body, "Avisleser") {
			if strings.Contains(strings.ToLower(subject+body), "kvittering") {
				sawReceipt = true
			} else {
				sawOpen = true
			}
		}
	}
	if !sawOpen || !sawReceipt {
		t.Errorf("want an opening notice and a receipt naming the window and product; got %v", kinds)
	}
}

// decode returns the subject and plain-text body of a raw message.
func decode(t *testing.T, raw string) (string, string) {
	t.Helper()
	head, body, _ := strings.Cut(raw, "\r\n\r\n")
	var subject string
	qp := false
	for _, line := range strings.Split(head, "\r\n") {
		if v, ok := strings.CutPrefix(line, "Subject: "); ok {
			s, err := new(mime.WordDecoder).DecodeHeader(v)
			if err != nil {
				t.Fatal(err)
			}
			subject = s
		}
		if strings.EqualFold(line, "Content-Transfer-Encoding: quoted-printable") {
			qp = true
		}
	}
	if qp {
		b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
		if err != nil {
			t.Fatal(err)
		}
		body = string(b)
	}
	return subject, body
}
