package enrolment

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/validate"
)

// DPAExpiryDays is how far ahead ExpiringDPAs looks by default.
const DPAExpiryDays = 60

// MaxDPADocument is the largest agreement document accepted (bytes).
const MaxDPADocument = 20 << 20

// DPAInput registers a signed data processing agreement.
type DPAInput struct {
	LibraryID    int64         `json:"library_id"`
	VendorID     int64         `json:"vendor_id"`
	Version      string        `json:"version,omitempty"`
	SignedOn     calendar.Date `json:"signed_on"`
	SignedBy     string        `json:"signed_by"`
	ExpiresOn    calendar.Date `json:"expires_on,omitempty"` // empty: no expiry
	DocumentName string        `json:"document_name,omitempty"`
	Document     []byte        `json:"-"`
}

// DPAView is an agreement (without its document) with the names a list shows.
type DPAView struct {
	DataProcessingAgreement
	LibraryName string `json:"library_name"`
	VendorName  string `json:"vendor_name"`
	HasDocument bool   `json:"has_document"`
	// Status on today's date: valid, expired, or not_yet (signed in the future).
	Status string `json:"status"`
}

// Statuses of a data processing agreement on a day.
const (
	DPAValid   = "valid"
	DPAExpired = "expired"
	DPANotYet  = "not_yet"
)

// AddDPA registers an agreement. Consortium staff may register any; a
// library or county contact only for libraries it acts for.
func (s *Service) AddDPA(ctx context.Context, by auth.Actor, in DPAInput) (*DataProcessingAgreement, error) {
	if by.Role == auth.RoleVendor {
		return nil, ErrForbidden
	}
	var d *DataProcessingAgreement
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		lib, err := obLibrary(ctx, tx, in.LibraryID)
		if err != nil {
			return err
		}
		if !by.ActsFor(lib.ID, lib.Country, lib.CountyNumber) {
			return ErrNotFound
		}
		var ps []*validate.Problem
		bad := func(field, code, value string) {
			ps = append(ps, &validate.Problem{Field: field, Code: code, Value: value})
		}
		vendor, err := newObChecker(tx, "").vendorName(ctx, in.VendorID)
		if errors.Is(err, db.ErrNoRows) {
			bad("vendor_id", "obligations.dpa.vendor_unknown", fmt.Sprint(in.VendorID))
		} else if err != nil {
			return err
		}
		signed, err := calendar.Parse(strings.TrimSpace(string(in.SignedOn)))
		if err != nil {
			bad("signed_on", "obligations.dpa.signed_on", string(in.SignedOn))
		} else if signed.After(today(s.now())) {
			bad("signed_on", "obligations.dpa.signed_future", string(in.SignedOn))
		}
		var expires calendar.Date
		if strings.TrimSpace(string(in.ExpiresOn)) != "" {
			if expires, err = calendar.Parse(strings.TrimSpace(string(in.ExpiresOn))); err != nil {
				bad("expires_on", "obligations.dpa.expires_on", string(in.ExpiresOn))
			} else if signed != "" && expires.Before(signed) {
				bad("expires_on", "obligations.dpa.expires_before_signed", string(in.ExpiresOn))
			}
		}
		signedBy := strings.TrimSpace(in.SignedBy)
		if signedBy == "" {
			bad("signed_by", "obligations.dpa.signed_by_required", "")
		}
		docName := strings.TrimSpace(in.DocumentName)
		if len(in.Document) > MaxDPADocument {
			bad("document", "obligations.dpa.document_too_large", docName)
		} else if len(in.Document) > 0 && docName == "" {
			docName = "databehandleravtale.pdf"
		}
		if len(ps) > 0 {
			return &ValidationError{Problems: ps}
		}
		d = &DataProcessingAgreement{LibraryID: lib.ID, VendorID: in.VendorID, Version: strings.TrimSpace(in.Version),
			SignedOn: signed, SignedBy: signedBy, ExpiresOn: expires, DocumentName: docName, Document: in.Document,
			CreatedAt: s.now().UTC()}
		if len(d.Document) == 0 {
			d.Document, d.DocumentName = nil, ""
		}
		if _, err := tx.NewInsert().Model(d).Exec(ctx); err != nil {
			return fmt.Errorf("insert data processing agreement: %w", err)
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "data_processing_agreement", EntityID: d.ID, LibraryID: lib.ID,
			Action: "create", Changes: []audit.Change{{Field: "vendor", After: vendor}, {Field: "version", After: d.Version},
				{Field: "signed_on", After: string(d.SignedOn)}, {Field: "signed_by", After: d.SignedBy},
				{Field: "expires_on", After: string(d.ExpiresOn)}, {Field: "document_name", After: d.DocumentName}}})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// DeleteDPA removes an agreement registered by mistake; admins only.
