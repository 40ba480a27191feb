package cases

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/auth"
	samlamail "github.com/samla-org/samla/internal/mail"
)

// Detail is a case with everything its page shows.
type Detail struct {
	Case         Case                   `json:"case"`
	Messages     []Message              `json:"messages"`
	Attachments  map[int64][]Attachment `json:"-"` // by message, without data
	Participants []Participant          `json:"participants"`
	Tags         []string               `json:"tags"`
	Followers    []int64                `json:"followers"`
	// Delivery is how far each outbound message has come, by message id.
	Delivery map[int64]samlamail.Status `json:"-"`
	Linked   []CaseRef                  `json:"linked,omitempty"` // cases linked to or from this one
}

// CaseRef names another case.
type CaseRef struct {
	ID      int64  `bun:"id" json:"id"`
	Subject string `bun:"subject" json:"subject"`
	State   string `bun:"state" json:"state"`
}

// Case returns a case for the desk.
func (s *Service) Case(ctx context.Context, by auth.Actor, id int64) (*Case, error) {
	if err := mayWork(by); err != nil {
		return nil, err
	}
	return caseByID(ctx, s.DB, id)
}

// Detail returns a case with its thread, participants, tags and links.
func (s *Service) Detail(ctx context.Context, by auth.Actor, id int64) (*Detail, error) {
	c, err := s.Case(ctx, by, id)
	if err != nil {
		return nil, err
	}
	d := &Detail{Case: *c, Attachments: map[int64][]Attachment{}}
	if err := s.DB.NewSelect().Model(&d.Messages).Where("case_id = ?", id).OrderExpr("created_at, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("messages of case %d: %w", id, err)
	}
	var outbox []int64
	var msgIDs []int64
	for _, m := range d.Messages {
		msgIDs = append(msgIDs, m.ID)
		if m.OutboxID != nil {
			outbox = append(outbox, *m.OutboxID)
		}
	}
	if len(msgIDs) > 0 {
		var atts []Attachment
		if err := s.DB.NewSelect().Model(&atts).ExcludeColumn("data").Where("message_id IN (?)", bun.In(msgIDs)).OrderExpr("id").Scan(ctx); err != nil {
			return nil, fmt.Errorf("attachments of case %d: %w", id, err)
		}
		for _, a := range atts {
			d.Attachments[a.MessageID] = append(d.Attachments[a.MessageID], a)
		}
	}
	st, err := samlamail.Statuses(ctx, s.DB, outbox)
	if err != nil {
		return nil, err
	}
	d.Delivery = map[int64]samlamail.Status{}
	for _, m := range d.Messages {
		if m.OutboxID != nil {
			d.Delivery[m.ID] = st[*m.OutboxID]
		}
	}
	if err := s.DB.NewSelect().Model(&d.Participants).Where("case_id = ?", id).OrderExpr("id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("participants of case %d: %w", id, err)
	}
	if d.Tags, err = tagsOf(ctx, s.DB, id); err != nil {
		return nil, err
	}
	if err := s.DB.NewSelect().Table("case_followers").Column("user_id").Where("case_id = ?", id).OrderExpr("user_id").Scan(ctx, &d.Followers); err != nil {
		return nil, fmt.Errorf("followers of case %d: %w", id, err)
	}
	q := s.DB.NewSelect().Table("cases").Column("id", "subject", "state").Where("linked_case_id = ?", id)
	if c.LinkedCaseID != nil {
		q = q.WhereOr("id = ?", *c.LinkedCaseID)
	}
	if err := q.OrderExpr("id").Scan(ctx, &d.Linked); err != nil {
		return nil, fmt.Errorf("links of case %d: %w", id, err)
	}
	return d, nil
}

// Attachment returns one stored attachment with its data.
func (s *Service) Attachment(ctx context.Context, by auth.Actor, caseID, attachmentID int64) (*Attachment, error) {
	if err := mayWork(by); err != nil {
		return nil, err
	}
	a := new(Attachment)
	err := s.DB.NewSelect().Model(a).Join("JOIN case_messages AS m ON m.id = ca.message_id").
		Where("ca.id = ?", attachmentID).Where("m.case_id = ?", caseID).Scan(ctx)
	if isNoRows(err) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("attachment %d: %w", attachmentID, err)
	}
	return a, nil
}

// RawMail returns a message exactly as it came, for download: the proof of
// what was received, and the way to read mail Samla could not parse.
func (s *Service) RawMail(ctx context.Context, by auth.Actor, caseID, messageID int64) ([]byte, error) {
	if err := mayWork(by); err != nil {
		return nil, err
	}
	var data []byte
	err := s.DB.NewSelect().Table("mail_raw").Column("mail_raw.data").Join("JOIN case_messages AS m ON m.raw_id = mail_raw.id").
		Where("m.id = ?", messageID).Where("m.case_id = ?", caseID).Scan(ctx, &data)
	if isNoRows(err) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("raw mail of message %d: %w", messageID, err)
	}
	return data, nil
}

// Age is how long a case has been waiting since it was opened.
func (c *Case) Age(now time.Time) time.Duration { return now.Sub(c.CreatedAt) }
