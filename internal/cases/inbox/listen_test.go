package inbox

import (
	"bytes"
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
)

// listenerMessage starts a line with a dot, to prove dot-stuffing round-trips.
var listenerMessage = []byte("From: bibliotek@bibliotek.test\r\nTo: desk@konsortium.test\r\n" +
	"Subject: =?utf-8?q?Sp=C3=B8rsm=C3=A5l?=\r\nMessage-ID: <lmtp-1@bibliotek.test>\r\n\r\n" +
	"Hei,\r\n.punktum i starten\r\nHilsen biblioteket\r\n")

func startListener(t *testing.T, lmtp bool, store Store, maxBytes int64) string {
	t.Helper()
	stop, addr, err := Listen(context.Background(), "127.0.0.1:0", lmtp, store, quiet, maxBytes)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return addr
}

// sendLMTP sends msg to rcpts and returns the per-recipient error (nil on 250).
func sendLMTP(t *testing.T, addr string, rcpts []string, msg []byte) map[string]error {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c := smtp.NewClientLMTP(conn)
	defer c.Close()
	if err := c.Hello("mx.konsortium.test"); err != nil {
		t.Fatalf("LHLO: %v", err)
	}
	if err := c.Mail("bibliotek@bibliotek.test", nil); err != nil {
		t.Fatalf("MAIL: %v", err)
	}
	for _, r := range rcpts {
		if err := c.Rcpt(r, nil); err != nil {
			t.Fatalf("RCPT %s: %v", r, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		t.Fatalf("DATA: %v", err)
	}
	if _, err := w.Write(msg); err != nil {
		t.Fatalf("write: %v", err)
	}
	got := map[string]error{}
	resp, err := w.CloseWithLMTPResponse()
	var lerr smtp.LMTPDataError
	switch {
	case errors.As(err, &lerr):
		for r, e := range lerr {
			got[r] = e
		}
	case err != nil:
		t.Fatalf("end of DATA: %v", err)
	}
	for r := range resp {
		got[r] = nil
	}
	if len(got) != len(rcpts) {
		t.Fatalf("%d statuses for %d recipients: %v", len(got), len(rcpts), got)
	}
	return got
}

func code(err error) int {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

func TestLMTPDelivers(t *testing.T) {
	store := newMemStore()
	addr := startListener(t, true, store, 1<<20)
	rcpts := []string{"desk+lovdata@konsortium.test", "desk@konsortium.test"}
	for r, err := range sendLMTP(t, addr, rcpts, listenerMessage) {
		if err != nil {
			t.Errorf("%s: %v", r, err)
		}
	}
	got := store.deliveries()
	if len(got) != 1 {
		t.Fatalf("stored %d messages, want 1", len(got))
	}
	d := got[0]
	if !bytes.Equal(d.Raw, listenerMessage) {
		t.Errorf("raw differs:\n%q\nwant\n%q", d.Raw, listenerMessage)
	}
	if d.Source != SourceLMTP || d.Mailbox != "" || !slices.Equal(d.Recipients, rcpts) {
		t.Errorf("delivery %q %q %v", d.Source, d.Mailbox, d.Recipients)
	}
}

func TestLMTPStoreErrorIsTemporary(t *testing.T) {
	store := newMemStore()
	store.failOn = func(int, Delivery) error { return errors.New("database is down") }
	addr := startListener(t, true, store, 1<<20)
	for r, err := range sendLMTP(t, addr, []string{"a@konsortium.test", "b@konsortium.test"}, listenerMessage) {
		if code(err) != 451 {
			t.Errorf("%s: %v, want 451", r, err)
		}
	}
}

func TestLMTPTooBig(t *testing.T) {
	store := newMemStore()
	addr := startListener(t, true, store, 100)
	for r, err := range sendLMTP(t, addr, []string{"desk@konsortium.test"}, listenerMessage) {
		if code(err) != 552 {
			t.Errorf("%s: %v, want 552", r, err)
		}
	}
	if store.calls != 0 {
		t.Errorf("Deliver called %d times for an oversized message", store.calls)
	}
}

func sendSMTP(t *testing.T, addr string, rcpts []string, msg []byte) error {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.SendMail("support@leverandor.test", rcpts, bytes.NewReader(msg))
}

func TestSMTP(t *testing.T) {
	store := newMemStore()
	addr := startListener(t, false, store, 1000)
	rcpts := []string{"desk@konsortium.test", "someone@elsewhere.example"}
	if err := sendSMTP(t, addr, rcpts, listenerMessage); err != nil {
		t.Fatalf("send: %v", err)
	}
	got := store.deliveries()
	if len(got) != 1 || !bytes.Equal(got[0].Raw, listenerMessage) || got[0].Source != SourceSMTP ||
		!slices.Equal(got[0].Recipients, rcpts) {
		t.Fatalf("deliveries %+v", got)
	}

	big := append(bytes.Clone(listenerMessage), strings.Repeat(strings.Repeat("x", 70)+"\r\n", 30)...)
	if err := sendSMTP(t, addr, rcpts, big); code(err) != 552 {
		t.Errorf("oversized: %v, want 552", err)
	}

	store.failOn = func(int, Delivery) error { return errors.New("database is down") }
	if err := sendSMTP(t, addr, rcpts, listenerMessage); code(err) != 451 {
		t.Errorf("store error: %v, want 451", err)
	}
	if len(store.deliveries()) != 1 {
		t.Errorf("stored %d messages, want still 1", len(store.deliveries()))
	}
}

func TestListenerStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	stop, addr, err := Listen(ctx, "127.0.0.1:0", false, newMemStore(), quiet, 0)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := stop(); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
		t.Fatalf("stop after cancel: %v", err)
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Fatal("listener still accepts connections after stop")
	}
}
