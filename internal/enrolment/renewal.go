package enrolment

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/validate"
)

// OpenWindow does what a window's opening day brings: the subscribers of
// last period's offer are enrolled "yes" (source renewal) in each offer that
// renews by default, unless they have answered already, and every invited
// library's primary contact gets the opening notice. It is idempotent: the
// scheduler calls it every day of the window (Tick), and creating a window
// that is open already calls it at once. Outside the window it returns
// ErrWindowClosed.
func (s *Service) OpenWindow(ctx context.Context, windowID int64) error {
	return s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		w, err := getWindow(ctx, tx, windowID)
		if err != nil {
			return err
		}
		if !IsOpen(*w, s.now()) {
			return ErrWindowClosed
		}
		return s.openWindowTx(ctx, tx, w)
	})
}

func (s *Service) openWindowTx(ctx context.Context, tx bun.IDB, w *Window) error {
	pl, err := loadPlan(ctx, tx, w)
	if err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	for _, od := range pl.offers {
		for _, libID := range sortedIDs(pl.renews[od.Offer.ID]) {
			if pl.answer(od.Offer.ID, libID) != nil {
				continue // answered already, or renewed on an earlier day
			}
			e := &Enrolment{WindowID: w.ID, OfferID: od.Offer.ID, LibraryID: libID, Answer: AnswerYes,
				Source: SourceRenewal, AnsweredBy: auth.System.Name, AnsweredAt: now}
			if _, err := tx.NewInsert().Model(e).Exec(ctx); err != nil {
				return fmt.Errorf("renew library %d in offer %d: %w", libID, od.Offer.ID, err)
			}
			sub, err := s.EnsureSubscription(ctx, tx, offerSubscription(libID, od))
			if err != nil {
				return err
			}
			err = audit.Write(ctx, tx, auth.System.Who(), audit.Record{Entity: "enrolment", EntityID: e.ID, LibraryID: libID,
				Action: "create", Reason: "renewal", Changes: audit.Diff(enrolmentFields, nil, e.snapshot(sub))})
			if err != nil {
				return err
			}
			pl.answers[[2]int64{od.Offer.ID, libID}] = e
		}
	}
	if err := s.mailWindowOpen(ctx, tx, pl); err != nil {
		return err
	}
	if w.OpenedMailedAt == nil {
		w.OpenedMailedAt = &now
		if _, err := tx.NewUpdate().Model(w).Column("opened_mailed_at").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("window %d opened: %w", w.ID, err)
		}
	}
	return nil
}

// offerSubscription is the subscription a yes to an offer gives: the
// product for the agreement's period.
func offerSubscription(libraryID int64, od OfferDetail) Subscription {
	offerID := od.Offer.ID
	return Subscription{LibraryID: libraryID, ProductID: od.Offer.ProductID, OfferID: &offerID,
		StartsOn: od.Agreement.StartsOn, EndsOn: od.Agreement.EndsOn}
}

// windowPlan is everything about a window that reports, notices and
// renewals need: its offers, the libraries invited to each, and the answers.
type windowPlan struct {
	w       *Window
	offers  []OfferDetail
	libs    []members.Library                // invited to at least one offer, by name
	invited map[int64]map[int64]bool         // offer id → library ids
	renews  map[int64]map[int64]bool         // offer id → subscribers of its previous offer (renews by default only)
	answers map[[2]int64]*Enrolment          // (offer id, library id) → answer
	byID    map[int64]*members.Library       // the invited libraries by id
	primary map[int64]members.LibraryContact // filled by primaryEmails when mail needs it
}

func (p *windowPlan) answer(offerID, libraryID int64) *Enrolment {
	return p.answers[[2]int64{offerID, libraryID}]
}

// libraryOffers lists the offers a library is invited to, by product name.
func (p *windowPlan) libraryOffers(libraryID int64) []OfferDetail {
	var out []OfferDetail
	for _, od := range p.offers {
		if p.invited[od.Offer.ID][libraryID] {
			out = append(out, od)
		}
	}
	return out
}

// loadPlan reads a window's offers, libraries and answers. Invited to an
// offer are the libraries whose type fits the product's target groups (all
// when it has none), last period's subscribers of an offer that renews by
// default, and any library that has answered.
func loadPlan(ctx context.Context, idb bun.IDB, w *Window) (*windowPlan, error) {
	pl := &windowPlan{w: w, invited: map[int64]map[int64]bool{}, renews: map[int64]map[int64]bool{},
		answers: map[[2]int64]*Enrolment{}, byID: map[int64]*members.Library{}}
	var err error
	if pl.offers, err = windowOfferDetails(ctx, idb, w.ID); err != nil {
		return nil, err
	}
	var all []members.Library
	if err := idb.NewSelect().Model(&all).OrderExpr("name, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("libraries: %w", err)
	}
	// Sorted here, not by the engine's collation, so both engines agree.
	slices.SortStableFunc(all, func(a, b members.Library) int { return strings.Compare(a.Name, b.Name) })
	var es []Enrolment
	if err := idb.NewSelect().Model(&es).Where("e.window_id = ?", w.ID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("enrolments of window %d: %w", w.ID, err)
	}
	for i := range es {
		pl.answers[[2]int64{es[i].OfferID, es[i].LibraryID}] = &es[i]
	}
	for _, od := range pl.offers {
		o := od.Offer
		inv := map[int64]bool{}
		if o.RenewsByDefault && o.PreviousOfferID != nil {
			var libIDs []int64
			err := idb.NewSelect().Model((*Subscription)(nil)).Column("library_id").
				Where("offer_id = ?", *o.PreviousOfferID).Scan(ctx, &libIDs)
			if err != nil {
				return nil, fmt.Errorf("subscribers of offer %d: %w", *o.PreviousOfferID, err)
			}
			pl.renews[o.ID] = map[int64]bool{}
			for _, id := range libIDs {
				pl.renews[o.ID][id], inv[id] = true, true
			}
		}
		for _, l := range all {
			if targets(od.Product, l.Type) || pl.answer(o.ID, l.ID) != nil {
				inv[l.ID] = true
			}
		}
		pl.invited[o.ID] = inv
	}
	for i := range all {
		for _, inv := range pl.invited {
			if inv[all[i].ID] {
				pl.libs = append(pl.libs, all[i])
				break
			}
		}
	}
	for i := range pl.libs {
		pl.byID[pl.libs[i].ID] = &pl.libs[i]
	}
	return pl, nil
}

// targets reports whether a product is meant for a library of the given
// type: public products for public and county libraries, school products
// for upper-secondary and primary school libraries, and a product without
// target groups for every library.
func targets(p products.Product, libraryType string) bool {
	groups := strings.FieldsFunc(p.TargetGroupsText, func(r rune) bool { return r == ',' || r == ' ' })
	if len(groups) == 0 {
		return true
	}
	for _, g := range groups {
		switch g {
		case products.TargetPublic:
			if libraryType == validate.TypePublic || libraryType == validate.TypeCounty {
				return true
			}
		case products.TargetSchool:
			if libraryType == validate.TypeUpperSecondary || libraryType == validate.TypePrimarySchool {
				return true
			}
		}
	}
	return false
}

func sortedIDs(set map[int64]bool) []int64 {
	ids := make([]int64, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
