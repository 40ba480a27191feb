package products

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/db"
)

// SeesProduct reports whether the actor may read p: the consortium every
// product, a vendor contact its own vendor's (published or not), and every
// other logged-in user the published ones.
func SeesProduct(by auth.Actor, p *Product) bool {
	switch {
	case by.IsConsortium():
		return true
	case by.Role == auth.RoleVendor:
		return by.VendorID != 0 && p.VendorID == by.VendorID
	case by.Role == "":
		return false
	}
	return p.Published
}

// ProductByID loads a product without an access check, for other domain
// services (enrolment, offers) that decide access themselves.
func (s *Service) ProductByID(ctx context.Context, id int64) (*Product, error) {
	return getProduct(ctx, s.DB, id)
}

// Product loads a product the actor may see; others are ErrNotFound.
func (s *Service) Product(ctx context.Context, by auth.Actor, id int64) (*Product, error) {
	p, err := getProduct(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if !SeesProduct(by, p) {
		return nil, ErrNotFound
	}
	return p, nil
}

// ProductBySlug loads a product the actor may see by its catalogue slug.
func (s *Service) ProductBySlug(ctx context.Context, by auth.Actor, slug string) (*Product, error) {
	p := new(Product)
	if err := s.DB.NewSelect().Model(p).Where("slug = ?", slug).Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("product %q: %w", slug, err)
	}
	if !SeesProduct(by, p) {
		return nil, ErrNotFound
	}
	return p, nil
}

// ProductFilter narrows Products.
type ProductFilter struct {
	VendorID  int64 // 0: any vendor
	Published *bool // nil: both
}

// ProductItem is a product in a list, with its vendor's name.
type ProductItem struct {
	Product
	VendorName string `json:"vendor_name"`
}

// Products lists the products the actor may see, by name.
func (s *Service) Products(ctx context.Context, by auth.Actor, f ProductFilter) ([]ProductItem, error) {
	var ps []Product
	q := s.DB.NewSelect().Model(&ps).OrderExpr("p.name, p.id")
	switch {
	case by.IsConsortium():
	case by.Role == auth.RoleVendor:
		q = q.Where("p.vendor_id = ?", by.VendorID)
	case by.Role == "":
		return []ProductItem{}, nil
	default:
		q = q.Where("p.published = ?", true)
	}
	if f.VendorID != 0 {
		q = q.Where("p.vendor_id = ?", f.VendorID)
	}
	if f.Published != nil {
		q = q.Where("p.published = ?", *f.Published)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list products: %w", err)
	}
	names, err := vendorNames(ctx, s.DB, ps)
	if err != nil {
		return nil, err
	}
	out := make([]ProductItem, len(ps))
	for i, p := range ps {
		out[i] = ProductItem{Product: p, VendorName: names[p.VendorID]}
	}
	return out, nil
}

func productIDs(ps []Product) []int64 {
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

func vendorNames(ctx context.Context, idb bun.IDB, ps []Product) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ps) == 0 {
		return out, nil
	}
	ids := make([]int64, 0, len(ps))
	for _, p := range ps {
		ids = append(ids, p.VendorID)
	}
	var vs []Vendor
	if err := idb.NewSelect().Model(&vs).Column("id", "name").Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("vendor names: %w", err)
	}
	for _, v := range vs {
		out[v.ID] = v.Name
	}
	return out, nil
}
