package enrolment

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/products"
)

// Price models of an offer. The pricing issue adds tiers; here an offer has
// a plain price per library ("flat") or none yet ("none"), and only an
// offer with a price can be ordered (put in a window, answered yes).
const (
	PriceModelFlat = "flat"
	PriceModelNone = "none"
)

// Currencies an offer may be priced in; NOK is the default.
var Currencies = []string{"NOK", "EUR", "USD", "GBP", "SEK", "DKK"}

// OfferInput adds or changes an offer. PriceMinor is in minor units (øre,
// cents); nil means no price yet. On update the product cannot change.
type OfferInput struct {
	ProductID       int64  `json:"product_id"`
	PriceMinor      *int64 `json:"price_minor,omitempty"`
	Currency        string `json:"currency,omitempty"`
	RenewsByDefault bool   `json:"renews_by_default,omitempty"`
	PreviousOfferID *int64 `json:"previous_offer_id,omitempty"`
}

// OfferDetail is an offer with its product and agreement, as pages show it.
type OfferDetail struct {
	Offer     Offer            `json:"offer"`
	Product   products.Product `json:"product"`
	Agreement Agreement        `json:"agreement"`
}

// Orderable reports whether the offer has a price, which it needs to be
// offered in a window and answered yes.
func (o *Offer) Orderable() bool { return o.PriceModel != PriceModelNone && o.PriceMinor >= 0 }

var offerFields = []string{"agreement_id", "product_id", "price_minor", "currency", "price_model", "renews_by_default", "previous_offer_id"}

func (o *Offer) snapshot() map[string]any {
	m := map[string]any{"agreement_id": o.AgreementID, "product_id": o.ProductID, "price_minor": o.PriceMinor,
		"currency": o.Currency, "price_model": o.PriceModel, "renews_by_default": o.RenewsByDefault, "previous_offer_id": nil}
	if o.PreviousOfferID != nil {
		m["previous_offer_id"] = *o.PreviousOfferID
	}
	return m
}

// AddOffer puts a product of the agreement's vendor in the agreement, once
// per agreement; consortium admins and staff.
func (s *Service) AddOffer(ctx context.Context, by auth.Actor, agreementID int64, in OfferInput) (*Offer, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	var o *Offer
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		a, err := getAgreement(ctx, tx, agreementID)
		if err != nil {
			return err
		}
		if o, err = normaliseOffer(ctx, tx, a, nil, in); err != nil {
			return err
		}
		o.CreatedAt = s.now().UTC()
		if _, err := tx.NewInsert().Model(o).Exec(ctx); err != nil {
			if db.IsUniqueViolation(err) {
				var ps problems
				ps.Addf("product_id", "enrolment.offer.exists", fmt.Sprint(o.ProductID), nil)
				return ps.Err()
			}
			return fmt.Errorf("insert offer: %w", err)
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "offer", EntityID: o.ID, Action: "create",
			Changes: audit.Diff(offerFields, nil, o.snapshot())})
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// UpdateOffer changes an offer's price, currency and renewal. Prices are
// locked fields: once a price is set only a consortium admin may change it.
func (s *Service) UpdateOffer(ctx context.Context, by auth.Actor, offerID int64, in OfferInput) (*Offer, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	var o *Offer
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		old, err := getOffer(ctx, tx, offerID)
		if err != nil {
			return err
		}
		a, err := getAgreement(ctx, tx, old.AgreementID)
		if err != nil {
			return err
		}
		if in.ProductID == 0 {
			in.ProductID = old.ProductID
		}
		if o, err = normaliseOffer(ctx, tx, a, old, in); err != nil {
			return err
		}
		if old.PriceModel != PriceModelNone && !by.CanChangeLocked() &&
			(o.PriceMinor != old.PriceMinor || o.Currency != old.Currency || o.PriceModel != old.PriceModel) {
			var ps problems
			ps.Addf("price_minor", "enrolment.price.locked", fmt.Sprint(o.PriceMinor), nil)
			return ps.Err()
		}
		changes := audit.Diff(offerFields, old.snapshot(), o.snapshot())
		if len(changes) == 0 {
			o = old
			return nil
		}
		o.ID, o.CreatedAt = old.ID, old.CreatedAt
		if _, err := tx.NewUpdate().Model(o).ExcludeColumn("id", "created_at").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("update offer %d: %w", offerID, err)
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "offer", EntityID: o.ID, Action: "update", Changes: changes})
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// GetOffer loads an offer with its product and agreement: for the
// consortium, and for a vendor contact its own vendor's. Libraries see
// offers through the windows they are invited to (WindowOffers).
func (s *Service) GetOffer(ctx context.Context, by auth.Actor, offerID int64) (*OfferDetail, error) {
	o, err := getOffer(ctx, s.DB, offerID)
	if err != nil {
		return nil, err
	}
	ds, err := offerDetails(ctx, s.DB, []Offer{*o})
	if err != nil {
		return nil, err
	}
	if !seesAgreement(by, &ds[0].Agreement) {
		return nil, ErrNotFound
	}
	return &ds[0], nil
}

