package enrolment

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/products"
)

// Kinds of blocker: what keeps a subscription from being active.
const (
	BlockedTerms     = "terms"     // the library has not accepted the current licence version
	BlockedAgreement = "agreement" // no data processing agreement with the vendor valid today
)

// Blocker is one thing that keeps a subscription from being active, with a
// message id (obligations.blocked.*) and its template data.
type Blocker struct {
	Kind           string         `json:"kind"`
	MessageID      string         `json:"message_id"`
	Args           map[string]any `json:"args,omitempty"`
	LicenceVersion int            `json:"licence_version,omitempty"` // terms: the version to accept; 0 when there is no licence text yet
	VendorID       int64          `json:"vendor_id,omitempty"`       // agreement: whose agreement is missing
}

// SubscriptionView is a subscription as a library's page and the API show it.
type SubscriptionView struct {
	Subscription
	LibraryName string    `json:"library_name"`
	ProductName string    `json:"product_name"`
	ProductSlug string    `json:"product_slug"`
	VendorID    int64     `json:"vendor_id"`
	VendorName  string    `json:"vendor_name"`
	State       string    `json:"state"`
	Blockers    []Blocker `json:"blockers,omitempty"`
}

// SubscriptionState derives a subscription's state on today's date (Europe/Oslo):
// ended after its last day; trial for a trial; pending_terms while the
// product requires acceptance and the library has not accepted the current
// licence version (or there is none yet); pending_agreement while the
// product processes personal data and no agreement with its vendor is valid
// today; upcoming before its first day; else active.
func (s *Service) SubscriptionState(ctx context.Context, db bun.IDB, sub Subscription) (string, error) {
	st, _, err := newObChecker(db, today(s.now())).evaluate(ctx, sub)
	return st, err
}

// States lists a library's subscriptions — current and coming first, by
// product, then ended ones, newest first — with product, vendor, state and
// what blocks each. A vendor contact sees only its own products.
func (s *Service) States(ctx context.Context, by auth.Actor, libraryID int64) ([]SubscriptionView, error) {
	lib, err := obLibrary(ctx, s.DB, libraryID)
	if err != nil {
		return nil, err
	}
	if !by.Sees(lib.ID, lib.Country, lib.CountyNumber) {
		return nil, ErrNotFound
	}
	var subs []Subscription
	if err := s.DB.NewSelect().Model(&subs).Where("s.library_id = ?", libraryID).OrderExpr("s.starts_on, s.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("subscriptions of library %d: %w", libraryID, err)
	}
	c := newObChecker(s.DB, today(s.now()))
	out := make([]SubscriptionView, 0, len(subs))
	for _, sub := range subs {
		v, err := c.view(ctx, sub)
		if err != nil {
			return nil, err
		}
		if by.Role == auth.RoleVendor && v.VendorID != by.VendorID {
			continue
		}
		v.LibraryName = lib.Name
		out = append(out, v)
	}
	sort.SliceStable(out, func(i, j int) bool {
		ei, ej := out[i].State == StateEnded, out[j].State == StateEnded
		if ei != ej {
			return ej
		}
		if ei {
			return out[i].EndsOn > out[j].EndsOn
		}
		return out[i].ProductName < out[j].ProductName
	})
	return out, nil
}

// obChecker derives states for many subscriptions on one day, asking the
// database once per product, licence and library–vendor pair.
type obChecker struct {
	db       bun.IDB
	day      calendar.Date
	products map[int64]*products.Product
	vendors  map[int64]string
	licences map[int64]*products.LicenceVersion // nil: the product has no licence text yet
	accepted map[[2]int64]bool                  // library, licence version id
	dpa      map[[2]int64]bool                  // library, vendor
}

func newObChecker(db bun.IDB, day calendar.Date) *obChecker {
	return &obChecker{db: db, day: day, products: map[int64]*products.Product{}, vendors: map[int64]string{},
		licences: map[int64]*products.LicenceVersion{}, accepted: map[[2]int64]bool{}, dpa: map[[2]int64]bool{}}
}

func (c *obChecker) product(ctx context.Context, id int64) (*products.Product, error) {
	if p, ok := c.products[id]; ok {
		return p, nil
	}
	p := new(products.Product)
	if err := c.db.NewSelect().Model(p).Where("p.id = ?", id).Scan(ctx); err != nil {
		if errors.Is(err, db.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("product %d: %w", id, err)
	}
	c.products[id] = p
	return p, nil
}

func (c *obChecker) vendorName(ctx context.Context, id int64) (string, error) {
	if n, ok := c.vendors[id]; ok {
		return n, nil
	}
	var n string
	if err := c.db.NewSelect().Model((*products.Vendor)(nil)).Column("name").Where("id = ?", id).Scan(ctx, &n); err != nil {
		return "", fmt.Errorf("vendor %d: %w", id, err)
	}
	c.vendors[id] = n
	return n, nil
}

// licence is the product's current licence version (the highest), without
// its text and document, or nil when it has none.
func (c *obChecker) licence(ctx context.Context, productID int64) (*products.LicenceVersion, error) {
	if lv, ok := c.licences[productID]; ok {
		return lv, nil
	}
	lv, err := obCurrentLicence(ctx, c.db, productID)
	if err != nil {
		return nil, err
	}
	c.licences[productID] = lv
	return lv, nil
}

func obCurrentLicence(ctx context.Context, idb bun.IDB, productID int64) (*products.LicenceVersion, error) {
	lv := new(products.LicenceVersion)
	err := idb.NewSelect().Model(lv).Column("id", "product_id", "version", "created_at").
		Where("product_id = ?", productID).OrderExpr("version DESC").Limit(1).Scan(ctx)
	if errors.Is(err, db.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("licence of product %d: %w", productID, err)
	}
	return lv, nil
}

func (c *obChecker) hasAccepted(ctx context.Context, libraryID, licenceID int64) (bool, error) {
	k := [2]int64{libraryID, licenceID}
	if v, ok := c.accepted[k]; ok {
		return v, nil
	}
	n, err := c.db.NewSelect().Model((*TermsAcceptance)(nil)).
		Where("library_id = ? AND licence_version_id = ?", libraryID, licenceID).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("terms acceptance of library %d: %w", libraryID, err)
	}
	c.accepted[k] = n > 0
	return n > 0, nil
}

