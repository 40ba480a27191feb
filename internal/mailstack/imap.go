package mailstack

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// login opens a plain IMAP session as user; it is closed when t ends.
func (s *Stack) login(t testing.TB, user, password string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(s.IMAP, nil)
	if err != nil {
		t.Fatalf("connect to dovecot at %s: %v", s.IMAP, err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(user, password).Wait(); err != nil {
		t.Fatalf("IMAP login as %s: %v", user, err)
	}
	return c
}

// WaitFor polls user's INBOX until a message for which match is true arrives,
// and returns it exactly as the IMAP server stores it. It fails t after timeout.
func (s *Stack) WaitFor(t testing.TB, user, password string, match func(raw []byte) bool, timeout time.Duration) []byte {
	t.Helper()
	c := s.login(t, user, password)
	defer c.Logout()
	deadline := time.Now().Add(timeout)
	body := &imap.FetchItemBodySection{Peek: true}
	for {
		// A fresh SELECT each round sees what arrived since the last one.
		sel, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait()
		if err != nil {
			t.Fatalf("select %s's INBOX: %v", user, err)
		}
		if sel.NumMessages > 0 {
			var all imap.SeqSet
			all.AddRange(1, 0)
			msgs, err := c.Fetch(all, &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{body}}).Collect()
			if err != nil {
				t.Fatalf("fetch %s's INBOX: %v", user, err)
			}
			for _, m := range msgs {
				if raw := m.FindBodySection(body); raw != nil && match(raw) {
					return raw
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no matching message reached %s's INBOX within %v (%d messages there)", user, timeout, sel.NumMessages)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Empty deletes every message in user's INBOX, so a test starts clean.
func (s *Stack) Empty(t testing.TB, user, password string) {
	t.Helper()
	c := s.login(t, user, password)
	defer c.Logout()
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatalf("select %s's INBOX: %v", user, err)
	}
	if sel.NumMessages == 0 {
		return
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	flags := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}
	if err := c.Store(all, flags, nil).Close(); err != nil {
		t.Fatalf("flag %s's messages deleted: %v", user, err)
	}
	if err := c.Expunge().Close(); err != nil {
		t.Fatalf("expunge %s's INBOX: %v", user, err)
	}
}
