package cases

import (
	"context"
	"fmt"
	"net/mail"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	samlamail "github.com/samla-org/samla/internal/mail"
	"github.com/samla-org/samla/internal/validate"
)

// ReplyInput is a reply written on a case.
type ReplyInput struct {
	Body string   `json:"body"`
	To   []string `json:"to,omitempty" doc:"Addresses; empty means the case's default recipients"`
	Cc   []string `json:"cc,omitempty"`
	// State is the case's state after the reply, e.g. waiting_vendor;
	// empty keeps it (a new case becomes open).
	State string `json:"state,omitempty"`
}

// maxReferences keeps References short the way mail clients do: the first
// id (the thread's root) and the newest ones.
const maxReferences = 20

// Recipients are whom a reply goes to by default: the last person who wrote
// in (unless that was an auto-reply or the desk's own staff) and everyone
// else copied on the case.
func (s *Service) Recipients(ctx context.Context, by auth.Actor, caseID int64) (to string, cc []string, err error) {
	if err := mayWork(by); err != nil {
		return "", nil, err
	}
	return s.recipients(ctx, s.DB, caseID)
}

func (s *Service) recipients(ctx context.Context, db bun.IDB, caseID int64) (string, []string, error) {
	var ps []Participant
	if err := db.NewSelect().Model(&ps).Where("case_id = ?", caseID).Where("copied = ?", true).OrderExpr("id").Scan(ctx); err != nil {
		return "", nil, fmt.Errorf("participants of case %d: %w", caseID, err)
	}
	var last string
	err := db.NewSelect().Table("case_messages").Column("from_addr").Where("case_id = ?", caseID).
		Where("kind = ?", KindInbound).Where("auto = ''").OrderExpr("created_at DESC, id DESC").Limit(1).Scan(ctx, &last)
	if err != nil && !isNoRows(err) {
		return "", nil, fmt.Errorf("last sender on case %d: %w", caseID, err)
	}
	var to string
	var cc []string
	for _, p := range ps {
		if p.Email == last {
			to = p.Email
		}
	}
	for _, p := range ps {
		switch {
		case p.Email == to:
		case to == "":
			to = p.Email
		default:
			cc = append(cc, p.Email)
		}
	}
	return to, cc, nil
}

// Reply sends a reply from the desk to the case's participants, through
// the outbox, with a signed Message-ID and the In-Reply-To, References and
// subject token that thread it in every mail client and back into Samla.
func (s *Service) Reply(ctx context.Context, by auth.Actor, caseID int64, in ReplyInput) (*Message, error) {
	if err := mayWork(by); err != nil {
		return nil, err
	}
	signer, err := s.Signer(ctx)
	if err != nil {
		return nil, err
	}
	deskName, deskAddr := s.deskAddress()
	var ps problems
	body := strings.TrimSpace(in.Body)
	if body == "" {
		ps.Addf("body", "cases.reply.body_required", "", nil)
	}
	if in.State != "" && !contains(States, in.State) {
		ps.Addf("state", "cases.state.invalid", in.State, nil)
	}
	if deskAddr == "" {
		ps.Addf("to", "cases.reply.no_desk_address", "", nil)
	}
	to, cc := cleanList(in.To, "to", &ps), cleanList(in.Cc, "cc", &ps)
	if len(ps) > 0 {
		return nil, &ValidationError{Problems: ps}
	}
	people := map[string]person{}
	for _, a := range append(append([]string(nil), to...), cc...) {
		p, err := recognise(ctx, s.DB, a, "")
		if err != nil {
			return nil, err
		}
		people[a] = p
	}

	var out *Message
	err = s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		c, err := caseByID(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if len(to) == 0 {
			def, defCc, err := s.recipients(ctx, tx, caseID)
			if err != nil {
				return err
			}
			if def == "" {
				return &ValidationError{Problems: problems{{Field: "to", Code: "cases.reply.no_recipient"}}}
			}
			to, cc = []string{def}, append(defCc, cc...)
		}
		now := s.now()
		for _, a := range append(append([]string(nil), to...), cc...) {
			p, ok := people[a]
			if !ok {
				p = person{Email: a, Kind: PartExternal}
			}
			if err := addParticipant(ctx, tx, caseID, p, now); err != nil {
				return err
			}
		}
		prev, err := lastMailOf(ctx, tx, caseID)
		if err != nil {
			return err
		}
		id := signer.MessageID(caseID, "")
		norm := strings.Trim(id, "<>")
		msg := &Message{CaseID: caseID, Kind: KindOutbound, MessageID: &norm, FromAddr: deskAddr, FromName: deskName,
			ToAddrs: strings.Join(to, ", "), CcAddrs: strings.Join(cc, ", "), Subject: replySubject(c),
			BodyText: body, AuthorID: &by.UserID, CreatedAt: now}
		var refs []string
		if prev != nil && prev.MessageID != nil {
			msg.InReplyTo = *prev.MessageID
			refs = append(strings.Fields(prev.Refs), *prev.MessageID)
			if len(refs) > maxReferences {
				refs = append(refs[:1], refs[len(refs)-maxReferences+1:]...)
			}
			msg.Refs = strings.Join(refs, " ")
		}
		if _, err := tx.NewInsert().Model(msg).Exec(ctx); err != nil {
			return fmt.Errorf("store reply: %w", err)
		}
		outgoing := samlamail.Message{DedupeKey: "case-reply:" + strconv.FormatInt(msg.ID, 10), Kind: "case_reply",
			To: to[0], Cc: append(to[1:], cc...), Subject: msg.Subject, Body: body,
			From: (&mail.Address{Name: deskName, Address: deskAddr}).String(), MessageID: id, Personal: true}
		if msg.InReplyTo != "" {
			outgoing.InReplyTo = "<" + msg.InReplyTo + ">"
		}
		for _, r := range refs {
			outgoing.References = append(outgoing.References, "<"+r+">")
		}
		if s.PlusAddressing {
			outgoing.ReplyTo = signer.ReplyAddress(strings.SplitN(deskAddr, "@", 2)[0], caseID)
		}
		if _, err := samlamail.Enqueue(ctx, tx, outgoing); err != nil {
			return err
		}
		oid, err := samlamail.OutboxID(ctx, tx, outgoing.DedupeKey)
		if err != nil {
			return err
		}
		msg.OutboxID = &oid
		if _, err := tx.NewUpdate().Model(msg).Column("outbox_id").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("link reply to outbox: %w", err)
		}
		if err := rememberIDs(ctx, tx, caseID, []string{norm}); err != nil {
			return err
		}
		if err := index(ctx, tx, msg); err != nil {
			return err
		}
		state := in.State
		if state == "" {
			state = c.State
			if state == StateNew {
				state = StateOpen
			}
		}
		q := tx.NewUpdate().Model((*Case)(nil)).Where("id = ?", caseID).Set("last_message_at = ?", now).
			Set("updated_at = ?", now).Set("version = version + 1").Set("state = ?", state)
		if c.FirstResponseAt == nil {
			q = q.Set("first_response_at = ?", now)
		}
		q = stateTimes(q, c.State, state, now)
		if _, err := q.Exec(ctx); err != nil {
			return fmt.Errorf("update case %d: %w", caseID, err)
		}
		out = msg
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "case", EntityID: caseID, LibraryID: deref(c.LibraryID),
			Action: "replied", Changes: []audit.Change{{Field: "to", After: msg.ToAddrs}, {Field: "cc", After: msg.CcAddrs},
				{Field: "state", Before: c.State, After: state}}})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AddNote adds an internal note: never sent, visible only to the team.