// hasDPA reports whether the library has an agreement with the vendor valid
// on the checker's day: signed on or before it and not expired before it.
func (c *obChecker) hasDPA(ctx context.Context, libraryID, vendorID int64) (bool, error) {
	k := [2]int64{libraryID, vendorID}
	if v, ok := c.dpa[k]; ok {
		return v, nil
	}
	n, err := c.db.NewSelect().Model((*DataProcessingAgreement)(nil)).
		Where("library_id = ? AND vendor_id = ? AND signed_on <= ?", libraryID, vendorID, string(c.day)).
		Where("(expires_on = '' OR expires_on >= ?)", string(c.day)).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("data processing agreement of library %d: %w", libraryID, err)
	}
	c.dpa[k] = n > 0
	return n > 0, nil
}

// evaluate returns the state and, for a subscription that has not ended and
// is no trial, everything that blocks it (both terms and agreement, even
// though the state names only the first).
func (c *obChecker) evaluate(ctx context.Context, sub Subscription) (string, []Blocker, error) {
	if c.day.After(sub.EndsOn) {
		return StateEnded, nil, nil
	}
	if sub.TrialID != nil {
		return StateTrial, nil, nil
	}
	p, err := c.product(ctx, sub.ProductID)
	if err != nil {
		return "", nil, err
	}
	var bs []Blocker
	if p.RequiresTermsAcceptance {
		lv, err := c.licence(ctx, p.ID)
		if err != nil {
			return "", nil, err
		}
		if lv == nil {
			bs = append(bs, Blocker{Kind: BlockedTerms, MessageID: "obligations.blocked.no_licence", Args: map[string]any{"Product": p.Name}})
		} else if ok, err := c.hasAccepted(ctx, sub.LibraryID, lv.ID); err != nil {
			return "", nil, err
		} else if !ok {
			bs = append(bs, Blocker{Kind: BlockedTerms, MessageID: "obligations.blocked.terms", LicenceVersion: lv.Version,
				Args: map[string]any{"Product": p.Name, "Version": lv.Version}})
		}
	}
	if p.ProcessesPersonalData {
		ok, err := c.hasDPA(ctx, sub.LibraryID, p.VendorID)
		if err != nil {
			return "", nil, err
		}
		if !ok {
			vendor, err := c.vendorName(ctx, p.VendorID)
			if err != nil {
				return "", nil, err
			}
			bs = append(bs, Blocker{Kind: BlockedAgreement, MessageID: "obligations.blocked.agreement", VendorID: p.VendorID,
				Args: map[string]any{"Vendor": vendor}})
		}
	}
	switch {
	case len(bs) > 0 && bs[0].Kind == BlockedTerms:
		return StatePendingTerms, bs, nil
	case len(bs) > 0:
		return StatePendingAgreement, bs, nil
	case c.day.Before(sub.StartsOn):
		return StateUpcoming, nil, nil
	}
	return StateActive, nil, nil
}

// view is the subscription with its product, vendor, state and blockers.
func (c *obChecker) view(ctx context.Context, sub Subscription) (SubscriptionView, error) {
	st, bs, err := c.evaluate(ctx, sub)
	if err != nil {
		return SubscriptionView{}, err
	}
	p, err := c.product(ctx, sub.ProductID)
	if err != nil {
		return SubscriptionView{}, err
	}
	vendor, err := c.vendorName(ctx, p.VendorID)
	if err != nil {
		return SubscriptionView{}, err
	}
	return SubscriptionView{Subscription: sub, ProductName: p.Name, ProductSlug: p.Slug, VendorID: p.VendorID,
		VendorName: vendor, State: st, Blockers: bs}, nil
}

// obLibrary loads a library or answers ErrNotFound.
func obLibrary(ctx context.Context, idb bun.IDB, id int64) (*members.Library, error) {
	l := new(members.Library)
	if err := idb.NewSelect().Model(l).Where("id = ?", id).Scan(ctx); err != nil {
		if errors.Is(err, db.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("library %d: %w", id, err)
	}
	return l, nil
}

// obLibraries loads libraries by id.
func obLibraries(ctx context.Context, idb bun.IDB, ids []int64) (map[int64]*members.Library, error) {
	out := map[int64]*members.Library{}
	if len(ids) == 0 {
		return out, nil
	}
	var ls []members.Library
	if err := idb.NewSelect().Model(&ls).Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("libraries: %w", err)
	}
	for i := range ls {
		out[ls[i].ID] = &ls[i]
	}
	return out, nil
}
