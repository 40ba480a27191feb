package cases_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/cases"
)

// A library writes to the vendor with the desk on copy: one case, with the
// library and the vendor (and its only product) recognised from the
// addresses, and everyone on it as a participant.
func TestLibraryToVendorWithDeskOnCopy(t *testing.T) {
	w := newWorld(t)
	got := w.ingest(t, mailText([]string{
		"From: Kari Nordmann <kari@bibliotek.test>",
		"To: Support <help@leverandor.test>",
		"Cc: Konsortiet <post@konsortium.test>",
		"Subject: =?utf-8?q?SV:_Innlogging_virker_ikke_p=C3=A5_filialen?=",
		"Message-ID: <lib-1@bibliotek.test>",
		"Date: Mon, 2 Nov 2026 08:00:00 +0100",
	}, "Hei, innloggingen feiler fra IP-ene våre."))
	if !got.NewCase || got.Rule != cases.RuleNew {
		t.Fatalf("got %+v, want a new case", got)
	}
	d := w.detail(t, got.CaseID)
	c := d.Case
	if c.Subject != "Innlogging virker ikke på filialen" {
		t.Errorf("subject %q: the Nordic reply prefix should be stripped", c.Subject)
	}
	if c.LibraryID == nil || *c.LibraryID != w.LibraryID {
		t.Errorf("library %v, want %d (from the contact's address)", c.LibraryID, w.LibraryID)
	}
	if c.VendorID == nil || *c.VendorID != w.VendorID {
		t.Errorf("vendor %v, want %d (from the vendor's mail domain)", c.VendorID, w.VendorID)
	}
	if c.ProductID == nil || *c.ProductID != w.ProductID {
		t.Errorf("product %v, want the vendor's only product %d", c.ProductID, w.ProductID)
	}
	kinds := map[string]string{}
	for _, p := range d.Participants {
		kinds[p.Email] = p.Kind
	}
	if kinds["kari@bibliotek.test"] != cases.PartLibrary || kinds["help@leverandor.test"] != cases.PartVendor || len(kinds) != 2 {
		t.Errorf("participants %v: want the library contact and the vendor, never the desk itself", kinds)
	}

	// The vendor answers the library only (the desk is not on copy of
	// this one, but the library forwards it): it threads by In-Reply-To.
	reply := w.ingest(t, mailText([]string{
		"From: help@leverandor.test",
		"To: kari@bibliotek.test",
		"Cc: post@konsortium.test",
		"Subject: RE: SV: Innlogging virker ikke på filialen",
		"Message-ID: <ven-1@leverandor.test>",
		"In-Reply-To: <lib-1@bibliotek.test>",
		"References: <lib-1@bibliotek.test>",
	}, "Vi ser på det."))
	if reply.CaseID != got.CaseID || reply.Rule != cases.RuleInReplyTo {
		t.Fatalf("vendor's answer: %+v, want case %d by in_reply_to", reply, got.CaseID)
	}
}

// The same mail arriving twice (to two of the desk's addresses) is stored
// once.
func TestDuplicateMessageIsStoredOnce(t *testing.T) {
	w := newWorld(t)
	raw := fixture(t, "thread/01-original.eml")
	a := w.ingest(t, raw)
	b := w.ingest(t, strings.Replace(raw, "To: Mary Smith <mary@example.net>", "To: Mary Smith <mary@example.net>\r\nDelivered-To: post@konsortium.test", 1))
	if !b.Duplicate || b.CaseID != a.CaseID {
		t.Fatalf("second copy: %+v, want a duplicate of case %d", b, a.CaseID)
	}
	if n := len(w.detail(t, a.CaseID).Messages); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
	// Mail without a Message-ID is named by its bytes.
	noID := fixture(t, "malformed/missing-final-boundary-mixed-eol.eml")
	x, y := w.ingest(t, noID), w.ingest(t, noID)
	if x.Duplicate || !y.Duplicate || x.CaseID != y.CaseID {
		t.Errorf("mail without id twice: %+v then %+v", x, y)
	}
}

