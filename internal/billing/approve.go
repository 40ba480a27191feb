package billing

import (
	"context"
	"fmt"
	"strconv"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/validate"
)

// ApproveRun numbers a draft run's invoices and marks their lines billed.
//
// It is idempotent: the whole approval is one transaction, so a crash
// half-way leaves the run a draft with no number taken and nothing billed,
// and approving it again does all of it; approving an approved run changes
// nothing and returns it. No line can be billed twice: a unique index on
// the billed lines' source keys refuses it even if two runs race.
func (s *Service) ApproveRun(ctx context.Context, by auth.Actor, runID int64) (*Run, error) {
	if by.Role != auth.RoleAdmin {
		return nil, ErrForbidden
	}
	run := new(Run)
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewSelect().Model(run).Where("id = ?", runID)
		if s.DB.Engine == db.Postgres {
			q = q.For("UPDATE")
		}
		if err := q.Scan(ctx); err != nil {
			if db.IsNoRows(err) {
				return ErrNotFound
			}
			return fmt.Errorf("load run %d: %w", runID, err)
		}
		if run.Status == StatusApproved {
			return nil
		}
		var invs []*Invoice
		if err := tx.NewSelect().Model(&invs).Where("run_id = ?", runID).OrderExpr("id").Scan(ctx); err != nil {
			return fmt.Errorf("load run %d invoices: %w", runID, err)
		}
		if err := checkApprovable(ctx, tx, runID, invs); err != nil {
			return err
		}
		now := s.now().UTC()
		for n, inv := range invs {
			num, err := nextNumber(ctx, tx)
			if err != nil {
				return err
			}
			inv.Number, inv.Status, inv.ApprovedAt = &num, StatusApproved, &now
			if _, err := tx.NewUpdate().Model(inv).Column("number", "status", "approved_at").WherePK().Exec(ctx); err != nil {
				return fmt.Errorf("number invoice %d: %w", inv.ID, err)
			}
			if s.approveHook != nil {
				if err := s.approveHook(n + 1); err != nil {
					return err
				}
			}
		}
		_, err := tx.NewUpdate().Table("invoice_lines").Set("billed = ?", true).
			Where("invoice_id IN (SELECT id FROM invoices WHERE run_id = ?)", runID).Exec(ctx)
		if err != nil {
			if db.IsUniqueViolation(err) {
				return fmt.Errorf("run %d bills a line another approved invoice bills: %w", runID, ErrConflict)
			}
			return fmt.Errorf("mark run %d billed: %w", runID, err)
		}
		run.Status, run.ApprovedBy, run.ApprovedAt = StatusApproved, by.Name, &now
		if _, err := tx.NewUpdate().Model(run).Column("status", "approved_by", "approved_at").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("approve run %d: %w", runID, err)
		}
		return audit.Write(ctx, tx, who(by), audit.Record{Entity: "invoice_run", EntityID: run.ID, Action: "approve",
			Changes: []audit.Change{{Field: "status", Before: StatusDraft, After: StatusApproved}, {Field: "invoices", After: len(invs)}}})
	})
	if err != nil {
		return nil, err
	}
	return run, nil
}

// checkApprovable finds what would make the run's invoices wrong: a line
// billed meanwhile by another approved run, an invoice without the buyer's
// reference that public buyers need.
func checkApprovable(ctx context.Context, tx bun.IDB, runID int64, invs []*Invoice) error {
	var ps validate.List
	for _, inv := range invs {
		if inv.BuyerReference == "" && inv.OrderReference == "" {
			ps.Addf(fmt.Sprintf("invoice[%d].buyer_reference", inv.ID), "billing.approve.no_reference", inv.BuyerName, map[string]any{"Value": inv.BuyerName})
		}
	}
	var clashes []struct {
		Description string `bun:"description"`
		Number      string `bun:"number"`
	}
	err := tx.NewSelect().TableExpr("invoice_lines AS l").
		Join("JOIN invoices AS i ON i.id = l.invoice_id").
		Join("JOIN invoice_lines AS b ON b.source_key = l.source_key AND b.billed = ?", true).
		Join("JOIN invoices AS bi ON bi.id = b.invoice_id").
		ColumnExpr("l.description, bi.number").
		Where("i.run_id = ?", runID).Scan(ctx, &clashes)
	if err != nil {
		return fmt.Errorf("check run %d against billed lines: %w", runID, err)
	}
	for _, c := range clashes {
		ps.Addf("lines", "billing.approve.already_billed", c.Description, map[string]any{"Number": c.Number, "Value": c.Description})
	}
	return ps.Err()
}

