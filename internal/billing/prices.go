package billing

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/validate"
)

// OfferPricing is an offer with its price model and its product's VAT.
type OfferPricing struct {
	OfferID         int64         `json:"offer_id"`
	AgreementID     int64         `json:"agreement_id"`
	Agreement       string        `json:"agreement"`
	StartsOn        calendar.Date `json:"starts_on"`
	EndsOn          calendar.Date `json:"ends_on"`
	MarkupBP        int64         `json:"markup_bp"`
	ProductID       int64         `json:"product_id"`
	Product         string        `json:"product"`
	Model           string        `json:"model"`
	Currency        string        `json:"currency"`
	FlatMinor       int64         `json:"flat_minor"`
	Spec            PriceSpec     `json:"spec"`
	VendorCostMinor *int64        `json:"vendor_cost_minor,omitempty"`
	VATCategory     string        `json:"vat_category"`
	VATRateBP       int64         `json:"vat_rate_bp"`
	Subscribers     int           `json:"subscribers"`
}

// AgreementRow is an agreement in the billing lists.
type AgreementRow struct {
	ID       int64         `bun:"id" json:"id"`
	Name     string        `bun:"name" json:"name"`
	Vendor   string        `bun:"vendor" json:"vendor"`
	StartsOn calendar.Date `bun:"starts_on" json:"starts_on"`
	EndsOn   calendar.Date `bun:"ends_on" json:"ends_on"`
	MarkupBP int64         `bun:"markup_bp" json:"markup_bp"`
}

// Agreements lists the agreements, newest first.
func (s *Service) Agreements(ctx context.Context, by auth.Actor) ([]AgreementRow, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	var rows []AgreementRow
	err := s.DB.NewSelect().TableExpr("agreements AS ag").Join("JOIN vendors AS v ON v.id = ag.vendor_id").
		ColumnExpr("ag.id, ag.name, v.name AS vendor, ag.starts_on, ag.ends_on, ag.markup_bp").
		OrderExpr("ag.starts_on DESC, ag.name").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("list agreements: %w", err)
	}
	return rows, nil
}

// Offers lists an agreement's offers with their prices.
func (s *Service) Offers(ctx context.Context, by auth.Actor, agreementID int64) ([]OfferPricing, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	var rows []offerRow
	if err := selectOffers(s.DB).Where("o.agreement_id = ?", agreementID).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("list offers of agreement %d: %w", agreementID, err)
	}
	var counts []struct {
		OfferID int64 `bun:"offer_id"`
		N       int   `bun:"n"`
	}
	err := s.DB.NewSelect().Table("subscriptions").ColumnExpr("offer_id, COUNT(*) AS n").
		Where("offer_id IN (SELECT id FROM offers WHERE agreement_id = ?)", agreementID).GroupExpr("offer_id").Scan(ctx, &counts)
	if err != nil {
		return nil, fmt.Errorf("count subscribers: %w", err)
	}
	n := map[int64]int{}
	for _, c := range counts {
		n[c.OfferID] = c.N
	}
	out := make([]OfferPricing, 0, len(rows))
	for _, o := range rows {
		spec, err := ParseSpec(o.PriceSpec)
		if err != nil {
			return nil, err
		}
		out = append(out, OfferPricing{OfferID: o.ID, AgreementID: o.AgreementID, Agreement: o.Agreement, StartsOn: o.StartsOn,
			EndsOn: o.EndsOn, MarkupBP: o.MarkupBP, ProductID: o.ProductID, Product: o.Product, Model: o.PriceModel,
			Currency: o.Currency, FlatMinor: o.PriceMinor, Spec: spec, VendorCostMinor: o.VendorCost,
			VATCategory: o.VATCategory, VATRateBP: o.VATRateBP, Subscribers: n[o.ID]})
	}
	return out, nil
}

// PriceInput sets an offer's price model.
type PriceInput struct {
	Model           string
	Currency        string
	FlatMinor       int64
	Spec            PriceSpec
	VendorCostMinor *int64
}

