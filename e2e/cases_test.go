package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/cases/inbox"
	"github.com/samla-org/samla/internal/config"
	samlamail "github.com/samla-org/samla/internal/mail"
	"github.com/samla-org/samla/internal/mailstack"
	"github.com/samla-org/samla/internal/members"
)

// The e2e test's own mailboxes on the stack (other packages use desk,
// support and bibliotek at the same time).
const (
	e2eDesk, e2eDeskPass       = "e2edesk", "e2edeskpass"
	e2eVendor, e2eVendorPass   = "e2esupport", "e2esupportpass"
	e2eLibrary, e2eLibraryPass = "e2ebibliotek", "e2ebibliotekpass"
	e2eDeskAddr                = "e2edesk@konsortium.test"
	e2eVendorAddr              = "e2esupport@leverandor.test"
	e2eLibraryAddr             = "e2ebibliotek@bibliotek.test"
)

// Scenario (case desk issue, "Done when"), against a real Postfix and
// Dovecot: a mail sent by a test client to the consortium's mailbox becomes
// a case; a library → vendor mail with the consortium on copy becomes a
// case with both linked; a reply written in Samla reaches the vendor's
// mailbox with headers that thread; the vendor's answer threads back into
// the same case.
func TestCaseDeskDoneWhen(t *testing.T) {
	stack := mailstack.FromEnv(t)
	p := start(t)
	ctx := context.Background()
	for _, mb := range [][2]string{{e2eDesk, e2eDeskPass}, {e2eVendor, e2eVendorPass}, {e2eLibrary, e2eLibraryPass}} {
		stack.Empty(t, mb[0], mb[1])
	}

	// The registry: Bergen's contact writes from the library's mailbox; the
	// vendor is known by its mail domain.
	svc := p.svc
	libs, _, err := svc.Members.List(ctx, auth.System, members.Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var bergen int64
	for _, l := range libs {
		if l.Name == "Bergen offentlige bibliotek" {
			bergen = l.ID
		}
	}
	if _, err := svc.Members.AddContact(ctx, auth.System, bergen, members.ContactInput{Name: "Kari Nordmann", Email: e2eLibraryAddr, Role: members.ContactPrimary}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DB.NewRaw(`INSERT INTO vendors (name, country, mail_domains, created_at, updated_at) VALUES ('Leverandøren AS', 'NO', 'leverandor.test', ?, ?)`,
		time.Now(), time.Now()).Exec(ctx); err != nil {
		t.Fatal(err)
	}

	// Samla as it runs in production: the desk's mailbox fetched over IMAPS
	// (trusting the stack's CA), replies sent over SMTP by the outbox worker.
	svc.Cases.Address = "Konsortiet <" + e2eDeskAddr + ">"
	svc.Cases.PlusAddressing = true
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	host, port := splitHostPort(t, stack.IMAPS)
	fetcher := &inbox.Fetcher{Store: svc.Cases, Log: log, Config: inbox.Config{Host: host, Port: port, Username: e2eDesk,
		Password: e2eDeskPass, TLS: inbox.TLSImplicit, CAFile: stack.CAFile}}
	runCtx, stopRun := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); fetcher.Run(runCtx, 300*time.Millisecond) }()
	t.Cleanup(func() { stopRun(); <-done })
	smtpHost, smtpPort := splitHostPort(t, stack.SMTP)
	stopMail, err := samlamail.Start(runCtx, svc.DB, &config.Mail{Host: smtpHost, Port: smtpPort, TLS: config.TLSNone, From: svc.Cases.Address}, log, 300*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stopMail)
	p.login()

	// 1. A mail from a test client to the consortium's mailbox becomes a case.
	stack.Send(t, "ukjent@example.org", []string{e2eDeskAddr}, []byte(rfc5322(
		"Ola Låner <ukjent@example.org>", e2eDeskAddr, "", "Spørsmål om fjerntilgang", "<q1@example.org>", "",
		"Hei! Hvordan logger jeg på hjemmefra?")))
	first := p.waitForCase("Spørsmål om fjerntilgang")
	p.open(fmt.Sprintf("/cases/%d", first))
	p.waitText("#thread", textHas("Hvordan logger jeg på hjemmefra?"))

	// 2. The library writes to the vendor with the consortium on copy.
	libMsgID := "<lib-1@bibliotek.test>"
	stack.Send(t, e2eLibraryAddr, []string{e2eVendorAddr, e2eDeskAddr}, []byte(rfc5322(
		"Kari Nordmann <"+e2eLibraryAddr+">", e2eVendorAddr, "Konsortiet <"+e2eDeskAddr+">",
		"Avisarkivet virker ikke på filialen", libMsgID, "", "Hei! Lånerne på filialen får «ingen tilgang» siden mandag.")))
	second := p.waitForCase("Avisarkivet virker ikke på filialen")
	if second == first {
		t.Fatalf("the library's mail joined case %d", first)
	}
	p.open(fmt.Sprintf("/cases/%d", second))
	facts := p.text(".facts")
	if !strings.Contains(facts, "Bergen offentlige bibliotek") || !strings.Contains(facts, "Leverandøren AS") {
		p.fatal("case facts %q: want the library and the vendor linked", facts)
	}
	people := p.text("#people")
	if !strings.Contains(people, e2eLibraryAddr) || !strings.Contains(people, e2eVendorAddr) {
		p.fatal("participants %q: want the library contact and the vendor", people)
	}

	// 3. A reply written in Samla goes to the library and the vendor.
	if to, cc := p.value(`#reply input[name="to"]`), p.value(`#reply input[name="cc"]`); to != e2eLibraryAddr || cc != e2eVendorAddr {
		p.fatal("reply to %q cc %q: want the library, the vendor on copy", to, cc)
	}
	p.set("#reply-text", "Hei! Vi har meldt feilen til leverandøren og følger saken.")
	p.set(`#reply select[name="state"]`, "waiting_vendor")
	p.click(`#reply button[type="submit"]`)
	p.waitText("#thread", textHas("Vi har meldt feilen til leverandøren"))

	token := fmt.Sprintf("[Samla #%d]", second)
	raw := stack.WaitFor(t, e2eVendor, e2eVendorPass, subjectHas(token), 30*time.Second)
	got, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatalf("vendor's copy does not parse: %v", err)
	}
	h := got.Header
	ourID := h.Get("Message-ID")
	if !regexp.MustCompile(fmt.Sprintf(`^<samla\.c%d\.[A-Za-z0-9_-]+\.[0-9a-f]{16}@konsortium\.test>$`, second)).MatchString(ourID) {
		t.Errorf("Message-ID %q: want Samla's signed id for case %d", ourID, second)
	}
	if h.Get("In-Reply-To") != libMsgID || !strings.Contains(h.Get("References"), libMsgID) {
		t.Errorf("In-Reply-To %q, References %q: want the library's %s", h.Get("In-Reply-To"), h.Get("References"), libMsgID)
	}
	if subj, _ := new(mime.WordDecoder).DecodeHeader(h.Get("Subject")); !strings.Contains(subj, token) || !strings.HasPrefix(subj, "Re: ") {
		t.Errorf("subject %q: want Re: and %s", subj, token)
	}
	if h.Get("Auto-Submitted") != "" {
		t.Errorf("a person's reply is marked Auto-Submitted: %q (vendors' desks would not answer it)", h.Get("Auto-Submitted"))
	}
	if !strings.Contains(h.Get("Cc"), e2eVendorAddr) && !strings.Contains(h.Get("To"), e2eVendorAddr) {
		t.Errorf("the vendor is neither To nor Cc: To %q Cc %q", h.Get("To"), h.Get("Cc"))
	}
	replyTo, err := mail.ParseAddress(h.Get("Reply-To"))
	if err != nil || !strings.HasPrefix(replyTo.Address, fmt.Sprintf("e2edesk+c%d.", second)) {
		t.Errorf("Reply-To %q: want the desk's signed plus-address", replyTo)
	}
	stack.WaitFor(t, e2eLibrary, e2eLibraryPass, subjectHas(token), 30*time.Second)

	// 4. The vendor answers in its mail client, which rewrites the subject
	// (as some help desks do) and replies to all: it threads back.
	stack.Send(t, e2eVendorAddr, []string{e2eLibraryAddr, e2eDeskAddr}, []byte(rfc5322(
		"Leverandøren support <"+e2eVendorAddr+">", e2eLibraryAddr, "Konsortiet <"+e2eDeskAddr+">",
		"SV: Saken deres er registrert", "<ven-1@leverandor.test>", libMsgID+" "+ourID,
		"Vi har rettet IP-listen. Prøv igjen nå.")))
	p.open(fmt.Sprintf("/cases/%d", second))
	for !strings.Contains(p.text("#thread"), "Vi har rettet IP-listen") {
		time.Sleep(300 * time.Millisecond)
		p.open(fmt.Sprintf("/cases/%d", second))
	}
	if !p.exists(".facts .state-open") {
		p.fatal("the vendor's answer did not reopen the waiting case: %q", p.text(".facts"))
	}
	p.open("/cases?state=all")
	if n := p.count(`table tbody tr`); n != 2 {
		p.fatal("%d cases listed, want 2: the vendor's answer must not open a third", n)
	}
}