// The real three-mail thread threads by In-Reply-To.
func TestRealThreadByInReplyTo(t *testing.T) {
	w := newWorld(t)
	first := w.ingest(t, fixture(t, "thread/01-original.eml"))
	second := w.ingest(t, fixture(t, "thread/02-reply.eml"))
	third := w.ingest(t, fixture(t, "thread/03-reply-to-reply.eml"))
	if second.CaseID != first.CaseID || third.CaseID != first.CaseID {
		t.Fatalf("cases %d, %d, %d: want one", first.CaseID, second.CaseID, third.CaseID)
	}
	if second.Rule != cases.RuleInReplyTo || third.Rule != cases.RuleInReplyTo {
		t.Errorf("rules %s, %s", second.Rule, third.Rule)
	}
}

// The desk was put on copy late: it first sees the third mail, whose
// References name the first two. The second, forwarded later, must join
// that case, not open a duplicate: every id in References is indexed.
func TestReferencesFromBeforeTheDeskWasOnCopy(t *testing.T) {
	w := newWorld(t)
	third := w.ingest(t, fixture(t, "thread/03-reply-to-reply.eml"))
	second := w.ingest(t, fixture(t, "thread/02-reply.eml"))
	if second.NewCase || second.CaseID != third.CaseID {
		t.Fatalf("%+v: want case %d", second, third.CaseID)
	}
	// Only References (no In-Reply-To) still threads, newest first.
	refOnly := w.ingest(t, mailText([]string{"From: jdoe@machine.example", "To: post@konsortium.test",
		"Subject: noe helt annet", "Message-ID: <late@machine.example>",
		"References: <unknown@nowhere.example> <3456@example.net>"}, "..."))
	if refOnly.CaseID != third.CaseID || refOnly.Rule != cases.RuleReferences {
		t.Errorf("%+v: want case %d by references", refOnly, third.CaseID)
	}
}

// A reply to Samla's own signed Message-ID threads even when the mail
// client rewrote the subject and dropped References; a forged id does not.
func TestSignedReferences(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	c := w.ingest(t, mailText([]string{"From: kari@bibliotek.test", "To: post@konsortium.test", "Subject: Faktura", "Message-ID: <f1@bibliotek.test>"}, "Hei"))
	sent, err := w.Svc.Reply(ctx, w.Staff, c.CaseID, cases.ReplyInput{Body: "Vi ser på saken."})
	if err != nil {
		t.Fatal(err)
	}
	ourID := "<" + *sent.MessageID + ">"
	back := w.ingest(t, mailText([]string{"From: someone@elsewhere.example", "To: post@konsortium.test", "Subject: helt nytt emne",
		"Message-ID: <x1@elsewhere.example>", "In-Reply-To: " + ourID}, "svar"))
	if back.CaseID != c.CaseID || back.Rule != cases.RuleSigned {
		t.Fatalf("%+v: want case %d by signed id", back, c.CaseID)
	}
	// The same shape with the MAC changed is not ours: a new case.
	forged := strings.Replace(ourID, ".", ".0", 1)
	f := w.ingest(t, mailText([]string{"From: someone@elsewhere.example", "To: post@konsortium.test", "Subject: forsøk",
		"Message-ID: <x2@elsewhere.example>", "In-Reply-To: " + forged}, "svar"))
	if !f.NewCase {
		t.Errorf("forged reference %s: %+v, want a new case", forged, f)
	}
}

// A subject token joins the case only when the sender takes part in it;
// from a stranger it opens a new case linked to the one named.
func TestSubjectTokenNeedsAParticipant(t *testing.T) {
	w := newWorld(t)
	c := w.ingest(t, mailText([]string{"From: kari@bibliotek.test", "To: post@konsortium.test", "Subject: Tilgang", "Message-ID: <t1@bibliotek.test>"}, "Hei"))
	token := "[Samla #" + itoa(c.CaseID) + "]"
	own := w.ingest(t, mailText([]string{"From: Kari <KARI@bibliotek.test>", "To: post@konsortium.test", "Subject: Sv: Tilgang " + token, "Message-ID: <t2@bibliotek.test>"}, "mer"))
	if own.CaseID != c.CaseID || own.Rule != cases.RuleSubjectToken {
		t.Fatalf("participant's token: %+v", own)
	}
	stranger := w.ingest(t, mailText([]string{"From: mallory@evil.example", "To: post@konsortium.test", "Subject: " + token + " klikk her", "Message-ID: <t3@evil.example>"}, "spam"))
	if !stranger.NewCase {
		t.Fatalf("stranger's token joined case %d", stranger.CaseID)
	}
	d := w.detail(t, stranger.CaseID)
	if d.Case.LinkedCaseID == nil || *d.Case.LinkedCaseID != c.CaseID {
		t.Errorf("stranger's case links to %v, want %d", d.Case.LinkedCaseID, c.CaseID)
	}
	if n := len(w.detail(t, c.CaseID).Messages); n != 2 {
		t.Errorf("original case has %d messages, want 2", n)
	}
}

