package enrolment

import (
	"context"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/products"
)

// SubscriptionRow is a subscription as lists show it: with the names of its
// product and library.
type SubscriptionRow struct {
	Subscription
	ProductName string `json:"product_name"`
	LibraryName string `json:"library_name"`
}

// EnsureSubscription makes sure the library has the subscription sub
// describes, through tx (the transaction of the change that causes it): one
// per library and offer, or per library and trial. An existing one gets
// sub's product and dates; a new one is inserted. It writes no audit record:
// the caller audits the cause (the enrolment or the trial) and names the
// subscription in it.
func (s *Service) EnsureSubscription(ctx context.Context, tx bun.IDB, sub Subscription) (*Subscription, error) {
	if (sub.OfferID == nil) == (sub.TrialID == nil) {
		return nil, fmt.Errorf("subscription of library %d: want exactly one of offer and trial", sub.LibraryID)
	}
	old := new(Subscription)
	q := tx.NewSelect().Model(old).Where("s.library_id = ?", sub.LibraryID)
	if sub.OfferID != nil {
		q = q.Where("s.offer_id = ?", *sub.OfferID)
	} else {
		q = q.Where("s.trial_id = ?", *sub.TrialID)
	}
	err := q.Limit(1).Scan(ctx)
	switch {
	case err == nil:
		if old.ProductID == sub.ProductID && old.StartsOn == sub.StartsOn && old.EndsOn == sub.EndsOn {
			return old, nil
		}
		old.ProductID, old.StartsOn, old.EndsOn = sub.ProductID, sub.StartsOn, sub.EndsOn
		if _, err := tx.NewUpdate().Model(old).Column("product_id", "starts_on", "ends_on").WherePK().Exec(ctx); err != nil {
			return nil, fmt.Errorf("update subscription %d: %w", old.ID, err)
		}
		return old, nil
	case !db.IsNoRows(err):
		return nil, fmt.Errorf("subscription of library %d: %w", sub.LibraryID, err)
	}
	sub.ID = 0
	sub.CreatedAt = s.now().UTC()
	if _, err := tx.NewInsert().Model(&sub).Exec(ctx); err != nil {
		if db.IsUniqueViolation(err) {
			return nil, ErrConflict
		}
		return nil, fmt.Errorf("insert subscription of library %d: %w", sub.LibraryID, err)
	}
	return &sub, nil
}

// RemoveSubscription removes the library's subscription from an offer,
// through tx; it reports the id removed, or 0 when there was none. Like
// EnsureSubscription it leaves the audit record to the caller.
func (s *Service) RemoveSubscription(ctx context.Context, tx bun.IDB, libraryID, offerID int64) (int64, error) {
	var ids []int64
	err := tx.NewSelect().Model((*Subscription)(nil)).Column("id").
		Where("library_id = ? AND offer_id = ?", libraryID, offerID).Scan(ctx, &ids)
	if err != nil {
		return 0, fmt.Errorf("subscription of library %d to offer %d: %w", libraryID, offerID, err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	if _, err := tx.NewDelete().Model((*Subscription)(nil)).Where("id IN (?)", bun.In(ids)).Exec(ctx); err != nil {
		return 0, fmt.Errorf("remove subscription of library %d to offer %d: %w", libraryID, offerID, err)
	}
	return ids[0], nil
}

// Subscriptions lists a library's subscriptions, newest period first. A
// vendor contact sees only those to its own products.
func (s *Service) Subscriptions(ctx context.Context, by auth.Actor, libraryID int64) ([]SubscriptionRow, error) {
	l := new(members.Library)
	if err := s.DB.NewSelect().Model(l).Where("id = ?", libraryID).Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("library %d: %w", libraryID, err)
	}
	if !by.Sees(l.ID, l.Country, l.CountyNumber) {
		return nil, ErrNotFound
	}
	q := s.subscriptionRows().Where("s.library_id = ?", libraryID)
	if by.Role == auth.RoleVendor {
		q = q.Where("p.vendor_id = ?", by.VendorID)
	}
	var rows []SubscriptionRow
	if err := q.OrderExpr("s.starts_on DESC, p.name").Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("subscriptions of library %d: %w", libraryID, err)
	}
	return rows, nil
}

// SubscriptionsForProduct lists the subscriptions to a product that the
// actor may see: all for the consortium and the product's vendor, those of
// its county for a county contact, its own for a library contact.
func (s *Service) SubscriptionsForProduct(ctx context.Context, by auth.Actor, productID int64) ([]SubscriptionRow, error) {
	p := new(products.Product)
	if err := s.DB.NewSelect().Model(p).Where("p.id = ?", productID).Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("product %d: %w", productID, err)
	}
	q := s.subscriptionRows().Where("s.product_id = ?", productID)
	switch by.Role {
	case auth.RoleAdmin, auth.RoleStaff:
	case auth.RoleVendor:
		if by.VendorID == 0 || p.VendorID != by.VendorID {
			return nil, ErrNotFound
		}
	case auth.RoleCountyContact:
		q = q.Where("l.country = ? AND l.county_number = ?", by.Country, by.CountyNumber)
	case auth.RoleLibrary:
		if len(by.LibraryIDs) == 0 {
			return nil, nil
		}
		q = q.Where("s.library_id IN (?)", bun.In(by.LibraryIDs))
	default:
		return nil, ErrForbidden
	}
	var rows []SubscriptionRow
	if err := q.OrderExpr("l.name, s.starts_on DESC").Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("subscriptions to product %d: %w", productID, err)
	}
	return rows, nil
}

// subscriptionRows selects subscriptions with their product and library names.
func (s *Service) subscriptionRows() *bun.SelectQuery {
	return s.DB.NewSelect().TableExpr("subscriptions AS s").
		ColumnExpr("s.*").ColumnExpr("p.name AS product_name, l.name AS library_name").
		Join("JOIN products AS p ON p.id = s.product_id").
		Join("JOIN libraries AS l ON l.id = s.library_id")
}

// subscriptionFor loads the library's subscription from an offer, or nil.
func subscriptionFor(ctx context.Context, tx bun.IDB, libraryID, offerID int64) (*Subscription, error) {
	sub := new(Subscription)
	err := tx.NewSelect().Model(sub).Where("s.library_id = ? AND s.offer_id = ?", libraryID, offerID).Limit(1).Scan(ctx)
	if errors.Is(err, db.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("subscription of library %d to offer %d: %w", libraryID, offerID, err)
	}
	return sub, nil
}
