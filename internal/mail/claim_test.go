package mail_test

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/mail/mailtest"

	"github.com/samla-org/samla/internal/config"
	"github.com/samla-org/samla/internal/db/dbtest"
	"github.com/samla-org/samla/internal/mail"
)

// A worker that dies after claiming a message blocks it for the lease only.
func TestLeaseHidesClaimedMessage(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	srv := mailtest.Start(t)
	clk, logs := newClock(), &syncBuffer{}
	w := newWorker(d, newSender(t, testMail(srv.Host, srv.Port, "none"), nil), clk, logs)
	enqueue(t, d, "a", "a@bibliotek.example")

	if _, ok, err := w.ClaimForTest(ctx); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if p, err := w.Pending(ctx); err != nil || len(p) != 1 {
		t.Fatalf("a claimed message is still pending: %+v %v", p, err)
	}
	runOnce(t, w, 0, 0)
	clk.Add(mail.Lease - time.Second)
	runOnce(t, w, 0, 0)
	clk.Add(2 * time.Second)
	runOnce(t, w, 1, 0)
	if n := len(srv.Received()); n != 1 {
		t.Fatalf("server got %d messages, want 1", n)
	}
}

// A connection lost after the server took the message is no failure:
// trying again would deliver it twice.
func TestConnectionLostAfterAcceptanceCountsAsSent(t *testing.T) {
	d := dbtest.Open(t)
	srv := mailtest.Start(t, mailtest.HangingUp())
	clk, logs := newClock(), &syncBuffer{}
	w := newWorker(d, newSender(t, testMail(srv.Host, srv.Port, "none"), nil), clk, logs)
	enqueue(t, d, "a", "a@bibliotek.example")
	runOnce(t, w, 1, 0)
	clk.Add(mail.Lease + time.Hour)
	runOnce(t, w, 0, 0)
	if n := len(srv.Received()); n != 1 {
		t.Fatalf("server got %d messages, want 1", n)
	}
}

// Workers racing over one outbox deliver every message exactly once.
func TestConcurrentWorkersSendEachMessageOnce(t *testing.T) {
	d := dbtest.Open(t)
	srv := mailtest.Start(t)
	const messages, workers = 30, 4
	for i := range messages {
		enqueue(t, d, fmt.Sprintf("m%02d", i), fmt.Sprintf("m%02d@bibliotek.example", i))
	}
	clk := newClock()
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for range workers {
		w := newWorker(d, newSender(t, testMail(srv.Host, srv.Port, "none"), nil), clk, &syncBuffer{})
		w.BatchSize = messages
		wg.Go(func() {
			for { // a worker may lose every race in a round; go on until nothing is left to claim
				sent, failed, err := w.RunOnce(context.Background())
				if err != nil || failed != 0 {
					t.Errorf("RunOnce: %d failed, %v", failed, err)
					return
				}
				mu.Lock()
				total += sent
				mu.Unlock()
				if sent == 0 && dueCount(t, w, clk) == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	seen := map[string]int{}
	for _, env := range srv.Received() {
		seen[env.To[0]]++
	}
	for i := range messages {
		if to := fmt.Sprintf("m%02d@bibliotek.example", i); seen[to] != 1 {
			t.Errorf("%s delivered %d times", to, seen[to])
		}
	}
	if total != messages {
		t.Errorf("workers report %d sent, want %d", total, messages)
	}
}

// dueCount counts pending messages no one has claimed.
func dueCount(t *testing.T, w *mail.Worker, clk *clock) int {
	p, err := w.Pending(context.Background())
	if err != nil {
		t.Error(err)
	}
	n := 0
	for _, e := range p {
		if !e.NextTryAt.After(clk.Now()) {
			n++
		}
	}
	return n
}

func TestStartDeliversUntilStopped(t *testing.T) {
	d := dbtest.Open(t)
	srv := mailtest.Start(t)
	c := testMail(srv.Host, srv.Port, "none")
	stop, err := mail.Start(context.Background(), d, &c, slog.New(slog.DiscardHandler), 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	enqueue(t, d, "a", "a@bibliotek.example")
	deadline := time.Now().Add(5 * time.Second)
	for len(srv.Received()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	if n := len(srv.Received()); n != 1 {
		t.Fatalf("server got %d messages, want 1", n)
	}
}

func TestStartWithoutHostQueuesOnly(t *testing.T) {
	d := dbtest.Open(t)
	logs := &syncBuffer{}
	stop, err := mail.Start(context.Background(), d, &config.Mail{}, slog.New(slog.NewTextHandler(logs, nil)), time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if strings.Count(logs.String(), "mail is off") != 1 {
		t.Errorf("want one notice that mail is off, got:\n%s", logs)
	}
	if _, err := mail.Start(context.Background(), d, &config.Mail{Host: "smtp.example", Port: 587}, nil, time.Second); err == nil {
		t.Error("host without --mail-from accepted")
	}
}

func TestRegisterMail(t *testing.T) {
	t.Setenv("SAMLA_SMTP_HOST", "smtp.env.example")
	t.Setenv("SAMLA_SMTP_PORT", "2525")
	t.Setenv("SAMLA_SMTP_PASSWORD", "hemmeleg")
	t.Setenv("SAMLA_MAIL_FROM", testFrom)
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	c := config.RegisterMail(fs)
	if err := fs.Parse([]string{"--smtp-host", "smtp.flag.example", "--smtp-user", "samla", "--smtp-tls", "TLS"}); err != nil {
		t.Fatal(err)
	}
	want := config.Mail{Host: "smtp.flag.example", Port: 2525, Username: "samla", Password: "hemmeleg", From: testFrom, TLS: "TLS"}
	if c.Host != want.Host || c.Port != want.Port || c.Username != want.Username || c.Password != want.Password || c.From != want.From || c.TLS != want.TLS {
		t.Fatalf("got %+v, want %+v", *c, want)
	}
	if err := c.Validate(); err != nil || c.TLSMode() != config.TLSImplicit {
		t.Fatalf("validate: %v, mode %q", err, c.TLSMode())
	}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "smtp", c)
	if strings.Contains(logged.String(), "hemmeleg") {
		t.Errorf("password logged: %s", logged.String())
	}

	t.Setenv("SAMLA_SMTP_PORT", "fem")
	c = config.RegisterMail(flag.NewFlagSet("t", flag.ContinueOnError))
	if err := c.Validate(); err == nil {
		t.Error("SAMLA_SMTP_PORT=fem accepted")
	}
}

func TestRegisterMailDefaults(t *testing.T) {
	for _, k := range []string{"SAMLA_SMTP_HOST", "SAMLA_SMTP_PORT", "SAMLA_SMTP_TLS"} {
		t.Setenv(k, "")
	}
	c := config.RegisterMail(flag.NewFlagSet("t", flag.ContinueOnError))
	if c.Enabled() || c.Port != 587 || c.TLSMode() != config.TLSStartTLS || c.Validate() != nil {
		t.Fatalf("defaults: %+v", *c)
	}
}