// The vendor's own ticket number threads its mail, and is kept on the case.
func TestVendorTicketNumber(t *testing.T) {
	w := newWorld(t)
	a := w.ingest(t, mailText([]string{"From: noreply@tickets.leverandor.test", "To: post@konsortium.test",
		"Subject: [SR-12345] Sak opprettet", "Message-ID: <sr1@tickets.leverandor.test>"}, "Takk"))
	if !a.NewCase {
		t.Fatal("first mail should open a case")
	}
	if ref := w.detail(t, a.CaseID).Case.VendorRef; ref != "12345" {
		t.Errorf("vendor ref %q, want 12345", ref)
	}
	b := w.ingest(t, mailText([]string{"From: agent@leverandor.test", "To: post@konsortium.test",
		"Subject: Oppdatering [SR-12345]", "Message-ID: <sr2@leverandor.test>"}, "Løst"))
	if b.CaseID != a.CaseID || b.Rule != cases.RuleVendorRef {
		t.Errorf("%+v: want case %d by vendor_ref", b, a.CaseID)
	}
}

// Solved cases reopen on a reply; a case closed long ago gets a new,
// linked case instead.
func TestReopenOrLinkClosedCases(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	c := w.ingest(t, mailText([]string{"From: kari@bibliotek.test", "To: post@konsortium.test", "Subject: Gammel sak", "Message-ID: <o1@bibliotek.test>"}, "Hei"))
	setState(t, w, c.CaseID, cases.StateSolved)
	r := w.ingest(t, mailText([]string{"From: kari@bibliotek.test", "To: post@konsortium.test", "Subject: Re: Gammel sak",
		"Message-ID: <o2@bibliotek.test>", "In-Reply-To: <o1@bibliotek.test>"}, "Det virker ikke likevel"))
	if r.CaseID != c.CaseID {
		t.Fatalf("reply to a solved case went to %d", r.CaseID)
	}
	if st := w.detail(t, c.CaseID).Case.State; st != cases.StateOpen {
		t.Errorf("state %s, want open again", st)
	}
	setState(t, w, c.CaseID, cases.StateClosed)
	w.advance(45 * 24 * time.Hour)
	late := w.ingest(t, mailText([]string{"From: kari@bibliotek.test", "To: post@konsortium.test", "Subject: Re: Gammel sak",
		"Message-ID: <o3@bibliotek.test>", "In-Reply-To: <o2@bibliotek.test>"}, "Nå igjen"))
	if !late.NewCase {
		t.Fatalf("mail to a case closed 45 days ago joined it: %+v", late)
	}
	d, err := w.Svc.Detail(ctx, w.Staff, late.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Case.LinkedCaseID == nil || *d.Case.LinkedCaseID != c.CaseID {
		t.Errorf("new case links to %v, want %d", d.Case.LinkedCaseID, c.CaseID)
	}
}

func setState(t *testing.T, w *world, id int64, state string) {
	t.Helper()
	ctx := context.Background()
	c, err := w.Svc.Case(ctx, w.Staff, id)
	if err != nil {
		t.Fatal(err)
	}
	in := cases.InputFrom(c)
	in.State = state
	if _, err := w.Svc.Update(ctx, w.Staff, id, in); err != nil {
		t.Fatal(err)
	}
}

// Out-of-office replies and bounces are stored on the case but change
// nothing and are never answered: the desk sends no mail of its own.
func TestAutoRepliesAndBouncesAreStoredNotAnswered(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	// Real out-of-office mails from the corpus: each lands somewhere,
	// classified, and the outbox stays empty.
	for _, name := range []string{"auto-reply/rfc3834-vacation-auto-submitted.eml", "auto-reply/gmail-x-autoreply.eml",
		"auto-reply/exchange-automatic-reply-windows-1252.eml", "auto-reply/mimecast-autoresponse-precedence-bulk.eml",
		"auto-reply/icloud-vacation-in-reply-to.eml", "bounce/postfix-dsn.eml", "bulk/mailchimp-list-id-unsubscribe.eml"} {
		got := w.ingest(t, fixture(t, name))
		if got.Auto == "" {
			t.Errorf("%s: not classified as automatic", name)
		}
	}
	n, err := w.DB.NewSelect().Table("mail_outbox").Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d mails queued in reply to automatic mail, want 0", n)
	}

	// A waiting case stays waiting when an out-of-office answers.
	c := w.ingest(t, mailText([]string{"From: kari@bibliotek.test", "To: post@konsortium.test", "Subject: Venter", "Message-ID: <w1@bibliotek.test>"}, "Hei"))
	setState(t, w, c.CaseID, cases.StateWaitingLibrary)
	ooo := w.ingest(t, mailText([]string{"From: kari@bibliotek.test", "To: post@konsortium.test", "Subject: Fravær: Venter",
		"Auto-Submitted: auto-replied", "Message-ID: <w2@bibliotek.test>", "In-Reply-To: <w1@bibliotek.test>"}, "Jeg er på ferie."))
	if ooo.CaseID != c.CaseID || ooo.Auto != "auto_reply" {
		t.Fatalf("%+v", ooo)
	}
	if st := w.detail(t, c.CaseID).Case.State; st != cases.StateWaitingLibrary {
		t.Errorf("state %s after an out-of-office, want still waiting_library", st)
	}
}

