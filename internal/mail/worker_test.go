package mail_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/mail/mailtest"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/db/dbtest"
	"github.com/samla-org/samla/internal/mail"
)

// clock is the worker's time, moved by hand. It starts a moment after the
// real time, so that mail enqueued just now (Enqueue uses the real time) is
// due.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Now().UTC().Add(time.Second).Truncate(time.Millisecond)}
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// syncBuffer collects log output from concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func newWorker(d *db.DB, s mail.Sender, c *clock, logs *syncBuffer) *mail.Worker {
	return &mail.Worker{DB: d, Sender: s, Now: c.Now, Log: slog.New(slog.NewTextHandler(logs, nil))}
}

func enqueue(t *testing.T, d bun.IDB, key, to string) bool {
	t.Helper()
	m := mail.Message{DedupeKey: key, Kind: "receipt", To: to, Subject: "Kvittering " + key, Body: "Takk for svaret, æøå.\n"}
	isNew, err := mail.Enqueue(context.Background(), d, m)
	if err != nil {
		t.Fatal(err)
	}
	return isNew
}

type outboxState struct {
	Attempts  int        `bun:"attempts"`
	NextTryAt time.Time  `bun:"next_try_at"`
	SentAt    *time.Time `bun:"sent_at"`
	LastError string     `bun:"last_error"`
}

func state(t *testing.T, d *db.DB, key string) outboxState {
	t.Helper()
	var s outboxState
	err := d.NewRaw("SELECT attempts, next_try_at, sent_at, last_error FROM mail_outbox WHERE dedupe_key = ?", key).Scan(context.Background(), &s)
	if err != nil {
		t.Fatalf("outbox row %s: %v", key, err)
	}
	return s
}

func runOnce(t *testing.T, w *mail.Worker, wantSent, wantFailed int) {
	t.Helper()
	sent, failed, err := w.RunOnce(context.Background())
	if err != nil || sent != wantSent || failed != wantFailed {
		t.Fatalf("RunOnce: sent %d failed %d err %v; want sent %d failed %d", sent, failed, err, wantSent, wantFailed)
	}
}

func near(a, b time.Time) bool { return a.Sub(b).Abs() < time.Millisecond }

