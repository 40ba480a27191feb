package cases

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/cases/inbox"
	"github.com/samla-org/samla/internal/cases/mailmsg"
)

// Incoming is one raw mail handed to the desk.
type Incoming struct {
	Raw        []byte
	Source     string   // imap, lmtp, smtp, import
	Recipients []string // envelope recipients, when known

	// Mailbox, UIDValidity and UID are the IMAP position of the mail; the
	// position is saved in the transaction that stores the mail, so a
	// crash never loses or repeats one.
	Mailbox          string
	UIDValidity, UID uint32
}

// Ingested says what became of a mail.
type Ingested struct {
	CaseID    int64
	MessageID int64 // the case message; 0 for a duplicate
	NewCase   bool
	Duplicate bool
	Rule      string
	Auto      string
}

var samla = audit.Who{Name: "Samla"}

// Ingest stores one mail and threads it into a case. The same mail twice
// (the same Message-ID, or the same bytes when it has none) is stored once.
// Mail that cannot be parsed, or is too big to parse, is kept raw on a case
// with a note saying so: nothing is ever dropped.
func (s *Service) Ingest(ctx context.Context, in Incoming) (*Ingested, error) {
	if _, err := s.Signer(ctx); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(in.Raw)
	hash := hex.EncodeToString(sum[:])
	vendors, err := vendorMailInfo(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	m, perr := mailmsg.ParseWith(in.Raw, mailmsg.Options{MaxSize: s.MaxSize})
	if m == nil {
		m = &mailmsg.Message{}
	}
	if perr != nil {
		m.Problems = append(m.Problems, perr.Error())
	}
	msgID := m.MessageID
	if msgID == "" {
		// Mail without an id is still stored once: its bytes name it.
		msgID = "sha256." + hash[:40] + "@samla.invalid"
	}

	var out Ingested
	err = s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		out = Ingested{}
		if err := s.savePosition(ctx, tx, in); err != nil {
			return err
		}
		// 1. An exact duplicate: the same mail to two of the desk's addresses.
		var existing int64
		err := tx.NewSelect().Table("case_messages").Column("case_id").Where("message_id = ?", msgID).Scan(ctx, &existing)
		if err == nil {
			out = Ingested{CaseID: existing, Duplicate: true}
			return nil
		}
		if !isNoRows(err) {
			return fmt.Errorf("duplicate check: %w", err)
		}
		rawID, err := storeRaw(ctx, tx, in, hash, s.now())
		if err != nil {
			return err
		}
		th, err := s.thread(ctx, tx, m, in.Recipients, vendors)
		if err != nil {
			return err
		}
		return s.file(ctx, tx, m, msgID, rawID, th, &out)
	})
	if err != nil {
		return nil, fmt.Errorf("ingest mail %s: %w", msgID, err)
	}
	return &out, nil
}

func (s *Service) savePosition(ctx context.Context, tx bun.Tx, in Incoming) error {
	if in.Mailbox == "" || in.UID == 0 {
		return nil
	}
	p := &inboxPosition{Mailbox: in.Mailbox, UIDValidity: int64(in.UIDValidity), LastUID: int64(in.UID), UpdatedAt: s.now()}
	_, err := tx.NewInsert().Model(p).On("CONFLICT (mailbox) DO UPDATE").
		Set("uid_validity = EXCLUDED.uid_validity, last_uid = EXCLUDED.last_uid, updated_at = EXCLUDED.updated_at").Exec(ctx)
	if err != nil {
		return fmt.Errorf("save position in %s: %w", in.Mailbox, err)
	}
	return nil
}

// Position is how far the IMAP fetch of mailbox has come.
func (s *Service) Position(ctx context.Context, mailbox string) (uidValidity, lastUID uint32, err error) {
	var p inboxPosition
	err = s.DB.NewSelect().Model(&p).Where("mailbox = ?", mailbox).Scan(ctx)
	if isNoRows(err) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("position in %s: %w", mailbox, err)
	}
	return uint32(p.UIDValidity), uint32(p.LastUID), nil
}

func storeRaw(ctx context.Context, tx bun.Tx, in Incoming, hash string, now time.Time) (int64, error) {
	source := in.Source
	if source == "" {
		source = "import"
	}
	r := &rawMail{SHA256: hash, Size: int64(len(in.Raw)), Data: in.Raw, Source: source, ReceivedAt: now}
	if _, err := tx.NewInsert().Model(r).On("CONFLICT (sha256) DO NOTHING").Exec(ctx); err != nil {
		return 0, fmt.Errorf("store raw mail: %w", err)
	}
	var id int64
	if err := tx.NewSelect().Model((*rawMail)(nil)).Column("id").Where("sha256 = ?", hash).Scan(ctx, &id); err != nil {
		return 0, fmt.Errorf("stored raw mail: %w", err)
	}
	return id, nil
}

