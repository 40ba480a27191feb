package enrolment

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/products"
)

// AgreementInput is what a form or the API gives to create or change an
// agreement. Dates may be typed 2026-01-01 or 01.01.2026.
type AgreementInput struct {
	VendorID       int64         `json:"vendor_id"`
	Name           string        `json:"name"`
	StartsOn       calendar.Date `json:"starts_on"`
	EndsOn         calendar.Date `json:"ends_on"`
	ProcurementRef string        `json:"procurement_ref,omitempty"`
	Notes          string        `json:"notes,omitempty"`
	Version        int64         `json:"version,omitempty"` // on update: the version the caller read
}

var agreementFields = []string{"vendor_id", "name", "starts_on", "ends_on", "procurement_ref", "notes"}

func (a *Agreement) snapshot() map[string]any {
	return map[string]any{"vendor_id": a.VendorID, "name": a.Name, "starts_on": string(a.StartsOn),
		"ends_on": string(a.EndsOn), "procurement_ref": a.ProcurementRef, "notes": a.Notes}
}

// CreateAgreement adds an agreement; consortium admins and staff only.
func (s *Service) CreateAgreement(ctx context.Context, by auth.Actor, in AgreementInput) (*Agreement, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	var a *Agreement
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if a, err = normaliseAgreement(ctx, tx, in); err != nil {
			return err
		}
		now := s.now().UTC()
		a.CreatedAt, a.UpdatedAt, a.Version = now, now, 1
		if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
			return fmt.Errorf("insert agreement: %w", err)
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "agreement", EntityID: a.ID, Action: "create",
			Changes: audit.Diff(agreementFields, nil, a.snapshot())})
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// UpdateAgreement changes an agreement. in.Version must be the version the
// caller read (else ErrConflict). A new period moves the subscriptions that
// follow from the agreement's offers with it; the vendor cannot change once
// the agreement holds offers.
func (s *Service) UpdateAgreement(ctx context.Context, by auth.Actor, id int64, in AgreementInput) (*Agreement, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	var a *Agreement
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		old, err := getAgreement(ctx, tx, id)
		if err != nil {
			return err
		}
		if in.Version != old.Version {
			return ErrConflict
		}
		if a, err = normaliseAgreement(ctx, tx, in); err != nil {
			return err
		}
		if a.VendorID != old.VendorID {
			n, err := tx.NewSelect().Model((*Offer)(nil)).Where("agreement_id = ?", id).Count(ctx)
			if err != nil {
				return fmt.Errorf("offers of agreement %d: %w", id, err)
			}
			if n > 0 {
				var ps problems
				ps.Addf("vendor_id", "enrolment.agreement.vendor_has_offers", fmt.Sprint(a.VendorID), nil)
				return ps.Err()
			}
		}
		changes := audit.Diff(agreementFields, old.snapshot(), a.snapshot())
		if len(changes) == 0 {
			a = old
			return nil
		}
		a.ID, a.CreatedAt, a.UpdatedAt, a.Version = old.ID, old.CreatedAt, s.now().UTC(), old.Version+1
		res, err := tx.NewUpdate().Model(a).ExcludeColumn("id", "created_at").
			Where("id = ? AND version = ?", old.ID, old.Version).Exec(ctx)
		if err != nil {
			return fmt.Errorf("update agreement %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrConflict
		}
		if a.StartsOn != old.StartsOn || a.EndsOn != old.EndsOn {
			_, err := tx.NewUpdate().Model((*Subscription)(nil)).
				Set("starts_on = ?, ends_on = ?", string(a.StartsOn), string(a.EndsOn)).
				Where("offer_id IN (SELECT id FROM offers WHERE agreement_id = ?)", id).Exec(ctx)
			if err != nil {
				return fmt.Errorf("move subscriptions of agreement %d: %w", id, err)
			}
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "agreement", EntityID: a.ID, Action: "update", Changes: changes})
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// GetAgreement loads an agreement: for the consortium, and for a vendor
// contact its own vendor's.
func (s *Service) GetAgreement(ctx context.Context, by auth.Actor, id int64) (*Agreement, error) {
	a, err := getAgreement(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if !seesAgreement(by, a) {
		return nil, ErrNotFound
	}
	return a, nil
}

// Agreements lists agreements, newest period first; vendorID 0 lists all
// vendors'. A vendor contact sees only its own vendor's.
func (s *Service) Agreements(ctx context.Context, by auth.Actor, vendorID int64) ([]Agreement, error) {
	switch {
	case by.IsConsortium():
	case by.Role == auth.RoleVendor && by.VendorID != 0:
		vendorID = by.VendorID
	default:
		return nil, ErrForbidden
	}
	var as []Agreement
	q := s.DB.NewSelect().Model(&as).OrderExpr("ag.starts_on DESC, ag.name")
	if vendorID != 0 {
		q = q.Where("ag.vendor_id = ?", vendorID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list agreements: %w", err)
	}
	return as, nil
}

func seesAgreement(by auth.Actor, a *Agreement) bool {
	return by.IsConsortium() || (by.Role == auth.RoleVendor && by.VendorID != 0 && by.VendorID == a.VendorID)
}

func getAgreement(ctx context.Context, idb bun.IDB, id int64) (*Agreement, error) {
	a := new(Agreement)
	if err := idb.NewSelect().Model(a).Where("ag.id = ?", id).Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("agreement %d: %w", id, err)
	}
	return a, nil
}

// normaliseAgreement checks an input and returns the agreement it describes.
func normaliseAgreement(ctx context.Context, tx bun.IDB, in AgreementInput) (*Agreement, error) {
	var ps problems
	a := &Agreement{VendorID: in.VendorID, Name: strings.TrimSpace(in.Name),
		ProcurementRef: strings.TrimSpace(in.ProcurementRef), Notes: strings.TrimSpace(in.Notes)}
	if a.Name == "" {
		ps.Addf("name", "enrolment.name.required", "", nil)
	}
	if n, err := tx.NewSelect().Model((*products.Vendor)(nil)).Where("id = ?", in.VendorID).Count(ctx); err != nil {
		return nil, fmt.Errorf("vendor %d: %w", in.VendorID, err)
	} else if n == 0 {
		ps.Addf("vendor_id", "enrolment.vendor.unknown", fmt.Sprint(in.VendorID), nil)
	}
	a.StartsOn = requiredDate(&ps, "starts_on", in.StartsOn)
	a.EndsOn = requiredDate(&ps, "ends_on", in.EndsOn)
	if !a.StartsOn.IsZero() && !a.EndsOn.IsZero() && !a.EndsOn.After(a.StartsOn) {
		ps.Addf("ends_on", "enrolment.period.order", string(a.EndsOn), map[string]any{"Start": string(a.StartsOn)})
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	return a, nil
}

// requiredDate checks a required date field and returns it normalised.
func requiredDate(ps *problems, field string, d calendar.Date) calendar.Date {
	raw := strings.TrimSpace(string(d))
	if raw == "" {
		ps.Addf(field, "enrolment.date.required", "", nil)
		return ""
	}
	out, err := calendar.Parse(raw)
	if err != nil {
		ps.Addf(field, "enrolment.date.invalid", raw, nil)
		return ""
	}
	return out
}
