package products

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/db"
)

// ProductInput is what a form or an API call asks for. Version is the
// version the caller read; it must match on update.
type ProductInput struct {
	VendorID                int64    `json:"vendor_id"`
	Name                    string   `json:"name"`
	AccessMethods           []string `json:"access_methods,omitempty" enum:"ip,openathens,library_card,password,referrer"`
	RemoteAccess            bool     `json:"remote_access,omitempty"`
	TargetGroups            []string `json:"target_groups,omitempty" enum:"public,school"`
	ProcessesPersonalData   bool     `json:"processes_personal_data,omitempty"`
	RequiresTermsAcceptance bool     `json:"requires_terms_acceptance,omitempty"`
	// Published nil leaves the state as it is; true publishes, which needs
	// the Bokmål description and all four standard answers.
	Published *bool `json:"published,omitempty"`
	// Texts by language (nb, sv, en); languages left out are not changed.
	Texts   map[string]TextInput `json:"texts,omitempty"`
	Version int64                `json:"version,omitempty"`
}

// ProductInputFrom fills an input from a product, for edit forms.
func ProductInputFrom(p *Product) ProductInput {
	pub := p.Published
	return ProductInput{VendorID: p.VendorID, Name: p.Name, AccessMethods: p.AccessMethods(), RemoteAccess: p.RemoteAccess,
		TargetGroups: p.TargetGroups(), ProcessesPersonalData: p.ProcessesPersonalData,
		RequiresTermsAcceptance: p.RequiresTermsAcceptance, Published: &pub, Version: p.Version}
}

var productFields = []string{"vendor_id", "name", "slug", "access_methods", "remote_access", "target_groups",
	"processes_personal_data", "requires_terms_acceptance", "published"}

func (p *Product) snapshot() map[string]any {
	return map[string]any{"vendor_id": p.VendorID, "name": p.Name, "slug": p.Slug, "access_methods": p.AccessMethodsText,
		"remote_access": p.RemoteAccess, "target_groups": p.TargetGroupsText, "processes_personal_data": p.ProcessesPersonalData,
		"requires_terms_acceptance": p.RequiresTermsAcceptance, "published": p.Published}
}

func (s *Service) normaliseProduct(ctx context.Context, tx bun.IDB, ps *problems, in ProductInput, existing *Product) (*Product, error) {
	p := &Product{}
	if existing != nil {
		*p = *existing
	}
	p.Name = strings.Join(strings.Fields(in.Name), " ")
	if p.Name == "" {
		ps.Addf("name", "products.name.required", "", nil)
	}
	p.VendorID = in.VendorID
	if in.VendorID == 0 {
		ps.Addf("vendor_id", "products.vendor.required", "", nil)
	} else if _, err := getVendor(ctx, tx, in.VendorID); errors.Is(err, ErrNotFound) {
		ps.Addf("vendor_id", "products.vendor.unknown", strconv.FormatInt(in.VendorID, 10), nil)
	} else if err != nil {
		return nil, err
	}
	p.AccessMethodsText = normaliseSet(ps, "access_methods", "products.access_method.unknown", in.AccessMethods, AccessMethods)
	p.TargetGroupsText = normaliseSet(ps, "target_groups", "products.target_group.unknown", in.TargetGroups, TargetGroups)
	p.RemoteAccess, p.ProcessesPersonalData, p.RequiresTermsAcceptance = in.RemoteAccess, in.ProcessesPersonalData, in.RequiresTermsAcceptance
	if in.Published != nil {
		p.Published = *in.Published
	}
	return p, nil
}

// CreateProduct adds a product with a slug made from its name and, if
// given, its texts; consortium admins and staff only.
func (s *Service) CreateProduct(ctx context.Context, by auth.Actor, in ProductInput) (*Product, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	var out *Product
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var ps problems
		p, err := s.normaliseProduct(ctx, tx, &ps, in, nil)
		if err != nil {
			return err
		}
		texts := normaliseTexts(&ps, in.Texts)
		if err := ps.Err(); err != nil {
			return err
		}
		if p.Published {
			if err := completeForPublishing(texts["nb"]); err != nil {
				return err
			}
		}
		if p.Slug, err = uniqueSlug(ctx, tx, Slug(p.Name)); err != nil {
			return err
		}
		now := time.Now().UTC()
		p.CreatedAt, p.UpdatedAt, p.Version = now, now, 1
		if _, err := tx.NewInsert().Model(p).Exec(ctx); err != nil {
			if db.IsUniqueViolation(err) {
				return ErrConflict // two products named alike in the same instant
			}
			return fmt.Errorf("insert product: %w", err)
		}
		if err := audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "product", EntityID: p.ID, Action: "create",
			Changes: audit.Diff(productFields, nil, p.snapshot())}); err != nil {
			return err
		}
		if _, err := writeTexts(ctx, tx, by, p.ID, texts); err != nil {
			return err
		}
		out = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateProduct changes a product's fields and any texts given. The slug
