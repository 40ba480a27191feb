package cases

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	samlamail "github.com/samla-org/samla/internal/mail"
)

// noticeExcerpt is how much of a mail a notice quotes.
const noticeExcerpt = 1200

// notifyWatchers tells the case's owner and followers that mail came in,
// each in their own language. Only staff are told, by a notice marked
// Auto-Submitted; the sender never gets an automatic answer, so the desk
// can never mail back and forth with another system.
func (s *Service) notifyWatchers(ctx context.Context, tx bun.IDB, c *Case, msg *Message) error {
	if s.Catalog == nil || msg.Auto != "" {
		return nil
	}
	var users []struct {
		ID     int64  `bun:"id"`
		Email  string `bun:"email"`
		Locale string `bun:"locale"`
	}
	err := tx.NewSelect().Table("users").Column("id", "email", "locale").
		Where("disabled = ?", false).Where("role IN (?)", bun.In([]string{"admin", "staff"})).
		Where("id IN (SELECT user_id FROM case_followers WHERE case_id = ?) OR id = ?", c.ID, deref(c.OwnerID)).
		OrderExpr("id").Scan(ctx, &users)
	if err != nil {
		return fmt.Errorf("watchers of case %d: %w", c.ID, err)
	}
	text := strings.TrimSpace(msg.BodyText)
	if text == "" {
		text = textOfHTML(msg.BodyHTML)
	}
	if r := []rune(text); len(r) > noticeExcerpt {
		text = string(r[:noticeExcerpt]) + " …"
	}
	from := msg.FromAddr
	if msg.FromName != "" {
		from = msg.FromName + " <" + msg.FromAddr + ">"
	}
	for _, u := range users {
		if strings.EqualFold(u.Email, msg.FromAddr) {
			continue
		}
		lang := u.Locale
		if lang == "" {
			lang = "nb"
		}
		data := map[string]any{"Case": c.ID, "Subject": c.Subject, "From": from}
		_, err := samlamail.Enqueue(ctx, tx, samlamail.Message{
			DedupeKey: fmt.Sprintf("case-mail:%d:%d", msg.ID, u.ID), Kind: "case_mail", To: u.Email,
			Subject: s.Catalog.T(lang, "cases.notice.subject", data), Body: s.Catalog.T(lang, "cases.notice.intro", data) + "\n\n" + text + "\n\n" + s.Catalog.T(lang, "cases.notice.footer", nil)})
		if err != nil {
			return err
		}
	}
	return nil
}
