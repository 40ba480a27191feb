package access

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/i18n"
	"github.com/samla-org/samla/internal/mail"
)

// digestMaxLines keeps a digest readable after a mass import; the rest is
// in the feed and the export.
const digestMaxLines = 300

// neverSent is access_digests.sent_at of a baseline row: the vendor has not
// had a digest yet, so today's first change may still be sent today.
var neverSent = time.Unix(0, 0).UTC()

type digestRow struct {
	bun.BaseModel `bun:"table:access_digests"`

	VendorID    int64     `bun:"vendor_id,pk"`
	LastAuditID int64     `bun:"last_audit_id"`
	SentAt      time.Time `bun:"sent_at"`
}

// errRaced rolls back a digest another run has already sent.
var errRaced = errors.New("digest sent by another run")

// SendDigests puts into the outbox, for each vendor, one mail to its vendor
// contacts listing the changes to its subscribers' IP ranges since its
// last digest; at most one per vendor per day (Europe/Oslo), none when
// nothing changed. A vendor's first run only records where it starts, so
// the first digest never dumps the whole history. It returns the number of
// mails enqueued; a failing vendor does not stop the others.
func (s *Service) SendDigests(ctx context.Context, cat *i18n.Catalog, now time.Time) (int, error) {
	// Read before the index and the changes: a change landing meanwhile
	// lies above the stamp and goes into tomorrow's digest.
	stamp, err := s.Stamp(ctx)
	if err != nil {
		return 0, err
	}
	ix, err := s.fresh(ctx)
	if err != nil {
		return 0, err
	}
	var vendors []vendorRef
	if err := s.DB.NewRaw("SELECT id, name FROM vendors ORDER BY id").Scan(ctx, &vendors); err != nil {
		return 0, fmt.Errorf("digest vendors: %w", err)
	}
	var rows []digestRow
	if err := s.DB.NewSelect().Model(&rows).Scan(ctx); err != nil {
		return 0, fmt.Errorf("digest state: %w", err)
	}
	state := make(map[int64]digestRow, len(rows))
	for _, r := range rows {
		state[r.VendorID] = r
	}
	today := calendar.Today(now)
	sent := 0
	var errs []error
	for _, v := range vendors {
		r, ok := state[v.ID]
		if !ok {
			base := &digestRow{VendorID: v.ID, LastAuditID: stamp, SentAt: neverSent}
			if _, err := s.DB.NewInsert().Model(base).On("CONFLICT (vendor_id) DO NOTHING").Exec(ctx); err != nil {
				errs = append(errs, fmt.Errorf("digest baseline for vendor %d: %w", v.ID, err))
			}
			continue
		}
		if calendar.Today(r.SentAt) == today || r.LastAuditID >= stamp {
			continue
		}
		n, err := s.digest(ctx, cat, ix, v, r, stamp, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("digest for vendor %d: %w", v.ID, err))
			continue
		}
		sent += n
	}
	return sent, errors.Join(errs...)
}

type recipient struct {
	Email  string `bun:"email"`
	Locale string `bun:"locale"`
}

// digest sends one vendor's digest of the records after r.LastAuditID up
// to stamp, and moves its row to stamp in the same transaction.
func (s *Service) digest(ctx context.Context, cat *i18n.Catalog, ix *Index, v vendorRef, r digestRow, stamp int64, now time.Time) (int, error) {
	cs, _, _, err := s.changes(ctx, subscribers(ix, v.ID), r.LastAuditID, stamp, 0)
	if err != nil {
		return 0, err
	}
	var to []recipient
	if err := s.DB.NewRaw("SELECT email, locale FROM users WHERE role = ? AND vendor_id = ? AND disabled = ? ORDER BY id",
		"vendor", v.ID, false).Scan(ctx, &to); err != nil {
		return 0, fmt.Errorf("vendor contacts: %w", err)
	}
	if len(cs) == 0 || len(to) == 0 {
		// Nothing to tell, or nobody to tell it: move on without using up
		// the day, so a contact added later is not sent old news.
		_, err := s.DB.NewUpdate().Model((*digestRow)(nil)).Set("last_audit_id = ?", stamp).
			Where("vendor_id = ? AND last_audit_id = ?", v.ID, r.LastAuditID).Exec(ctx)
		if err != nil {
			return 0, fmt.Errorf("advance digest: %w", err)
		}
		return 0, nil
	}
	lang := i18n.Pick(to[0].Locale, "")
	m := mail.Message{
		DedupeKey: fmt.Sprintf("access-digest:%d:%d-%d", v.ID, r.LastAuditID, stamp),
		Kind:      "access_digest",
		To:        to[0].Email,
		Subject:   cat.T(lang, "access.digest.subject", map[string]any{"Vendor": v.Name, "Date": calendar.Today(now).Text(lang)}),
		Body:      digestBody(cat, lang, v, cs, stamp),
	}
	for _, c := range to[1:] {
		m.Cc = append(m.Cc, c.Email)
	}
	fresh := false
	err = s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*digestRow)(nil)).Set("last_audit_id = ?", stamp).Set("sent_at = ?", now.UTC()).
			Where("vendor_id = ? AND last_audit_id = ?", v.ID, r.LastAuditID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("record digest: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errRaced
		}
		fresh, err = mail.Enqueue(ctx, tx, m)
		return err
	})
	if errors.Is(err, errRaced) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	slog.Info("access digest enqueued", "vendor", v.ID, "changes", len(cs), "recipients", len(to), "new", fresh)
	if fresh {
		return 1, nil
	}
	return 0, nil
}

// digestBody is the plain-text mail: one line per change, oldest first,
// with shared addresses said to be shared.
func digestBody(cat *i18n.Catalog, lang string, v vendorRef, cs []RangeChange, stamp int64) string {
	var b strings.Builder
	b.WriteString(cat.T(lang, "access.digest.intro", map[string]any{"Vendor": v.Name, "Count": len(cs)}))
	b.WriteString("\n\n")
	for i, c := range cs {
		if i == digestMaxLines {
			b.WriteString(cat.T(lang, "access.digest.more", map[string]any{"Count": len(cs) - i}))
			b.WriteString("\n")
			break
		}
		lib := c.Library.Name
		if c.Library.ISIL != "" {
			lib += " (" + c.Library.ISIL + ")"
		}
		b.WriteString(cat.T(lang, "access.digest.line."+c.Action, map[string]any{"Range": c.Range, "Library": lib,
			"Date": calendar.Today(c.At).Text(lang)}))
		if c.Shared {
			b.WriteString(" ")
			b.WriteString(cat.T(lang, "access.digest.shared", nil))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	b.WriteString(cat.T(lang, "access.digest.footer", map[string]any{"Cursor": stamp}))
	b.WriteString("\n")
	return b.String()
}