func TestWorkerSendsEachMessageOnce(t *testing.T) {
	d := dbtest.Open(t)
	srv := mailtest.Start(t)
	clk, logs := newClock(), &syncBuffer{}
	w := newWorker(d, newSender(t, testMail(srv.Host, srv.Port, "none"), nil), clk, logs)

	err := d.Tx(context.Background(), func(ctx context.Context, tx bun.Tx) error {
		if !enqueue(t, tx, "receipt:1", "a@bibliotek.example") || !enqueue(t, tx, "receipt:2", "b@bibliotek.example") {
			t.Error("new message reported as duplicate")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if enqueue(t, d, "receipt:1", "someone-else@bibliotek.example") {
		t.Error("duplicate dedupe key was enqueued")
	}

	runOnce(t, w, 2, 0)
	got := srv.Received()
	if len(got) != 2 || got[0].To[0] != "a@bibliotek.example" || got[1].To[0] != "b@bibliotek.example" {
		t.Fatalf("server got %+v", got)
	}
	for _, key := range []string{"receipt:1", "receipt:2"} {
		s := state(t, d, key)
		if s.SentAt == nil || !near(*s.SentAt, clk.Now()) || s.Attempts != 0 || s.LastError != "" {
			t.Errorf("%s after sending: %+v", key, s)
		}
	}
	runOnce(t, w, 0, 0)
	clk.Add(24 * time.Hour)
	runOnce(t, w, 0, 0)
	if n := len(srv.Received()); n != 2 {
		t.Fatalf("sent mail went out again: server has %d", n)
	}
	if p, err := w.Pending(context.Background()); err != nil || len(p) != 0 {
		t.Errorf("pending after sending: %+v %v", p, err)
	}
}

func TestWorkerBacksOffOnRejectedRecipient(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	srv := mailtest.Start(t, mailtest.Rejecting("nei@bibliotek.example"))
	clk, logs := newClock(), &syncBuffer{}
	w := newWorker(d, newSender(t, testMail(srv.Host, srv.Port, "none"), nil), clk, logs)
	enqueue(t, d, "a", "ja@bibliotek.example")
	enqueue(t, d, "b", "nei@bibliotek.example")

	runOnce(t, w, 1, 1)
	if s := state(t, d, "a"); s.SentAt == nil {
		t.Errorf("accepted message not marked sent: %+v", s)
	}
	s := state(t, d, "b")
	if s.SentAt != nil || s.Attempts != 1 || !strings.Contains(s.LastError, "550") || !near(s.NextTryAt, clk.Now().Add(time.Minute)) {
		t.Fatalf("rejected message: %+v", s)
	}
	p, err := w.Pending(ctx)
	if err != nil || len(p) != 1 || p[0].DedupeKey != "b" || p[0].Attempts != 1 || p[0].LastError == "" || p[0].To != "nei@bibliotek.example" {
		t.Fatalf("pending: %+v %v", p, err)
	}

	clk.Add(59 * time.Second) // still inside the back-off
	runOnce(t, w, 0, 0)

	clk.Add(2 * time.Second) // past it: tried again, rejected again, waits 2 min
	runOnce(t, w, 0, 1)
	if s := state(t, d, "b"); s.Attempts != 2 || !near(s.NextTryAt, clk.Now().Add(2*time.Minute)) {
		t.Fatalf("after second rejection: %+v", s)
	}

	srv.Accept("nei@bibliotek.example")
	clk.Add(2*time.Minute + time.Second)
	runOnce(t, w, 1, 0)
	if s := state(t, d, "b"); s.SentAt == nil {
		t.Fatalf("not marked sent: %+v", s)
	}
	if got := srv.Received(); len(got) != 2 {
		t.Fatalf("server got %d messages, want 2", len(got))
	}
}

func TestWorkerKeepsMailWhileServerIsDown(t *testing.T) {
	d := dbtest.Open(t)
	clk, logs := newClock(), &syncBuffer{}
	w := newWorker(d, newSender(t, testMail("127.0.0.1", mailtest.ClosedPort(t), "none"), nil), clk, logs)
	enqueue(t, d, "a", "a@bibliotek.example")
	enqueue(t, d, "b", "b@bibliotek.example")

	runOnce(t, w, 0, 2)
	for _, key := range []string{"a", "b"} {
		if s := state(t, d, key); s.SentAt != nil || s.Attempts != 1 || s.LastError == "" {
			t.Fatalf("%s with the server down: %+v", key, s)
		}
	}
	if !strings.Contains(logs.String(), "will retry") {
		t.Errorf("failure not logged:\n%s", logs)
	}

	srv := mailtest.Start(t) // the server is back (on another port)
	w.Sender = newSender(t, testMail(srv.Host, srv.Port, "none"), nil)
	clk.Add(time.Minute + time.Second)
	runOnce(t, w, 2, 0)
	if got := srv.Received(); len(got) != 2 {
		t.Fatalf("server got %d messages, want 2", len(got))
	}
}

func TestWorkerGivesUpAfterMaxAttempts(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	clk, logs := newClock(), &syncBuffer{}
	w := newWorker(d, newSender(t, testMail("127.0.0.1", mailtest.ClosedPort(t), "none"), nil), clk, logs)
	enqueue(t, d, "doomed", "a@bibliotek.example")

	for i := 1; i <= mail.MaxAttempts; i++ {
		runOnce(t, w, 0, 1)
		if s := state(t, d, "doomed"); s.Attempts != i {
			t.Fatalf("attempt %d recorded as %d", i, s.Attempts)
		}
		clk.Add(mail.Backoff(i) + time.Second)
	}
	s := state(t, d, "doomed")
	if !s.NextTryAt.Equal(mail.GaveUp) || s.LastError == "" || s.SentAt != nil {
		t.Fatalf("after %d attempts: %+v", mail.MaxAttempts, s)
	}
	if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "giving up") {
		t.Errorf("giving up not logged as an error:\n%s", logs)
	}
	clk.Add(100 * 24 * time.Hour)
	runOnce(t, w, 0, 0)

	failed, err := w.Failed(ctx)
	if err != nil || len(failed) != 1 || failed[0].DedupeKey != "doomed" || failed[0].Attempts != mail.MaxAttempts {
		t.Fatalf("failed: %+v %v", failed, err)
	}
	if p, err := w.Pending(ctx); err != nil || len(p) != 0 {
		t.Fatalf("a message given up on is still pending: %+v %v", p, err)
	}
}

func TestBackoff(t *testing.T) {
	want := map[int]time.Duration{1: time.Minute, 2: 2 * time.Minute, 3: 4 * time.Minute, 9: 256 * time.Minute, 10: 6 * time.Hour, 50: 6 * time.Hour}
	for n, d := range want {
		if got := mail.Backoff(n); got != d {
			t.Errorf("Backoff(%d) = %s, want %s", n, got, d)
		}
	}
}