func (s *Service) AddNote(ctx context.Context, by auth.Actor, caseID int64, body string) (*Message, error) {
	if err := mayWork(by); err != nil {
		return nil, err
	}
	body = strings.TrimSpace(body)
	if body == "" {
		return nil, &ValidationError{Problems: problems{{Field: "body", Code: "cases.note.body_required"}}}
	}
	var out *Message
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		c, err := caseByID(ctx, tx, caseID)
		if err != nil {
			return err
		}
		now := s.now()
		msg := &Message{CaseID: caseID, Kind: KindNote, FromName: by.Name, FromAddr: strings.ToLower(by.Email),
			BodyText: body, AuthorID: &by.UserID, CreatedAt: now}
		if _, err := tx.NewInsert().Model(msg).Exec(ctx); err != nil {
			return fmt.Errorf("store note: %w", err)
		}
		if err := index(ctx, tx, msg); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*Case)(nil)).Where("id = ?", caseID).Set("updated_at = ?", now).Exec(ctx); err != nil {
			return fmt.Errorf("update case %d: %w", caseID, err)
		}
		out = msg
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "case", EntityID: caseID, LibraryID: deref(c.LibraryID),
			Action: "note_added", Changes: []audit.Change{{Field: "note", After: msg.ID}}})
	})
	return out, err
}

func replySubject(c *Case) string {
	return "Re: " + c.Subject + " [Samla #" + strconv.FormatInt(c.ID, 10) + "]"
}

// lastMailOf is the newest mail on the case, in or out, that a reply
// should answer.
func lastMailOf(ctx context.Context, db bun.IDB, caseID int64) (*Message, error) {
	m := new(Message)
	err := db.NewSelect().Model(m).Where("case_id = ?", caseID).Where("kind <> ?", KindNote).
		Where("message_id IS NOT NULL").Where("auto = ''").OrderExpr("created_at DESC, id DESC").Limit(1).Scan(ctx)
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("last mail on case %d: %w", caseID, err)
	}
	return m, nil
}

func cleanList(in []string, field string, ps *problems) []string {
	var out []string
	seen := map[string]bool{}
	for _, raw := range in {
		for _, a := range validate.SplitList(raw) {
			e, p := validate.Email(a)
			if p != nil {
				p.Field = field
				*ps = append(*ps, p)
				continue
			}
			e = strings.ToLower(e)
			if !seen[e] {
				seen[e] = true
				out = append(out, e)
			}
		}
	}
	return out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