// A bounce threads into the case of the mail that bounced, by the
// Message-ID in the returned headers.
func TestBounceThreadsByReturnedMessage(t *testing.T) {
	w := newWorld(t)
	orig := w.ingest(t, mailText([]string{"From: kari@bibliotek.test", "To: post@konsortium.test", "Subject: Møte",
		"Message-ID: <CAByYQsF5qdTf_h-1AAVPW0RgR1YN+LE=+0Uv9LpQ4aA_myPtCw@mail.gmail.com>"}, "Hei"))
	b := w.ingest(t, fixture(t, "bounce/gmail-dsn-multipart-report.eml"))
	if b.CaseID != orig.CaseID || b.Auto != "bounce" {
		t.Fatalf("bounce: %+v, want case %d", b, orig.CaseID)
	}
	if b.Rule != cases.RuleBounce && b.Rule != cases.RuleInReplyTo && b.Rule != cases.RuleReferences {
		t.Errorf("rule %s", b.Rule)
	}
}

// Malformed and oversized mail is kept, raw, on a case with a note.
func TestBrokenAndOversizedMailIsKept(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	raw := fixture(t, "malformed/multipart-report-without-boundary.eml")
	got := w.ingest(t, raw)
	stored, err := w.Svc.RawMail(ctx, w.Staff, got.CaseID, got.MessageID)
	if err != nil || string(stored) != raw {
		t.Fatalf("raw mail not kept byte for byte: %v", err)
	}

	w.Svc.MaxSize = 1024
	big := mailText([]string{"From: kari@bibliotek.test", "To: post@konsortium.test", "Subject: Stor fil", "Message-ID: <big@bibliotek.test>"},
		strings.Repeat("0123456789abcdef\r\n", 200))
	g := w.ingest(t, big)
	var msg *cases.Message
	for _, m := range w.detail(t, g.CaseID).Messages {
		if m.ID == g.MessageID {
			msg = &m
		}
	}
	if msg == nil || msg.Problem == "" {
		t.Fatalf("oversized mail has no note: %+v", msg)
	}
	if stored, _ := w.Svc.RawMail(ctx, w.Staff, g.CaseID, g.MessageID); len(stored) != len(big) {
		t.Errorf("raw kept %d bytes, want %d", len(stored), len(big))
	}
}

// Attachments with non-ASCII names are stored and can be read back.
func TestAttachmentsAreStored(t *testing.T) {
	w := newWorld(t)
	got := w.ingest(t, fixture(t, "attachments/cid-images-rfc2231-utf8-filename.eml"))
	d := w.detail(t, got.CaseID)
	var names []string
	for _, a := range d.Attachments[got.MessageID] {
		names = append(names, a.Filename)
		full, err := w.Svc.Attachment(context.Background(), w.Staff, got.CaseID, a.ID)
		if err != nil || int64(len(full.Data)) != a.Size || a.Size == 0 {
			t.Errorf("%s: %d bytes read back, size %d, err %v", a.Filename, len(full.Data), a.Size, err)
		}
	}
	if strings.Join(names, "|") != "image.png|nyan cat ✔.gif|notes.txt" {
		t.Errorf("attachments %q", names)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
