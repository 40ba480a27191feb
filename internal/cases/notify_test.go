package cases_test

import (
	"context"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/i18n"
)

// Followers hear of new mail in their language; an out-of-office does not
// wake them, and the sender is never told anything.
func TestFollowersAreToldOfNewMail(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	w.Svc.Catalog = cat
	if _, err := w.DB.NewRaw(`UPDATE users SET locale = 'sv' WHERE id = ?`, w.Staff.UserID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	c := w.ingest(t, mailText([]string{"From: kari@bibliotek.test", "To: post@konsortium.test", "Subject: Hjelp", "Message-ID: <n1@bibliotek.test>"}, "Første"))
	if err := w.Svc.Follow(ctx, w.Staff, c.CaseID, true); err != nil {
		t.Fatal(err)
	}
	w.ingest(t, mailText([]string{"From: Kari <kari@bibliotek.test>", "To: post@konsortium.test", "Subject: Re: Hjelp",
		"Message-ID: <n2@bibliotek.test>", "In-Reply-To: <n1@bibliotek.test>"}, "Andre melding"))
	w.ingest(t, mailText([]string{"From: kari@bibliotek.test", "To: post@konsortium.test", "Subject: Frånvaro",
		"Auto-Submitted: auto-replied", "Message-ID: <n3@bibliotek.test>", "In-Reply-To: <n2@bibliotek.test>"}, "Borte"))

	var notices []struct {
		ToAddr  string `bun:"to_addr"`
		Subject string `bun:"subject"`
		Body    string `bun:"body"`
	}
	if err := w.DB.NewSelect().Table("mail_outbox").Column("to_addr", "subject", "body").Scan(ctx, &notices); err != nil {
		t.Fatal(err)
	}
	if len(notices) != 1 {
		t.Fatalf("%d notices, want 1 (to the follower, for the second mail only): %+v", len(notices), notices)
	}
	n := notices[0]
	if n.ToAddr != w.Staff.Email || !strings.HasPrefix(n.Subject, "Nytt e-postmeddelande i ärende #") {
		t.Errorf("notice to %s: %q", n.ToAddr, n.Subject)
	}
	if !strings.Contains(n.Body, "Kari <kari@bibliotek.test> skrev i ärende") || !strings.Contains(n.Body, "\n\nAndre melding\n\n") {
		t.Errorf("body:\n%s", n.Body)
	}
}