func (s *Service) DeleteDPA(ctx context.Context, by auth.Actor, id int64) error {
	if by.Role != auth.RoleAdmin {
		return ErrForbidden
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		d := new(DataProcessingAgreement)
		if err := tx.NewSelect().Model(d).ExcludeColumn("document").Where("dpa.id = ?", id).Scan(ctx); err != nil {
			if errors.Is(err, db.ErrNoRows) {
				return ErrNotFound
			}
			return fmt.Errorf("data processing agreement %d: %w", id, err)
		}
		if _, err := tx.NewDelete().Model((*DataProcessingAgreement)(nil)).Where("id = ?", id).Exec(ctx); err != nil {
			return fmt.Errorf("delete data processing agreement %d: %w", id, err)
		}
		vendor, err := newObChecker(tx, "").vendorName(ctx, d.VendorID)
		if err != nil {
			return err
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "data_processing_agreement", EntityID: d.ID, LibraryID: d.LibraryID,
			Action: "delete", Changes: []audit.Change{{Field: "vendor", Before: vendor}, {Field: "version", Before: d.Version},
				{Field: "signed_on", Before: string(d.SignedOn)}, {Field: "signed_by", Before: d.SignedBy},
				{Field: "expires_on", Before: string(d.ExpiresOn)}}})
	})
}

// DPADocument returns an agreement's document for download, to whoever may
// see the agreement.
func (s *Service) DPADocument(ctx context.Context, by auth.Actor, id int64) (name string, data []byte, err error) {
	vs, err := s.obListDPAs(ctx, by, "dpa.id = ?", id)
	if err != nil {
		return "", nil, err
	}
	if len(vs) == 0 {
		return "", nil, ErrNotFound
	}
	var doc []byte
	if err := s.DB.NewSelect().Model((*DataProcessingAgreement)(nil)).Column("document").Where("id = ?", id).Scan(ctx, &doc); err != nil {
		return "", nil, fmt.Errorf("document of data processing agreement %d: %w", id, err)
	}
	if len(doc) == 0 {
		return "", nil, ErrNotFound
	}
	return vs[0].DocumentName, doc, nil
}

// LibraryDPAs lists a library's agreements, newest signature first.
func (s *Service) LibraryDPAs(ctx context.Context, by auth.Actor, libraryID int64) ([]DPAView, error) {
	lib, err := obLibrary(ctx, s.DB, libraryID)
	if err != nil {
		return nil, err
	}
	if !by.Sees(lib.ID, lib.Country, lib.CountyNumber) {
		return nil, ErrNotFound
	}
	return s.obListDPAs(ctx, by, "dpa.library_id = ?", libraryID)
}

// VendorDPAs lists the agreements with a vendor: all of them for consortium
// staff and the vendor's own contacts, a county's or library's own for
// county and library contacts.
func (s *Service) VendorDPAs(ctx context.Context, by auth.Actor, vendorID int64) ([]DPAView, error) {
	if by.Role == auth.RoleVendor && by.VendorID != vendorID {
		return nil, ErrNotFound
	}
	return s.obListDPAs(ctx, by, "dpa.vendor_id = ?", vendorID)
}

// ExpiringDPAs lists agreements whose expiry falls within the next `within`
// days (DPAExpiryDays when 0 or less), today included, leaving out those a
// later agreement between the same library and vendor already replaces.
func (s *Service) ExpiringDPAs(ctx context.Context, by auth.Actor, within int) ([]DPAView, error) {
	if within <= 0 {
		within = DPAExpiryDays
	}
	day := today(s.now())
	return s.obListDPAs(ctx, by, `dpa.expires_on <> '' AND dpa.expires_on >= ? AND dpa.expires_on <= ? AND NOT EXISTS (
		SELECT 1 FROM data_processing_agreements AS n WHERE n.library_id = dpa.library_id AND n.vendor_id = dpa.vendor_id
		AND n.id <> dpa.id AND n.signed_on <= ? AND (n.expires_on = '' OR n.expires_on > dpa.expires_on))`,
		string(day), string(day.AddDays(within)), string(day))
}