// waitForCase reloads the case list until a case with subject shows, and
// returns its number.
func (p *page) waitForCase(subject string) int64 {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		p.open("/cases?state=all")
		if href := p.linkWithText(subject); href != "" {
			var id int64
			if _, err := fmt.Sscanf(href, "/cases/%d", &id); err == nil {
				return id
			}
		}
		if time.Now().After(deadline) {
			p.fatal("no case %q after 30 s", subject)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// linkWithText is the href of the first link whose text is text, or "".
func (p *page) linkWithText(text string) string {
	p.t.Helper()
	href, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`(Array.from(document.querySelectorAll("a")).find(a => a.textContent.trim() === `+jsString(text)+`) || {getAttribute: () => ""}).getAttribute("href") || ""`))
	if err != nil {
		p.fatal("link %q: %v", text, err)
	}
	return href
}

// subjectHas matches a raw mail whose decoded subject contains s.
func subjectHas(s string) func([]byte) bool {
	return func(raw []byte) bool {
		m, err := mail.ReadMessage(strings.NewReader(string(raw)))
		if err != nil {
			return false
		}
		subj, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		return err == nil && strings.Contains(subj, s)
	}
}

func splitHostPort(t *testing.T, addr string) (string, int) {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("address %q: %v", addr, err)
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		t.Fatalf("port of %q: %v", addr, err)
	}
	return host, n
}

// rfc5322 writes a plain-text mail as a mail client would. refs is the
// References header (oldest first); its last id is the In-Reply-To.
func rfc5322(from, to, cc, subject, msgID, refs, body string) string {
	h := []string{"From: " + from, "To: " + to}
	if cc != "" {
		h = append(h, "Cc: "+cc)
	}
	h = append(h, "Subject: "+mime.QEncoding.Encode("utf-8", subject), "Message-ID: "+msgID, "Date: "+time.Now().Format(time.RFC1123Z))
	if ids := strings.Fields(refs); len(ids) > 0 {
		h = append(h, "References: "+strings.Join(ids, " "), "In-Reply-To: "+ids[len(ids)-1])
	}
	h = append(h, "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit")
	return strings.Join(h, "\r\n") + "\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n") + "\r\n"
}