// nextNumber takes the next invoice number. Invoices and credit notes share
// one gapless series: the counter moves inside the approving transaction,
// so a rolled-back approval gives its numbers back.
func nextNumber(ctx context.Context, tx bun.IDB) (string, error) {
	if _, err := tx.NewRaw("INSERT INTO invoice_counters (series, next) VALUES ('invoice', 1) ON CONFLICT (series) DO NOTHING").Exec(ctx); err != nil {
		return "", fmt.Errorf("invoice counter: %w", err)
	}
	var n int64
	if err := tx.NewRaw("UPDATE invoice_counters SET next = next + 1 WHERE series = 'invoice' RETURNING next - 1").Scan(ctx, &n); err != nil {
		return "", fmt.Errorf("invoice counter: %w", err)
	}
	return strconv.FormatInt(n, 10), nil
}

// DiscardRun deletes a draft run with its draft invoices.
func (s *Service) DiscardRun(ctx context.Context, by auth.Actor, runID int64) error {
	if by.Role != auth.RoleAdmin {
		return ErrForbidden
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		run := new(Run)
		if err := load(ctx, tx, run, runID); err != nil {
			return err
		}
		if run.Status != StatusDraft {
			return fmt.Errorf("run %d is approved: %w", runID, ErrConflict)
		}
		if _, err := tx.NewDelete().Table("invoice_lines").Where("invoice_id IN (SELECT id FROM invoices WHERE run_id = ?)", runID).Exec(ctx); err != nil {
			return fmt.Errorf("discard run %d: %w", runID, err)
		}
		if _, err := tx.NewDelete().Table("invoices").Where("run_id = ?", runID).Exec(ctx); err != nil {
			return fmt.Errorf("discard run %d: %w", runID, err)
		}
		if _, err := tx.NewDelete().Model(run).WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("discard run %d: %w", runID, err)
		}
		return audit.Write(ctx, tx, who(by), audit.Record{Entity: "invoice_run", EntityID: runID, Action: "discard",
			Changes: []audit.Change{{Field: "name", Before: run.Name}}})
	})
}

// UpdateDraftInvoice sets the buyer's and order reference and the note of
// a draft invoice; approved invoices are corrected by credit notes only.
func (s *Service) UpdateDraftInvoice(ctx context.Context, by auth.Actor, id int64, buyerRef, orderRef, note string) error {
	if by.Role != auth.RoleAdmin {
		return ErrForbidden
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		inv := new(Invoice)
		if err := load(ctx, tx, inv, id); err != nil {
			return err
		}
		if inv.Status != StatusDraft {
			return fmt.Errorf("invoice %d is approved: %w", id, ErrConflict)
		}
		before := map[string]any{"buyer_reference": inv.BuyerReference, "order_reference": inv.OrderReference, "note": inv.Note}
		inv.BuyerReference, inv.OrderReference, inv.Note = buyerRef, orderRef, note
		after := map[string]any{"buyer_reference": inv.BuyerReference, "order_reference": inv.OrderReference, "note": inv.Note}
		if _, err := tx.NewUpdate().Model(inv).Column("buyer_reference", "order_reference", "note").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("update invoice %d: %w", id, err)
		}
		return audit.Write(ctx, tx, who(by), audit.Record{Entity: "invoice", EntityID: id, Action: "update",
			Changes: audit.Diff([]string{"buyer_reference", "order_reference", "note"}, before, after)})
	})
}
