package mailstack

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
)

func token(t *testing.T) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func TestSendWaitForEmpty(t *testing.T) {
	s := FromEnv(t)
	s.Empty(t, SupportUser, SupportPassword)
	tok := token(t)
	raw := []byte("From: desk@konsortium.test\r\nTo: support+case@leverandor.test\r\nSubject: test " + tok +
		"\r\nMessage-ID: <" + tok + "@konsortium.test>\r\n\r\nHei " + tok + "\r\n")
	s.Send(t, DeskAddress, []string{"support+case@leverandor.test"}, raw)
	got := s.WaitFor(t, SupportUser, SupportPassword, func(b []byte) bool { return bytes.Contains(b, []byte("Hei "+tok)) }, 10*time.Second)
	if !bytes.Contains(got, []byte("Message-ID: <"+tok+"@konsortium.test>")) {
		t.Fatalf("fetched message lacks its Message-ID:\n%s", got)
	}

	s.Empty(t, SupportUser, SupportPassword)
	c := s.login(t, SupportUser, SupportPassword)
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages != 0 {
		t.Fatalf("after Empty the INBOX holds %d messages", sel.NumMessages)
	}
}

func TestIMAPSTrustsCA(t *testing.T) {
	s := FromEnv(t)
	c, err := imapclient.DialTLS(s.IMAPS, &imapclient.Options{TLSConfig: s.TLSConfig(t)})
	if err != nil {
		t.Fatalf("IMAPS with the stack's CA: %v", err)
	}
	defer c.Close()
	if err := c.Login(BibliotekUser, BibliotekPassword).Wait(); err != nil {
		t.Fatalf("login over IMAPS: %v", err)
	}
}
