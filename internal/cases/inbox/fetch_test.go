package inbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/mailstack"
)

var quiet = slog.New(slog.DiscardHandler)

func randomToken(t *testing.T) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// testMessage builds message n of a run; the second has a non-ASCII subject
// and an attachment.
func testMessage(tok string, n int) []byte {
	id := "<" + tok + "-" + strconv.Itoa(n) + "@leverandor.test>"
	head := "From: Support <support@leverandor.test>\r\nTo: desk+lovdata@konsortium.test\r\n" +
		"Message-ID: " + id + "\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n"
	if n != 2 {
		return []byte(head + "Subject: Test " + strconv.Itoa(n) + "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
			"Body " + tok + " " + strconv.Itoa(n) + "\r\n")
	}
	return []byte(head +
		"Subject: =?utf-8?q?Tilgang_til_Lovdata_=E2=80=93_f=C3=A5r_ikke_logget_inn_=C3=86=C3=98=C3=85?=\r\n" +
		"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
		"Hei! Biblioteket får ikke logget inn. Body " + tok + " 2\r\n" +
		"--b1\r\nContent-Type: application/pdf; name=\"faktura.pdf\"\r\n" +
		"Content-Disposition: attachment; filename=\"faktura.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		"JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSPj4Kc3RyZWFtCg==\r\n" +
		"--b1--\r\n")
}

// deliverThree empties desk's INBOX and sends three messages through
// Postfix, each after the one before has arrived so that UID order is send
// order. It returns them as Dovecot stores them.
func deliverThree(t *testing.T, s *mailstack.Stack) [][]byte {
	t.Helper()
	s.Empty(t, mailstack.DeskUser, mailstack.DeskPassword)
	tok := randomToken(t)
	var stored [][]byte
	for n := 1; n <= 3; n++ {
		stored = append(stored, sendAndWait(t, s, tok, n))
	}
	return stored
}

func sendAndWait(t *testing.T, s *mailstack.Stack, tok string, n int) []byte {
	t.Helper()
	s.Send(t, mailstack.SupportAddress, []string{"desk+lovdata@konsortium.test"}, testMessage(tok, n))
	want := []byte("Body " + tok + " " + strconv.Itoa(n))
	return s.WaitFor(t, mailstack.DeskUser, mailstack.DeskPassword,
		func(raw []byte) bool { return bytes.Contains(raw, want) }, 15*time.Second)
}

func deskConfig(t *testing.T, addr, mode string) Config {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	return Config{Host: host, Port: p, Username: mailstack.DeskUser, Password: mailstack.DeskPassword, TLS: mode}
}

func checkDelivered(t *testing.T, got []Delivery, want [][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("delivered %d messages, want %d", len(got), len(want))
	}
	for i, d := range got {
		if !bytes.Equal(d.Raw, want[i]) {
			t.Errorf("message %d: raw bytes differ from the server's:\n%q\nwant\n%q", i+1, d.Raw, want[i])
		}
		if d.Source != SourceIMAP || d.Mailbox != DefaultMailbox || d.UIDValidity == 0 {
			t.Errorf("message %d: source %q mailbox %q uidvalidity %d", i+1, d.Source, d.Mailbox, d.UIDValidity)
		}
		if i > 0 && d.UID <= got[i-1].UID {
			t.Errorf("message %d: UID %d not above the previous %d", i+1, d.UID, got[i-1].UID)
		}
	}
}

func TestFetchDeliversNewMailInOrderOnce(t *testing.T) {
	s := mailstack.FromEnv(t)
	want := deliverThree(t, s)
	if !bytes.Contains(want[1], []byte("faktura.pdf")) {
		t.Fatal("the attachment did not survive Postfix")
	}
	store := newMemStore()
	f := &Fetcher{Config: deskConfig(t, s.IMAP, TLSNone), Store: store, Log: quiet}
	ctx := context.Background()

	n, err := f.RunOnce(ctx)
	if err != nil || n != 3 {
		t.Fatalf("first run: delivered %d, err %v; want 3, nil", n, err)
	}
	checkDelivered(t, store.deliveries(), want)

	n, err = f.RunOnce(ctx)
	if err != nil || n != 0 {
		t.Fatalf("second run: delivered %d, err %v; want 0, nil", n, err)
	}

	fourth := sendAndWait(t, s, randomToken(t), 4)
	n, err = f.RunOnce(ctx)
	if err != nil || n != 1 {
		t.Fatalf("run after a new mail: delivered %d, err %v; want 1, nil", n, err)
	}
	checkDelivered(t, store.deliveries(), append(want, fourth))
	if store.calls != 4 {
		t.Errorf("Deliver called %d times, want 4", store.calls)
	}
}

