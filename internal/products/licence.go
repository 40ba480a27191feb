package products

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/db"
)

// MaxLicenceDocument is the largest licence document accepted.
const MaxLicenceDocument = 20 << 20

// LicenceInput is a new version of a product's licence: its text, an
// optional PDF, and the terms. An empty term value means "unclear".
type LicenceInput struct {
	Text         string `json:"text,omitempty"`
	DocumentName string `json:"document_name,omitempty" doc:"File name of the document, e.g. lisens-2026.pdf"`
	Document     []byte `json:"document,omitempty" doc:"The licence as a PDF, base64-encoded"`
	Terms        Terms  `json:"terms"`
}

// licenceColumns are all but the document, which lists never need.
var licenceColumns = []string{"id", "product_id", "version", "text", "document_name", "terms", "created_by", "created_at"}

// AddLicenceVersion stores a new version of a product's licence, numbered
// one above the last; consortium admins and staff only. Every bad term
// value is named in the ValidationError.
func (s *Service) AddLicenceVersion(ctx context.Context, by auth.Actor, productID int64, in LicenceInput) (*LicenceVersion, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	var ps problems
	v := &LicenceVersion{ProductID: productID, Text: oneLineEnd(in.Text), CreatedBy: by.Who().Name, CreatedAt: time.Now().UTC()}
	terms := normaliseTerms(&ps, in.Terms)
	if len(in.Document) > 0 {
		v.DocumentName = path.Base(strings.ReplaceAll(strings.TrimSpace(in.DocumentName), `\`, "/"))
		if v.DocumentName == "." || v.DocumentName == "/" {
			v.DocumentName = "licence.pdf"
		}
		switch {
		case len(in.Document) > MaxLicenceDocument:
			ps.Addf("document", "licence.document.too_large", v.DocumentName, map[string]any{"MaxMB": MaxLicenceDocument >> 20})
		case !bytes.HasPrefix(in.Document, []byte("%PDF-")):
			ps.Addf("document", "licence.document.not_pdf", v.DocumentName, nil)
		}
		v.Document = in.Document
	}
	if v.Text == "" && len(v.Document) == 0 {
		ps.Addf("text", "licence.text.required", "", nil)
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	j, err := json.Marshal(terms)
	if err != nil {
		return nil, fmt.Errorf("encode terms: %w", err)
	}
	v.TermsJSON = string(j)
	err = s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := getProduct(ctx, tx, productID); err != nil {
			return err
		}
		var last int
		if err := tx.NewSelect().Model((*LicenceVersion)(nil)).ColumnExpr("COALESCE(MAX(version), 0)").
			Where("product_id = ?", productID).Scan(ctx, &last); err != nil {
			return fmt.Errorf("last licence version of product %d: %w", productID, err)
		}
		v.Version = last + 1
		if _, err := tx.NewInsert().Model(v).Exec(ctx); err != nil {
			if db.IsUniqueViolation(err) {
				return ErrConflict // another version was added in the same instant
			}
			return fmt.Errorf("insert licence version: %w", err)
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "licence_version", EntityID: v.ID, Action: "create",
			Changes: audit.Diff(licenceFields, nil, v.snapshot())})
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

var licenceFields = append([]string{"product_id", "version", "text", "document_name", "document_size"}, TermKeys...)

func (v *LicenceVersion) snapshot() map[string]any {
	m := map[string]any{"product_id": v.ProductID, "version": v.Version, "text": v.Text, "document_name": v.DocumentName}
	if len(v.Document) > 0 {
		m["document_size"] = len(v.Document)
	}
	for _, t := range v.Terms().List() {
		s := t.Value
		if t.Clause != "" {
			s += ": " + strconv.Quote(t.Clause)
		}
		m[t.Key] = s
	}
	return m
}

// CurrentLicence returns a product's newest licence version (without its
// document) and its terms, or nil and zero Terms when it has none. No access
// check: licence terms are shown in the public catalogue.
func (s *Service) CurrentLicence(ctx context.Context, productID int64) (*LicenceVersion, Terms, error) {
	var vs []LicenceVersion
	err := s.DB.NewSelect().Model(&vs).Column(licenceColumns...).Where("product_id = ?", productID).
		OrderExpr("version DESC").Limit(1).Scan(ctx)
	if err != nil {
		return nil, Terms{}, fmt.Errorf("current licence of product %d: %w", productID, err)
	}
	if len(vs) == 0 {
		return nil, Terms{}, nil
	}
	return &vs[0], vs[0].Terms(), nil
}

// LicenceVersionByID loads one licence version with its document, without
// an access check (for terms acceptance, which records the version id).
func (s *Service) LicenceVersionByID(ctx context.Context, id int64) (*LicenceVersion, error) {
	v := new(LicenceVersion)
	if err := s.DB.NewSelect().Model(v).Where("id = ?", id).Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("licence version %d: %w", id, err)
	}
	return v, nil
}

// LicenceVersions lists a product's licence versions, newest first, without
// their documents.
func (s *Service) LicenceVersions(ctx context.Context, by auth.Actor, productID int64) ([]LicenceVersion, error) {
	if _, err := s.Product(ctx, by, productID); err != nil {
		return nil, err
	}
	vs := []LicenceVersion{}
	if err := s.DB.NewSelect().Model(&vs).Column(licenceColumns...).Where("product_id = ?", productID).
		OrderExpr("version DESC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("licence versions of product %d: %w", productID, err)
	}
	return vs, nil
}

// LicenceDocument returns the document of one version of a product's
// licence, for anyone who may see the product.
func (s *Service) LicenceDocument(ctx context.Context, by auth.Actor, productID int64, version int) (name string, data []byte, err error) {
	if _, err := s.Product(ctx, by, productID); err != nil {
		return "", nil, err
	}
	v := new(LicenceVersion)
	if err := s.DB.NewSelect().Model(v).Where("product_id = ? AND version = ?", productID, version).Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return "", nil, ErrNotFound
		}
		return "", nil, fmt.Errorf("licence document %d/%d: %w", productID, version, err)
	}
	if len(v.Document) == 0 {
		return "", nil, ErrNotFound
	}
	return v.DocumentName, v.Document, nil
}