// file puts the mail on its case, opening, reopening or linking a case as
// the threading and the case's state say.
func (s *Service) file(ctx context.Context, tx bun.Tx, m *mailmsg.Message, msgID string, rawID int64, th threading, out *Ingested) error {
	now := s.now()
	var c *Case
	if th.CaseID != 0 {
		var err error
		if c, err = caseByID(ctx, tx, th.CaseID); err != nil {
			return err
		}
		if c.State == StateClosed && c.ClosedAt != nil && now.Sub(*c.ClosedAt) > s.reopenWindow() {
			th = threading{Rule: RuleNew, LinkTo: c.ID, VendorRef: c.VendorRef}
			if c.VendorID != nil {
				th.VendorID = *c.VendorID
			}
			c = nil
		}
	}

	people, err := s.peopleOf(ctx, tx, m)
	if err != nil {
		return err
	}
	if c == nil {
		if c, err = s.openCase(ctx, tx, m, th, people, now); err != nil {
			return err
		}
		out.NewCase = true
	}
	for _, p := range people {
		if err := addParticipant(ctx, tx, c.ID, p, now); err != nil {
			return err
		}
	}

	msg := &Message{
		CaseID: c.ID, Kind: KindInbound, MessageID: &msgID, InReplyTo: strings.Join(m.InReplyTo, " "),
		Refs: strings.Join(m.References, " "), FromAddr: strings.ToLower(m.From.Address), FromName: m.From.Name,
		ToAddrs: joinAddrs(m.To), CcAddrs: joinAddrs(m.Cc), Subject: m.Subject, BodyText: m.Text, BodyHTML: m.HTML,
		Auto: string(m.Auto), Problem: strings.Join(m.Problems, "; "), ThreadRule: th.Rule, RawID: &rawID, CreatedAt: now,
	}
	if _, err := tx.NewInsert().Model(msg).Exec(ctx); err != nil {
		return fmt.Errorf("store message: %w", err)
	}
	for _, a := range m.Attachments {
		att := &Attachment{MessageID: msg.ID, Filename: a.Filename, ContentType: a.ContentType, ContentID: a.ContentID,
			Inline: a.Inline, Size: int64(len(a.Data)), Data: a.Data}
		if att.Filename == "" {
			att.Filename = "vedlegg"
		}
		if _, err := tx.NewInsert().Model(att).Exec(ctx); err != nil {
			return fmt.Errorf("store attachment %q: %w", a.Filename, err)
		}
	}
	ids := append([]string{msgID}, m.InReplyTo...)
	ids = append(ids, m.References...)
	if err := rememberIDs(ctx, tx, c.ID, ids); err != nil {
		return err
	}
	if err := index(ctx, tx, msg); err != nil {
		return err
	}
	if err := s.touchOnInbound(ctx, tx, c, msg, people, now); err != nil {
		return err
	}
	if err := s.notifyWatchers(ctx, tx, c, msg); err != nil {
		return err
	}
	*out = Ingested{CaseID: c.ID, MessageID: msg.ID, NewCase: out.NewCase, Rule: th.Rule, Auto: msg.Auto}
	return audit.Write(ctx, tx, samla, audit.Record{Entity: "case", EntityID: c.ID, LibraryID: deref(c.LibraryID),
		Action: "mail_received", Changes: []audit.Change{{Field: "message", After: msgID}}, Reason: th.Rule})
}

