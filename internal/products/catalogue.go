package products

import (
	"context"
	"fmt"
	"slices"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/db"
)

// CatalogueEntry is a published product as the public catalogue shows it.
type CatalogueEntry struct {
	ID                      int64     `json:"id"`
	Slug                    string    `json:"slug"`
	Name                    string    `json:"name"`
	VendorName              string    `json:"vendor_name"`
	VendorSupportEmail      string    `json:"vendor_support_email,omitempty"`
	VendorSupportURL        string    `json:"vendor_support_url,omitempty"`
	Text                    LocalText `json:"text"`
	AccessMethods           []string  `json:"access_methods"`
	RemoteAccess            bool      `json:"remote_access"`
	TargetGroups            []string  `json:"target_groups"`
	ProcessesPersonalData   bool      `json:"processes_personal_data"`
	RequiresTermsAcceptance bool      `json:"requires_terms_acceptance"`
	// LicenceVersion is the current licence's number, 0 when there is none;
	// Terms are then all "unclear".
	LicenceVersion int                `json:"licence_version"`
	Terms          []NamedTerm        `json:"terms"`
	Training       []TrainingMaterial `json:"training" doc:"Recordings, guides and webinars still to come, in that order"`
}

// Catalogue lists the published products with their texts in lang (Bokmål
// filling in, field by field, what lang lacks), by name. No access check:
// the catalogue is public.
func (s *Service) Catalogue(ctx context.Context, lang string) ([]CatalogueEntry, error) {
	var ps []Product
	if err := s.DB.NewSelect().Model(&ps).Where("p.published = ?", true).OrderExpr("p.name, p.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	return s.catalogueEntries(ctx, ps, lang)
}

// CatalogueProduct is one published product's catalogue entry by slug;
// unpublished and unknown products are ErrNotFound.
func (s *Service) CatalogueProduct(ctx context.Context, slug, lang string) (*CatalogueEntry, error) {
	p := new(Product)
	if err := s.DB.NewSelect().Model(p).Where("p.slug = ? AND p.published = ?", slug, true).Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("catalogue %q: %w", slug, err)
	}
	es, err := s.catalogueEntries(ctx, []Product{*p}, lang)
	if err != nil {
		return nil, err
	}
	return &es[0], nil
}

// catalogueEntries loads the vendors, texts, current licences and training
// of ps in a handful of queries, however many products there are.
func (s *Service) catalogueEntries(ctx context.Context, ps []Product, lang string) ([]CatalogueEntry, error) {
	out := make([]CatalogueEntry, 0, len(ps))
	if len(ps) == 0 {
		return out, nil
	}
	ids := productIDs(ps)
	vendorIDs := make([]int64, 0, len(ps))
	for _, p := range ps {
		vendorIDs = append(vendorIDs, p.VendorID)
	}
	var vs []Vendor
	if err := s.DB.NewSelect().Model(&vs).Where("id IN (?)", bun.In(vendorIDs)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("catalogue vendors: %w", err)
	}
	vendors := map[int64]Vendor{}
	for _, v := range vs {
		vendors[v.ID] = v
	}
	var ts []ProductText
	if err := s.DB.NewSelect().Model(&ts).Where("product_id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("catalogue texts: %w", err)
	}
	texts := map[int64]map[string]ProductText{}
	for _, t := range ts {
		if texts[t.ProductID] == nil {
			texts[t.ProductID] = map[string]ProductText{}
		}
		texts[t.ProductID][t.Lang] = t
	}
	var ls []LicenceVersion
	if err := s.DB.NewSelect().Model(&ls).Column("product_id", "version", "terms").
		Where("product_id IN (?)", bun.In(ids)).OrderExpr("version").Scan(ctx); err != nil {
		return nil, fmt.Errorf("catalogue licences: %w", err)
	}
	current := map[int64]LicenceVersion{}
	for _, l := range ls {
		current[l.ProductID] = l // ordered by version: the last one stays
	}
	training, err := loadTraining(ctx, s.DB, ids)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for _, p := range ps {
		v := vendors[p.VendorID]
		lic := current[p.ID]
		text := localise(texts[p.ID], lang)
		text.ProductID = p.ID
		out = append(out, CatalogueEntry{ID: p.ID, Slug: p.Slug, Name: p.Name, VendorName: v.Name,
			VendorSupportEmail: v.SupportEmail, VendorSupportURL: v.SupportURL, Text: text,
			AccessMethods: p.AccessMethods(), RemoteAccess: p.RemoteAccess, TargetGroups: p.TargetGroups(),
			ProcessesPersonalData: p.ProcessesPersonalData, RequiresTermsAcceptance: p.RequiresTermsAcceptance,
			LicenceVersion: lic.Version, Terms: lic.Terms().List(), Training: ForCatalogue(training[p.ID], now)})
	}
	return out, nil
}

// Upcoming returns the entry's webinars still to come, by start.
func (e CatalogueEntry) Upcoming() []TrainingMaterial {
	return slices.DeleteFunc(slices.Clone(e.Training), func(m TrainingMaterial) bool { return m.Kind != TrainingUpcoming })
}