// SetPrice sets an offer's price model and parameters; admins only (prices
// are locked fields). The model is checked field by field.
func (s *Service) SetPrice(ctx context.Context, by auth.Actor, offerID int64, in PriceInput) error {
	if by.Role != auth.RoleAdmin {
		return ErrForbidden
	}
	op := OfferPrice{OfferID: offerID, Model: in.Model, Currency: in.Currency, FlatMinor: in.FlatMinor, Spec: in.Spec}
	if err := op.Check(); err != nil {
		return err
	}
	if in.VendorCostMinor != nil && *in.VendorCostMinor < 0 {
		var ps validate.List
		ps.Addf("vendor_cost", "billing.price.negative", "", nil)
		return ps.Err()
	}
	if in.Model != ModelFlat {
		in.FlatMinor = 0
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var old offerRow
		if err := selectOffers(tx).Where("o.id = ?", offerID).Scan(ctx, &old); err != nil {
			if db.IsNoRows(err) {
				return ErrNotFound
			}
			return fmt.Errorf("load offer %d: %w", offerID, err)
		}
		spec := in.Spec.JSON()
		_, err := tx.NewUpdate().Table("offers").Set("price_model = ?", in.Model).Set("currency = ?", in.Currency).
			Set("price_minor = ?", in.FlatMinor).Set("price_spec = ?", spec).Set("vendor_cost_minor = ?", in.VendorCostMinor).
			Where("id = ?", offerID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("set price of offer %d: %w", offerID, err)
		}
		fields := []string{"price_model", "currency", "price_minor", "price_spec", "vendor_cost_minor"}
		before := map[string]any{"price_model": old.PriceModel, "currency": old.Currency, "price_minor": old.PriceMinor, "price_spec": old.PriceSpec, "vendor_cost_minor": old.VendorCost}
		after := map[string]any{"price_model": in.Model, "currency": in.Currency, "price_minor": in.FlatMinor, "price_spec": spec, "vendor_cost_minor": in.VendorCostMinor}
		return audit.Write(ctx, tx, who(by), audit.Record{Entity: "offer", EntityID: offerID, Action: "price",
			Changes: audit.Diff(fields, before, after)})
	})
}

// SetMarkup sets an agreement's currency markup in basis points (500 = 5 %).
func (s *Service) SetMarkup(ctx context.Context, by auth.Actor, agreementID, basisPoints int64) error {
	if by.Role != auth.RoleAdmin {
		return ErrForbidden
	}
	if basisPoints < 0 || basisPoints > 5000 {
		var ps validate.List
		ps.Addf("markup", "billing.price.markup", fmt.Sprint(basisPoints), nil)
		return ps.Err()
	}
	return s.setColumn(ctx, by, "agreements", "agreement", agreementID, map[string]any{"markup_bp": basisPoints})
}

// SetProductVAT sets a product's VAT category (S, Z, E) and rate.
func (s *Service) SetProductVAT(ctx context.Context, by auth.Actor, productID int64, category string, rateBP int64) error {
	if by.Role != auth.RoleAdmin {
		return ErrForbidden
	}
	var ps validate.List
	switch {
	case category == "S" && (rateBP <= 0 || rateBP > 10000):
		ps.Addf("vat_rate", "billing.vat.rate", fmt.Sprint(rateBP), nil)
	case category == "Z" || category == "E":
		rateBP = 0
	case category != "S":
		ps.Addf("vat_category", "billing.settings.vat", category, nil)
	}
	if err := ps.Err(); err != nil {
		return err
	}
	return s.setColumn(ctx, by, "products", "product", productID, map[string]any{"vat_category": category, "vat_rate_bp": rateBP})
}

// setColumn changes a few columns of one row with an audit record.
func (s *Service) setColumn(ctx context.Context, by auth.Actor, table, entity string, id int64, set map[string]any) error {
	return s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var fields []string
		for k := range set {
			fields = append(fields, k)
		}
		before := map[string]any{}
		row := map[string]any{}
		if err := tx.NewSelect().Table(table).Column(fields...).Where("id = ?", id).Scan(ctx, &row); err != nil {
			if db.IsNoRows(err) {
				return ErrNotFound
			}
			return fmt.Errorf("load %s %d: %w", entity, id, err)
		}
		q := tx.NewUpdate().Table(table).Where("id = ?", id)
		for _, f := range fields {
			before[f] = row[f]
			q = q.Set(f+" = ?", set[f])
		}
		if _, err := q.Exec(ctx); err != nil {
			return fmt.Errorf("update %s %d: %w", entity, id, err)
		}
		return audit.Write(ctx, tx, who(by), audit.Record{Entity: entity, EntityID: id, Action: "update", Changes: audit.Diff(fields, before, set)})
	})
}