func TestFetchStopsAtStoreErrorAndResumes(t *testing.T) {
	s := mailstack.FromEnv(t)
	want := deliverThree(t, s)
	store := newMemStore()
	boom := errors.New("database is down")
	store.failOn = func(call int, _ Delivery) error {
		if call == 2 {
			return boom
		}
		return nil
	}
	f := &Fetcher{Config: deskConfig(t, s.IMAP, TLSNone), Store: store, Log: quiet}

	n, err := f.RunOnce(context.Background())
	if !errors.Is(err, boom) || n != 1 {
		t.Fatalf("failing run: delivered %d, err %v; want 1 and the store's error", n, err)
	}
	n, err = f.RunOnce(context.Background())
	if err != nil || n != 2 {
		t.Fatalf("next run: delivered %d, err %v; want 2, nil", n, err)
	}
	checkDelivered(t, store.deliveries(), want)
	got := store.deliveries()
	wantUIDs := []uint32{got[0].UID, got[1].UID, got[2].UID}
	if !slices.Equal(store.uids, wantUIDs) {
		t.Errorf("successful deliveries by UID %v, want each once: %v", store.uids, wantUIDs)
	}
}

func TestFetchRereadsAfterUIDValidityChange(t *testing.T) {
	s := mailstack.FromEnv(t)
	want := deliverThree(t, s)
	first := newMemStore()
	f := &Fetcher{Config: deskConfig(t, s.IMAP, TLSNone), Store: first, Log: quiet}
	if n, err := f.RunOnce(context.Background()); err != nil || n != 3 {
		t.Fatalf("first run: %d, %v", n, err)
	}
	validity, last, _ := first.Position(context.Background(), DefaultMailbox)

	// A position far beyond the last UID, under another UIDVALIDITY: the
	// mailbox was rebuilt, so everything must be read again.
	changed := newMemStore()
	changed.setPosition(DefaultMailbox, validity+7, last+1000)
	f.Store = changed
	n, err := f.RunOnce(context.Background())
	if err != nil || n != 3 {
		t.Fatalf("run after UIDVALIDITY change: delivered %d, err %v; want 3, nil", n, err)
	}
	checkDelivered(t, changed.deliveries(), want)

	// The same position under the right UIDVALIDITY means nothing is new.
	same := newMemStore()
	same.setPosition(DefaultMailbox, validity, last+1000)
	f.Store = same
	if n, err := f.RunOnce(context.Background()); err != nil || n != 0 {
		t.Fatalf("run with the current UIDVALIDITY: delivered %d, err %v; want 0, nil", n, err)
	}
}

func TestFetchOverTLS(t *testing.T) {
	s := mailstack.FromEnv(t)
	want := deliverThree(t, s)
	for _, tc := range []struct {
		name, addr, mode string
	}{
		{"implicit", s.IMAPS, TLSImplicit},
		{"starttls", s.IMAP, TLSStart},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := deskConfig(t, tc.addr, tc.mode)
			cfg.CAFile = s.CAFile
			store := newMemStore()
			n, err := (&Fetcher{Config: cfg, Store: store, Log: quiet}).RunOnce(context.Background())
			if err != nil || n != 3 {
				t.Fatalf("delivered %d, err %v; want 3, nil", n, err)
			}
			checkDelivered(t, store.deliveries(), want)

			cfg.CAFile = ""
			_, err = (&Fetcher{Config: cfg, Store: newMemStore(), Log: quiet}).RunOnce(context.Background())
			if err == nil || !strings.Contains(err.Error(), "certificate") {
				t.Fatalf("without the CA: err %v, want a certificate error", err)
			}
		})
	}
}

func TestFetchWrongPassword(t *testing.T) {
	s := mailstack.FromEnv(t)
	cfg := deskConfig(t, s.IMAP, TLSNone)
	cfg.Password = "wrong"
	store := newMemStore()
	n, err := (&Fetcher{Config: cfg, Store: store, Log: quiet}).RunOnce(context.Background())
	if err == nil || n != 0 {
		t.Fatalf("delivered %d, err %v; want 0 and an error", n, err)
	}
	if msg := err.Error(); !strings.Contains(msg, `login as "desk"`) || strings.Contains(msg, "wrong") {
		t.Errorf("error %q should name the login and user but not the password", msg)
	}
	if store.calls != 0 {
		t.Errorf("Deliver called %d times", store.calls)
	}
}

func TestRunPollsUntilCancelled(t *testing.T) {
	s := mailstack.FromEnv(t)
	deliverThree(t, s)
	store := newMemStore()
	f := &Fetcher{Config: deskConfig(t, s.IMAP, TLSNone), Store: store, Log: quiet}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.Run(ctx, 50*time.Millisecond); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for len(store.deliveries()) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("Run delivered %d of 3 in 10s", len(store.deliveries()))
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	store.mu.Lock()
	defer store.mu.Unlock()
	if store.calls != 3 {
		t.Errorf("Deliver called %d times while polling, want 3", store.calls)
	}
}
