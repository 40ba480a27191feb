package billing

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/validate"
)

// CreditInvoice issues a credit note for an approved invoice: for the
// given lines, or all lines not credited yet when lineIDs is empty. The
// credit note is approved and numbered at once (it only takes back), its
// amounts are negative, and the credited lines are no longer billed, so a
// corrected invoice can bill them again.
func (s *Service) CreditInvoice(ctx context.Context, by auth.Actor, invoiceID int64, lineIDs []int64, reason string) (*Invoice, error) {
	if by.Role != auth.RoleAdmin {
		return nil, ErrForbidden
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		var ps validate.List
		ps.Addf("reason", "billing.credit.reason", "", nil)
		return nil, ps.Err()
	}
	cn := new(Invoice)
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		inv := new(Invoice)
		if err := tx.NewSelect().Model(inv).Relation("Lines", func(q *bun.SelectQuery) *bun.SelectQuery { return q.OrderExpr("position") }).
			Where("i.id = ?", invoiceID).Scan(ctx); err != nil {
			if db.IsNoRows(err) {
				return ErrNotFound
			}
			return fmt.Errorf("load invoice %d: %w", invoiceID, err)
		}
		if inv.Kind != KindInvoice || inv.Status != StatusApproved {
			var ps validate.List
			ps.Addf("invoice", "billing.credit.not_approved", inv.NumberText(), nil)
			return ps.Err()
		}
		want := map[int64]bool{}
		for _, id := range lineIDs {
			want[id] = true
		}
		all := len(want) == 0
		var take []*Line
		for _, l := range inv.Lines {
			if (all || want[l.ID]) && l.CreditedByLineID == nil {
				take = append(take, l)
				delete(want, l.ID)
			}
		}
		if len(want) > 0 || len(take) == 0 {
			var ps validate.List
			ps.Addf("lines", "billing.credit.lines", inv.NumberText(), nil)
			return ps.Err()
		}
		now := s.now().UTC()
		num, err := nextNumber(ctx, tx)
		if err != nil {
			return err
		}
		today := calendar.Today(s.now())
		*cn = *inv
		cn.ID, cn.RunID, cn.Kind, cn.Number, cn.Status, cn.CreditsInvoiceID = 0, nil, KindCreditNote, &num, StatusApproved, &inv.ID
		cn.IssueDate, cn.DueDate, cn.Note, cn.CreatedAt, cn.ApprovedAt, cn.Lines = today, today, reason, now, &now, nil
		pl := make([]pending, len(take))
		for i, l := range take {
			c := *l
			c.ID, c.Position, c.AmountMinor, c.SourceMinor = 0, i+1, -l.AmountMinor, -l.SourceMinor
			c.SourceKey, c.Billed, c.CreditedByLineID = fmt.Sprintf("credit:%d", l.ID), false, nil
			pl[i] = pending{line: c}
		}
		setTotals(cn, pl)
		if _, err := tx.NewInsert().Model(cn).Exec(ctx); err != nil {
			return fmt.Errorf("insert credit note: %w", err)
		}
		for i := range pl {
			l := pl[i].line
			l.InvoiceID = cn.ID
			if _, err := tx.NewInsert().Model(&l).Exec(ctx); err != nil {
				return fmt.Errorf("insert credit note line: %w", err)
			}
			_, err := tx.NewUpdate().Table("invoice_lines").Set("billed = ?", false).Set("credited_by_line_id = ?", l.ID).
				Where("id = ?", take[i].ID).Exec(ctx)
			if err != nil {
				return fmt.Errorf("mark line %d credited: %w", take[i].ID, err)
			}
			cn.Lines = append(cn.Lines, &l)
		}
		return audit.Write(ctx, tx, who(by), audit.Record{Entity: "invoice", EntityID: inv.ID, Action: "credit", Reason: reason,
			Changes: []audit.Change{{Field: "credit_note", After: num}, {Field: "lines", After: len(take)}, {Field: "amount_minor", After: cn.TotalMinor}}})
	})
	if err != nil {
		return nil, err
	}
	return cn, nil
}