// peopleOf recognises everyone on the mail except the desk itself.
func (s *Service) peopleOf(ctx context.Context, tx bun.IDB, m *mailmsg.Message) ([]person, error) {
	seen := map[string]bool{}
	var out []person
	all := append([]mail.Address{m.From}, m.To...)
	all = append(all, m.Cc...)
	for _, a := range all {
		addr := strings.ToLower(strings.TrimSpace(a.Address))
		if addr == "" || seen[addr] || s.isDesk(addr) || !strings.Contains(addr, "@") {
			continue
		}
		seen[addr] = true
		p, err := recognise(ctx, tx, addr, a.Name)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func (s *Service) openCase(ctx context.Context, tx bun.Tx, m *mailmsg.Message, th threading, people []person, now time.Time) (*Case, error) {
	subject := strings.TrimSpace(mailmsg.NormalizeSubject(m.Subject))
	if subject == "" {
		subject = "(uten emne)"
	}
	c := &Case{Subject: subject, State: StateNew, Priority: "normal", VendorRef: th.VendorRef,
		CreatedAt: now, UpdatedAt: now, LastMessageAt: now, Version: 1}
	if th.LinkTo != 0 {
		c.LinkedCaseID = &th.LinkTo
	}
	if th.VendorID != 0 {
		id := th.VendorID
		c.VendorID = &id
	}
	// The sender's library or vendor first, then the recipients'.
	for _, p := range people {
		if c.LibraryID == nil && p.LibraryID != nil {
			c.LibraryID = p.LibraryID
		}
		if c.VendorID == nil && p.VendorID != nil {
			c.VendorID = p.VendorID
		}
	}
	var err error
	if c.ProductID, err = productFor(ctx, tx, c.VendorID, m.Subject+" "+subject); err != nil {
		return nil, err
	}
	if c.ProductID != nil && c.VendorID == nil {
		var v int64
		if err := tx.NewSelect().Table("products").Column("vendor_id").Where("id = ?", *c.ProductID).Scan(ctx, &v); err != nil {
			return nil, fmt.Errorf("vendor of product %d: %w", *c.ProductID, err)
		}
		c.VendorID = &v
	}
	if _, err := tx.NewInsert().Model(c).Exec(ctx); err != nil {
		return nil, fmt.Errorf("open case: %w", err)
	}
	return c, audit.Write(ctx, tx, samla, audit.Record{Entity: "case", EntityID: c.ID, LibraryID: deref(c.LibraryID),
		Action: "opened", Changes: []audit.Change{{Field: "subject", After: c.Subject}}, Reason: th.Rule})
}

// touchOnInbound moves the case along: an answer from the side the desk
// waits on, or new mail on a solved case, makes it open again. Auto-replies
// and bounces change no state, so an out-of-office never reopens a case.
func (s *Service) touchOnInbound(ctx context.Context, tx bun.Tx, c *Case, msg *Message, people []person, now time.Time) error {
	q := tx.NewUpdate().Model((*Case)(nil)).Where("id = ?", c.ID).Set("last_message_at = ?", now).Set("updated_at = ?", now)
	if msg.Auto == "" && !fromStaff(people, msg.FromAddr) {
		switch c.State {
		case StateWaitingLibrary, StateWaitingVendor, StateSolved, StateClosed:
			q = q.Set("state = ?", StateOpen).Set("solved_at = NULL").Set("closed_at = NULL").Set("version = version + 1")
		}
	}
	if _, err := q.Exec(ctx); err != nil {
		return fmt.Errorf("update case %d: %w", c.ID, err)
	}
	return nil
}

func fromStaff(people []person, addr string) bool {
	for _, p := range people {
		if p.Email == addr {
			return p.Kind == PartStaff
		}
	}
	return false
}

func addParticipant(ctx context.Context, tx bun.IDB, caseID int64, p person, now time.Time) error {
	row := &Participant{CaseID: caseID, Email: p.Email, Name: p.Name, Kind: p.Kind, LibraryID: p.LibraryID,
		VendorID: p.VendorID, Copied: p.Kind != PartStaff, CreatedAt: now}
	if _, err := tx.NewInsert().Model(row).On("CONFLICT (case_id, email) DO NOTHING").Exec(ctx); err != nil {
		return fmt.Errorf("add participant %s: %w", p.Email, err)
	}
	return nil
}

// rememberIDs indexes ids under the case; an id already known keeps the
// case it was first seen on.
func rememberIDs(ctx context.Context, tx bun.IDB, caseID int64, ids []string) error {
	seen := map[string]bool{}
	for _, id := range ids {
		id = mailmsg.NormalizeID(id)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		if _, err := tx.NewInsert().Model(&mailID{MessageID: id, CaseID: caseID}).On("CONFLICT (message_id) DO NOTHING").Exec(ctx); err != nil {
			return fmt.Errorf("remember mail id %s: %w", id, err)
		}
	}
	return nil
}

func index(ctx context.Context, tx bun.IDB, msg *Message) error {
	body := msg.BodyText
	if body == "" && msg.BodyHTML != "" {
		body = textOfHTML(msg.BodyHTML)
	}
	row := &searchRow{CaseID: msg.CaseID, MessageID: msg.ID, Subject: msg.Subject, Body: body}
	if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
		return fmt.Errorf("index message %d: %w", msg.ID, err)
	}
	return nil
}

func joinAddrs(as []mail.Address) string {
	var out []string
	for _, a := range as {
		if a.Address != "" {
			out = append(out, strings.ToLower(a.Address))
		}
	}
	return strings.Join(out, ", ")
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// Deliver is Ingest for package inbox: the IMAP fetcher and the LMTP and
// SMTP listeners hand mail over through it.
func (s *Service) Deliver(ctx context.Context, d inbox.Delivery) error {
	_, err := s.Ingest(ctx, Incoming{Raw: d.Raw, Source: d.Source, Recipients: d.Recipients,
		Mailbox: d.Mailbox, UIDValidity: d.UIDValidity, UID: d.UID})
	return err
}