// obListDPAs selects agreements matching where and keeps those the actor may see.
func (s *Service) obListDPAs(ctx context.Context, by auth.Actor, where string, args ...any) ([]DPAView, error) {
	var rows []struct {
		DataProcessingAgreement `bun:",extend"`
		LibraryName             string `bun:"library_name"`
		Country                 string `bun:"country"`
		CountyNumber            string `bun:"county_number"`
		VendorName              string `bun:"vendor_name"`
		HasDocument             bool   `bun:"has_document"`
	}
	err := s.DB.NewSelect().TableExpr("data_processing_agreements AS dpa").
		ColumnExpr("dpa.id, dpa.library_id, dpa.vendor_id, dpa.version, dpa.signed_on, dpa.signed_by, dpa.expires_on, dpa.document_name, dpa.created_at").
		ColumnExpr("l.name AS library_name, l.country, l.county_number, v.name AS vendor_name").
		ColumnExpr("dpa.document IS NOT NULL AS has_document").
		Join("JOIN libraries AS l ON l.id = dpa.library_id").
		Join("JOIN vendors AS v ON v.id = dpa.vendor_id").
		Where(where, args...).OrderExpr("l.name, v.name, dpa.signed_on DESC, dpa.id DESC").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("data processing agreements: %w", err)
	}
	day := today(s.now())
	out := make([]DPAView, 0, len(rows))
	for _, r := range rows {
		if by.Role == auth.RoleVendor {
			if r.VendorID != by.VendorID {
				continue
			}
		} else if !by.Sees(r.LibraryID, r.Country, r.CountyNumber) {
			continue
		}
		v := DPAView{DataProcessingAgreement: r.DataProcessingAgreement, LibraryName: r.LibraryName, VendorName: r.VendorName,
			HasDocument: r.HasDocument, Status: DPAValid}
		switch {
		case day.Before(v.SignedOn):
			v.Status = DPANotYet
		case !v.ExpiresOn.IsZero() && day.After(v.ExpiresOn):
			v.Status = DPAExpired
		}
		out = append(out, v)
	}
	return out, nil
}

// BlockedForDPA lists the subscriptions (not ended, no trial) to products
// that process personal data whose library has no agreement with the
// vendor valid today: the state pending_agreement, and those also pending
// terms (their State says pending_terms). Filtered to what the actor sees.
func (s *Service) BlockedForDPA(ctx context.Context, by auth.Actor) ([]SubscriptionView, error) {
	day := today(s.now())
	var subs []Subscription
	err := s.DB.NewSelect().Model(&subs).
		Join("JOIN products AS p ON p.id = s.product_id").
		Where("p.processes_personal_data = ? AND s.trial_id IS NULL AND s.ends_on >= ?", true, string(day)).
		OrderExpr("s.starts_on, s.id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("subscriptions to personal-data products: %w", err)
	}
	ids := make([]int64, 0, len(subs))
	for _, sub := range subs {
		ids = append(ids, sub.LibraryID)
	}
	libs, err := obLibraries(ctx, s.DB, ids)
	if err != nil {
		return nil, err
	}
	c := newObChecker(s.DB, day)
	var out []SubscriptionView
	for _, sub := range subs {
		lib := libs[sub.LibraryID]
		if lib == nil || !by.Sees(lib.ID, lib.Country, lib.CountyNumber) {
			continue
		}
		v, err := c.view(ctx, sub)
		if err != nil {
			return nil, err
		}
		if by.Role == auth.RoleVendor && v.VendorID != by.VendorID {
			continue
		}
		for _, b := range v.Blockers {
			if b.Kind == BlockedAgreement {
				v.LibraryName = lib.Name
				out = append(out, v)
				break
			}
		}
	}
	return out, nil
}