// stays as it was made, so catalogue links keep working after a rename.
// Any change, to the product or its texts, raises the version.
func (s *Service) UpdateProduct(ctx context.Context, by auth.Actor, id int64, in ProductInput) (*Product, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	var out *Product
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		old, err := getProduct(ctx, tx, id)
		if err != nil {
			return err
		}
		if in.Version != old.Version {
			return ErrConflict
		}
		var ps problems
		p, err := s.normaliseProduct(ctx, tx, &ps, in, old)
		if err != nil {
			return err
		}
		texts := normaliseTexts(&ps, in.Texts)
		if err := ps.Err(); err != nil {
			return err
		}
		out, err = s.saveProduct(ctx, tx, by, old, p, texts)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// saveProduct writes p (a changed copy of old) and texts, checking that a
// published product keeps its Bokmål texts complete.
func (s *Service) saveProduct(ctx context.Context, tx bun.Tx, by auth.Actor, old, p *Product, texts map[string]ProductText) (*Product, error) {
	if p.Published {
		nb, ok := texts["nb"]
		if !ok {
			cur, err := loadTexts(ctx, tx, old.ID)
			if err != nil {
				return nil, err
			}
			nb = cur["nb"]
		}
		if err := completeForPublishing(nb); err != nil {
			return nil, err
		}
	}
	textChanged, err := writeTexts(ctx, tx, by, old.ID, texts)
	if err != nil {
		return nil, err
	}
	changes := audit.Diff(productFields, old.snapshot(), p.snapshot())
	if len(changes) == 0 && !textChanged {
		return old, nil
	}
	p.UpdatedAt, p.Version = time.Now().UTC(), old.Version+1
	res, err := tx.NewUpdate().Model(p).ExcludeColumn("id", "created_at").
		Where("id = ? AND version = ?", old.ID, old.Version).Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("update product %d: %w", old.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, ErrConflict
	}
	if len(changes) > 0 {
		action := "update"
		if len(changes) == 1 && changes[0].Field == "published" {
			action = map[bool]string{true: "publish", false: "unpublish"}[p.Published]
		}
		if err := audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "product", EntityID: p.ID, Action: action, Changes: changes}); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// SetPublished publishes or unpublishes a product. Publishing is refused
// with a ValidationError naming every missing Bokmål text.
func (s *Service) SetPublished(ctx context.Context, by auth.Actor, id int64, published bool) (*Product, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	var out *Product
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		old, err := getProduct(ctx, tx, id)
		if err != nil {
			return err
		}
		p := *old
		p.Published = published
		out, err = s.saveProduct(ctx, tx, by, old, &p, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// uniqueSlug returns base, or base-2, base-3 … whichever is free first.
func uniqueSlug(ctx context.Context, tx bun.IDB, base string) (string, error) {
	var taken []string
	if err := tx.NewSelect().Model((*Product)(nil)).Column("slug").
		Where("slug = ? OR slug LIKE ?", base, base+"-%").Scan(ctx, &taken); err != nil {
		return "", fmt.Errorf("slugs like %s: %w", base, err)
	}
	used := map[string]bool{}
	for _, t := range taken {
		used[t] = true
	}
	slug := base
	for n := 2; used[slug]; n++ {
		slug = base + "-" + strconv.Itoa(n)
	}
	return slug, nil
}

func getProduct(ctx context.Context, idb bun.IDB, id int64) (*Product, error) {
	p := new(Product)
	if err := idb.NewSelect().Model(p).Where("id = ?", id).Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("product %d: %w", id, err)
	}
	return p, nil
}