// Offers lists an agreement's offers by product name.
func (s *Service) Offers(ctx context.Context, by auth.Actor, agreementID int64) ([]OfferDetail, error) {
	if _, err := s.GetAgreement(ctx, by, agreementID); err != nil {
		return nil, err
	}
	var os []Offer
	if err := s.DB.NewSelect().Model(&os).Where("o.agreement_id = ?", agreementID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("offers of agreement %d: %w", agreementID, err)
	}
	return offerDetails(ctx, s.DB, os)
}

func getOffer(ctx context.Context, idb bun.IDB, id int64) (*Offer, error) {
	o := new(Offer)
	if err := idb.NewSelect().Model(o).Where("o.id = ?", id).Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("offer %d: %w", id, err)
	}
	return o, nil
}

// offerDetails adds product and agreement to offers, sorted by product name.
func offerDetails(ctx context.Context, idb bun.IDB, os []Offer) ([]OfferDetail, error) {
	if len(os) == 0 {
		return nil, nil
	}
	var pids, aids []int64
	for _, o := range os {
		pids = append(pids, o.ProductID)
		aids = append(aids, o.AgreementID)
	}
	var ps []products.Product
	if err := idb.NewSelect().Model(&ps).Where("p.id IN (?)", bun.In(pids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("products of offers: %w", err)
	}
	var as []Agreement
	if err := idb.NewSelect().Model(&as).Where("ag.id IN (?)", bun.In(aids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("agreements of offers: %w", err)
	}
	pm := map[int64]products.Product{}
	for _, p := range ps {
		pm[p.ID] = p
	}
	am := map[int64]Agreement{}
	for _, a := range as {
		am[a.ID] = a
	}
	out := make([]OfferDetail, 0, len(os))
	for _, o := range os {
		out = append(out, OfferDetail{Offer: o, Product: pm[o.ProductID], Agreement: am[o.AgreementID]})
	}
	slices.SortStableFunc(out, func(a, b OfferDetail) int {
		if c := strings.Compare(strings.ToLower(a.Product.Name), strings.ToLower(b.Product.Name)); c != 0 {
			return c
		}
		return int(a.Offer.ID - b.Offer.ID)
	})
	return out, nil
}

// normaliseOffer checks an input against the agreement (and the offer it
// changes, if any) and returns the offer it describes.
func normaliseOffer(ctx context.Context, tx bun.IDB, a *Agreement, old *Offer, in OfferInput) (*Offer, error) {
	var ps problems
	o := &Offer{AgreementID: a.ID, ProductID: in.ProductID, RenewsByDefault: in.RenewsByDefault, PreviousOfferID: in.PreviousOfferID}
	if old != nil && in.ProductID != old.ProductID {
		ps.Addf("product_id", "enrolment.offer.product_fixed", fmt.Sprint(in.ProductID), nil)
	}
	p := new(products.Product)
	if err := tx.NewSelect().Model(p).Where("p.id = ?", in.ProductID).Scan(ctx); err != nil {
		if !db.IsNoRows(err) {
			return nil, fmt.Errorf("product %d: %w", in.ProductID, err)
		}
		ps.Addf("product_id", "enrolment.product.unknown", fmt.Sprint(in.ProductID), nil)
	} else if p.VendorID != a.VendorID {
		ps.Addf("product_id", "enrolment.product.other_vendor", p.Name, nil)
	}
	o.PriceModel = PriceModelNone
	if in.PriceMinor != nil {
		o.PriceMinor, o.PriceModel = *in.PriceMinor, PriceModelFlat
		if o.PriceMinor < 0 {
			ps.Addf("price_minor", "enrolment.price.negative", fmt.Sprint(o.PriceMinor), nil)
		}
	}
	o.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	if o.Currency == "" {
		o.Currency = "NOK"
	}
	if !slices.Contains(Currencies, o.Currency) {
		ps.Addf("currency", "enrolment.currency.unknown", in.Currency, map[string]any{"Known": strings.Join(Currencies, ", ")})
	}
	if in.PreviousOfferID != nil {
		prev, err := getOffer(ctx, tx, *in.PreviousOfferID)
		var prevAg *Agreement
		if err == nil {
			prevAg, err = getAgreement(ctx, tx, prev.AgreementID)
		}
		switch {
		case err != nil && err != ErrNotFound:
			return nil, err
		case err == ErrNotFound || prev.ProductID != in.ProductID || !prevAg.StartsOn.Before(a.StartsOn) ||
			(old != nil && prev.ID == old.ID):
			// The previous offer must be the same product's in an earlier period.
			ps.Addf("previous_offer_id", "enrolment.offer.previous_invalid", fmt.Sprint(*in.PreviousOfferID), nil)
		}
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	return o, nil
}
