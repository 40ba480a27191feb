package server_test

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/cases"
	"github.com/samla-org/samla/internal/config"
	"github.com/samla-org/samla/internal/server"
)

// serve wires the desk as configured: mail delivered over SMTP to the
// listener lands on a case, from the configured desk address.
func TestStartDeskListensForMail(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	stop, err := server.StartDesk(ctx, s.svc, &config.Desk{SMTPListenAddr: addr}, "Konsortiet <post@konsortium.test>", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if s.svc.Cases.Address != "Konsortiet <post@konsortium.test>" {
		t.Errorf("desk address %q, want the mail sender when none is set", s.svc.Cases.Address)
	}
	raw := "From: kari@bibliotek.test\r\nTo: post@konsortium.test\r\nSubject: Via SMTP\r\nMessage-ID: <smtp1@bibliotek.test>\r\n\r\nHei\r\n"
	// A plain SMTP conversation, as a relay on the same network speaks it.
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SendMail("kari@bibliotek.test", []string{"post@konsortium.test"}, strings.NewReader(raw)); err != nil {
		t.Fatalf("send: %v", err)
	}
	staff := auth.Actor{UserID: s.user("staff@konsortium.test", auth.RoleStaff).ID, Role: auth.RoleStaff}
	deadline := time.Now().Add(5 * time.Second)
	for {
		items, err := s.svc.Cases.List(ctx, staff, cases.Filter{State: "all", Q: "smtp"})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) == 1 && items[0].Subject == "Via SMTP" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no case from the SMTP listener: %+v", items)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A malformed setting stops serve at start rather than failing later.
func TestStartDeskRefusesBadIMAPSettings(t *testing.T) {
	s := newSite(t)
	_, err := server.StartDesk(context.Background(), s.svc, &config.Desk{IMAPHost: "imap.example", IMAPTLS: "sometimes"}, "post@konsortium.test", slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "SAMLA_IMAP_TLS") {
		t.Errorf("err = %v, want one naming SAMLA_IMAP_TLS", err)
	}
}
