package enrolment

import (
	"context"
	"fmt"

	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/products"
)

// AccessState is what the IP access index needs to know on one day: every
// subscription of every library with its state, and who accepted the
// current licence of which product. It carries no actor filtering; the
// access service filters each answer instead.
type AccessState struct {
	Day           calendar.Date
	Subscriptions []SubscriptionView
	// TermsRequired holds the products whose licence each library must
	// accept itself (products.requires_terms_acceptance).
	TermsRequired map[int64]bool
	// Accepted holds {library id, product id} for every library that has
	// accepted the product's current (highest) licence version.
	Accepted map[[2]int64]bool
}

// StatesOn derives the state of every subscription on day with one checker.
// The checker's caches are filled in a handful of bulk queries first, so the
// whole consortium costs the same few round trips however many
// subscriptions it holds.
func (s *Service) StatesOn(ctx context.Context, day calendar.Date) (*AccessState, error) {
	var subs []Subscription
	if err := s.DB.NewSelect().Model(&subs).OrderExpr("s.library_id, s.product_id, s.starts_on, s.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("all subscriptions: %w", err)
	}
	c := newObChecker(s.DB, day)
	st := &AccessState{Day: day, TermsRequired: map[int64]bool{}, Accepted: map[[2]int64]bool{}}
	if err := c.preload(ctx, subs, st); err != nil {
		return nil, err
	}
	st.Subscriptions = make([]SubscriptionView, 0, len(subs))
	for _, sub := range subs {
		v, err := c.view(ctx, sub)
		if err != nil {
			return nil, err
		}
		st.Subscriptions = append(st.Subscriptions, v)
	}
	libs, err := libraryNames(ctx, s, subs)
	if err != nil {
		return nil, err
	}
	for i := range st.Subscriptions {
		st.Subscriptions[i].LibraryName = libs[st.Subscriptions[i].LibraryID]
	}
	return st, nil
}

// preload fills the checker's caches for subs in bulk and records in st
// which products need terms and who accepted their current licence.
func (c *obChecker) preload(ctx context.Context, subs []Subscription, st *AccessState) error {
	var ps []products.Product
	if err := c.db.NewSelect().Model(&ps).Scan(ctx); err != nil {
		return fmt.Errorf("products: %w", err)
	}
	for i := range ps {
		c.products[ps[i].ID] = &ps[i]
		c.licences[ps[i].ID] = nil // no licence text until one is found below
		if ps[i].RequiresTermsAcceptance {
			st.TermsRequired[ps[i].ID] = true
		}
	}
	var vs []products.Vendor
	if err := c.db.NewSelect().Model(&vs).Column("id", "name").Scan(ctx); err != nil {
		return fmt.Errorf("vendors: %w", err)
	}
	for _, v := range vs {
		c.vendors[v.ID] = v.Name
	}
	var lvs []products.LicenceVersion
	if err := c.db.NewSelect().Model(&lvs).Column("id", "product_id", "version", "created_at").Scan(ctx); err != nil {
		return fmt.Errorf("licence versions: %w", err)
	}
	for i := range lvs {
		if cur := c.licences[lvs[i].ProductID]; cur == nil || lvs[i].Version > cur.Version {
			c.licences[lvs[i].ProductID] = &lvs[i]
		}
	}
	var tas []TermsAcceptance
	if err := c.db.NewSelect().Model(&tas).Column("library_id", "product_id", "licence_version_id").Scan(ctx); err != nil {
		return fmt.Errorf("terms acceptances: %w", err)
	}
	for _, ta := range tas {
		if cur := c.licences[ta.ProductID]; cur != nil && cur.ID == ta.LicenceVersionID {
			st.Accepted[[2]int64{ta.LibraryID, ta.ProductID}] = true
		}
	}
	var dpas []DataProcessingAgreement
	if err := c.db.NewSelect().Model(&dpas).Column("library_id", "vendor_id").
		Where("signed_on <= ?", string(c.day)).Where("(expires_on = '' OR expires_on >= ?)", string(c.day)).Scan(ctx); err != nil {
		return fmt.Errorf("data processing agreements: %w", err)
	}
	valid := make(map[[2]int64]bool, len(dpas))
	for _, d := range dpas {
		valid[[2]int64{d.LibraryID, d.VendorID}] = true
	}
	// The checker asks per library and licence or vendor; answering every
	// pair the subscriptions can ask keeps it from querying one by one.
	for _, sub := range subs {
		p := c.products[sub.ProductID]
		if p == nil {
			continue // the checker reports the missing product itself
		}
		if lv := c.licences[p.ID]; lv != nil {
			c.accepted[[2]int64{sub.LibraryID, lv.ID}] = st.Accepted[[2]int64{sub.LibraryID, p.ID}]
		}
		k := [2]int64{sub.LibraryID, p.VendorID}
		c.dpa[k] = valid[k]
	}
	return nil
}

// libraryNames names the libraries that hold subs.
func libraryNames(ctx context.Context, s *Service, subs []Subscription) (map[int64]string, error) {
	seen := map[int64]bool{}
	var ids []int64
	for _, sub := range subs {
		if !seen[sub.LibraryID] {
			seen[sub.LibraryID] = true
			ids = append(ids, sub.LibraryID)
		}
	}
	libs, err := obLibraries(ctx, s.DB, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(libs))
	for id, l := range libs {
		out[id] = l.Name
	}
	return out, nil
}
